"""The compiled matcher: finds list phrases in a person's text without keeping the text.

At load every phrase gets one anchor word, the one likely to be rarest in ordinary text (see
_anchor). A text is scanned once: each token is looked up in a dict of exact anchor words and
in a dict of anchors keyed by their first three letters (stems and typo-tolerant words). Only
when an anchor is found is the rest of that phrase checked around it, so the cost is a couple
of dict look-ups per word, whatever the size of the lists.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import compress
from operator import is_not, itemgetter
from pathlib import Path

from bot.config import LANGUAGES
from bot.danger.normalise import UZBEK_MARK, keys, tokenise
from bot.danger.phrases import (
    COMMON_WORDS,
    KEY_LANGUAGES,
    LOOSE_MIN,
    LOOSE_STEM_MIN,
    NEGATIONS,
    WIDE_GAP,
    Pattern,
    Word,
    readings,
)

DANGER_KINDS: tuple[str, ...] = ("suicide", "self_harm", "violence_now", "danger_now")
NOT_DANGER = "not_danger"
"""Idioms: cancel the danger phrase they overlap in the text («умираю со смеху»)."""
CALM_CONTEXT = "calm_context"
"""Words that show a sentence talks about suicide or self-harm without being in it now: a
question about the topic, news, a book or a film, someone else's words, something long over.
They cancel suicide and self_harm phrases in the same sentence, never violence or danger."""
CONTEXT_CALMS = frozenset({"suicide", "self_harm"})
ALL_KINDS: tuple[str, ...] = (*DANGER_KINDS, NOT_DANGER, CALM_CONTEXT)
_SENTENCE_END = re.compile(r"[.!?;\n]+")
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


_IOTATED = ("\x04", "\x05")  # ю (iu) and я (ia) in the reading key
_LOOSE = 2  # what _match returns for a word matched by the one-typo rule for short words


_Next = tuple[int, str] | None
"""Where a phrase's next word is from its anchor (1 after, -1 before) and its first letter."""

_Group = tuple[Word, dict[_Next, list[tuple[int, int]]]]
"""One stem and the (pattern ref, anchor) of every phrase it is the way in to: phrases that
share a stem share one comparison per typed word."""


def _next(pattern: Pattern, anchor: int) -> _Next:
    words = pattern.words
    if len(words) == 1:
        return None
    step = 1 if anchor + 1 < len(words) else -1
    return step, words[anchor + step].text[:1]


def _group_key(word: Word) -> tuple[str, bool, bool]:
    return (word.text, word.negative is not None, word.exact)


@dataclass
class _Bucket:
    """The stems that share their first three letters."""

    starts: dict[int, dict[str, dict[tuple[str, bool, bool], _Group]]] = field(
        default_factory=dict
    )
    """Stems by length and letters: a typed word is looked up by its first 3, 4, 5… letters,
    one dict look-up per length instead of a comparison per stem."""
    typo_stems: dict[tuple[str, bool, bool], _Group] = field(default_factory=dict)
    """Stems of FUZZY_MIN letters or more, tried with one typo on every word of this start."""

    def add(self, word: Word, ref: int, anchor: int, following: _Next) -> None:
        if not word.stem:
            raise ValueError("only stems go into a bucket; words go into _Index.near")
        key = _group_key(word)
        text = word.text
        forms = [text]
        if text.endswith("i"):  # qoy* goes on into qoʻyaman, whose ya is one sign
            forms += [text[:-1] + sign for sign in _IOTATED]
        for form in forms:
            groups = self.starts.setdefault(len(form), {}).setdefault(form, {})
            refs = groups.setdefault(key, (word, {}))[1]
            refs.setdefault(following, []).append((ref, anchor))
        if word.fuzzy:
            refs = self.typo_stems.setdefault(key, (word, {}))[1]
            refs.setdefault(following, []).append((ref, anchor))

    def hits(self, token: str, plain: str) -> list[dict[_Next, list[tuple[int, int]]]]:
        """The phrases, grouped by their next word, of every stem the typed word matches."""
        out: list[dict[_Next, list[tuple[int, int]]]] = []
        for length, table in self.starts.items():
            for typed in (token, plain) if plain is not token else (token,):
                groups = table.get(typed[:length])
                for word, refs in groups.values() if groups else ():
                    if _match(word, token, plain):
                        out.append(refs)
        # One typo after the first three letters leaves the 4th or 5th letter of the typed
        # word equal to the stem's 4th or 5th (whatever the edit: changed, missing, extra,
        # swapped): a comparison of two letters spares most calls.
        letters = {plain[3:4], plain[4:5], token[3:4], token[4:5]} - {""}
        for word, refs in self.typo_stems.values():
            text = word.text
            if text[3] not in letters and text[4] not in letters:
                continue
            candidate = token if word.strict else plain
            if not candidate.startswith(text) and _match(word, token, plain):
                out.append(refs)
        return out


class _Index:
    """Anchor words of the patterns of one reading (as typed, or the reading key)."""

    def __init__(self) -> None:
        # Exact anchor words, and under each the phrases it leads to, grouped by the first
        # letter of their next word (None: a phrase of one word), so that a common anchor
        # such as «кесип» leads only to the phrases whose next word can be there.
        self.exact: dict[str, dict[_Next, list[tuple[int, int]]]] = defaultdict(dict)
        self.by_prefix: dict[str, _Bucket] = defaultdict(_Bucket)
        # Typo-tolerant words (FUZZY_MIN letters or more) under each form with one letter
        # left out: a typed word one edit away shares one of these forms with its own (one
        # letter missing, extra, wrong or two swapped), so a handful of dict look-ups per word
        # of the text replace a comparison with every such word.
        self.near: dict[str, list[tuple[Word, int, int, _Next]]] = defaultdict(list)
        self.near_starts: frozenset[str] = frozenset()

    def add(self, ref: int, pattern: Pattern, in_phrases: Counter[str], typos: int) -> None:
        anchors = _anchors(pattern.words, in_phrases)
        for anchor in anchors:
            word = pattern.words[anchor]
            following = _next(pattern, anchor)
            if word.stem:
                self.by_prefix[word.text[:_PREFIX]].add(word, ref, anchor, following)
                continue
            self.exact[word.text].setdefault(following, []).append((ref, anchor))
            if word.fuzzy:
                for form in _gaps(word.text) | {word.text}:
                    self.near[form].append((word, ref, anchor, following))
        word = pattern.words[anchors[0]]
        if typos and _typo_hides(word):
            # A short first word ("help" in "help me", «мезан*» in «мезан* маро»): its
            # commonest typos (two letters swapped, one left out) are looked up too, for a
            # dict look-up per word of the text. _span then checks the word with its typo.
            for typo in _swaps_and_gaps(word.text):
                if word.stem:
                    variant = Word(typo, stem=True, negative=word.negative, exact=True)
                    self.by_prefix[typo[:_PREFIX]].add(
                        variant, ref, anchors[0], _next(pattern, anchors[0])
                    )
                else:
                    self.exact[typo].setdefault(_next(pattern, anchors[0]), []).append(
                        (ref, anchors[0])
                    )

    def _near_hits(self, token: str, plain: str) -> dict[_Next, list[tuple[int, int]]]:
        """The phrases, grouped by their next word, of every typo-tolerant word the typed
        word is one edit from."""
        found: dict[_Next, list[tuple[int, int]]] = {}
        seen: set[tuple[int, int]] = set()
        for typed in {token, plain}:
            for form in _gaps(typed) | {typed}:
                for word, ref, anchor, following in self.near.get(form, ()):
                    if (ref, anchor) not in seen and _match(word, token, plain):
                        seen.add((ref, anchor))
                        found.setdefault(following, []).append((ref, anchor))
        return found

    def freeze(self) -> None:
        self.exact = dict(self.exact)  # plain dicts: a miss must not insert a key
        self.by_prefix = dict(self.by_prefix)
        self.near = dict(self.near)
        self.near_starts = frozenset(form[:_PREFIX] for form in self.near)

    def __bool__(self) -> bool:
        return bool(self.exact or self.by_prefix or self.near)

    def hits(self, tokens: list[str], plains: list[str]) -> list[tuple[int, int, int]]:
        """(position, pattern ref, anchor word) for every token that may be an anchor.

        The scans over all tokens are C-level map() and compress() passes: this loop runs
        for every word of every text, and a Python-level loop would cost four times as much.
        """
        exact = self.exact
        by_prefix = self.by_prefix
        everywhere = range(len(tokens))
        hits: list[tuple[int, int, int]] = []
        count = len(tokens)
        initials: dict[int, set[str]] = {}

        def take(position: int, groups: dict[_Next, list[tuple[int, int]]]) -> None:
            """The phrases of `groups` whose next word's first letter is near `position`:
            most tries would fail at that word, and every rule wants its first letter."""
            for following, refs in groups.items():
                if following is not None:
                    step, letter = following
                    key = position * 2 + (step == 1)
                    letters = initials.get(key)
                    if letters is None:
                        letters = initials[key] = _initials(tokens, plains, position, step, count)
                    if letter not in letters:
                        continue
                hits.extend((position, ref, anchor) for ref, anchor in refs)

        for position in compress(everywhere, map(exact.__contains__, tokens)):
            take(position, exact[tokens[position]])
        prefixes = list(map(_FIRST_LETTERS, tokens))
        known: dict[str, list[dict[_Next, list[tuple[int, int]]]]] = {}  # words met again
        for position in compress(everywhere, map(by_prefix.__contains__, prefixes)):
            token = tokens[position]
            earlier = known.get(token)
            if earlier is None:
                earlier = known[token] = by_prefix[prefixes[position]].hits(
                    token, plains[position]
                )
            for groups in earlier:  # most words start like some stem and are none
                take(position, groups)
        near = self.near
        if near:
            seen: dict[str, dict[_Next, list[tuple[int, int]]]] = {}
            starts = self.near_starts
            for position in compress(everywhere, map(starts.__contains__, prefixes)):
                token = tokens[position]
                found = seen.get(token)
                if found is None:
                    found = seen[token] = self._near_hits(token, plains[position])
                take(position, found)
        if plains is not tokens:
            # Words written with plain o/g also match a text typed with the mark (oʻ, gʻ).
            for position in compress(everywhere, map(is_not, plains, tokens)):
                plain = plains[position]
                if plain in exact:
                    take(position, exact[plain])
                bucket = by_prefix.get(plain[:_PREFIX])
                if bucket is not None:
                    for groups in bucket.hits(tokens[position], plain):
                        take(position, groups)
        return hits


@dataclass(frozen=True)
class _Found:
    index: int  # into DangerDetector.phrases
    start: int  # first and last token of the match
    end: int


class DangerDetector:
    """Recognises the phrases of the danger lists in any text. Build it with load_detector()."""

    def __init__(self, phrases: Sequence[Phrase]) -> None:
        self.phrases: tuple[Phrase, ...] = tuple(phrases)
        self._patterns: list[Pattern] = []
        self._owner: list[int] = []  # the phrase of each pattern
        self._typos: list[int] = []  # short words with a typo each pattern allows
        self._plain = _Index()  # English, matched as typed
        self._keyed = _Index()  # every other list, matched through the reading key
        all_readings = [
            readings(p.pattern, p.language, exact=p.kind in (NOT_DANGER, CALM_CONTEXT))
            for p in self.phrases
        ]
        in_phrases = Counter(
            word.text for patterns in all_readings for p in patterns for word in p.words
        )
        for index, patterns in enumerate(all_readings):
            target = self._keyed if self.phrases[index].language in KEY_LANGUAGES else self._plain
            for pattern in patterns:
                # One short word with a typo in a danger phrase of several words; none in the
                # calming ones, so that «мени урчу» (used to hit) never cancels «мени урду».
                calming = self.phrases[index].kind in (NOT_DANGER, CALM_CONTEXT)
                typos = 0 if calming or len(pattern.words) < 2 else 1
                target.add(len(self._patterns), pattern, in_phrases, typos)
                self._patterns.append(pattern)
                self._owner.append(index)
                self._typos.append(typos)
        self._plain.freeze()
        self._keyed.freeze()
        self._refs: dict[int, list[int]] = defaultdict(list)  # a phrase's patterns
        for ref, owner in enumerate(self._owner):
            self._refs[owner].append(ref)
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
        tokens, marked = tokenise(text)
        dangers = self._scan(text, tokens, marked)
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

    def self_check(self, index: int) -> tuple[bool, list[Phrase]]:
        """Whether phrase `index` finds its own shortest form, and the not_danger phrases that
        cancel it there (so that it could never count)."""
        refs = self._refs[index]
        found = self._find_sample(refs[0])
        own = [f for f in found if f.index == index]
        if not own and not any(
            any(f.index == index for f in self._find_sample(ref)) for ref in refs[1:]
        ):
            return False, []
        idioms = [f for f in found if self.phrases[f.index].kind == NOT_DANGER]
        covering = [
            self.phrases[idiom.index]
            for idiom in idioms
            if any(_overlap(idiom, mine) for mine in own)
        ]
        return True, covering

    # --- scanning -------------------------------------------------------------------------

    def _find_sample(self, ref: int) -> list[_Found]:
        tokens = self._patterns[ref].sample()
        keyed = self.phrases[self._owner[ref]].language in KEY_LANGUAGES
        return self._find(self._keyed if keyed else self._plain, tokens, _plain_forms(tokens))

    def _scan(self, text: str, tokens: list[str], marked: bool) -> list[_Found]:
        """Danger matches that no idiom overlaps and no calm context shares a sentence with."""
        plains = _plain_forms(tokens) if marked else tokens
        found = self._find(self._plain, tokens, plains) if self._plain else []
        keyed = keys(tokens)
        found += self._find(self._keyed, keyed, _plain_forms(keyed) if marked else keyed)
        idioms: list[_Found] = []
        contexts: list[_Found] = []
        dangers: list[_Found] = []
        for f in found:
            kind = self.phrases[f.index].kind
            group = idioms if kind == NOT_DANGER else contexts if kind == CALM_CONTEXT else dangers
            group.append(f)
        dangers = [f for f in dangers if not any(_overlap(f, idiom) for idiom in idioms)]
        if contexts and any(self.phrases[f.index].kind in CONTEXT_CALMS for f in dangers):
            sentence = _sentence_of_tokens(text, len(tokens))
            calm = {sentence[c.start] for c in contexts} | {sentence[c.end] for c in contexts}
            dangers = [
                f
                for f in dangers
                if self.phrases[f.index].kind not in CONTEXT_CALMS
                or not ({sentence[f.start], sentence[f.end]} & calm)
            ]
        return dangers

    def _find(self, index: _Index, tokens: list[str], plains: list[str]) -> list[_Found]:
        found: set[_Found] = set()
        for position, ref, anchor in index.hits(tokens, plains):
            pattern = self._patterns[ref]
            span = _span(pattern, anchor, position, tokens, plains, self._typos[ref])
            if span is not None:
                found.add(_Found(self._owner[ref], *span))
        return sorted(found, key=lambda f: (f.start, f.index))

    def _urgency(self, found: _Found, language: str | None) -> tuple[int, int, bool, int, int]:
        phrase = self.phrases[found.index]
        return (
            PRIORITY.index(phrase.kind),
            found.start,
            phrase.language != language,
            self._language_order.get(phrase.language, len(LANGUAGES)),
            phrase.line,
        )


def _anchors(words: Sequence[Word], in_phrases: Counter[str]) -> list[int]:
    """The words to look up first: the one likely to be rarest in what people write, and in a
    phrase of several words a second one, so that a typo in one still leaves a way in.

    Without a corpus, two signs of a common word: it recurs in many phrases (меня, себя,
    келеді, me) or it is short. Among equals the longer word wins, then an exact word of
    under six letters, which costs one dict look-up per token; a stem or a typo-tolerant word
    is also tried on every token that shares its first three letters."""

    def cost(i: int) -> tuple[int, int, int]:
        word = words[i]
        common = 1000 * (word.text in COMMON_WORDS) + 30 * (len(word.text) < 4)
        return (in_phrases[word.text] + common, -len(word.text), word.stem or word.fuzzy)

    ranked = sorted(range(len(words)), key=cost)
    if len(ranked) > 1:
        # A second way in, for a typo that hides the first word from the look-up (a short
        # word, or a long one with its typo in the first three letters); never a common word
        # («меня», "would"), which would be tried at every «меня» of every text.
        second = words[ranked[1]]
        if len(second.text) >= _PREFIX and second.text not in COMMON_WORDS:
            return ranked[:2]
    return ranked[:1]


def _typo_hides(word: Word) -> bool:
    """A word that may have a typo (in a phrase of several words) and would then be missed
    by the look-up: long enough for the short-word rule, too short for the fuzzy buckets."""
    return not word.fuzzy and len(word.text) >= (LOOSE_STEM_MIN if word.stem else LOOSE_MIN)


def _span(
    pattern: Pattern,
    anchor: int,
    position: int,
    tokens: list[str],
    plains: list[str],
    budget: int,
) -> tuple[int, int] | None:
    """First and last token of the pattern found around its anchor word, or None; `budget`
    short words may have a typo."""
    how = _match(pattern.words[anchor], tokens[position], plains[position], budget > 0)
    if not how:
        return None
    if how == _LOOSE:
        budget -= 1
    back = _reach(pattern, anchor, position, -1, tokens, plains, budget)
    if back is None:
        return None
    start, budget = back
    ahead = _reach(pattern, anchor, position, 1, tokens, plains, budget)
    return None if ahead is None else (start, ahead[0])


def _gaps(text: str, keep: int = _PREFIX) -> set[str]:
    """The word with one letter after its first `keep` left out, each way (the fuzzy rule
    wants the first three right)."""
    return {text[:i] + text[i + 1 :] for i in range(keep, len(text))}


def _swaps_and_gaps(text: str) -> set[str]:
    """The word with two neighbouring letters swapped or one letter left out (hlep, hlp)."""
    swaps = {text[:i] + text[i + 1] + text[i] + text[i + 2 :] for i in range(len(text) - 1)}
    gaps = _gaps(text, keep=1)  # the first letter stays
    return {typo for typo in swaps | gaps if typo != text and len(typo) >= _PREFIX}


def _match(word: Word, token: str, plain: str, loose: bool = False) -> int:
    """0: no match; 1: a match; _LOOSE: a match only by the short-word typo rule, which
    applies when `loose` (a word of a phrase whose other words are found)."""
    candidate = token if word.strict else plain
    text = word.text
    if word.stem:
        negative = word.negative
        if candidate.startswith(text) or (
            # A stem ending in i (qoy*, й) goes on into ia/iu, which the key writes as one
            # sign: qoy* must find qoʻyaman.
            text[-1] == "i"
            and candidate.startswith(text[:-1])
            and candidate[len(text) - 1 : len(text)] in _IOTATED
        ):
            return 0 if negative and negative.match(candidate, len(text)) else 1
        # A typo in the letters before *: some start of the word is one edit from the stem,
        # and what follows is no negative suffix. Six letters or more with the first three
        # right; in a phrase of several words, five or more with the first one right. Shorter
        # stems get no typo: «келе*» would find «келмейді» (does not want).
        if word.fuzzy and candidate[:_PREFIX] == text[:_PREFIX]:
            found = 1
        elif loose and len(text) >= LOOSE_STEM_MIN and candidate[:1] == text[:1]:
            found = _LOOSE
        else:
            return 0
        if negative and _negation_differs(negative, candidate, text):
            return 0
        for length in range(len(text) - 1, min(len(candidate), len(text) + 1) + 1):
            if _one_edit_apart(candidate[:length], text) and not (
                negative and negative.match(candidate, length)
            ):
                return found
        return 0
    if candidate == text:
        return 1
    if abs(len(candidate) - len(text)) > 1 or (word.strict and UZBEK_MARK not in candidate):
        return 0  # a typo never stands for the mark: olgim is "I want to take", not oʻlgim
    if word.fuzzy and candidate[:_PREFIX] == text[:_PREFIX]:
        found = 1
    elif loose and word.loose and candidate[:1] == text[:1]:
        found = _LOOSE
    else:
        return 0
    if word.negative and _negation_differs(word.negative, candidate, text):
        return 0
    return found if _one_edit_apart(candidate, text) else 0


def _negation_differs(negative: re.Pattern[str], candidate: str, text: str) -> bool:
    """Where the two spellings part, one of them goes on with a negative suffix: not a typo
    but the opposite meaning (kelmadi / keladi, xohlayman / xohlama*)."""
    same = 0
    limit = min(len(candidate), len(text))
    while same < limit and candidate[same] == text[same]:
        same += 1
    return bool(negative.match(candidate, same) or negative.match(text, same))


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
    pattern: Pattern,
    k: int,
    position: int,
    step: int,
    tokens: list[str],
    plains: list[str],
    budget: int,
) -> tuple[int, int] | None:
    """First (step -1) or last (step +1) token of the words of pattern beyond word k, and the
    typos left to spend."""
    words = pattern.words
    following = k + step
    if following < 0 or following >= len(words):
        return position, budget
    allowed = pattern.gaps[min(k, following)]
    for distance in range(1, allowed + 2):
        j = position + step * distance
        if j < 0 or j >= len(tokens):
            return None
        if distance > 1 and tokens[j - step] in NEGATIONS:
            return None  # «он меня не бьет» is not «он меня бьет»
        word = words[following]
        # Every rule wants the first letter right: most words fail here, without a call.
        if tokens[j][:1] != word.text[:1] and plains[j][:1] != word.text[:1]:
            continue
        how = _match(word, tokens[j], plains[j], budget > 0)
        if how:
            left = budget - 1 if how == _LOOSE else budget
            end = _reach(pattern, following, j, step, tokens, plains, left)
            if end is not None:
                return end
    return None


def _initials(
    tokens: list[str], plains: list[str], position: int, step: int, count: int
) -> set[str]:
    """First letters of the words that may follow (step 1) or precede (step -1) a phrase word
    at `position`, as far as the widest gap reaches."""
    letters: set[str] = set()
    for distance in range(1, WIDE_GAP + 2):
        j = position + step * distance
        if j < 0 or j >= count:
            break
        letters.add(tokens[j][:1])
        letters.add(plains[j][:1])
    return letters


def _sentence_of_tokens(text: str, count: int) -> list[int]:
    """The sentence number of each of the `count` tokens of text; all 0 if they disagree."""
    numbers: list[int] = []
    for number, sentence in enumerate(_SENTENCE_END.split(text)):
        numbers.extend([number] * len(tokenise(sentence)[0]))
    return numbers if len(numbers) == count else [0] * count


def _plain_forms(tokens: list[str]) -> list[str]:
    """The tokens without the Uzbek mark; a token that has none is the same object."""
    return [token.replace(UZBEK_MARK, "") if UZBEK_MARK in token else token for token in tokens]


def _overlap(a: _Found, b: _Found) -> bool:
    return a.start <= b.end and b.start <= a.end
