"""The people who use the service, as far as it knows them: a pseudonym and two choices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import COUNTRIES, LANGUAGES
from bot.db.models import User
from bot.db.repositories import UserRepository
from bot.services.retention import day_of


@dataclass(frozen=True)
class Person:
    pseudonym: str
    language: str | None
    country: str | None

    @property
    def is_set_up(self) -> bool:
        """Whether the first conversation (language and country) is done."""
        return self.language is not None and self.country is not None

    @classmethod
    def from_row(cls, user: User) -> Person:
        return cls(pseudonym=user.pseudonym, language=user.language, country=user.country)


class UnknownChoiceError(ValueError):
    """A language or country the service does not offer (a forged or stale button)."""


class PeopleService:
    def __init__(self, users: UserRepository) -> None:
        self._users = users

    async def find(self, pseudonym: str) -> Person | None:
        user = await self._users.get(pseudonym)
        return Person.from_row(user) if user else None

    async def mark_seen(self, pseudonym: str, now: datetime) -> bool:
        """Remember that the person used the bot today (for PROFILE_RETENTION_DAYS): at most
        one write a day per person, and only the day is kept."""
        return await self._users.mark_seen(pseudonym, day_of(now))

    async def country_of(self, pseudonym: str) -> str | None:
        """The country as stored now (a choice made earlier in this update included)."""
        person = await self.find(pseudonym)
        return person.country if person else None

    async def choose_language(self, pseudonym: str, language: str) -> Person:
        if language not in LANGUAGES:
            raise UnknownChoiceError(language)
        user = await self._users.get_or_create(pseudonym)
        user.language = language
        return Person.from_row(user)

    async def choose_country(self, pseudonym: str, country: str) -> Person:
        if country not in COUNTRIES:
            raise UnknownChoiceError(country)
        user = await self._users.get_or_create(pseudonym)
        user.country = country
        return Person.from_row(user)
