"""The read-only SQL shell on the analysts' copy (`make sql`)."""

import subprocess
import sys

import pytest
from helpers import REPO


@pytest.mark.e2e
def test_sql_shell_reads_statements_from_stdin(tmp_path):
    data_dir = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", "sql", "--data-dir", str(data_dir)],
        input=".tables\nSELECT 40 +\n 2 AS answer;\nDROP TABLE marts.completeness;\n",
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "analytics.latest_figures" in result.stdout and "42" in result.stdout
    assert "read-only" in result.stderr.lower()  # the copy cannot be changed from the shell
