"""Reload contact files while the bot runs, without ever serving a broken edit (the polling and
refusing are bot/reloading.py's, as for every file NGO staff edit)."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.contacts.book import ContactBook
from bot.contacts.loader import load_paths
from bot.contacts.problems import ContactsError
from bot.reloading import FilesWatcher

logger = logging.getLogger(__name__)

OnError = Callable[[ContactsError], Awaitable[None] | None]


def _load_book(path: Path) -> ContactBook:
    result = load_paths([path])
    if result.book is None:
        raise ContactsError(result.problems)
    return result.book


class ContactsWatcher(FilesWatcher):
    """Holds the current good ContactBook and reloads it when the files change.

    It polls names, modification times and sizes every `interval` seconds (works on every
    system and needs no extra dependency). A change is loaded once the files have stopped
    changing for one interval, so a file being saved is not read half-written; if one is read
    anyway, it fails to parse and is treated like any other broken edit: the last good book
    stays in service, the problems are logged, and `on_error` is called once for each distinct
    set of problems (not at every poll). Fixing the files loads them at the next poll.
    """

    def __init__(
        self,
        path: Path,
        on_error: OnError,
        interval: float = 2.0,
        book: ContactBook | None = None,
    ) -> None:
        """`book`: the contacts already loaded from `path` at start-up, so `start()` does not
        read the files a second time."""
        self._book = book
        self._contacts_on_error = on_error
        super().__init__(path, self, _load_book, self._report, interval, loaded=book is not None)

    @property
    def book(self) -> ContactBook:
        if self._book is None:
            raise RuntimeError("ContactsWatcher.start() has not loaded the contacts yet")
        return self._book

    def replace_with(self, other: Any) -> None:
        self._book = other

    async def start(self) -> None:
        """Load the files and start polling. Raises ContactsError if they cannot be loaded,
        since there is then no good book to serve."""
        if self._book is None:
            self.snapshot_now()
            self._book = await asyncio.to_thread(_load_book, self.path)
            logger.info("Contacts loaded: %d entries from %s", len(self._book), self.path)
        await super().start()

    async def _report(self, _path: Path, problems: list[Any]) -> None:
        try:
            outcome = self._contacts_on_error(ContactsError(problems))
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:
            logger.exception("The on_error callback of the contacts watcher failed")
