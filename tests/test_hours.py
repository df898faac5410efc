"""Operators' hours: read from the settings an NGO writes, shown in each country's own time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.hours import HoursError, OperatorHours

HOURS = "Mon-Fri 09:00-18:00; Sat 10:00-14:00"
ALMATY = ZoneInfo("Asia/Almaty")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 in Almaty time (23 Nov 2026 is a Monday), as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=ALMATY).astimezone(UTC)


def test_open_on_working_hours_and_closed_outside() -> None:
    hours = OperatorHours.parse(HOURS, "Asia/Almaty")
    assert hours.is_open(at(23, 9))  # Monday 09:00
    assert hours.is_open(at(27, 17, 59))  # Friday
    assert not hours.is_open(at(27, 18))  # the end is not included
    assert hours.is_open(at(28, 11))  # Saturday
    assert not hours.is_open(at(28, 14, 30))
    assert not hours.is_open(at(29, 11))  # Sunday


def test_holidays_are_out_of_hours_all_day() -> None:
    hours = OperatorHours.parse(HOURS, "Asia/Almaty", "2026-11-24, 2027-01-01")
    assert hours.is_open(at(23, 10))
    assert not hours.is_open(at(24, 10))


def test_a_range_can_wrap_the_week_and_a_day_can_end_at_24() -> None:
    hours = OperatorHours.parse("Sat-Mon 00:00-24:00", "Asia/Almaty")
    assert hours.is_open(at(29, 23, 59)) and hours.is_open(at(23, 0, 30))
    assert not hours.is_open(at(25, 12))


@pytest.mark.parametrize(
    ("language", "country", "expected"),
    [
        ("ru", "UZ", "пн–пт 09:00–18:00, сб 10:00–14:00"),
        ("ky", "KG", "дүй.–жума 10:00–19:00, ишм. 11:00–15:00"),  # Bishkek is an hour ahead
        ("tg", "TJ", "Дшб–Ҷмъ 09:00–18:00, Шнб 10:00–14:00"),
        ("en", None, "Mon–Fri 09:00–18:00, Sat 10:00–14:00"),
    ],
)
def test_hours_are_shown_in_the_persons_language_and_local_time(
    language: str, country: str | None, expected: str
) -> None:
    # Operators in Tashkent (UTC+5 for decades, unlike Almaty, which moved in 2024), so the
    # expected local times do not depend on how new the system's time zone data is.
    hours = OperatorHours.parse(HOURS, "Asia/Tashkent")
    assert hours.describe(language, country) == expected


@pytest.mark.parametrize(
    ("hours", "zone", "holidays", "says"),
    [
        ("weekdays 9-6", "Asia/Almaty", "", "OPERATORS_HOURS: cannot read"),
        ("Mon-Fri 18:00-09:00", "Asia/Almaty", "", "the end comes before the start"),
        ("Mon-Fry 09:00-18:00", "Asia/Almaty", "", "days are written Mon, Tue"),
        ("Mon 25:00-26:00", "Asia/Almaty", "", "is not a time of day"),
        ("", "Asia/Almaty", "", "OPERATORS_HOURS is empty"),
        ("Mon 09:00-18:00", "Almaty", "", "OPERATORS_TIMEZONE: 'Almaty' is not a time zone"),
        ("Mon 09:00-18:00", "Asia/Almaty", "16.12.2026", "OPERATORS_HOLIDAYS: '16.12.2026'"),
    ],
)
def test_mistakes_are_named_with_how_to_fix_them(
    hours: str, zone: str, holidays: str, says: str
) -> None:
    with pytest.raises(HoursError) as error:
        OperatorHours.parse(hours, zone, holidays)
    assert says in str(error.value)
