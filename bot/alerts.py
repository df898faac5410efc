"""Messages to the operators' chat about the service itself (not about cases)."""

from __future__ import annotations

import logging
from html import escape

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.utils.i18n import I18n

from bot.contacts import ContactsError
from bot.i18n import N_

logger = logging.getLogger(__name__)

MAX_PROBLEMS = 15

CONTACTS_BROKEN = N_(
    "⚠️ An edit of the contact files has a problem, so the bot keeps showing the last good "
    "version. Please fix:"
)
MORE_PROBLEMS = N_("…and {count} more.")


class OperatorAlerts:
    """Tells the operators' chat (when one is configured) what needs a human's hand."""

    def __init__(self, chat_id: int | None, i18n: I18n) -> None:
        self.chat_id = chat_id
        self.i18n = i18n
        self.bot: Bot | None = None  # set when the bot starts

    async def contacts_broken(self, error: ContactsError) -> None:
        if self.chat_id is None or self.bot is None:
            return
        locale = self.i18n.default_locale
        problems = [escape(str(problem)) for problem in error.problems[:MAX_PROBLEMS]]
        lines = [self.i18n.gettext(CONTACTS_BROKEN, locale=locale), "", *problems]
        if len(error.problems) > MAX_PROBLEMS:
            more = len(error.problems) - MAX_PROBLEMS
            lines.append(self.i18n.gettext(MORE_PROBLEMS, locale=locale).format(count=more))
            lines.append("python -m bot resources check")
        text = "\n".join(lines)
        if len(text) > 4000:
            text = text[:3990] + "…"
        try:
            await self.bot.send_message(self.chat_id, text)
        except TelegramAPIError as exc:
            logger.warning("Could not tell the operators about broken contact files: %s", exc)
