"""Turning raw OCR lines into a machine-readable zone that passes every check digit.

OCR confuses look-alikes (O/0, I/1, B/8, S/5), reads the filler ``<`` as ``く``, ``«``, K, C or
E, and loses or adds fillers in long ``<`` runs. Each position of a zone has a known character
class, so most confusions are undone deterministically; what remains ambiguous (letters and digits
both legal, as in document numbers) is searched, and a repair is kept only when it is the
*single* candidate that makes the check digit pass. A zone is accepted only when every check
digit passes, and the rest (the name line) is left as read: guessing there would produce exactly
the "valid but wrong" reading that is the worst outcome.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .checkdigits import is_valid
from .mrz_format import Charset, MrzFormat, format_for
from .mrz_parse import MRZ_CHARS, MrzError, parse
from .results import MrzData
from .ru_internal import NAME_CHARS as RU_NAME_CHARS

# Characters OCR emits for the filler chevron.
_FILLER_LOOKALIKES = "く<«‹〈〈＜(〔{["
_TO_ASCII = {
    # Cyrillic and Greek capitals that render like Latin ones.
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "О": "O", "Р": "P",
    "Т": "T", "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "З": "3", "Ο": "O", "Α": "A",
    "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ρ": "P",
    "Τ": "T", "Χ": "X", "Υ": "Y", "|": "I", "!": "I", "$": "S", "§": "S", "€": "E", "£": "E",
    "°": "O", "Ø": "0", "Ö": "O", "Ü": "U", "Ä": "A", "É": "E",
}  # fmt: skip
_TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "C": "0", "I": "1", "L": "1", "T": "1", "J": "1",
             "Z": "2", "S": "5", "B": "8", "G": "6", "A": "4", "E": "8", "Y": "4", "R": "8", "F": "7"}  # fmt: skip
_TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T", "3": "B", "9": "G"}  # fmt: skip
_SEX = {"M": "M", "F": "F", "<": "<", "X": "<", "H": "M", "N": "M", "P": "F", "E": "F", "K": "<"}
# Pairs OCR swaps in fields where letters and digits are both legal.
_AMBIGUOUS = {
    "0": "ODQ", "O": "0DQ", "D": "0O", "Q": "0O", "1": "IL", "I": "1L", "L": "1I",
    "8": "B", "B": "8", "5": "S", "S": "5", "2": "Z", "Z": "2", "6": "G", "G": "6",
    "4": "A", "A": "4", "7": "T", "T": "7", "<": "KCEL", "K": "<", "C": "<", "E": "<",
}  # fmt: skip
# Digits OCR confuses with other digits; only tried when the composite digit also agrees.
_DIGIT_SWAPS = {"0": "68", "1": "7", "3": "8", "5": "6", "6": "58", "7": "1", "8": "306", "9": "8"}

_MAX_SWAPS = 2


def normalise(text: str) -> str:
    """Upper-case, map look-alikes to the MRZ alphabet, drop everything else (spaces too)."""
    out: list[str] = []
    for char in text.upper():
        if char in _FILLER_LOOKALIKES:
            out.append("<")
        elif char in MRZ_CHARS:
            out.append(char)
        elif char in _TO_ASCII:
            out.append(_TO_ASCII[char])
    return "".join(out)


def _fit_length(line: str, length: int) -> str | None:
    """Make ``line`` exactly ``length`` long by growing or shrinking its longest filler run:
    OCR drops or doubles fillers there, and nowhere else can length be repaired safely."""
    if len(line) == length:
        return line
    if abs(len(line) - length) > 6:
        return None
    runs = [(m.end() - m.start(), m.start(), m.end()) for m in re.finditer(r"<+", line)]
    if not runs:
        return line[:length] + "<" * max(0, length - len(line)) if len(line) < length else None
    size, start, end = max(runs)
    if line.endswith("<") and runs[-1][2] == len(line) and runs[-1][0] >= size - 1:
        size, start, end = runs[-1]
    new_size = size + (length - len(line))
    if new_size < 1:
        return None
    return line[:start] + "<" * new_size + line[end:]


@dataclass(frozen=True, slots=True)
class Correction:
    mrz: MrzData
    changed: int  # characters changed from the OCR reading (after look-alike mapping)


def _coerce(lines: list[str], fmt: MrzFormat, ru_internal: bool) -> list[str]:
    """Apply the per-position character class to every position."""
    out: list[str] = []
    for li, line in enumerate(lines):
        chars = list(line)
        for i, char in enumerate(chars):
            cls = fmt.charset_at(li, i)
            if cls in (Charset.NUMERIC, Charset.CHECK):
                if char in _TO_DIGIT:
                    chars[i] = _TO_DIGIT[char]
                elif cls is Charset.NUMERIC and char == "<" and not ru_internal:
                    chars[i] = "<"
            elif cls is Charset.ALPHA:
                in_names = fmt.field("names").line == li and i >= fmt.field("names").start
                if ru_internal and in_names:
                    # Digits 2-4 and 6-9 are letters in the internal passport table.
                    if char not in RU_NAME_CHARS and char in _TO_LETTER:
                        chars[i] = _TO_LETTER[char]
                elif char in _TO_LETTER:
                    chars[i] = _TO_LETTER[char]
            elif cls is Charset.SEX:
                chars[i] = _SEX.get(char, char)
        out.append("".join(chars))
    return out


def _clean_name_fillers(line: str, start: int, end: int) -> str:
    """After a run of three fillers a name field holds only fillers: names contain at most the
    double ``<<`` separator, so letters there are misread chevrons."""
    field = line[start:end]
    cut = field.find("<<<")
    if cut < 0:
        return line
    return line[:start] + field[:cut] + "<" * (len(field) - cut) + line[end:]


def _check_positions(fmt: MrzFormat) -> list[tuple[str, int, int, int, tuple[int, int]]]:
    out: list[tuple[str, int, int, int, tuple[int, int]]] = []
    for spec in fmt.fields:
        if spec.check_at is not None:
            out.append((spec.name, spec.line, spec.start, spec.end, spec.check_at))
    return out


def _repair_field(
    lines: list[str], name: str, line: int, start: int, end: int, check_at: tuple[int, int]
) -> list[list[str]]:
    """Every way of making one field pass its check digit with at most ``_MAX_SWAPS`` changes
    (look-alike swaps in the data or the digit itself), fewest changes first."""
    data = lines[line][start:end]
    digit = lines[check_at[0]][check_at[1]]
    if is_valid(data, digit):
        return [lines]
    numeric = name in ("birth_date", "expiry_date")
    options: list[list[str]] = []
    for pos, char in enumerate(data):
        alts = _DIGIT_SWAPS.get(char, "") if numeric else _AMBIGUOUS.get(char, "")
        options.append([char, *alts])
    digit_options = [digit, *(_DIGIT_SWAPS.get(digit, "") + ("<" if digit in "KCE" else ""))]
    results: list[list[str]] = []
    for swaps in range(1, _MAX_SWAPS + 1):
        for positions in itertools.combinations(range(len(data) + 1), swaps):
            pools = [(digit_options[1:] if p == len(data) else options[p][1:]) for p in positions]
            for choice in itertools.product(*pools):
                new_data = list(data)
                new_digit = digit
                for p, c in zip(positions, choice, strict=True):
                    if p == len(data):
                        new_digit = c
                    else:
                        new_data[p] = c
                candidate = "".join(new_data)
                if is_valid(candidate, new_digit):
                    fixed = list(lines)
                    row = fixed[line]
                    fixed[line] = row[:start] + candidate + row[end:]
                    row = fixed[check_at[0]]
                    fixed[check_at[0]] = row[: check_at[1]] + new_digit + row[check_at[1] + 1 :]
                    results.append(fixed)
        if results:
            return results  # the fewest changes win; several of them means ambiguity
    return results


def correct(raw_lines: Sequence[str]) -> Correction | None:
    """The zone read from ``raw_lines`` with every check digit passing, or None."""
    lines = [normalise(line) for line in raw_lines]
    lines = [line for line in lines if len(line) >= 20]
    shapes = ((3, 30), (2, 44), (2, 36))
    for count, length in shapes:
        if len(lines) < count:
            continue
        for offset in range(len(lines) - count + 1):
            window = lines[offset : offset + count]
            if any(abs(len(w) - length) > 6 for w in window):
                continue
            result = _correct_shape(window, count, length)
            if result is not None:
                return result
    return None


def _correct_shape(window: list[str], count: int, length: int) -> Correction | None:
    fitted = [_fit_length(line, length) for line in window]
    if any(f is None for f in fitted):
        return None
    lines = [f for f in fitted if f is not None]
    code = lines[0][:2].replace("0", "O").replace("1", "I")
    fmt = format_for(count, length, code)
    if fmt is None:
        return None
    ru = code == "PN" and lines[0][2:5].replace("0", "O") in ("RUS", "RU5")
    coerced = _coerce(lines, fmt, ru)
    names = fmt.field("names")
    if not ru:
        coerced[names.line] = _clean_name_fillers(coerced[names.line], names.start, names.end)
    before = "".join(coerced)
    candidates = [coerced]
    for name, line, start, end, check_at in _check_positions(fmt):
        if name == "expiry_date" and ru:
            continue
        if fmt.name == "TD1" and name == "number" and coerced[0][14] == "<":
            continue  # an overflowing number: checked by the parser, not repaired here
        next_candidates: list[list[str]] = []
        for cand in candidates:
            next_candidates.extend(_repair_field(cand, name, line, start, end, check_at))
        # Keep distinct candidates only; more than one means an ambiguous field.
        unique = {tuple(c): c for c in next_candidates}
        candidates = list(unique.values())
        if not candidates or len(candidates) > 8:
            return None
    valid: list[MrzData] = []
    for cand in candidates:
        try:
            parsed = parse(cand)
        except MrzError:
            continue
        if parsed.valid:
            valid.append(parsed)
    if len(valid) != 1:
        return None  # nothing passes, or several readings do: never guess between them
    after = "".join(valid[0].lines)
    changed = sum(a != b for a, b in zip(before, after, strict=True))
    return Correction(mrz=valid[0], changed=changed)
