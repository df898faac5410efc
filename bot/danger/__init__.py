"""Danger first: recognise words about immediate danger, violence now, self-harm or suicide.

Whatever flow a person is in, any text they type is checked; on a match the bot shows the
emergency and crisis numbers of their country first (survivor-safety rule 6). The words are
in `resources/danger/kk.yaml`, `ky.yaml`, `tg.yaml`, `uz.yaml`, `ru.yaml` and `en.yaml`,
which NGO staff extend. **All six lists are checked for every text**, whatever language the
person chose: people mix Russian into Kazakh, Kyrgyz, Tajik and Uzbek, and write Russian in
Latin letters.

**A list file** has up to five headings, each followed by phrases, one per line:

    suicide:          # thoughts or plans of suicide
      - хочу умереть
    self_harm:        # hurting oneself
    violence_now:     # being beaten, attacked, raped right now; someone breaking in
    danger_now:       # in danger: he will kill me, locked in, he is coming back, help now
    not_danger:       # idioms that must not count: умираю со смеху, killing time

**Phrase syntax** (also explained at the top of every list):

* Words are matched as whole words, in the order written. One other word may stand between
  two phrase words: `хочу умереть` also finds «хочу сейчас умереть». That word may not be a
  negation (не, ни, not, never, no, don't, емес, жоқ, эмес, emas, yoʻq): «он меня не бьет» is
  not «он меня бьет».
* `...` between two words (spaces around it) lets up to three other words stand there:
  `маро ... маҳкам кард`.
* `*` at the end of a word lets the word go on: `суицид*` finds суицид, суицида,
  суицидальные. At least 3 letters before it; never at the start or in the middle of a word.
  Nothing else (`?`, `|`, brackets) has a meaning: write one variant per line.
* Capital letters, punctuation, emoji and repeated letters («помогитееее») do not matter.
  ё is е. The letters ә ғ қ ң ө ұ ү һ і (kk, ky), ӣ ӯ ҳ ҷ (tg) and ў (Cyrillic uz) also match
  the plain letters typed for them on a Russian keyboard (а г к н о у у х и, и у х ч, у): write
  a phrase once with its own letters; the plain spelling is found too.
* Latin letters that look like Cyrillic ones (a, o, e, c, p, x, y, k, m, t, H, B) are read in
  the alphabet of the rest of the word, and the other way round: «пoмoгитe» typed with some
  Latin letters is «помогите».
* Uzbek: ʻ ' ` ‘ ’ ʼ after o and g are all the same mark. A word written **without** the mark
  (`ozimni oldir*`) finds both «oʻzimni oʻldiraman» and «ozimni oldiraman»; a word written
  **with** it (`oʻlgim kelyapti`) finds only texts that have the mark, because without it the
  word means something else (olgim kelyapti: I want to buy it). Elsewhere apostrophes are
  ignored (don't = dont).
* **Typos (edit-distance rule):** a phrase word of 6 or more letters (for a word with `*`,
  6 or more letters before it) also matches a typed word with one typo — one letter missing,
  extra or wrong, or two neighbouring letters swapped — provided its first three letters are
  right: «суицыд» (суицид*), "suicde" (suicide), «самоубиство», «хочеться». Shorter words and
  typos in the first three letters are not covered: list such common misspellings yourself
  («убю себя», «суецид*», "sucide"). Since doubled letters count as one, "kil myself" is
  "kill myself" already.

**Idioms.** A `not_danger` phrase cancels only a danger phrase that overlaps it in the text:
«умираю со смеху» cancels «умираю», but «умираю со смеху, а потом хочу умереть» still
counts. The check reports a danger phrase that an idiom would always cancel.

**Kind priority.** When a text holds several, `check` returns the most urgent:
suicide, then violence_now, then danger_now, then self_harm (see `PRIORITY`); within a kind,
the earliest in the text; for a phrase in several lists, the person's language if given.

**Checking an edit:** `python -m bot.danger check` (or with files/folders as arguments) lists
every problem as `file:line: message` — unknown kind, empty phrase, a phrase that could never
match, a misplaced `*` or `...`, a duplicate (also one that differs only in capitals, ё/е or
special letters), a YAML syntax error with its line — and exits with 1 if there is any.
`python -m bot.danger bench` prints how long a check of a 5,000-character text takes.

**Privacy.** The detector keeps nothing of the texts it checks, and this package never logs;
a `DangerMatch` names the list entry that matched, never the person's words. Callers must not
log the text either (rule 3).

Public API:

    load_detector(directory: Path) -> DangerDetector   # raises DangerListError(.problems)
    check_danger_paths(paths) -> list[str]              # "file:line: message", [] when fine
    detector.check(text) -> DangerMatch | None          # .kind .language .phrase .line
    detector.check(text, language="kk")                 # the person's language breaks ties
    detector.check_all(text) -> list[DangerMatch]       # every match, most urgent first
    DEFAULT_DIRECTORY, DANGER_KINDS, PRIORITY, normalise(text) -> list[str]
"""

from bot.danger.detector import (
    ALL_KINDS,
    DANGER_KINDS,
    NOT_DANGER,
    PRIORITY,
    DangerDetector,
    DangerMatch,
    Phrase,
)
from bot.danger.loader import (
    DEFAULT_DIRECTORY,
    DangerListError,
    check_danger_paths,
    load_detector,
)
from bot.danger.normalise import normalise

__all__ = [
    "ALL_KINDS",
    "DANGER_KINDS",
    "DEFAULT_DIRECTORY",
    "NOT_DANGER",
    "PRIORITY",
    "DangerDetector",
    "DangerListError",
    "DangerMatch",
    "Phrase",
    "check_danger_paths",
    "load_detector",
    "normalise",
]
