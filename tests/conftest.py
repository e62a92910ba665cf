from pathlib import Path

import pytest
from helpers import copy_samples


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    return copy_samples(tmp_path / "data")


@pytest.fixture(scope="session")
def published_samples(tmp_path_factory) -> Path:
    """The bundled samples run once through the CLI's code path; the data dir."""
    from pipelines.cli import main

    data_dir = copy_samples(tmp_path_factory.mktemp("published") / "data")
    assert main(["run", "--data-dir", str(data_dir)]) == 0
    return data_dir
