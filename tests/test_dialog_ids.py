"""Dialogs opened in the same second must never share an id (a person's button would go stale)."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from aiogram_dialog.api.entities.stack import Stack

from bot import dialog_ids


class _SG(StatesGroup):
    one = State()


def test_thousands_of_dialogs_opened_at_once_get_distinct_ids() -> None:
    dialog_ids.install()
    stack = Stack()
    ids = {stack.push(_SG.one, None).id for _ in range(100)}
    stack.intents.clear()
    ids |= {Stack().push(_SG.one, None).id for _ in range(5000)}
    assert len(ids) == 5100
    assert all(len(intent_id) == 8 for intent_id in ids)
