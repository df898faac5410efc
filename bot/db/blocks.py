"""Queries of `person_blocks`: people operators blocked from sending requests (abuse).

Keyed by the person's pseudonym only, apart from `users`, so "forget me" cannot lift a block.
Never commits: the caller's transaction does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import PersonBlock


class BlockRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def reason(self, pseudonym: str) -> str | None:
        """The reason the person is blocked for, or None when they are not blocked."""
        found: str | None = await self._session.scalar(
            select(PersonBlock.reason).where(PersonBlock.pseudonym == pseudonym)
        )
        return found

    async def add(self, pseudonym: str, reason: str, blocked_by: str, at: datetime) -> bool:
        """Block the person; False when they were blocked already (a double press, or two
        operators at once: the primary key lets exactly one in)."""
        try:
            async with self._session.begin_nested():
                self._session.add(
                    PersonBlock(
                        pseudonym=pseudonym, reason=reason, blocked_by=blocked_by, blocked_at=at
                    )
                )
                await self._session.flush()
        except IntegrityError:
            return False
        return True

    async def remove(self, pseudonym: str) -> bool:
        """Lift the block; False when there was none (already lifted by someone else)."""
        result = await self._session.execute(
            delete(PersonBlock)
            .where(PersonBlock.pseudonym == pseudonym)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1
