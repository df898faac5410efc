"""An in-memory Telegram Bot API: strict enough that a bot which works here works on Telegram.

Shared by the offline terminal chat, the in-process flow tests (through `EmulatorSession`) and
the fake Bot API HTTP server of the end-to-end tests (`tests/fake_telegram.py`).

Where Telegram rejects a request, the emulator rejects it with the same HTTP status and the
same description. The HTML parser is a port of tdlib's `parse_html` (the code the Bot API
server runs), and message texts are cleaned like tdlib's `fix_formatted_text`, so error byte
offsets, UTF-16 entity offsets, trimming and "message is not modified" behave as on Telegram.
Simplifications are marked where they are made.

Lengths of message texts and captions are counted in UTF-16 code units, the unit Telegram
uses for entity offsets (an emoji outside the BMP counts as two).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import re
import time
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

from aiogram import methods as aiogram_methods
from aiogram.client.session.base import BaseSession
from aiogram.methods.base import TelegramMethod, TelegramType
from aiogram.types import InputFile

if TYPE_CHECKING:
    from aiogram import Bot

DEFAULT_TOKEN = "7000001:emulated-bot-token"
DEFAULT_BOT_USERNAME = "survivor_help_test_bot"
DEFAULT_BOT_NAME = "Survivor Help (emulated)"

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100
DELETE_WINDOW_SECONDS = 48 * 3600
DEFAULT_TOPIC_COLOR = 0x6FB9F0

# Fields that make a message a service message ("topic created", "… added the bot").
_SERVICE_KEYS = ("forum_topic_created", "new_chat_members")

ChatKind = Literal["group", "supergroup", "channel"]

# Update types Telegram leaves out when allowed_updates is empty or was never given.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
    "can_pin_messages",
    "can_manage_topics",
)
"""The rights an administrator's ChatMember carries (all required by the Bot API but the last
two, which supergroups send too)."""

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Every Bot API method name aiogram knows: a real method the emulator lacks is a gap in the
# emulator (EmulatorError), not Telegram's 404 for a misspelt method.
_KNOWN_METHODS = frozenset(
    name.lower()
    for cls in vars(aiogram_methods).values()
    if isinstance(cls, type) and isinstance(getattr(cls, "__api_method__", None), str)
    for name in (cls.__api_method__,)
)


class TelegramError(Exception):
    """What Telegram answers with `"ok": false`."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class EmulatorError(Exception):
    """The emulator was used in a way it does not support, or a simulated person did something
    impossible (pressed a button that is not there). Never something Telegram would say."""


def _bad_request(message: str) -> TelegramError:
    return TelegramError(400, f"Bad Request: {message}")


@dataclass(frozen=True)
class UploadedFile:
    """A file sent in a multipart request (`attach://<name>` or a bare file field)."""

    filename: str
    content: bytes


# --------------------------------------------------------------------------------------------
# Text formatting: HTML parsing, cleaning and entities
# --------------------------------------------------------------------------------------------


class FormattingError(Exception):
    """tdlib's message for text it cannot parse; the Bot API prefixes it."""


_SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_HTML_ENTITIES = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
_SPACES = frozenset(b" \t\r\n\0\v")  # tdlib's is_space(), which counts the end of the string
_NAME_TOKEN = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_DIGITS = frozenset(b"0123456789")
_LETTERS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def utf16_length(text: str) -> int:
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _decode_html_entity(data: bytes, pos: int) -> tuple[int, int]:
    """(code point, position after the entity), or (0, pos) when `&` starts no entity, in which
    case Telegram keeps the `&` as a literal character."""

    def at(i: int) -> int:
        return data[i] if i < len(data) else 0

    end = pos + 1
    code = 0
    if at(pos + 1) == ord("#"):
        end += 1
        if at(pos + 2) == ord("x"):
            end += 1
            while at(end) in _HEX:
                code = code * 16 + int(chr(at(end)), 16)
                end += 1
        else:
            while at(end) in _DIGITS:
                code = code * 10 + at(end) - ord("0")
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while at(end) in _LETTERS:
            end += 1
        code = _HTML_ENTITIES.get(data[pos + 1 : end], 0)
        if code == 0:
            return 0, pos
    if at(end) == ord(";"):
        end += 1
    return code, end


@dataclass
class _OpenTag:
    name: str
    argument: str
    unix_time: int
    utf16_offset: int
    byte_offset: int  # in the output, for <a> without href


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: the plain text and its entities (UTF-16 offsets).

    A port of tdlib's `parse_html`, including its error messages and byte offsets (in the
    UTF-8 input). Raises FormattingError with tdlib's message. `text_mention` entities come
    back with a `user_id` key for the caller to resolve.
    """
    if "\0" in text:
        raise FormattingError("Text must not contain null bytes")
    data = text.encode("utf-8")
    size = len(data)

    def at(i: int) -> int:
        return data[i] if i < size else 0  # C strings end in NUL; tdlib relies on it

    out = bytearray()
    entities: list[dict[str, Any]] = []
    stack: list[_OpenTag] = []
    utf16 = 0
    i = 0
    while i < size:
        c = data[i]
        if c == ord("&"):
            code, end = _decode_html_entity(data, i)
            if code:
                utf16 += 2 if code > 0xFFFF else 1
                out += chr(code).encode("utf-8", "surrogatepass")
                i = end
                continue
        if c != ord("<"):
            if c & 0xC0 != 0x80:  # first byte of a UTF-8 sequence
                utf16 += 2 if c >= 0xF0 else 1
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != ord("/"):
            while at(i) not in _SPACES and at(i) != ord(">"):
                i += 1
            if at(i) == 0:
                raise FormattingError(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].lower().decode("utf-8", "replace")
            if tag not in _SUPPORTED_TAGS:
                raise FormattingError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument, unix_time, i = _parse_attributes(data, i, tag, begin)
            if tag == "span" and argument != "spoiler":
                raise FormattingError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            stack.append(_OpenTag(tag, argument, unix_time, utf16, len(out)))
        else:
            if not stack:
                raise FormattingError(f"Unexpected end tag at byte offset {begin}")
            while at(i) not in _SPACES and at(i) != ord(">"):
                i += 1
            end_name = data[begin + 2 : i].lower().decode("utf-8", "replace")
            while at(i) in _SPACES and at(i) != 0:
                i += 1
            if at(i) != ord(">"):
                raise FormattingError(f"Unclosed end tag at byte offset {begin}")
            open_tag = stack[-1]
            if end_name and end_name != open_tag.name:
                raise FormattingError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{open_tag.name}>", '
                    f'found "</{end_name}>"'
                )
            if utf16 > open_tag.utf16_offset:
                _close_entity(entities, open_tag, utf16, bytes(out[open_tag.byte_offset :]))
            stack.pop()
        i += 1  # past the '>'

    if stack:
        raise FormattingError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # a language only survives inside <pre>
    try:
        plain = out.decode("utf-8")
    except UnicodeDecodeError:
        raise FormattingError(
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units"
        ) from None
    return plain, sort_entities(entities)


def _parse_attributes(data: bytes, i: int, tag: str, begin: int) -> tuple[str, int, int]:
    """Attributes of a start tag from `i` up to its '>': (argument, unix time, index of '>')."""

    def at(j: int) -> int:
        return data[j] if j < len(data) else 0

    argument = ""
    unix_time = 0
    while at(i) != ord(">"):
        while at(i) != 0 and at(i) in _SPACES:
            i += 1
        if at(i) == ord(">"):
            break
        name_begin = i
        while at(i) not in _SPACES and at(i) not in b"=>/\"'":
            i += 1
        name = data[name_begin:i]
        if not name:
            raise FormattingError(
                f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
            )
        while at(i) != 0 and at(i) in _SPACES:
            i += 1
        if at(i) != ord("="):
            if at(i) == 0:
                raise FormattingError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            if tag == "blockquote" and name == b"expandable":
                argument = "1"
            continue
        i += 1
        while at(i) != 0 and at(i) in _SPACES:
            i += 1
        if at(i) == 0:
            raise FormattingError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        value = bytearray()
        if at(i) not in b"'\"":
            token_begin = i
            while at(i) in _NAME_TOKEN:
                i += 1
            value += data[token_begin:i].lower()
            if at(i) not in _SPACES and at(i) != ord(">"):
                raise FormattingError(f"Unexpected end of name token at byte offset {token_begin}")
        else:
            quote = at(i)
            i += 1
            while at(i) != quote and at(i) != 0:
                if at(i) == ord("&"):
                    code, end = _decode_html_entity(data, i)
                    if code:
                        value += chr(code).encode("utf-8", "surrogatepass")
                        i = end
                        continue
                value.append(at(i))
                i += 1
            if at(i) == quote:
                i += 1
        if at(i) == 0:
            raise FormattingError(f"Unclosed start tag at byte offset {begin}")
        text_value = value.decode("utf-8", "replace")
        if tag == "a" and name == b"href":
            argument = text_value
        elif tag == "code" and name == b"class" and text_value.startswith("language-"):
            argument = text_value[len("language-") :]
        elif tag == "span" and name == b"class" and text_value.startswith("tg-"):
            argument = text_value[len("tg-") :]
        elif tag == "tg-emoji" and name == b"emoji-id":
            argument = text_value
        elif tag == "blockquote" and name == b"expandable":
            argument = "1"
        elif tag == "tg-time" and name == b"unix":
            unix_time = int(text_value) if text_value.isdigit() else 0
        elif tag == "tg-time" and name == b"format":
            argument = text_value
    return argument, unix_time, i


_SIMPLE_TAGS = {
    "i": "italic",
    "em": "italic",
    "b": "bold",
    "strong": "bold",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_USER_LINK = re.compile(r"tg:(?://)?user\?id=(\d+)", re.IGNORECASE)


def _close_entity(
    entities: list[dict[str, Any]], tag: _OpenTag, utf16_end: int, inner: bytes
) -> None:
    offset = tag.utf16_offset
    length = utf16_end - offset
    last = entities[-1] if entities else None
    same_span = last is not None and last["offset"] == offset and last["length"] == length
    if tag.name in _SIMPLE_TAGS:
        entities.append({"type": _SIMPLE_TAGS[tag.name], "offset": offset, "length": length})
    elif tag.name == "tg-emoji":
        if not tag.argument.isdigit() or int(tag.argument) == 0:
            raise FormattingError("Invalid custom emoji identifier specified")
        entities.append(
            {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": tag.argument,
            }
        )
    elif tag.name == "tg-time":
        if tag.unix_time > 0:
            entity: dict[str, Any] = {
                "type": "date_time",
                "offset": offset,
                "length": length,
                "unix_time": tag.unix_time,
            }
            if tag.argument:
                entity["date_time_format"] = tag.argument
            entities.append(entity)
    elif tag.name == "a":
        url = tag.argument or inner.decode("utf-8", "replace")
        if user := _USER_LINK.fullmatch(url):
            entities.append(
                {
                    "type": "text_mention",
                    "offset": offset,
                    "length": length,
                    "user_id": int(user.group(1)),
                }
            )
        else:
            # An invalid link makes no entity, silently, as on Telegram.
            with contextlib.suppress(LinkError):
                entities.append(
                    {
                        "type": "text_link",
                        "offset": offset,
                        "length": length,
                        "url": check_link(url),
                    }
                )
    elif tag.name == "pre":
        if same_span and last is not None and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag.name == "code":
        if same_span and last is not None and last["type"] == "pre" and tag.argument:
            last["language"] = tag.argument
        else:
            entity = {"type": "code", "offset": offset, "length": length}
            if tag.argument:
                entity["language"] = tag.argument
            entities.append(entity)
    elif tag.name == "blockquote":
        kind = "expandable_blockquote" if tag.argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


class LinkError(Exception):
    """Why Telegram refuses a URL (the text after "is invalid: ")."""


_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)*\.?")
# A scheme without "//", told apart from "host:port".
_BARE_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):(?!\d+(?:[/?#]|$))")


def check_link(url: str) -> str:
    """A URL as Telegram accepts it in links and buttons, normalised like tdlib does
    (`telegram.org` -> `http://telegram.org/`). Simplified: no IDN or TLD checks."""
    if not url or any(ch.isspace() for ch in url):
        raise LinkError("Wrong HTTP URL")
    implicit = False
    if "://" in url:
        scheme, rest = url.split("://", 1)
        scheme = scheme.lower()
    elif bare := _BARE_SCHEME.match(url):  # "tel:+7...", "mailto:...", "tg:resolve?..."
        scheme, rest = bare.group(1).lower(), url[bare.end() :]
    else:
        scheme, rest, implicit = "http", url, True
    if scheme in ("tg", "ton"):
        if not re.match(r"[A-Za-z0-9_-]+", rest):
            raise LinkError("Wrong URL")
        return f"{scheme}://{rest}"
    if scheme not in ("http", "https"):
        raise LinkError("Unsupported URL protocol")
    host_part = re.split(r"[/?#]", rest, maxsplit=1)[0]
    tail = rest[len(host_part) :]
    host = host_part.rsplit("@", 1)[-1].split(":", 1)[0]
    if not host or not _HOST.fullmatch(host) or (implicit and "." not in host.strip(".")):
        raise LinkError("Wrong HTTP URL")
    if not tail.startswith("/"):
        tail = "/" + tail
    return f"{scheme}://{host_part}{tail}"


# tdlib's ordering: by offset, longer (outer) first, then by a fixed type priority.
_TYPE_PRIORITY = {
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
    "code": 20,
    "pre": 11,
    "text_link": 49,
    "text_mention": 49,
    "blockquote": 0,
    "expandable_blockquote": 0,
}


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(entity: dict[str, Any]) -> tuple[int, int, int]:
        priority = _TYPE_PRIORITY.get(entity["type"], 50)
        if entity["type"] == "pre" and entity.get("language"):
            priority = 10
        return entity["offset"], -entity["length"], priority

    return sorted(entities, key=key)


class EmptyTextError(Exception):
    """Nothing but spaces and line breaks is left after cleaning."""


_REMOVED_CHARS = frozenset({"\r", "\u0333", "\u033f", "\u030a", *map(chr, range(0x2028, 0x202F))})
_BLOCKQUOTES = frozenset({"blockquote", "expandable_blockquote"})


def fix_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """What Telegram does to every text before storing it (tdlib's fix_formatted_text):
    control characters and tabs become spaces, CR and a few invisible characters disappear,
    entities of only whitespace are dropped, trailing whitespace and leading whitespace
    before the first entity are trimmed. Raises EmptyTextError if nothing visible remains.

    Simplified: entities that cross each other are dropped (tdlib splits some of them), and
    entities inside `code`/`pre` or a blockquote inside a blockquote are dropped, following
    the nesting rules in the Bot API documentation.
    """
    bounds = [0]
    for ch in text:
        bounds.append(bounds[-1] + (2 if ord(ch) > 0xFFFF else 1))
    index_of = {units: index for index, units in enumerate(bounds)}

    chars: list[str] = []
    new_index: list[int] = []
    for ch in text:
        new_index.append(len(chars))
        if ch in _REMOVED_CHARS:
            continue
        chars.append(" " if ord(ch) < 32 and ch != "\n" else ch)
    new_index.append(len(chars))

    spans: list[tuple[int, int, dict[str, Any]]] = []
    for entity in entities:
        start = index_of.get(entity["offset"])
        end = index_of.get(entity["offset"] + entity["length"])
        if start is None or end is None or end <= start:
            continue  # tdlib drops entities that leave the text or split a character
        start, end = new_index[start], new_index[end]
        if any(ch not in " \n" for ch in chars[start:end]):
            spans.append((start, end, entity))

    visible = [index for index, ch in enumerate(chars) if ch not in " \n"]
    if not visible:
        raise EmptyTextError
    cut = visible[-1] + 1
    first_entity = min((start for start, _, _ in spans), default=cut)
    lead = 0
    while lead < min(first_entity, cut) and chars[lead] in " \n":
        lead += 1
    chars = chars[lead:cut]
    result = "".join(chars)

    offsets = [0]
    for ch in chars:
        offsets.append(offsets[-1] + (2 if ord(ch) > 0xFFFF else 1))
    fixed = []
    for start, end, entity in spans:
        start, end = start - lead, min(end, cut) - lead
        fixed.append({**entity, "offset": offsets[start], "length": offsets[end] - offsets[start]})
    return result, _drop_bad_nesting(sort_entities(fixed))


def _drop_bad_nesting(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        allowed = True
        for outer in kept:
            outer_start, outer_end = outer["offset"], outer["offset"] + outer["length"]
            if end <= outer_start or start >= outer_end:
                continue
            inside = outer_start <= start and end <= outer_end
            if (
                not inside
                or outer["type"] in ("code", "pre")
                or (entity["type"] in _BLOCKQUOTES and outer["type"] in _BLOCKQUOTES)
            ):
                allowed = False
                break
        if allowed:
            kept.append(entity)
    return kept


_FOUND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(r"(?<![\w@/.])(?:(?:https?|tg)://|www\.)[^\s<>\"«»]+", re.IGNORECASE)),
    (
        "email",
        re.compile(
            r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
            r"(?![\w-])"
        ),
    ),
    (
        "bot_command",
        re.compile(
            r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?"
            r"(?![\w/<>@])"
        ),
    ),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{2,32}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w{1,256}(?![\w#])")),
)
_SHORT_USERNAMES = frozenset({"gif", "vid", "pic"})  # inline bots Telegram links despite length
# Entities that already give the text a meaning; nothing is detected inside them.
_OPAQUE_ENTITIES = frozenset(
    {
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
        "date_time",
    }
)


def find_entities(text: str, existing: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """The entities Telegram detects by itself in every text: links, e-mail addresses,
    /commands, @mentions, #hashtags (simplified: no bare domains, cashtags or card numbers).
    Returns `existing` merged with what was found, sorted."""
    taken: list[tuple[int, int]] = [
        (entity["offset"], entity["offset"] + entity["length"])
        for entity in existing
        if entity["type"] in _OPAQUE_ENTITIES
    ]
    offsets = [0]
    for ch in text:
        offsets.append(offsets[-1] + (2 if ord(ch) > 0xFFFF else 1))
    found: list[dict[str, Any]] = []
    for kind, pattern in _FOUND_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in ".,:;!?)]}'\"":
                    end -= 1
            if (
                kind == "mention"
                and end - start < 5
                and text[start + 1 : end] not in (_SHORT_USERNAMES)
            ):
                continue
            if kind == "hashtag" and text[start + 1 : end].isdigit():
                continue
            span = (offsets[start], offsets[end])
            if any(span[0] < t_end and t_start < span[1] for t_start, t_end in taken):
                continue
            taken.append(span)
            found.append({"type": kind, "offset": span[0], "length": span[1] - span[0]})
    return sort_entities([*existing, *found])


# --------------------------------------------------------------------------------------------
# Reply markup
# --------------------------------------------------------------------------------------------

_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_BAD_MARKUP = "can't parse reply keyboard markup JSON object"


def parse_reply_markup(raw: Any) -> dict[str, Any] | None:
    """Validate reply_markup like the Bot API and return it as a clean dict."""
    if raw is None or raw == "":
        return None
    markup = raw
    if isinstance(raw, str):
        try:
            markup = json.loads(raw)
        except ValueError:
            raise _bad_request(_BAD_MARKUP) from None
    if not isinstance(markup, dict):
        raise _bad_request(_BAD_MARKUP)
    if "inline_keyboard" in markup:
        return _parse_inline_keyboard(markup["inline_keyboard"])
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
            )
        clean_rows = []
        for row in rows:
            clean_row = []
            for button in row:
                if isinstance(button, str):
                    button = {"text": button}
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise _bad_request(
                        'can\'t parse keyboard button: Field "text" must be of type String'
                    )
                clean_row.append(_without_nulls(button))
            clean_rows.append(clean_row)
        return {**_without_nulls(markup), "keyboard": clean_rows}
    if markup.get("remove_keyboard") or markup.get("hide_keyboard"):
        return {
            "remove_keyboard": True,
            **({"selective": True} if markup.get("selective") else {}),
        }
    if markup.get("force_reply"):
        return _without_nulls(markup)
    raise _bad_request(_BAD_MARKUP)


def _parse_inline_keyboard(rows: Any) -> dict[str, Any] | None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
        )
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise _bad_request("REPLY_MARKUP_TOO_LONG")
    clean_rows: list[list[dict[str, Any]]] = []
    for row in rows:
        clean_row = []
        for button in row:
            if not isinstance(button, dict):
                raise _bad_request(prefix + "InlineKeyboardButton should be an Object")
            if "text" not in button:
                raise _bad_request(prefix + 'Can\'t find field "text"')
            if not isinstance(button["text"], str):
                raise _bad_request(prefix + 'Field "text" must be of type String')
            if not button["text"].strip():
                # The server's error code for an empty label (not seen verbatim on live
                # Telegram; the label is required to be non-empty by the API).
                raise _bad_request("BUTTON_TEXT_INVALID")
            actions = [name for name in _INLINE_ACTIONS if button.get(name) not in (None, "")]
            if not actions:
                raise _bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
            if len(actions) > 1:
                # Stricter than Telegram, which silently uses the first field it knows; the
                # API documents "exactly one", and two actions on a button is always a bug.
                raise _bad_request(
                    prefix + f"exactly one action field is allowed, found {', '.join(actions)}"
                )
            action = actions[0]
            if action == "callback_data":
                data = button["callback_data"]
                if not isinstance(data, str):
                    raise _bad_request(prefix + 'Field "callback_data" must be of type String')
                if len(data.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
                    raise _bad_request("BUTTON_DATA_INVALID")
            if action == "url":
                url = button["url"]
                if not isinstance(url, str):
                    raise _bad_request(prefix + 'Field "url" must be of type String')
                try:
                    check_link(url)
                except LinkError as exc:
                    raise _bad_request(
                        f"inline keyboard button URL '{url}' is invalid: {exc}"
                    ) from None
            clean_row.append(_without_nulls(button))
        if clean_row:
            clean_rows.append(clean_row)
    if not clean_rows:
        return None  # an empty keyboard is no keyboard
    return {"inline_keyboard": clean_rows}


def _without_nulls(value: dict[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if item is not None}


# --------------------------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------------------------


@dataclass
class ChatMessage:
    """One message in a chat as Telegram stores it; `data` is its current Bot API JSON."""

    chat_id: int
    message_id: int
    from_bot: bool
    data: dict[str, Any]
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier versions

    @property
    def date(self) -> int:
        return int(self.data["date"])

    @property
    def text(self) -> str | None:
        """The text, or the caption of a media message."""
        return cast("str | None", self.data.get("text", self.data.get("caption")))

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self.data.get("entities", self.data.get("caption_entities", [])))

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return cast("dict[str, Any] | None", self.data.get("reply_markup"))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline buttons, row by row, flattened."""
        markup = self.reply_markup or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for button in self.buttons]

    @property
    def is_service(self) -> bool:
        return any(key in self.data for key in _SERVICE_KEYS)


EventKind = Literal["new", "edited", "deleted", "callback_answer", "chat_action"]


@dataclass(frozen=True)
class ChatEvent:
    """Something the person in a chat would notice, in order: a new message (from anyone), an
    edit, a deletion, a toast/alert answering a button press, or "typing..."."""

    seq: int
    kind: EventKind
    chat_id: int
    from_bot: bool
    message_id: int | None = None
    message: dict[str, Any] | None = None  # the message after the change (before, if deleted)
    text: str | None = None  # callback answer text or chat action
    show_alert: bool = False


@dataclass
class ForumTopic:
    message_thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_thread_id": self.message_thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            data["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return data


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Chat:
    id: int
    type: Literal["private", "group", "supergroup", "channel"]
    data: dict[str, Any]  # the Chat object embedded in messages
    members: set[int] = field(default_factory=set)
    admins: dict[int, str] = field(default_factory=dict)  # member id: administrator | creator
    started: bool = False  # private: the person has written to the bot, so it may write back
    blocked: bool = False  # private: the person blocked the bot; group: the bot was removed
    left: bool = False  # group or channel: the bot left it (leaveChat) or was never added
    bot_is_admin: bool = False
    can_post: bool = True  # channel: the bot's administrator right to post messages
    is_forum: bool = False
    topics: dict[int, ForumTopic] = field(default_factory=dict)
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    events: list[ChatEvent] = field(default_factory=list)
    reply_keyboard: dict[str, Any] | None = None
    next_message_id: int = 1


@dataclass
class _Fault:
    method: str | None  # lower-case, None = any
    remaining: int
    status: int
    description: str
    retry_after: int | None


@dataclass
class _PendingCallback:
    chat_id: int
    message_id: int
    payload: dict[str, Any]


class _Params:
    """Request parameters the way the Bot API reads them: strings from form data, nested
    objects as JSON strings; already-decoded values are accepted too."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def str(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _bad_request(f'field "{name}" must be a valid Number') from None

    def float(self, name: str) -> float | None:
        value = self.raw.get(name)
        if value in (None, ""):
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad_request(f'field "{name}" must be a valid Number') from None

    def bool(self, name: str) -> bool:
        value = self.raw.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def json(self, name: str, error: str) -> Any:
        value = self.raw.get(name)
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            raise _bad_request(error) from None


_Handler = Callable[["TelegramEmulator", _Params], Any]
_HANDLERS: dict[str, tuple[str, _Handler]] = {}


def _method(name: str) -> Callable[[_Handler], _Handler]:
    """Register a Bot API method; Telegram matches method names case-insensitively."""

    def register(handler: _Handler) -> _Handler:
        _HANDLERS[name.lower()] = (name, handler)
        return handler

    return register


class TelegramEmulator:
    """The state of a fake Telegram as seen by one bot: people, chats, messages, pending
    button presses, the update queue, and a log of every API call.

    Methods named `user_*` and `block_bot`/`unblock_bot` simulate people; each returns the
    Update (Bot API JSON) Telegram would send (a list where it sends several) and queues it for
    getUpdates or the webhook, unless the bot's allowed_updates exclude its type or it happens
    in a chat the bot is not in (then it is only returned).

    Not emulated (EmulatorError, so a gap shows instead of passing silently): Markdown parse
    modes, inline mode, payments and the other methods without a handler below. Simplified:
    button presses never expire, files are placeholders, auto-detected entities cover links,
    e-mails, /commands, @mentions and #hashtags only.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_name: str = DEFAULT_BOT_NAME,
        clock: Callable[[], float] = time.time,
        strict_webhook_urls: bool = False,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("token must look like '<bot id>:<secret>'")
        self.token = token
        self.bot_id = int(bot_id)
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self._clock = clock
        self._time_offset = 0.0
        # Telegram refuses webhooks that are not HTTPS on ports 443/80/88/8443; the end-to-end
        # tests need plain HTTP on a random loopback port, so that check is opt-in.
        self.strict_webhook_urls = strict_webhook_urls

        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.errors: list[tuple[str, TelegramError]] = []
        self.webhook: WebhookConfig | None = None
        self.allowed_updates: list[str] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}

        self._users: dict[int, dict[str, Any]] = {}
        self._chats: dict[int, _Chat] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._event_seq = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._group_ids = itertools.count(1)
        self._files: dict[str, dict[str, Any]] = {}
        self._pending_callbacks: dict[str, _PendingCallback] = {}
        self._faults: list[_Fault] = []
        self._listeners: list[Callable[[], None]] = []

    # ---- time -------------------------------------------------------------------------------

    def now(self) -> int:
        return int(self._clock() + self._time_offset)

    def advance_time(self, seconds: float) -> None:
        """Move the emulator's clock forward (e.g. past the 48 h deletion window)."""
        self._time_offset += seconds

    # ---- listeners --------------------------------------------------------------------------

    def add_listener(self, callback: Callable[[], None]) -> None:
        """Call `callback()` after every change: a new update, chat event, webhook change or
        API call. Used to wake long polls and to let a display redraw."""
        self._listeners.append(callback)

    def remove_listener(self, callback: Callable[[], None]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(callback)

    def _notify(self) -> None:
        for callback in list(self._listeners):
            callback()

    async def wait_for_updates(self, seconds: float) -> bool:
        """Wait up to `seconds` until an update is queued (or the webhook changes);
        True if there is one to deliver. Like the waiting part of a long getUpdates."""
        if self.pending_update_count():
            return True
        loop = asyncio.get_running_loop()
        changed = asyncio.Event()

        def wake() -> None:
            loop.call_soon_threadsafe(changed.set)

        self.add_listener(wake)
        try:
            deadline = loop.time() + seconds
            while not self.pending_update_count() and self.webhook is None:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), remaining)
        finally:
            self.remove_listener(wake)
        return bool(self.pending_update_count())

    # ---- fault injection --------------------------------------------------------------------

    def fail_next(
        self,
        method: str | None,
        times: int = 1,
        status: int = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
    ) -> None:
        """Make the next `times` calls of `method` (any method if None) fail with this error
        without being executed, e.g. 429 "Too Many Requests: retry after 5" with
        retry_after=5, or 500 "Internal Server Error"."""
        self._faults.append(
            _Fault(method.lower() if method else None, times, status, description, retry_after)
        )

    # ---- people and chats -------------------------------------------------------------------

    def add_private_user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_premium: bool = False,
        started: bool = False,
    ) -> dict[str, Any]:
        """A Telegram user with a private chat with the bot. The bot can write to them only
        after they have written first (any `user_*` message), or with `started=True`."""
        if user_id <= 0:
            raise EmulatorError("user ids are positive")
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        if is_premium:
            user["is_premium"] = True
        self._users[user_id] = user
        chat_data = {
            key: user[key] for key in ("id", "first_name", "last_name", "username") if key in user
        }
        chat_data["type"] = "private"
        chat = self._chats.get(user_id)
        if chat is None:
            self._chats[user_id] = _Chat(user_id, "private", chat_data, {user_id}, started=started)
        else:
            chat.data = chat_data
            chat.started = chat.started or started
        return dict(user)

    def add_supergroup(
        self,
        chat_id: int,
        title: str,
        *,
        is_forum: bool = True,
        members: Iterable[int] = (),
        username: str | None = None,
        bot_is_admin: bool = True,
    ) -> dict[str, Any]:
        """A supergroup the bot is in (an administrator with the right to manage topics,
        unless bot_is_admin=False). `members` must be users added before."""
        if chat_id >= 0:
            raise EmulatorError("supergroup ids are negative, e.g. -1001234567890")
        members = list(members)
        for member in members:
            self._user(member)
        data: dict[str, Any] = {"id": chat_id, "title": title, "type": "supergroup"}
        if username:
            data["username"] = username
        if is_forum:
            data["is_forum"] = True
        self._chats[chat_id] = _Chat(
            chat_id,
            "supergroup",
            data,
            set(members),
            started=True,
            bot_is_admin=bot_is_admin,
            is_forum=is_forum,
        )
        return dict(data)

    def set_group_rights(
        self,
        chat_id: int,
        *,
        is_forum: bool | None = None,
        bot_is_admin: bool | None = None,
        bot_in_group: bool | None = None,
    ) -> None:
        """An admin turns the group's Topics on or off, makes the bot an admin or not, or
        removes the bot from the group (then everything it sends there fails with 403)."""
        chat = self._existing_chat(chat_id)
        if bot_in_group is not None:
            chat.blocked = not bot_in_group
            chat.left = False
        if chat.type != "supergroup":
            raise EmulatorError("only supergroups have topics and admins")
        if is_forum is not None:
            chat.is_forum = is_forum
            if is_forum:
                chat.data["is_forum"] = True
            else:
                chat.data.pop("is_forum", None)
        if bot_is_admin is not None:
            chat.bot_is_admin = bot_is_admin

    def add_member(self, chat_id: int, user_id: int) -> None:
        self._user(user_id)
        self._existing_chat(chat_id).members.add(user_id)

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """A member of a supergroup is promoted to `administrator`, made its `creator` (the
        owner), or demoted to a plain `member`; getChatMember answers accordingly."""
        if status not in ("member", "administrator", "creator"):
            raise EmulatorError("status is member, administrator or creator")
        chat = self._existing_chat(chat_id)
        if chat.type != "supergroup":
            raise EmulatorError("only supergroups have topics and admins")
        if user_id not in chat.members:
            raise EmulatorError(f"user {user_id} is not a member of chat {chat_id}")
        if status == "creator" and "creator" in chat.admins.values():
            raise EmulatorError("a group has one creator")
        if status == "member":
            chat.admins.pop(user_id, None)
        else:
            chat.admins[user_id] = status

    def _user(self, user_id: int) -> dict[str, Any]:
        try:
            return self._users[user_id]
        except KeyError:
            raise EmulatorError(f"unknown user {user_id}; call add_private_user first") from None

    def _existing_chat(self, chat_id: int) -> _Chat:
        try:
            return self._chats[chat_id]
        except KeyError:
            raise EmulatorError(f"unknown chat {chat_id}") from None

    # ---- what a test or the terminal reads --------------------------------------------------

    def messages_in(self, chat_id: int) -> list[ChatMessage]:
        """Every message ever in the chat, in order, deleted ones included (flag `deleted`)."""
        return list(self._existing_chat(chat_id).messages.values())

    def visible_messages(self, chat_id: int) -> list[ChatMessage]:
        """What the person sees now: current versions, without deleted messages."""
        return [message for message in self.messages_in(chat_id) if not message.deleted]

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [message for message in self.visible_messages(chat_id) if message.from_bot]

    def last_bot_message(self, chat_id: int) -> ChatMessage | None:
        """The newest message from the bot that is still there."""
        messages = self.bot_messages(chat_id)
        return messages[-1] if messages else None

    def message(self, chat_id: int, message_id: int) -> ChatMessage:
        try:
            return self._existing_chat(chat_id).messages[message_id]
        except KeyError:
            raise EmulatorError(f"no message {message_id} in chat {chat_id}") from None

    def events(self, chat_id: int, after_seq: int = 0) -> list[ChatEvent]:
        """What happened in the chat, in order (seq is global across chats)."""
        return [event for event in self._existing_chat(chat_id).events if event.seq > after_seq]

    def reply_keyboard(self, chat_id: int) -> dict[str, Any] | None:
        """The reply keyboard currently shown under the input field, if any."""
        return self._existing_chat(chat_id).reply_keyboard

    def topics(self, chat_id: int) -> list[ForumTopic]:
        return list(self._existing_chat(chat_id).topics.values())

    def unanswered_callback_queries(self) -> list[dict[str, Any]]:
        return [copy.deepcopy(pending.payload) for pending in self._pending_callbacks.values()]

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of `method` (any letter case), in order."""
        return [params for name, params in self.calls if name.lower() == method.lower()]

    # ---- the update queue -------------------------------------------------------------------

    def pending_updates(self, limit: int = 100) -> list[dict[str, Any]]:
        return copy.deepcopy(self._updates[:limit])

    def pending_update_count(self) -> int:
        return len(self._updates)

    def drop_updates_before(self, update_id: int) -> None:
        """Confirm delivery of every update with an id below `update_id` (getUpdates offset)."""
        self._updates = [update for update in self._updates if update["update_id"] >= update_id]

    def record_webhook_error(self, message: str) -> None:
        if self.webhook is not None:
            self.webhook.last_error_date = self.now()
            self.webhook.last_error_message = message

    def _allowed(self, update_type: str) -> bool:
        if self.allowed_updates:
            return update_type in self.allowed_updates
        return update_type not in _OPT_IN_UPDATES

    def _enqueue(
        self, update_type: str, payload: dict[str, Any], *, to_bot: bool = True
    ) -> dict[str, Any]:
        """Queue an update; `to_bot=False`: it happened where the bot is not (a group it
        left), so Telegram sends nothing, and the update is only returned."""
        update = {"update_id": next(self._update_ids), update_type: copy.deepcopy(payload)}
        # Telegram does not create updates the bot has not asked for (allowed_updates).
        if to_bot and self._allowed(update_type):
            self._updates.append(update)
        self._notify()
        return copy.deepcopy(update)

    # ---- the API ----------------------------------------------------------------------------

    def call(self, method: str, params: Mapping[str, Any]) -> Any:
        """Execute a Bot API method; returns the JSON-able `result` or raises TelegramError
        (EmulatorError for a real method the emulator does not implement)."""
        entry = _HANDLERS.get(method.lower())
        name = entry[0] if entry else method
        self.calls.append((name, dict(params)))
        try:
            fault = self._take_fault(method)
            if fault is not None:
                raise fault
            if entry is None:
                if method.lower() in _KNOWN_METHODS:
                    raise EmulatorError(f"the emulator does not implement {method}")
                raise TelegramError(404, "Not Found")
            return entry[1](self, _Params(params))
        except TelegramError as error:
            self.errors.append((name, error))
            raise
        finally:
            self._notify()

    def _take_fault(self, method: str) -> TelegramError | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method in (None, method.lower()):
                fault.remaining -= 1
                return TelegramError(fault.status, fault.description, fault.retry_after)
        return None

    def check_token(self, token: str) -> bool:
        return token == self.token

    # ---- helpers shared by the methods ------------------------------------------------------

    def _chat_param(self, p: _Params, name: str = "chat_id") -> _Chat:
        raw = p.str(name)
        if not raw:
            raise _bad_request(f"{name} is empty")
        chat: _Chat | None = None
        if raw.startswith("@"):
            username = raw[1:].lower()
            chat = next(
                (
                    candidate
                    for candidate in self._chats.values()
                    if candidate.type != "private"
                    and str(candidate.data.get("username", "")).lower() == username
                ),
                None,
            )
        else:
            with contextlib.suppress(ValueError):
                chat = self._chats.get(int(raw))
        # A bot cannot reach a person who never wrote to it: same answer as for no chat.
        if chat is None or not chat.started:
            raise _bad_request("chat not found")
        return chat

    def _check_can_write(self, chat: _Chat) -> None:
        if chat.type == "private" and chat.blocked:
            raise TelegramError(403, "Forbidden: bot was blocked by the user")
        self._check_member(chat)
        if chat.type == "channel" and not (chat.bot_is_admin and chat.can_post):
            raise _bad_request("need administrator rights in the channel chat")

    @staticmethod
    def _check_member(chat: _Chat) -> None:
        """A group or channel the bot was removed from or left: 403, as for sending there."""
        if chat.type != "private" and chat.blocked:
            raise TelegramError(403, f"Forbidden: bot was kicked from the {chat.type} chat")
        if chat.type != "private" and chat.left:
            raise TelegramError(403, f"Forbidden: bot is not a member of the {chat.type} chat")

    def _thread_param(self, chat: _Chat, p: _Params) -> int | None:
        thread_id = p.int("message_thread_id")
        if not thread_id:
            return None
        if chat.is_forum:
            if thread_id not in chat.topics:
                raise _bad_request("message thread not found")
        else:
            root = chat.messages.get(thread_id)
            if chat.type == "private" or root is None or root.deleted:
                raise _bad_request("message thread not found")
        return thread_id

    def _message_param(self, chat: _Chat, p: _Params, missing: str) -> ChatMessage:
        message_id = p.int("message_id")
        if not message_id:
            raise _bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise _bad_request(missing)
        return message

    def _formatted(
        self,
        p: _Params,
        text_field: str,
        mode_field: str,
        entities_field: str,
        *,
        caption: bool,
    ) -> tuple[str, list[dict[str, Any]]]:
        """The text or caption after parse_mode and Telegram's cleaning, with entities."""
        raw = p.str(text_field) or ""
        if not raw:
            if caption:
                return "", []
            raise _bad_request("message text is empty")
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError:
            raise _bad_request("strings must be encoded in UTF-8") from None
        parse_mode = (p.str(mode_field) or "").strip().lower()
        if parse_mode == "html":
            try:
                text, entities = parse_html(raw)
            except FormattingError as exc:
                raise _bad_request(f"can't parse entities: {exc}") from None
        elif parse_mode in ("markdown", "markdownv2"):
            raise EmulatorError(f"parse_mode {p.str(mode_field)} is not emulated; use HTML")
        elif parse_mode:
            raise _bad_request("unsupported parse_mode")
        else:
            text, entities = raw, self._entities_param(p, entities_field)
        try:
            text, entities = fix_text(text, entities)
        except EmptyTextError:
            if caption:
                return "", []
            raise _bad_request("message must be non-empty") from None
        limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
        if utf16_length(text) > limit:
            raise _bad_request("message caption is too long" if caption else "message is too long")
        return text, find_entities(text, self._resolve_mentions(entities))

    def _entities_param(self, p: _Params, name: str) -> list[dict[str, Any]]:
        value = p.json(name, "can't parse entities JSON object")
        if value is None:
            return []
        if not isinstance(value, list):
            raise _bad_request("can't parse entities JSON object")
        entities = []
        for item in value:
            if not isinstance(item, dict) or not {"type", "offset", "length"} <= item.keys():
                raise _bad_request("can't parse entities JSON object")
            entity = _without_nulls(dict(item))
            if entity["type"] == "text_link":
                try:
                    entity["url"] = check_link(str(entity.get("url", "")))
                except LinkError as exc:
                    raise _bad_request(
                        f"entity URL '{entity.get('url', '')}' is invalid: {exc}"
                    ) from None
            if entity["type"] == "text_mention":
                entity["user_id"] = int(dict(entity.pop("user", {})).get("id", 0))
            entities.append(entity)
        return entities

    def _resolve_mentions(self, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        resolved = []
        for entity in entities:
            if "user_id" in entity:
                user = self._users.get(entity["user_id"])
                if user is None:
                    continue  # simplification: Telegram would refuse an inaccessible user
                entity = {key: value for key, value in entity.items() if key != "user_id"}
                entity["user"] = dict(user)
            resolved.append(entity)
        return resolved

    def _markup_param(self, p: _Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        markup = parse_reply_markup(p.raw.get("reply_markup"))
        if inline_only and markup is not None and "inline_keyboard" not in markup:
            raise _bad_request("inline keyboard expected")
        return markup

    def _event(
        self,
        chat: _Chat,
        kind: EventKind,
        *,
        from_bot: bool,
        message: ChatMessage | None = None,
        text: str | None = None,
        show_alert: bool = False,
    ) -> None:
        chat.events.append(
            ChatEvent(
                seq=next(self._event_seq),
                kind=kind,
                chat_id=chat.id,
                from_bot=from_bot,
                message_id=message.message_id if message else None,
                message=copy.deepcopy(message.data) if message else None,
                text=text,
                show_alert=show_alert,
            )
        )

    def _store_message(
        self,
        chat: _Chat,
        sender: dict[str, Any],
        content: dict[str, Any],
        *,
        thread_id: int | None = None,
        reply_to: ChatMessage | None = None,
        markup: dict[str, Any] | None = None,
        protect: bool = False,
    ) -> ChatMessage:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        data: dict[str, Any] = {"message_id": message_id}
        if chat.type == "channel":
            # A post in a channel is signed by the channel, whoever wrote it (the bot too).
            data["sender_chat"] = dict(chat.data)
        else:
            data["from"] = dict(sender)
        data.update(chat=dict(chat.data), date=self.now())
        if thread_id is not None:
            data["message_thread_id"] = thread_id
            if chat.is_forum:
                data["is_topic_message"] = True
        if reply_to is not None:
            replied = copy.deepcopy(reply_to.data)
            replied.pop("reply_to_message", None)  # Telegram nests only one level
            data["reply_to_message"] = replied
        data.update(copy.deepcopy(content))
        if markup is not None and "inline_keyboard" in markup:
            # Only inline keyboards belong to a message; reply keyboards belong to the chat.
            data["reply_markup"] = markup
        if protect:
            data["has_protected_content"] = True
        message = ChatMessage(chat.id, message_id, sender.get("is_bot", False), data)
        chat.messages[message_id] = message
        if markup is not None and "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup is not None and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        self._event(chat, "new", from_bot=message.from_bot, message=message)
        return message

    def _edit(
        self, chat: _Chat, message: ChatMessage, changes: dict[str, Any], removed: tuple[str, ...]
    ) -> dict[str, Any]:
        message.history.append(copy.deepcopy(message.data))
        for key in removed:
            message.data.pop(key, None)
        message.data.update(changes)
        message.data["edit_date"] = self.now()
        self._event(chat, "edited", from_bot=message.from_bot, message=message)
        return copy.deepcopy(message.data)

    def _new_file(self, kind: str, content: bytes = b"", **meta: Any) -> dict[str, Any]:
        number = next(self._file_ids)
        file = {
            "file_id": f"emu-{kind}-{number:06d}",
            "file_unique_id": f"u{kind[:2]}{number:06d}",
            **meta,
        }
        if content:
            file["file_size"] = len(content)
        self._files[file["file_id"]] = {
            "kind": kind,
            "content": content,
            "path": f"{kind}s/file_{number}",
            "meta": dict(file),
        }
        return file

    def file_content(self, file_id: str) -> bytes:
        try:
            return cast(bytes, self._files[file_id]["content"])
        except KeyError:
            raise EmulatorError(f"unknown file {file_id}") from None

    def file_content_by_path(self, file_path: str) -> bytes:
        for stored in self._files.values():
            if stored["path"] == file_path:
                return cast(bytes, stored["content"])
        raise EmulatorError(f"unknown file path {file_path}")

    # ---- Bot API methods: the bot itself ----------------------------------------------------

    @_method("getMe")
    def _get_me(self, p: _Params) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @_method("logOut")
    def _log_out(self, p: _Params) -> bool:
        return True

    @_method("close")
    def _close(self, p: _Params) -> bool:
        return True

    def _language_param(self, p: _Params) -> str:
        language = p.str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad_request("invalid language code specified")
        return language

    def _scope_key(self, p: _Params) -> str:
        scope = p.json("scope", "can't parse BotCommandScope JSON object") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad_request("can't parse BotCommandScope JSON object")
        return json.dumps(scope, sort_keys=True)

    @_method("setMyCommands")
    def _set_my_commands(self, p: _Params) -> bool:
        commands = p.json("commands", "can't parse commands JSON object")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        scope, language = self._scope_key(p), self._language_param(p)
        clean = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            command = str(item.get("command", "")).strip().removeprefix("/")
            description = str(item.get("description", "")).strip()
            if not command:
                raise _bad_request("command must be non-empty")
            if len(command) > 32:
                raise _bad_request("command length must not exceed 32")
            if not description:
                raise _bad_request("command description must be non-empty")
            if len(description) > 256:
                raise _bad_request("command description length must not exceed 256")
            if not re.fullmatch(r"[a-z0-9_]+", command):
                raise _bad_request("BOT_COMMAND_INVALID")
            clean.append({"command": command, "description": description})
        if clean:
            self.commands[(scope, language)] = clean
        else:
            self.commands.pop((scope, language), None)
        return True

    @_method("deleteMyCommands")
    def _delete_my_commands(self, p: _Params) -> bool:
        self.commands.pop((self._scope_key(p), self._language_param(p)), None)
        return True

    @_method("getMyCommands")
    def _get_my_commands(self, p: _Params) -> list[dict[str, str]]:
        return copy.deepcopy(self.commands.get((self._scope_key(p), self._language_param(p)), []))

    @_method("setMyDescription")
    def _set_my_description(self, p: _Params) -> bool:
        self.descriptions[self._language_param(p)] = p.str("description") or ""
        return True

    @_method("getMyDescription")
    def _get_my_description(self, p: _Params) -> dict[str, str]:
        return {"description": self.descriptions.get(self._language_param(p), "")}

    @_method("setMyShortDescription")
    def _set_my_short_description(self, p: _Params) -> bool:
        self.short_descriptions[self._language_param(p)] = p.str("short_description") or ""
        return True

    @_method("getMyShortDescription")
    def _get_my_short_description(self, p: _Params) -> dict[str, str]:
        return {"short_description": self.short_descriptions.get(self._language_param(p), "")}

    @_method("setMyName")
    def _set_my_name(self, p: _Params) -> bool:
        self.names[self._language_param(p)] = p.str("name") or ""
        return True

    @_method("getMyName")
    def _get_my_name(self, p: _Params) -> dict[str, str]:
        language = self._language_param(p)
        return {"name": self.names.get(language) or self.bot_user["first_name"]}

    @_method("setChatMenuButton")
    def _set_chat_menu_button(self, p: _Params) -> bool:
        chat_id = self._chat_param(p).id if p.has("chat_id") else None
        button = p.json("menu_button", "can't parse menu button JSON object")
        if button is None:
            button = {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise _bad_request("can't parse menu button JSON object")
        self.menu_buttons[chat_id] = button
        return True

    @_method("getChatMenuButton")
    def _get_chat_menu_button(self, p: _Params) -> dict[str, Any]:
        chat_id = self._chat_param(p).id if p.has("chat_id") else None
        fallback = self.menu_buttons.get(None, {"type": "commands"})
        return copy.deepcopy(self.menu_buttons.get(chat_id, fallback))

    # ---- updates and webhook ----------------------------------------------------------------

    @_method("getUpdates")
    def _get_updates(self, p: _Params) -> list[dict[str, Any]]:
        """Non-blocking: long polling (`timeout`) is the waiting caller's job."""
        if self.webhook is not None:
            raise TelegramError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        allowed = p.json("allowed_updates", "can't parse allowed updates JSON object")
        if isinstance(allowed, list):
            self.allowed_updates = [str(item) for item in allowed]
        offset = p.int("offset") or 0
        if offset > 0:
            self.drop_updates_before(offset)
        elif offset < 0:
            self._updates = self._updates[offset:]  # -N: only the last N are kept
        limit = min(max(p.int("limit") or 100, 1), 100)
        return self.pending_updates(limit)

    @_method("setWebhook")
    def _set_webhook(self, p: _Params) -> bool:
        url = p.str("url") or ""
        if not url:
            return self._delete_webhook(p)
        scheme = url.split("://", 1)[0].lower() if "://" in url else ""
        if scheme not in ("http", "https"):
            raise _bad_request("bad webhook: Wrong URL protocol")
        if self.strict_webhook_urls:
            if scheme != "https":
                raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
            port = re.match(r"https://[^/:]+(?::(\d+))?", url)
            if port and port.group(1) not in (None, "80", "88", "443", "8443"):
                raise _bad_request(
                    "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
                )
        secret = p.str("secret_token") or None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise _bad_request("secret token contains unallowed characters")
        max_connections = p.int("max_connections") or 40
        allowed = p.json("allowed_updates", "can't parse allowed updates JSON object")
        if isinstance(allowed, list):
            self.allowed_updates = [str(item) for item in allowed]
        if p.bool("drop_pending_updates"):
            self._updates.clear()
        self.webhook = WebhookConfig(
            url=url,
            secret_token=secret,
            max_connections=min(max(max_connections, 1), 100),
            ip_address=p.str("ip_address") or None,
        )
        return True

    @_method("deleteWebhook")
    def _delete_webhook(self, p: _Params) -> bool:
        self.webhook = None
        if p.bool("drop_pending_updates"):
            self._updates.clear()
        return True

    @_method("getWebhookInfo")
    def _get_webhook_info(self, p: _Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": self.pending_update_count(),
        }
        if self.webhook is not None:
            info["max_connections"] = self.webhook.max_connections
            info["ip_address"] = self.webhook.ip_address or "127.0.0.1"
            if self.webhook.last_error_date is not None:
                info["last_error_date"] = self.webhook.last_error_date
                info["last_error_message"] = self.webhook.last_error_message
        if self.allowed_updates:
            info["allowed_updates"] = list(self.allowed_updates)
        return info

    # ---- messages ---------------------------------------------------------------------------

    def _reply_param(self, chat: _Chat, p: _Params) -> ChatMessage | None:
        params = p.json("reply_parameters", "can't parse reply parameters JSON object")
        if params is None and p.has("reply_to_message_id"):
            params = {
                "message_id": p.int("reply_to_message_id"),
                "allow_sending_without_reply": p.bool("allow_sending_without_reply"),
            }
        if params is None:
            return None
        if not isinstance(params, dict) or "message_id" not in params:
            raise _bad_request("can't parse reply parameters JSON object")
        target = chat.messages.get(int(params["message_id"]))
        if target is None or target.deleted:
            if _Params(params).bool("allow_sending_without_reply"):
                return None
            raise _bad_request("message to be replied not found")
        return target

    @staticmethod
    def _text_content(p: _Params, text: str, entities: list[dict[str, Any]]) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        preview = p.json("link_preview_options", "can't parse link preview options JSON object")
        # Telegram echoes the preview options only when the text has a link to preview.
        if (
            isinstance(preview, dict)
            and preview
            and any(entity["type"] in ("url", "text_link") for entity in entities)
        ):
            content["link_preview_options"] = _without_nulls(preview)
        return content

    @_method("sendMessage")
    def _send_message(self, p: _Params) -> dict[str, Any]:
        text, entities = self._formatted(p, "text", "parse_mode", "entities", caption=False)
        markup = self._markup_param(p)
        chat = self._chat_param(p)
        thread_id = self._thread_param(chat, p)
        reply_to = self._reply_param(chat, p)
        self._check_can_write(chat)
        content = self._text_content(p, text, entities)
        message = self._store_message(
            chat,
            self.bot_user,
            content,
            thread_id=thread_id,
            reply_to=reply_to,
            markup=markup,
            protect=p.bool("protect_content"),
        )
        return copy.deepcopy(message.data)

    def _send_media(self, p: _Params, kind: str) -> dict[str, Any]:
        caption, entities = self._formatted(
            p, "caption", "parse_mode", "caption_entities", caption=True
        )
        markup = self._markup_param(p)
        chat = self._chat_param(p)
        thread_id = self._thread_param(chat, p)
        reply_to = self._reply_param(chat, p)
        self._check_can_write(chat)
        source = p.raw.get(kind)
        if isinstance(source, str) and source.startswith("attach://"):
            source = p.raw.get(source.removeprefix("attach://"))
        if isinstance(source, UploadedFile):
            file = self._new_file(kind, source.content, file_name=source.filename)
        elif isinstance(source, str) and source in self._files:
            file = dict(self._files[source]["meta"])
        elif isinstance(source, str) and source.startswith(("http://", "https://")):
            file = self._new_file(kind)
        else:
            raise _bad_request(f"there is no {kind} in the request")
        content: dict[str, Any]
        if kind == "photo":
            content = {
                "photo": [
                    {**file, "width": 90, "height": 90},
                    {**file, "width": 800, "height": 800},
                ]
            }
        elif kind == "sticker":
            content = {
                "sticker": {
                    **file,
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            }
        elif kind in ("video", "animation"):
            content = {kind: {**file, "width": 640, "height": 360, "duration": 1}}
        elif kind in ("voice", "audio"):
            content = {kind: {**file, "duration": 1}}
        else:
            content = {kind: file}
        if caption and kind != "sticker":
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        message = self._store_message(
            chat,
            self.bot_user,
            content,
            thread_id=thread_id,
            reply_to=reply_to,
            markup=markup,
            protect=p.bool("protect_content"),
        )
        return copy.deepcopy(message.data)

    @_method("sendPhoto")
    def _send_photo(self, p: _Params) -> dict[str, Any]:
        return self._send_media(p, "photo")

    @_method("sendDocument")
    def _send_document(self, p: _Params) -> dict[str, Any]:
        return self._send_media(p, "document")

    @_method("sendVideo")
    def _send_video(self, p: _Params) -> dict[str, Any]:
        return self._send_media(p, "video")

    @_method("sendAudio")
    def _send_audio(self, p: _Params) -> dict[str, Any]:
        return self._send_media(p, "audio")

    @_method("sendVoice")
    def _send_voice(self, p: _Params) -> dict[str, Any]:
        return self._send_media(p, "voice")

    @_method("sendAnimation")
    def _send_animation(self, p: _Params) -> dict[str, Any]:
        return self._send_media(p, "animation")

    @_method("sendSticker")
    def _send_sticker(self, p: _Params) -> dict[str, Any]:
        return self._send_media(p, "sticker")

    @_method("getFile")
    def _get_file(self, p: _Params) -> dict[str, Any]:
        stored = self._files.get(p.str("file_id") or "")
        if stored is None:
            raise _bad_request("invalid file_id")
        meta = stored["meta"]
        return {
            "file_id": meta["file_id"],
            "file_unique_id": meta["file_unique_id"],
            "file_size": len(stored["content"]),
            "file_path": stored["path"],
        }

    def _editable(self, p: _Params) -> tuple[_Chat, ChatMessage]:
        if p.has("inline_message_id"):
            raise EmulatorError("inline messages are not emulated")
        chat = self._chat_param(p)
        message = self._message_param(chat, p, "message to edit not found")
        if not message.from_bot or message.is_service:
            raise _bad_request("message can't be edited")
        self._check_can_write(chat)
        return chat, message

    def _not_modified(self) -> TelegramError:
        return _bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )

    @_method("editMessageText")
    def _edit_message_text(self, p: _Params) -> dict[str, Any]:
        text, entities = self._formatted(p, "text", "parse_mode", "entities", caption=False)
        markup = self._markup_param(p, inline_only=True)
        chat, message = self._editable(p)
        if "text" not in message.data:
            raise _bad_request("there is no text in the message to edit")
        if (
            message.data["text"] == text
            and message.data.get("entities", []) == entities
            and message.reply_markup == markup
        ):
            raise self._not_modified()
        changes = self._text_content(p, text, entities)
        if markup is not None:
            changes["reply_markup"] = markup
        # Telegram drops the inline keyboard when an edit does not repeat it.
        return self._edit(
            chat, message, changes, removed=("entities", "link_preview_options", "reply_markup")
        )

    @_method("editMessageCaption")
    def _edit_message_caption(self, p: _Params) -> dict[str, Any]:
        caption, entities = self._formatted(
            p, "caption", "parse_mode", "caption_entities", caption=True
        )
        markup = self._markup_param(p, inline_only=True)
        chat, message = self._editable(p)
        if "text" in message.data or message.is_service:
            raise _bad_request("there is no caption in the message to edit")
        if (
            message.data.get("caption", "") == caption
            and message.data.get("caption_entities", []) == entities
            and message.reply_markup == markup
        ):
            raise self._not_modified()
        changes: dict[str, Any] = {}
        if caption:
            changes["caption"] = caption
        if entities:
            changes["caption_entities"] = entities
        if markup is not None:
            changes["reply_markup"] = markup
        return self._edit(
            chat, message, changes, removed=("caption", "caption_entities", "reply_markup")
        )

    @_method("editMessageReplyMarkup")
    def _edit_message_reply_markup(self, p: _Params) -> dict[str, Any]:
        markup = self._markup_param(p, inline_only=True)
        chat, message = self._editable(p)
        if message.reply_markup == markup:
            raise self._not_modified()
        changes = {"reply_markup": markup} if markup is not None else {}
        return self._edit(chat, message, changes, removed=("reply_markup",))

    def _delete(self, chat: _Chat, message: ChatMessage) -> None:
        if message.is_service:
            raise _bad_request("message can't be deleted")
        if chat.type != "private" and not message.from_bot and not chat.bot_is_admin:
            raise _bad_request("message can't be deleted")
        if self.now() - message.date > DELETE_WINDOW_SECONDS:
            raise _bad_request("message can't be deleted for everyone")
        message.deleted = True
        self._event(chat, "deleted", from_bot=message.from_bot, message=message)

    @_method("deleteMessage")
    def _delete_message(self, p: _Params) -> bool:
        chat = self._chat_param(p)
        self._delete(chat, self._message_param(chat, p, "message to delete not found"))
        return True

    @_method("deleteMessages")
    def _delete_messages(self, p: _Params) -> bool:
        chat = self._chat_param(p)
        ids = p.json("message_ids", "can't parse message identifiers JSON object")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad_request("message identifiers are not specified")
        for message_id in ids:
            message = chat.messages.get(int(message_id))
            if message is not None and not message.deleted:  # missing ones are skipped
                with contextlib.suppress(TelegramError):
                    self._delete(chat, message)
        return True

    @_method("copyMessage")
    def _copy_message(self, p: _Params) -> dict[str, int]:
        source_chat = self._chat_param(p, "from_chat_id")
        source = self._message_param(source_chat, p, "message to copy not found")
        if source.is_service:
            raise _bad_request("message can't be copied")
        if source.data.get("has_protected_content"):
            raise _bad_request("message has protected content and can't be forwarded")
        markup = self._markup_param(p)
        chat = self._chat_param(p)
        thread_id = self._thread_param(chat, p)
        reply_to = self._reply_param(chat, p)
        self._check_can_write(chat)
        skip = {
            "message_id",
            "from",
            "chat",
            "date",
            "edit_date",
            "reply_markup",
            "reply_to_message",
            "message_thread_id",
            "is_topic_message",
            "has_protected_content",
            "forward_origin",
        }
        content = {key: value for key, value in source.data.items() if key not in skip}
        if p.has("caption") and "text" not in content:
            caption, entities = self._formatted(
                p, "caption", "parse_mode", "caption_entities", caption=True
            )
            content.pop("caption", None)
            content.pop("caption_entities", None)
            if caption:
                content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        message = self._store_message(
            chat,
            self.bot_user,
            content,
            thread_id=thread_id,
            reply_to=reply_to,
            markup=markup,
            protect=p.bool("protect_content"),
        )
        return {"message_id": message.message_id}

    @_method("sendChatAction")
    def _send_chat_action(self, p: _Params) -> bool:
        chat = self._chat_param(p)
        self._thread_param(chat, p)
        self._check_can_write(chat)
        action = p.str("action") or ""
        if action not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        self._event(chat, "chat_action", from_bot=True, text=action)
        return True

    @_method("answerCallbackQuery")
    def _answer_callback_query(self, p: _Params) -> bool:
        query_id = p.str("callback_query_id") or ""
        text = p.str("text")
        if text and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        pending = self._pending_callbacks.pop(query_id, None)
        if pending is None:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        chat = self._chats[pending.chat_id]
        self._event(
            chat,
            "callback_answer",
            from_bot=True,
            text=text or None,
            show_alert=p.bool("show_alert"),
        )
        return True

    # ---- chats ------------------------------------------------------------------------------

    @_method("getChat")
    def _get_chat(self, p: _Params) -> dict[str, Any]:
        chat = self._chat_param(p)
        info = {
            **chat.data,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat.type != "private":
            info["permissions"] = {"can_send_messages": True}
        return info

    def _bot_member(self, chat: _Chat) -> dict[str, Any]:
        if chat.type != "private" and chat.blocked:
            return {"status": "kicked", "user": dict(self.bot_user), "until_date": 0}
        if chat.type != "private" and chat.left:
            return {"status": "left", "user": dict(self.bot_user)}
        if chat.type == "private" or not chat.bot_is_admin:
            return {"status": "member", "user": dict(self.bot_user)}
        rights = dict.fromkeys(
            (
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_change_info",
                "can_invite_users",
            ),
            True,
        )
        # Rights that exist only in some kinds of chat are left out of the others.
        if chat.type == "channel":
            rights.update(can_post_messages=chat.can_post, can_edit_messages=True)
        else:
            rights["can_pin_messages"] = True
        if chat.type == "supergroup":
            rights["can_manage_topics"] = True
        rights.update(
            dict.fromkeys(
                (
                    "can_be_edited",
                    "is_anonymous",
                    "can_promote_members",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                    "can_send_welcome_messages",
                ),
                False,
            )
        )
        return {"status": "administrator", "user": dict(self.bot_user), **rights}

    @_method("leaveChat")
    def _leave_chat(self, p: _Params) -> bool:
        chat = self._chat_param(p)
        if chat.type == "private":
            raise _bad_request("chat member status can't be changed in private chats")
        self._check_member(chat)
        old = self._bot_member(chat)
        chat.left, chat.bot_is_admin = True, False
        # Telegram tells the bot of its own change of status too, as from itself.
        self._enqueue("my_chat_member", self._membership(chat, self.bot_user, old))
        return True

    def _membership(self, chat: _Chat, by: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
        """A ChatMemberUpdated about the bot: from `old` to its status in `chat` now."""
        return {
            "chat": dict(chat.data),
            "from": dict(by),
            "date": self.now(),
            "old_chat_member": old,
            "new_chat_member": self._bot_member(chat),
        }

    @_method("getChatMember")
    def _get_chat_member(self, p: _Params) -> dict[str, Any]:
        chat = self._chat_param(p)
        user_id = p.int("user_id")
        if user_id == self.bot_id:
            return self._bot_member(chat)
        user = self._users.get(user_id or 0)
        if user is None:
            raise _bad_request("user not found")
        if user_id not in chat.members:
            return {"status": "left", "user": dict(user)}
        status = chat.admins.get(user_id, "member")
        if status == "creator":
            return {"status": "creator", "user": dict(user), "is_anonymous": False}
        if status == "administrator":
            # An admin as a group's owner usually makes one: may manage the chat, not promote.
            rights = dict.fromkeys(_ADMIN_RIGHTS, True)
            rights.update(can_be_edited=False, is_anonymous=False, can_promote_members=False)
            return {"status": "administrator", "user": dict(user), **rights}
        return {"status": "member", "user": dict(user)}

    # ---- forum topics -----------------------------------------------------------------------

    def _forum(self, p: _Params) -> _Chat:
        chat = self._chat_param(p)
        self._check_can_write(chat)
        if not chat.is_forum:
            raise _bad_request("the chat is not a forum")
        if not chat.bot_is_admin:
            raise _bad_request("not enough rights to create a topic")
        return chat

    def _topic(self, chat: _Chat, p: _Params) -> ForumTopic:
        topic = chat.topics.get(p.int("message_thread_id") or 0)
        if topic is None:
            raise _bad_request("TOPIC_ID_INVALID")
        return topic

    @staticmethod
    def _topic_name(raw: str) -> str:
        # tdlib cleans the name and cuts it to 128 characters instead of refusing it.
        name = " ".join(raw.split())[:128]
        if not name:
            raise _bad_request("title must be non-empty")
        return name

    @_method("createForumTopic")
    def _create_forum_topic(self, p: _Params) -> dict[str, Any]:
        chat = self._forum(p)
        name = self._topic_name(p.str("name") or "")
        color = p.int("icon_color")
        if color is not None and not 0 <= color <= 0xFFFFFF:
            raise _bad_request("invalid icon color specified")
        service = self._store_message(
            chat,
            self.bot_user,
            {
                "forum_topic_created": {
                    "name": name,
                    "icon_color": DEFAULT_TOPIC_COLOR if color is None else color,
                }
            },
        )
        # A topic is identified by the id of the service message that created it.
        service.data["message_thread_id"] = service.message_id
        service.data["is_topic_message"] = True
        topic = ForumTopic(
            message_thread_id=service.message_id,
            name=name,
            icon_color=DEFAULT_TOPIC_COLOR if color is None else color,
            icon_custom_emoji_id=p.str("icon_custom_emoji_id") or None,
        )
        chat.topics[topic.message_thread_id] = topic
        return topic.to_json()

    @_method("editForumTopic")
    def _edit_forum_topic(self, p: _Params) -> bool:
        chat = self._forum(p)
        topic = self._topic(chat, p)
        name = self._topic_name(p.str("name") or "") if p.has("name") else topic.name
        emoji = (
            p.str("icon_custom_emoji_id")
            if "icon_custom_emoji_id" in p.raw
            else (topic.icon_custom_emoji_id)
        )
        if name == topic.name and (emoji or None) == topic.icon_custom_emoji_id:
            raise _bad_request("TOPIC_NOT_MODIFIED")
        topic.name, topic.icon_custom_emoji_id = name, emoji or None
        return True

    @_method("closeForumTopic")
    def _close_forum_topic(self, p: _Params) -> bool:
        topic = self._topic(self._forum(p), p)
        if topic.closed:
            raise _bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = True
        return True

    @_method("reopenForumTopic")
    def _reopen_forum_topic(self, p: _Params) -> bool:
        topic = self._topic(self._forum(p), p)
        if not topic.closed:
            raise _bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = False
        return True

    @_method("deleteForumTopic")
    def _delete_forum_topic(self, p: _Params) -> bool:
        chat = self._forum(p)
        topic = self._topic(chat, p)
        del chat.topics[topic.message_thread_id]
        for message in chat.messages.values():
            if message.data.get("message_thread_id") == topic.message_thread_id:
                message.deleted = True
        return True

    # ---- simulated people -------------------------------------------------------------------

    def _chat_of(self, user_id: int, chat_id: int | None) -> _Chat:
        self._user(user_id)
        chat = self._existing_chat(user_id if chat_id is None else chat_id)
        if chat.type == "private":
            if chat.id != user_id:
                raise EmulatorError(f"user {user_id} cannot write in the private chat {chat.id}")
            if chat.blocked:
                raise EmulatorError(f"user {user_id} has blocked the bot; call unblock_bot first")
        elif chat.type == "channel":
            raise EmulatorError(
                "in a channel people act as the channel; see user_posts_in_channel"
            )
        elif user_id not in chat.members:
            raise EmulatorError(f"user {user_id} is not a member of chat {chat.id}")
        return chat

    @staticmethod
    def _bot_is_in(chat: _Chat) -> bool:
        return chat.type == "private" or not (chat.blocked or chat.left)

    def _user_message(
        self,
        user_id: int,
        content: dict[str, Any],
        *,
        chat_id: int | None = None,
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        chat = self._chat_of(user_id, chat_id)
        if message_thread_id is not None:
            if chat.is_forum and message_thread_id not in chat.topics:
                raise EmulatorError(f"no topic {message_thread_id} in chat {chat.id}")
            if not chat.is_forum and message_thread_id not in chat.messages:
                raise EmulatorError(f"no thread {message_thread_id} in chat {chat.id}")
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = self.message(chat.id, reply_to_message_id)
            if reply_to.deleted:
                raise EmulatorError(f"message {reply_to_message_id} was deleted")
        chat.started = True
        message = self._store_message(
            chat, self._users[user_id], content, thread_id=message_thread_id, reply_to=reply_to
        )
        return self._enqueue("message", message.data, to_bot=self._bot_is_in(chat))

    def user_sends_text(
        self,
        user_id: int,
        text: str,
        *,
        entities: list[dict[str, Any]] | None = None,
        chat_id: int | None = None,
        message_thread_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """The person sends a text (to the private chat unless chat_id is given). Entities
        Telegram detects itself (a /command at the start, links, mentions) are added."""
        if not text.strip():
            raise EmulatorError("Telegram apps do not send empty messages")
        try:
            clean, fixed = fix_text(text, list(entities or []))
        except EmptyTextError:
            raise EmulatorError("Telegram apps do not send empty messages") from None
        found = find_entities(clean, fixed)
        chat = self._existing_chat(user_id if chat_id is None else chat_id)
        keyboard = chat.reply_keyboard
        if (
            keyboard
            and keyboard.get("one_time_keyboard")
            and any(button.get("text") == clean for row in keyboard["keyboard"] for button in row)
        ):
            chat.reply_keyboard = None  # a one-time keyboard hides after use
        content: dict[str, Any] = {"text": clean}
        if found:
            content["entities"] = found
        return self._user_message(
            user_id,
            content,
            chat_id=chat_id,
            message_thread_id=message_thread_id,
            reply_to_message_id=reply_to_message_id,
        )

    def _caption(self, caption: str | None) -> dict[str, Any]:
        if not caption:
            return {}
        text, _ = fix_text(caption, [])
        found = find_entities(text)
        return {"caption": text, **({"caption_entities": found} if found else {})}

    def user_sends_sticker(self, user_id: int, emoji: str = "🙂", **where: Any) -> dict[str, Any]:
        sticker = self._new_file("sticker", b"webp", emoji=emoji)
        sticker.update(type="regular", width=512, height=512, is_animated=False, is_video=False)
        return self._user_message(user_id, {"sticker": sticker}, **where)

    def user_sends_photo(
        self, user_id: int, caption: str | None = None, content: bytes = b"jpeg", **where: Any
    ) -> dict[str, Any]:
        big = self._new_file("photo", content)
        small = {
            **big,
            "file_id": big["file_id"] + "-s",
            "file_unique_id": big["file_unique_id"] + "s",
            "width": 90,
            "height": 90,
        }
        sizes = [small, {**big, "width": 1280, "height": 960}]
        return self._user_message(user_id, {"photo": sizes, **self._caption(caption)}, **where)

    def user_sends_voice(
        self, user_id: int, duration: int = 3, content: bytes = b"ogg", **where: Any
    ) -> dict[str, Any]:
        voice = self._new_file("voice", content, duration=duration, mime_type="audio/ogg")
        return self._user_message(user_id, {"voice": voice}, **where)

    def user_sends_video(
        self,
        user_id: int,
        caption: str | None = None,
        duration: int = 5,
        content: bytes = b"mp4",
        **where: Any,
    ) -> dict[str, Any]:
        video = self._new_file(
            "video", content, width=1280, height=720, duration=duration, mime_type="video/mp4"
        )
        return self._user_message(user_id, {"video": video, **self._caption(caption)}, **where)

    def user_sends_document(
        self,
        user_id: int,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
        content: bytes = b"%PDF",
        **where: Any,
    ) -> dict[str, Any]:
        document = self._new_file("document", content, file_name=file_name, mime_type=mime_type)
        return self._user_message(
            user_id, {"document": document, **self._caption(caption)}, **where
        )

    def user_sends_location(
        self, user_id: int, latitude: float = 43.2389, longitude: float = 76.8897, **where: Any
    ) -> dict[str, Any]:
        return self._user_message(
            user_id, {"location": {"latitude": latitude, "longitude": longitude}}, **where
        )

    def user_sends_contact(
        self,
        user_id: int,
        phone_number: str = "+77010000000",
        first_name: str | None = None,
        *,
        own: bool = True,
        **where: Any,
    ) -> dict[str, Any]:
        """A shared contact; `own=True` is the person's own number (request_contact)."""
        user = self._user(user_id)
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or user["first_name"],
        }
        if own:
            contact["user_id"] = user_id
        return self._user_message(user_id, {"contact": contact}, **where)

    def user_sends_poll(
        self,
        user_id: int,
        question: str = "Which one?",
        options: Sequence[str] = ("Yes", "No"),
        **where: Any,
    ) -> dict[str, Any]:
        poll = {
            "id": str(next(self._file_ids)),
            "question": question,
            "options": [
                {"persistent_id": str(index), "text": option, "voter_count": 0}
                for index, option in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": True,
            "members_only": False,
        }
        return self._user_message(user_id, {"poll": poll}, **where)

    def user_sends_dice(
        self, user_id: int, emoji: str = "🎲", value: int = 4, **where: Any
    ) -> dict[str, Any]:
        return self._user_message(user_id, {"dice": {"emoji": emoji, "value": value}}, **where)

    def user_edits_message(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """The person edits one of their text messages: an `edited_message` update."""
        chat = self._chat_of(user_id, chat_id)
        message = self.message(chat.id, message_id)
        if message.deleted or message.from_bot or message.data["from"]["id"] != user_id:
            raise EmulatorError(f"user {user_id} cannot edit message {message_id}")
        if "text" not in message.data:
            raise EmulatorError("only text messages are edited by this helper")
        clean, _ = fix_text(text, [])
        entities = find_entities(clean)
        changes: dict[str, Any] = {"text": clean}
        if entities:
            changes["entities"] = entities
        data = self._edit(chat, message, changes, removed=("entities",))
        return self._enqueue("edited_message", data, to_bot=self._bot_is_in(chat))

    def user_presses_button(
        self,
        user_id: int,
        button: str | re.Pattern[str] | None = None,
        *,
        data: str | None = None,
        message_id: int | None = None,
        chat_id: int | None = None,
        forged: bool = False,
    ) -> dict[str, Any]:
        """The person taps an inline button: a `callback_query` update, pending until the bot
        answers it. The button is found by its text (exact string, or a regex searched in
        the text) or by its callback data, on `message_id` or else on the newest bot
        message with an inline keyboard. It must be on the message now (a stale keyboard
        that was edited away cannot be tapped) unless `forged=True`, which sends `data` as
        a modified client could, to test that the bot does not trust callback data."""
        chat = self._chat_of(user_id, chat_id)
        if message_id is None:
            candidates = [message for message in self.bot_messages(chat.id) if message.buttons]
            if not candidates:
                raise EmulatorError(f"no bot message with inline buttons in chat {chat.id}")
            message = candidates[-1]
        else:
            message = self.message(chat.id, message_id)
            if message.deleted:
                raise EmulatorError(f"message {message_id} was deleted")
        if forged:
            if data is None:
                raise EmulatorError("a forged press needs data=")
            callback_data = data
        else:
            callback_data = self._find_button(message, button, data)
        payload = {
            "id": f"{self.bot_id}{next(self._callback_ids):010d}",
            "from": dict(self._users[user_id]),
            "message": copy.deepcopy(message.data),
            "chat_instance": str((chat.id * 2654435761) % (1 << 62)),
            "data": callback_data,
        }
        self._pending_callbacks[payload["id"]] = _PendingCallback(
            chat.id, message.message_id, payload
        )
        return self._enqueue("callback_query", payload)

    @staticmethod
    def _find_button(
        message: ChatMessage, button: str | re.Pattern[str] | None, data: str | None
    ) -> str:
        def matches(candidate: dict[str, Any]) -> bool:
            if data is not None and candidate.get("callback_data") != data:
                return False
            if isinstance(button, str):
                return bool(candidate["text"] == button)
            if isinstance(button, re.Pattern):
                return button.search(candidate["text"]) is not None
            return data is not None

        found = [candidate for candidate in message.buttons if matches(candidate)]
        if len(found) != 1:
            problem = "no" if not found else "more than one"
            raise EmulatorError(
                f"{problem} button matching {button!r}/{data!r} on message "
                f"{message.message_id}; buttons: {message.button_texts}"
            )
        if "callback_data" not in found[0]:
            raise EmulatorError(
                f"button {found[0]['text']!r} sends no callback (not a callback button)"
            )
        return str(found[0]["callback_data"])

    def user_adds_bot_to_group(
        self,
        user_id: int,
        chat_id: int | None = None,
        *,
        title: str = "Group",
        kind: ChatKind = "group",
        as_admin: bool = False,
        can_post_messages: bool = True,
    ) -> list[dict[str, Any]]:
        """The person adds the bot to a group, supergroup or channel: a new one they create
        (unless `chat_id` names one the bot left or was removed from). Telegram sends a
        `my_chat_member` update (from "left" to "member" or "administrator"), and in a group or
        supergroup the service message "… added the bot" (`new_chat_members`); both are
        queued and returned, in that order. A channel takes a bot only as an administrator;
        `can_post_messages` is its right to post there."""
        user = self._user(user_id)
        if kind not in ("group", "supergroup", "channel"):
            raise EmulatorError(f"unknown kind of chat {kind!r}")
        if kind == "channel" and not as_admin:
            raise EmulatorError("Telegram adds a bot to a channel only as an administrator")
        if chat_id is None:
            number = next(self._group_ids)
            chat_id = -(4_100_000_000 + number if kind == "group" else 1_002_100_000_000 + number)
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id >= 0:
                raise EmulatorError("group and channel ids are negative")
            data: dict[str, Any] = {"id": chat_id, "title": title, "type": kind}
            chat = _Chat(chat_id, kind, data, {user_id}, started=True, left=True)
            self._chats[chat_id] = chat
        elif chat.type != kind or user_id not in chat.members or self._bot_is_in(chat):
            raise EmulatorError(
                f"user {user_id} cannot add the bot to chat {chat_id}: it must be a {kind} "
                "they are in, and the bot must not be in it"
            )
        old = self._bot_member(chat)
        chat.blocked = chat.left = False
        chat.bot_is_admin, chat.can_post = as_admin, can_post_messages
        updates = [self._enqueue("my_chat_member", self._membership(chat, user, old))]
        if kind != "channel":
            added = self._store_message(chat, user, {"new_chat_members": [dict(self.bot_user)]})
            updates.append(self._enqueue("message", added.data))
        return updates

    def user_posts_in_channel(self, user_id: int, chat_id: int, text: str) -> dict[str, Any]:
        """An administrator of a channel posts a text in it: a `channel_post` update, signed
        by the channel (nothing in it says who wrote it). Queued only if the bot is in it."""
        self._user(user_id)
        chat = self._existing_chat(chat_id)
        if chat.type != "channel" or user_id not in chat.members:
            raise EmulatorError(f"user {user_id} cannot post in chat {chat_id}")
        if not text.strip():
            raise EmulatorError("Telegram apps do not send empty messages")
        clean, entities = fix_text(text, [])
        content: dict[str, Any] = {"text": clean}
        found = find_entities(clean, entities)
        if found:
            content["entities"] = found
        post = self._store_message(chat, self._users[user_id], content)
        return self._enqueue("channel_post", post.data, to_bot=self._bot_is_in(chat))

    def _member_update(self, user_id: int, old: str, new: str) -> dict[str, Any]:
        self._user(user_id)
        chat = self._existing_chat(user_id)
        new_member: dict[str, Any] = {"status": new, "user": dict(self.bot_user)}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: dict[str, Any] = {"status": old, "user": dict(self.bot_user)}
        if old == "kicked":
            old_member["until_date"] = 0
        payload = {
            "chat": dict(chat.data),
            "from": dict(self._users[user_id]),
            "date": self.now(),
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        }
        return self._enqueue("my_chat_member", payload)

    def block_bot(self, user_id: int) -> dict[str, Any]:
        """The person blocks the bot: further messages to them fail with 403."""
        chat = self._existing_chat(user_id)
        if chat.blocked:
            raise EmulatorError(f"user {user_id} has already blocked the bot")
        chat.blocked = True
        return self._member_update(user_id, "member", "kicked")

    def unblock_bot(self, user_id: int) -> dict[str, Any]:
        """The person unblocks (restarts) the bot."""
        chat = self._existing_chat(user_id)
        if not chat.blocked:
            raise EmulatorError(f"user {user_id} has not blocked the bot")
        chat.blocked = False
        chat.started = True
        return self._member_update(user_id, "kicked", "member")


# --------------------------------------------------------------------------------------------
# aiogram session
# --------------------------------------------------------------------------------------------


class EmulatorSession(BaseSession):
    """An aiogram session that sends every request into a TelegramEmulator, in-process.

    Requests are serialised exactly like AiohttpSession's form data, and answers go through
    BaseSession.check_response with Telegram's JSON, so the bot sees the same values and the
    same exceptions (TelegramBadRequest, TelegramRetryAfter, ...) as over HTTP. getUpdates
    waits up to its `timeout` for an update, like a long poll, so polling does not spin.
    """

    def __init__(self, emulator: TelegramEmulator, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.emulator = emulator

    async def close(self) -> None:
        """Nothing to close: there is no connection."""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        params, files = self._form_fields(bot, method)
        for key, input_file in files.items():
            chunks = [chunk async for chunk in input_file.read(bot)]
            params[key] = UploadedFile(input_file.filename or key, b"".join(chunks))
        api_method = method.__api_method__
        if api_method == "getUpdates" and self.emulator.webhook is None:
            offset = int(params.get("offset") or 0)
            if offset > 0:
                self.emulator.drop_updates_before(offset)
            wait = float(params.get("timeout") or 0)
            if wait > 0 and offset >= 0:
                await self.emulator.wait_for_updates(wait)
        # A network call always yields to the event loop; without this a polling loop over
        # the emulator would never let anything else run.
        await asyncio.sleep(0)

        status, body = self._execute(bot, api_method, params)
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=self.json_dumps(body)
        )
        return cast(TelegramType, response.result)

    def _form_fields(
        self, bot: Bot, method: TelegramMethod[TelegramType]
    ) -> tuple[dict[str, Any], dict[str, InputFile]]:
        # The same steps as AiohttpSession.build_form_data, keeping the values as strings.
        files: dict[str, InputFile] = {}
        params: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if not prepared:
                continue
            params[key] = prepared
        return params, files

    def _execute(self, bot: Bot, api_method: str, params: dict[str, Any]) -> tuple[int, Any]:
        if not self.emulator.check_token(bot.token):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        try:
            result = self.emulator.call(api_method, params)
        except TelegramError as error:
            return error.status, error.to_json()
        return 200, {"ok": True, "result": result}

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - aiogram's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        """Downloads of files the emulator knows (`bot.download(...)` after getFile)."""
        prefix = self.api.file_url(self.emulator.token, "")
        if not url.startswith(prefix):
            raise EmulatorError(f"cannot download {url} without a network")
        content = self.emulator.file_content_by_path(url[len(prefix) :])
        for start in range(0, len(content), chunk_size):
            yield content[start : start + chunk_size]
