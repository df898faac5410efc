"""What a person sees when something fails: a kind word and the way back, never silence."""

from __future__ import annotations

import logging
from contextlib import suppress

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.api.exceptions import OutdatedIntent, UnknownIntent, UnknownState

from bot.services.people import UnknownChoiceError
from dialogs.states import MainSG, OnboardingSG

logger = logging.getLogger(__name__)


async def on_stale_dialog(event: ErrorEvent, dialog_manager: DialogManager, bot: Bot) -> None:
    """A button from a screen that no longer exists (after Exit, a restart or an update)."""
    logger.info("Stale or forged dialog button: %s", type(event.exception).__name__)
    await _answer_callback(event, _("This button no longer works. Here is the menu again."))
    await _restart(dialog_manager, bot, event)


async def on_unknown_choice(event: ErrorEvent, dialog_manager: DialogManager, bot: Bot) -> None:
    logger.info("Refused a choice that is not offered (forged or outdated button)")
    await _answer_callback(event, _("This button no longer works. Here is the menu again."))
    await _restart(dialog_manager, bot, event)


async def on_any_error(event: ErrorEvent, bot: Bot) -> None:
    # Only the type and Telegram's own description: never what the person wrote.
    logger.error(
        "Update %s failed: %s",
        event.update.update_id,
        type(event.exception).__name__,
        exc_info=event.exception,
    )
    await _answer_callback(event, _("Sorry, something went wrong on our side."))
    chat_id = _chat_id(event)
    if chat_id is None:
        return
    try:
        await bot.send_message(
            chat_id,
            _(
                "Sorry, something went wrong on our side. "
                "Please try again in a moment, or send /menu."
            ),
        )
    except TelegramAPIError:
        logger.warning("Could not tell the person about the failure either")


async def _restart(manager: DialogManager, bot: Bot, event: ErrorEvent) -> None:
    person = manager.middleware_data.get("person")
    state = MainSG.menu if person is not None and person.is_set_up else OnboardingSG.language
    try:
        await manager.start(state, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)
    except TelegramAPIError:
        logger.warning("Could not show the menu after a stale button")


async def _answer_callback(event: ErrorEvent, text: str) -> None:
    callback = event.update.callback_query
    if callback is None:
        return
    # Already answered, or too old: nothing more to do then.
    with suppress(TelegramAPIError):
        await callback.answer(text)


def _chat_id(event: ErrorEvent) -> int | None:
    update = event.update
    if update.message is not None:
        return update.message.chat.id
    if update.edited_message is not None:
        return update.edited_message.chat.id
    if update.callback_query is not None and update.callback_query.message is not None:
        return update.callback_query.message.chat.id
    return None


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(
        on_stale_dialog, ExceptionTypeFilter(UnknownIntent, OutdatedIntent, UnknownState)
    )
    router.errors.register(on_unknown_choice, ExceptionTypeFilter(UnknownChoiceError))
    router.errors.register(on_any_error)
    return router
