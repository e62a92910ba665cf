"""scripts/make_reference.py: the national reference files (data/reference/vn/) regenerate byte
for byte from the official tables kept in data/reference/nso/, and hold the cases the project
knows (docs: the Tuy Phước district, today's Gia Lai, An Nghĩa, the Vân Canh split)."""

import hashlib
import importlib.util
import subprocess
import sys
import unicodedata
from pathlib import Path

import polars as pl
import pytest
from helpers import REPO

from pipelines.core.units import UNIT_SCHEMA, load_units, units_valid_in

SCRIPT = REPO / "scripts" / "make_reference.py"
NSO = REPO / "data" / "reference" / "nso"
VN = REPO / "data" / "reference" / "vn"
FILES = ["units.csv", "crosswalk.csv", "report.md"]
NATIONAL_UNIT_SCHEMA = UNIT_SCHEMA | {
    "level": pl.String,
    "province_code": pl.String,
    "district_code": pl.String,
    "reporting": pl.Boolean,
}
CROSSWALK_SCHEMA = {
    "from_code": pl.String,
    "from_name": pl.String,
    "to_code": pl.String,
    "to_name": pl.String,
    "effective_date": pl.Date,
    "resolution": pl.String,
    "moved": pl.String,
    "comparable": pl.Boolean,
    "reason": pl.String,
    "area_group": pl.String,
    "note": pl.String,
    "from_level": pl.String,
    "from_district_code": pl.String,
    "from_province_code": pl.String,
    "to_province_code": pl.String,
}
POPULATION_WHOLE = {"whole", "area_all_population", "unchanged", "renamed"}

# docs: FACTS.md — Tuy Phước's 13 units (code → the new commune's code from 2025-07-01).
TUY_PHUOC = {
    "21952": "21952",  # TT Tuy Phước
    "21955": "21952",  # TT Diêu Trì
    "21982": "21952",  # Phước Thuận
    "21979": "21952",  # Phước Nghĩa
    "21976": "21952",  # Phước Lộc
    "21970": "21970",  # Phước Sơn
    "21967": "21970",  # Phước Hòa
    "21958": "21970",  # Phước Thắng
    "21985": "21985",  # Phước An
    "21988": "21985",  # Phước Thành
    "21973": "21964",  # Phước Hiệp
    "21961": "21964",  # Phước Hưng
    "21964": "21964",  # Phước Quang
}
TUY_PHUOC_NEW = {
    "21952": "Xã Tuy Phước",
    "21970": "Xã Tuy Phước Đông",
    "21985": "Xã Tuy Phước Tây",
    "21964": "Xã Tuy Phước Bắc",
}


def _script():
    """The script as a module (registered, as dataclasses need)."""
    spec = importlib.util.spec_from_file_location("make_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_reference"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script():
    return _script()


@pytest.fixture(scope="module")
def units() -> pl.DataFrame:
    return pl.read_csv(VN / "units.csv", schema=NATIONAL_UNIT_SCHEMA, encoding="utf8")


@pytest.fixture(scope="module")
def pairs() -> pl.DataFrame:
    return pl.read_csv(VN / "crosswalk.csv", schema=CROSSWALK_SCHEMA, encoding="utf8")


def test_the_committed_files_regenerate_byte_for_byte(tmp_path):
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--source", str(NSO), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    for name in FILES:
        committed = (VN / name).read_bytes()
        assert (tmp_path / name).read_bytes() == committed, f"{name} differs: run `make reference`"
        assert not committed.startswith(b"\xef\xbb\xbf") and b"\r" not in committed
        text = committed.decode("utf-8")
        assert text == unicodedata.normalize("NFC", text)


def test_the_official_tables_are_kept_unchanged():
    readme = (NSO / "README.md").read_text(encoding="utf-8")
    for name in ["old-to-new-communes-2025-07-01.csv", "communes-2025-01-04.csv"]:
        assert hashlib.sha256((NSO / name).read_bytes()).hexdigest() in readme
    assert "sunshine-tech/VietnamProvinces" in readme and "Tổng cục Thống kê" in readme
    report = (VN / "report.md").read_text(encoding="utf-8")
    assert "sunshine-tech/VietnamProvinces" in report and "Tổng cục Thống kê" in report


def test_the_units_start_with_the_columns_load_units_reads(units):
    assert units.columns[: len(UNIT_SCHEMA)] == list(UNIT_SCHEMA)
    # A unit is its code and its first day: never two rows for one.
    assert units.select("unit_code", "valid_from").is_duplicated().sum() == 0
    names = units["unit_name"].to_list()
    assert all(n == " ".join(n.split()) for n in names)


def test_load_units_reads_the_national_file():
    units = load_units(VN / "units.csv")
    assert units.columns[: len(UNIT_SCHEMA)] == list(UNIT_SCHEMA)
    reporting = units.filter(pl.col("reporting"))
    assert units_valid_in(reporting, "2025-01").height == 10_056  # the office's list of 2025-01-04
    assert units_valid_in(reporting, "2025-08").height == 3_321


def _communes(units: pl.DataFrame, period: str, **where) -> pl.DataFrame:
    valid = units_valid_in(units, period).filter(pl.col("level") == "commune")
    for column, value in where.items():
        valid = valid.filter(pl.col(column) == value)
    return valid


def test_counts(units):
    old_provinces = units.filter((pl.col("level") == "province") & pl.col("valid_to").is_not_null())
    new_provinces = units.filter((pl.col("level") == "province") & pl.col("valid_to").is_null())
    assert (old_provinces.height, new_provinces.height) == (63, 34)
    assert units.filter(pl.col("level") == "district")["unit_code"].n_unique() == 696
    assert _communes(units, "2025-08").height == 3321
    assert units_valid_in(units, "2025-08").filter(pl.col("level") == "district").is_empty()
    # Each new commune's parent is its province; each old commune's its district.
    assert (_communes(units, "2025-08")["parent_code"] == _communes(units, "2025-08")["province_code"]).all()
    assert (_communes(units, "2024-07")["parent_code"] == _communes(units, "2024-07")["district_code"]).all()


def test_tuy_phuoc_thirteen_units_become_four(units, pairs):
    before = _communes(units, "2024-07", district_code="550")
    assert sorted(before["unit_code"]) == sorted(TUY_PHUOC)
    assert set(before["kind"]) == {"xã", "thị trấn"} and set(before["province_code"]) == {"52"}
    after = _communes(units, "2025-08").filter(pl.col("unit_code").is_in(list(TUY_PHUOC_NEW)))
    assert dict(after.select("unit_code", "unit_name").iter_rows()) == TUY_PHUOC_NEW
    assert _communes(units, "2025-08", district_code="550").is_empty()
    moved = pairs.filter(pl.col("from_code").is_in(list(TUY_PHUOC)))
    assert dict(moved.select("from_code", "to_code").iter_rows()) == TUY_PHUOC
    assert set(moved["moved"]) == {"whole"} and moved["comparable"].all()
    assert set(moved["resolution"]) == {"1664/NQ-UBTVQH15 ngày 16/6/2025"}
    # Nothing else went into the four communes.
    assert pairs.filter(pl.col("to_code").is_in(list(TUY_PHUOC_NEW))).height == 13


def test_todays_gia_lai_is_old_binh_dinh_and_old_gia_lai(units, pairs):
    assert _communes(units, "2024-07", province_code="52").height == 155
    assert _communes(units, "2024-07", province_code="64").height == 218
    today = _communes(units, "2025-08", province_code="52")
    assert today.height == 135
    assert today.group_by("kind").len().sort("kind").rows() == [("phường", 25), ("xã", 110)]
    into = pairs.filter(pl.col("to_province_code") == "52")
    assert set(into["from_province_code"]) == {"52", "64"}
    assert into["from_code"].n_unique() == 155 + 218


def test_an_nghia_all_its_people_to_an_toan_area_only_to_an_hoa(pairs):
    an_nghia = pairs.filter(pl.col("from_name") == "Xã An Nghĩa", pl.col("from_district_code") == "542")
    rows = {r["to_name"]: (r["moved"], r["comparable"]) for r in an_nghia.iter_rows(named=True)}
    assert rows == {"Xã An Toàn": ("area_all_population", True), "Xã An Hòa": ("area_only", False)}


def test_the_van_canh_split_is_not_comparable_but_its_area_is(pairs):
    split = pairs.filter(pl.col("to_name").is_in(["Xã Vân Canh", "Xã Canh Liên", "Xã Canh Vinh"]))
    split = split.filter(pl.col("to_province_code") == "52")
    assert not split["comparable"].any()
    parts = split.filter(pl.col("moved") == "part_unknown_share")
    assert set(parts["from_name"]) == {"Xã Canh Hiệp", "Xã Canh Liên"}
    # The three together took all of the five old units' people: one area group.
    assert split["area_group"].n_unique() == 1
    assert pairs.filter(pl.col("area_group") == split["area_group"][0])["to_code"].n_unique() == 3


def test_no_old_unit_is_counted_twice(pairs):
    comparable = pairs.filter(pl.col("comparable"))
    assert comparable["from_code"].is_duplicated().sum() == 0
    assert set(comparable["moved"]) <= POPULATION_WHOLE
    assert comparable["reason"].null_count() == comparable.height
    assert pairs.filter(~pl.col("comparable"))["reason"].null_count() == 0


def test_every_pair_joins_units_valid_before_and_after(units, pairs):
    before = units_valid_in(units, "2025-06").filter(pl.col("reporting"))
    after = _communes(units, "2025-08")
    assert pairs.join(before, left_on="from_code", right_on="unit_code", how="anti").is_empty()
    assert pairs.join(after, left_on="to_code", right_on="unit_code", how="anti").is_empty()
    names = pairs.join(before, left_on="from_code", right_on="unit_code").filter(
        pl.col("from_name") != pl.col("unit_name")
    )
    assert names.is_empty()


def test_a_code_given_to_another_unit_is_read_as_the_unit_the_row_names(pairs):
    # The table gives Xã Mỹ Hưng (01651 in the list) the code of Xã Hồng Quang (01615).
    assert pairs.filter(pl.col("from_code") == "01651")["to_code"].to_list() == ["01648"]
    assert pairs.filter(pl.col("from_code") == "01615")["to_code"].to_list() == ["01636"]


@pytest.mark.parametrize(
    ("note", "moved"),
    [
        ("Nhập toàn bộ", "whole"),
        ("  NHẬP TOÀN BỘ\n", "whole"),
        ("Nhâp một phần  diện tích ", "area_only"),
        ("Nhập toàn bộ diện tích", "area_only"),
        ("Nhập một phần diện tích, toàn bộ dân số", "area_all_population"),
        ("Nhập một  phần", "part_unknown_share"),
        ("Nhập một phần dân số", "part_unknown_share"),
        ("Phần còn lại sau khi tách một phần vào xã Canh Vinh", "part_unknown_share"),
        ("Đổi tên từ một phần Phường 15", "part_unknown_share"),
        ("Đổi tên, đổi loại hình từ một phần thị trấn Lai Uyên", "part_unknown_share"),
        ("Giữ nguyên ", "unchanged"),
        ("Đổi tên", "renamed"),
        ("Đổi loại hình", "renamed"),
        ("Sắp xếp toàn bộ huyện Côn Đảo thành đặc khu Côn Đảo", "whole"),
        (unicodedata.normalize("NFD", "Sắp xếp toàn bộ xã Thổ Châu thành đặc khu Thổ Châu"), "whole"),
    ],
)
def test_notes_are_read_leniently(script, note, moved):
    assert script.classify_note(note) == moved


def test_an_unknown_note_stops_the_generator(script):
    with pytest.raises(script.SourceError, match="unknown note"):
        script.classify_note("Nhập phần lớn")


# A small source in the office's layout: every flaw the generator must treat conservatively.
_TITLE = "Đơn vị hành chính từ ngày 01/7/2025,,,Đơn vị hành chính trước ngày 01/7/2025,,,,,\n"
_HEADER = '"Tỉnh, thành phố",Tên Xã mới,Mã Xã mới,Tên Xã cũ,Mã Xã cũ,Ghi chú,Quận/huyện,Tỉnh cũ,\n'
_PAIRS = [
    # new commune, old commune, note
    ("Xã Một", "00001", "Xã Một", "00001", "Nhập toàn bộ"),  # whole into two communes
    ("Xã Hai", "00002", "Xã Một", "00001", "Nhập toàn bộ"),
    ("Xã Hai", "00002", "Xã Hai", "00002", "Nhập một phần diện tích"),  # area only, everywhere
    ("Xã Ba", "00003", "Xã Ba", "00003", "Nhập toàn bộ"),  # whole, but its successor took a part
    ("Xã Ba", "00003", "Xã Bốn", "00004", "Nhập một phần"),
    ("Xã Bốn", "00004", "Xã Bốn", "00004", "Nhập một phần"),
    ("Phường Năm", "00005", "Thị trấn Năm", "00005", "Nhập toàn bộ"),  # clean
    ("Phường Năm", "00005", "Phường Sáu", "00006", "Nhập toàn bộ"),  # only in the conversion table
]
_LISTED = ["00001 Xã Một", "00002 Xã Hai", "00003 Xã Ba", "00004 Xã Bốn", "00005 Thị trấn Năm", "00007 Xã Bảy"]


def _small_source(folder: Path, note: str | None = None) -> Path:
    folder.mkdir()
    lines = [_TITLE, _HEADER, "TỈNH MỘT,,,,,,,,\n"]
    for new_name, new_code, old_name, old_code, own_note in _PAIRS:
        lines.append(
            f"Tỉnh Một (01),{new_name},{new_code},{old_name},{old_code},{note or own_note},"
            "Huyện Một (001),Tỉnh Một (01),\n"
        )
    (folder / "old-to-new-communes-2025-07-01.csv").write_text("".join(lines), encoding="utf-8")
    listed = ["Tỉnh Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp,Tên Tiếng Anh\n"]
    for entry in _LISTED:
        code, name = entry.split(" ", 1)
        kind = "Thị trấn" if name.startswith("Thị trấn") else "Xã"
        listed.append(f"Tỉnh Một,01,Huyện Một,001,{name},{code},{kind},\n")
    (folder / "communes-2025-01-04.csv").write_text("".join(listed), encoding="utf-8")
    return folder


def test_flaws_are_reported_and_treated_conservatively(script, tmp_path):
    assert script.main(["--source", str(_small_source(tmp_path / "nso")), "--out", str(tmp_path / "vn")]) == 0
    pairs = pl.read_csv(tmp_path / "vn" / "crosswalk.csv", schema=CROSSWALK_SCHEMA)
    reasons = {(r["from_code"], r["to_code"]): r["reason"] for r in pairs.iter_rows(named=True)}
    assert reasons == {
        ("00001", "00001"): "source_conflict",
        ("00001", "00002"): "source_conflict",
        ("00002", "00002"): "population_unplaced",
        ("00003", "00003"): "successor_has_unknown_share",
        ("00004", "00003"): "share_unknown",
        ("00004", "00004"): "share_unknown",
        ("00005", "00005"): None,
        ("00006", "00005"): None,
    }
    units = pl.read_csv(tmp_path / "vn" / "units.csv", schema=NATIONAL_UNIT_SCHEMA)
    spans = {r["unit_code"]: (str(r["valid_from"]), str(r["valid_to"])) for r in units.iter_rows(named=True)}
    assert spans["00006"] == ("2025-01-05", "2025-06-30")  # only in the conversion table
    assert spans["00007"] == ("1900-01-01", "2025-01-04")  # only in the list
    report = (tmp_path / "vn" / "report.md").read_text(encoding="utf-8")
    for named in ["00001 Xã Một", "00002 Xã Hai", "00006 Phường Sáu", "00007 Xã Bảy"]:
        assert named in report


def test_an_unknown_note_fails_the_run(script, tmp_path, capsys):
    source = _small_source(tmp_path / "nso", note="Nhập gần hết")
    assert script.main(["--source", str(source), "--out", str(tmp_path / "vn")]) == 1
    assert "unknown note 'Nhập gần hết'" in capsys.readouterr().err
    assert not (tmp_path / "vn").exists()
