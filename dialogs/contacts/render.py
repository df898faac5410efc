"""Contacts as a person reads them on a phone: short lines, numbers as plain text (Telegram
makes them tappable), every value HTML-escaped (the files are edited by hand)."""

from __future__ import annotations

from datetime import date
from html import escape as _escape

from aiogram.utils.i18n import gettext as _
from babel.dates import format_date

from bot.contacts import ContactBook, Entry
from bot.i18n import N_

PAGE_LIMIT = 3500
"""Characters (UTF-16 units) per screen; Telegram allows 4096, the rest is headroom for the
title and page line."""

CATEGORY_NAMES: dict[str, str] = {
    "emergency": N_("Emergency: police, ambulance"),
    "violence_hotline": N_("Violence hotlines"),
    "crisis_centre": N_("Crisis centres and shelters"),
    "children": N_("Children and young people"),
    "psychological": N_("Psychological support"),
    "legal_aid": N_("Free legal aid"),
    "torture": N_("Torture, police abuse: complaints"),
}


def escape(text: str) -> str:
    """Text from the files, safe inside Telegram HTML (quotes need no escaping outside tags)."""
    return _escape(text, quote=False)


def category_name(category: str) -> str:
    return _(CATEGORY_NAMES[category])


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _checked(day: date, language: str) -> str:
    return format_date(day, format="medium", locale=language)


def phones_line(entry: Entry, language: str) -> str:
    parts = []
    for phone in entry.phones:
        label = f" ({escape(phone.label[language])})" if phone.label else ""
        parts.append(f"{escape(phone.display)}{label}")
    return ", ".join(parts)


def render_entry(entry: Entry, book: ContactBook, language: str) -> str:
    lines = [f"<b>{escape(entry.name[language])}</b>", escape(entry.description[language])]
    if entry.phones:
        lines.append("📞 " + phones_line(entry, language))
    if entry.telegram:
        lines.append("✈️ " + escape(entry.telegram))
    if entry.website:
        lines.append("🌐 " + escape(str(entry.website)))
    if entry.email:
        lines.append("✉️ " + escape(entry.email))
    if entry.hours is not None:
        if entry.hours.always:
            lines.append("🕐 " + _("Day and night, every day"))
        elif entry.hours.text is not None:
            lines.append("🕐 " + escape(entry.hours.text[language]))
    if entry.nationwide:
        lines.append("📍 " + _("Whole country"))
    else:
        places = [book.place_name(entry.country, place, language) for place in entry.area]
        lines.append("📍 " + escape(", ".join(places)))
    if entry.address is not None:
        lines.append("🏠 " + escape(entry.address[language]))
    if entry.cost == "free":
        lines.append("💚 " + _("Free of charge"))
    if entry.note is not None:
        lines.append("⚠️ " + escape(entry.note[language]))
    if entry.status == "single_source":
        lines.append("ℹ️ " + _("Found in one source only: not yet confirmed by a second one."))
    lines.append(
        "<i>" + _("Checked: {date}").format(date=_checked(entry.checked, language)) + "</i>"
    )
    return "\n".join(lines)


def pages(entries: list[Entry], book: ContactBook, language: str) -> list[str]:
    """Entries packed into screens that fit in a Telegram message; an entry is never split."""
    result: list[str] = []
    current: list[str] = []
    size = 0
    for entry in entries:
        block = render_entry(entry, book, language)
        block_size = utf16_length(block) + 2
        if current and size + block_size > PAGE_LIMIT:
            result.append("\n\n".join(current))
            current, size = [], 0
        current.append(block)
        size += block_size
    if current:
        result.append("\n\n".join(current))
    return result or [""]


def emergency_line(book: ContactBook, country: str, language: str) -> str:
    """The country's emergency numbers in one short line: `112 · 102 · 103`."""
    numbers: list[str] = []
    for entry in book.emergency(country):
        for phone in entry.phones:
            if phone.display not in numbers:
                numbers.append(phone.display)
    return " · ".join(escape(number) for number in numbers)


def emergency_block(book: ContactBook, country: str, language: str) -> str:
    """Each emergency service with its numbers, one line each."""
    lines = []
    for entry in book.emergency(country):
        lines.append(f"<b>{escape(entry.name[language])}</b>: {phones_line(entry, language)}")
    return "\n".join(lines)


def always_open_block(book: ContactBook, country: str, language: str) -> str:
    """Lines that answer day and night (hours: 24/7), then the emergency services."""
    lines = []
    for category in book.categories(country):
        if category == "emergency":
            continue
        for entry in book.entries(country, category):
            if entry.phones and entry.hours is not None and entry.hours.always:
                line = f"• <b>{escape(entry.name[language])}</b>: {phones_line(entry, language)}"
                if line not in lines:
                    lines.append(line)
    emergency = [f"• {line}" for line in emergency_block(book, country, language).split("\n")]
    return "\n".join([*lines, *filter(lambda line: line != "• ", emergency)])


def overview(book: ContactBook, country: str, language: str) -> str:
    """The first number to call for each kind of help: help in one tap from the menu."""
    lines = []
    for category in book.categories(country):
        if category == "emergency":
            continue
        first = next((e for e in book.entries(country, category) if e.phones), None)
        if first is None:
            continue
        lines.append(
            f"• {escape(category_name(category))}: <b>{escape(first.phones[0].display)}</b>"
        )
    return "\n".join(lines)
