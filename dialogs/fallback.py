"""Whatever no flow expected: a short, kind answer and the way back. Nothing is kept.

Two places call in here: every dialog window (through `unexpected_input()`, for input the
window has no use for) and the fallback router (input outside any dialog, unknown buttons).
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.utils import CB_SEP
from aiogram_dialog.widgets.input import MessageInput

from bot.services.people import Person
from dialogs.commands import show_again_or_start, start_main

DANGER_SHOWN = "danger_shown"
"""Set by the danger middleware: the crisis numbers answered this message already, so the
"please use the buttons" line would only be noise."""


def _unexpected_text(message: Message) -> str:
    if message.text is not None and message.text.startswith("/"):
        return _("I don't know this command. These work: /menu, /help, /language, /country.")
    if message.text is not None:
        return _(
            "Thank you for writing. On this screen I can only follow the buttons. "
            "They are just below; /menu takes you to the main menu."
        )
    return _(
        "I can only read text and buttons, so this message was not kept. "
        "Please use the buttons below; /menu takes you to the main menu."
    )


async def answer_unexpected(
    message: Message,
    manager: DialogManager,
    person: Person | None,
) -> None:
    if not manager.has_context() and message.text and not message.text.startswith("/"):
        # A first "hello" (or anything after Exit) simply opens the conversation.
        await start_main(manager, person)
        return
    if not manager.middleware_data.get(DANGER_SHOWN):
        await message.answer(_unexpected_text(message))
    await show_again_or_start(manager, person)


async def answer_unexpected_in_window(message: Message, manager: DialogManager) -> None:
    """Inside a dialog window: the kind answer, then the window again below it."""
    if not manager.middleware_data.get(DANGER_SHOWN):
        await message.answer(_unexpected_text(message))
    # The dialog redraws its window after this handler; move it below the answer.
    manager.show_mode = ShowMode.DELETE_AND_SEND


async def _on_unexpected_in_window(
    message: Message,
    _widget: Any,
    manager: DialogManager,
) -> None:
    await answer_unexpected_in_window(message, manager)


def unexpected_input() -> MessageInput:
    """For every window that expects no typing: any message gets the kind answer."""
    return MessageInput(_on_unexpected_in_window, content_types=ContentType.ANY)


async def on_message(
    message: Message, dialog_manager: DialogManager, person: Person | None
) -> None:
    await answer_unexpected(message, dialog_manager, person)


async def on_edited(message: Message) -> None:
    await message.answer(
        _(
            "I noticed you edited a message. I only read new messages, so please send "
            "it again if it matters."
        )
    )


async def on_unknown_button(
    callback: CallbackQuery,
    dialog_manager: DialogManager,
    person: Person | None,
) -> None:
    await callback.answer(_("This button no longer works. Here is the menu again."))
    await show_again_or_start(dialog_manager, person)


def create_guard_router() -> Router:
    """Before the dialogs: a button whose data is not a dialog's is forged or from elsewhere.

    (Dialogs would otherwise take it for their current screen and silently redraw it.)
    """
    router = Router(name="button-guard")
    router.callback_query.filter(F.message.chat.type == "private")
    router.callback_query.register(on_unknown_button, ~F.data | ~F.data.contains(CB_SEP))
    return router


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.filter(F.chat.type == "private")
    router.edited_message.filter(F.chat.type == "private")
    router.message.register(on_message)
    router.edited_message.register(on_edited)
    router.callback_query.register(on_unknown_button)
    return router
