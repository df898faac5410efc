"""A person's safety plan: built step by step, kept only with their consent, encrypted."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

from bot.db.repositories import SafetyPlanRepository, UserRepository
from bot.security import Cipher

MAX_ANSWER = 1000
"""Characters per answer: enough for a plan, short enough to read back on a phone."""


@dataclass(frozen=True)
class Plan:
    warning_signs: str = ""
    people: str = ""
    safe_place: str = ""
    what_to_take: str = ""
    numbers: str = ""

    @classmethod
    def sections(cls) -> list[str]:
        return [field.name for field in fields(cls)]

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Plan:
        return cls(**{name: str(data.get(name, "")) for name in cls.sections()})

    def is_empty(self) -> bool:
        return not any(asdict(self).values())


class AnswerTooLongError(ValueError):
    pass


def clean_answer(text: str) -> str:
    answer = text.strip()
    if len(answer) > MAX_ANSWER:
        raise AnswerTooLongError(len(answer))
    return answer


class SafetyPlanService:
    def __init__(self, plans: SafetyPlanRepository, users: UserRepository, cipher: Cipher) -> None:
        self._plans = plans
        self._users = users
        self._cipher = cipher

    async def get(self, pseudonym: str) -> Plan | None:
        row = await self._plans.get(pseudonym)
        if row is None:
            return None
        return Plan.from_dict(json.loads(self._cipher.decrypt(row.data)))

    async def keep(self, pseudonym: str, plan: Plan) -> None:
        """Store the plan (the person said yes to keeping it)."""
        await self._users.get_or_create(pseudonym)
        token = self._cipher.encrypt(json.dumps(asdict(plan), ensure_ascii=False))
        await self._plans.put(pseudonym, token)

    async def delete(self, pseudonym: str) -> bool:
        return await self._plans.delete(pseudonym)
