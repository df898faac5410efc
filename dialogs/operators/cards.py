"""Texts and buttons of cases: the operators' card and messages (in OPERATORS_LANGUAGE) and
what the person gets from the support team (in the person's language).

Everything a person typed is HTML-escaped here, the one place it is put into a message.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import Any, Protocol

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.i18n import I18n

from bot.i18n import LANGUAGE_NAMES, N_, format_age
from bot.services.cases import (
    BLOCK_REASONS,
    BLOCKED,
    CLAIMED,
    OPEN,
    OUTCOMES,
    RESOLVED,
    WITHDRAWN,
    CaseView,
)

CATEGORY_LABELS: dict[str, str] = {
    "domestic_violence": N_("Violence at home"),
    "sexual_violence": N_("Sexual violence"),
    "torture_police": N_("Torture or police abuse"),
    "migration_ban": N_("Labour migration or a re-entry ban"),
    "discrimination": N_("Discrimination"),
    "family_property": N_("Family or property"),
    "other": N_("Something else"),
}
URGENCY_LABELS: dict[str, str] = {
    "now": N_("In danger now"),
    "days": N_("Within the next days"),
    "not_urgent": N_("Not urgent"),
}
URGENCY_ICONS: dict[str, str] = {"now": "🔴", "days": "🟠", "not_urgent": "🟢"}
OUTCOME_LABELS: dict[str, str] = {
    "helped": N_("Helped"),
    "referred": N_("Referred elsewhere"),
    "no_answer": N_("No answer from the person"),
    "not_eligible": N_("Not eligible"),
    BLOCKED: N_("the person was blocked"),
}
BLOCK_REASON_LABELS: dict[str, str] = {
    "spam": N_("Spam or flooding"),
    "abuse": N_("Insults or threats to operators"),
    "fake": N_("Fake or repeated requests"),
    "other": N_("Another reason"),
}
COUNTRY_LABELS: dict[str, str] = {
    "KZ": N_("Kazakhstan"),
    "KG": N_("Kyrgyzstan"),
    "TJ": N_("Tajikistan"),
    "UZ": N_("Uzbekistan"),
}
STATUS_LABELS: dict[str, str] = {
    OPEN: N_("🆕 new, nobody has claimed it"),
    CLAIMED: N_("🙋 claimed by operator {operator}"),
    RESOLVED: N_("✅ resolved: {outcome}"),
    WITHDRAWN: N_("↩️ withdrawn by the person"),
}
EVENT_LABELS: dict[str, str] = {
    "claimed": N_("🙋 Operator {operator} claimed the case."),
    "reopened": N_("🔄 Operator {operator} reopened the case."),
    "resolved": N_("✅ Operator {operator} resolved the case: {outcome}."),
    "blocked": N_(
        "⛔ Operator {operator} blocked the person: {outcome}. Their case is closed, they "
        "cannot send new requests, and they were not told why."
    ),
    "unblocked": N_(
        "🔓 Supervisor {operator} unblocked the person: they can send requests again."
    ),
}

LABELS: dict[str, str] = {
    "About": N_("About"),
    "Case": N_("Case"),
    "Contact": N_("Contact"),
    "Country": N_("Country"),
    "Language": N_("Language"),
    "Region or city": N_("Region or city"),
    "The person writes": N_("The person writes"),
    "Urgency": N_("Urgency"),
    "Waiting": N_("Waiting"),
    "What happened": N_("What happened"),
    "by phone": N_("by phone"),
    "only in this chat": N_("only in this chat"),
}
"""Words of the card, by their English text (markers outside f-strings, for pybabel)."""

OPERATOR_PREFIX = 8
"""Characters of an operator's pseudonym shown to colleagues: tells a team apart, no more."""


class CaseAction(CallbackData, prefix="case"):
    """A button on a case card. `code` without the dash; `outcome` is the outcome of
    "outcome" and the reason of "block_for" (one field: a button packed before blocks existed
    still unpacks)."""

    action: str  # claim | resolve | outcome | reopen | back | block | block_for | unblock
    code: str
    outcome: str = ""


class RegionNames(Protocol):
    def name(self, code: str, language: str) -> str | None: ...


RELAY_PART = 3500
"""UTF-16 units of relayed text per message: with its header well under Telegram's 4096 (which
counts the text after the HTML is parsed, so escaping adds nothing)."""


def split_text(text: str, limit: int = RELAY_PART) -> list[str]:
    """A text in parts Telegram takes, cut at a line break or space where there is one: a long
    message is relayed whole, in several messages, never cut off."""
    parts: list[str] = []
    rest = text
    while _utf16(rest) > limit:
        cut = limit
        while _utf16(rest[:cut]) > limit:  # astral characters count twice
            cut -= 1
        boundary = max(rest.rfind("\n", 0, cut), rest.rfind(" ", 0, cut))
        if boundary > cut // 2:
            cut = boundary
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def operator_tag(pseudonym: str | None) -> str:
    return f"#{(pseudonym or '')[:OPERATOR_PREFIX]}"


def _button(text: str, action: str, code: str, outcome: str = "") -> dict[str, str]:
    data = CaseAction(action=action, code=code.replace("-", ""), outcome=outcome).pack()
    return {"text": text, "callback_data": data}


class CaseCards:
    """The `CaseTexts` of the desk (bot/services/casework.py)."""

    def __init__(self, i18n: I18n, language: str, regions: RegionNames | None = None) -> None:
        self.i18n = i18n
        self.language = language
        self.regions = regions

    def t(self, msgid: str, language: str | None = None) -> str:
        return self.i18n.gettext(msgid, locale=language or self.language)

    # ---- pieces ----------------------------------------------------------------------------

    def region(self, case: CaseView, language: str | None = None) -> str | None:
        if case.region is None:
            return None
        named = self.regions.name(case.region, language or self.language) if self.regions else None
        return named or case.region

    def age(self, age: timedelta) -> str:
        return format_age(age, self.language)

    def urgency(self, urgency: str, language: str | None = None) -> str:
        return f"{URGENCY_ICONS[urgency]} {self.t(URGENCY_LABELS[urgency], language)}"

    def status(self, case: CaseView) -> str:
        outcome = self.t(OUTCOME_LABELS[case.outcome]) if case.outcome else ""
        return self.t(STATUS_LABELS[case.status]).format(
            operator=operator_tag(case.claimed_by), outcome=outcome
        )

    def summary_line(self, case: CaseView) -> str:
        """One line per case for /cases: code, urgency, category, country, age, status."""
        return (
            f"{URGENCY_ICONS[case.urgency]} <code>{case.code}</code> · "
            f"{self.t(CATEGORY_LABELS[case.category])} · {case.country} · "
            f"{self.age(case.age)} · {self.status(case)}"
        )

    # ---- CaseTexts -------------------------------------------------------------------------

    def topic_name(self, case: CaseView) -> str:
        # No personal data: the code, the kind of matter, the country.
        name = f"{URGENCY_ICONS[case.urgency]} {case.code} · "
        name += f"{self.t(CATEGORY_LABELS[case.category])} · {case.country}"
        return name[:128]

    def card(self, case: CaseView) -> tuple[str, dict[str, Any]]:
        return self.card_text(case), self.card_keyboard(case)

    def card_text(self, case: CaseView) -> str:
        t = self.t
        rows = [
            f"📁 <b>{t(LABELS['Case'])} {case.code}</b> · {self.status(case)}",
            *([f"<b>{t(LEFT_STATUS)}</b>"] if case.left and case.is_active else []),
            *([f"🆘 <b>{t(DANGER_NOTE)}</b>"] if case.danger else []),
            *([f"⛔ <b>{self.blocked_line(case.blocked)}</b>"] if case.blocked else []),
            f"{t(LABELS['About'])}: {t(CATEGORY_LABELS[case.category])}",
            f"{t(LABELS['Country'])}: {t(COUNTRY_LABELS[case.country])}",
            f"{t(LABELS['Region or city'])}: {escape(self.region(case) or '—')}",
            f"{t(LABELS['Urgency'])}: {self.urgency(case.urgency)}",
            f"{t(LABELS['Language'])}: {LANGUAGE_NAMES[case.language]}",
        ]
        if case.phone:
            rows.append(
                f"{t(LABELS['Contact'])}: {t(LABELS['by phone'])} <code>{case.phone}</code>"
            )
        else:
            rows.append(f"{t(LABELS['Contact'])}: {t(LABELS['only in this chat'])}")
        rows.append(f"{t(LABELS['Waiting'])}: {self.age(case.age)}")
        story = escape(case.story) if case.story else "—"
        rows += ["", f"<b>{t(LABELS['What happened'])}</b>", story, "", t(HOW_TO_ANSWER)]
        return "\n".join(rows)

    def blocked_line(self, reason: str) -> str:
        label = self.t(BLOCK_REASON_LABELS.get(reason, BLOCK_REASON_LABELS["other"]))
        return self.t(BLOCKED_NOTE).format(reason=label)

    def card_keyboard(
        self, case: CaseView, *, outcomes: bool = False, reasons: bool = False
    ) -> dict[str, Any]:
        t = self.t
        if case.blocked:
            # Nothing else applies until a supervisor lifts the block.
            return {"inline_keyboard": [[_button(f"🔓 {t(UNBLOCK)}", "unblock", case.code)]]}
        rows: list[list[dict[str, str]]] = []
        if reasons:
            rows = [
                [_button(t(BLOCK_REASON_LABELS[reason]), "block_for", case.code, reason)]
                for reason in BLOCK_REASONS
            ]
            rows.append([_button(t(N_("Cancel")), "back", case.code)])
            return {"inline_keyboard": rows}
        if outcomes and case.is_active:
            rows = [
                [_button(t(OUTCOME_LABELS[outcome]), "outcome", case.code, outcome)]
                for outcome in OUTCOMES
            ]
            rows.append([_button(t(N_("Back")), "back", case.code)])
            return {"inline_keyboard": rows}
        if case.status == OPEN:
            rows = [
                [
                    _button(t(N_("Claim")), "claim", case.code),
                    _button(t(N_("Resolve")), "resolve", case.code),
                ]
            ]
        elif case.status == CLAIMED:
            rows = [[_button(t(N_("Resolve")), "resolve", case.code)]]
        elif case.status == RESOLVED:
            rows = [[_button(t(N_("Reopen")), "reopen", case.code)]]
        rows.append([_button(f"⛔ {t(BLOCK)}", "block", case.code)])
        return {"inline_keyboard": rows}

    def reminder(self, case: CaseView, topic_link: str | None) -> tuple[str, dict[str, Any]]:
        text = self.t(REMINDER).format(code=case.code, age=self.age(case.age))
        text = f"{URGENCY_ICONS[case.urgency]} {text}\n{self.summary_line(case)}"
        rows = [[_button(self.t(N_("Claim")), "claim", case.code)]]
        if topic_link:
            rows.append([{"text": self.t(N_("Open the topic")), "url": topic_link}])
        return text, {"inline_keyboard": rows}

    def person_wrote(self, case: CaseView, text: str, danger: bool = False) -> list[str]:
        header = f"💬 <b>{self.t(LABELS['The person writes'])}:</b>"
        if danger:
            header = f"🆘 <b>{self.t(DANGER_NOTE)}</b>\n{header}"
        return [f"{header}\n{escape(part)}" for part in split_text(text)]

    def person_withdrew(self, case: CaseView) -> str:
        return self.t(WITHDRAWN_NOTE).format(code=case.code)

    def event(self, case: CaseView, action: str, operator: str) -> str:
        name, _sep, outcome = action.partition(":")
        labels = BLOCK_REASON_LABELS if name == "blocked" else OUTCOME_LABELS
        label = self.t(labels[outcome]) if outcome else ""
        return self.t(EVENT_LABELS[name]).format(operator=operator_tag(operator), outcome=label)

    def undeliverable(self, case: CaseView) -> str:
        return self.t(UNDELIVERABLE)

    def person_left(self, case: CaseView) -> str:
        return self.t(LEFT_NOTE).format(code=case.code)

    def person_erased(self, case: CaseView) -> str:
        return self.t(ERASED_NOTE).format(code=case.code)

    def erased_card(self, case: CaseView) -> str:
        """The card once the person erased everything: the code and nothing they wrote."""
        title = f"📁 <b>{self.t(LABELS['Case'])} {case.code}</b>"
        return f"{title}\n\n{self.person_erased(case)}"

    def to_person(self, case: CaseView, text: str) -> list[str]:
        header = self.t(FROM_TEAM, case.language).format(code=case.code)
        return [f"💬 <b>{header}</b>\n\n{escape(part)}" for part in split_text(text)]

    def closed_for_person(self, case: CaseView) -> str:
        return self.t(CLOSED_FOR_PERSON, case.language).format(code=case.code)


HOW_TO_ANSWER = N_(
    "To answer, write in this topic: the person gets your words from “the support team”, "
    "without your name. A message that starts with ! stays among operators."
)
DANGER_NOTE = N_(
    "Words of danger: the bot showed the person the emergency numbers. Please read this first."
)
BLOCK = N_("Block")
UNBLOCK = N_("Unblock")
BLOCKED_NOTE = N_(
    "The person is blocked ({reason}): they cannot send requests. Only a supervisor (an "
    "admin of this group) can unblock them."
)
REMINDER = N_("Case {code} has waited {age} and nobody has claimed it.")
LEFT_NOTE = N_(
    "📵 The person blocked the bot: nothing written here reaches them now. "
    "The case stays open in case they come back."
)
LEFT_STATUS = N_("📵 the person blocked the bot")
ERASED_NOTE = N_(
    "🗑 The person withdrew request {code} and erased it. Nothing of it is kept by the bot."
)
WITHDRAWN_NOTE = N_("↩️ The person withdrew request {code}. Their chat is no longer reachable.")
UNDELIVERABLE = N_(
    "⚠️ The last answer could not be delivered: the person has blocked the bot or deleted "
    "their account."
)
FROM_TEAM = N_("The support team · request {code}")
CLOSED_FOR_PERSON = N_(
    "✅ Your request {code} is closed. If you need help again, you can send a new request "
    "at any time: /menu"
)
