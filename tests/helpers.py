"""What many tests share: the bundled samples copied to a data dir, a workbook built in a
test, and a whole period run through Dagster's `materialize`."""

import io
import shutil
from pathlib import Path

import dagster as dg
import xlsxwriter

from pipelines.core.periods import is_period

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "data" / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
HEADER = [
    "TT",
    "Tên địa phương",
    "Tổng số trẻ em",
    "Số trẻ em đã được cập nhật dữ liệu",
    "Số trẻ em đã làm sạch dữ liệu",
]


def copy_samples(data_dir: Path, periods: list[str] | None = None) -> Path:
    """A data dir whose inbox holds copies of the bundled sample periods."""
    inbox = data_dir / "inbox"
    for folder in sorted(SAMPLES.iterdir()):
        if folder.is_dir() and is_period(folder.name) and (periods is None or folder.name in periods):
            shutil.copytree(folder, inbox / folder.name)
    return data_dir


def workbook_sheets(sheets: list[list[list]]) -> bytes:
    """An .xlsx with one sheet per list of rows."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for rows in sheets:
        sheet = book.add_worksheet()
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    sheet.write(i, j, value)
    book.close()
    return buffer.getvalue()


def workbook(rows: list[list]) -> bytes:
    return workbook_sheets([rows])


def run(data_dir: Path, period: str) -> dg.ExecuteInProcessResult:
    """Every asset and check of `period`, materialised on `data_dir`."""
    from pipelines.definitions import ALL_ASSETS
    from pipelines.quality.checks import CHECKS
    from pipelines.resources import Storage

    return dg.materialize(
        [*ALL_ASSETS, *CHECKS],
        partition_key=period,
        resources={"storage": Storage(data_dir=str(data_dir))},
        raise_on_error=False,
    )


def snapshot_of(data_dir: Path) -> dict[str, bytes]:
    """Every published file's bytes, by its path under published/."""
    published = data_dir / "published"
    return {str(p.relative_to(published)): p.read_bytes() for p in sorted(published.rglob("*")) if p.is_file()}
