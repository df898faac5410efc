"""The production bot wired to an in-process emulated Telegram (bot/emulator.py).

Used by the offline terminal chat and by the flow tests: the dispatcher is built by the same
factory as on Telegram; only the transport differs.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram import Bot, Dispatcher
from pydantic import SecretStr
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from bot.app import create_bot, create_dispatcher
from bot.config import Settings
from bot.db.models import OutboxMessage, utcnow
from bot.emulator import DEFAULT_TOKEN, EmulatorSession, TelegramEmulator
from bot.outbox import PENDING


class OfflineBot:
    def __init__(self, settings: Settings, emulator: TelegramEmulator | None = None) -> None:
        self.settings = settings
        self.emulator = emulator or TelegramEmulator(DEFAULT_TOKEN)
        self.dp: Dispatcher | None = None
        self.bot: Bot | None = None

    async def start(self) -> None:
        """Build the dispatcher and run its startup (migrations, command menu)."""
        # The token the emulator answers to; the real one, if any, is never used offline.
        settings = self.settings.model_copy(
            update={"bot_token": SecretStr(self.emulator.token), "telegram_api_base": None}
        )
        self.dp = create_dispatcher(settings, clock=self.emulator.now)
        self.bot = create_bot(settings, session=EmulatorSession(self.emulator))
        await self.dp.emit_startup(bot=self.bot, **self.dp.workflow_data)

    async def stop(self) -> None:
        if self.dp is not None and self.bot is not None:
            await self.dp.emit_shutdown(bot=self.bot, **self.dp.workflow_data)
            await self.bot.session.close()
        self.dp = None
        self.bot = None

    async def flush_outbox(self) -> int:
        """Send what the outbox holds now (tests do not wait for the worker's next look)."""
        assert self.dp is not None
        worker = self.dp["resources"].worker
        return await worker.run_once() if worker is not None else 0

    async def drain(self, seconds: float = 10.0, *, retries: bool = False) -> None:
        """Wait until the outbox has nothing left that is due now (sent by this call or by the
        worker running beside it), e.g. before looking at what operators or a person got.
        With `retries`, also wait for messages waiting to be tried again (after a 429 or a
        5xx), up to `seconds`."""
        assert self.dp is not None
        resources = self.dp["resources"]
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            await self.flush_outbox()
            async with resources.sessions() as session:
                pending = OutboxMessage.status == PENDING
                if retries:
                    due = await session.scalar(select(func.count()).where(pending))
                else:
                    # Due now, and not held back by an older message of its chat that waits
                    # for a retry (that one is not due, so neither is the chat).
                    earlier = aliased(OutboxMessage)
                    held = exists().where(
                        earlier.chat_key == OutboxMessage.chat_key,
                        earlier.status == PENDING,
                        earlier.id < OutboxMessage.id,
                        earlier.next_attempt_at > utcnow(),
                    )
                    due = await session.scalar(
                        select(func.count()).where(
                            pending, OutboxMessage.next_attempt_at <= utcnow(), ~held
                        )
                    )
            if not due:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{due} outbox messages still due after {seconds} s")
            await asyncio.sleep(0.02)

    async def restart(self) -> None:
        """As after a crash or a deployment: nothing kept in memory survives, the data does."""
        await self.stop()
        await self.start()

    async def deliver(self, update: dict[str, Any]) -> None:
        """Hand one update (as the emulator produced it) to the dispatcher and wait for it."""
        if self.dp is None or self.bot is None:
            raise RuntimeError("the offline bot is not started")
        # The update goes straight to the dispatcher, so take it off the polling queue.
        self.emulator.drop_updates_before(update["update_id"] + 1)
        await self.dp.feed_raw_update(self.bot, update)

    async def __aenter__(self) -> OfflineBot:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()
