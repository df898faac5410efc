"""Danger first: words about immediate danger, violence happening now, self-harm or suicide,
in any flow and any free text, bring the emergency and crisis numbers at once.

The answer comes before whatever the message was for, and the message still goes on to its
flow afterwards: a safety-plan answer that mentions danger is kept like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from bot.config import COUNTRIES
from bot.contacts import ContactBook, ContactsWatcher
from bot.services.people import Person
from dialogs.common import country_names
from dialogs.contacts.render import emergency_line
from dialogs.fallback import DANGER_SHOWN

logger = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# Where a person on the line will listen, in this order of preference.
CRISIS_CATEGORIES = ("violence_hotline", "psychological", "crisis_centre")


def crisis_lines(book: ContactBook, country: str, language: str) -> list[str]:
    lines = []
    for category in CRISIS_CATEGORIES:
        for entry in book.entries(country, category):
            if entry.phones and len(lines) < 3:
                line = (
                    f"📞 <b>{escape(entry.phones[0].display)}</b> {escape(entry.name[language])}"
                )
                if line not in lines:
                    lines.append(line)
    return lines


def danger_text(book: ContactBook, country: str | None, language: str) -> str:
    parts = [
        "<b>" + _("You matter, and you are not alone.") + "</b>",
        _("If you are in danger, or thinking of hurting yourself, please call now:"),
    ]
    if country:
        parts.append("🆘 <b>" + emergency_line(book, country, language) + "</b>")
        lines = crisis_lines(book, country, language)
        if lines:
            parts.append(
                _("Would you like to talk to a person? They listen, and it is free:")
                + "\n"
                + "\n".join(lines)
            )
    else:
        names = country_names()
        parts.append(
            "\n".join(
                f"🆘 {names[code]}: <b>{emergency_line(book, code, language)}</b>"
                for code in COUNTRIES
            )
        )
    parts.append(_("If you can, go to a safe place: a neighbour, a relative, a shop, a pharmacy."))
    return "\n\n".join(parts)


class DangerMiddleware(BaseMiddleware):
    """Inner middleware on private messages: checks the text before any handler sees it."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Message) and event.chat.type == "private":
            text = event.text or event.caption
            detector = data.get("danger")
            if text and detector is not None:
                match = detector.check(text)
                if match is not None:
                    # Only the kind and the list it came from: never the person's words.
                    logger.info(
                        "Danger words (%s, %s list): crisis numbers shown",
                        match.kind,
                        match.language,
                    )
                    await self._answer(event, data)
                    data[DANGER_SHOWN] = True
        return await handler(event, data)

    @staticmethod
    async def _answer(message: Message, data: dict[str, Any]) -> None:
        contacts: ContactsWatcher = data["contacts"]
        person: Person | None = data.get("person")
        language = data["i18n"].current_locale
        country = person.country if person else None
        await message.answer(danger_text(contacts.book, country, language))
