"""What lies in the inbox: inbox/<YYYY-MM>/<files>, the period being the folder's name.

A file outside any period folder (loose in inbox/, or in a folder not named YYYY-MM) is
loose: its period is the one written in it (see `period_text`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.core.period_text import PeriodVerdict, resolve_period
from pipelines.core.periods import is_period
from pipelines.core.text import readable_name
from pipelines.ingest.readers import UnreadableFile, read_table
from pipelines.ingest.submissions import stated_periods, too_large

# Editor lock files and system litter are not submissions.
IGNORED_PREFIXES = (".", "~$")
IGNORED_NAMES = {"thumbs.db", "desktop.ini"}


def is_submission_name(name: str) -> bool:
    return not name.startswith(IGNORED_PREFIXES) and name.lower() not in IGNORED_NAMES


def period_folders(inbox: Path) -> list[str]:
    """The period folders present in the inbox, oldest first (a link to a folder is none)."""
    try:
        entries = list(os.scandir(inbox))
    except OSError:
        return []
    return sorted(e.name for e in entries if is_period(e.name) and e.is_dir(follow_symlinks=False))


@dataclass
class Listing:
    """What a walk of the inbox found: the submissions (regular files, not links) and the
    entries it refused, each with its rejection code (REFUSED_PATH, UNREADABLE_PATH)."""

    files: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def walk(folder: str, listing: Listing | None = None) -> Listing:
    """Every entry under `folder`, without following a link: a regular file is a
    submission; a link, a device or a pipe is refused (nothing of its target is read); a
    folder that cannot be listed is reported, and tried again next run. Iterative, so no
    depth of nested folders can stop it."""
    listing = listing if listing is not None else Listing()
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    elif not is_submission_name(entry.name):
                        continue
                    elif entry.is_file(follow_symlinks=False):
                        listing.files.append(entry.path)
                    else:  # a link (to a file or a folder), a device, a pipe
                        listing.refused.append((entry.path, "REFUSED_PATH"))
        except OSError:
            listing.refused.append((current, "UNREADABLE_PATH"))
    return listing


def _sorted(paths: list[str]) -> list[Path]:
    """Sorted part by part, as Path sorts."""
    return [Path(path) for path in sorted(paths, key=lambda path: path.split(os.sep))]


def period_listing(inbox: Path, period: str) -> Listing:
    """The submissions under inbox/<period>/ (subfolders included, in name order) and what was refused."""
    folder = inbox / period
    if os.path.islink(folder) or not folder.is_dir():
        return Listing(refused=[(os.fspath(folder), "REFUSED_PATH")] if os.path.islink(folder) else [])
    listing = walk(os.fspath(folder))
    listing.files = _sorted(listing.files)
    return listing


def files_for_period(inbox: Path, period: str) -> list[Path]:
    """Every submission under inbox/<period>/ (subfolders included), in name order."""
    return period_listing(inbox, period).files


def loose_listing(inbox: Path) -> Listing:
    """The submissions under inbox/ outside any period folder, in name order, and what was refused."""
    listing = Listing()
    try:
        entries = list(os.scandir(inbox))
    except OSError:
        return listing
    for entry in entries:  # period folders are not walked: they hold no loose file
        if entry.is_dir(follow_symlinks=False):
            if not is_period(entry.name):
                walk(entry.path, listing)
        elif not is_submission_name(entry.name) or (entry.is_symlink() and is_period(entry.name)):
            continue  # litter; a linked period folder is refused by its period's run
        elif entry.is_file(follow_symlinks=False):
            listing.files.append(entry.path)
        else:  # a link, a device, a pipe
            listing.refused.append((entry.path, "REFUSED_PATH"))
    listing.files = _sorted(listing.files)
    return listing


def loose_files(inbox: Path) -> list[Path]:
    """Every submission under inbox/ that is not inside a period folder, in name order."""
    return loose_listing(inbox).files


def inbox_relpaths(inbox: Path, paths: list[Path]) -> list[str]:
    """Each of `paths` (under `inbox`) as raw.inbox_hashes names it: "YYYY-MM/name.xlsx".

    Cut from the path's text when it starts with the inbox's (as the listings above give
    them): `Path.relative_to` is slow when a country's run calls it for every file.
    """
    prefix = os.path.join(os.fspath(inbox), "")
    return [
        readable_name(
            text[len(prefix) :].replace(os.sep, "/")
            if (text := os.fspath(path)).startswith(prefix)
            else path.relative_to(inbox).as_posix()
        )
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
