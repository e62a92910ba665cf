from pipelines.html_tables import declared_charset, html_tables


def test_spans_keep_cells_under_their_columns():
    page = """<html><body><table>
    <tr><td colspan="3">PHỤ LỤC</td></tr>
    <tr><th rowspan="2">TT</th><th rowspan="2">Tên địa phương</th><th colspan="2">Cập nhật dữ liệu</th></tr>
    <tr><th>Đã cập nhật</th><th>Chưa<br>cập nhật</th></tr>
    <tr><td>1</td><td>Phước&nbsp;Hưng</td><td>2.583</td><td>575</td></tr>
    </table><table><tr><td></td></tr></table></body></html>"""
    [table] = html_tables(page)
    assert table == [
        ["PHỤ LỤC", None, None],
        ["TT", "Tên địa phương", "Cập nhật dữ liệu", None],
        [None, None, "Đã cập nhật", "Chưa cập nhật"],
        ["1", "Phước Hưng", "2.583", "575"],  # &nbsp; is a space
    ]


def test_nested_tables_and_unclosed_tags():
    page = "<table><tr><td>a<table><tr><td>inner</td></tr></table></td><td>b</td><tr><td>c"
    assert html_tables(page) == [[["a", "b"], ["c"]]]


def test_declared_charset():
    assert declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">') == "windows-1258"
    assert declared_charset(b"<meta charset=nonsense-42>") is None
    assert declared_charset(b"<html>") is None
