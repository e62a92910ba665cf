"""Write the bundled sample submissions from data/samples/figures.csv.

One workbook per unit and period, the simple template: a header row and one row of
figures, as a commune officer fills it in. Run from the repo root:
    .venv/bin/python scripts/make_samples.py
and, for the province sample (tinh-gia-lai/, invented figures):
    .venv/bin/python scripts/make_samples.py --province
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


if __name__ == "__main__" and not __import__("sys").argv[1:]:
    main()


PROVINCE = SAMPLES / "tinh-gia-lai"
PROVINCE_PERIOD = "2025-08"
INVENTED = "SỐ LIỆU MINH HỌA, KHÔNG PHẢI SỐ LIỆU THẬT"


def write_province() -> None:
    """One workbook per commune of today's Gia Lai (135), with invented figures: a title
    that says so, a code column ("Mã xã": names repeat in a province), then the figures."""
    import random

    from pipelines.core.scope import load_scope

    units = load_scope({"scope": {"code": "52"}}).units_in(PROVINCE_PERIOD)
    rng = random.Random(52)
    folder = PROVINCE / PROVINCE_PERIOD
    folder.mkdir(parents=True, exist_ok=True)
    for code, name in units.select("unit_code", "unit_name").iter_rows():
        total = rng.randint(2_000, 9_000)
        updated = rng.randint(total * 6 // 10, total)
        cleaned = rng.randint(updated * 5 // 10, updated)
        workbook = xlsxwriter.Workbook(folder / f"{code} {name}.xlsx")
        workbook.set_properties({"created": dt.datetime(2025, 9, 5, 8, 0, 0)})
        sheet = workbook.add_worksheet("Báo cáo")
        sheet.write(0, 0, f"{INVENTED} — tháng {month_label(PROVINCE_PERIOD)}")
        header = [
            "TT",
            "Mã xã",
            "Tên địa phương",
            f"Tổng số trẻ em đến tháng {month_label(PROVINCE_PERIOD)}",
            "Số trẻ em đã được cập nhật dữ liệu",
            "Số trẻ em đã làm sạch dữ liệu",
        ]
        sheet.write_row(2, 0, header, workbook.add_format({"bold": True, "text_wrap": True}))
        sheet.write_row(3, 0, [1, code, name, total, updated, cleaned])
        workbook.close()


if __name__ == "__main__" and __import__("sys").argv[1:] == ["--province"]:
    write_province()
