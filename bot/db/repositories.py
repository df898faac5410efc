"""Repositories: queries over one session. They never commit; the update's middleware does."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.cases import as_utc
from bot.db.models import SafetyPlan, User


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, pseudonym: str) -> User | None:
        return await self._session.get(User, pseudonym)

    async def get_or_create(self, pseudonym: str) -> User:
        user = await self.get(pseudonym)
        if user is None:
            user = User(pseudonym=pseudonym)
            self._session.add(user)
        return user

    async def delete(self, pseudonym: str) -> bool:
        user = await self.get(pseudonym)
        if user is None:
            return False
        await self._session.delete(user)
        return True

    async def mark_seen(self, pseudonym: str, day: datetime) -> bool:
        """Set `seen_at` to `day` (a midnight) if it is older or missing; False when it was
        already that day (no write) or there is no such user."""
        user = await self.get(pseudonym)  # already loaded by this update: no query
        if user is None or (user.seen_at is not None and as_utc(user.seen_at) >= day):
            return False
        # A statement of its own, at once, rather than a change flushed at commit: a handler
        # that deletes the user in this update (Forget me) must not meet a pending UPDATE.
        # updated_at is left as it is, or it would tell the time of day the person came.
        await self._session.execute(
            update(User)
            .where(User.pseudonym == pseudonym)
            .values(seen_at=day, updated_at=User.updated_at)
        )
        return True


class SafetyPlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, pseudonym: str) -> SafetyPlan | None:
        return await self._session.get(SafetyPlan, pseudonym)

    async def put(self, pseudonym: str, data: str) -> None:
        plan = await self.get(pseudonym)
        if plan is None:
            self._session.add(SafetyPlan(pseudonym=pseudonym, data=data))
        else:
            plan.data = data

    async def delete(self, pseudonym: str) -> bool:
        plan = await self.get(pseudonym)
        if plan is None:
            return False
        await self._session.delete(plan)
        return True
