"""Commands that work from anywhere: /start, /menu, /help, /language, /country."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import KICKED, ChatMemberUpdatedFilter, Command, CommandStart
from aiogram.fsm.state import State
from aiogram.types import ChatMemberUpdated, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.services.casework import CaseDesk
from bot.services.people import Person
from dialogs.common import (
    MODE,
    MODE_CHANGE,
    MODE_ONBOARDING,
    RETURN,
    RETURN_MENU,
    hide_conversation,
)
from dialogs.states import MainSG, OnboardingSG, PrivacySG

HELP = N_(
    "This bot supports people who have lived through violence, torture or other abuse "
    "in Kazakhstan, Kyrgyzstan, Tajikistan and Uzbekistan.\n\n"
    "It is anonymous and free. We do not see your name, username or phone number, "
    "and we keep only your language, your country and what you choose to save. "
    "/privacy shows all of it.\n\n"
    "/menu — main menu\n"
    "/language — change language\n"
    "/country — change country\n"
    "/privacy — what we keep about you\n"
    "/forget — erase everything about you\n"
    "/exit — close and clear this chat\n"
    "/help — this message\n\n"
    "To close the conversation at any moment, press ✕ Exit."
)


def help_text() -> str:
    return _(HELP)


async def start_main(manager: DialogManager, person: Person | None) -> None:
    """The main menu for someone who has chosen language and country, the welcome otherwise."""
    if person is not None and person.is_set_up:
        await manager.start(MainSG.menu, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)
    else:
        await manager.start(
            OnboardingSG.language,
            data={MODE: MODE_ONBOARDING},
            mode=StartMode.RESET_STACK,
            show_mode=ShowMode.SEND,
        )


async def cmd_start(
    message: Message, dialog_manager: DialogManager, person: Person | None
) -> None:
    await start_main(dialog_manager, person)


async def cmd_help(message: Message, dialog_manager: DialogManager, person: Person | None) -> None:
    await message.answer(help_text())
    await show_again_or_start(dialog_manager, person)


async def cmd_language(message: Message, dialog_manager: DialogManager) -> None:
    await dialog_manager.start(
        OnboardingSG.language,
        data={MODE: MODE_CHANGE, RETURN: RETURN_MENU},
        mode=StartMode.RESET_STACK,
        show_mode=ShowMode.SEND,
    )


async def cmd_country(message: Message, dialog_manager: DialogManager) -> None:
    await dialog_manager.start(
        OnboardingSG.country,
        data={MODE: MODE_CHANGE, RETURN: RETURN_MENU},
        mode=StartMode.RESET_STACK,
        show_mode=ShowMode.SEND,
    )


async def show_again_or_start(manager: DialogManager, person: Person | None) -> None:
    """Put the screen the person was on back at the bottom of the chat, or start afresh."""
    if manager.has_context():
        await manager.show(ShowMode.DELETE_AND_SEND)
    else:
        await start_main(manager, person)


async def cmd_exit(message: Message, dialog_manager: DialogManager) -> None:
    await hide_conversation(dialog_manager, message.chat.id)


async def cmd_privacy(message: Message, dialog_manager: DialogManager) -> None:
    await _open_privacy(dialog_manager, PrivacySG.kept)


async def cmd_forget(message: Message, dialog_manager: DialogManager) -> None:
    await _open_privacy(dialog_manager, PrivacySG.forget)


async def _open_privacy(manager: DialogManager, state: State) -> None:
    """Back leads to the main menu (the dialog was not opened from a screen)."""
    await manager.start(
        state, data={RETURN: RETURN_MENU}, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND
    )


async def on_bot_blocked(
    update: ChatMemberUpdated, session: AsyncSession, pseudonym: str, case_desk: CaseDesk
) -> None:
    """The person blocked the bot: nothing more goes to them; operators see it on the card."""
    await case_desk.person_left(session, pseudonym, update.chat.id)


def create_router() -> Router:
    router = Router(name="commands")
    router.message.filter(F.chat.type == "private")
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_start, Command("menu"))
    router.message.register(cmd_help, Command("help"))
    router.message.register(cmd_language, Command("language"))
    router.message.register(cmd_country, Command("country"))
    router.message.register(cmd_exit, Command("exit"))
    router.message.register(cmd_privacy, Command("privacy"))
    router.message.register(cmd_forget, Command("forget"))
    router.my_chat_member.register(
        on_bot_blocked, F.chat.type == "private", ChatMemberUpdatedFilter(KICKED)
    )
    return router
