"""Reload contact files while the bot runs, without ever serving a broken edit."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.contacts.book import ContactBook
from bot.contacts.loader import SUFFIXES, load_paths
from bot.contacts.problems import ContactsError

logger = logging.getLogger(__name__)

OnError = Callable[[ContactsError], Awaitable[None] | None]
Snapshot = tuple[tuple[str, int, int], ...]


class ContactsWatcher:
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
        self.path = path
        self.interval = interval
        self._on_error = on_error
        self._book = book
        # What the current book (or last attempt) read.
        self._loaded: Snapshot | None = self._snapshot() if book is not None else None
        self._pending: Snapshot | None = None  # a change seen at the last poll
        self._reported: tuple[str, ...] | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def book(self) -> ContactBook:
        if self._book is None:
            raise RuntimeError("ContactsWatcher.start() has not loaded the contacts yet")
        return self._book

    async def start(self) -> None:
        """Load the files and start polling. Raises ContactsError if they cannot be loaded,
        since there is then no good book to serve."""
        if self._book is None:
            snapshot = self._snapshot()
            result = await asyncio.to_thread(load_paths, [self.path])
            self._loaded = snapshot
            if result.book is None:
                raise ContactsError(result.problems)
            self._book = result.book
            logger.info("Contacts loaded: %d entries from %s", len(result.book), self.path)
        if self._task is None:
            self._task = asyncio.create_task(self._poll(), name="contacts-watcher")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def reload_now(self) -> bool:
        """Load the files now, changed or not. True if a new book is now served."""
        return await self._reload(self._snapshot())

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self._check_once()
            except Exception:  # a watcher that dies silently would freeze the contacts
                logger.exception("Contacts watcher failed to check %s", self.path)

    async def _check_once(self) -> None:
        snapshot = self._snapshot()
        if snapshot == self._loaded:
            self._pending = None
        elif snapshot != self._pending:
            self._pending = snapshot  # still changing, or just changed: wait one interval
        else:
            self._pending = None
            await self._reload(snapshot)

    async def _reload(self, snapshot: Snapshot) -> bool:
        result = await asyncio.to_thread(load_paths, [self.path])
        self._loaded = snapshot
        if result.book is not None:
            self._book = result.book
            self._reported = None
            logger.info("Contacts reloaded: %d entries from %s", len(result.book), self.path)
            return True
        for problem in result.problems:
            logger.warning("Contacts not reloaded, still serving the last good ones: %s", problem)
        key = tuple(str(problem) for problem in result.problems)
        if key != self._reported:
            self._reported = key
            await self._notify(ContactsError(result.problems))
        return False

    async def _notify(self, error: ContactsError) -> None:
        try:
            outcome = self._on_error(error)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:
            logger.exception("The on_error callback of the contacts watcher failed")

    def _snapshot(self) -> Snapshot:
        paths = [self.path]
        if self.path.is_dir():
            paths = sorted(p for p in self.path.iterdir() if p.suffix in SUFFIXES)
        entries = []
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                continue  # deleted between listing and stat: the next poll sees it gone
            entries.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(entries)
