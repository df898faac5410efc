"""Turn what a person types, and every list phrase, into comparable word tokens.

Phrases and texts go through the same function, so whatever it does is symmetric: a rule
that merges two spellings merges them on both sides. The steps, in order:

1. lower case; Unicode NFC (a letter typed as base + combining mark becomes one letter);
2. ё → е, and the letters of Kazakh, Kyrgyz, Tajik and Cyrillic Uzbek folded to the plain
   Russian-keyboard letter people type instead (ә→а ғ→г қ→к ң→н ө→о ұ→у ү→у һ→х і→и ӣ→и
   ӯ→у ҳ→х ҷ→ч ў→у), and Latin letters with marks (ä ö ü ı ğ ş ç ñ, á ó ú ǵ ń í é) to plain
   Latin, so «өлгім келеді» and «олгим келеди» are the same words;
3. apostrophes (ʻ ʼ ' ` ‘ ’ ´) become one mark, kept as ʻ right after Latin o and g (the Uzbek
   letters oʻ gʻ) and dropped everywhere else ("don't" → dont, "ubit'" → ubit);
4. punctuation, emoji, symbols and underscores become spaces;
5. a word that mixes Latin and Cyrillic look-alike letters ("пoмoгитe" with Latin o and e,
   "УБИTЬ" with a Latin T) is rewritten in the alphabet its other letters belong to;
6. a run of the same letter becomes one letter ("помогитееее" → помогите, "kill" → kil);
7. English "do not", "can not", "will not" … are written as people also type them (dont,
   cant, wont), so a list phrase "dont want to live" finds "I do not want to live";
8. split on whitespace.

Tokens keep ʻ; matching.py decides when a word without it may still match (see there).
The hot path avoids per-character Python loops: a 5,000-character text is normalised with a
few C-level string and regex passes.
"""

from __future__ import annotations

import re
import unicodedata
from operator import methodcaller

UZBEK_MARK = "ʻ"
"""The one form of the Uzbek oʻ/gʻ mark that tokens carry (U+02BB)."""

# Special letters → what people type for them on a Russian or plain Latin keyboard.
_FOLD: dict[str, str] = {
    "ё": "е",
    # Kazakh
    "ә": "а",
    "ғ": "г",
    "қ": "к",
    "ң": "н",
    "ө": "о",
    "ұ": "у",
    "ү": "у",
    "һ": "х",
    "і": "и",
    # Tajik (ғ қ shared with Kazakh above)
    "ӣ": "и",
    "ӯ": "у",
    "ҳ": "х",
    "ҷ": "ч",
    # Cyrillic Uzbek (ғ қ ҳ above)
    "ў": "у",
    # Latin with marks: Turkish-keyboard and Kazakh-Latin typing
    "ä": "a",
    "ö": "o",
    "ü": "u",
    "ı": "i",
    "ğ": "g",
    "ş": "sh",
    "ç": "ch",
    "ñ": "n",
    "á": "a",
    "ó": "o",
    "ú": "u",
    "ǵ": "g",
    "ń": "n",
    "í": "i",
    "é": "e",
    "ū": "u",
}
_APOSTROPHES = ("ʻ", "ʼ", "`", "‘", "’", "´", "ʹ", "′")
_REPLACEMENTS: tuple[tuple[str, str], ...] = (
    *_FOLD.items(),
    *((mark, "'") for mark in _APOSTROPHES),
)

# An apostrophe not right after Latin o or g: dropped. Written literal-first so that the
# regex engine can jump from one apostrophe to the next instead of testing every position.
_STRAY_APOSTROPHE = re.compile(r"'(?<![og]')")
_NON_WORD = re.compile(r"[^\w\s]")  # one sign at a time: measurably faster than [...]+
# A run of one character. ([^ ])\1\1* rather than (.)\1+: the same tokens in a third of the
# time, as a plain back-reference fails fast where nothing is doubled and spaces (many after
# punctuation is removed) are left to split(). The replacement is a C-level callable, which
# re.sub applies faster than the template r"\1".
_REPEATS = re.compile(r"([^ ])\1\1*")
_FIRST_OF_RUN = methodcaller("group", 1)

# Look-alike pairs (after lower-casing, so capital H and B count as н and в).
_LATIN_TO_CYRILLIC = str.maketrans("abcehikmoptxy", "авсеникмортху")
_CYRILLIC_TO_LATIN = str.maketrans("авсенкмортхуи", "abcehkmoptxyi")
_LATIN_ONLY = frozenset("dfgjlnqrsuvwz")
_CYRILLIC_ONLY = frozenset("бгджзйлпфцчшщъыьэюя")
_LATIN_LETTER = re.compile(r"[a-z]")
# A Latin letter with a Cyrillic one on either side. Written Latin-first so that the engine
# tests one character class at most positions (five times faster than [a-z][а-я]|[а-я][a-z]).
_MIXED_PAIR = re.compile(r"[a-z](?:(?<=[а-я][a-z])|(?=[а-я]))")
_CYRILLIC_LETTER = re.compile(r"[а-я]")
# After doubled letters are single: "will not" is already "wil not".
_SPELT_OUT_NOT = re.compile(
    r"\b(do|does|did|is|are|was|were|has|have|had|could|would|should|can|wil)\s+not\b"
)
_CONTRACTED = {"can": "cant", "wil": "wont"}


def _contracted(match: re.Match[str]) -> str:
    verb = match.group(1)
    return _CONTRACTED.get(verb, verb + "nt")


def normalise(text: str) -> list[str]:
    """The word tokens of text, normalised as described in the module docstring."""
    return tokenise(text)[0]


def tokenise(text: str) -> tuple[list[str], bool]:
    """normalise(text), and whether any token holds the Uzbek mark ʻ."""
    folded, marked = _fold(text.lower())
    if "_" in folded:
        folded = folded.replace("_", " ")
    folded = _REPEATS.sub(_FIRST_OF_RUN, _NON_WORD.sub(" ", folded))
    if " not" in folded:
        folded = _SPELT_OUT_NOT.sub(_contracted, folded)
    tokens = folded.split()
    if _MIXED_PAIR.search(folded):
        # Only a Latin letter right next to a Cyrillic one betrays a look-alike word, and
        # most texts have none: the per-word work below is for those few.
        _rewrite_mixed(tokens)
    return tokens, marked


def _fold(text: str) -> tuple[str, bool]:
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    for special, plain in _REPLACEMENTS:
        if special in text:  # a C-speed scan; replace() only when there is something to do
            text = text.replace(special, plain)
    if "'" not in text:
        return text, False
    text = _STRAY_APOSTROPHE.sub("", text).replace("'", UZBEK_MARK)
    return text, UZBEK_MARK in text


def _rewrite_mixed(tokens: list[str]) -> None:
    """Rewrite, in place, the tokens that hold letters of both alphabets."""
    for position, token in enumerate(tokens):
        if not token.isascii() and _LATIN_LETTER.search(token) and _CYRILLIC_LETTER.search(token):
            tokens[position] = _REPEATS.sub(_FIRST_OF_RUN, token.translate(_target_table(token)))


def _target_table(token: str) -> dict[int, int]:
    latin = not _LATIN_ONLY.isdisjoint(token)
    cyrillic = not _CYRILLIC_ONLY.isdisjoint(token)
    if latin and cyrillic:
        return {}  # letters of both alphabets that look like nothing else: leave it be
    if cyrillic or (not latin and _more_cyrillic(token)):
        return _LATIN_TO_CYRILLIC
    return _CYRILLIC_TO_LATIN


def _more_cyrillic(token: str) -> bool:
    """For a word made only of look-alike letters: the alphabet most of them are in."""
    cyrillic = len(_CYRILLIC_LETTER.findall(token))
    return cyrillic * 2 >= len(_LATIN_LETTER.findall(token)) + cyrillic


def mixes_alphabets(token: str) -> bool:
    """True for a normalised token that still holds Latin and Cyrillic letters."""
    return bool(_LATIN_LETTER.search(token) and _CYRILLIC_LETTER.search(token))


# --- the reading key: one spelling for Cyrillic and Latin ---------------------------------
#
# People type Kazakh, Kyrgyz, Russian and Tajik in Latin letters ("olgim keledi", "menya
# byut", "murdan mekhoham") and Uzbek in Cyrillic. Transliteration has no single standard
# (ы is y, i or ı; х is h, x or kh; ж is j or zh; я is ya or ia), so instead of guessing one
# Cyrillic spelling for a Latin word, the phrases of the Cyrillic-script lists and every text
# are both rewritten into a reduced Latin key where those variants coincide:
#
#     Cyrillic  а→a … х→h ж→j ц→ts ч→ch ш→sh щ→sh ы→i й→i ю→iu я→ia, ь ъ dropped
#     Latin     kh x h→h  zh j→j  q→k  w→v  c→ts  ye yo→e  y→i  ng→n, ii→i
#
# so «өлгім келеді», «олгим келеди», "olgim keledi" and "ölgim keledı" share the key
# olgim keledi, and «меня бьют», "menya byut" and "menia b'iut" share menia biut. The key is
# lossy on purpose; English is not read through it (dye would become die), and a phrase still
# needs all its words, so a merged pair of letters rarely turns an ordinary text into one.
# Hand-written: transliteration libraries map one script to one standard spelling, which is
# the opposite of what is needed here (every informal spelling to one form).

# The key is computed on bytes: a 5,000-character text is re-encoded in one C-level pass
# (cp1251 holds every normalised Cyrillic letter), Latin digraphs are merged with
# bytes.replace and letters mapped with one bytes.translate. A letter that Latin writes with
# two (ч ш щ ю я: ch sh iu ia) stays one sign in the key, so a Cyrillic word keeps its
# length and a typo in it stays one typo (хчоу is one swap from хочу); ц is ts, the way
# «повеситься» (т, с) is typed "povesitsya". Per-character Python
# would cost twenty times more.
_CODEPAGE = "cp1251"
_LATIN_PAIRS = (
    (b"kh", b"h"), (b"zh", b"j"), (b"gh", b"g"), (b"ye", b"e"), (b"ng", b"n"),
    (b"ch", b"\x02"), (b"sh", b"\x03"),
)  # fmt: skip
_YO = re.compile(rb"yo(?!')")
_IOTATED = ((b"ii", b"i"), (b"iu", b"\x04"), (b"ia", b"\x05"))
_DROP = "ъь".encode(_CODEPAGE)  # deleted before the table applies
_KEY_LETTERS = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "j", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "\x01", "ч": "\x02",
    "ш": "\x03", "щ": "\x03", "ы": "i", "э": "e", "ю": "\x04", "я": "\x05",
    "c": "\x01", "x": "h", "q": "k", "w": "v", "y": "i",
}  # fmt: skip
_KEY_TABLE = bytearray(range(256))
for _letter, _target in _KEY_LETTERS.items():
    _KEY_TABLE[_letter.encode(_CODEPAGE)[0]] = ord(_target)


def _key_text(text: str, yo: bool = True) -> str:
    if UZBEK_MARK in text:
        text = text.replace(UZBEK_MARK, "'")
    data = text.encode(_CODEPAGE, "ignore")
    for pair, single in _LATIN_PAIRS:
        if pair in data:
            data = data.replace(pair, single)
    if yo and b"yo" in data:  # ё, which is е once normalised; not the yoʻ of Uzbek yoʻq
        data = _YO.sub(b"e", data)
    data = data.translate(_KEY_TABLE, _DROP)
    for pair, single in _IOTATED:
        while pair in data:
            data = data.replace(pair, single)
    if b"\x01" in data:  # ц and Latin c: ts, as Cyrillic тс and "povesitsya" are spelt
        data = data.replace(b"\x01", b"ts")
    out = data.decode("latin-1")
    return out.replace("'", UZBEK_MARK) if "'" in out else out


def key(token: str, yo: bool = True) -> str:
    """The reading key of one normalised token (or of a phrase word's letters). `yo=False`
    keeps Latin yo as io: an Uzbek list word written without its mark, like yoq, stands for
    yoʻq (йўқ, io) as well as for ёқ (e)."""
    return _key_text(token, yo)


def keys(tokens: list[str]) -> list[str]:
    """key() of every token, in one pass over the joined text; same length as tokens."""
    out = _key_text(" ".join(tokens)).split(" ")
    if len(out) != len(tokens) or "" in out:  # a token of only ь, or of other scripts
        return [key(token) or token for token in tokens]
    return out
