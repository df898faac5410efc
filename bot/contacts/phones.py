"""Phone numbers: check them for the entry's country and format them the way people dial.

Rules (also in the package docstring):

* A full number is parsed with `phonenumbers` for the file's country and must be valid there.
  It is shown in international format (`+996 312 65 35 13` style, as phonenumbers groups it):
  that works from any mobile, inside the country and from abroad (many people are labour
  migrants), and Telegram makes it tappable. National formats do not work from a foreign SIM.
* A short number (3 or 4 digits, not starting with 0, no `+`) such as 112, 102, 111, 1146 is
  shown as it is; it only works inside the country. If phonenumbers' short-number data knows
  it for the country, nothing more is needed. If it does not (its data is incomplete for
  Central Asia: it knows 112 in KZ and TJ but not in KG or UZ), the entry must say
  `short: true` for that number, so that a typo such as `1164` is not taken for a hotline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult, shortnumberinfo

COUNTRY_NAMES = {"KZ": "Kazakhstan", "KG": "Kyrgyzstan", "TJ": "Tajikistan", "UZ": "Uzbekistan"}

_ALLOWED = re.compile(r"^\(?\+?[\d\s\-()./]+$")  # "+996 …" and "(+992 37) …" both occur
_SEPARATORS = re.compile(r"[\s\-()./]")
_SHORT = re.compile(r"^[1-9]\d{2,3}$")

_REASONS = {
    ValidationResult.TOO_SHORT: "has too few digits",
    ValidationResult.TOO_LONG: "has too many digits",
    ValidationResult.INVALID_LENGTH: "has the wrong number of digits",
    ValidationResult.INVALID_COUNTRY_CODE: "starts with a country code that does not exist",
}


class PhoneError(ValueError):
    """A number that cannot be shown to survivors; the message says what to do."""


@dataclass(frozen=True)
class PhoneNumber:
    display: str
    """As shown to people: `112` or `+996 312 653 513`."""
    dial: str
    """For a `tel:` link: `112` or `+996312653513` (E.164)."""
    short: bool


def check_phone(text: str, country: str, *, short: bool = False) -> PhoneNumber:
    raw = text.strip()
    if not raw:
        raise PhoneError("the phone number is empty: write the number or remove the line")
    if not _ALLOWED.match(raw):
        raise PhoneError(
            f"`{raw}` has characters a phone number cannot have: write only digits, spaces, "
            "hyphens and brackets, with + before a country code"
        )
    digits = _SEPARATORS.sub("", raw)
    if short:
        return _marked_short(raw, digits)
    if "+" not in raw and len(digits) <= 4:
        return _known_short(digits, country)
    return _full(raw, country)


def _marked_short(raw: str, digits: str) -> PhoneNumber:
    if "+" in raw or not _SHORT.match(digits):
        raise PhoneError(
            f"`{raw}` is marked `short: true`, but a short number has 3 or 4 digits and does "
            "not start with 0 or +: remove `short: true` if this is a full number"
        )
    return PhoneNumber(display=digits, dial=digits, short=True)


def _known_short(digits: str, country: str) -> PhoneNumber:
    try:
        parsed = phonenumbers.parse(digits, country)
    except NumberParseException:
        parsed = None
    if parsed is not None and shortnumberinfo.is_valid_short_number_for_region(parsed, country):
        return PhoneNumber(display=digits, dial=digits, short=True)
    if _SHORT.match(digits):
        raise PhoneError(
            f"`{digits}` is not a short number the phonenumbers library knows for "
            f"{COUNTRY_NAMES.get(country, country)}. If the source really gives this hotline "
            f'number, mark it as short: `- {{number: "{digits}", short: true}}`'
        )
    raise PhoneError(
        f"`{digits}` is too short for a phone number: short numbers have 3 or 4 digits "
        "(not starting with 0); full numbers need their area code"
    )


def _full(raw: str, country: str) -> PhoneNumber:
    code = phonenumbers.country_code_for_region(country)
    where = COUNTRY_NAMES.get(country, country)
    try:
        parsed = phonenumbers.parse(raw, country)
    except NumberParseException:
        raise PhoneError(
            f"`{raw}` cannot be read as a phone number: write it with the country code, "
            f"like +{code} and then the number"
        ) from None
    if not phonenumbers.is_valid_number(parsed):
        reason = _REASONS.get(
            phonenumbers.is_possible_number_with_reason(parsed), "is not a valid number"
        )
        raise PhoneError(
            f"`{raw}` {reason} for {where}: compare it with the source, and write it with the "
            f"country code (+{code}) and the area or operator code"
        )
    region = phonenumbers.region_code_for_number(parsed)
    if region != country:
        raise PhoneError(
            f"`{raw}` is a number in {COUNTRY_NAMES.get(region, region)}, but this file is for "
            f"{where}: check the country code (+{code})"
        )
    return PhoneNumber(
        display=phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL),
        dial=phonenumbers.format_number(parsed, PhoneNumberFormat.E164),
        short=False,
    )
