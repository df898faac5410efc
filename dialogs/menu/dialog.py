"""The main menu."""

from __future__ import annotations

from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.kbd import Button, Column, Start

from dialogs.common import Notice, Tr, paragraphs, safety_row, take_notice
from dialogs.fallback import unexpected_input
from dialogs.legal_aid.dialog import open_legal_aid
from dialogs.states import ContactsSG, MainSG, SelfHelpSG, SettingsSG, TortureSG

SELF_HELP = "self_help"
CONTACTS = "contacts"
TORTURE = "torture"
LAWYER = "lawyer"


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
                Start(Tr("I was tortured or beaten by police"), id=TORTURE, state=TortureSG.start),
                Button(Tr("I need a lawyer"), id=LAWYER, on_click=open_legal_aid),
                Start(Tr("Settings", icon="⚙"), id="settings", state=SettingsSG.menu),
            ),
            safety_row(),
            unexpected_input(),
            state=MainSG.menu,
        ),
        on_process_result=take_notice,
    )
