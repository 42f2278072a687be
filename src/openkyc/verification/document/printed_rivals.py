"""Settling the internal passport's name-letter rivals with the printed Cyrillic names.

In the internal passport's letter table G and Q, Z and 2, A and 4... are all real letters
(Г/Й, З/Ё, А/Ш), so a look-alike the recogniser ranks behind a name letter is another name, and
the recogniser repeats the same choice at every scale (two readings agreed on ``...SKIG`` with the
true Q, Й, 0.02 behind the G). No check digit covers names. The page prints the same names in
Cyrillic above the zone, read by another recogniser (tesseract) with other errors: a variant of
the zone's names, taking the first choice or a rival at each doubted column, is settled when it is
the *only* variant whose decoding is printed on the page, word for word. Anything else (no
variant printed, or two: Ё and Е fold alike) leaves the zone rejected. A filler with a letter
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
# Variants of the names tried at most: beyond that the reading is too poor to be settled by
# words (fillers are never swapped, so doubted fillers do not count).
MAX_VARIANTS = 256


def name_parts(line: str) -> list[tuple[int, int, str]]:
    """(start, end, Cyrillic) of each name part of an internal passport's first row: surname,
    given name, patronymic (more words where the names have them). Empty when a part does not
    decode."""
    parts: list[tuple[int, int, str]] = []
    column = NAMES_START
    for token in line[NAMES_START:].split("<"):
        if token:
            try:
                parts.append((column, column + len(token), from_ru_internal(token)))
            except ValueError:
                return []
        column += len(token) + 1
    return parts


def settle(line: str, rivals: Mapping[int, Iterable[str]], words: Iterable[str]) -> str | None:
    """The single variant of the name row ``line`` (its letter or one of ``rivals`` at each
    doubted column) whose name parts touching a doubted column are all printed among ``words``
    (Ё folded into Е on both sides), or None when none or several are."""
    if not rivals:
        return None
    printed = {fold_yo(w) for w in words}
    columns = sorted(rivals)
    # A filler stays a filler and a letter a letter: the printed words cannot show where a
    # separator is, only that the parts around a doubted column are whole.
    choices = [
        sorted({line[c], *(r for r in rivals[c] if (r == "<") == (line[c] == "<"))})
        for c in columns
    ]
    if math.prod(len(c) for c in choices) > MAX_VARIANTS:
        return None
    found: set[str] = set()
    for combo in itertools.product(*choices):
        chars = list(line)
        for column, char in zip(columns, combo, strict=True):
            chars[column] = char
        variant = "".join(chars)
        parts = name_parts(variant)
        touched = {p for c in columns for p in _touched(parts, c)}
        if touched and all(fold_yo(text) in printed for _, _, text in touched):
            found.add(variant)
    return found.pop() if len(found) == 1 else None


def _touched(parts: list[tuple[int, int, str]], column: int) -> list[tuple[int, int, str]]:
    """The name part holding ``column``, or for a filler the parts on either side of it."""
    inside = [p for p in parts if p[0] <= column < p[1]]
    if inside:
        return inside
    return [p for p in parts if p[1] <= column][-1:] + [p for p in parts if p[0] > column][:1]
