"""What lies in the inbox: inbox/<YYYY-MM>/<files>, the period being the folder's name."""

from __future__ import annotations

from pathlib import Path

from pipelines.periods import is_period

# Editor lock files and system litter are not submissions.
IGNORED_PREFIXES = (".", "~$")


def is_submission(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(IGNORED_PREFIXES)


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
    return sorted(p for p in folder.rglob("*") if is_submission(p))
