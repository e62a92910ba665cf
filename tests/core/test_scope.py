"""The reporting scope is configuration: units, crosswalk, target and titles by date."""

import datetime as dt
import zipfile

import openpyxl
import polars as pl
import pytest

from pipelines.core.crosswalk import reaggregate
from pipelines.core.scope import configured_scope, load_scope
from pipelines.ingest.submissions import parse_submission
from pipelines.publish.appendix import build_appendix
from pipelines.publish.appendix_md import appendix_markdown
from pipelines.publish.appendix_xlsx import CHART_SHEET, appendix_xlsx_bytes
from pipelines.publish.summary_sentence import summary_sentence
from pipelines.warehouse.history import clean_rate_history

HEADER = "TT,Tên địa phương,Tổng số trẻ em,Số trẻ em đã được cập nhật dữ liệu,Số trẻ em đã làm sạch dữ liệu\n"


def test_configured_scope_changes_its_texts_on_1_july_2025():
    scope = configured_scope()
    assert scope.units_in("2024-07").height == 13 and scope.units_in("2025-08").height == 4
    assert scope.units_in("2025-06").height == 13 and scope.units_in("2025-07").height == 4
    before, after = scope.texts("2025-06"), scope.texts("2025-07")
    assert "huyện" in before["attachment_line"] and before["area"] == "của huyện"
    assert "huyện" not in after["attachment_line"] and "huyện" not in after["area"]
    assert "huyện" not in after["title"] and after["title"] == before["title"]
    assert scope.target_pct == 100.0


def another_province(tmp_path):
    """A scope from its own national reference: the two wards of an imaginary town (another
    town's ward beside them), target 90 %."""
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "units.csv").write_text(
        "unit_code,unit_name,kind,parent_code,appendix_order,valid_from,valid_to,aliases,level,province_code,"
        "district_code,reporting\n"
        "900,Thị xã Mẫu,thị xã,99,1,2020-01-01,,,district,99,900,false\n"
        "90001,Phường Bến Mẫu,phường,900,2,2020-01-01,,,commune,99,900,true\n"
        "90002,Phường Đồi Thử,phường,900,1,2020-01-01,,Đồi Thử,commune,99,900,true\n"
        "90003,Phường Khác,phường,901,1,2020-01-01,,,commune,99,901,true\n",
        encoding="utf-8",
    )
    config = {
        "scope": {
            "code": "900",
            "target_pct": 90,
            "title": "Thống kê dữ liệu trẻ em của thị xã Mẫu",
            "attachment_line": "(Kèm theo Công văn ngày      /{month}/{year} của UBND thị xã Mẫu)",
            "area": "của thị xã",
            "editions": [{"from": "2025-01-01", "title": "Thống kê dữ liệu trẻ em các phường"}],
        }
    }
    return load_scope(config, reference)


def test_another_scope_from_its_own_reference_files(tmp_path):
    scope = another_province(tmp_path)
    units = scope.units_in("2024-07")
    assert units["unit_name"].to_list() == ["Phường Đồi Thử", "Phường Bến Mẫu"]
    text = HEADER + "1,Đồi Thử,200,150,120\n2,Phường Bến Mẫu,100,80,40\n3,Phước Hưng,10,5,1\n"
    parsed = parse_submission(text.encode("utf-8"), ".csv", units)
    assert parsed.rows.select("unit_code", "cleaned").rows() == [("90002", 120), ("90001", 40)]
    # A unit of the other scope is simply unknown here (not "replaced by" anything).
    assert parsed.rejections["code"].to_list() == ["UNKNOWN_UNIT"]

    snapshot = parsed.rows.with_columns(pl.lit("2024-07").alias("period"))
    appendix = build_appendix(snapshot, units)
    assert appendix["commune_name"].to_list() == ["Phường Đồi Thử", "Phường Bến Mẫu", "Tổng cộng"]
    history = clean_rate_history(reaggregate(snapshot, scope.units, scope.crosswalk, "2024-07"), units, "2024-07")
    assert history.filter(pl.col("unit_code").is_null())["clean_rate_pct"].to_list() == [53.33]

    texts = scope.texts("2024-07")
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(appendix_xlsx_bytes(appendix, "2024-07", texts, dt.datetime(2024, 7, 31)))
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A2"].value == "Thống kê dữ liệu trẻ em của thị xã Mẫu"
    assert sheet["A3"].value == "(Kèm theo Công văn ngày      /7/2024 của UBND thị xã Mẫu)"
    assert "Thống kê dữ liệu trẻ em các phường" in appendix_markdown(
        appendix, "2025-02", scope.texts("2025-02")["title"]
    )
    assert summary_sentence(160, 300, texts["area"]).startswith(
        "Hiện nay, trên phần mềm quản lý thông tin trẻ em của thị xã,"
    )
    assert scope.target_pct == 90.0 and scope.crosswalk.is_empty()


@pytest.mark.e2e
def test_xlsx_charts_sit_on_a_second_sheet(published_samples):
    path = published_samples / "published" / "2024-07" / "phu-luc-2024-07.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Phụ lục", f"{CHART_SHEET} 1", f"{CHART_SHEET} 2", "Số liệu"]
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        media = [n for n in names if n.startswith("xl/media/")]
        assert len(media) == 2 and all(package.read(n).startswith(b"\x89PNG") for n in media)
        assert "xl/drawings/drawing1.xml" in names
        assert "drawing" in package.read("xl/worksheets/_rels/sheet2.xml.rels").decode()
        assert not any(n == "xl/worksheets/_rels/sheet1.xml.rels" for n in names)


GIA_LAI = "52"


@pytest.fixture(scope="module")
def gia_lai():
    return load_scope({"scope": {"code": GIA_LAI}})


def test_a_province_scope_spans_the_reorganisation(gia_lai):
    """Today's Gia Lai: 135 communes from 2025-07; before, the 373 communes of old Bình
    Định and old Gia Lai that formed it."""
    assert gia_lai.name == "Tỉnh Gia Lai"
    assert gia_lai.units_in("2024-07").height == 373 and gia_lai.units_in("2025-08").height == 135
    assert set(gia_lai.units_in("2024-07")["province_code"]) == {"52", "64"}
    old_district = load_scope({"scope": {"code": "550"}})
    assert old_district.units_in("2024-07").height == 13 and old_district.units_in("2025-08").height == 4


def test_history_across_merges_and_splits_sums_only_people_who_moved_whole(gia_lai):
    """A whole merge (Xã Tuy Phước), part of an area with all its people (An Nghĩa → An
    Toàn), part of an area only (An Nghĩa → An Hòa) and a split with unknown shares (Vân
    Canh, Canh Liên, Canh Vinh): each re-expressed honestly; the province's total is
    everything reported."""
    from pipelines.warehouse.history import clean_rate_history_as_of, history_notes

    old = gia_lai.units_in("2025-06")
    snapshots = old.select(
        pl.lit("2025-06").alias("period"),
        "unit_code",
        pl.lit(100, pl.Int64).alias("total_children"),
        pl.lit(80, pl.Int64).alias("updated"),
        pl.lit(50, pl.Int64).alias("cleaned"),
    )
    history = clean_rate_history_as_of(snapshots, gia_lai.units, gia_lai.crosswalk, "2025-08")
    june = {
        r["unit_code"]: r["total_children"] for r in history.filter(pl.col("period") == "2025-06").iter_rows(named=True)
    }
    assert june[None] == 100 * old.height  # the scope's row: all that was reported in its area
    assert june["21952"] == 500  # Xã Tuy Phước: five old units merged whole
    assert june["21622"] == 200  # An Toàn: An Toàn and all of An Nghĩa's people
    assert june["21628"] == 200  # An Hòa: An Hòa and An Quang; An Nghĩa gave area, no people
    assert not {"21994", "21997", "22006"} & set(june)  # the split: not comparable
    notes = history_notes(gia_lai.units, gia_lai.crosswalk, gia_lai.notes, "2025-08")
    assert notes["unit_name"].to_list() == ["Xã Vân Canh", "Xã Canh Liên", "Xã Canh Vinh"]
    assert all("không so sánh được" in reason for reason in notes["reason"])


def test_a_unit_formed_partly_from_outside_the_scope_is_left_out_and_named():
    town = load_scope({"scope": {"code": "21952@2024-07-01"}})  # old Thị trấn Tuy Phước
    assert town.units_in("2024-07")["unit_name"].to_list() == ["Thị trấn Tuy Phước"]
    assert town.units_in("2025-08").is_empty()
    assert town.notes["unit_name"].to_list() == ["Xã Tuy Phước"]


def test_a_data_directory_keeps_its_scope_and_refuses_another(tmp_path, capsys):
    from pipelines.cli import main

    data_dir = tmp_path / "gia-lai"
    assert main(["run", "--data-dir", str(data_dir), "--scope", GIA_LAI]) == 0
    config = (data_dir / "config.toml").read_text(encoding="utf-8")
    assert 'code = "52"' in config and "scope.display" not in config and "UBND tỉnh" in config
    assert main(["run", "--data-dir", str(data_dir), "--scope", "550"]) == 2
    assert "đã dùng phạm vi 52" in capsys.readouterr().err
    assert (data_dir / "config.toml").read_text(encoding="utf-8") == config
    assert not (data_dir / "warehouse.duckdb").exists()
    assert main(["run", "--data-dir", str(data_dir), "--scope", "99999"]) == 2
