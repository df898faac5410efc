"""The phrase syntax NGO staff write in resources/danger/*.yaml, parsed into word patterns.

    хочу умереть     the words in this order; one other word may stand between two of them
    суицид*          * at the end of a word: the word may go on (суицида, суицидальные)
    он ... убьет     ... between two words: up to three other words may stand there

A word standing between two phrase words is never a negation (не, ни, not, never, no, don't,
емес, жоқ, эмес, emas, yoʻq): «он меня не бьет» does not count as «он меня бьет».
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import product

from bot.danger.normalise import UZBEK_MARK, key, mixes_alphabets, normalise

DEFAULT_GAP = 1
"""How many other words may stand between two words of a phrase."""
WIDE_GAP = 3
"""The same, where the phrase has ... between the two words."""
MIN_STEM = 3
"""Letters a word must have before its *, so that «уб*» cannot match half the language."""
FUZZY_MIN = 6
"""Words this long (after normalisation; for a stem, the letters before *) also match with
one typo, anywhere, if their first three letters are right."""
LOOSE_MIN = 4
"""In a phrase of several words, one word this long may have one typo anywhere after its
first letter, as long as the other words are right: «хчу умереть», "i wnat to die"."""
LOOSE_STEM_MIN = 5
"""The same for a stem (the letters before *): a shorter one would find too much (келе*,
"wants", would find келме-, "does not want")."""

_NEGATION_WORDS = normalise(
    "не ни нет not no never dont doesnt didnt wont cant isnt arent wasnt "
    "емес жоқ эмес жок emas yoʻq yoq йўқ нест"
)
NEGATIONS = frozenset(_NEGATION_WORDS) | frozenset(key(word) for word in _NEGATION_WORDS)
"""Words that may not fill a gap between two phrase words (normalised, and as keys)."""

_COMMON = normalise(
    "i me my you your he him his she her it we us they them the a an and or but to of in on "
    "at for with from is are was were be been am have has had do does did not no so if that "
    "this what how would will can could like just all please want know get go now"
    " я меня мне мой моя ты тебя он его она ее мы нас они их и а но в на с по не что как это "
    "так все уже еще быть есть очень хочу может надо у из за"
    " мен мені маған менің сен ол оны біз және бұл не да де жоқ бар өте керек деп"
    " мени мага менин биз жана бул эмне жок абдан"
    " ман маро ту ӯ мо ва дар ба аз ки бо ин он ҳам"
    " men meni menga mening sen u biz va bu da ham yoq bor juda kerak deb"
    " with about there here when then than one some any out up down very really time day "
    "today yesterday people"
    " для при от до без тоже когда если был была было будет сегодня вчера сейчас потом там "
    "тут здесь только можно нужно"
    " үшін екен еді болды бүгін кеше қазір осы сол бір барлық енді тағы кейін арқылы"
    " үчүн менен экен эле болду бүгүн кечээ азыр ушул баары эми дагы кийин"
    " барои то як ҳамин имрӯз дирӯз ҳозир баъд пеш кард шуд аст буд ҳаст чӣ"
    " bilan uchun edi ekan bugun kecha hozir keyin bir hamma endi yana shu boʻldi qildi"
    " know find think said tell take got"
    " сказал сказала был"
    " алдым алды алып берді кетті кетіп жатыр жатырмын тұр отыр жүр салды қойды болып"
    " берди кетти жатат жатам турат отурат жүрөт койду болуп"
    " oldim oldi olib berdi ketdi qildim qilib boʻlib turibdi yotibdi"
    " карда мешавад кардам гуфт"
)
COMMON_WORDS = frozenset(_COMMON) | frozenset(key(word) for word in _COMMON)
"""Words nearly every text has, in the six languages: never the first word the matcher
looks up when a phrase has another (a phrase «ман ... мекушам» is looked up by мекушам)."""

KEY_LANGUAGES = frozenset({"kk", "ky", "tg", "uz", "ru"})
"""Lists read through the reading key (normalise.key): their phrases also find texts typed
in the other alphabet. English is matched as written."""

# Turkic languages negate a verb with a suffix right after its stem: кес|пе|ймін (I do not
# cut), өлтүр|бө|йт (will not kill), oʻldir|ma|yman. A stem written with * never runs on into
# that suffix, so «өзімді кес*» finds кесіп, кестім, кесемін but not кеспеймін; the infinitive
# -мақ/-мек/-moq (өлтірмекші: about to kill) is not a negation. kk: ма ме ба бе па пе;
# ky also мо бо по (мө бө пө typed plain); uz: ma. A list that means the negated
# verb writes it out: «өмір сүргім келмей*».
# The suffixes of all three languages apply to all three lists, as a Kazakh text may match
# an Uzbek phrase (ozimdi and ozimni are one typo apart).
# «-man/-men» at the very end is "I" (oʻlmoqchi|man: I intend to die), not a negation.
_NEGATIVE_SUFFIX = re.compile(r"(?:ma|me|mo|ba|be|bo|pa|pe|po)(?!k|n$)")
_TURKIC = frozenset({"kk", "ky", "uz"})

_GAP_MARK = re.compile(r"^(?:\.{2,}|…+)$")
_GLUED_GAP = re.compile(r"\.\.|…")
# Signs people may borrow from search engines or regular expressions; they mean nothing here.
_FOREIGN_SIGNS = "?+|()[]{}\\^$%"


class PhraseError(ValueError):
    """A phrase that cannot be used; the message says what to change, in plain words."""


@dataclass(frozen=True)
class Word:
    text: str
    """Normalised; for a stem, the letters before the *."""
    stem: bool
    negative: re.Pattern[str] | None = field(default=None, compare=False)
    """In a Turkic list: the negative suffix a stem's continuation may not start with, and
    that a typo may not add or take away (kelmadi is not a typo of keladi)."""
    exact: bool = field(default=False, compare=False)
    """No typo allowed: the words of not_danger and calm_context phrases, so that «meni
    urardi» (used to beat me) can never cancel «meni uradi» (beats me) one letter away."""

    strict: bool = field(init=False, compare=False)
    """Written with the Uzbek mark (oʻ gʻ): only a text with the mark matches it.

    A word written with plain o or g matches both «ozimni» and «oʻzimni»; writing the mark
    is how a list says that the plain spelling is another word (olgim "I want to take")."""
    fuzzy: bool = field(init=False, compare=False)
    """Long enough for the one-typo rule (FUZZY_MIN)."""
    loose: bool = field(init=False, compare=False)
    """Long enough for the short-word typo rule (LOOSE_MIN)."""

    def __post_init__(self) -> None:
        # Worked out once: the matcher asks for them at every word of every text.
        object.__setattr__(self, "strict", UZBEK_MARK in self.text)
        object.__setattr__(self, "fuzzy", not self.exact and len(self.text) >= FUZZY_MIN)
        object.__setattr__(self, "loose", not self.exact and len(self.text) >= LOOSE_MIN)

    def __str__(self) -> str:
        return self.text + ("*" if self.stem else "")


@dataclass(frozen=True)
class Pattern:
    words: tuple[Word, ...]
    gaps: tuple[int, ...]
    """gaps[i]: how many other words may stand between words[i] and words[i + 1]."""

    @property
    def key(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """Equal for two phrases that match exactly the same texts (duplicates)."""
        return tuple(str(word) for word in self.words), self.gaps

    def sample(self) -> list[str]:
        """The shortest tokens this pattern matches (used to test it against the idioms)."""
        return [word.text for word in self.words]


def readings(pattern: Pattern, language: str, exact: bool = False) -> tuple[Pattern, ...]:
    """The patterns a list phrase is matched with.

    English: the phrase as written. Other lists: its reading key (see normalise.key), so that
    Latin-typed Kazakh, Kyrgyz, Russian and Tajik find the Cyrillic phrase; for Uzbek, also
    the phrase as written in Cyrillic, where oʻ is ў (typed у on a Russian keyboard) and a
    plain o written without its mark may be either."""
    if language not in KEY_LANGUAGES:
        if not exact:
            return (pattern,)
        words = tuple(Word(word.text, word.stem, exact=True) for word in pattern.words)
        return (Pattern(words, pattern.gaps),)
    keyed = _keyed(pattern, language, exact, yo=True)
    if language != "uz":
        return (keyed,)
    found: dict[object, Pattern] = {}
    for base in (keyed, _keyed(pattern, language, exact, yo=False)):
        found.setdefault(base.key, base)
        for variant in _uzbek_cyrillic(base):
            found.setdefault(variant.key, variant)
    return tuple(found.values())


def first_reading(pattern: Pattern, language: str, exact: bool = False) -> Pattern:
    """The first of readings(): what a phrase is matched as, without the Uzbek variants
    (enough to tell two phrases of one list apart)."""
    if language not in KEY_LANGUAGES:
        return readings(pattern, language, exact)[0]
    return _keyed(pattern, language, exact, yo=True)


def _keyed(pattern: Pattern, language: str, exact: bool, yo: bool) -> Pattern:
    negative = _NEGATIVE_SUFFIX if language in _TURKIC else None
    words = tuple(Word(key(word.text, yo), word.stem, negative, exact) for word in pattern.words)
    return Pattern(words, pattern.gaps)


def _uzbek_cyrillic(pattern: Pattern) -> list[Pattern]:
    """The keys of an Uzbek Latin phrase as typed in Cyrillic: oʻ → ў → u; a plain o is o or
    ў (u) when the list left the mark out; gʻ → ғ → g."""
    options: list[list[str]] = []
    for word in pattern.words:
        text = word.text
        if UZBEK_MARK in text:
            options.append([text.replace("oʻ", "u").replace(UZBEK_MARK, "")])
            continue
        spots = text.count("o")
        if spots == 0:
            options.append([text])
        elif spots <= 3:
            options.append(
                ["".join(_fill(text, choice)) for choice in product("ou", repeat=spots)]
            )
        else:
            options.append([text, text.replace("o", "u")])
    return [
        Pattern(
            tuple(
                Word(text, word.stem, word.negative, word.exact)
                for text, word in zip(texts, pattern.words, strict=True)
            ),
            pattern.gaps,
        )
        # Keyed again: once oʻ is u, iu and ia are one sign (yoʻq → йўқ → ю).
        for texts in product(*(map(key, choices) for choices in options))
    ]


def _fill(text: str, choice: tuple[str, ...]) -> list[str]:
    letters = iter(choice)
    return [next(letters) if letter == "o" else letter for letter in text]


def parse_phrase(raw: str) -> Pattern:
    """Parse one list entry; raise PhraseError saying what is wrong."""
    text = raw.strip()
    if not text:
        raise PhraseError("the phrase is empty: write some words after '- ', or delete the line")
    _refuse_foreign_signs(text)
    words: list[Word] = []
    gaps: list[int] = []
    gap_pending = False
    for part in text.split():
        if _GAP_MARK.match(part):
            if not words:
                raise PhraseError("... must stand between two words, not at the start")
            if gap_pending:
                raise PhraseError("two ... in a row: one is enough")
            gap_pending = True
            continue
        part_words = _parse_word(part)
        if not part_words:
            continue  # a lone punctuation mark such as "-" or "!": it never counts anyway
        if words:
            gaps.append(WIDE_GAP if gap_pending else DEFAULT_GAP)
        gap_pending = False
        # A word written with a hyphen becomes two tokens that stand right next to each other.
        words.append(part_words[0])
        for word in part_words[1:]:
            gaps.append(0)
            words.append(word)
    if not words:
        raise PhraseError(
            f"«{text}» could never match: nothing is left of it once punctuation and emoji "
            "are set aside; write it with letters"
        )
    if gap_pending:
        raise PhraseError("... must stand between two words, not at the end")
    return Pattern(tuple(words), tuple(gaps))


def _refuse_foreign_signs(text: str) -> None:
    for sign in _FOREIGN_SIGNS:
        if sign in text:
            raise PhraseError(
                f"«{sign}» has no special meaning in a phrase: only * (at the end of a word) "
                "and ... (between words) do; write plain words, one variant per line"
            )


def _parse_word(part: str) -> list[Word]:
    if _GLUED_GAP.search(part):
        raise PhraseError(
            f"«{part}»: write ... with a space on each side, like «хочу ... умереть»"
        )
    if "*" not in part:
        return [Word(token, stem=False) for token in _tokens(part)]
    if part.strip("*") == "" or part.startswith("*"):
        raise PhraseError(
            f"«{part}»: * goes at the end of a word, after its first letters, like суицид*; "
            "it cannot stand alone or at the start of a word"
        )
    if part.count("*") > 1 or not part.endswith("*"):
        raise PhraseError(
            f"«{part}»: * can only be at the end of a word, like суицид*, not in the middle"
        )
    tokens = _tokens(part[:-1])
    if not tokens or len(tokens[-1].replace(UZBEK_MARK, "")) < MIN_STEM:
        raise PhraseError(
            f"«{part}»: put at least {MIN_STEM} letters before *; a shorter start would also "
            "match many ordinary words"
        )
    return [Word(token, stem=False) for token in tokens[:-1]] + [Word(tokens[-1], stem=True)]


def _tokens(part: str) -> list[str]:
    tokens = normalise(part)
    for token in tokens:
        if mixes_alphabets(token):
            raise PhraseError(
                f"«{part}» mixes Latin and Cyrillic letters, so it could never match what "
                "people type: retype the word in one alphabet"
            )
    return tokens
