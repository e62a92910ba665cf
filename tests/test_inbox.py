from corpus import HEADER, HUNG, delimited, xlsx

from pipelines.inbox import files_for_period, inbox_periods, loose_files


def test_loose_files_and_the_periods_they_name(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "2024-07").mkdir(parents=True)
    (inbox / "2024-07" / "Phước Hưng.xlsx").write_bytes(xlsx([HEADER, HUNG]))
    (inbox / "2024-07" / "~$Phước Hưng.xlsx").write_bytes(b"lock")
    (inbox / "thư gửi huyện").mkdir()
    (inbox / "thư gửi huyện" / "báo cáo T8-2024.csv").write_bytes(delimited([["T8/2024"], HEADER, HUNG]).encode())
    (inbox / "tháng 9.xlsx").write_bytes(xlsx([["Báo cáo tháng 9 năm 2024"], HEADER, HUNG]))
    (inbox / "không rõ.xlsx").write_bytes(xlsx([HEADER, HUNG]))
    (inbox / "Thumbs.db").write_bytes(b"\x00" * 10)
    (inbox / ".DS_Store").write_bytes(b"\x00" * 10)

    assert [p.name for p in files_for_period(inbox, "2024-07")] == ["Phước Hưng.xlsx"]
    assert sorted(p.name for p in loose_files(inbox)) == ["báo cáo T8-2024.csv", "không rõ.xlsx", "tháng 9.xlsx"]
    # "không rõ.xlsx" names no period: the current period's run (the bounds' end) takes it.
    assert inbox_periods(inbox, ("2019-01", "2030-12")) == ["2024-07", "2024-08", "2024-09", "2030-12"]
    assert inbox_periods(inbox, ("2019-01", "2024-08")) == ["2024-07", "2024-08"]  # September not yet begun


def test_a_loose_file_naming_no_period_still_gets_a_run(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "không rõ.xlsx").write_bytes(xlsx([HEADER, HUNG]))
    assert inbox_periods(inbox, ("2019-01", "2026-11")) == ["2026-11"]
