"""Start-up calls to Telegram that must never kill the service.

Checking the operators' group, setting the command menu and registering the webhook are
worth doing, but a Telegram that fails for a moment, or an answer the library cannot read,
must cost a warning and another try, not the service: while the bot is down nobody gets the
crisis numbers. These calls therefore run in the background, each until it has worked, and
the bot starts serving at once.

A refusal that another try cannot change (a wrong chat id, a bot not in the group) is not
retried: the caller reports it as something an admin must fix.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)

logger = logging.getLogger(__name__)

DELAYS: tuple[float, ...] = (1, 2, 5, 10, 30, 60)
"""Seconds between tries; the last one repeats for as long as it takes."""

FINAL = (TelegramBadRequest, TelegramForbiddenError, TelegramNotFound, TelegramUnauthorizedError)
"""Answers that another try cannot change."""


async def keep_trying(
    what: str,
    call: Callable[[], Awaitable[object]],
    *,
    delays: Sequence[float] = DELAYS,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> bool:
    """Run `call` until it works; True then, False if Telegram refused it for good.

    `what` completes "Start-up: could not …" in the log. The error is logged by its kind and
    message, which never hold a person's data at start-up."""
    attempt = 0
    while True:
        try:
            await call()
        except FINAL as error:
            logger.warning("Start-up: could not %s: %s. Not trying again.", what, error.message)
            return False
        except (AiogramError, OSError, TimeoutError) as error:
            delay = delays[min(attempt, len(delays) - 1)]
            if isinstance(error, TelegramRetryAfter):
                delay = max(delay, float(error.retry_after))
            attempt += 1
            logger.warning(
                "Start-up: could not %s (%s: %s); trying again in %.0f s (attempt %d)",
                what,
                type(error).__name__,
                _short(error),
                delay,
                attempt,
            )
            await sleep(delay)
            continue
        if attempt:
            tries = "1 failed attempt" if attempt == 1 else f"{attempt} failed attempts"
            logger.info("Start-up: %s worked after %s", what, tries)
        return True


class StartupCalls:
    """The background start-up calls of one running bot, stopped with it."""

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[bool]] = []

    def start(self, what: str, call: Callable[[], Awaitable[object]]) -> asyncio.Task[bool]:
        task = asyncio.create_task(keep_trying(what, call), name=f"startup: {what}")
        self._tasks.append(task)
        return task

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()


def _short(error: BaseException) -> str:
    text = getattr(error, "message", None) or str(error) or type(error).__name__
    return text if len(text) <= 200 else text[:200] + "…"
