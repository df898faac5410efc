"""Per-person throttling, before any other work: an update above the limits is dropped
before aiogram's FSM middleware (no lock, no state read) and before DatabaseMiddleware (no
session, no processed_updates row), so one person's flood costs the others nothing.

Updates let through are counted in fixed windows of one second and one minute (dropped ones
are not, so a person who taps ten times at once still gets five answers that second and thirty
that minute), by a keyed pseudonym of the sender (never the raw id). The counters are in
memory (one process, forgotten a minute after a person's last update) or, with REDIS_URL, in
Redis with an expiry on every key, so the limit holds across replicas.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Chat, TelegramObject, Update, User
from aiogram.utils.i18n import I18n

from bot.i18n import N_, normalize_language
from bot.security import Pseudonymizer

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

SPELL_GAP = 60.0
"""A throttled spell ends when a minute passes with nothing dropped; only the first dropped
update of a spell is answered with SLOW_DOWN, so a flood is never answered by a flood."""
IDLE = 60.0
"""Seconds after a person's last update when nothing about them matters any more: the minute
window is over and so is any spell (which ends SPELL_GAP after the last drop)."""
MAX_PEOPLE = 100_000
"""In memory, at most this many people are counted; the least recently seen go first (their
count starts again, which only ever lets an update more through)."""

SLOW_DOWN = N_(
    "Messages are coming very fast, so I am taking a short pause. Please wait a minute, "
    "then write again.\n\nIf you are in danger, write about it: such a message is always "
    "answered at once."
)
SLOW_DOWN_TOAST = N_("Too many taps at once. Please wait a moment, then try again.")


class Counters(Protocol):
    async def hit(self, who: str, now: float) -> bool:
        """True if one more update of `who` at `now` is within both limits (then it counts)."""

    async def starts_spell(self, who: str, now: float) -> bool:
        """Note a dropped update of `who`; True if it is the first of a throttled spell."""


@dataclass
class _Person:
    seen: float = 0.0
    second: int = -1
    in_second: int = 0
    minute: int = -1
    in_minute: int = 0
    last_drop: float | None = None


class MemoryCounters:
    """One process. People are kept in the order they were last seen, so those idle for
    IDLE seconds are forgotten from the front, a little at every update: the table only
    holds who wrote in the last minute (and never more than `max_people`)."""

    def __init__(self, per_second: int, per_minute: int, max_people: int = MAX_PEOPLE) -> None:
        self._per_second = per_second
        self._per_minute = per_minute
        self._max_people = max_people
        self._people: OrderedDict[str, _Person] = OrderedDict()

    def __len__(self) -> int:
        """How many people are counted now."""
        return len(self._people)

    async def hit(self, who: str, now: float) -> bool:
        self._forget_idle(now)
        person = self._people.pop(who, None) or _Person()
        self._people[who] = person  # now the most recently seen
        person.seen = now
        second, minute = int(now), int(now // 60)
        if person.second != second:
            person.second, person.in_second = second, 0
        if person.minute != minute:
            person.minute, person.in_minute = minute, 0
        if person.in_second >= self._per_second or person.in_minute >= self._per_minute:
            return False
        person.in_second += 1
        person.in_minute += 1
        return True

    async def starts_spell(self, who: str, now: float) -> bool:
        person = self._people.get(who)
        if person is None:  # forgotten in between (only if the table overflowed)
            return True
        previous, person.last_drop = person.last_drop, now
        return previous is None or now - previous >= SPELL_GAP

    def _forget_idle(self, now: float) -> None:
        while self._people:
            oldest = next(iter(self._people.values()))
            if now - oldest.seen < IDLE and len(self._people) < self._max_people:
                break
            self._people.popitem(last=False)


_HIT = """
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1])
    or tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[2]) then
    return 0
end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return 1
"""
"""Check both windows and count the update only if it is let through, in one step: a script
runs alone in Redis, so replicas taking one person's updates at once cannot both pass the
last free place."""


class RedisCounters:
    """Shared by every replica. Keys are `throttle:<pseudonym>:…`, each with an expiry, so
    nothing is left behind by a person who stops writing or a replica that stops."""

    def __init__(self, redis: Redis, per_second: int, per_minute: int) -> None:
        self._redis = redis
        self._per_second = per_second
        self._per_minute = per_minute

    async def hit(self, who: str, now: float) -> bool:
        # The window is part of the key, so a new second or minute starts from zero even
        # before the old key has expired. The expiries are longer than the windows: replicas'
        # clocks may differ a little (they are synchronised by NTP). `{who}` is a hash tag:
        # a person's keys stay on one node of a Redis Cluster, as a script needs.
        second = f"throttle:{{{who}}}:s:{int(now)}"
        minute = f"throttle:{{{who}}}:m:{int(now // 60)}"
        allowed = await self._redis.eval(
            _HIT, 2, second, minute, self._per_second, self._per_minute, 10, 120
        )
        return bool(allowed)

    async def starts_spell(self, who: str, now: float) -> bool:
        # GETSET in a transaction, so of two replicas dropping at once only one tells the
        # person (and it works on Redis older than 6.2, which lacks SET … GET).
        key = f"throttle:{{{who}}}:spell"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.getset(key, repr(now))
            pipe.expire(key, int(SPELL_GAP) * 2)
            previous, _ = await pipe.execute()
        return previous is None or now - float(previous) >= SPELL_GAP


class ThrottlingMiddleware(BaseMiddleware):
    """Outer middleware on `update`, before aiogram's FSM middleware and DatabaseMiddleware.

    Not counted: updates without a sender or from bots, and everything in the operators'
    chat. A dropped message that speaks of danger is let through and handled as usual.
    """

    def __init__(
        self,
        counters: Counters,
        pseudonymizer: Pseudonymizer,
        i18n: I18n,
        *,
        operators_chat_id: int | None,
        default_language: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._counters = counters
        self._pseudonymizer = pseudonymizer
        self._i18n = i18n
        self._operators_chat_id = operators_chat_id
        self._default_language = default_language
        self._clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if sender is None or sender.is_bot:
            return await handler(event, data)
        if chat is not None and chat.id == self._operators_chat_id:
            return await handler(event, data)
        # Its own pseudonym domain: these keys cannot be matched with the database's rows.
        who = self._pseudonymizer.of("throttle", sender.id)
        now = self._clock()
        if await self._counters.hit(who, now):
            return await handler(event, data)
        if isinstance(event, Update) and _speaks_of_danger(event, data):
            logger.info("A throttled person wrote danger words: handled all the same")
            return await handler(event, data)
        await self._drop(event, data, who, now, sender)
        return None

    async def _drop(
        self, event: TelegramObject, data: dict[str, Any], who: str, now: float, sender: User
    ) -> None:
        """Tell the person once per spell (a message in their private chat, or a toast on
        the button they pressed); every other dropped update costs at most one call."""
        if not isinstance(event, Update):
            return
        bot: Bot = data["bot"]
        message = event.message or event.edited_message
        query = event.callback_query
        private = message is not None and message.chat.type == "private"
        if not private and query is None:
            return  # nothing a person would miss, and nowhere kind to answer
        first = await self._counters.starts_spell(who, now)
        # No database here, so their saved language is unknown: Telegram's language_code
        # when it is one of the six, else DEFAULT_LANGUAGE.
        language = normalize_language(sender.language_code) or self._default_language
        try:
            if query is not None:
                # Telegram shows a spinner on the button until the press is answered, so
                # every dropped press is answered; only the first one says why.
                text = self._i18n.gettext(SLOW_DOWN_TOAST, locale=language) if first else None
                await bot.answer_callback_query(query.id, text=text)
            elif first and message is not None:
                await bot.send_message(
                    message.chat.id, self._i18n.gettext(SLOW_DOWN, locale=language)
                )
        except TelegramAPIError as exc:  # e.g. the person blocked the bot meanwhile
            logger.warning("Could not answer a throttled update: %s", type(exc).__name__)
        if first:
            logger.info("A person is sending too fast: their updates are dropped for now")


def _speaks_of_danger(update: Update, data: dict[str, Any]) -> bool:
    """The same check as dialogs/danger.py, which answers it once the update goes on."""
    message = update.message or update.edited_message
    if message is None or message.chat.type != "private":
        return False
    text = message.text or message.caption
    detector = data.get("danger")
    return bool(text) and detector is not None and detector.check(text) is not None
