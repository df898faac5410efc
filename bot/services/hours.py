"""When operators answer: `OPERATORS_HOURS` such as ``Mon-Fri 09:00-18:00; Sat 10:00-14:00``.

Written by hand: the libraries that read opening hours (OpenStreetMap's syntax) are large or
unmaintained for this one small need, and this format is what an NGO worker writes naturally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import get_day_names

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(
    r"^\s*(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})\s*$",
    re.IGNORECASE,
)


class HoursError(ValueError):
    """OPERATORS_HOURS or OPERATORS_TIMEZONE cannot be read; the message says how to fix it."""


@dataclass(frozen=True)
class _Span:
    days: tuple[int, ...]  # 0 = Monday
    start: time
    end: time


def _clock(text: str, whole: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise HoursError(f"OPERATORS_HOURS: {text!r} is not a time of day (in {whole!r})")
    return time(hours, minutes)


@dataclass(frozen=True)
class OperatorHours:
    spans: tuple[_Span, ...]
    zone: ZoneInfo
    holidays: frozenset[date] = frozenset()

    @classmethod
    def parse(cls, text: str, timezone: str, holidays: str = "") -> OperatorHours:
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise HoursError(
                f"OPERATORS_TIMEZONE: {timezone!r} is not a time zone; use a name such as "
                "Asia/Almaty, Asia/Bishkek, Asia/Dushanbe or Asia/Tashkent"
            ) from None
        spans = []
        for part in filter(str.strip, text.split(";")):
            match = _PART.match(part)
            if match is None:
                raise HoursError(
                    f"OPERATORS_HOURS: cannot read {part.strip()!r}; write days and hours like "
                    "'Mon-Fri 09:00-18:00; Sat 10:00-14:00'"
                )
            first = match["first"].lower()
            last = (match["last"] or first).lower()
            if first not in DAYS or last not in DAYS:
                raise HoursError(
                    f"OPERATORS_HOURS: days are written {', '.join(d.title() for d in DAYS)} "
                    f"(in {part.strip()!r})"
                )
            a, b = DAYS.index(first), DAYS.index(last)
            days = tuple(range(a, b + 1)) if a <= b else (*range(a, 7), *range(0, b + 1))
            start, end = _clock(match["start"], part), _clock(match["end"], part)
            if end <= start:
                raise HoursError(
                    f"OPERATORS_HOURS: the end comes before the start in {part.strip()!r}"
                )
            spans.append(_Span(days, start, end))
        if not spans:
            raise HoursError("OPERATORS_HOURS is empty; write e.g. 'Mon-Fri 09:00-18:00'")
        days_off = set()
        for item in filter(None, (part.strip() for part in holidays.split(","))):
            try:
                days_off.add(date.fromisoformat(item))
            except ValueError:
                raise HoursError(
                    f"OPERATORS_HOLIDAYS: {item!r} is not a date; write dates like "
                    "2026-12-16, separated by commas"
                ) from None
        return cls(tuple(spans), zone, frozenset(days_off))

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        if local.date() in self.holidays:
            return False
        now = local.time()
        return any(
            local.weekday() in span.days and span.start <= now < span.end for span in self.spans
        )

    def describe(self, language: str, country: str | None = None) -> str:
        """The hours in the person's language and, given their country, in its local time:
        `пн–пт 09:00–18:00`. (Time zone names would be Latin words in Cyrillic texts, and a
        person should not have to convert Almaty time to Bishkek time.)"""
        names = get_day_names("abbreviated", locale=language)
        shift = timedelta(0)
        if country in COUNTRY_ZONES:
            now = datetime.now(self.zone)
            local = now.astimezone(ZoneInfo(COUNTRY_ZONES[country]))
            shift = (local.utcoffset() or timedelta(0)) - (now.utcoffset() or timedelta(0))
        parts = []
        for span in self.spans:
            first, last = span.days[0], span.days[-1]
            days = names[first] if first == last else f"{names[first]}–{names[last]}"
            # A whole day is a whole day in any zone.
            moved = timedelta(0) if (span.start, span.end) == (time.min, time.max) else shift
            parts.append(f"{days} {_moved(span.start, moved)}–{_moved(span.end, moved)}")
        return ", ".join(parts)


COUNTRY_ZONES = {
    "KZ": "Asia/Almaty",
    "KG": "Asia/Bishkek",
    "TJ": "Asia/Dushanbe",
    "UZ": "Asia/Tashkent",
}
"""The time zone people of each country read times in (Kazakhstan has one since 2024)."""


def _moved(moment: time, shift: timedelta) -> str:
    """A time of day moved by `shift`, as HH:MM; the end of the day stays 24:00."""
    minutes = 24 * 60 if moment == time.max else moment.hour * 60 + moment.minute
    moved = minutes + int(shift.total_seconds() // 60)
    if moment == time.max and shift == timedelta(0):
        return "24:00"
    moved %= 24 * 60
    return f"{moved // 60:02d}:{moved % 60:02d}"
