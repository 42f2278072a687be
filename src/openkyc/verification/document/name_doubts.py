"""Doubts about the name row, which no check digit protects: how sure the readings that agree
with an accepted name row were of its letters, and where they saw a rival that would change the
names (another letter of the internal passport's code, or a filler against a letter)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from .correction import name_letter, name_row_variant
from .mrz_format import format_named
from .ocr import Recognised
from .results import MrzData
from .ru_internal import is_ru_internal

# Every letter of the name row (no check digit) must be read at least this surely by one of the
# readings that agree on it (clean letters score 0.9-1.0; a blurred M read as N scored 0.4-0.6).
NAME_SURE = 0.85
# A name letter whose rival letter (or filler) gets this much probability is doubtful.
NAME_RIVAL = 0.015
NAME_FILLER_RIVAL = 0.05
# Fillers right after the names whose letter rivals count as doubts (see aligned_names).
_AFTER_NAMES = 2

Options = tuple[tuple[str, float], ...]


def letter_rival(options: Options, key: str, ru: bool, same: frozenset[str] = frozenset()) -> float:
    """How doubtful a name letter is, on the scale of :data:`NAME_RIVAL`: the probability of
    its likeliest rival that would change the names. In the internal passport that is any other
    letter of the code; elsewhere a letter/filler rival ("<<" read as "CC" moves the names),
    which counts only from ``NAME_FILLER_RIVAL`` (a rotated, blurred zone's true fillers carried
    C at 0.02-0.04 behind them). Letters in ``same`` are no rivals: a column the printed names
    settled (see :mod:`.printed_rivals`)."""
    doubt = 0.0
    for c, p in options:
        other = name_letter(c, ru)
        if other in (key, "", "?") or other in same:
            continue
        if ru:
            doubt = max(doubt, p)
        elif "<" in (key, other):
            doubt = max(doubt, p * NAME_RIVAL / NAME_FILLER_RIVAL)
    return doubt


# Columns of the name row settled by the printed names: the letters that count as one there.
Settled = dict[int, frozenset[str]]


def same_names(variant: str | None, line: str, settled: Settled) -> bool:
    """Whether a reading's name row is the accepted one, up to the settled columns' letters."""
    if variant is None or len(variant) != len(line):
        return False
    return all(
        a == b or (j in settled and a in settled[j] and b in settled[j])
        for j, (a, b) in enumerate(zip(variant, line, strict=True))
    )


def names_span(mrz: MrzData, index: int) -> tuple[int, int]:
    """The columns of row ``index`` from the names' first character to their last letter. The
    names end their row except on the French card, whose surname field is followed by the
    issuing office's digits."""
    field = format_named(mrz.format).field("names")
    start = field.start if index == field.line else 0
    return start, start + len(mrz.lines[index][start : field.end].rstrip("<"))


def aligned_names(
    read: Recognised, mrz: MrzData, index: int, settled: Settled | None = None
) -> Iterator[tuple[int, str, Options]]:
    """The columns of the names (up to their last letter) that a reading agreeing with the
    accepted name row saw, with its character's key and alternatives there. The code and state
    before the names are settled by the zone, and the fillers after them by the filler
    cleaning."""
    variant = name_row_variant(read.text, mrz, index) if read.alternatives else None
    if variant is None or not same_names(variant, mrz.lines[index], settled or {}):
        return
    line = mrz.lines[index]
    keys, options, _ = _name_keys(read, is_ru_internal(mrz))
    # The two columns after the last letter too: a dropped initial (``KATIA<<`` for
    # ``KATIA<E``) is a letter read as a filler there, which the check digits never see.
    start, last = names_span(mrz, index)
    end = min(len(line), last + _AFTER_NAMES)
    # Aligned on the reading's own variant: it differs from the accepted row only in settled
    # columns, where it may hold the other letter of the pair.
    matcher = difflib.SequenceMatcher(None, "".join(keys), variant, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            if start <= block.b + k < end:
                yield block.b + k, keys[block.a + k], options[block.a + k]


def doubted_columns(
    read: Recognised, mrz: MrzData, index: int, settled: Settled | None = None
) -> set[int]:
    """The columns of the names where a reading agreeing with the accepted row saw a rival
    (see :func:`letter_rival`) at least ``NAME_RIVAL`` behind."""
    return set(rival_letters(read, mrz, index, settled))


def rival_letters(
    read: Recognised, mrz: MrzData, index: int, settled: Settled | None = None
) -> dict[int, set[str]]:
    """Per doubted column (see :func:`doubted_columns`), the rival letters (or filler) that
    this reading gave at least ``NAME_RIVAL`` (``NAME_FILLER_RIVAL`` for a filler rival outside
    the internal passport)."""
    ru = is_ru_internal(mrz)
    settled = settled or {}
    out: dict[int, set[str]] = {}
    for column, key, options in aligned_names(read, mrz, index, settled):
        same = settled.get(column, frozenset())
        if letter_rival(options, key, ru, same) < NAME_RIVAL:
            continue
        out[column] = {
            other
            for c, p in options
            if (other := name_letter(c, ru)) not in (key, "", "?")
            and other not in same
            and letter_rival(((c, p),), key, ru, same) >= NAME_RIVAL
        }
    return out


def names_confidence(
    read: Recognised, mrz: MrzData, index: int, settled: Settled | None = None
) -> float:
    """How sure a reading of the name row was of the accepted names: the lowest, over the
    letters of the names, of the probability the recogniser gave to that letter or to a
    look-alike that means the same there (a name's O read as 0 is still an O; in a column the
    printed names settled, either letter of the pair). Characters are matched to the accepted
    row by alignment; a letter the reading did not see scores 0."""
    ru = is_ru_internal(mrz)
    settled = settled or {}
    line = mrz.lines[index]
    start, end = names_span(mrz, index)
    keys, choices, dropped = _name_keys(read, ru)
    target = line
    if settled:
        variant = name_row_variant(read.text, mrz, index)
        if variant is not None and same_names(variant, line, settled):
            target = variant
    seen = [0.0] * len(line)
    columns: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, "".join(keys), target, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            column, key, options = block.b + k, keys[block.a + k], choices[block.a + k]
            columns[block.a + k] = column
            same = settled.get(column, frozenset({key}))
            confidence = sum(p for c, p in options if name_letter(c, ru) in same)
            # A rival that is itself a real letter (or the filler) of the row's code, even far
            # behind, makes the letter doubtful: in the internal passport G and Q, Z and 2 are
            # all letters, and two readings agreed on G with Q at 0.02 behind it.
            if letter_rival(options, key, ru, same) >= NAME_RIVAL:
                confidence = 0.0
            seen[column] = confidence
    for k in dropped:
        # A mark dropped between two characters of the names: the names as read lost a
        # character there, which may have been the ``<<`` between surname and given names.
        before, after = columns.get(k - 1), columns.get(k)
        if before is not None and after is not None and start <= before and after < end:
            return 0.0
    return min((seen[j] for j in range(start, end) if line[j] != "<"), default=0.0)


def _name_keys(read: Recognised, ru: bool) -> tuple[list[str], list[Options], list[int]]:
    """A reading's characters as name characters (those that map to one), with their
    alternatives; and where it saw a mark that maps to nothing, yet may be a filler or a letter
    (:func:`_may_be_name_character`): the number of keys before it."""
    keys: list[str] = []
    choices: list[Options] = []
    dropped: list[int] = []
    alternatives = read.alternatives or tuple(
        ((c, p),) for c, p in zip(read.text, read.confidences, strict=True)
    )
    for char, options in zip(read.text, alternatives, strict=True):
        key = name_letter(char, ru)
        if key:
            keys.append(key)
            choices.append(options)
        elif char.strip() and _may_be_name_character(options, ru):
            dropped.append(len(keys))
    return keys, choices, dropped


def _may_be_name_character(options: Options, ru: bool) -> bool:
    """Whether a mark that maps to no character (a ``≤``) had a filler or a letter at least
    ``NAME_FILLER_RIVAL`` among its alternatives. A blurred ``<<`` between surname and given
    names was read ``≤≤`` (``<`` 0.39 and 0.23 behind), dropped, and ``OCONNOR<<LAURA`` became
    the surname ``OCONNORLAURA``, agreeing letter for letter with another reading (hard seed 7,
    motion blur filter, #111)."""
    return any(name_letter(c, ru) not in ("", "?") and p >= NAME_FILLER_RIVAL for c, p in options)


def name_confidence(
    reads: list[Recognised], mrz: MrzData, index: int, settled: Settled | None = None
) -> float:
    """How sure the recogniser was of the name row, from the row-by-row reading that gave it."""
    accepted = mrz.lines[index]
    return max(
        (
            names_confidence(r, mrz, index, settled)
            for r in reads
            if same_names(name_row_variant(r.text, mrz, index), accepted, settled or {})
        ),
        default=0.0,
    )
