"""'I was tortured or beaten by police': safety first, the first days, where to complain in the
person's country, a complaint draft as a Word document, and a lawyer from every screen.

The complaint answers live only in this dialog's (encrypted) state while the person answers;
the document is built in memory, sent, and the answers are dropped at once. Leaving the flow
(Exit, /menu, Cancel) drops them too: the dialog's state goes with it.
"""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram.enums import ContentType
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Row, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.complaints import FIELDS, ComplaintTemplates, build_document
from bot.complaints.document import FILE_NAME
from bot.config import LANGUAGES
from bot.contacts import ContactsWatcher
from bot.i18n import LANGUAGE_NAMES, N_
from bot.services.people import PeopleService, UnknownChoiceError
from dialogs.common import (
    NOTICE,
    Notice,
    Tr,
    choices,
    country_names,
    current_language,
    one_of,
    paragraphs,
    safety_row,
)
from dialogs.contacts.dialog import page_buttons, page_of
from dialogs.contacts.render import pages
from dialogs.fallback import answer_unexpected_in_window, unexpected_input
from dialogs.legal_aid.dialog import emergency_getter, start_legal_aid
from dialogs.states import TortureSG
from dialogs.torture.texts import QUESTIONS, SHORT, STEPS

STEP = "step"
PAGE = "page"
QUESTION = "question"
ANSWERS = "answers"
EDITING = "editing"  # one answer being changed from the summary, then straight back to it
DOC_LANGUAGE = "doc_language"

MAX_ANSWER = 4096
"""One Telegram message; an answer is never cut, and nothing longer can arrive."""
PREVIEW = 60
"""Characters of an answer shown back on the question's screen and in the summary."""

DRAFT_GONE = N_("Nothing was kept: your answers are deleted.")
SKIPPED = N_("skipped")


async def _country(manager: DialogManager) -> str:
    data = manager.middleware_data
    people: PeopleService = data["people"]
    # Onboarding asks for the country before any menu; "KZ" only guards a broken state.
    return await people.country_of(data["pseudonym"]) or "KZ"


def _answers(manager: DialogManager) -> dict[str, str | None]:
    """The answers given so far (read only: a screen shown changes nothing)."""
    return dict(manager.dialog_data.get(ANSWERS) or {})


def _keep_answer(manager: DialogManager, answer: str | None) -> None:
    manager.dialog_data[ANSWERS] = {**_answers(manager), _field(manager): answer}


# ---- a lawyer, from every screen ---------------------------------------------------------------


async def on_ask_lawyer(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    # The legal-aid request already knows what it is about (and the country is the person's
    # own): the person is not asked twice.
    await start_legal_aid(manager, category="torture_police")


def lawyer_button() -> Button:
    return Button(Tr("Ask a lawyer", icon="⚖️"), id="lawyer", on_click=on_ask_lawyer)


def footer() -> tuple[Button, Row, MessageInput]:
    """On every screen of the flow: a lawyer, the emergency numbers and the exit."""
    return lawyer_button(), safety_row(), unexpected_input()


# ---- the first days -----------------------------------------------------------------------------


async def on_steps(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    manager.dialog_data[STEP] = 0
    await manager.switch_to(TortureSG.step)


async def on_step(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    step = int(manager.dialog_data.get(STEP, 0)) + (1 if button.widget_id == "next" else -1)
    if step < 0:
        await manager.switch_to(TortureSG.menu)
        return
    manager.dialog_data[STEP] = min(step, len(STEPS) - 1)


async def step_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    step = min(max(int(dialog_manager.dialog_data.get(STEP, 0)), 0), len(STEPS) - 1)
    return {
        "screen": _(STEPS[step]),
        "number": step + 1,
        "count": len(STEPS),
        "has_next": step < len(STEPS) - 1,
        "last": step == len(STEPS) - 1,
    }


# ---- where to complain -------------------------------------------------------------------------


async def on_complain(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    manager.dialog_data[PAGE] = 0
    await manager.switch_to(TortureSG.complain)


async def complain_getter(
    dialog_manager: DialogManager, contacts: ContactsWatcher, **_kwargs: Any
) -> dict[str, Any]:
    country = await _country(dialog_manager)
    book = contacts.book
    screens = pages(book.entries(country, "torture"), book, current_language(dialog_manager))
    return {"country": country_names()[country], **page_of(dialog_manager, screens)}


# ---- the complaint draft -----------------------------------------------------------------------


async def on_draft(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    manager.dialog_data[QUESTION] = 0
    manager.dialog_data.pop(EDITING, None)
    await manager.switch_to(TortureSG.question)


def _field(manager: DialogManager) -> str:
    index = min(max(int(manager.dialog_data.get(QUESTION, 0)), 0), len(FIELDS) - 1)
    return FIELDS[index]


async def _next_question(manager: DialogManager) -> None:
    """The next question; after the last (or after changing one answer) the document's
    language, or the summary when the language needs no choosing."""
    index = int(manager.dialog_data.get(QUESTION, 0))
    if not manager.dialog_data.pop(EDITING, None) and index < len(FIELDS) - 1:
        manager.dialog_data[QUESTION] = index + 1
        await manager.switch_to(TortureSG.question)
        return
    if DOC_LANGUAGE in manager.dialog_data:
        await manager.switch_to(TortureSG.summary)
    elif current_language(manager) == "ru":
        manager.dialog_data[DOC_LANGUAGE] = "ru"
        await manager.switch_to(TortureSG.summary)
    else:
        await manager.switch_to(TortureSG.language)


async def on_answer(message: Message, _widget: Any, manager: DialogManager) -> None:
    if message.content_type != ContentType.TEXT or (message.text or "").startswith("/"):
        await answer_unexpected_in_window(message, manager)
        return
    manager.show_mode = ShowMode.DELETE_AND_SEND
    text = (message.text or "").strip()[:MAX_ANSWER]
    _keep_answer(manager, text or None)
    await _next_question(manager)


async def on_skip(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    _keep_answer(manager, None)
    await _next_question(manager)


async def on_question_back(
    callback: CallbackQuery, _button: Button, manager: DialogManager
) -> None:
    if manager.dialog_data.pop(EDITING, None):
        await manager.switch_to(TortureSG.summary)
        return
    index = int(manager.dialog_data.get(QUESTION, 0))
    if index == 0:
        await manager.switch_to(TortureSG.draft)
        return
    manager.dialog_data[QUESTION] = index - 1


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1].rstrip() + "…"


async def question_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    field = _field(dialog_manager)
    current = _answers(dialog_manager).get(field)
    return {
        "number": FIELDS.index(field) + 1,
        "count": len(FIELDS),
        "question": _(QUESTIONS[field]),
        "current": escape(_preview(current or "")),
        "has_current": bool(current),
    }


async def language_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    own = current_language(dialog_manager)
    return {"languages": [("ru", LANGUAGE_NAMES["ru"]), (own, LANGUAGE_NAMES[own])]}


async def on_doc_language(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, language: str
) -> None:
    if language not in ("ru", current_language(manager)):
        raise UnknownChoiceError(language)
    manager.dialog_data[DOC_LANGUAGE] = language
    manager.dialog_data.pop(EDITING, None)
    await manager.switch_to(TortureSG.summary)


async def on_language_back(
    callback: CallbackQuery, _button: Button, manager: DialogManager
) -> None:
    """Back to the last question, or to the summary the language was changed from."""
    if manager.dialog_data.pop(EDITING, None):
        await manager.switch_to(TortureSG.summary)
        return
    manager.dialog_data[QUESTION] = len(FIELDS) - 1
    await manager.switch_to(TortureSG.question)


async def summary_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    answers = _answers(dialog_manager)
    rows = []
    for field in FIELDS:
        answer = answers.get(field)
        if answer:
            rows.append(f"✓ <b>{escape(_(SHORT[field]))}:</b> {escape(_preview(answer))}")
        else:
            rows.append(f"○ {escape(_(SHORT[field]))}: <i>{escape(_(SKIPPED))}</i>")
    language = dialog_manager.dialog_data.get(DOC_LANGUAGE, "ru")
    return {
        "rows": "\n".join(rows),
        "doc_language": LANGUAGE_NAMES.get(language, LANGUAGE_NAMES["ru"]),
        "can_choose": current_language(dialog_manager) != "ru",
        "fields": [(field, _(SHORT[field])) for field in FIELDS],
        "file_name": FILE_NAME,
    }


async def on_edit(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, field: str
) -> None:
    manager.dialog_data[QUESTION] = FIELDS.index(field)
    manager.dialog_data[EDITING] = True
    await manager.switch_to(TortureSG.question)


async def on_change_language(
    callback: CallbackQuery, _button: Button, manager: DialogManager
) -> None:
    manager.dialog_data[EDITING] = True
    await manager.switch_to(TortureSG.language)


async def on_get_document(
    callback: CallbackQuery, _button: Button, manager: DialogManager
) -> None:
    if not isinstance(callback.message, Message):
        raise UnknownChoiceError("message")
    templates: ComplaintTemplates = manager.middleware_data["complaints"]
    language = manager.dialog_data.get(DOC_LANGUAGE, "ru")
    if language not in ("ru", current_language(manager)):
        language = "ru"
    template = templates.get(await _country(manager), language)
    document = build_document(template, _answers(manager))
    await callback.message.answer_document(BufferedInputFile(document, filename=FILE_NAME))
    # Sent: the answers are gone from the conversation state at once.
    manager.dialog_data.pop(ANSWERS, None)
    manager.dialog_data.pop(DOC_LANGUAGE, None)
    manager.show_mode = ShowMode.DELETE_AND_SEND  # the next screen below the document
    await manager.switch_to(TortureSG.sent)


async def sent_getter(**_kwargs: Any) -> dict[str, Any]:
    # Names of programs, the same in every language (and not in the catalogs' alphabets).
    return {"word": "Word", "libreoffice": "LibreOffice"}


async def on_cancel_draft(
    callback: CallbackQuery, _button: Button, manager: DialogManager
) -> None:
    manager.dialog_data.pop(ANSWERS, None)
    manager.dialog_data.pop(DOC_LANGUAGE, None)
    manager.dialog_data[NOTICE] = DRAFT_GONE
    await manager.switch_to(TortureSG.menu)


# ---- windows -----------------------------------------------------------------------------------


def _to_menu() -> SwitchTo:
    return SwitchTo(Tr("Back", icon="◀"), id="to_menu", state=TortureSG.menu)


def create_dialog() -> Dialog:
    return Dialog(
        Window(
            paragraphs(
                Tr("If you were hurt by police or in detention", bold=True),
                Tr(
                    "I am sorry this happened to you. It is not your fault, and you have the "
                    "right to complain. The first days matter most: injuries heal and "
                    "memories fade. Here you can find out how to look after yourself, keep "
                    "what can prove it, where to complain, and prepare a complaint."
                ),
                Tr("First: are you safe right now?", bold=True),
            ),
            Column(
                SwitchTo(Tr("I am safe now"), id="safe", state=TortureSG.menu),
                SwitchTo(
                    Tr("I or someone close is still detained"),
                    id="detained",
                    state=TortureSG.detained,
                ),
                SwitchTo(Tr("I need a doctor now"), id="doctor", state=TortureSG.doctor),
                Cancel(Tr("Main menu", icon="◀")),
            ),
            *footer(),
            state=TortureSG.start,
        ),
        Window(
            paragraphs(
                Tr("If you need a doctor now, call:", icon="🆘", bold=True),
                Format("{blocks}"),
                Tr(
                    "Tell the doctor how you got the injuries, and ask them to write down "
                    "every injury and every pain. Ask for a copy of the record."
                ),
            ),
            SwitchTo(Tr("Continue"), id="continue", state=TortureSG.menu),
            SwitchTo(Tr("Back", icon="◀"), id="back", state=TortureSG.start),
            *footer(),
            getter=emergency_getter,
            state=TortureSG.doctor,
        ),
        Window(
            paragraphs(
                Tr("If you or someone close to you is still detained", bold=True),
                Tr(
                    "• From the very first moment of detention, a person has the right to a "
                    "lawyer, to a doctor, and to let a relative know. Ask for them, again if "
                    "needed.\n"
                    "• A detained person may ask for a medical examination, and for a second "
                    "one by a doctor of their choice.\n"
                    "• Relatives and friends can look for a lawyer now, and tell the "
                    "organisations against torture and the ombudsman: they are listed in "
                    "“Where to complain”."
                ),
            ),
            Button(Tr("Where to complain"), id="complain", on_click=on_complain),
            SwitchTo(Tr("Continue"), id="continue", state=TortureSG.menu),
            SwitchTo(Tr("Back", icon="◀"), id="back", state=TortureSG.start),
            *footer(),
            state=TortureSG.detained,
        ),
        Window(
            paragraphs(Notice(), Tr("What would you like to do?", bold=True)),
            Column(
                Button(Tr("The first days: what to do"), id="steps", on_click=on_steps),
                Button(Tr("Where to complain"), id="complain", on_click=on_complain),
                Button(Tr("Prepare a complaint"), id="draft", on_click=on_draft_intro),
                Cancel(Tr("Main menu", icon="◀")),
            ),
            *footer(),
            state=TortureSG.menu,
        ),
        Window(
            paragraphs(Format("{number}/{count}"), Format("{screen}")),
            Row(
                Button(Tr("Back", icon="◀"), id="prev", on_click=on_step),
                Button(Tr("Next", icon="▶"), id="next", on_click=on_step, when="has_next"),
            ),
            Column(
                Button(Tr("Where to complain"), id="complain", on_click=on_complain, when="last"),
                Button(
                    Tr("Prepare a complaint"), id="draft", on_click=on_draft_intro, when="last"
                ),
                SwitchTo(Tr("Contents"), id="contents", state=TortureSG.menu),
            ),
            *footer(),
            getter=step_getter,
            state=TortureSG.step,
        ),
        Window(
            paragraphs(
                Tr("Where to complain: {country}", bold=True, when="first"),
                Tr(
                    "A complaint about torture goes to the <b>prosecutor's office</b>, in "
                    "writing; keep a copy with the mark that it was registered. The ombudsman "
                    "also takes complaints and passes them on. UN bodies take a complaint "
                    "only after the remedies at home have been tried; the UN Special "
                    "Rapporteur can act sooner when someone is at risk now.",
                    when="first",
                ),
                Tr(
                    "To be considered, a complaint usually has to carry your name and "
                    "signature. Think about your safety first; a lawyer can help you decide.",
                    when="first",
                ),
                Format("{body}"),
                Tr("Page {page} of {pages}", when="paged"),
            ),
            page_buttons(),
            Button(Tr("Prepare a complaint"), id="draft", on_click=on_draft_intro),
            _to_menu(),
            *footer(),
            getter=complain_getter,
            state=TortureSG.complain,
        ),
        Window(
            paragraphs(
                Notice(),
                Tr("Prepare a complaint", bold=True),
                Tr(
                    "I will ask 8 short questions: what happened, when, where, who did it, "
                    "injuries, medical help, witnesses, and the papers you have. You can skip "
                    "any of them: the document then leaves a highlighted gap to fill in later."
                ),
                Tr(
                    "I never ask for your name, address or passport. A complaint must be "
                    "signed, so you write those into the document yourself."
                ),
                Tr(
                    "Your answers are not kept: they are used only to make the document and "
                    "are deleted as soon as you get it, or when you leave."
                ),
            ),
            Button(Tr("Start"), id="begin", on_click=on_draft),
            _to_menu(),
            *footer(),
            state=TortureSG.draft,
        ),
        Window(
            paragraphs(
                Format("{number}/{count}"),
                Format("<b>{question}</b>"),
                Tr("Write your answer in one message, or skip this question."),
                Tr("Your answer now: {current}", when="has_current"),
            ),
            Row(
                Button(Tr("Back", icon="◀"), id="q_back", on_click=on_question_back),
                Button(Tr("Skip", icon="⏭"), id="q_skip", on_click=on_skip),
            ),
            lawyer_button(),
            safety_row(),
            MessageInput(on_answer, content_types=ContentType.ANY),
            getter=question_getter,
            state=TortureSG.question,
        ),
        Window(
            Tr("In which language do you want the document?", bold=True),
            Column(choices("doc_language", "languages", on_doc_language, one_of(LANGUAGES))),
            Button(Tr("Back", icon="◀"), id="lang_back", on_click=on_language_back),
            *footer(),
            getter=language_getter,
            state=TortureSG.language,
        ),
        Window(
            paragraphs(
                Tr("Your complaint draft", bold=True),
                Format("{rows}"),
                Tr("Language of the document: {doc_language}"),
                Tr(
                    "A document kept on your phone can be found by others. It will be called "
                    "“{file_name}”, with nothing in its name about what it is. Once you "
                    "have saved it somewhere safe, delete it from the phone and from this "
                    "chat.",
                    icon="⚠️",
                ),
            ),
            Button(Tr("Get the document", icon="📄"), id="get", on_click=on_get_document),
            SwitchTo(Tr("Change an answer", icon="✏️"), id="edit", state=TortureSG.edit),
            Button(
                Tr("Change the language"),
                id="change_language",
                on_click=on_change_language,
                when="can_choose",
            ),
            Button(Tr("Cancel, delete my answers"), id="cancel", on_click=on_cancel_draft),
            *footer(),
            getter=summary_getter,
            state=TortureSG.summary,
        ),
        Window(
            Tr("Which answer do you want to change?"),
            Column(
                choices("field", "fields", on_edit, one_of(FIELDS)),
                SwitchTo(Tr("Back", icon="◀"), id="back_summary", state=TortureSG.summary),
            ),
            *footer(),
            getter=summary_getter,
            state=TortureSG.edit,
        ),
        Window(
            paragraphs(
                Tr("Here is your draft.", icon="✓", bold=True),
                Tr(
                    "Open it in {word} or {libreoffice}. Fill in the highlighted gaps and the "
                    "blank lines with your details, check the text, then print and sign it. "
                    "A lawyer can go through it with you before you file it."
                ),
                Tr("Your answers have been deleted from the bot."),
            ),
            Button(Tr("Where to complain"), id="complain", on_click=on_complain),
            Cancel(Tr("Main menu", icon="◀")),
            *footer(),
            getter=sent_getter,
            state=TortureSG.sent,
        ),
    )


async def on_draft_intro(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await manager.switch_to(TortureSG.draft)
