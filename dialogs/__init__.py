"""Conversation flows. One package per flow, plus the commands and the safety nets.

Order matters: commands come first so that /menu or /help work inside any flow, even one
waiting for typed text; the fallback comes last and answers whatever nobody else took.
"""

from __future__ import annotations

from aiogram import Router

from dialogs import commands, fallback, foreign_chats
from dialogs.contacts import dialog as contacts_dialog
from dialogs.legal_aid import dialog as legal_aid_dialog
from dialogs.legal_aid import replies as legal_aid_replies
from dialogs.menu import dialog as menu_dialog
from dialogs.onboarding import dialog as onboarding_dialog
from dialogs.operators import router as operators_router
from dialogs.privacy import dialog as privacy_dialog
from dialogs.selfhelp import dialog as selfhelp_dialog
from dialogs.selfhelp import safety_plan
from dialogs.settings import dialog as settings_dialog
from dialogs.torture import dialog as torture_dialog


def get_routers(operators_chat_id: int | None) -> list[Router]:
    return [
        # Before all: any other group or channel is left, and nothing else runs there.
        foreign_chats.create_router(operators_chat_id),
        # The operators' chat first: nothing a flow does for people runs there.
        operators_router.create_router(operators_chat_id),
        commands.create_router(),
        legal_aid_replies.create_router(),
        fallback.create_guard_router(),
        onboarding_dialog.create_dialog(),
        menu_dialog.create_dialog(),
        settings_dialog.create_dialog(),
        privacy_dialog.create_dialog(),
        contacts_dialog.create_dialog(),
        contacts_dialog.create_emergency_dialog(),
        selfhelp_dialog.create_dialog(),
        safety_plan.create_dialog(),
        legal_aid_dialog.create_dialog(),
        torture_dialog.create_dialog(),
        fallback.create_router(),
    ]
