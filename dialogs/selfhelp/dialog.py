"""'I want to feel calmer': check-in, exercises, understanding what happened, a safety plan.

The texts of exercises and topics live in resources/selfhelp/ (NGO psychologists edit them);
the words around them (buttons, questions the bot asks) are in the catalogs.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import I18n
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Row, Select, Start, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.services.people import UnknownChoiceError
from dialogs.common import Notice, Tr, paragraphs, safety_row, take_notice
from dialogs.fallback import unexpected_input
from dialogs.selfhelp.content import SelfHelpContent
from dialogs.selfhelp.safety_plan import open_safety_plan
from dialogs.states import ContactsSG, SelfHelpSG

FEELING = "feeling"
EXERCISE = "exercise"
TOPIC = "topic"
STEP = "step"
FELT = "felt"

BETTER = "better"
SAME = "same"
WORSE = "worse"


def _content(manager: DialogManager) -> SelfHelpContent:
    return SelfHelpContent(manager.middleware_data["selfhelp"])


async def menu_getter(dialog_manager: DialogManager, i18n: I18n, **_kwargs: Any) -> dict[str, Any]:
    content = _content(dialog_manager)
    return {"exercises": content.exercise_buttons(i18n.current_locale)}


async def checkin_getter(
    dialog_manager: DialogManager, i18n: I18n, **_kwargs: Any
) -> dict[str, Any]:
    content = _content(dialog_manager)
    language = i18n.current_locale
    return {"question": content.question(language), "feelings": content.feelings(language)}


async def on_feeling(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, feeling: str
) -> None:
    if not _content(manager).has_feeling(feeling):
        raise UnknownChoiceError(feeling)
    manager.dialog_data[FEELING] = feeling
    await manager.switch_to(SelfHelpSG.feeling)


async def feeling_getter(
    dialog_manager: DialogManager, i18n: I18n, **_kwargs: Any
) -> dict[str, Any]:
    content = _content(dialog_manager)
    feeling = dialog_manager.dialog_data.get(FEELING, "")
    language = i18n.current_locale
    return {
        "response": content.response(feeling, language),
        "suggestions": content.suggestions(feeling, language),
        "show_contacts": content.suggests_contacts(feeling),
    }


async def on_suggestion(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, target: str
) -> None:
    kind, _, item = target.partition(":")
    content = _content(manager)
    if kind == EXERCISE and content.has_exercise(item):
        await _open_exercise(manager, item)
    elif kind == TOPIC and content.has_topic(item):
        await _open_topic(manager, item)
    else:
        raise UnknownChoiceError(target)


async def _open_exercise(manager: DialogManager, exercise: str) -> None:
    manager.dialog_data[EXERCISE] = exercise
    manager.dialog_data[STEP] = 0
    await manager.switch_to(SelfHelpSG.exercise)


async def _open_topic(manager: DialogManager, topic: str) -> None:
    manager.dialog_data[TOPIC] = topic
    manager.dialog_data[STEP] = 0
    await manager.switch_to(SelfHelpSG.topic)


async def on_exercise(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, exercise: str
) -> None:
    if not _content(manager).has_exercise(exercise):
        raise UnknownChoiceError(exercise)
    await _open_exercise(manager, exercise)


async def exercises_getter(
    dialog_manager: DialogManager, i18n: I18n, **_kwargs: Any
) -> dict[str, Any]:
    return {"exercises": _content(dialog_manager).exercise_buttons(i18n.current_locale)}


async def exercise_getter(
    dialog_manager: DialogManager, i18n: I18n, **_kwargs: Any
) -> dict[str, Any]:
    content = _content(dialog_manager)
    exercise = dialog_manager.dialog_data.get(EXERCISE, "")
    screens = content.exercise_screens(exercise, i18n.current_locale)
    # The content may have been edited since the person started: stay within it.
    step = min(int(dialog_manager.dialog_data.get(STEP, 0)), len(screens) - 1)
    dialog_manager.dialog_data[STEP] = step
    return {
        "title": content.exercise_title(exercise, i18n.current_locale),
        "screen": screens[step],
        "step": step + 1,
        "steps": len(screens),
        "has_back": step > 0,
    }


async def on_exercise_next(
    callback: CallbackQuery, _button: Button, manager: DialogManager
) -> None:
    content = _content(manager)
    exercise = manager.dialog_data.get(EXERCISE, "")
    step = int(manager.dialog_data.get(STEP, 0)) + 1
    if step >= content.exercise_length(exercise):
        await manager.switch_to(SelfHelpSG.after_exercise)
    else:
        manager.dialog_data[STEP] = step


async def on_step_back(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    manager.dialog_data[STEP] = max(0, int(manager.dialog_data.get(STEP, 0)) - 1)


async def after_getter(
    dialog_manager: DialogManager, i18n: I18n, **_kwargs: Any
) -> dict[str, Any]:
    content = _content(dialog_manager)
    exercise = dialog_manager.dialog_data.get(EXERCISE, "")
    felt = dialog_manager.dialog_data.get(FELT)
    return {
        "closing": content.exercise_closing(exercise, i18n.current_locale),
        "asking": felt is None,
        "better": felt == BETTER,
        "same": felt == SAME,
        "worse": felt == WORSE,
        "answered": felt is not None,
    }


async def on_felt(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    manager.dialog_data[FELT] = button.widget_id


async def on_again(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    manager.dialog_data.pop(FELT, None)
    await _open_exercise(manager, manager.dialog_data.get(EXERCISE, ""))


async def to_menu(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    for key in (FELT, EXERCISE, TOPIC, STEP, FEELING):
        manager.dialog_data.pop(key, None)
    await manager.switch_to(SelfHelpSG.menu)


async def topics_getter(
    dialog_manager: DialogManager, i18n: I18n, **_kwargs: Any
) -> dict[str, Any]:
    return {"topics": _content(dialog_manager).topic_buttons(i18n.current_locale)}


async def on_topic(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, topic: str
) -> None:
    if not _content(manager).has_topic(topic):
        raise UnknownChoiceError(topic)
    await _open_topic(manager, topic)


async def topic_getter(
    dialog_manager: DialogManager,
    i18n: I18n,
    people: Any,
    pseudonym: str,
    contacts: Any,
    **_kwargs: Any,
) -> dict[str, Any]:
    content = _content(dialog_manager)
    topic = dialog_manager.dialog_data.get(TOPIC, "")
    language = i18n.current_locale
    screens = content.topic_screens(topic, language)
    step = min(int(dialog_manager.dialog_data.get(STEP, 0)), len(screens) - 1)
    dialog_manager.dialog_data[STEP] = step
    last = step == len(screens) - 1
    country = await people.country_of(pseudonym)
    extra = ""
    if last and country:
        extra = content.topic_contacts(topic, contacts.book, country, language)
    return {
        "title": content.topic_title(topic, language),
        "screen": screens[step],
        "contacts": extra,
        "step": step + 1,
        "steps": len(screens),
        "has_back": step > 0,
        "has_next": not last,
        "paged": len(screens) > 1,
    }


async def on_topic_next(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    manager.dialog_data[STEP] = int(manager.dialog_data.get(STEP, 0)) + 1


def _item_id(item: tuple[str, str]) -> str:
    return item[0]


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
                SwitchTo(Tr("How are you right now?"), id="checkin", state=SelfHelpSG.checkin),
                Select(
                    Format("🌿 {item[1]}"),
                    id="quick",
                    item_id_getter=_item_id,
                    items="exercises",
                    on_click=on_exercise,
                ),
                SwitchTo(Tr("Understand what happened"), id="topics", state=SelfHelpSG.topics),
                Button(Tr("My safety plan"), id="plan", on_click=open_safety_plan),
                Cancel(Tr("Main menu", icon="◀")),
            ),
            safety_row(),
            unexpected_input(),
            getter=menu_getter,
            state=SelfHelpSG.menu,
        ),
        Window(
            Format("{question}"),
            Column(
                Select(
                    Format("{item[1]}"),
                    id="feelings",
                    item_id_getter=_item_id,
                    items="feelings",
                    on_click=on_feeling,
                ),
                SwitchTo(Tr("Back", icon="◀"), id="back_menu", state=SelfHelpSG.menu),
            ),
            safety_row(),
            unexpected_input(),
            getter=checkin_getter,
            state=SelfHelpSG.checkin,
        ),
        Window(
            paragraphs(Format("{response}"), Tr("This may help now:")),
            Column(
                Start(
                    Tr("Where can I get help"),
                    id="contacts",
                    state=ContactsSG.overview,
                    when="show_contacts",
                ),
                Select(
                    Format("{item[1]}"),
                    id="suggest",
                    item_id_getter=_item_id,
                    items="suggestions",
                    on_click=on_suggestion,
                ),
                SwitchTo(Tr("Back", icon="◀"), id="back_checkin", state=SelfHelpSG.checkin),
            ),
            safety_row(),
            unexpected_input(),
            getter=feeling_getter,
            state=SelfHelpSG.feeling,
        ),
        Window(
            Tr("Choose an exercise. Each takes a few minutes."),
            Column(
                Select(
                    Format("{item[1]}"),
                    id="exercises",
                    item_id_getter=_item_id,
                    items="exercises",
                    on_click=on_exercise,
                ),
                SwitchTo(Tr("Back", icon="◀"), id="back_menu2", state=SelfHelpSG.menu),
            ),
            safety_row(),
            unexpected_input(),
            getter=exercises_getter,
            state=SelfHelpSG.exercises,
        ),
        Window(
            paragraphs(Format("<b>{title}</b> · {step}/{steps}"), Format("{screen}")),
            Row(
                Button(Tr("Back", icon="◀"), id="ex_back", on_click=on_step_back, when="has_back"),
                Button(Tr("Next", icon="▶"), id="ex_next", on_click=on_exercise_next),
            ),
            Button(Tr("Stop the exercise"), id="ex_stop", on_click=to_menu),
            safety_row(),
            unexpected_input(),
            getter=exercise_getter,
            state=SelfHelpSG.exercise,
        ),
        Window(
            paragraphs(
                Format("{closing}"),
                Tr("How do you feel now?", when="asking"),
                Tr("I am glad. You can come back to this at any time.", when="better"),
                Tr(
                    "That is all right. Calm often comes slowly. You can try it again, or "
                    "another exercise.",
                    when="same",
                ),
                Tr(
                    "I am sorry it is hard right now. You do not have to go through this "
                    "alone: a person on a helpline will listen.",
                    when="worse",
                ),
            ),
            Row(
                Button(Tr("Better"), id=BETTER, on_click=on_felt, when="asking"),
                Button(Tr("The same"), id=SAME, on_click=on_felt, when="asking"),
                Button(Tr("Worse"), id=WORSE, on_click=on_felt, when="asking"),
            ),
            Column(
                Start(
                    Tr("Where can I get help"),
                    id="contacts_after",
                    state=ContactsSG.overview,
                    when="worse",
                ),
                Button(Tr("Do it again"), id="again", on_click=on_again, when="answered"),
                SwitchTo(
                    Tr("Another exercise"),
                    id="another",
                    state=SelfHelpSG.exercises,
                    when="answered",
                ),
                Button(Tr("Back", icon="◀"), id="after_menu", on_click=to_menu),
            ),
            safety_row(),
            unexpected_input(),
            getter=after_getter,
            state=SelfHelpSG.after_exercise,
        ),
        Window(
            Tr("What would you like to understand?"),
            Column(
                Select(
                    Format("{item[1]}"),
                    id="topic_list",
                    item_id_getter=_item_id,
                    items="topics",
                    on_click=on_topic,
                ),
                SwitchTo(Tr("Back", icon="◀"), id="back_menu3", state=SelfHelpSG.menu),
            ),
            safety_row(),
            unexpected_input(),
            getter=topics_getter,
            state=SelfHelpSG.topics,
        ),
        Window(
            paragraphs(
                Format("<b>{title}</b> · {step}/{steps}", when="paged"),
                Format("<b>{title}</b>", when=lambda d, w, m: not d["paged"]),
                Format("{screen}"),
                Format("{contacts}"),
            ),
            Row(
                Button(Tr("Back", icon="◀"), id="t_back", on_click=on_step_back, when="has_back"),
                Button(Tr("Next", icon="▶"), id="t_next", on_click=on_topic_next, when="has_next"),
            ),
            SwitchTo(Tr("Other topics"), id="t_topics", state=SelfHelpSG.topics),
            safety_row(),
            unexpected_input(),
            getter=topic_getter,
            state=SelfHelpSG.topic,
        ),
        on_process_result=take_notice,
    )
