"""Repositories: queries over one session. They never commit; the update's middleware does."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

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
