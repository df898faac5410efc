"""Messages to the operators' chat about the service itself (not about cases)."""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path
from typing import Any

from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.contacts import ContactsError
from bot.db.engine import session_scope
from bot.i18n import N_
from bot.outbox import Outbox

logger = logging.getLogger(__name__)

MAX_PROBLEMS = 15

CONTACTS_BROKEN = N_(
    "⚠️ An edit of the contact files has a problem, so the bot keeps showing the last good "
    "version. Please fix:"
)
FILES_BROKEN = N_(
    "⚠️ An edit of {files} has a problem, so the bot keeps using the last good version. Please fix:"
)
MORE_PROBLEMS = N_("…and {count} more.")


class OperatorAlerts:
    """Tells the operators' chat (when one is configured) what needs a human's hand."""

    def __init__(
        self,
        chat_id: int | None,
        i18n: I18n,
        outbox: Outbox,
        sessions: async_sessionmaker[AsyncSession],
        language: str | None = None,
    ) -> None:
        self.chat_id = chat_id
        self.i18n = i18n
        self.language = language or i18n.default_locale  # OPERATORS_LANGUAGE
        self._outbox = outbox
        self._sessions = sessions

    async def contacts_broken(self, error: ContactsError) -> None:
        title = self.i18n.gettext(CONTACTS_BROKEN, locale=self.language)
        await self._broken(title, [str(problem) for problem in error.problems], "alert_contacts")

    async def files_broken(self, path: Path, problems: list[Any]) -> None:
        """An edit of self-help texts, danger words or regions was refused (bot/reloading.py)."""
        title = self.i18n.gettext(FILES_BROKEN, locale=self.language).format(files=path.name)
        await self._broken(title, [str(problem) for problem in problems], "alert_files")

    async def _broken(self, title: str, problems: list[str], kind: str) -> None:
        if self.chat_id is None:
            return
        lines = [title, "", *(escape(problem) for problem in problems[:MAX_PROBLEMS])]
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            text = self.i18n.gettext(MORE_PROBLEMS, locale=self.language).format(count=more)
            lines += [text, "python -m bot resources check"]
        text = "\n".join(lines)
        if len(text) > 4000:
            text = text[:3990] + "…"
        # Through the outbox: if Telegram is down right now, the alert is sent when it is back.
        async with session_scope(self._sessions) as session:
            await self._outbox.enqueue(session, chat_id=self.chat_id, text=text, kind=kind)
