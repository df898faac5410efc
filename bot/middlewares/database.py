"""One database session per update, and who the update is from, as a pseudonym."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.engine import current_session
from bot.db.repositories import UserRepository
from bot.security import Pseudonymizer
from bot.services.people import PeopleService

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DatabaseMiddleware(BaseMiddleware):
    """Opens the update's transaction and puts into the handler data:

    * `people`: PeopleService on this session;
    * `pseudonym`: the keyed pseudonym of the sender (handlers never need the raw id);
    * `person`: what the service knows of them (None for a newcomer);
    * `person_language`: their saved language, read by PersonLocaleMiddleware.

    The transaction commits when the handler returns and rolls back if it raises.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        pseudonymizer: Pseudonymizer,
    ) -> None:
        self._sessions = session_factory
        self._pseudonymizer = pseudonymizer

    async def __call__(
        self,
        handler: Handler,
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        sender: User | None = data.get("event_from_user")
        async with self._sessions() as session, session.begin():
            token = current_session.set(session)
            try:
                people = PeopleService(UserRepository(session))
                data["people"] = people
                data["person"] = None
                data["person_language"] = None
                if sender is not None and not sender.is_bot:
                    pseudonym = self._pseudonymizer.of("user", sender.id)
                    person = await people.find(pseudonym)
                    data["pseudonym"] = pseudonym
                    data["person"] = person
                    data["person_language"] = person.language if person else None
                return await handler(event, data)
            finally:
                current_session.reset(token)
