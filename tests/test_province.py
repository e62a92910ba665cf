"""A province's month: today's Gia Lai, 135 communes, its own data directory and scope."""

import shutil

import polars as pl
import pytest
from helpers import SAMPLES

from pipelines.cli import main

pytestmark = pytest.mark.e2e


def test_a_province_month_publishes_its_135_communes(tmp_path):
    data_dir = tmp_path / "gia-lai"
    shutil.copytree(SAMPLES / "tinh-gia-lai" / "2025-08", data_dir / "inbox" / "2025-08")
    assert main(["run", "--data-dir", str(data_dir), "--scope", "52"]) == 0
    folder = data_dir / "published" / "2025-08"
    appendix = pl.read_csv(folder / "appendix.csv", schema_overrides={"commune_code": pl.String})
    assert appendix.height == 136 and appendix["commune_name"][-1] == "Tổng cộng"
    units = appendix.filter(pl.col("stt").is_not_null())
    assert units["total_children"].sum() == appendix["total_children"][-1]
    assert units["commune_code"].to_list() == sorted(units["commune_code"].to_list())  # official order
    assert (data_dir / "published" / "rejections.csv").read_text(encoding="utf-8").count("\n") == 1
    notes = pl.read_csv(folder / "clean_rate_history_notes.csv")
    assert sorted(notes["unit_name"].to_list()) == ["Xã Canh Liên", "Xã Canh Vinh", "Xã Vân Canh"]
