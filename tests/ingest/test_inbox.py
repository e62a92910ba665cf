from pathlib import Path

from corpus import HEADER, HUNG, delimited, xlsx

from pipelines.ingest.inbox import files_for_period, inbox_periods, inbox_relpaths, loose_files, period_listing


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


def test_inbox_relpaths_name_files_as_relative_to_does(tmp_path, monkeypatch):
    """Cut from the text when the path starts with the inbox's; otherwise by relative_to."""
    inbox = tmp_path / "inbox"
    for name in ["2024-07/Phước Hưng.xlsx", "2024-07/đợt 2/Xã An.csv", "loose.csv", "khác/T7 2024.xls"]:
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(b"x")
    listed = [*files_for_period(inbox, "2024-07"), *loose_files(inbox)]
    expected = [path.relative_to(inbox).as_posix() for path in listed]
    assert inbox_relpaths(inbox, listed) == expected
    assert sorted(expected) == ["2024-07/Phước Hưng.xlsx", "2024-07/đợt 2/Xã An.csv", "khác/T7 2024.xls", "loose.csv"]
    # The inbox given as "." or with a trailing slash: the text prefix differs, the names do not.
    monkeypatch.chdir(inbox)
    here = [Path(path.relative_to(inbox)) for path in listed]
    assert inbox_relpaths(Path("."), here) == expected
    assert inbox_relpaths(Path(str(inbox) + "/"), listed) == expected


def test_a_period_folder_is_listed_as_rglob_lists_it(tmp_path):
    """Nested and hidden folders, names that sort differently as text than part by part
    ("a-b/…" before "a/…" as text, after it as paths), ignored names, symbolic links to a
    file (listed) and to a folder (not entered): the same paths, in Path order."""
    inbox = tmp_path / "inbox"
    folder = inbox / "2024-07"
    names = [
        "a/x.xlsx",
        "a-b/x.xlsx",
        "a.csv",
        "A.csv",
        "đợt 2/b/Xã An.csv",
        ".ẩn/c.csv",
        "z.xlsx",
        "~$z.xlsx",
        ".~lock.z.xlsx#",
        "a/Thumbs.db",
        "desktop.ini",
    ]
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.csv").write_bytes(b"x")
    (folder / "link.csv").symlink_to(folder / "a.csv")
    (folder / "linked folder").symlink_to(outside, target_is_directory=True)
    (folder / "broken.csv").symlink_to(tmp_path / "missing.csv")

    listed = files_for_period(inbox, "2024-07")
    # Links are never followed: a link to a file or folder is refused, its target unread.
    refused = sorted(
        (Path(path).relative_to(folder).as_posix(), code) for path, code in period_listing(inbox, "2024-07").refused
    )
    assert refused == [("broken.csv", "REFUSED_PATH"), ("link.csv", "REFUSED_PATH"), ("linked folder", "REFUSED_PATH")]
    assert [path.relative_to(folder).as_posix() for path in listed] == [
        ".ẩn/c.csv",
        "A.csv",
        "a/x.xlsx",
        "a-b/x.xlsx",
        "a.csv",
        "z.xlsx",
        "đợt 2/b/Xã An.csv",
    ]
    assert files_for_period(inbox, "2024-08") == []
