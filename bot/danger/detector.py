"""The compiled matcher: finds list phrases in a person's text without keeping the text.

At load every phrase gets one anchor word, the one likely to be rarest in ordinary text (see
_anchor). A text is scanned once: each token is looked up in a dict of exact anchor words and
in a dict of anchors keyed by their first three letters (stems and typo-tolerant words). Only
when an anchor is found is the rest of that phrase checked around it, so the cost is a couple
of dict look-ups per word, whatever the size of the lists.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import is_not, itemgetter
from pathlib import Path

from bot.config import LANGUAGES
from bot.danger.normalise import UZBEK_MARK, tokenise
from bot.danger.phrases import NEGATIONS, Pattern, Word

DANGER_KINDS: tuple[str, ...] = ("suicide", "self_harm", "violence_now", "danger_now")
NOT_DANGER = "not_danger"
ALL_KINDS: tuple[str, ...] = (*DANGER_KINDS, NOT_DANGER)
PRIORITY: tuple[str, ...] = ("suicide", "violence_now", "danger_now", "self_harm")
"""Most urgent first. Suicide and violence happening now threaten a life within minutes;
danger_now is the threat of it; self-harm without words of suicide is serious but rarely
lethal within the hour, so a text that also speaks of suicide or violence is answered for that.
"""
_PREFIX = 3  # letters an anchor key holds; equal to the shortest allowed stem
_FIRST_LETTERS = itemgetter(slice(0, _PREFIX))


@dataclass(frozen=True)
class Phrase:
    """One list entry, as written, with where it is and what it matches."""

    kind: str
    language: str
    text: str
    file: Path
    line: int
    pattern: Pattern

    @property
    def where(self) -> str:
        return f"{self.file.name}:{self.line}"


@dataclass(frozen=True)
class DangerMatch:
    """What was recognised. It holds the list entry, never the person's words."""

    kind: str
    """suicide, violence_now, danger_now or self_harm."""
    language: str
    """The list the phrase is in (kk, ky, tg, uz, ru, en), not necessarily the person's."""
    phrase: str
    """The list entry as written in the file, e.g. «поконч* с собой»."""
    line: int = 0
    """Its line in resources/danger/<language>.yaml."""


@dataclass
class _Bucket:
    """The stems and typo-tolerant anchor words that share their first three letters."""

    stems: list[tuple[Word, int, int]] = field(default_factory=list)
    fuzzy: dict[int, list[tuple[Word, int, int]]] = field(default_factory=dict)
    """Typo-tolerant words under each length a typed word may have: one shorter to one longer."""

    def add(self, word: Word, index: int, anchor: int) -> None:
        if word.stem:
            self.stems.append((word, index, anchor))  # tried on every word with its start
            return
        for length in range(len(word.text) - 1, len(word.text) + 2):
            self.fuzzy.setdefault(length, []).append((word, index, anchor))

    def hits(self, token: str, plain: str, position: int, out: list[tuple[int, int, int]]) -> None:
        for word, index, anchor in self.stems:
            if _word_matches(word, token, plain):
                out.append((position, index, anchor))
        for word, index, anchor in self.fuzzy.get(len(token), ()):
            if _word_matches(word, token, plain):
                out.append((position, index, anchor))
        if plain is not token:
            for word, index, anchor in self.fuzzy.get(len(plain), ()):
                if _word_matches(word, token, plain):
                    out.append((position, index, anchor))


@dataclass(frozen=True)
class _Found:
    index: int  # into DangerDetector.phrases
    start: int  # first and last token of the match
    end: int


class DangerDetector:
    """Recognises the phrases of the danger lists in any text. Build it with load_detector()."""

    def __init__(self, phrases: Sequence[Phrase]) -> None:
        self.phrases: tuple[Phrase, ...] = tuple(phrases)
        self._exact: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._by_prefix: dict[str, _Bucket] = defaultdict(_Bucket)
        in_phrases = Counter(word.text for phrase in self.phrases for word in phrase.pattern.words)
        for index, phrase in enumerate(self.phrases):
            self._index_anchor(index, phrase.pattern, in_phrases)
        self._exact = dict(self._exact)  # plain dicts: a miss must not insert a key
        self._by_prefix = dict(self._by_prefix)
        self._language_order = {language: n for n, language in enumerate(LANGUAGES)}

    def replace_with(self, other: DangerDetector) -> None:
        """Serve `other`'s content from now on (a reload while the bot runs): the handlers
        keep this object, and it changes in one step, between two updates."""
        vars(self).update(vars(other))

    def check(self, text: str, language: str | None = None) -> DangerMatch | None:
        """The most urgent danger the text speaks of, or None.

        `language`, the person's, only breaks a tie between lists that hold the same phrase
        (суицид* is in kk, ky, tg and ru); every list is checked whatever it is."""
        found = self.check_all(text, language)
        return found[0] if found else None

    def check_all(self, text: str, language: str | None = None) -> list[DangerMatch]:
        """Every danger phrase found, most urgent first, then earliest in the text."""
        dangers, _idioms = self._scan(*tokenise(text))
        dangers.sort(key=lambda found: self._urgency(found, language))
        matches: list[DangerMatch] = []
        seen: set[int] = set()
        for found in dangers:
            if found.index not in seen:
                seen.add(found.index)
                phrase = self.phrases[found.index]
                matches.append(DangerMatch(phrase.kind, phrase.language, phrase.text, phrase.line))
        return matches

    def counts(self) -> dict[str, dict[str, int]]:
        """Phrases per language and kind, for reports."""
        table: dict[str, dict[str, int]] = {}
        for phrase in self.phrases:
            per_kind = table.setdefault(phrase.language, dict.fromkeys(ALL_KINDS, 0))
            per_kind[phrase.kind] += 1
        return table

    def idioms_covering(self, index: int) -> list[Phrase]:
        """The not_danger phrases that cancel phrase `index` even in its shortest form."""
        phrase = self.phrases[index]
        tokens = phrase.pattern.sample()
        found = self._find(tokens)
        own = [f for f in found if f.index == index]
        idioms = [f for f in found if self.phrases[f.index].kind == NOT_DANGER]
        return [
            self.phrases[idiom.index]
            for idiom in idioms
            if any(_overlap(idiom, mine) for mine in own)
        ]

    def matches_itself(self, index: int) -> bool:
        tokens = self.phrases[index].pattern.sample()
        return any(found.index == index for found in self._find(tokens))

    # --- scanning -------------------------------------------------------------------------

    def _index_anchor(self, index: int, pattern: Pattern, in_phrases: Counter[str]) -> None:
        position = _anchor(pattern.words, in_phrases)
        word = pattern.words[position]
        if not word.stem:
            self._exact[word.text].append((index, position))
        if word.stem or word.fuzzy:
            self._by_prefix[word.text[:_PREFIX]].add(word, index, position)

    def _scan(self, tokens: list[str], marked: bool) -> tuple[list[_Found], list[_Found]]:
        """Danger matches that no idiom overlaps, and the idiom matches."""
        found = self._find(tokens, marked)
        idioms = [f for f in found if self.phrases[f.index].kind == NOT_DANGER]
        dangers = [
            f
            for f in found
            if self.phrases[f.index].kind != NOT_DANGER
            and not any(_overlap(f, idiom) for idiom in idioms)
        ]
        return dangers, idioms

    def _find(self, tokens: list[str], marked: bool = True) -> list[_Found]:
        plains = _plain_forms(tokens) if marked else tokens
        found: set[_Found] = set()
        for position, index, anchor in self._anchor_hits(tokens, plains):
            span = self._span(index, anchor, position, tokens, plains)
            if span is not None:
                found.add(_Found(index, *span))
        return sorted(found, key=lambda f: (f.start, f.index))

    def _anchor_hits(self, tokens: list[str], plains: list[str]) -> list[tuple[int, int, int]]:
        """(position, phrase index, anchor word) for every token that may be a phrase's anchor.

        The scans over all tokens are C-level map() and compress() passes: this loop runs
        for every word of every text, and a Python-level loop would cost four times as much.
        """
        exact = self._exact
        by_prefix = self._by_prefix
        everywhere = range(len(tokens))
        hits: list[tuple[int, int, int]] = []
        for position in compress(everywhere, map(exact.__contains__, tokens)):
            hits.extend((position, index, anchor) for index, anchor in exact[tokens[position]])
        prefixes = list(map(_FIRST_LETTERS, tokens))
        for position in compress(everywhere, map(by_prefix.__contains__, prefixes)):
            by_prefix[prefixes[position]].hits(tokens[position], plains[position], position, hits)
        if plains is not tokens:
            # Words written with plain o/g also match a text typed with the mark (oʻ, gʻ).
            for position in compress(everywhere, map(is_not, plains, tokens)):
                plain = plains[position]
                hits.extend((position, index, anchor) for index, anchor in exact.get(plain, ()))
                bucket = by_prefix.get(plain[:_PREFIX])
                if bucket is not None:
                    bucket.hits(tokens[position], plain, position, hits)
        return hits

    def _span(
        self, index: int, anchor: int, position: int, tokens: list[str], plains: list[str]
    ) -> tuple[int, int] | None:
        pattern = self.phrases[index].pattern
        if not _word_matches(pattern.words[anchor], tokens[position], plains[position]):
            return None
        start = _reach(pattern, anchor, position, -1, tokens, plains)
        if start is None:
            return None
        end = _reach(pattern, anchor, position, 1, tokens, plains)
        return None if end is None else (start, end)

    def _urgency(self, found: _Found, language: str | None) -> tuple[int, int, bool, int, int]:
        phrase = self.phrases[found.index]
        return (
            PRIORITY.index(phrase.kind),
            found.start,
            phrase.language != language,
            self._language_order.get(phrase.language, len(LANGUAGES)),
            phrase.line,
        )


def _anchor(words: Sequence[Word], in_phrases: Counter[str]) -> int:
    """The word to look up first: the one likely to be rarest in what people write.

    Without a corpus, two signs of a common word: it recurs in many phrases (меня, себя,
    келеді, me) or it is short. Among equals the longer word wins, then an exact word of
    under six letters, which costs one dict look-up per token; a stem or a typo-tolerant word
    is also tried on every token that shares its first three letters."""

    def cost(i: int) -> tuple[int, int, int]:
        word = words[i]
        short = len(word.text) < 4
        return (in_phrases[word.text] + 3 * short, -len(word.text), word.stem or word.fuzzy)

    return min(range(len(words)), key=cost)


def _word_matches(word: Word, token: str, plain: str) -> bool:
    candidate = token if word.strict else plain
    text = word.text
    if word.stem:
        if candidate.startswith(text):
            return True
        # A typo in the letters before *: some start of the word is one edit from the stem.
        return (
            word.fuzzy
            and candidate[:_PREFIX] == text[:_PREFIX]
            and any(
                _one_edit_apart(candidate[:length], text)
                for length in range(len(text) - 1, min(len(candidate), len(text) + 1) + 1)
            )
        )
    if candidate == text:
        return True
    return (
        word.fuzzy
        and abs(len(candidate) - len(text)) <= 1
        and candidate[:_PREFIX] == text[:_PREFIX]
        and _one_edit_apart(candidate, text)
    )


def _one_edit_apart(a: str, b: str) -> bool:
    """One letter missing, extra or changed, or two neighbouring letters swapped."""
    if len(a) > len(b):
        a, b = b, a
    same = 0
    limit = len(a)
    while same < limit and a[same] == b[same]:
        same += 1
    if len(a) == len(b):
        if a[same + 1 :] == b[same + 1 :]:
            return True  # one letter changed
        swapped = a[same : same + 2] == b[same + 1] + b[same] if same + 1 < limit else False
        return swapped and a[same + 2 :] == b[same + 2 :]
    return a[same:] == b[same + 1 :]  # b has one letter more


def _reach(
    pattern: Pattern, k: int, position: int, step: int, tokens: list[str], plains: list[str]
) -> int | None:
    """First (step -1) or last (step +1) token of the words of pattern beyond word k."""
    words = pattern.words
    following = k + step
    if following < 0 or following >= len(words):
        return position
    allowed = pattern.gaps[min(k, following)]
    for distance in range(1, allowed + 2):
        j = position + step * distance
        if j < 0 or j >= len(tokens):
            return None
        if distance > 1 and tokens[j - step] in NEGATIONS:
            return None  # «он меня не бьет» is not «он меня бьет»
        if _word_matches(words[following], tokens[j], plains[j]):
            end = _reach(pattern, following, j, step, tokens, plains)
            if end is not None:
                return end
    return None


def _plain_forms(tokens: list[str]) -> list[str]:
    """The tokens without the Uzbek mark; a token that has none is the same object."""
    return [token.replace(UZBEK_MARK, "") if UZBEK_MARK in token else token for token in tokens]


def _overlap(a: _Found, b: _Found) -> bool:
    return a.start <= b.end and b.start <= a.end
