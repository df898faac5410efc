"""The main menu, and a kind word for the parts that are still being built."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Column, Start, SwitchTo
from aiogram_dialog.widgets.text import Case

from dialogs.common import Notice, Tr, paragraphs, safety_row, take_notice
from dialogs.fallback import unexpected_input
from dialogs.legal_aid.dialog import open_legal_aid
from dialogs.states import ContactsSG, MainSG, SelfHelpSG, SettingsSG

SOON = "soon"
SELF_HELP = "self_help"
CONTACTS = "contacts"
TORTURE = "torture"
LAWYER = "lawyer"


async def on_not_ready(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    manager.dialog_data[SOON] = button.widget_id
    await manager.switch_to(MainSG.soon)


async def soon_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    return {SOON: dialog_manager.dialog_data.get(SOON, TORTURE)}


def create_dialog() -> Dialog:
    return Dialog(
        Window(
            paragraphs(
                Notice(),
                Tr("How can I help you?"),
                Tr(
                    "Everything here is anonymous and free. You can leave at any moment "
                    "with ✕ Exit."
                ),
            ),
            Column(
                Start(Tr("I want to feel calmer"), id=SELF_HELP, state=SelfHelpSG.menu),
                Start(Tr("Where can I get help"), id=CONTACTS, state=ContactsSG.overview),
                Button(
                    Tr("I was tortured or beaten by police"), id=TORTURE, on_click=on_not_ready
                ),
                Button(Tr("I need a lawyer"), id=LAWYER, on_click=open_legal_aid),
                Start(Tr("Settings", icon="⚙"), id="settings", state=SettingsSG.menu),
            ),
            safety_row(),
            unexpected_input(),
            state=MainSG.menu,
        ),
        Window(
            Case(
                {TORTURE: Tr("I was tortured or beaten by police", bold=True)},
                selector=SOON,
            ),
            Tr(
                "This part is still being prepared, and it will be here soon. "
                "Thank you for your patience.\n\n"
                "You are not alone. You can go back and choose something else."
            ),
            SwitchTo(Tr("Main menu", icon="◀"), id="to_menu", state=MainSG.menu),
            safety_row(),
            unexpected_input(),
            getter=soon_getter,
            state=MainSG.soon,
        ),
        on_process_result=take_notice,
    )
