"""Languages: catalogs, the person's locale, and compiling catalogs at start.

The catalogs (`locales/<lang>/LC_MESSAGES/messages.po`) are the only place user-facing texts
live. They are compiled to `.mo` at every start into DATA_DIR, so a translator's edit is picked
up by a restart and no compiled file is ever committed or out of date.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.dates import format_timedelta
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.config import LANGUAGES

logger = logging.getLogger(__name__)

DOMAIN = "messages"
FALLBACK_LANGUAGE = "ru"

LANGUAGE_NAMES: dict[str, str] = {
    "kk": "Қазақша",
    "ky": "Кыргызча",
    "tg": "Тоҷикӣ",
    "uz": "Oʻzbekcha",
    "ru": "Русский",
    "en": "English",
}
"""Each language named in itself, as the picker shows it (not translated on purpose)."""


def N_(text: str) -> str:
    """Marks a text for translation where it is defined; it is translated where it is shown."""
    return text


def normalize_language(code: str | None) -> str | None:
    """Telegram's language_code ("ru", "uz-Latn", "en-US") to one of ours, or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def compile_catalogs(locales_dir: Path, out_dir: Path) -> Path:
    """Compile every `.po` under locales_dir into out_dir and return out_dir.

    A text missing in one language is taken from Russian, the language most survivors in the
    region read, rather than shown in English; `tests/test_i18n.py` fails on any such gap.
    """
    fallback_path = locales_dir / FALLBACK_LANGUAGE / "LC_MESSAGES" / f"{DOMAIN}.po"
    fallback = read_catalog(fallback_path) if fallback_path.exists() else None
    for language in LANGUAGES:
        po_path = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po_path.exists():
            raise FileNotFoundError(f"missing catalog {po_path}")
        catalog = read_catalog(po_path, locale=language)
        if fallback is not None and language != FALLBACK_LANGUAGE:
            for message in catalog:
                if message.id and (not _translated(message.string) or message.fuzzy):
                    backup = fallback.get(message.id, message.context)
                    if backup is not None and _translated(backup.string):
                        message.string = backup.string
                        message.flags.discard("fuzzy")
        mo_path = out_dir / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)
    return out_dir


def _translated(string: Any) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def create_i18n(locales_dir: Path, compiled_dir: Path, default_locale: str) -> I18n:
    return I18n(
        path=compile_catalogs(locales_dir, compiled_dir),
        default_locale=default_locale,
        domain=DOMAIN,
    )


class PersonLocaleMiddleware(I18nMiddleware):
    """The person's saved language, else Telegram's language_code if it is ours, else default.

    Reads `person_language`, put into the data by DatabaseMiddleware, which runs first
    (it is an outer middleware on `update`; this one is on each event observer).
    """

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        saved = data.get("person_language")
        if saved in LANGUAGES:
            return str(saved)
        user: User | None = data.get("event_from_user")
        detected = normalize_language(user.language_code if user else None)
        return detected or self.i18n.default_locale


_TAJIK_UNITS = (("рӯз", 86400), ("соат", 3600), ("дақиқа", 60))
"""Babel (CLDR) has no Tajik unit names and would print "2 h" in a Tajik sentence. Tajik
numerals take no plural, so the unit word after the number is all that is needed."""


def format_age(age: timedelta, language: str) -> str:
    """How long something has waited, in the language: `2 часа`, `2 соат`, `5 minutes`.
    Never less than a minute (a fresh request has not waited "0 seconds")."""
    age = max(age, timedelta(minutes=1))
    if language == "tg":
        # Like Babel's threshold=2: a unit is used from two of it on (90 minutes, not 1 hour).
        seconds = age.total_seconds()
        for word, size in _TAJIK_UNITS:
            if seconds >= 2 * size or size == 60:
                return f"{round(seconds / size)} {word}"
    return format_timedelta(age, granularity="minute", threshold=2, locale=language)
