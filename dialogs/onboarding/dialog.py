"""The first conversation: welcome, language, country. Also used later to change either."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery
from aiogram.utils.i18n import I18n
from aiogram_dialog import Dialog, DialogManager, StartMode, Window
from aiogram_dialog.widgets.kbd import Back, Column

from bot.config import COUNTRIES, LANGUAGES
from bot.i18n import LANGUAGE_NAMES
from bot.services.people import PeopleService
from dialogs.common import (
    MODE,
    MODE_CHANGE,
    MODE_ONBOARDING,
    RETURN,
    RETURN_PARENT,
    Tr,
    choices,
    country_names,
    one_of,
    paragraphs,
    safety_row,
)
from dialogs.fallback import unexpected_input
from dialogs.states import MainSG, OnboardingSG

ID_LANGUAGE = "language"
ID_COUNTRY = "country"


def _mode(manager: DialogManager) -> str:
    start_data = manager.start_data if isinstance(manager.start_data, dict) else {}
    return str(start_data.get(MODE, MODE_ONBOARDING))


async def language_getter(
    dialog_manager: DialogManager, i18n: I18n, **_kwargs: Any
) -> dict[str, Any]:
    mode = _mode(dialog_manager)
    current = i18n.current_locale
    # The language Telegram reports (or the saved one) is offered first.
    ordered = [current, *[code for code in LANGUAGES if code != current]]
    mark = mode == MODE_CHANGE
    return {
        "onboarding": mode == MODE_ONBOARDING,
        "changing": mode != MODE_ONBOARDING,
        "languages": [
            (code, ("✓ " if mark and code == current else "") + LANGUAGE_NAMES[code])
            for code in ordered
        ],
    }


async def country_getter(
    dialog_manager: DialogManager,
    people: PeopleService,
    pseudonym: str,
    **_kwargs: Any,
) -> dict[str, Any]:
    mode = _mode(dialog_manager)
    person = await people.find(pseudonym)
    chosen = person.country if person and mode == MODE_CHANGE else None
    names = country_names()
    return {
        "onboarding": mode == MODE_ONBOARDING,
        "countries": [
            (code, ("✓ " if code == chosen else "") + names[code]) for code in COUNTRIES
        ],
    }


async def on_language(
    callback: CallbackQuery,
    _widget: Any,
    manager: DialogManager,
    language: str,
) -> None:
    data = manager.middleware_data
    people: PeopleService = data["people"]
    person = await people.choose_language(data["pseudonym"], language)
    # Switch now, so the next screen of this very update is already in the chosen language.
    data["i18n"].current_locale = language
    if _mode(manager) == MODE_ONBOARDING or person.country is None:
        await manager.switch_to(OnboardingSG.country)
    else:
        await _finish(manager)


async def on_country(
    callback: CallbackQuery,
    _widget: Any,
    manager: DialogManager,
    country: str,
) -> None:
    data = manager.middleware_data
    people: PeopleService = data["people"]
    person = await people.choose_country(data["pseudonym"], country)
    if person.language is None:
        # Came straight to /country: keep the language they have been reading in.
        await people.choose_language(data["pseudonym"], data["i18n"].current_locale)
    await _finish(manager)


async def _finish(manager: DialogManager) -> None:
    start_data = manager.start_data if isinstance(manager.start_data, dict) else {}
    if start_data.get(RETURN) == RETURN_PARENT:
        await manager.done()
    else:
        await manager.start(MainSG.menu, mode=StartMode.RESET_STACK)


def create_dialog() -> Dialog:
    return Dialog(
        Window(
            paragraphs(
                Tr(
                    "Hello. This is a safe place to find support after violence or abuse.\n\n"
                    "Here you will find calming exercises, the hotlines and crisis centres of "
                    "your country, and a way to ask for a lawyer.\n\n"
                    "• It is anonymous: we do not see or keep your name or phone number.\n"
                    "• It is free.\n"
                    "• You can stop at any moment with the ✕ Exit button.",
                    when="onboarding",
                ),
                Tr("Please choose your language:", when="onboarding"),
                Tr("Choose your language:", when="changing"),
            ),
            Column(
                choices(ID_LANGUAGE, "languages", on_language, one_of(LANGUAGES)),
            ),
            safety_row(),
            unexpected_input(),
            getter=language_getter,
            state=OnboardingSG.language,
        ),
        Window(
            Tr(
                "Which country are you in? We will show you the help that is available "
                "there.\n\nWe never ask for your exact location."
            ),
            Column(
                choices(ID_COUNTRY, "countries", on_country, one_of(COUNTRIES)),
            ),
            Back(Tr("Back", icon="◀"), when="onboarding"),
            safety_row(),
            unexpected_input(),
            getter=country_getter,
            state=OnboardingSG.country,
        ),
    )
