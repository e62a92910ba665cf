"""What lies in the inbox: inbox/<YYYY-MM>/<files>, the period being the folder's name.

A file outside any period folder (loose in inbox/, or in a folder not named YYYY-MM) is
loose: its period is the one written in it (see `period_text`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from pipelines.core.period_text import PeriodVerdict, resolve_period
from pipelines.core.periods import is_period
from pipelines.ingest.readers import UnreadableFile, read_table
from pipelines.ingest.submissions import stated_periods, too_large

# Editor lock files and system litter are not submissions.
IGNORED_PREFIXES = (".", "~$")
IGNORED_NAMES = {"thumbs.db", "desktop.ini"}


def is_submission(path: Path) -> bool:
    return path.is_file() and is_submission_name(path.name)


def is_submission_name(name: str) -> bool:
    return not name.startswith(IGNORED_PREFIXES) and name.lower() not in IGNORED_NAMES


def period_folders(inbox: Path) -> list[str]:
    """The period folders present in the inbox, oldest first."""
    if not inbox.is_dir():
        return []
    return sorted(p.name for p in inbox.iterdir() if p.is_dir() and is_period(p.name))


def files_for_period(inbox: Path, period: str) -> list[Path]:
    """Every submission under inbox/<period>/ (subfolders included), in name order."""
    folder = inbox / period
    if not folder.is_dir():
        return []
    # Walked with os.scandir, whose entries know whether they are files without a stat
    # each, and sorted part by part as Path sorts: half the time of rglob at 10,000 files.
    found = submissions_under(os.fspath(folder))
    return [Path(path) for path in sorted(found, key=lambda path: path.split(os.sep))]


def submissions_under(folder: str) -> list[str]:
    """The submissions under `folder`, walked as `Path.rglob` walks: every subfolder but
    those reached through a symbolic link; a folder that cannot be listed is skipped."""
    found = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir() and not entry.is_symlink():
                    found.extend(submissions_under(entry.path))
                elif entry.is_file() and is_submission_name(entry.name):
                    found.append(entry.path)
    except PermissionError:
        pass
    return found


def inbox_relpaths(inbox: Path, paths: list[Path]) -> list[str]:
    """Each of `paths` (under `inbox`) as raw.inbox_hashes names it: "YYYY-MM/name.xlsx".

    Cut from the path's text when it starts with the inbox's (as the listings above give
    them): `Path.relative_to` is slow when a country's run calls it for every file.
    """
    prefix = os.path.join(os.fspath(inbox), "")
    return [
        text[len(prefix) :].replace(os.sep, "/")
        if (text := os.fspath(path)).startswith(prefix)
        else path.relative_to(inbox).as_posix()
        for path in paths
    ]


def file_period(path: Path, bounds: tuple[str, str]) -> PeriodVerdict:
    """The period a loose file states, read from disk (a file too large states none)."""
    size = path.stat().st_size
    if too_large(size) is not None:
        return PeriodVerdict(None, "FILE_TOO_LARGE")
    try:
        sheets = read_table(path.read_bytes(), path.suffix)
    except UnreadableFile as exc:
        return PeriodVerdict(None, exc.code)
    return resolve_period(stated_periods(sheets), None, *bounds)


def loose_files(inbox: Path) -> list[Path]:
    """Every submission under inbox/ that is not inside a period folder, in name order."""
    if not inbox.is_dir():
        return []
    found = []
    for entry in inbox.iterdir():  # period folders are not walked: they hold no loose file
        if entry.is_dir() and not entry.is_symlink():
            if not is_period(entry.name):
                found.extend(Path(path) for path in submissions_under(os.fspath(entry)))
        elif is_submission(entry):
            found.append(entry)
    return sorted(found)


def loose_file_period(path: Path, bounds: tuple[str, str]) -> str:
    """The period whose run takes a loose file: the one written in it, else the current one
    (`bounds[1]`), whose run archives the file and records why its period is unknown."""
    return file_period(path, bounds).period or bounds[1]


def inbox_periods(
    inbox: Path, bounds: tuple[str, str], registered: Callable[[list[Path]], dict[Path, str]] | None = None
) -> list[str]:
    """The periods the inbox holds files for: its period folders and the periods of its
    loose files (`loose_file_period`), oldest first. A loose file alone in the inbox that
    names no period still gets a run, so it is archived and its rejection reported.
    `registered` gives the period of loose files the warehouse already holds unchanged,
    which are then not read again."""
    periods = set(period_folders(inbox))
    loose = loose_files(inbox)
    known = registered(loose) if registered is not None and loose else {}
    for path in loose:
        periods.add(known.get(path) or loose_file_period(path, bounds))
    return sorted(periods)
