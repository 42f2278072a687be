"""Settling the internal passport's name-letter rivals with the printed Cyrillic names.

In the internal passport's letter table G and Q, Z and 2, A and 4... are all real letters
(Г/Й, З/Ё, А/Ш), so a look-alike the recogniser ranks behind a name letter is another name, and
the recogniser repeats the same choice at every scale (two readings agreed on ``...SKIG`` with the
true Q, Й, 0.02 behind the G). No check digit covers names. The page prints the same names in
Cyrillic above the zone, read by another recogniser (tesseract) with other errors: each name part
holding doubted columns, taking the first choice or a rival at each, is settled when only one of
its variants is printed on the page, word for word, or (in a long part, when no variant is printed
exactly) with one letter other than the doubted ones misread. Anything else (no variant printed,
or two: Ё and Е fold alike) leaves the zone rejected. A filler with a letter
behind it (or a letter with a filler behind it) is never swapped, but the name parts around it
must be printed whole.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping

from .transliteration import fold_yo, from_ru_internal

# The names field of the internal passport's first row starts after ``PNRUS``.
NAMES_START = 5
# Variants of one name part tried at most: beyond that the reading is too poor to be settled by
# words (fillers are never swapped, so doubted fillers do not count).
MAX_VARIANTS = 256
# How a printed word shows a variant of a name part (see _shown).
_EXACT, _NEAR = 2, 1
# A part of at least this many letters may be settled by a word with one letter misread.
NEAR_MIN_LETTERS = 5


def _spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of each name part of an internal passport's first row (the words between
    fillers after ``PNRUS``); the same for every variant, since fillers are never swapped."""
    spans: list[tuple[int, int]] = []
    column = NAMES_START
    for token in line[NAMES_START:].split("<"):
        if token:
            spans.append((column, column + len(token)))
        column += len(token) + 1
    return spans


def settle(line: str, rivals: Mapping[int, Iterable[str]], words: Iterable[str]) -> str | None:
    """The single variant of the name row ``line`` (its letter or one of ``rivals`` at each
    doubted column) whose name parts touching a doubted column are all printed among ``words``
    (Ё folded into Е on both sides), or None when none or several are.

    Each part is decided on its own (a part's decoding depends only on its own columns), so the
    variants tried grow with the doubts of one word, not with their product over the row: a
    shaken page doubted 9 columns over three words (288 variants of the row, 12 at most of a
    word) and printed all three words exactly. A part printed with one letter misread is still
    settled (see :func:`_shown`), but only when no printed word, exact or near, shows another
    of its variants."""
    if not rivals:
        return None
    printed = {fold_yo(w) for w in words}
    spans = _spans(line)
    touched = {span for column in rivals for span in _touched(spans, column)}
    if not touched:
        return None
    chars = list(line)
    for start, end in sorted(touched):
        # A filler stays a filler and a letter a letter: the printed words cannot show where a
        # separator is, only that the parts around a doubted column are whole.
        columns = [c for c in sorted(rivals) if start <= c < end]
        choices = [sorted({line[c], *(r for r in rivals[c] if r != "<")}) for c in columns]
        offsets = [c - start for c in columns]
        if math.prod(len(c) for c in choices) > MAX_VARIANTS:
            return None
        exact: list[tuple[str, ...]] = []
        near: list[tuple[str, ...]] = []
        for combo in itertools.product(*choices):
            word = list(line[start:end])
            for offset, char in zip(offsets, combo, strict=True):
                word[offset] = char
            try:
                text = fold_yo(from_ru_internal("".join(word)))
            except ValueError:
                continue
            shown = max((_shown(text, w, offsets) for w in printed), default=0)
            if shown == _EXACT:
                exact.append(combo)
            elif shown == _NEAR:
                near.append(combo)
        if len(exact) == 1 and not near:
            chosen = exact[0]
        elif not exact and len(near) == 1:
            chosen = near[0]
        else:
            return None
        for column, char in zip(columns, chosen, strict=True):
            chars[column] = char
    return "".join(chars)


def _shown(text: str, word: str, doubted: list[int]) -> int:
    """How a printed word shows one decoding of a name part: ``_EXACT`` word for word; ``_NEAR``
    when the part is long enough and the word has its length, every doubted letter as decoded,
    and exactly one other letter misread; else 0. Tesseract misreads Cyrillic look-alikes (В as
    Б, Г as Т, Д as Ц) that have nothing in common with the zone's rivals (Latin look-alikes: O
    and Q, G and 6, 8 and B), so a word misread elsewhere still tells the doubted letter: seed
    131 #152 printed БЯЧЕСЛАВОВНА for ВЯЧЕСЛАВОВНА, with the doubted О (against Q, Й) right."""
    if word == text:
        return _EXACT
    if len(text) < NEAR_MIN_LETTERS or len(word) != len(text):
        return 0
    misread = [i for i, (a, b) in enumerate(zip(text, word, strict=True)) if a != b]
    return _NEAR if len(misread) == 1 and misread[0] not in doubted else 0


def _touched(spans: list[tuple[int, int]], column: int) -> list[tuple[int, int]]:
    """The name part holding ``column``, or for a filler the parts on either side of it."""
    inside = [p for p in spans if p[0] <= column < p[1]]
    if inside:
        return inside
    return [p for p in spans if p[1] <= column][-1:] + [p for p in spans if p[0] > column][:1]
