"""Widgets and texts shared by every flow."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.types import CallbackQuery, ReplyKeyboardRemove
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.api.protocols import DialogManager as DialogManagerProtocol
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.kbd import Button, Row, Select, Start
from aiogram_dialog.widgets.text import Format, Multi, Text

from bot.chat_journal import ChatJournal, delete_all
from bot.selfhelp import SelfHelp
from bot.services.people import UnknownChoiceError

# Start data keys shared by the flows.
MODE = "mode"
MODE_ONBOARDING = "onboarding"
MODE_CHANGE = "change"
RETURN = "return"
RETURN_PARENT = "parent"
RETURN_MENU = "menu"

ID_EXIT = "exit"
ID_EMERGENCY = "sos"


class Tr(Text):
    """A text translated at render time into the person's language, then filled with the
    window's data (`{name}` fields). Extracted by pybabel through `-k Tr`."""

    def __init__(
        self,
        text: str,
        icon: str = "",
        *,
        bold: bool = False,
        when: WhenCondition = None,
    ) -> None:
        super().__init__(when=when)
        self.text = text
        self.icon = icon
        self.bold = bold

    async def _render_text(self, data: dict[str, Any], manager: DialogManagerProtocol) -> str:
        rendered = _(self.text).format_map(data)
        if self.bold:
            rendered = f"<b>{rendered}</b>"
        return f"{self.icon} {rendered}" if self.icon else rendered


NOTICE = "notice"


class Notice(Text):
    """A one-time line at the top of a screen ("✓ Your plan is kept"), set by a callback as
    a msgid in dialog_data[NOTICE] (or handed back by a finished sub-dialog)."""

    async def _render_text(self, data: dict[str, Any], manager: DialogManagerProtocol) -> str:
        msgid = manager.dialog_data.pop(NOTICE, None)
        return f"✓ {_(msgid)}" if msgid else ""


async def take_notice(start_data: Any, result: Any, manager: DialogManager) -> None:
    """on_process_result of a parent dialog: show the notice its sub-dialog finished with."""
    if isinstance(result, dict) and result.get(NOTICE):
        manager.dialog_data[NOTICE] = result[NOTICE]


def current_language(manager: DialogManager) -> str:
    """The language this update is answered in (the person's saved choice)."""
    i18n: I18n = manager.middleware_data["i18n"]
    return i18n.current_locale


def paragraphs(*texts: Text) -> Multi:
    """Texts of a screen separated by blank lines (hidden ones leave no gap)."""
    return Multi(*texts, sep="\n\n")


def country_names() -> dict[str, str]:
    return {
        "KZ": _("Kazakhstan"),
        "KG": _("Kyrgyzstan"),
        "TJ": _("Tajikistan"),
        "UZ": _("Uzbekistan"),
    }


def exit_message(selfhelp: SelfHelp, language: str) -> str:
    """The neutral line left after Exit: NGO staff write it in resources/selfhelp/exit.yaml."""
    if selfhelp.exit_message is not None:
        return selfhelp.exit_message[language]
    return _("Closed. Send /start whenever you want.")


async def hide_conversation(manager: DialogManager, chat_id: int) -> None:
    """Exit: close every flow (its typed answers go with the conversation state), delete every
    message of the chat Telegram still lets the bot delete, and leave one neutral line."""
    data = manager.middleware_data
    journal: ChatJournal = data["journal"]
    bot: Bot = data["bot"]
    await manager.reset_stack(remove_keyboard=False)
    manager.show_mode = ShowMode.NO_UPDATE
    ids = await journal.take(data["session"], chat_id)
    await delete_all(chat_id, ids, _deleter(bot))
    await bot.send_message(
        chat_id,
        exit_message(data["selfhelp"], current_language(manager)),
        parse_mode=None,
        reply_markup=ReplyKeyboardRemove(),
    )


def _deleter(bot: Bot) -> Any:
    async def delete(chat_id: int, ids: list[int]) -> None:
        await bot.delete_messages(chat_id, ids)

    return delete


async def on_exit(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    if callback.message is not None:
        await hide_conversation(manager, callback.message.chat.id)


def exit_button() -> Button:
    """On every screen: one tap closes the conversation (safety rule 5)."""
    return Button(Tr("Exit", icon="✕"), id=ID_EXIT, on_click=on_exit)


def safety_row() -> Row:
    """On every screen: the country's emergency numbers one tap away, and the exit."""
    from dialogs.states import EmergencySG

    return Row(
        Start(Tr("Emergency", icon="🆘"), id=ID_EMERGENCY, state=EmergencySG.numbers),
        exit_button(),
    )


def choices(widget_id: str, items: str, on_click: Any, type_factory: Any = str) -> Select[Any]:
    """Buttons for the getter's `items`, a list of (id, label); `type_factory` refuses an id
    that is not offered (a forged or outdated button) by raising."""
    return Select(
        Format("{item[1]}"),
        id=widget_id,
        item_id_getter=lambda item: item[0],
        items=items,
        on_click=on_click,
        type_factory=type_factory,
    )


def one_of(allowed: tuple[str, ...]) -> Any:
    """A `type_factory` that refuses a forged or outdated choice before it reaches a service
    (the errors router answers it kindly)."""

    def parse(value: str) -> str:
        if value not in allowed:
            raise UnknownChoiceError(value)
        return value

    return parse
