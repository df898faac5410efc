"""The loaded self-help content, as the screens ask for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.selfhelp.schema import Checkin, Exercise, ExitMessage, Feeling, Topic


@dataclass(frozen=True)
class ContactsOffer:
    """A suggestion to show the country's contacts of these categories, in this order."""

    categories: tuple[str, ...]


Suggested = Exercise | Topic | ContactsOffer


class SelfHelp:
    """The check-in, exercises and topics of all files; read-only, safe to share between
    handlers. Lookups by id return None for an id the content does not have (a button sent
    before the content was edited), so a screen can say so instead of failing."""

    def __init__(
        self,
        checkin: Checkin,
        exercises: Sequence[Exercise],
        topics: Sequence[Topic],
        where: dict[str, tuple[Path, int]],
        exit_message: ExitMessage | None = None,
    ) -> None:
        self.checkin = checkin
        self.exit_message = exit_message
        self._feelings = {feeling.id: feeling for feeling in checkin.feelings}
        self._exercises = {exercise.id: exercise for exercise in exercises}
        self._topics = {topic.id: topic for topic in topics}
        self._where = dict(where)

    def replace_with(self, other: SelfHelp) -> None:
        """Serve `other`'s content from now on (a reload while the bot runs): the handlers
        keep this object, and it changes in one step, between two updates."""
        vars(self).update(vars(other))

    def feelings(self) -> list[Feeling]:
        """In the order the check-in shows them."""
        return list(self.checkin.feelings)

    def feeling(self, feeling_id: str) -> Feeling | None:
        return self._feelings.get(feeling_id)

    def exercises(self) -> list[Exercise]:
        """In file order."""
        return list(self._exercises.values())

    def exercise(self, exercise_id: str) -> Exercise | None:
        return self._exercises.get(exercise_id)

    def topics(self) -> list[Topic]:
        """In file order."""
        return list(self._topics.values())

    def topic(self, topic_id: str) -> Topic | None:
        return self._topics.get(topic_id)

    def suggestions(self, feeling: Feeling) -> list[Suggested]:
        """What the feeling suggests, in its order, as the things themselves."""
        found: list[Suggested] = []
        for suggestion in feeling.suggestions:
            if suggestion.exercise:
                found.append(self._exercises[suggestion.exercise])
            elif suggestion.topic:
                found.append(self._topics[suggestion.topic])
            elif suggestion.contacts:
                found.append(ContactsOffer(tuple(suggestion.contacts)))
        return found

    def where(self, item_id: str) -> tuple[Path, int]:
        """File and line of a feeling, exercise or topic, for messages to the editors."""
        return self._where[item_id]

    def screen_count(self) -> int:
        """Every screen a person can read: the question, each response, each exercise's
        intro, steps and closing, each topic's screens."""
        exercises = sum(2 + len(exercise.steps) for exercise in self._exercises.values())
        topics = sum(len(topic.screens) for topic in self._topics.values())
        return 1 + len(self._feelings) + exercises + topics
