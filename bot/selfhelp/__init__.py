"""The "I want to feel calmer" part: the check-in, calming exercises and things to read.

The files are `resources/selfhelp/checkin.yaml`, `exercises.yaml` and `topics.yaml`. Each
starts with `# yaml-language-server: $schema=schema.json`, so editors with YAML support
complete field names and underline mistakes. `schema.json` is generated from
`bot/selfhelp/schema.py`, the one definition of the format (`python -m bot.selfhelp schema`
writes it; a test fails when it is out of date). Check an edit before committing:

    python -m bot.selfhelp check        # the folder resources/selfhelp

It prints every problem as `file:line: what is wrong, and how to fix it`, like the contacts
check. A file is always checked with the rest of its folder, because feelings suggest
exercises and topics from the other files.

**Writing.** Every text is in all six languages: kk, ky, tg in Cyrillic with their own
letters (no Latin letter, no letter of a neighbouring alphabet), uz in Latin letters with oʻ
gʻ (U+02BB) and ʼ (U+02BC), ru, en. Write each screen with `|` and put a blank line between
paragraphs. A screen has at most 700 characters (tags not counted) and may use <b>bold</b>
and <i>italic</i>, nothing else; write `&lt;` and `&amp;` for the signs < and &. A button
label or title is plain text of at most 30 characters. Never write a phone number here: the
numbers live in resources/contacts, with their sources; ask for them with `contacts:`.
The words follow rule 10 of the survivor-safety reference: believe, never blame, never
pressure (to report, to talk, to go on), and let the person stop at any point.

**Content.** `checkin`: the question and the feelings in the order shown; each feeling has a
button `label`, one `response` screen, and `suggestions` in order, each one of
`exercise: <id>`, `topic: <id>` or `contacts: true` (the country's emergency contacts,
violence hotlines and crisis centres) or `contacts: [category, …]`. `exercises`: `title`,
`intro`, 4–8 `steps` (one screen each, the person taps "Next"), a short `closing` (the bot
asks "How do you feel now?" itself). `topics`: `title`, 2–5 `screens`, and optionally
`contacts: [emergency, crisis_centre]` to offer those after the last screen. Ids are unique
in all files and never change (buttons carry them).

Public API:

    load_selfhelp(directory) -> SelfHelp          # raises SelfHelpError(.problems)
    check_selfhelp_paths([paths]) -> list[Problem]  # Problem(file, line, message)
    selfhelp.checkin.question["ky"]
    selfhelp.feelings() / feeling(id)             # Feeling: .id .label .response .suggestions
    selfhelp.suggestions(feeling) -> [Exercise | Topic | ContactsOffer(.categories)]
    selfhelp.exercises() / exercise(id)           # Exercise: .id .title .intro .steps .closing
    selfhelp.topics() / topic(id)                 # Topic: .id .title .screens .contacts
    selfhelp.where(id) -> (file, line); selfhelp.screen_count()
    main_check(paths) for the command line
"""

from bot.contacts import Problem
from bot.selfhelp.cli import DEFAULT_DIRECTORY, main_check
from bot.selfhelp.library import ContactsOffer, SelfHelp, Suggested
from bot.selfhelp.loader import check_selfhelp_paths, load_paths, load_selfhelp
from bot.selfhelp.problems import SelfHelpError
from bot.selfhelp.schema import (
    EMERGENCY_AND_CRISIS,
    MAX_BUTTON,
    MAX_CLOSING,
    MAX_SCREEN,
    ButtonText,
    Checkin,
    ClosingLine,
    Exercise,
    Feeling,
    LocalText,
    Screen,
    SelfHelpFile,
    Suggestion,
    Topic,
)

__all__ = [
    "DEFAULT_DIRECTORY",
    "EMERGENCY_AND_CRISIS",
    "MAX_BUTTON",
    "MAX_CLOSING",
    "MAX_SCREEN",
    "ButtonText",
    "Checkin",
    "ClosingLine",
    "ContactsOffer",
    "Exercise",
    "Feeling",
    "LocalText",
    "Problem",
    "Screen",
    "SelfHelp",
    "SelfHelpError",
    "SelfHelpFile",
    "Suggested",
    "Suggestion",
    "Topic",
    "check_selfhelp_paths",
    "load_paths",
    "load_selfhelp",
    "main_check",
]
