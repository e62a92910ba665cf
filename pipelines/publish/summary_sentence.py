"""The sentence the letter opens with, for any period and scope, in Vietnamese.

July 2024: "Hiện nay, trên phần mềm quản lý thông tin trẻ em của huyện, số trẻ em đã được
cập nhật và làm sạch dữ liệu là 28.554/45.349 tổng số trẻ em, chiếm tỷ lệ 63% (có phụ lục
kèm theo)." The letter rounds the rate to a whole percent.
"""

from __future__ import annotations

from pipelines.core.numbers import format_vn_int


def whole_percent(cleaned: int, total: int) -> int:
    """cleaned / total × 100 rounded half-up to a whole percent, on integers.

    Never says 100 % while a record is still to clean, nor 0 % once one is cleaned.
    """
    if total <= 0:
        return 0
    pct = (cleaned * 200 + total) // (total * 2)
    if pct == 100 and cleaned < total:
        return 99
    if pct == 0 and cleaned > 0:
        return 1
    return pct


def summary_sentence(cleaned: int | None, total: int | None, area: str) -> str:
    """The opening sentence; `area` completes "trên phần mềm … trẻ em {area}" ("của huyện")."""
    where = f"trên phần mềm quản lý thông tin trẻ em {area}".strip()
    if not total:
        return f"Hiện nay, {where}, chưa có số liệu báo cáo của các địa phương."
    return (
        f"Hiện nay, {where}, số trẻ em đã được cập nhật và làm sạch dữ liệu là "
        f"{format_vn_int(cleaned or 0) if cleaned else '0'}/{format_vn_int(total)} tổng số trẻ em, "
        f"chiếm tỷ lệ {whole_percent(cleaned or 0, total)}% (có phụ lục kèm theo)."
    )
