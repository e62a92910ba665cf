"""The published files as people see them, not as their XML reads.

The workbook and the Word file are printed to PDF by LibreOffice (`soffice --headless
--convert-to pdf`, in an English locale, where a number format would show 3,158 and 54.81)
and their pages read back with poppler (pdftotext, pdfimages): the numbers as the letter
prints them, one page per sheet, charts whole, the columns of the widths asked for.
report.html is opened in headless Chromium, driven through the DevTools protocol: the
text, the alignment and the fonts the browser lays out, and a screenshot.

These tools come from Debian's packages (chromium, libreoffice-calc, libreoffice-writer,
poppler-utils, fonts-liberation); `.ci/run` installs them. Without them the tests here
are skipped, saying so; everything else still runs.

SCREENSHOTS_DIR=docs/screenshots (an environment variable) keeps the pages rendered here
as PNG files in that folder: the reference pictures of docs/outputs.md.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import fcntl
import io
import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path

import polars as pl
import pytest
from helpers import GOLDEN

from pipelines.core.columns import COLUMNS, cell_text, headers, numbering_row

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None
)
POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdfimages", "pdfinfo", "pdftoppm"))
APT = "apt-get install -y --no-install-recommends"
needs_office = pytest.mark.skipif(
    not (SOFFICE and POPPLER),
    reason=f"LibreOffice or poppler-utils not found; install them: {APT} libreoffice-calc libreoffice-writer "
    "poppler-utils fonts-liberation fonts-dejavu (as .ci/run does)",
)
needs_browser = pytest.mark.skipif(
    not CHROMIUM, reason=f"Chromium not found; install it: {APT} chromium fonts-liberation (as .ci/run does)"
)
PERIOD = "2024-07"
CM = 72 / 2.54  # PDF points in a centimetre
# LibreOffice's locale, set in its private profile: English, where "#,##0" shows 3,158.
LOCALE_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">
<value>en-US</value></prop></item>
</oor:items>
"""


# --- LibreOffice and poppler ---------------------------------------------------------


@pytest.fixture(scope="session")
def to_pdf(tmp_path_factory):
    """Print files to PDF with LibreOffice, in one run, with a private profile (in an
    English locale) so parallel runs never share one. Returns {name: the PDF}."""
    profile = tmp_path_factory.mktemp("soffice-profile")
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(LOCALE_PROFILE, encoding="utf-8")

    def convert(files: dict[str, Path]) -> dict[str, Path]:
        folder = tmp_path_factory.mktemp("pdf")
        sources = []
        for name, path in files.items():  # distinct names: one PDF each
            sources.append(folder / f"{name}{path.suffix}")
            shutil.copyfile(path, sources[-1])
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                *map(str, sources),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        pdfs = {name: folder / f"{name}.pdf" for name in files}
        assert all(pdf.exists() for pdf in pdfs.values()), f"LibreOffice printed {sorted(os.listdir(folder))}"
        return pdfs

    return convert


def page_texts(pdf: Path) -> list[str]:
    """Each page's text, in reading order, words joined by single spaces line by line."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return ["\n".join(" ".join(line.split()) for line in page.splitlines() if line.strip()) for page in pages]


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(text, x0, y0, x1, y1) of every word on `page` (from 1), in PDF points."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(t, float(a), float(b), float(c), float(d)) for a, b, c, d, t in re.findall(pattern, html)]


def joined(words) -> str:
    """Words as they read, line by line: LibreOffice draws some accented letters as pieces
    of a word ("đ", "ị", "a"), which poppler lists apart, with no gap between them."""
    lines = []
    for y in sorted({round(w[2]) for w in words}):
        line = sorted((w for w in words if round(w[2]) == y), key=lambda w: w[1])
        text = line[0][0]
        for before, word in zip(line, line[1:], strict=False):
            text += ("" if word[1] - before[3] < 1 else " ") + word[0]
        lines.append(text)
    return " ".join(lines)


def page_images(pdf: Path) -> list[dict]:
    """The pictures drawn on each page (not their transparency masks)."""
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True).stdout
    images = []
    for line in listing.splitlines()[2:]:
        fields = line.split()
        if fields[2] == "image":
            images.append({"page": int(fields[0]), "size": (int(fields[3]), int(fields[4])), "ppi": fields[12:14]})
    return images


def keep_pictures(pdf: Path, stem: str, pages: list[int] | None = None) -> None:
    """With SCREENSHOTS_DIR set, the PDF's pages as PNG files there (the docs' pictures)."""
    folder = os.environ.get("SCREENSHOTS_DIR")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for page in pages or range(1, page_count(pdf) + 1):
        target = Path(folder) / f"{stem}-{page}"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), target]
        )


def letter_lines() -> list[str]:
    """The appendix's rows as the letter prints them, from the golden appendix.csv."""
    with open(GOLDEN / "appendix-2024-07.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    lines = []
    for row in rows:
        figures = [cell_text(c, float(row[c.key]) if c.kind == "rate" else int(row[c.key])) for c in COLUMNS[2:]]
        lines.append(" ".join([row["stt"], row["commune_name"], *figures]).strip())
    return lines


# --- the bundled samples' July 2024 workbook and Word file, printed -------------------


@pytest.fixture(scope="session")
def published_as_on_10_august(tmp_path_factory):
    """The bundled samples published as on 10/8/2024 09:00 (Vietnam's time), the clock
    of tests/golden/published.sha256: the pictures kept for the docs read as that day."""
    from helpers import copy_samples

    from pipelines.cli import main
    from pipelines.core import clock

    data_dir = copy_samples(tmp_path_factory.mktemp("published-as-on") / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: dt.datetime(2024, 8, 10, 2, 0, 0))
        assert main(["run", "--data-dir", str(data_dir)]) == 0
    return data_dir


@pytest.fixture(scope="session")
def printed(published_as_on_10_august, to_pdf):
    folder = published_as_on_10_august / "published" / PERIOD
    pdfs = to_pdf({"workbook": folder / f"phu-luc-{PERIOD}.xlsx", "word": folder / f"phu-luc-{PERIOD}.docx"})
    keep_pictures(pdfs["workbook"], "phu-luc-xlsx")
    keep_pictures(pdfs["word"], "phu-luc-docx")
    return pdfs


@needs_office
@pytest.mark.e2e
def test_workbook_prints_the_letters_numbers_in_an_english_locale(printed):
    appendix, *_, data = page_texts(printed["workbook"])
    assert appendix.splitlines()[0] == "PHỤ LỤC"
    for line in letter_lines():  # 1 Phước Hưng 3.158 2.583 575 1.731 852 54,81 … Tổng cộng 45.349 … 62,97
        assert line in appendix.splitlines(), line
    assert "(5) = (3) - (4) (6) (7) = (4)-(6) (8)" in appendix
    assert "3,158" not in appendix and "54.81" not in appendix and "62.97" not in appendix
    # Not vacuous: the locale was English. The data sheet's numbers show its marks.
    assert "21961 Phước Hưng 3,158 2,583 575 1,731 852 54.81" in data
    assert "Tổng cộng 45,349 38,106 7,243 28,554 9,552 62.97" in data


@needs_office
@pytest.mark.e2e
def test_workbook_prints_each_sheet_on_one_page_and_each_chart_whole(printed, published_as_on_10_august):
    from PIL import Image

    pdf = printed["workbook"]
    texts = page_texts(pdf)
    # The appendix, the two charts, the data sheet: one page each.
    assert page_count(pdf) == 4
    assert all(line in texts[0].splitlines() for line in letter_lines())
    images = page_images(pdf)
    assert [image["page"] for image in images] == [2, 3], "each chart on a page of its own, never cut"
    folder = published_as_on_10_august / "published" / PERIOD
    charts = [folder / f"xep-hang-{PERIOD}.png", folder / f"bieu-do-ty-le-{PERIOD}.png"]
    for image, chart in zip(images, charts, strict=True):
        assert image["size"] == Image.open(chart).size
        x_ppi, y_ppi = image["ppi"]
        assert x_ppi == y_ppi, "the chart is printed at its own proportions, not stretched"
    assert "Mã đơn vị" in texts[3] and "Tổng cộng" in texts[3]


def _columns_on_page(words, numbering: list[str]) -> tuple[float, list[float]]:
    """The numbering row's baseline and the centre of each of its labels "(1)" … "(8)"
    (a label of several words, "(5) = (3) - (4)", by its first and last word)."""
    first = next(w for w in words if w[0] == "(1)")
    row = sorted((w for w in words if abs(w[2] - first[2]) < 2), key=lambda w: w[1])
    centres, at = [], 0
    for label in numbering:
        parts = label.split()
        span = row[at : at + len(parts)]
        assert [w[0] for w in span] == parts, (label, [w[0] for w in row])
        centres.append((span[0][1] + span[-1][3]) / 2)
        at += len(parts)
    return first[2], centres


@needs_office
@pytest.mark.e2e
def test_word_table_has_the_column_widths_asked_for_and_readable_headers(printed):
    pdf = printed["word"]
    assert page_count(pdf) == 1
    text = page_texts(pdf)[0]
    for line in letter_lines():
        assert line in text.splitlines(), line
    words = page_words(pdf, 1)
    numbering = numbering_row(COLUMNS)
    top_of_numbering, centres = _columns_on_page(words, numbering)
    # The columns are as wide as asked (LibreOffice lays the table out by its grid).
    widths = [c.width_cm * CM for c in COLUMNS]
    left = centres[0] - widths[0] / 2
    edges = [left + sum(widths[:i]) for i in range(len(widths) + 1)]
    for i, centre in enumerate(centres):
        assert abs(centre - (edges[i] + edges[i + 1]) / 2) < 0.15 * CM, (numbering[i], centre, edges)
    # Each header stays inside its column, on at most four lines, the headers centred
    # on the row's height (TT, one line, sits on the middle of the four-line headers).
    attachment = max(w[4] for w in words if w[0].startswith("(Kèm"))
    header_words = [w for w in words if attachment < w[2] < top_of_numbering - 1]
    lines_of = {}
    for i, title in enumerate(headers(PERIOD, COLUMNS)):
        inside = [w for w in header_words if edges[i] <= (w[1] + w[3]) / 2 < edges[i + 1]]
        assert joined(inside) == title
        assert all(edges[i] < w[1] and w[3] < edges[i + 1] for w in inside), title
        lines_of[i] = sorted({round(w[2]) for w in inside})
        assert len(lines_of[i]) <= 4, (title, len(lines_of[i]))
    tallest = max(lines_of.values(), key=len)
    tt = next(w for w in header_words if w[0] == "TT")
    top = min(w[2] for w in header_words)
    bottom = max(w[4] for w in header_words)
    assert len(tallest) >= 3 and abs((tt[2] + tt[4]) / 2 - (top + bottom) / 2) < 3


# --- appendices of other sizes, printed -----------------------------------------------


def synthetic_appendix(units: int, missing: tuple[int, ...] = ()) -> pl.DataFrame:
    from pipelines.publish.appendix import build_appendix

    codes = [f"{90000 + i}" for i in range(units)]
    reference = pl.DataFrame(
        {"unit_code": codes, "unit_name": [f"Xã Phước Thịnh {i + 1}" for i in range(units)]}
    ).with_columns((pl.int_range(pl.len()) + 1).alias("appendix_order"))
    reported = [i for i in range(units) if i not in missing]
    snapshot = pl.DataFrame(
        {
            "unit_code": [codes[i] for i in reported],
            "total_children": [3000 + 7 * i for i in reported],
            "updated": [2500 + 5 * i for i in reported],
            "cleaned": [1500 + 3 * i for i in reported],
        }
    )
    return build_appendix(snapshot, reference)


@pytest.fixture(scope="session")
def printed_sizes(to_pdf, tmp_path_factory):
    """A district of 25 units (two not reported: the note column) and a province of 150,
    as workbooks (no charts) and Word files."""
    from pipelines.publish.appendix_docx import appendix_docx_bytes
    from pipelines.publish.appendix_xlsx import appendix_xlsx_bytes

    folder = tmp_path_factory.mktemp("sizes")
    texts = {"title": "Thống kê dữ liệu trẻ em", "attachment_line": "(Kèm theo Công văn ngày /{month}/{year})"}
    files = {}
    for name, appendix in {"district": synthetic_appendix(25, (4, 17)), "province": synthetic_appendix(150)}.items():
        files[f"{name}-xlsx"] = folder / f"{name}.xlsx"
        files[f"{name}-xlsx"].write_bytes(appendix_xlsx_bytes(appendix, PERIOD, texts, dt.datetime(2024, 8, 1)))
        files[f"{name}-docx"] = folder / f"{name}.docx"
        files[f"{name}-docx"].write_bytes(appendix_docx_bytes(appendix, PERIOD, texts, dt.datetime(2024, 8, 1)))
    return to_pdf(files)


@needs_office
def test_a_districts_appendix_prints_on_one_page_with_its_notes(printed_sizes):
    texts = page_texts(printed_sizes["district-xlsx"])
    assert "Mã đơn vị" not in texts[0] and "Mã đơn vị" in texts[1]  # the appendix: page 1 alone
    lines = texts[0].splitlines()
    assert "1 Xã Phước Thịnh 1 3.000 2.500 500 1.500 1.000 50,00" in lines
    assert "5 Xã Phước Thịnh 5 Chưa báo cáo" in lines
    assert lines[-1].startswith("Tổng cộng ") and "25 Xã Phước Thịnh 25" in texts[0]
    assert "(8)" in texts[0] and "Ghi chú" in texts[0]
    word = page_texts(printed_sizes["district-docx"])
    assert "5 Xã Phước Thịnh 5 Chưa báo cáo" in "\n".join(word).splitlines()
    # With the note column the Word table still fits the page: its nine columns, whole.
    words = page_words(printed_sizes["district-docx"], 1)
    assert max(w[3] for w in words) < 29.7 * CM - 1.4 * CM


@needs_office
def test_a_provinces_appendix_fits_the_width_and_repeats_its_headers(printed_sizes):
    from pipelines.core.columns import COLUMNS

    for name in ("province-xlsx", "province-docx"):
        pages = [t for t in page_texts(printed_sizes[name]) if "Mã đơn vị" not in t]  # the appendix sheet's
        assert len(pages) > 2, name
        assert pages[0].startswith("PHỤ LỤC")
        seen = []
        for text in pages:
            assert "Tên địa phương" in text and "(5) = (3) - (4) (6) (7) = (4)-(6) (8)" in text, name
            seen += [int(m) for m in re.findall(r"^(\d+) Xã Phước Thịnh \1 ", text, re.M)]
        assert seen == list(range(1, 151)), name
        assert re.search(r"^Tổng cộng [\d.]+ ", pages[-1], re.M), name
    assert COLUMNS[-1].number == "(8)"


# --- report.html in Chromium ------------------------------------------------------------


class DevTools:
    """Chromium, headless, driven through the DevTools protocol over a pipe
    (--remote-debugging-pipe: JSON messages ended by NUL on file descriptors 3 and 4)."""

    def __init__(self, binary: str, profile: Path):
        to_browser, self._ours = os.pipe()
        self._theirs, from_browser = os.pipe()

        def descriptors():
            ours = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser, from_browser)]
            os.dup2(ours[0], 3)
            os.dup2(ours[1], 4)

        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            preexec_fn=descriptors,
            pass_fds=(3, 4),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._next, self._buffer, self.session = 0, b"", None

    def send(self, method: str, timeout: float = 60, **params) -> dict:
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._ours, json.dumps(message).encode() + b"\0")
        reply = self.wait(lambda m: m.get("id") == self._next, timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def wait(self, wanted, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return message
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._theirs], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._theirs, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk

    def open(self, url: str, width: int = 1280, height: int = 1000) -> None:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Page.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        self.send("Page.navigate", url=url)
        self.wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == self.session)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def screenshot(self) -> bytes:
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True, clip=clip)
        return base64.b64decode(shot["data"])

    def fonts(self, selector: str) -> list[str]:
        """The fonts the browser draws the first `selector` element's text with."""
        self.send("DOM.enable")
        self.send("CSS.enable")
        root = self.send("DOM.getDocument")["root"]["nodeId"]
        node = self.send("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        return [f["familyName"] for f in self.send("CSS.getPlatformFontsForNode", nodeId=node)["fonts"]]

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._ours)
        os.close(self._theirs)


# Every table of the page as the browser lays it out: its caption (the heading before
# it), headers, and for each cell its text and where the text sits in the cell.
TABLES_JS = """
(() => [...document.querySelectorAll("table")].map(table => {
  let heading = table.previousElementSibling;
  while (heading && !/^H[12]$/.test(heading.tagName)) heading = heading.previousElementSibling;
  const box = el => el.getBoundingClientRect();
  const cell = td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const text = range.getBoundingClientRect(), outer = box(td);
    return {text: td.innerText.trim(), span: td.colSpan,
            left: text.left - outer.left, right: outer.right - text.right,
            lines: new Set([...range.getClientRects()].map(r => Math.round(r.top))).size};
  };
  return {heading: heading ? heading.innerText : "",
          width: box(table).width, right: box(table).right,
          head: [...table.tHead.rows].map(r => [...r.cells].map(c => c.innerText.trim())),
          body: [...table.tBodies[0].rows].map(r => [...r.cells].map(cell))};
}))()
"""
PAGE_JS = """
(() => ({
  text: document.body.innerText,
  width: document.documentElement.scrollWidth,
  viewport: window.innerWidth,
  images: [...document.images].map(i => ({alt: i.alt, loaded: i.complete && i.naturalWidth > 0,
                                         width: i.getBoundingClientRect().width})),
}))()
"""


@pytest.fixture(scope="session")
def report_in_browser(published_as_on_10_august, tmp_path_factory):
    """report.html of July 2024 as Chromium lays it out, and its screenshot."""
    path = published_as_on_10_august / "published" / PERIOD / "report.html"
    browser = DevTools(CHROMIUM, tmp_path_factory.mktemp("chromium-profile"))
    try:
        browser.open(path.as_uri())
        seen = {
            "page": browser.evaluate(PAGE_JS),
            "tables": browser.evaluate(TABLES_JS),
            "fonts": browser.fonts("table tbody td:nth-child(2)"),
            "screenshot": browser.screenshot(),
        }
    finally:
        browser.close()
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:  # the whole page, at two thirds of its size
        from PIL import Image

        Path(folder).mkdir(parents=True, exist_ok=True)
        shot = Image.open(io.BytesIO(seen["screenshot"])).convert("RGB")
        shot = shot.resize((shot.width * 2 // 3, shot.height * 2 // 3), Image.Resampling.LANCZOS)
        shot.quantize(colors=256).save(Path(folder) / "report-html.png", optimize=True)
    return seen


def table(seen: dict, heading: str) -> dict:
    return next(t for t in seen["tables"] if t["heading"] == heading)


@needs_browser
@pytest.mark.e2e
def test_report_shows_the_letters_appendix(report_in_browser):
    appendix = report_in_browser["tables"][0]
    # The letter's headers and its numbering row; no empty "Ghi chú" column.
    assert appendix["head"] == [headers(PERIOD, COLUMNS), numbering_row(COLUMNS)]
    assert "Ghi chú" not in report_in_browser["page"]["text"]
    rows = [[c["text"] for c in row] for row in appendix["body"]]
    assert [" ".join(r) for r in rows] == letter_lines()
    assert appendix["body"][-1][0]["span"] == 2  # "Tổng cộng" across TT and the name
    # Names on one line; the figures right-aligned (their text against the cell's right
    # padding), TT centred.
    for row in appendix["body"][:-1]:
        assert row[1]["lines"] == 1, row[1]["text"]
        for cell in row[2:]:
            assert cell["right"] < 12 and cell["left"] > cell["right"], cell
        assert abs(row[0]["left"] - row[0]["right"]) < 2
    assert report_in_browser["page"]["width"] <= report_in_browser["page"]["viewport"]  # no sideways scrolling


@needs_browser
@pytest.mark.e2e
def test_report_completeness_dates_read_as_the_letter_writes_them(report_in_browser):
    completeness = table(report_in_browser, "Tình hình nộp báo cáo")
    head = completeness["head"][0]
    assert head[:4] == ["TT", "Tên địa phương", "Tình trạng", "Hạn báo cáo"]
    column = {name: [row[i] for row in completeness["body"]] for i, name in enumerate(head)}
    assert {c["text"] for c in column["Hạn báo cáo"]} == {"30/9/2024"}  # the letter's deadline
    # Received at 2:00 UTC on 10 August 2024: 09:00 in Vietnam.
    assert {c["text"] for c in column["Nhận lần đầu"] + column["Nhận lần cuối"]} == {"10/8/2024 09:00"}
    assert {c["text"] for c in column["Tình trạng"]} == {"Đúng hạn"}
    for cell in column["Số lần gửi"]:
        assert cell["text"] == "1" and cell["right"] < 12 and cell["left"] > cell["right"]
    assert "2024-09-30" not in report_in_browser["page"]["text"]
    assert not re.search(r"\d{2}:\d{2}:\d{2}", report_in_browser["page"]["text"])


@needs_browser
@pytest.mark.e2e
def test_report_renders_its_charts_and_vietnamese_text(report_in_browser):
    page = report_in_browser["page"]
    assert [i["alt"] for i in page["images"]] == [
        "Tỷ lệ làm sạch dữ liệu theo địa phương trong kỳ",
        "Tỷ lệ làm sạch dữ liệu qua các kỳ",
    ]
    assert all(i["loaded"] and 600 < i["width"] <= 1100 for i in page["images"])
    assert "28.554/45.349 tổng số trẻ em, chiếm tỷ lệ 63%" in page["text"]
    assert "Tình hình nộp báo cáo" in page["text"] and "Phước Thắng" in page["text"]
    # Drawn in a serif font that has the Vietnamese letters (Times New Roman or its
    # metric twin, Liberation Serif; DejaVu Serif else), with no fallback font.
    assert report_in_browser["fonts"], "no font reported"
    assert set(report_in_browser["fonts"]) <= {"Times New Roman", "Liberation Serif", "DejaVu Serif"}
    from PIL import Image

    shot = Image.open(io.BytesIO(report_in_browser["screenshot"]))
    assert shot.width == 1280 and shot.height > 2000
    assert len(shot.convert("RGB").getcolors(1 << 24)) > 100  # drawn, not blank
