from pipelines.ingest.html_tables import declared_charset, html_tables


def test_spans_keep_cells_under_their_columns():
    page = """<html><body><table>
    <tr><td colspan="3">PHỤ LỤC</td></tr>
    <tr><th rowspan="2">TT</th><th rowspan="2">Tên địa phương</th><th colspan="2">Cập nhật dữ liệu</th></tr>
    <tr><th>Đã cập nhật</th><th>Chưa<br>cập nhật</th></tr>
    <tr><td>1</td><td>Phước&nbsp;Hưng</td><td>2.583</td><td>575</td></tr>
    </table><table><tr><td></td></tr></table></body></html>"""
    [table] = html_tables(page, 1000)
    assert table == [
        ["PHỤ LỤC", None, None],
        ["TT", "Tên địa phương", "Cập nhật dữ liệu", None],
        [None, None, "Đã cập nhật", "Chưa cập nhật"],
        ["1", "Phước Hưng", "2.583", "575"],  # &nbsp; is a space
    ]


def test_nested_tables_and_unclosed_tags():
    page = "<table><tr><td>a<table><tr><td>inner</td></tr></table></td><td>b</td><tr><td>c"
    assert html_tables(page, 1000) == [[["a", "b"], ["c"]]]


def test_declared_charset():
    assert (
        declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">')
        == "windows-1258"
    )
    assert declared_charset(b"<meta charset=nonsense-42>") is None
    assert declared_charset(b"<html>") is None


def test_huge_spans_are_refused_before_they_are_laid_out():
    import pytest

    from pipelines.ingest.html_tables import TooManyCells

    page = "<table>" + "<tr><td colspan=999 rowspan=999>x</td></tr>" * 10 + "</table>"
    with pytest.raises(TooManyCells):
        html_tables(page, 2_000_000)


def test_a_page_of_huge_colspans_is_rejected_as_too_large_at_little_memory_cost():
    import subprocess
    import sys

    script = (
        "import resource; from pipelines.ingest.submissions import parse_submission; "
        "from pipelines.core.scope import configured_scope; "
        "data = b'<html><body><table>' + b'<tr><td colspan=999>x</td></tr>' * 100000 + b'</table></body></html>'; "
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
        "p = parse_submission(data, '.xls', configured_scope().units); "
        "print(p.rejections['code'].to_list()[0], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    code, grown_kb = out.stdout.split()
    assert code == "FILE_TOO_LARGE"
    assert int(grown_kb) < 300 * 1024  # far below the ~1 GB the expanded spans would take
