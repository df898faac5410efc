"""Where to get help: the contacts shown to survivors, one YAML file per country.

The files are `resources/contacts/kz.yaml`, `kg.yaml`, `tj.yaml` and `uz.yaml`. NGO staff edit
them; the bot reloads them while it runs and never serves an edit that has a problem.

**Editing.** Each file starts with `# yaml-language-server: $schema=schema.json`, so editors
with YAML support (e.g. VS Code with the Red Hat YAML extension) complete field names and
values and underline mistakes. `schema.json` is generated from `bot/contacts/schema.py`, the
one definition of the format (`python -m bot.contacts schema` writes it; a test
fails when it is out of date). Check your edit before committing:

    python -m bot resources check                  # all files in resources/contacts
    python -m bot resources check resources/contacts/kg.yaml
    python -m bot resources stale --older-than 180d   # also 26w, 6m, 1y

(`python -m bot.contacts check|stale|schema` does the same on its own.) The check lists every
problem as `file:line: what is wrong, and how to fix it` and ends with "All N files are fine:
M entries." when there are none. Three YAML traps it explains: text containing `: ` must be in
quotes; a Telegram handle must be quoted (`telegram: "@name_bot"`); write web addresses one
`- https://…` per line rather than in `[brackets]`, where `?` and `:` break the list.

**An entry** has: `id` (unique in all files, never changed), `category` and optional
`also_in` (other categories that list it too), `name` and `description` in all six languages
(kk, ky, tg, uz in Latin letters, ru, en), optional `note` (a caveat shown with it), `phones`,
`website`, `telegram`, `email`, `address` (only for places people walk into — never a
shelter's), `hours` (`24/7`, the times in six languages, or left out when unknown), `area`
(`nationwide`, or places named under `places:` at the top of the file), `cost` (free, paid,
unknown), `helps_with` (a fixed list of kinds of help), `sources` (at least one web address),
`checked` and `status`.

**Categories**, in the order survivors see them: emergency, violence_hotline, crisis_centre,
children, psychological, legal_aid, torture. Within a category, entries (those filed under
it and those that name it in `also_in`) are shown in the order they are written in the file:
put the one to call first at the top.

**Status and what survivors see.** `confirmed` (an official source or two independent
sources), `single_source` (seen in one source) and `unconfirmed` (old source, status changing,
or unclear). Unconfirmed entries are hidden from survivors: every read method takes
`include_unconfirmed=False` by default. They stay in the files so that someone can check them
and raise their status. A wrong number in a crisis is harm.

**`checked`** is the date someone last compared the entry with its sources. The first import
(2026-11-23) was compiled from archived copies of the source pages on that day; no number has
been test-called yet. Raise `status` only after checking a number by phone or on the
organisation's own current website, and set `checked` to that day.

**Phone numbers** are checked with the `phonenumbers` library for the file's country. Full
numbers must be valid there and are shown in international format (`+996 312 653 513`), which
works from any mobile in the country and from abroad; the bot can link them as `tel:`. Short
numbers (3–4 digits: 112, 102, 111, 1146) are shown as they are; one that phonenumbers does
not know for that country must be marked `short: true`, so that a typo is not taken for a
hotline: `- {number: "1146", short: true}`.

Public API:

    load_directory(path) -> ContactBook               # raises ContactsError(.problems)
    check_paths([paths]) -> list[Problem]             # Problem(file, line, message)
    stale_entries(book, older_than, today) -> [(entry, file, line)]
    book.countries() / categories(country) / entries(country, category) / emergency(country)
    book.get(entry_id) / where(entry_id) -> (file, line) / place_name(country, place, lang)
    entry.name["ky"], entry.phones[0].display / .tel_uri, entry.hours.always / .text,
    entry.contactable (False for a centre with no published phone, site, Telegram or e-mail)
    ContactsWatcher(path, on_error, interval=2.0): await start(); .book; await stop()
    main_check(paths) / main_stale(older_than, paths) for the command line
"""

from bot.contacts.book import ContactBook, LoadedFile, stale_entries
from bot.contacts.cli import DEFAULT_DIRECTORY, main_check, main_stale, parse_age
from bot.contacts.loader import check_paths, load_directory, load_paths
from bot.contacts.problems import ContactsError, Problem
from bot.contacts.schema import (
    CATEGORIES,
    HELP_KINDS,
    ContactFile,
    Entry,
    Hours,
    LineTexts,
    Phone,
    Texts,
)
from bot.contacts.watcher import ContactsWatcher

__all__ = [
    "CATEGORIES",
    "DEFAULT_DIRECTORY",
    "HELP_KINDS",
    "ContactBook",
    "ContactFile",
    "ContactsError",
    "ContactsWatcher",
    "Entry",
    "Hours",
    "LineTexts",
    "LoadedFile",
    "Phone",
    "Problem",
    "Texts",
    "check_paths",
    "load_directory",
    "load_paths",
    "main_check",
    "main_stale",
    "parse_age",
    "stale_entries",
]
