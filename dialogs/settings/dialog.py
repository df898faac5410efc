"""Settings: the person's language and country, changeable at any time."""

from __future__ import annotations

from typing import Any

from aiogram.utils.i18n import I18n
from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.kbd import Cancel, Column, Start

from bot.i18n import LANGUAGE_NAMES
from bot.services.people import PeopleService
from dialogs.common import MODE, MODE_CHANGE, RETURN, RETURN_PARENT, Tr, country_names, safety_row
from dialogs.fallback import unexpected_input
from dialogs.states import OnboardingSG, PrivacySG, SettingsSG

CHANGE = {MODE: MODE_CHANGE, RETURN: RETURN_PARENT}


async def settings_getter(
    people: PeopleService,
    pseudonym: str,
    i18n: I18n,
    **_kwargs: Any,
) -> dict[str, Any]:
    # Read afresh: a change made a moment ago in this same update must show here.
    country = await people.country_of(pseudonym)
    return {
        "language": LANGUAGE_NAMES[i18n.current_locale],
        "country": country_names().get(country or "", "—"),
    }


def create_dialog() -> Dialog:
    return Dialog(
        Window(
            Tr("<b>Settings</b>\n\nLanguage: {language}\nCountry: {country}"),
            Column(
                Start(
                    Tr("Change language"), id="language", state=OnboardingSG.language, data=CHANGE
                ),
                Start(Tr("Change country"), id="country", state=OnboardingSG.country, data=CHANGE),
                Start(
                    Tr("What do you keep about me?", icon="🔒"), id="privacy", state=PrivacySG.kept
                ),
                Cancel(Tr("Main menu", icon="◀")),
            ),
            safety_row(),
            unexpected_input(),
            getter=settings_getter,
            state=SettingsSG.menu,
        ),
    )
