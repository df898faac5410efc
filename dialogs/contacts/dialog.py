"""'Where can I get help': the first number of each kind at once, then every contact by topic,
and the emergency numbers one tap away from every screen."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, Window
from aiogram_dialog.widgets.kbd import Back, Button, Cancel, Column, Row
from aiogram_dialog.widgets.text import Const, Format

from bot.config import COUNTRIES
from bot.contacts import CATEGORIES, ContactsWatcher
from bot.services.people import PeopleService, UnknownChoiceError
from dialogs.common import Tr, choices, country_names, exit_button, paragraphs, safety_row
from dialogs.contacts.render import (
    category_name,
    emergency_block,
    emergency_line,
    overview,
    pages,
)
from dialogs.fallback import unexpected_input
from dialogs.states import ContactsSG, EmergencySG

ID_CATEGORY = "cat"
CATEGORY = "category"
PAGE = "page"


async def overview_getter(
    people: PeopleService,
    pseudonym: str,
    contacts: ContactsWatcher,
    i18n: I18n,
    **_kwargs: Any,
) -> dict[str, Any]:
    # Read the country afresh: "changing country changes every list at once".
    country = await people.country_of(pseudonym) or ""
    book = contacts.book
    language = i18n.current_locale
    return {
        "has_country": bool(country),
        "country": country_names().get(country, ""),
        "emergency": emergency_line(book, country, language) if country else "",
        "overview": overview(book, country, language) if country else "",
        "categories": [
            (category, category_name(category))
            for category in (book.categories(country) if country else [])
        ],
    }


async def on_category(
    callback: CallbackQuery, _widget: Any, manager: DialogManager, category: str
) -> None:
    manager.dialog_data[CATEGORY] = category
    manager.dialog_data[PAGE] = 0
    await manager.switch_to(ContactsSG.entries)


async def entries_getter(
    dialog_manager: DialogManager,
    people: PeopleService,
    pseudonym: str,
    contacts: ContactsWatcher,
    i18n: I18n,
    **_kwargs: Any,
) -> dict[str, Any]:
    country = await people.country_of(pseudonym) or ""
    category = dialog_manager.dialog_data.get(CATEGORY, "emergency")
    book = contacts.book
    screens = pages(book.entries(country, category), book, i18n.current_locale)
    return {
        "title": category_name(category),
        "country": country_names().get(country, ""),
        **page_of(dialog_manager, [screen or _nothing() for screen in screens]),
    }


def page_of(manager: DialogManager, screens: list[str]) -> dict[str, Any]:
    """The page of `screens` the person is on (`body`), and what the page buttons need."""
    # The files may have been reloaded with fewer entries since the page was chosen.
    page = min(int(manager.dialog_data.get(PAGE, 0)), len(screens) - 1)
    manager.dialog_data[PAGE] = page
    return {
        "body": screens[page],
        "first": page == 0,
        "page": page + 1,
        "pages": len(screens),
        "paged": len(screens) > 1,
        "has_prev": page > 0,
        "has_next": page < len(screens) - 1,
    }


def page_buttons() -> Row:
    """◀ ▶ between the pages of `page_of`."""
    return Row(
        Button(Const("◀"), id="prev", on_click=on_page, when="has_prev"),
        Button(Const("▶"), id="next", on_click=on_page, when="has_next"),
    )


def _nothing() -> str:
    return _("Nothing is listed here at the moment.")


async def on_page(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    step = 1 if button.widget_id == "next" else -1
    manager.dialog_data[PAGE] = max(0, int(manager.dialog_data.get(PAGE, 0)) + step)


async def emergency_getter(
    people: PeopleService,
    pseudonym: str | None,
    contacts: ContactsWatcher,
    i18n: I18n,
    **_kwargs: Any,
) -> dict[str, Any]:
    country = await people.country_of(pseudonym) if pseudonym else None
    book = contacts.book
    language = i18n.current_locale
    names = country_names()
    if country:
        blocks = emergency_block(book, country, language)
    else:
        # Before a country is chosen: all four, each under its name.
        blocks = "\n\n".join(
            f"<b>{names[code]}</b>\n{emergency_block(book, code, language)}" for code in COUNTRIES
        )
    return {"blocks": blocks}


def _known_category(value: str) -> str:
    if value not in CATEGORIES:
        raise UnknownChoiceError(value)
    return value


def create_dialog() -> Dialog:
    return Dialog(
        Window(
            paragraphs(
                Tr("Where to get help — {country}", bold=True, when="has_country"),
                Tr("In danger right now? Call {emergency}", icon="🆘", when="has_country"),
                Format("{overview}", when="has_country"),
                Tr("Choose a topic to see every contact, with hours and places:"),
            ),
            Column(
                choices(ID_CATEGORY, "categories", on_category, _known_category),
            ),
            Cancel(Tr("Main menu", icon="◀")),
            exit_button(),
            unexpected_input(),
            getter=overview_getter,
            state=ContactsSG.overview,
        ),
        Window(
            paragraphs(
                Format("<b>{title}</b> · {country}"),
                Format("{body}"),
                Tr("Page {page} of {pages}", when="paged"),
            ),
            page_buttons(),
            Back(Tr("All topics", icon="◀")),
            safety_row(),
            unexpected_input(),
            getter=entries_getter,
            state=ContactsSG.entries,
        ),
    )


def create_emergency_dialog() -> Dialog:
    return Dialog(
        Window(
            paragraphs(
                Tr("In danger right now? Call:", bold=True),
                Format("{blocks}"),
                Tr("If you can, go to a safe place: a neighbour, a relative, a shop, a pharmacy."),
            ),
            Cancel(Tr("Back", icon="◀")),
            exit_button(),
            unexpected_input(),
            getter=emergency_getter,
            state=EmergencySG.numbers,
        ),
    )
