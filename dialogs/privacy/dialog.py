"""What do you keep about me? (Settings and /privacy) and Forget me (/forget)."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.kbd import Button, Column, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.config import Settings
from bot.i18n import LANGUAGE_NAMES, N_
from bot.services.cases import CLAIMED, OPEN, RESOLVED, WITHDRAWN
from bot.services.privacy import Privacy, Stored
from dialogs.common import (
    RETURN,
    RETURN_MENU,
    Tr,
    country_names,
    hide_conversation,
    paragraphs,
    safety_row,
)
from dialogs.fallback import unexpected_input
from dialogs.states import MainSG, PrivacySG

# A request's state as the person reads it (the operators' card has its own words).
REQUEST_STATES = {
    OPEN: N_("waiting for a lawyer"),
    CLAIMED: N_("a lawyer is working on it"),
    RESOLVED: N_("closed"),
    WITHDRAWN: N_("withdrawn by you"),
}


def _chat_id(manager: DialogManager) -> int:
    chat = manager.middleware_data["event_chat"]
    return int(chat.id)


def _describe(stored: Stored) -> str:
    yes, no = _("yes"), _("no")
    lines = [
        _("Language: {value}").format(value=LANGUAGE_NAMES.get(stored.language or "", "—")),
        _("Country: {value}").format(value=country_names().get(stored.country or "", "—")),
        _("Safety plan: {value}").format(value=yes if stored.safety_plan else no),
    ]
    if stored.cases:
        for case in stored.cases:
            status = _(REQUEST_STATES.get(case.status, RESOLVED))
            lines.append(_("Request {code}: {status}").format(code=case.code, status=status))
    else:
        lines.append(_("Requests to a lawyer: none"))
    lines.append(
        _("Messages in this chat that ✕ Exit can delete: {count}").format(count=stored.message_ids)
    )
    return "\n".join(f"• {line}" for line in lines)


async def kept_getter(
    dialog_manager: DialogManager,
    privacy: Privacy,
    settings: Settings,
    pseudonym: str,
    **_kwargs: Any,
) -> dict[str, Any]:
    data = dialog_manager.middleware_data
    stored = await privacy.stored(data["session"], pseudonym, _chat_id(dialog_manager))
    return {
        "kept": _describe(stored),
        "profile_days": settings.profile_retention_days,
        "case_days": settings.case_retention_days,
    }


async def on_back(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    start = manager.start_data if isinstance(manager.start_data, dict) else {}
    if start.get(RETURN) == RETURN_MENU:
        await manager.start(MainSG.menu, mode=StartMode.RESET_STACK)
    else:
        await manager.done()


async def on_forget(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    data = manager.middleware_data
    privacy: Privacy = data["privacy"]
    chat_id = _chat_id(manager)
    await privacy.forget(data["session"], data["pseudonym"], chat_id)
    await data["state"].clear()
    await hide_conversation(manager, chat_id)


def create_dialog() -> Dialog:
    back = Button(Tr("Back", icon="◀"), id="back", on_click=on_back)
    return Dialog(
        Window(
            paragraphs(
                Tr("<b>What we keep about you</b>", icon="🔒"),
                Format("{kept}"),
                Tr(
                    "How long:\n"
                    "• language, country and safety plan: deleted after {profile_days} days "
                    "without using the bot;\n"
                    "• a request to a lawyer: deleted {case_days} days after it is closed;\n"
                    "• the numbers of the messages in this chat (never their text): 48 hours;\n"
                    "• what you type into a form: only until you finish or leave it."
                ),
                Tr(
                    "We never keep your name, username, phone number or Telegram account. "
                    "What you type is stored encrypted."
                ),
            ),
            Column(
                SwitchTo(
                    Tr("Forget me: erase everything", icon="🗑"),
                    id="forget",
                    state=PrivacySG.forget,
                ),
                back,
            ),
            safety_row(),
            unexpected_input(),
            getter=kept_getter,
            state=PrivacySG.kept,
        ),
        Window(
            paragraphs(
                Tr("<b>Erase everything about you?</b>", icon="🗑"),
                Tr(
                    "Your language and country, your safety plan, your requests to a lawyer "
                    "and this conversation will be deleted, and this chat will be emptied. "
                    "This cannot be undone. If you sent a request, the lawyers will only see "
                    "that it was withdrawn."
                ),
                Tr("Help and the emergency numbers stay here for you: send /start at any time."),
            ),
            Column(
                Button(Tr("Yes, erase everything"), id="erase", on_click=on_forget),
                SwitchTo(Tr("No, keep it", icon="◀"), id="keep", state=PrivacySG.kept),
            ),
            safety_row(),
            unexpected_input(),
            state=PrivacySG.forget,
        ),
    )
