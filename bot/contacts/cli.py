"""`python -m bot resources check [PATH...]` and `python -m bot resources stale`."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from bot.contacts.book import stale_entries
from bot.contacts.loader import load_paths
from bot.contacts.schema import SCHEMA_PATH

DEFAULT_DIRECTORY = SCHEMA_PATH.parent
"""resources/contacts in the repository."""

_AGE = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$", re.IGNORECASE)
_DAYS_PER_UNIT = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_age(text: str) -> timedelta:
    """180d, 26w, 6m (a month counts as 30 days) or 1y (365 days)."""
    match = _AGE.match(text)
    if not match:
        raise ValueError(
            f"cannot read {text!r}: write a number and a unit, like 180d (days), "
            "26w (weeks), 6m (months) or 1y (years)"
        )
    return timedelta(days=int(match.group(1)) * _DAYS_PER_UNIT[match.group(2).lower()])


def _targets(paths: Sequence[str]) -> list[Path]:
    return [Path(path) for path in paths] or [DEFAULT_DIRECTORY]


def main_check(paths: list[str], *, today: date | None = None) -> int:
    """Print every problem; 0 only when all files are fine."""
    result = load_paths(_targets(paths), today)
    if result.book is None:
        for problem in result.problems:
            print(problem)
        broken = len({problem.file for problem in result.problems})
        count = len(result.problems)
        print(
            f"\n{count} problem{'s' if count != 1 else ''} in {broken} "
            f"file{'s' if broken != 1 else ''}. Nothing was loaded; fix "
            f"{'them' if count != 1 else 'it'} and run the check again."
        )
        return 1
    files = len(result.files)
    entries = len(result.book)
    if files == 1:
        print(f"The file is fine: {entries} entries.")
    else:
        print(f"All {files} files are fine: {entries} entries.")
    return 0


def main_stale(older_than: str, paths: Sequence[str] = (), *, today: date | None = None) -> int:
    """List entries last checked longer ago than `older_than`.

    Exit code: 0 none is stale, 1 some are (so a scheduled job can alert), 2 the age cannot
    be read or the files have problems (run the check)."""
    try:
        age = parse_age(older_than)
    except ValueError as exc:
        print(f"--older-than: {exc}", file=sys.stderr)
        return 2
    today = today or date.today()
    result = load_paths(_targets(paths), today)
    if result.book is None:
        for problem in result.problems:
            print(problem)
        print("\nThe files have problems; fix them first (python -m bot resources check).")
        return 2
    stale = stale_entries(result.book, age, today)
    for entry, file, line in stale:
        days = (today - entry.checked).days
        print(
            f"{file}:{line}: {entry.id} ({entry.name.en}) last checked "
            f"{entry.checked.isoformat()}, {days} days ago"
        )
    if not stale:
        print(
            f"No entry was last checked more than {age.days} days ago "
            f"({len(result.book)} entries)."
        )
        return 0
    print(
        f"\n{len(stale)} of {len(result.book)} entries were last checked more than "
        f"{age.days} days ago: check them against their sources (or call), then update "
        "`checked`."
    )
    return 1
