"""A safety plan the person builds step by step; kept (encrypted) only if they say so."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.contacts import ContactsWatcher
from bot.i18n import N_
from bot.services.people import PeopleService, UnknownChoiceError
from bot.services.safety_plan import AnswerTooLongError, Plan, SafetyPlanService, clean_answer
from dialogs.common import NOTICE, Notice, Tr, choices, paragraphs, safety_row
from dialogs.contacts.render import emergency_line
from dialogs.fallback import answer_unexpected_in_window, unexpected_input
from dialogs.states import SafetyPlanSG

PLAN = "plan"
STEP = "step"
EDITING = "editing"  # one section being changed, then straight back to the review
STORED = "stored"  # the plan being edited is the kept one

KEPT = N_("Your plan is kept, encrypted.")
NOT_KEPT = N_("Your plan was not kept: it is not stored anywhere.")
DELETED = N_("Your plan is deleted.")

SECTION_TITLES: dict[str, str] = {
    "warning_signs": N_("Warning signs"),
    "people": N_("People I can call"),
    "safe_place": N_("A safe place"),
    "what_to_take": N_("What to take"),
    "numbers": N_("Numbers I need"),
}
SECTION_QUESTIONS: dict[str, str] = {
    "warning_signs": N_(
        "What tells you that things may become dangerous? For example: he starts drinking, "
        "shouting, or checking your phone."
    ),
    "people": N_(
        "Who can you call or go to for help? A friend, a relative, a neighbour. Write names "
        "or numbers only if it is safe for you."
    ),
    "safe_place": N_(
        "Where can you go if you need to leave quickly? A relative, a friend, a crisis centre."
    ),
    "what_to_take": N_(
        "What would you take with you? For example: passport and documents, money, phone and "
        "charger, medicines, keys, things for the children."
    ),
    "numbers": N_("Which numbers do you want to have at hand?"),
}


def _plan(manager: DialogManager) -> Plan:
    return Plan.from_dict(manager.dialog_data.get(PLAN, {}))


def render_plan(plan: Plan) -> str:
    lines = []
    for section in Plan.sections():
        answer = getattr(plan, section)
        lines.append(f"<b>{escape(_(SECTION_TITLES[section]))}</b>\n{escape(answer) or '—'}")
    return "\n\n".join(lines)


async def open_safety_plan(
    callback: CallbackQuery, _button: Button, manager: DialogManager
) -> None:
    """From the self-help menu: the kept plan if there is one, else the introduction."""
    data = manager.middleware_data
    plan = await data["safety_plans"].get(data["pseudonym"])
    if plan is None:
        await manager.start(SafetyPlanSG.intro)
    else:
        await manager.start(SafetyPlanSG.view, data={PLAN: plan.__dict__, STORED: True})


async def on_start(start_data: Any, manager: DialogManager) -> None:
    if isinstance(start_data, dict):
        manager.dialog_data.update(start_data)


async def on_begin(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    manager.dialog_data[STEP] = 0
    manager.dialog_data.pop(EDITING, None)
    await manager.switch_to(SafetyPlanSG.step)


async def step_getter(
    dialog_manager: DialogManager,
    people: PeopleService,
    pseudonym: str,
    contacts: ContactsWatcher,
    i18n: I18n,
    **_kwargs: Any,
) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    section = data.get(EDITING) or Plan.sections()[int(data.get(STEP, 0))]
    current = getattr(_plan(dialog_manager), section)
    country = await people.country_of(pseudonym)
    return {
        "number": Plan.sections().index(section) + 1,
        "count": len(Plan.sections()),
        "title": escape(_(SECTION_TITLES[section])),
        "question": escape(_(SECTION_QUESTIONS[section])),
        "current": escape(current),
        "has_current": bool(current),
        "emergency": emergency_line(contacts.book, country, i18n.current_locale)
        if country
        else "",
        "show_emergency": section == "numbers" and bool(country),
    }


async def _advance(manager: DialogManager) -> None:
    if manager.dialog_data.pop(EDITING, None) is not None:
        await manager.switch_to(SafetyPlanSG.review)
        return
    step = int(manager.dialog_data.get(STEP, 0)) + 1
    if step >= len(Plan.sections()):
        await manager.switch_to(SafetyPlanSG.review)
    else:
        manager.dialog_data[STEP] = step
        await manager.switch_to(SafetyPlanSG.step)


async def on_answer(message: Message, _widget: Any, manager: DialogManager) -> None:
    if message.content_type != ContentType.TEXT or (message.text or "").startswith("/"):
        await answer_unexpected_in_window(message, manager)
        return
    try:
        answer = clean_answer(message.text or "")
    except AnswerTooLongError:
        await message.answer(_("That is a little long. Please keep it under 1000 characters."))
        manager.show_mode = ShowMode.DELETE_AND_SEND
        return
    data = manager.dialog_data
    section = data.get(EDITING) or Plan.sections()[int(data.get(STEP, 0))]
    data.setdefault(PLAN, {})[section] = answer
    manager.show_mode = ShowMode.DELETE_AND_SEND
    await _advance(manager)


async def on_skip(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await _advance(manager)


async def on_step_back(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    if manager.dialog_data.pop(EDITING, None) is not None:
        await manager.switch_to(SafetyPlanSG.review)
        return
    step = int(manager.dialog_data.get(STEP, 0))
    if step == 0:
        await manager.switch_to(SafetyPlanSG.intro)
    else:
        manager.dialog_data[STEP] = step - 1


async def plan_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    plan = _plan(dialog_manager)
    return {
        "plan": render_plan(plan),
        "stored": bool(dialog_manager.dialog_data.get(STORED)),
        "new": not dialog_manager.dialog_data.get(STORED),
        "empty": plan.is_empty(),
    }


async def on_keep(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    data = manager.middleware_data
    service: SafetyPlanService = data["safety_plans"]
    await service.keep(data["pseudonym"], _plan(manager))
    manager.dialog_data[STORED] = True
    manager.dialog_data[NOTICE] = KEPT
    await manager.switch_to(SafetyPlanSG.view)


async def on_discard(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await manager.done(result={NOTICE: NOT_KEPT})


async def sections_getter(**_kwargs: Any) -> dict[str, Any]:
    return {"sections": [(section, _(SECTION_TITLES[section])) for section in Plan.sections()]}


def _section(value: str) -> str:
    if value not in Plan.sections():
        raise UnknownChoiceError(value)
    return value


async def on_change_section(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, section: str
) -> None:
    manager.dialog_data[EDITING] = section
    await manager.switch_to(SafetyPlanSG.step)


async def on_delete(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    data = manager.middleware_data
    await data["safety_plans"].delete(data["pseudonym"])
    manager.dialog_data.pop(PLAN, None)
    await manager.done(result={NOTICE: DELETED})


def create_dialog() -> Dialog:
    steps_input = MessageInput(on_answer, content_types=ContentType.ANY)
    return Dialog(
        Window(
            paragraphs(
                Tr("Safety plan", bold=True),
                Tr(
                    "A safety plan helps you know what to do if things become dangerous. "
                    "There are five short questions. Answer only what you want; you can "
                    "skip any of them."
                ),
                Tr(
                    "Anyone who can see this chat can read what you write here. If someone "
                    "might check your phone, press ✕ Exit when you finish."
                ),
            ),
            Button(Tr("Begin"), id="begin", on_click=on_begin),
            Cancel(Tr("Back", icon="◀")),
            safety_row(),
            unexpected_input(),
            state=SafetyPlanSG.intro,
        ),
        Window(
            paragraphs(
                Format("{number}/{count} · <b>{title}</b>"),
                Format("{question}"),
                Tr("In danger right now? Call {emergency}", icon="🆘", when="show_emergency"),
                Tr("Your answer now: {current}", when="has_current"),
                Tr("Write your answer in a message, or skip this question."),
            ),
            Row(
                Button(Tr("Back", icon="◀"), id="step_back", on_click=on_step_back),
                Button(Tr("Skip", icon="⏭"), id="skip", on_click=on_skip),
            ),
            safety_row(),
            steps_input,
            getter=step_getter,
            state=SafetyPlanSG.step,
        ),
        Window(
            paragraphs(
                Tr("Your safety plan", bold=True),
                Format("{plan}"),
                Tr(
                    "Do you want me to keep this plan so you can see it again later? It is "
                    "stored encrypted and shown only in this chat. You can delete it at any "
                    "time.",
                    when="new",
                ),
                Tr("Save the changes?", when="stored"),
            ),
            Column(
                Button(Tr("Keep it"), id="keep", on_click=on_keep, when="new"),
                Button(Tr("Save changes"), id="save", on_click=on_keep, when="stored"),
                Button(Tr("Don't keep it"), id="discard", on_click=on_discard, when="new"),
                SwitchTo(Tr("Change an answer"), id="change", state=SafetyPlanSG.change),
            ),
            safety_row(),
            unexpected_input(),
            getter=plan_getter,
            state=SafetyPlanSG.review,
        ),
        Window(
            paragraphs(Notice(), Tr("Your safety plan", bold=True), Format("{plan}")),
            Column(
                SwitchTo(Tr("Change an answer"), id="change", state=SafetyPlanSG.change),
                SwitchTo(Tr("Delete my plan"), id="delete", state=SafetyPlanSG.confirm_delete),
                Cancel(Tr("Back", icon="◀")),
            ),
            safety_row(),
            unexpected_input(),
            getter=plan_getter,
            state=SafetyPlanSG.view,
        ),
        Window(
            Tr("Which answer do you want to change?"),
            Column(
                choices("section", "sections", on_change_section, _section),
                SwitchTo(Tr("Back", icon="◀"), id="back_review", state=SafetyPlanSG.review),
            ),
            safety_row(),
            unexpected_input(),
            getter=sections_getter,
            state=SafetyPlanSG.change,
        ),
        Window(
            Tr("Delete your safety plan? This cannot be undone."),
            Row(
                Button(Tr("Yes, delete"), id="confirm_delete", on_click=on_delete),
                SwitchTo(Tr("No, keep it"), id="keep_it", state=SafetyPlanSG.view),
            ),
            safety_row(),
            unexpected_input(),
            state=SafetyPlanSG.confirm_delete,
        ),
        on_start=on_start,
    )
