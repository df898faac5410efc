"""What the service keeps about a person, and Forget me. Knows nothing of Telegram."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat_journal import ChatJournal
from bot.db.repositories import SafetyPlanRepository, UserRepository
from bot.services.cases import CaseView
from bot.services.casework import CaseDesk


@dataclass(frozen=True)
class Stored:
    """Everything kept about one person right now (read from the database, not assumed)."""

    language: str | None
    country: str | None
    safety_plan: bool
    cases: list[CaseView]
    message_ids: int

    @property
    def anything(self) -> bool:
        return bool(
            self.language or self.country or self.safety_plan or self.cases or self.message_ids
        )


@dataclass(frozen=True)
class Erased:
    profile: bool
    safety_plan: bool
    cases: int


class Privacy:
    def __init__(self, desk: CaseDesk, journal: ChatJournal) -> None:
        self._desk = desk
        self._journal = journal

    async def stored(self, session: AsyncSession, pseudonym: str, chat_id: int) -> Stored:
        user = await UserRepository(session).get(pseudonym)
        plan = await SafetyPlanRepository(session).get(pseudonym)
        return Stored(
            language=user.language if user else None,
            country=user.country if user else None,
            safety_plan=plan is not None,
            cases=await self._desk.kept_for(session, pseudonym),
            message_ids=await self._journal.count(session, chat_id),
        )

    async def forget(self, session: AsyncSession, pseudonym: str, chat_id: int) -> Erased:
        """Erase the profile, the safety plan, every request (operators are told it was
        withdrawn and erased) and every message still waiting to be sent to the person, in
        `session`'s transaction. The conversation state and the chat's messages are the
        caller's (they go with the Exit that follows)."""
        cases = await self._desk.erase(session, pseudonym, chat_id)
        plan = await SafetyPlanRepository(session).delete(pseudonym)
        profile = await UserRepository(session).delete(pseudonym)
        return Erased(profile=profile, safety_plan=plan, cases=cases)
