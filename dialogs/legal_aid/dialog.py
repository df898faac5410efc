"""A request for free legal aid: consent, five questions, a summary, and then the open case
(write more, see its status, withdraw it).

Nothing the person types is stored until they press Send: until then it lives only in the
dialog's (encrypted) state. What they send is encrypted in the case (bot/services/cases.py).
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.enums import ContentType
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Cancel, Column, Group, Row, Start, SwitchTo
from aiogram_dialog.widgets.text import Format
from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession

from bot.contacts import ContactsWatcher
from bot.i18n import N_, format_age
from bot.regions import Regions
from bot.services.cases import (
    CATEGORIES,
    URGENCIES,
    BadPhone,
    CaseAlreadyOpen,
    CaseDraft,
    DailyLimitReached,
    PersonBlocked,
    StoryTooLong,
    clean_phone,
    clean_region,
    clean_story,
    example_phone,
)
from bot.services.casework import CaseDesk
from bot.services.hours import COUNTRY_ZONES, OperatorHours
from bot.services.people import PeopleService, UnknownChoiceError
from dialogs.common import (
    NOTICE,
    Notice,
    Tr,
    choices,
    current_language,
    one_of,
    paragraphs,
    safety_row,
)
from dialogs.contacts.render import always_open_block, emergency_block
from dialogs.fallback import DANGER_SHOWN, answer_unexpected_in_window, unexpected_input
from dialogs.operators.cards import CATEGORY_LABELS, LABELS, URGENCY_ICONS, URGENCY_LABELS
from dialogs.states import ContactsSG, LegalAidSG

CATEGORY = "category"
REGION = "region"  # a region code from resources/regions.yaml, or what the person typed
STORY = "story"
URGENCY = "urgency"
PHONE = "phone"
EDITING = "editing"  # one answer being changed from the summary, then straight back to it
CODE = "code"
RETRY_AT = "retry_at"
DANGER = "danger"  # the danger check fired on the story
PRESET = "preset"  # the category was known when the request began (e.g. from the torture guide)

SENT_TO_TEAM = N_("Sent to the team. You can write more, or go back.")
WITHDRAWN = N_("Your request is withdrawn. The operators will no longer see your messages.")
NOT_SENT = N_("Your request was not sent. Nothing of it is kept.")
CLOSED_NOT_SENT = N_(
    "Your request has been closed, so this message was not sent. If you need help again, "
    "you can send a new request."
)
CONTACT_CHAT = N_("Only in this chat")
CONTACT_PHONE = N_("By phone: {phone}")
STATUS_WAITING = N_("waiting for an operator")
STATUS_WORKING = N_("an operator is working on it")


# ---- entering --------------------------------------------------------------------------------


async def open_legal_aid(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """From the main menu: the open case if there is one, else the explanation first."""
    await start_legal_aid(manager)


async def start_legal_aid(manager: DialogManager, category: str | None = None) -> None:
    """The open case if there is one, else the explanation first. A `category` known from
    where the person comes (the torture guidance) is not asked again."""
    data = manager.middleware_data
    desk: CaseDesk = data["case_desk"]
    if not desk.enabled:
        await manager.start(LegalAidSG.unavailable)
        return
    cases = desk.cases(data["session"])
    if await cases.is_blocked(data["pseudonym"]):
        await manager.start(LegalAidSG.blocked)
        return
    if await cases.active_for(data["pseudonym"]) is not None:
        await manager.start(LegalAidSG.case)
        return
    retry_at = await cases.next_allowed(data["pseudonym"])
    if retry_at is not None:
        await manager.start(LegalAidSG.limit, data={RETRY_AT: retry_at.isoformat()})
        return
    if category is not None and category not in CATEGORIES:
        raise UnknownChoiceError(category)
    preset = {CATEGORY: category, PRESET: True} if category else None
    await manager.start(LegalAidSG.consent, data=preset)


async def on_start(start_data: Any, manager: DialogManager) -> None:
    if isinstance(start_data, dict):
        manager.dialog_data.update(start_data)


async def _country(manager: DialogManager) -> str | None:
    data = manager.middleware_data
    people: PeopleService = data["people"]
    return await people.country_of(data["pseudonym"])


# ---- moving through the questions ------------------------------------------------------------

ORDER = (LegalAidSG.category, LegalAidSG.region, LegalAidSG.story, LegalAidSG.urgency)


async def _next(manager: DialogManager, after: Any) -> None:
    """The next question, or the summary when an answer was being changed."""
    if manager.dialog_data.pop(EDITING, None):
        await manager.switch_to(LegalAidSG.summary)
        return
    steps = [*ORDER, LegalAidSG.contact]
    await manager.switch_to(steps[steps.index(after) + 1])


async def _back(manager: DialogManager, current: Any) -> None:
    if manager.dialog_data.pop(EDITING, None):
        await manager.switch_to(LegalAidSG.summary)
        return
    if current == LegalAidSG.region and manager.dialog_data.get(PRESET):
        await manager.switch_to(LegalAidSG.consent)  # the category was never asked
        return
    steps = [LegalAidSG.consent, *ORDER, LegalAidSG.contact]
    await manager.switch_to(steps[steps.index(current) - 1])


async def on_agree(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    preset = manager.dialog_data.get(PRESET) and manager.dialog_data.get(CATEGORY)
    await manager.switch_to(LegalAidSG.region if preset else LegalAidSG.category)


async def on_category(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, category: str
) -> None:
    manager.dialog_data[CATEGORY] = category
    await _next(manager, LegalAidSG.category)


async def on_region(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, code: str
) -> None:
    regions: Regions = manager.middleware_data["regions"]
    region = regions.get(code)
    if region is None or region.country != await _country(manager):
        raise UnknownChoiceError(code)
    manager.dialog_data[REGION] = code
    await _next(manager, LegalAidSG.region)


async def on_region_typed(message: Message, _widget: Any, manager: DialogManager) -> None:
    if not _is_plain_text(message):
        await answer_unexpected_in_window(message, manager)
        return
    manager.show_mode = ShowMode.DELETE_AND_SEND
    try:
        region = clean_region(message.text)
    except ValueError:
        await message.answer(
            _("That is long for a place name. Please write just the city or region.")
        )
        return
    manager.dialog_data[REGION] = region
    await _next(manager, LegalAidSG.region)


async def on_story(message: Message, _widget: Any, manager: DialogManager) -> None:
    if not _is_plain_text(message):
        await answer_unexpected_in_window(message, manager)
        return
    manager.show_mode = ShowMode.DELETE_AND_SEND
    try:
        story = clean_story(message.text)
    except StoryTooLong as error:
        await message.answer(
            _(
                "That is {length} characters; a request holds up to {limit}. Please send a "
                "shorter version with what matters most: an operator will ask about the rest."
            ).format(length=error.length, limit=error.limit)
        )
        return
    manager.dialog_data[STORY] = story
    if manager.middleware_data.get(DANGER_SHOWN):
        manager.dialog_data[DANGER] = True  # for the operators' card
    await _next(manager, LegalAidSG.story)


async def on_urgency(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, urgency: str
) -> None:
    manager.dialog_data[URGENCY] = urgency
    if urgency == "now":  # danger first: the numbers before anything else
        await manager.switch_to(LegalAidSG.urgent)
        return
    await _next(manager, LegalAidSG.urgency)


async def on_urgent_continue(
    callback: CallbackQuery, _button: Button, manager: DialogManager
) -> None:
    await _next(manager, LegalAidSG.urgency)


async def on_contact_chat(
    callback: CallbackQuery, _button: Button, manager: DialogManager
) -> None:
    manager.dialog_data[PHONE] = None
    manager.dialog_data.pop(EDITING, None)
    await manager.switch_to(LegalAidSG.summary)


async def on_phone(message: Message, _widget: Any, manager: DialogManager) -> None:
    if not _is_plain_text(message):
        await answer_unexpected_in_window(message, manager)
        return
    manager.show_mode = ShowMode.DELETE_AND_SEND
    country = await _country(manager) or "KZ"
    try:
        phone = clean_phone(message.text, country)
    except BadPhone:
        await message.answer(
            _(
                "This does not look like a phone number I can pass on. Please write it with "
                "the country code, for example {example}, or choose “Only in this chat”."
            ).format(example=example_phone(country))
        )
        return
    manager.dialog_data[PHONE] = phone
    manager.dialog_data.pop(EDITING, None)
    await manager.switch_to(LegalAidSG.summary)


def _is_plain_text(message: Message) -> bool:
    return message.content_type == ContentType.TEXT and not (message.text or "").startswith("/")


async def on_skip(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    state = {"skip_region": LegalAidSG.region, "skip_story": LegalAidSG.story}[button.widget_id]
    manager.dialog_data[REGION if state == LegalAidSG.region else STORY] = None
    await _next(manager, state)


async def on_back(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    current = manager.current_context().state
    if current == LegalAidSG.urgent:
        await manager.switch_to(LegalAidSG.urgency)
    elif current == LegalAidSG.phone:
        await manager.switch_to(LegalAidSG.contact)
    else:
        await _back(manager, current)


async def on_edit(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, field: str
) -> None:
    states = {
        CATEGORY: LegalAidSG.category,
        REGION: LegalAidSG.region,
        STORY: LegalAidSG.story,
        URGENCY: LegalAidSG.urgency,
        PHONE: LegalAidSG.contact,
    }
    if field not in states:
        raise UnknownChoiceError(field)
    manager.dialog_data[EDITING] = field
    await manager.switch_to(states[field])


# ---- sending ---------------------------------------------------------------------------------


async def on_send(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    data = manager.middleware_data
    desk: CaseDesk = data["case_desk"]
    answers = manager.dialog_data
    country = await _country(manager)
    if country is None or callback.message is None:
        raise UnknownChoiceError("country")
    draft = CaseDraft(
        category=answers.get(CATEGORY) or "other",
        country=country,
        urgency=answers.get(URGENCY) or "not_urgent",
        region=answers.get(REGION),
        story=answers.get(STORY),
        phone=answers.get(PHONE),
        danger=bool(answers.get(DANGER)) and answers.get(STORY) is not None,
    )
    session: AsyncSession = data["session"]
    try:
        case = await desk.submit(
            session, data["pseudonym"], callback.message.chat.id, draft, current_language(manager)
        )
    except PersonBlocked:  # blocked while filling in the form: nothing of it is kept
        for key in (CATEGORY, REGION, STORY, URGENCY, PHONE, DANGER, PRESET):
            answers.pop(key, None)
        await manager.switch_to(LegalAidSG.blocked)
        return
    except CaseAlreadyOpen:  # sent from another device a moment ago
        await manager.switch_to(LegalAidSG.case)
        return
    except DailyLimitReached as error:
        await manager.switch_to(LegalAidSG.limit)
        manager.dialog_data[RETRY_AT] = error.retry_at.isoformat()
        return
    for key in (CATEGORY, REGION, STORY, URGENCY, PHONE, DANGER, PRESET):
        answers.pop(key, None)  # sent: the dialog's state keeps none of it any longer
    answers[CODE] = case.code
    await manager.switch_to(LegalAidSG.sent)


async def on_cancel(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await manager.done(result={NOTICE: NOT_SENT})


# ---- the open case ---------------------------------------------------------------------------


async def on_write(message: Message, _widget: Any, manager: DialogManager) -> None:
    if not _is_plain_text(message):
        if message.content_type == ContentType.TEXT:  # a command
            await answer_unexpected_in_window(message, manager)
            return
        await message.answer(
            _("Only text can be sent to the team for now. Please describe it in words.")
        )
        manager.show_mode = ShowMode.DELETE_AND_SEND
        return
    data = manager.middleware_data
    desk: CaseDesk = data["case_desk"]
    case = await desk.person_writes(
        data["session"],
        data["pseudonym"],
        message.chat.id,
        message.text or "",
        danger=bool(data.get(DANGER_SHOWN)),
    )
    manager.show_mode = ShowMode.DELETE_AND_SEND
    if case is None and await desk.cases(data["session"]).is_blocked(data["pseudonym"]):
        await manager.switch_to(LegalAidSG.blocked)  # the one neutral answer, never why
        return
    if case is None:  # closed by an operator meanwhile
        await message.answer(_(CLOSED_NOT_SENT))
        await manager.switch_to(LegalAidSG.case)
        return
    manager.dialog_data[NOTICE] = SENT_TO_TEAM


async def on_withdraw(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    data = manager.middleware_data
    desk: CaseDesk = data["case_desk"]
    await desk.withdraw(data["session"], data["pseudonym"])
    await manager.done(result={NOTICE: WITHDRAWN})


# ---- getters ---------------------------------------------------------------------------------


async def consent_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    settings = dialog_manager.middleware_data["settings"]
    preset = bool(dialog_manager.dialog_data.get(PRESET))
    return {"days": settings.case_retention_days, "preset": preset, "ask_all": not preset}


async def categories_getter(**_kwargs: Any) -> dict[str, Any]:
    return {"categories": [(key, _(CATEGORY_LABELS[key])) for key in CATEGORIES]}


async def regions_getter(
    dialog_manager: DialogManager, regions: Regions, **_kwargs: Any
) -> dict[str, Any]:
    country = await _country(dialog_manager)
    language = current_language(dialog_manager)
    items = [(region.code, region.name(language)) for region in regions.for_country(country or "")]
    return {"regions": items, **_current(dialog_manager, REGION, regions)}


async def story_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    return _current(dialog_manager, STORY, None)


def _current(manager: DialogManager, key: str, regions: Regions | None) -> dict[str, Any]:
    value = manager.dialog_data.get(key)
    if value and regions is not None:
        value = regions.name(value, current_language(manager)) or value
    return {"current": escape(value or ""), "has_current": bool(value)}


async def urgencies_getter(**_kwargs: Any) -> dict[str, Any]:
    return {
        "urgencies": [(key, f"{URGENCY_ICONS[key]} {_(URGENCY_LABELS[key])}") for key in URGENCIES]
    }


async def emergency_getter(
    dialog_manager: DialogManager, contacts: ContactsWatcher, **_kwargs: Any
) -> dict[str, Any]:
    country = await _country(dialog_manager) or "KZ"
    return {"blocks": emergency_block(contacts.book, country, current_language(dialog_manager))}


async def summary_getter(
    dialog_manager: DialogManager, regions: Regions, **_kwargs: Any
) -> dict[str, Any]:
    answers = dialog_manager.dialog_data
    language = current_language(dialog_manager)
    region = answers.get(REGION)
    region = (regions.name(region, language) or region) if region else None
    urgency = answers.get(URGENCY) or "not_urgent"
    phone = answers.get(PHONE)
    contact = _(CONTACT_PHONE).format(phone=phone) if phone else _(CONTACT_CHAT)
    category = answers.get(CATEGORY) or "other"
    rows = [
        (LABELS["About"], _(CATEGORY_LABELS[category])),
        (LABELS["Region or city"], region or "—"),
        (LABELS["What happened"], answers.get(STORY) or "—"),
        (LABELS["Urgency"], f"{URGENCY_ICONS[urgency]} {_(URGENCY_LABELS[urgency])}"),
        (LABELS["Contact"], contact),
    ]
    summary = "\n".join(f"<b>{escape(_(label))}:</b> {escape(value)}" for label, value in rows)
    return {
        "summary": summary,
        "fields": [
            (CATEGORY, _(LABELS["About"])),
            (REGION, _(LABELS["Region or city"])),
            (STORY, _(LABELS["What happened"])),
            (URGENCY, _(LABELS["Urgency"])),
            (PHONE, _(LABELS["Contact"])),
        ],
    }


async def sent_getter(
    dialog_manager: DialogManager,
    contacts: ContactsWatcher,
    operator_hours: OperatorHours,
    **_kwargs: Any,
) -> dict[str, Any]:
    language = current_language(dialog_manager)
    country = await _country(dialog_manager) or "KZ"
    now = datetime.now(operator_hours.zone)
    at_work = operator_hours.is_open(now)
    return {
        "code": dialog_manager.dialog_data.get(CODE, ""),
        "hours": operator_hours.describe(language, country),
        "at_work": at_work,
        "away": not at_work,
        "always": always_open_block(contacts.book, country, language),
    }


async def case_getter(
    dialog_manager: DialogManager, case_desk: CaseDesk, session: AsyncSession, **_kwargs: Any
) -> dict[str, Any]:
    pseudonym = dialog_manager.middleware_data["pseudonym"]
    case = await case_desk.cases(session).active_for(pseudonym)
    if case is None:
        return {"code": "", "status": "", "age": "", "active": False, "closed": True}
    return {
        "code": case.code,
        "status": _(STATUS_WORKING if case.claimed_by else STATUS_WAITING),
        "age": format_age(case.age, current_language(dialog_manager)),
        "active": True,
        "closed": False,
    }


async def limit_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    raw = dialog_manager.dialog_data.get(RETRY_AT)
    language = current_language(dialog_manager)
    when = ""
    if raw:  # in the person's own time (their country's zone)
        zone = ZoneInfo(COUNTRY_ZONES.get(await _country(dialog_manager) or "", "Asia/Almaty"))
        moment = datetime.fromisoformat(raw).astimezone(zone)
        when = format_datetime(moment, "d MMMM HH:mm", locale=language)
    return {"when": when}


# ---- windows ---------------------------------------------------------------------------------


def _back_button() -> Button:
    return Button(Tr("Back", icon="◀"), id="back", on_click=on_back)


def create_dialog() -> Dialog:
    return Dialog(
        Window(
            paragraphs(
                Tr("A request for a lawyer", bold=True),
                Tr(
                    "Here you can ask for free legal help. Before you start, what happens "
                    "with your request:"
                ),
                Tr(
                    "• It is read by trained operators of partner organisations.\n"
                    "• They do not see your name, username, phone number or account: only "
                    "what you write here.\n"
                    "• Their answers come in this chat, from “the support team”.\n"
                    "• Your request is kept encrypted and deleted {days} days after it is "
                    "closed.\n"
                    "• You can withdraw it at any time."
                ),
                Tr("There are five short questions. Do you want to continue?", when="ask_all"),
                Tr("There are four short questions. Do you want to continue?", when="preset"),
            ),
            Button(Tr("Yes, continue"), id="agree", on_click=on_agree),
            Cancel(Tr("Back", icon="◀")),
            safety_row(),
            unexpected_input(),
            getter=consent_getter,
            state=LegalAidSG.consent,
        ),
        Window(
            paragraphs(Format("1/5"), Tr("What is it about?", bold=True)),
            Column(
                choices("category", "categories", on_category, one_of(CATEGORIES)),
            ),
            _back_button(),
            safety_row(),
            unexpected_input(),
            getter=categories_getter,
            state=LegalAidSG.category,
        ),
        Window(
            paragraphs(
                Format("2/5"),
                Tr("Where are you?", bold=True),
                Tr("Choose your region or city, or write its name in a message."),
                Tr("Your answer now: {current}", when="has_current"),
            ),
            Group(
                choices("region", "regions", on_region),
                width=2,
            ),
            Row(_back_button(), Button(Tr("Skip", icon="⏭"), id="skip_region", on_click=on_skip)),
            safety_row(),
            MessageInput(on_region_typed, content_types=ContentType.ANY),
            getter=regions_getter,
            state=LegalAidSG.region,
        ),
        Window(
            paragraphs(
                Format("3/5"),
                Tr("What happened?", bold=True),
                Tr(
                    "Write it in your own words, as briefly or as fully as you want (up to "
                    "2000 characters). It is encrypted and read only by the operators. You can "
                    "skip this: an operator will ask you."
                ),
                Tr("Your answer now: {current}", when="has_current"),
            ),
            Row(_back_button(), Button(Tr("Skip", icon="⏭"), id="skip_story", on_click=on_skip)),
            safety_row(),
            MessageInput(on_story, content_types=ContentType.ANY),
            getter=story_getter,
            state=LegalAidSG.story,
        ),
        Window(
            paragraphs(Format("4/5"), Tr("How urgent is it?", bold=True)),
            Column(
                choices("urgency", "urgencies", on_urgency, one_of(URGENCIES)),
            ),
            _back_button(),
            safety_row(),
            unexpected_input(),
            getter=urgencies_getter,
            state=LegalAidSG.urgency,
        ),
        Window(
            paragraphs(
                Tr("If you are in danger right now, call:", icon="🆘", bold=True),
                Format("{blocks}"),
                Tr(
                    "Your request will be marked urgent, but an operator may not be able to "
                    "answer at once. The numbers above answer now."
                ),
            ),
            Button(Tr("Continue the request"), id="continue", on_click=on_urgent_continue),
            _back_button(),
            safety_row(),
            unexpected_input(),
            getter=emergency_getter,
            state=LegalAidSG.urgent,
        ),
        Window(
            paragraphs(
                Format("5/5"),
                Tr("How should the operators contact you?", bold=True),
                Tr("Writing in this chat is the safest: nobody hears a call."),
            ),
            Column(
                Button(Tr("Only in this chat"), id="by_chat", on_click=on_contact_chat),
                SwitchTo(Tr("By phone"), id="by_phone", state=LegalAidSG.phone),
            ),
            _back_button(),
            safety_row(),
            unexpected_input(),
            state=LegalAidSG.contact,
        ),
        Window(
            paragraphs(
                Tr("Write the phone number to call.", bold=True),
                Tr(
                    "Think first about who may see or hear a call: someone near you may pick "
                    "up the phone or see the number. If that could be dangerous, go back and "
                    "choose “Only in this chat”.",
                    icon="⚠️",
                ),
            ),
            _back_button(),
            safety_row(),
            MessageInput(on_phone, content_types=ContentType.ANY),
            state=LegalAidSG.phone,
        ),
        Window(
            paragraphs(
                Tr("Your request. Please check it before sending:", bold=True),
                Format("{summary}"),
            ),
            Button(Tr("Send", icon="✉️"), id="send", on_click=on_send),
            SwitchTo(Tr("Edit", icon="✏️"), id="edit", state=LegalAidSG.edit),
            Button(Tr("Cancel, don't send"), id="cancel", on_click=on_cancel),
            safety_row(),
            unexpected_input(),
            getter=summary_getter,
            state=LegalAidSG.summary,
        ),
        Window(
            Tr("What do you want to change?"),
            Column(
                choices("field", "fields", on_edit),
                SwitchTo(Tr("Back", icon="◀"), id="back_summary", state=LegalAidSG.summary),
            ),
            safety_row(),
            unexpected_input(),
            getter=summary_getter,
            state=LegalAidSG.edit,
        ),
        Window(
            paragraphs(
                Tr("Your request is sent. Its code: {code}", icon="✓", bold=True),
                Tr(
                    "An operator will read it and write to you here, in this chat, as “the "
                    "support team”. You can write more to your request, see its status or "
                    "withdraw it from the menu: “I need a lawyer”."
                ),
                Tr(
                    "Operators work {hours}. You can usually expect an answer within one "
                    "working day.",
                    when="at_work",
                ),
                Tr(
                    "Operators are not at work right now; they work {hours}. If you need "
                    "someone now, these lines answer day and night:",
                    when="away",
                ),
                Format("{always}", when="away"),
            ),
            Cancel(Tr("Main menu", icon="◀")),
            safety_row(),
            unexpected_input(),
            getter=sent_getter,
            state=LegalAidSG.sent,
        ),
        Window(
            paragraphs(
                Notice(),
                Tr("Your request {code}", bold=True, when="active"),
                Tr("Status: {status}. Sent {age} ago.", when="active"),
                Tr("Your request is closed.", when="closed"),
            ),
            Column(
                SwitchTo(
                    Tr("Write to the team"), id="write", state=LegalAidSG.write, when="active"
                ),
                SwitchTo(
                    Tr("Withdraw my request"),
                    id="withdraw",
                    state=LegalAidSG.withdraw,
                    when="active",
                ),
                Cancel(Tr("Main menu", icon="◀")),
            ),
            safety_row(),
            unexpected_input(),
            getter=case_getter,
            state=LegalAidSG.case,
        ),
        Window(
            paragraphs(
                Notice(),
                Tr(
                    "Write your message: it goes to the operators of request {code}. Only text "
                    "can be sent."
                ),
            ),
            SwitchTo(Tr("Back", icon="◀"), id="back_case", state=LegalAidSG.case),
            safety_row(),
            MessageInput(on_write, content_types=ContentType.ANY),
            getter=case_getter,
            state=LegalAidSG.write,
        ),
        Window(
            Tr(
                "Withdraw request {code}? The operators will stop working on it, and the link "
                "to this chat is deleted."
            ),
            Row(
                Button(Tr("Yes, withdraw"), id="confirm_withdraw", on_click=on_withdraw),
                SwitchTo(Tr("No, keep it"), id="keep", state=LegalAidSG.case),
            ),
            safety_row(),
            unexpected_input(),
            getter=case_getter,
            state=LegalAidSG.withdraw,
        ),
        Window(
            paragraphs(
                Tr(
                    "You have sent as many requests as one person can today. So that the "
                    "line stays open for everyone, you can send a new one from {when}."
                ),
                Tr("If you need help now, the contacts of your country are one tap away."),
            ),
            Start(Tr("Where can I get help"), id="contacts", state=ContactsSG.overview),
            Cancel(Tr("Main menu", icon="◀")),
            safety_row(),
            unexpected_input(),
            getter=limit_getter,
            state=LegalAidSG.limit,
        ),
        Window(
            # Blocked by the operators for abuse. Neutral on purpose: no reason, no blame (a
            # block can be a mistake, and the phone may be read by someone else); everything
            # else the bot offers stays one tap away.
            paragraphs(
                Tr("A request for a lawyer", bold=True),
                Tr("Requests to the operators cannot be sent from this account right now."),
                Tr(
                    "Self-help, the contacts of your country and the emergency numbers are "
                    "still here for you."
                ),
            ),
            Start(Tr("Where can I get help"), id="contacts", state=ContactsSG.overview),
            Cancel(Tr("Main menu", icon="◀")),
            safety_row(),
            unexpected_input(),
            state=LegalAidSG.blocked,
        ),
        Window(
            paragraphs(
                Tr("A request for a lawyer", bold=True),
                Tr(
                    "Requests to operators are not being taken here yet. Free legal aid "
                    "organisations of your country are in “Where can I get help”."
                ),
            ),
            Start(Tr("Where can I get help"), id="contacts", state=ContactsSG.overview),
            Cancel(Tr("Main menu", icon="◀")),
            safety_row(),
            unexpected_input(),
            state=LegalAidSG.unavailable,
        ),
        on_start=on_start,
    )
