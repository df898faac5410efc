"""What the self-help screens need from the content files, in one language at a time.

A thin view over bot.selfhelp's SelfHelp so the dialog does not depend on the file format.
"""

from __future__ import annotations

from html import escape
from typing import Any

from bot.contacts import ContactBook
from dialogs.contacts.render import category_name, phones_line


class SelfHelpContent:
    def __init__(self, content: Any) -> None:
        self._content = content

    # ---- check-in -------------------------------------------------------------------------

    def question(self, language: str) -> str:
        return str(self._content.checkin.question[language])

    def feelings(self, language: str) -> list[tuple[str, str]]:
        return [(f.id, f.label[language]) for f in self._content.checkin.feelings]

    def _feeling(self, feeling: str) -> Any:
        return next((f for f in self._content.checkin.feelings if f.id == feeling), None)

    def has_feeling(self, feeling: str) -> bool:
        return self._feeling(feeling) is not None

    def response(self, feeling: str, language: str) -> str:
        found = self._feeling(feeling)
        return str(found.response[language]) if found else ""

    def suggestions(self, feeling: str, language: str) -> list[tuple[str, str]]:
        found = self._feeling(feeling)
        result: list[tuple[str, str]] = []
        for item in found.suggestions if found else []:
            if getattr(item, "exercise", None):
                exercise = self._content.exercise(item.exercise)
                result.append((f"exercise:{exercise.id}", "🌿 " + exercise.title[language]))
            elif getattr(item, "topic", None):
                topic = self._content.topic(item.topic)
                result.append((f"topic:{topic.id}", "📖 " + topic.title[language]))
        return result

    def suggests_contacts(self, feeling: str) -> bool:
        found = self._feeling(feeling)
        return bool(found) and any(getattr(i, "contacts", False) for i in found.suggestions)

    # ---- exercises ------------------------------------------------------------------------

    def exercise_buttons(self, language: str) -> list[tuple[str, str]]:
        return [(e.id, e.title[language]) for e in self._content.exercises()]

    def has_exercise(self, exercise: str) -> bool:
        return any(e.id == exercise for e in self._content.exercises())

    def exercise_title(self, exercise: str, language: str) -> str:
        return str(self._content.exercise(exercise).title[language])

    def exercise_screens(self, exercise: str, language: str) -> list[str]:
        found = self._content.exercise(exercise)
        return [found.intro[language], *(step[language] for step in found.steps)]

    def exercise_length(self, exercise: str) -> int:
        return 1 + len(self._content.exercise(exercise).steps)

    def exercise_closing(self, exercise: str, language: str) -> str:
        return str(self._content.exercise(exercise).closing[language])

    # ---- topics ---------------------------------------------------------------------------

    def topic_buttons(self, language: str) -> list[tuple[str, str]]:
        return [(t.id, t.title[language]) for t in self._content.topics()]

    def has_topic(self, topic: str) -> bool:
        return any(t.id == topic for t in self._content.topics())

    def topic_title(self, topic: str, language: str) -> str:
        return str(self._content.topic(topic).title[language])

    def topic_screens(self, topic: str, language: str) -> list[str]:
        return [screen[language] for screen in self._content.topic(topic).screens]

    def topic_contacts(self, topic: str, book: ContactBook, country: str, language: str) -> str:
        """After the last screen of a topic that names contact categories: their first
        entries, so the person can act on what they just read."""
        lines = []
        for category in self._content.topic(topic).contacts or []:
            entries = [e for e in book.entries(country, category) if e.phones][:2]
            if not entries:
                continue
            lines.append(f"<b>{escape(category_name(category))}</b>")
            lines.extend(
                f"{escape(e.name[language])}: {phones_line(e, language)}" for e in entries
            )
        return "\n".join(lines)
