import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"


def copy_samples(data_dir: Path, periods: list[str] | None = None) -> Path:
    """A data dir whose inbox holds copies of the bundled sample periods."""
    inbox = data_dir / "inbox"
    for folder in sorted(SAMPLES.iterdir()):
        if folder.is_dir() and (periods is None or folder.name in periods):
            shutil.copytree(folder, inbox / folder.name)
    return data_dir


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
