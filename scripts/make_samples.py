"""Write the bundled sample submissions from data/samples/figures.csv.

One workbook per unit and period, the simple template: a header row and one row of
figures, as a commune officer fills it in. Run from the repo root:
    .venv/bin/python scripts/make_samples.py
"""

import datetime as dt
from pathlib import Path

import polars as pl
import xlsxwriter

from pipelines.core.periods import month_label

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def write_workbook(path: Path, period: str, row: dict) -> None:
    workbook = xlsxwriter.Workbook(path)
    # A fixed creation time keeps the bytes (and so the archive hashes) reproducible.
    workbook.set_properties({"created": dt.datetime(2024, 7, 31, 8, 0, 0)})
    sheet = workbook.add_worksheet("Báo cáo")
    header = [
        "TT",
        "Tên địa phương",
        f"Tổng số trẻ em theo báo cáo của địa phương đến tháng {month_label(period)}",
        "Số trẻ em đã được cập nhật dữ liệu",
        "Số trẻ em đã làm sạch dữ liệu",
    ]
    sheet.write_row(0, 0, header, workbook.add_format({"bold": True, "text_wrap": True}))
    sheet.write_row(1, 0, [1, row["unit_name"], row["total_children"], row["updated"], row["cleaned"]])
    sheet.set_column(1, 1, 18)
    sheet.set_column(2, 4, 22)
    workbook.close()


def main() -> None:
    figures = pl.read_csv(SAMPLES / "figures.csv", schema_overrides={"unit_code": pl.String})
    for row in figures.iter_rows(named=True):
        folder = SAMPLES / row["period"]
        folder.mkdir(parents=True, exist_ok=True)
        write_workbook(folder / f"{row['unit_name']}.xlsx", row["period"], row)


if __name__ == "__main__":
    main()
