"""One database session per update, and who the update is from, as a pseudonym."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import current_session
from bot.db.models import ProcessedUpdate, utcnow
from bot.db.repositories import SafetyPlanRepository, UserRepository
from bot.security import Cipher, Pseudonymizer
from bot.services.people import PeopleService, Person
from bot.services.safety_plan import SafetyPlanService

logger = logging.getLogger(__name__)

RETRIES = 4
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DatabaseMiddleware(BaseMiddleware):
    """Opens the update's transaction and puts into the handler data:

    * `session`: the update's session, for services that take one;
    * `people`: PeopleService on this session; `safety_plans`: SafetyPlanService;
    * `pseudonym`: the keyed pseudonym of the sender (handlers never need the raw id);
    * `person`: what the service knows of them (None for a newcomer);
    * `person_language`: their saved language, read by PersonLocaleMiddleware.

    A known person's `seen_at` is brought to today (at most one write a day), for retention.
    The transaction commits when the handler returns and rolls back if it raises.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        pseudonymizer: Pseudonymizer,
        cipher: Cipher,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = session_factory
        self._pseudonymizer = pseudonymizer
        self._cipher = cipher
        self._clock = clock

    async def __call__(
        self,
        handler: Handler,
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender: User | None = data.get("event_from_user")
        pseudonym = None
        if sender is not None and not sender.is_bot:
            pseudonym = self._pseudonymizer.of("user", sender.id)
        async with self._sessions() as session:
            token = current_session.set(session)
            try:
                users = UserRepository(session)
                people = PeopleService(users)
                data["session"] = session
                data["people"] = people
                data["safety_plans"] = SafetyPlanService(
                    SafetyPlanRepository(session), users, self._cipher
                )
                data["pseudonym"] = pseudonym
                person = await self._find_with_retry(session, people, pseudonym)
                if isinstance(event, Update) and not await _first_delivery(session, event):
                    logger.info("Update %d was handled already; skipped", event.update_id)
                    return None
                if person is not None:
                    await people.mark_seen(person.pseudonym, self._clock())
                data["person"] = person
                data["person_language"] = person.language if person else None
                result = await handler(event, data)
                await session.commit()
                return result
            finally:
                # Closing the session rolls back whatever was not committed (a failed update).
                current_session.reset(token)

    async def _find_with_retry(
        self, session: AsyncSession, people: PeopleService, pseudonym: str | None
    ) -> Person | None:
        """A database that fails for a moment (a restart, a lock) costs a short wait, not
        the person's message: nothing has happened yet, so trying again is safe."""
        if pseudonym is None:
            return None
        for attempt in range(RETRIES):
            try:
                return await people.find(pseudonym)
            except (OperationalError, InterfaceError):
                if attempt == RETRIES - 1:
                    raise
                logger.warning("Database unavailable, retrying (%d/%d)", attempt + 1, RETRIES)
                await session.rollback()
                await asyncio.sleep(0.2 * 2**attempt)
        return None


async def _first_delivery(session: AsyncSession, update: Update) -> bool:
    """Record the update in this transaction; False if it was handled before (then nothing of
    it is done again: no second relay to operators, no second request). Concurrent deliveries
    of one update wait for each other on the primary key, and only one goes on."""
    try:
        async with session.begin_nested():
            session.add(ProcessedUpdate(update_id=update.update_id))
            await session.flush()
    except IntegrityError:
        return False
    return True  # old ids are deleted by bot/services/retention.py
