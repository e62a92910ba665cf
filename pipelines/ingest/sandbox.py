"""Reading a workbook where a reader's crash costs one file, not the run.

python-calamine (Rust) can panic or abort its whole process on a damaged workbook, and a
workbook inside every size limit can still balloon in memory (every cell pointing at one
long shared string). Workbooks are therefore read in a child process that imports only
the reader, with its address space capped (MEMORY_LIMIT) and a time limit per file
(TIME_LIMIT). The child is started on first use, serves the process's files one after
another, and is started afresh after it dies: the file that killed it, ran out of time or
memory, or read to more text than any submission holds gets `UnreadableFile`.

Run as `python -m pipelines.ingest.sandbox`, it is that child: it reads one request after
another from stdin (a length, then the workbook's bytes) and answers on stdout (a length,
then a `marshal`led reply: plain lists and strings, nothing that runs code when loaded).
"""

from __future__ import annotations

import atexit
import datetime as dt
import marshal
import os
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from pipelines.core.text import nfc
from pipelines.ingest.file_guards import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, UnreadableFile

MEMORY_LIMIT = 1 << 30  # the child's address space, far above a real workbook's needs
TIME_LIMIT = 120.0  # seconds for one file: generous on a loaded 2-core machine
MAX_TEXT = 20_000_000  # characters of all cells together; a submission holds a few thousand
_HEADER = struct.Struct("<Q")

Sheet = tuple[str, list[list[str | None]], bool]  # name, rows of text cells, visible


def render_cell(value: object) -> str | None:
    """A typed spreadsheet cell as text, with numbers written unambiguously."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value).replace(".", ",")
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    text = nfc(str(value)).strip()
    return text or None


def _read(data: bytes) -> list[Sheet]:
    """The workbook's sheets (in the child): raises UnreadableFile."""
    import io

    import python_calamine

    def unreadable(exc: BaseException) -> UnreadableFile:
        if isinstance(exc, python_calamine.PasswordError) or "password" in str(exc).lower():
            return UnreadableFile("ENCRYPTED_WORKBOOK", str(exc))
        return UnreadableFile("NOT_A_SPREADSHEET", str(exc))

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # calamine raises several types, a Rust panic among them
        raise unreadable(exc) from None
    sheets, text = [], 0
    for index, meta in enumerate(workbook.sheets_metadata):
        try:
            cells = workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
        except BaseException as exc:
            raise unreadable(exc) from None
        # The extent as read, whatever the file declared (cells may omit their references).
        width = max((len(row) for row in cells), default=0)
        if len(cells) > MAX_ROWS or width > MAX_COLUMNS or len(cells) * width > MAX_CELLS:
            raise UnreadableFile("FILE_TOO_LARGE", f"bảng tính {len(cells):,} dòng × {width:,} cột".replace(",", "."))
        rows = [[render_cell(v) for v in row] for row in cells]
        text += sum(len(c) for row in rows for c in row if c)
        if text > MAX_TEXT:
            raise UnreadableFile("FILE_TOO_LARGE", f"hơn {MAX_TEXT:,} ký tự".replace(",", "."))
        visible = meta.visible == python_calamine.SheetVisibleEnum.Visible
        sheets.append((nfc(meta.name), rows, visible))
    return sheets


def _serve() -> None:
    """The child: cap memory, then answer requests until stdin closes."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while header := source.read(_HEADER.size):
        data = source.read(_HEADER.unpack(header)[0])
        try:
            reply = ("ok", _read(data))
        except UnreadableFile as exc:
            reply = ("unreadable", exc.code, exc.detail)
        except MemoryError:
            reply = ("unreadable", "FILE_TOO_LARGE", "cần quá nhiều bộ nhớ để đọc")
        body = marshal.dumps(reply)
        sink.write(_HEADER.pack(len(body)) + body)
        sink.flush()


class _Child:
    """The reader process of this process (one at a time)."""

    process: subprocess.Popen | None = None

    @classmethod
    def get(cls) -> subprocess.Popen:
        if cls.process is None or cls.process.poll() is not None:
            cls.process = subprocess.Popen(
                [sys.executable, "-m", "pipelines.ingest.sandbox"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
            )
            atexit.register(cls.stop)
        return cls.process

    @classmethod
    def stop(cls) -> None:
        if cls.process is not None:
            cls.process.kill()
            cls.process.wait()
            cls.process = None


def _receive(process: subprocess.Popen, size: int, deadline: float) -> bytes:
    """`size` bytes from the child, or raise TimeoutError / EOFError."""
    chunks, fd = [], process.stdout.fileno()
    while size:
        if not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
            raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


_PREFETCHED: dict[int, list[Sheet] | UnreadableFile] = {}


@contextmanager
def prefetched(datas: list[bytes]) -> Iterator[None]:
    """Within the block, `read_workbook` answers these workbooks from one stream of reads:
    a thread writes them to the child while their replies are read, so a run's thousands
    of small workbooks do not each wait for a round trip. A file that kills the child, or
    runs out of time, gets its rejection; the child is started afresh for the rest."""
    pending, results = list(datas), []
    while pending:
        process = _Child.get()
        writer = threading.Thread(target=_write_all, args=(process, pending), daemon=True)
        writer.start()
        for _ in pending:
            try:
                results.append(_reply(process))
            except UnreadableFile as exc:
                results.append(exc)
                if process.poll() is not None or exc.code == "READ_TIMEOUT":
                    break  # the child is gone: the rest go to a new one
        writer.join()
        pending = datas[len(results) :]
    _PREFETCHED.update({id(data): result for data, result in zip(datas, results, strict=True)})
    try:
        yield
    finally:
        for data in datas:
            _PREFETCHED.pop(id(data), None)


def _write_all(process: subprocess.Popen, datas: list[bytes]) -> None:
    try:
        for data in datas:
            process.stdin.write(_HEADER.pack(len(data)) + data)
        process.stdin.flush()
    except (OSError, ValueError):  # the child died: the reader side says which file
        pass


def _reply(process: subprocess.Popen) -> list[Sheet]:
    """The next reply of the child, or UnreadableFile (its own, or the child's death)."""
    deadline = time.monotonic() + TIME_LIMIT
    try:
        size = _HEADER.unpack(_receive(process, _HEADER.size, deadline))[0]
        reply = marshal.loads(_receive(process, size, deadline))
    except TimeoutError:
        _Child.stop()
        raise UnreadableFile("READ_TIMEOUT", f"quá {TIME_LIMIT:.0f} giây") from None
    except (EOFError, OSError, ValueError):  # the reader died on this file (a panic, an abort, out of memory)
        _Child.stop()
        raise UnreadableFile("NOT_A_SPREADSHEET", "trình đọc bảng tính dừng đột ngột") from None
    if reply[0] == "ok":
        return reply[1]
    raise UnreadableFile(reply[1], reply[2])


def read_workbook(data: bytes) -> list[Sheet]:
    """The sheets of an .xlsx or .xls, read in the child; raises UnreadableFile."""
    known = _PREFETCHED.get(id(data))
    if known is not None:
        if isinstance(known, UnreadableFile):
            raise known
        return known
    process = _Child.get()
    try:
        process.stdin.write(_HEADER.pack(len(data)) + data)
        process.stdin.flush()
    except (OSError, ValueError):
        _Child.stop()
        raise UnreadableFile("NOT_A_SPREADSHEET", "trình đọc bảng tính dừng đột ngột") from None
    return _reply(process)


if __name__ == "__main__":
    _serve()
