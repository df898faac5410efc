"""'I want to feel calmer': check-in, exercises, understanding what happened, a safety plan."""

from __future__ import annotations

from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column

from dialogs.common import Notice, Tr, paragraphs, safety_row, take_notice
from dialogs.fallback import unexpected_input
from dialogs.selfhelp.safety_plan import open_safety_plan
from dialogs.states import SelfHelpSG


def create_dialog() -> Dialog:
    return Dialog(
        Window(
            paragraphs(
                Notice(),
                Tr("I want to feel calmer", bold=True),
                Tr(
                    "What you feel is a normal reaction to something that should not have "
                    "happened. Take your time; choose what feels right."
                ),
            ),
            Column(
                Button(Tr("My safety plan"), id="plan", on_click=open_safety_plan),
                Cancel(Tr("Main menu", icon="◀")),
            ),
            safety_row(),
            unexpected_input(),
            state=SelfHelpSG.menu,
        ),
        on_process_result=take_notice,
    )
