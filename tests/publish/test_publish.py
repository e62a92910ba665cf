import os

from pipelines.publish.files import write_atomically, write_text


def test_unchanged_content_keeps_the_file_untouched(tmp_path):
    path = write_text(tmp_path / "a.csv", "x\n")
    os.utime(path, ns=(1, 1))
    write_text(path, "x\n")
    assert path.stat().st_mtime_ns == 1
    write_text(path, "y\n")
    assert path.read_text() == "y\n" and path.stat().st_mtime_ns != 1


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = write_text(tmp_path / "a.csv", "old\n")

    def broken(tmp):
        tmp.write_text("half")
        raise OSError("disk full")

    try:
        write_atomically(path, broken)
    except OSError:
        pass
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_a_killed_runs_temporary_is_cleared(tmp_path):
    (tmp_path / ".a.csv.12345.tmp").write_text("half")
    write_text(tmp_path / "a.csv", "new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]
