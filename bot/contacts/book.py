"""The loaded contacts, as the bot asks for them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot.config import COUNTRIES
from bot.contacts.schema import CATEGORIES, ContactFile, Entry, LineTexts


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    contacts: ContactFile
    entry_lines: tuple[int, ...]
    """Line of each entry's first field (its `- id:` line), in file order."""


class ContactBook:
    """All entries of all files; read-only, safe to share between handlers."""

    def __init__(self, files: Sequence[LoadedFile]) -> None:
        self._files = [loaded.path for loaded in files]
        self._by_id: dict[str, Entry] = {}
        self._where: dict[str, tuple[Path, int]] = {}
        self._by_country: dict[str, list[Entry]] = {}
        self._places: dict[str, dict[str, LineTexts]] = {}
        for loaded in files:
            country = loaded.contacts.country
            self._places.setdefault(country, {}).update(loaded.contacts.places)
            for entry, line in zip(loaded.contacts.entries, loaded.entry_lines, strict=True):
                entry._country = country
                self._by_id[entry.id] = entry
                self._where[entry.id] = (loaded.path, line)
                self._by_country.setdefault(country, []).append(entry)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Entry]:
        """Every entry, hidden ones too, file by file in file order."""
        return iter(self._by_id.values())

    @property
    def files(self) -> list[Path]:
        return list(self._files)

    def countries(self) -> list[str]:
        return [country for country in COUNTRIES if self._by_country.get(country)]

    def categories(self, country: str, include_unconfirmed: bool = False) -> list[str]:
        """Categories that have something to show, emergency first (see CATEGORIES)."""
        return [
            category
            for category in CATEGORIES
            if self.entries(country, category, include_unconfirmed)
        ]

    def entries(
        self, country: str, category: str, include_unconfirmed: bool = False
    ) -> list[Entry]:
        """Entries filed under a category or naming it in `also_in`, in the order they are
        written in the files (so NGO staff decide the order). Unconfirmed ones only when
        asked for."""
        if category not in CATEGORIES:
            raise ValueError(f"unknown category {category!r}; categories: {CATEGORIES}")
        return [
            entry
            for entry in self._by_country.get(country.upper(), [])
            if entry.listed_in(category) and (include_unconfirmed or entry.visible)
        ]

    def emergency(self, country: str, include_unconfirmed: bool = False) -> list[Entry]:
        return self.entries(country, "emergency", include_unconfirmed)

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def where(self, entry_id: str) -> tuple[Path, int]:
        """File and line of an entry, for messages to the people who maintain the files."""
        return self._where[entry_id]

    def place_name(self, country: str, place: str, language: str) -> str:
        """A place from an entry's `area` in a language (`nationwide` is the caller's text)."""
        return self._places[country.upper()][place][language]


def stale_entries(
    book: ContactBook, older_than: timedelta, today: date
) -> list[tuple[Entry, Path, int]]:
    """Entries last checked more than `older_than` before `today`, hidden ones included,
    in file and line order."""
    found = [
        (entry, *book.where(entry.id)) for entry in book if today - entry.checked > older_than
    ]
    return sorted(found, key=lambda item: (str(item[1]), item[2]))
