"""Reload the files NGO staff edit (contacts, self-help texts, danger words, regions) while the
bot runs, never serving a broken edit.

A change is loaded once the files have stopped changing for one interval (a file being saved
is not read half-written). A good edit replaces what the bot serves in place: the object the
handlers hold gets the new content (`replace_with`), so nothing needs to be looked up again. A
broken edit is refused, the last good version stays, the problems are logged, and `on_error`
hears about each distinct set of problems once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

logger = logging.getLogger(__name__)

SUFFIXES = (".yaml", ".yml")
Snapshot = tuple[tuple[str, int, int], ...]


class Replaceable(Protocol):
    def replace_with(self, other: Any) -> None: ...


OnError = Callable[[Path, list[Any]], Awaitable[None]]
"""Told the path and the problems (the loader's own objects; `str()` of each says file:line)."""


class FilesWatcher:
    """Polls `path` (a folder of YAML files, or one file) every `interval` seconds; on a
    finished change, `load(path)` (which raises an error with `.problems` when the files are
    wrong) and `current.replace_with(new)`."""

    def __init__(
        self,
        path: Path,
        current: Replaceable,
        load: Callable[[Path], Any],
        on_error: OnError,
        interval: float = 2.0,
        *,
        loaded: bool = True,
        suffixes: tuple[str, ...] = SUFFIXES,
    ) -> None:
        """`loaded`: `current` was read from the files just now (at start-up), so a change is
        whatever differs from them; else the first look loads them."""
        self.path = path
        self.suffixes = suffixes
        self.current = current
        self.interval = interval
        self._load = load
        self._on_error = on_error
        self._loaded: Snapshot | None = self._snapshot() if loaded else None
        self._pending: Snapshot | None = None
        self._reported: tuple[str, ...] | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._poll(), name=f"watch-{self.path.name}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def reload_now(self) -> bool:
        """Load the files now, changed or not. True if the new content is now served."""
        return await self._reload(self._snapshot())

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check_once()
            except Exception:  # a watcher that dies silently would freeze the content
                logger.exception("Watcher of %s failed", self.path)

    async def check_once(self) -> None:
        snapshot = self._snapshot()
        if snapshot == self._loaded:
            self._pending = None
        elif snapshot != self._pending:
            self._pending = snapshot  # still changing, or just changed: wait one interval
        else:
            self._pending = None
            await self._reload(snapshot)

    async def _reload(self, snapshot: Snapshot) -> bool:
        self._loaded = snapshot
        try:
            fresh = await asyncio.to_thread(self._load, self.path)
        except Exception as error:
            problems = list(getattr(error, "problems", None) or [error])
            for problem in problems:
                logger.warning(
                    "%s not reloaded, still serving the last good: %s", self.path, problem
                )
            key = tuple(str(problem) for problem in problems)
            if key != self._reported:
                self._reported = key
                try:
                    await self._on_error(self.path, problems)
                except Exception:
                    logger.exception("The on_error callback for %s failed", self.path)
            return False
        self.current.replace_with(fresh)
        self._reported = None
        logger.info("Reloaded %s", self.path)
        return True

    def snapshot_now(self) -> None:
        """Take the files as they are now as the loaded ones (after loading them elsewhere)."""
        self._loaded = self._snapshot()

    def _snapshot(self) -> Snapshot:
        if self.path.is_dir():
            paths = sorted(p for p in self.path.rglob("*") if p.suffix in self.suffixes)
        else:
            paths = [self.path]
        entries = []
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                continue  # deleted between listing and stat: the next poll sees it gone
            entries.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(entries)
