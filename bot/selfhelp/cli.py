"""`python -m bot.selfhelp check [PATH...]`: the same report as the contacts check."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.selfhelp.loader import load_paths
from bot.selfhelp.schema import SCHEMA_PATH

DEFAULT_DIRECTORY = SCHEMA_PATH.parent
"""resources/selfhelp in the repository."""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def main_check(paths: Sequence[str] = ()) -> int:
    """Print every problem; 0 only when all files are fine."""
    result = load_paths([Path(path) for path in paths] or [DEFAULT_DIRECTORY])
    if result.selfhelp is None:
        for problem in result.problems:
            print(problem)
        count = len(result.problems)
        broken = len({problem.file for problem in result.problems})
        print(
            f"\n{_plural(count, 'problem')} in {_plural(broken, 'file')}. Nothing was loaded; "
            f"fix {'them' if count != 1 else 'it'} and run the check again."
        )
        return 1
    content = result.selfhelp
    files = len(result.files)
    print(
        f"{'All ' + str(files) + ' files are' if files != 1 else 'The file is'} fine: "
        f"{_plural(len(content.feelings()), 'feeling')}, "
        f"{_plural(len(content.exercises()), 'exercise')}, "
        f"{_plural(len(content.topics()), 'topic')}, "
        f"{_plural(content.screen_count(), 'screen')} in six languages."
    )
    return 0
