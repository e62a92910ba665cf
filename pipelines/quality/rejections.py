"""Rejection codes: stable identifiers, and the Vietnamese message a commune officer reads.

A code never changes meaning once published; add new codes rather than reuse old ones.
Each message says what is wrong and what to do about it. Placeholders are filled from
the rejection's details: {column}, {value}, {detail}, {period}, {unit} and the figures.
"""

from __future__ import annotations

import polars as pl

from pipelines.core.columns import LABELS
from pipelines.core.text import quote_short
from pipelines.quality.rules import FIGURE_RULES

MESSAGES: dict[str, str] = {
    # The file as a whole
    "EMPTY_FILE": "Tệp rỗng, không có nội dung. Vui lòng mở lại báo cáo, lưu lại và gửi lại tệp.",
    "UNSUPPORTED_TYPE": "Loại tệp “{detail}” không được hỗ trợ. Vui lòng gửi báo cáo dạng Excel (.xlsx, .xls) hoặc CSV.",
    "NOT_A_SPREADSHEET": "Tệp không đọc được như một bảng tính (có thể bị hỏng hoặc bị đổi đuôi tên). Vui lòng mở báo cáo bằng Excel, chọn Lưu thành (Save As) dạng .xlsx và gửi lại.",
    "ENCRYPTED_WORKBOOK": "Tệp Excel đang được đặt mật khẩu nên không đọc được. Vui lòng gỡ mật khẩu (File > Info > Protect Workbook) rồi gửi lại.",
    "UNKNOWN_ENCODING": "Không xác định được bảng mã chữ của tệp văn bản. Vui lòng lưu lại tệp dạng CSV UTF-8 (Excel: Lưu thành > CSV UTF-8) rồi gửi lại.",
    "FILE_TOO_LARGE": "Tệp quá lớn ({detail}) so với một báo cáo thông thường. Vui lòng chỉ gửi bảng số liệu báo cáo.",
    "DECOMPRESSION_BOMB": "Tệp có cấu trúc bất thường (dung lượng giải nén quá lớn) nên không được mở. Vui lòng lưu lại báo cáo bằng Excel và gửi lại.",
    "HTML_WITHOUT_TABLE": "Tệp là một trang web (HTML) được đặt đuôi .xls nhưng không chứa bảng số liệu nào. Vui lòng mở báo cáo bằng Excel, chọn Lưu thành (Save As) dạng .xlsx và gửi lại.",
    "NO_HEADER": "Không tìm thấy dòng tiêu đề của bảng (Tên địa phương, Tổng số trẻ em, Số trẻ em đã được cập nhật dữ liệu, Số trẻ em đã làm sạch dữ liệu). Vui lòng dùng đúng mẫu biểu báo cáo.",
    "MISSING_COLUMN": "Bảng thiếu cột bắt buộc: {detail}. Vui lòng bổ sung cột này theo mẫu biểu rồi gửi lại.",
    "NO_DATA_ROWS": "Bảng không có dòng số liệu nào dưới dòng tiêu đề. Vui lòng điền số liệu của địa phương rồi gửi lại.",
    "REFUSED_PATH": "“{detail}” trong hộp thư đến không phải là một tệp bình thường (là lối tắt/liên kết hoặc tệp thiết bị) nên không được đọc. Vui lòng chép chính tệp báo cáo vào thư mục của kỳ rồi xoá mục này.",
    "UNREADABLE_PATH": "Không đọc được “{detail}” trong hộp thư đến (không có quyền đọc hoặc tệp đang bị khoá). Vui lòng cấp quyền đọc cho chương trình hoặc đóng tệp; lần chạy sau sẽ đọc lại.",
    "READ_TIMEOUT": "Tệp mất quá nhiều thời gian để đọc ({detail}) nên đã bị dừng. Vui lòng mở báo cáo bằng Excel, chọn Lưu thành (Save As) dạng .xlsx và gửi lại.",
    "PERIOD_UNKNOWN": "Không xác định được kỳ báo cáo của tệp. Vui lòng đặt tệp vào thư mục của kỳ (ví dụ 2024-07) hoặc ghi rõ “tháng 7 năm 2024” trong tệp.",
    "PERIOD_IMPOSSIBLE": "Kỳ báo cáo “{period}” không hợp lệ (chưa đến hoặc ngoài phạm vi theo dõi). Vui lòng kiểm tra lại tháng, năm báo cáo.",
    "SAME_FILE_AS_OTHER_PERIOD": "Tệp này giống hệt tệp đã nhận cho kỳ {detail}, nên không được tính cho kỳ {period}. Vui lòng lập báo cáo kỳ {period} (ghi đúng tháng trong tệp) rồi gửi lại.",
    "PERIOD_MISMATCH": "Kỳ báo cáo ghi trong tệp ({detail}) khác với kỳ của thư mục nhận ({period}). Vui lòng sửa lại cho thống nhất rồi gửi lại.",
    # One row of the table
    "MISSING_VALUE": "Cột {column} của {unit} còn trống. Vui lòng nhập số liệu (ghi 0 nếu không có).",
    "NOT_A_NUMBER": "Cột {column} của {unit} có giá trị “{value}” không phải là số. Vui lòng ghi bằng chữ số, ví dụ 3158 hoặc 3.158.",
    "NOT_WHOLE_NUMBER": "Cột {column} của {unit} có giá trị “{value}” không phải số nguyên. Số trẻ em phải là số nguyên, ví dụ 3158 hoặc 3.158.",
    "NEGATIVE_NUMBER": "Cột {column} của {unit} có giá trị âm “{value}”. Số trẻ em không thể âm; vui lòng kiểm tra lại.",
    "MISSING_UNIT_NAME": "Dòng {detail} có số liệu nhưng không ghi tên địa phương. Vui lòng ghi tên xã, thị trấn vào cột (2) Tên địa phương.",
    "UNKNOWN_UNIT": "Không nhận ra tên địa phương “{value}”. {detail}Vui lòng ghi đúng tên xã, thị trấn theo danh mục.",
    "UNIT_NOT_IN_PERIOD": "Địa phương “{value}” không phải là đơn vị hành chính trong kỳ {period}. {detail}",
    "DUPLICATE_UNIT_CONFLICT": "{unit} xuất hiện nhiều lần trong cùng một tệp với số liệu khác nhau (dòng {detail}). Vui lòng giữ lại một dòng đúng.",
    # Figures breaking a rule: quality.rules holds them, with their conditions.
    **{rule.code: rule.message for rule in FIGURE_RULES},
    "AMBIGUOUS_UNIT": "Tên địa phương “{value}” trùng với nhiều đơn vị trong phạm vi báo cáo: {detail}. Vui lòng thêm cột “Mã xã” (mã đơn vị hành chính), hoặc ghi rõ huyện (cột “Huyện” hay tiêu đề “UBND HUYỆN …”), rồi gửi lại.",
    "SUBTOTAL_ROW_MISMATCH": "Dòng “{unit}” ghi {column} = {value} nhưng cộng các xã của huyện đó được {expected}. Vui lòng kiểm tra lại số liệu các dòng của huyện.",
    "TOTAL_ROW_MISMATCH": "Dòng “Tổng cộng” ghi {column} = {value} nhưng cộng các dòng bên trên được {expected}. Vui lòng kiểm tra lại số liệu các dòng.",
}

REJECTION_SCHEMA = {
    "row_number": pl.Int64,
    "unit_code": pl.String,
    "unit_name": pl.String,  # the official name when the unit is known (a cell as sent may hold anything)
    "code": pl.String,
    "message": pl.String,
}


def message(code: str, **details: object) -> str:
    """The Vietnamese message for `code`, its placeholders filled from `details`."""
    values = {
        "column": "",
        "value": "",
        "detail": "",
        "period": "",
        "unit": "Dòng số liệu",
        "expected": "",
    }
    values.update({k: v for k, v in details.items() if v is not None})
    for quoted in ("value", "unit"):  # a cell as sent is quoted short: it may hold anything
        values[quoted] = quote_short(values[quoted])
    if isinstance(values["column"], str) and values["column"] in LABELS:
        values["column"] = LABELS[values["column"]]
    return MESSAGES[code].format(**values).strip()
