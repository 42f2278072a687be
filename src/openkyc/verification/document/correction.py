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
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .checkdigits import is_valid
from .countries import is_country, well_formed_code
from .dates import parse_yymmdd
from .mrz_format import Charset, MrzFormat, format_named, layouts_for
from .mrz_parse import MRZ_CHARS, MrzError, parse, parse_as
from .results import MrzData
from .ru_internal import NAME_CHARS as RU_NAME_CHARS
from .ru_internal import is_ru_internal

# Characters OCR emits for the filler chevron.
_FILLER_LOOKALIKES = "く<«‹〈〈＜(〔{["
_TO_ASCII = {
    # Cyrillic and Greek capitals that render like Latin ones.
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "О": "O", "Р": "P",
    "Т": "T", "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "З": "3", "Ο": "O", "Α": "A",
    "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ρ": "P",
    "Τ": "T", "Χ": "X", "Υ": "Y", "|": "I", "!": "I", "$": "S", "§": "S", "€": "E", "£": "E",
    "°": "O", "Ø": "0", "Ö": "O", "Ü": "U", "Ä": "A", "É": "E", "∪": "U", "υ": "U", "μ": "M",
}  # fmt: skip
_TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "U": "0", "C": "0", "I": "1", "L": "1", "T": "1", "J": "1",
             "Z": "2", "S": "5", "B": "8", "G": "6", "A": "4", "E": "8", "Y": "4", "R": "8", "F": "7"}  # fmt: skip
_TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T", "3": "B", "9": "G"}  # fmt: skip
_SEX = {"M": "M", "F": "F", "<": "<", "X": "<", "H": "M", "N": "M", "P": "F", "E": "F", "K": "<"}
# Pairs OCR swaps in fields where letters and digits are both legal.
_AMBIGUOUS = {
    "0": "ODQ", "O": "0DQ", "D": "0O", "Q": "0O", "1": "I", "I": "1",
    "8": "B", "B": "8", "5": "S", "S": "5", "2": "Z", "Z": "2", "6": "G", "G": "6",
    "<": "KCE", "K": "<", "C": "<", "E": "<",
}  # fmt: skip
# The letter/digit look-alikes alone (no filler), for judging how plausible another reading is.
LOOKALIKES = {k: "".join(c for c in v if c != "<") for k, v in _AMBIGUOUS.items() if k != "<"}
# One look-alike swap per field at most: the check digit is mod 10, so every extra swap tried
# is another one-in-ten chance of a wrong reading that passes.
_MAX_SWAPS = 1
# More repairs than this across a zone means the reading is too poor to trust.
_MAX_REPAIRS = 2
# Letters OCR confuses with each other in the (unprotected) country code fields.
_LETTER_SWAPS = {
    "B": "RUE",
    "R": "BPK",
    "U": "VOD",
    "V": "UY",
    "O": "DQUC",
    "D": "OB",
    "Q": "O",
    "M": "NH",
    "N": "MHK",
    "H": "NM",
    "K": "XR",
    "X": "KY",
    "Y": "VX",
    "E": "FB",
    "F": "EP",
    "P": "RF",
    "C": "GO",
    "G": "C",
    "I": "LT",
    "L": "I",
    "T": "I",
}


def normalise(text: str) -> str:
    """Upper-case and map look-alikes to the MRZ alphabet. Spaces and punctuation are OCR noise
    and dropped; an unknown *letter or digit* becomes ``?``, which no zone accepts, because
    dropping it would silently shift a name."""
    out: list[str] = []
    for char in text.upper():
        if char in _FILLER_LOOKALIKES:
            out.append("<")
        elif char in MRZ_CHARS:
            out.append(char)
        elif char in _TO_ASCII:
            out.append(_TO_ASCII[char])
        elif unicodedata.category(char)[0] in "LN":
            base = unicodedata.normalize("NFKD", char)[0]
            out.append(base if base in MRZ_CHARS else "?")
    return "".join(out)


def _fit_length(line: str, length: int) -> str | None:
    """Make ``line`` exactly ``length`` long by growing or shrinking its longest filler run:
    OCR drops or doubles fillers there, and nowhere else can length be repaired safely."""
    if len(line) == length:
        return line
    # A trailing filler run (after the names) may lose many chevrons; elsewhere only a few.
    limit = 16 if line.endswith("<<<") and len(line) < length else 6
    if abs(len(line) - length) > limit:
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
    # The reading after the deterministic mapping, before any check-digit-driven repair.
    before: tuple[str, ...] = ()
    # (row, column) of characters taken from the recogniser's runner-up instead of its first
    # choice (see :func:`correct_by_runner_ups`); ``before`` already holds them.
    hinted: tuple[tuple[int, int], ...] = ()

    def repaired(self) -> list[tuple[int, int]]:
        """(row, column) of every character a check-digit search changed or a runner-up gave."""
        changed = [
            (r, c)
            for r, (old, new) in enumerate(zip(self.before, self.mrz.lines, strict=True))
            for c, (a, b) in enumerate(zip(old, new, strict=True))
            if a != b
        ]
        return changed + [pos for pos in self.hinted if pos not in changed]


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
    double ``<<`` separator, so letters there are misread chevrons. Likewise a trail of
    one- or two-letter "names" made only of C, E and K (``FEDOR<C<C<CE``) is chevrons read as
    letters. One such name alone is kept (``KATIA<E``: a real initial was dropped this way and
    reported verified): a chevron misread there is for the readings' confidences to doubt (see
    :mod:`.name_doubts`)."""
    field = line[start:end]
    cut = field.find("<<<")
    if cut >= 0:
        field = field[:cut] + "<" * (len(field) - cut)
    tokens = field.rstrip("<").split("<")
    trail = 0
    # Keep at least SURNAME, "", GIVEN (the "<<" separator makes the empty token).
    while (
        len(tokens) - trail > 3
        and len(tokens[-1 - trail]) <= 2
        and set(tokens[-1 - trail]) <= set("CEK")
    ):
        trail += 1
    if field.endswith("<") and trail >= 2:
        tokens = tokens[:-trail]
        while tokens and not tokens[-1]:
            tokens.pop()
        kept = "<".join(tokens)
        field = kept + "<" * (len(field) - len(kept))
    return line[:start] + field + line[end:]


def _repair_country(code: str) -> str | None:
    """A known state code, possibly one look-alike letter away from what OCR read."""
    if is_country(code):
        return code
    if code[0] == "D" and set(code[1:]) <= set("<KCE"):
        return "D<<"
    found = set()
    for i, char in enumerate(code):
        for alt in _LETTER_SWAPS.get(char, ""):
            candidate = code[:i] + alt + code[i + 1 :]
            if is_country(candidate):
                found.add(candidate)
    return found.pop() if len(found) == 1 else None


def _fix_countries(lines: list[str], fmt: MrzFormat, ru: bool) -> list[str] | None:
    """The issuing state and nationality as known codes, each possibly repaired by one
    look-alike letter. Issuers use codes our table lacks (older ones, new states): a zone
    whose two fields read the same well-formed code is kept as read, and the reader reports
    the unknown code as a finding instead of refusing an otherwise exact zone. One field alone
    never vouches for an unknown code: an internal passport's RUS came back BOS from a blurred
    photo, every check digit passing."""
    out = list(lines)
    present = {spec.name for spec in fmt.fields}
    specs = [fmt.field(name) for name in ("issuing_country", "nationality") if name in present]
    codes = [out[spec.line][spec.start : spec.end] for spec in specs]
    for spec, code in zip(specs, codes, strict=True):
        fixed = (
            "RUS"
            if ru and sum(a != b for a, b in zip(code, "RUS", strict=True)) <= 1
            else _repair_country(code)
        )
        if fixed is None and not ru and codes.count(code) == 2 and well_formed_code(code):
            fixed = code
        if fixed is None:
            return None
        row = out[spec.line]
        out[spec.line] = row[: spec.start] + fixed + row[spec.end :]
    return out


def plausible(mrz: MrzData) -> bool:
    """Fields no check digit protects must still be well-formed."""
    if mrz.sex not in ("M", "F", "X"):
        return False
    if parse_yymmdd(mrz.birth_date) is None:
        return False
    if mrz.expiry_date and parse_yymmdd(mrz.expiry_date) is None:
        return False
    if not mrz.surname or not mrz.surname.replace(" ", "").isalnum():
        return False
    if not mrz.document_code[0].isalpha():
        return False
    return _plausible_names(mrz)


def _plausible_names(mrz: MrzData) -> bool:
    """Chevrons misread as C, E or K leave tell-tale tails: a name field that does not end in a
    filler yet ends in those letters, or whose second half is mostly those letters with hardly a
    filler, is a misread zone."""
    row = mrz.name_row
    start = 0 if mrz.format == "TD1" else 5
    field = mrz.lines[row][start:]
    if "<" not in field[-3:] and set(field[-3:]) <= set("CEK"):
        return False
    tail = field[len(field) // 2 :]
    suspicious = sum(tail.count(c) for c in "CEK")
    return not (tail.count("<") < 3 and suspicious >= len(tail) // 2)


def digit_spans(lines: list[str], fmt: MrzFormat, ru: bool) -> list[tuple[int, int, int]]:
    """(line, start, end) spans that the issuer's known number formats make digits only.
    Letters whose value differs from a digit by ten (G/6, L/1, Z/5...) are invisible to every
    check digit, so only knowing the format can catch them."""
    issuer = lines[0][2:5]
    number = fmt.field("number")
    if ru:
        # Series and number; last series digit, issue date and department code.
        return [(1, 0, 9), (1, 28, 41)]
    if issuer == "RUS" and fmt.name == "TD3":
        return [(1, 0, 9)]
    if fmt.name == "FR-ID":
        # The card number: issue year and month, then the department (2A and 2B are Corsica's),
        # office and sequence in digits. No check digit sees a 6 read as G (16) there.
        return [(1, 0, 4), (1, 7, 12)]
    if issuer == "KAZ" and fmt.name in ("TD3", "TD1"):
        # Kazakh passports: N + 8 digits; ID cards: 9 digits.
        first = number.start + (1 if fmt.name == "TD3" else 0)
        spans = [(number.line, first, number.end)]
        optional = fmt.field("optional")
        if lines[optional.line][optional.start] != "<":
            spans.append((optional.line, optional.start, optional.start + 12))  # the IIN
        return spans
    if issuer == "ESP" and fmt.name == "TD1":
        # Read as the electronic DNI's support number (three letters, six digits), it has no
        # letter where its digits stand: printed 0s drew D at odds 0.03-0.10 there (a real scan),
        # and two Ds for 0s cancel in its check digit. Older cards carry the DNI number there,
        # rendered ones any number: their letters are not made digits.
        read = lines[number.line][number.start : number.end]
        if read[:3].isalpha() and read[3:].isdigit():
            return [(number.line, number.start + 3, number.end)]
    return []


def _enforce_digits(lines: list[str], spans: list[tuple[int, int, int]]) -> list[str] | None:
    out = list(lines)
    for line, start, end in spans:
        row = out[line]
        digits = "".join(_TO_DIGIT.get(c, c) for c in row[start:end])
        if not digits.isdigit():
            return None
        out[line] = row[:start] + digits + row[end:]
    return out


def _settle_fillers(lines: list[str], fmt: MrzFormat) -> list[str]:
    """Number and optional data fields end in fillers: once two fillers start, the rest of the
    field is filler. This matters because 0, A, K and U weigh a multiple of ten, exactly like
    ``<``, so no check digit can tell them apart in a filler position."""
    out = list(lines)
    for name in ("number", "optional", "optional2"):
        try:
            spec = fmt.field(name)
        except KeyError:
            continue
        row = out[spec.line]
        field = row[spec.start : spec.end]
        cut = field.find("<<")
        if cut >= 0:
            field = field[:cut] + "<" * (len(field) - cut)
        out[spec.line] = row[: spec.start] + field + row[spec.end :]
        if name == "optional" and spec.check_at is not None and set(field) == {"<"}:
            li, at = spec.check_at
            if out[li][at] in "<KCE":
                # An empty optional field's check digit is printed as a filler, read as K/C/E.
                out[li] = out[li][:at] + "<" + out[li][at + 1 :]
    return out


def _check_positions(fmt: MrzFormat) -> list[tuple[str, int, int, int, tuple[int, int]]]:
    out: list[tuple[str, int, int, int, tuple[int, int]]] = []
    for spec in fmt.fields:
        if spec.check_at is not None:
            out.append((spec.name, spec.line, spec.start, spec.end, spec.check_at))
    return out


def _repair_field(
    lines: list[str],
    name: str,
    line: int,
    start: int,
    end: int,
    check_at: tuple[int, int],
    digits_only: frozenset[int] = frozenset(),
) -> list[list[str]]:
    """Every way of making one field pass its check digit with at most ``_MAX_SWAPS`` look-alike
    swaps in the data. Dates are never searched: a digit read as another digit is not a
    look-alike error that a mod-10 check digit could safely arbitrate."""
    data = lines[line][start:end]
    digit = lines[check_at[0]][check_at[1]]
    if is_valid(data, digit):
        return [lines]
    if name in ("birth_date", "expiry_date"):
        return []
    options = [
        "".join(a for a in _AMBIGUOUS.get(char, "") if a.isdigit() or start + i not in digits_only)
        for i, char in enumerate(data)
    ]
    results: list[list[str]] = []
    for swaps in range(1, _MAX_SWAPS + 1):
        for positions in itertools.combinations(range(len(data)), swaps):
            for choice in itertools.product(*(options[p] for p in positions)):
                new_data = list(data)
                for p, c in zip(positions, choice, strict=True):
                    new_data[p] = c
                candidate = "".join(new_data)
                if is_valid(candidate, digit):
                    fixed = list(lines)
                    row = fixed[line]
                    fixed[line] = row[:start] + candidate + row[end:]
                    results.append(fixed)
        if results:
            return results  # the fewest changes win; several of them means ambiguity
    return results


def correct(raw_lines: Sequence[str]) -> Correction | None:
    """The zone read from ``raw_lines`` with every check digit passing, or None."""
    lines = [normalise(line) for line in raw_lines]
    lines = [line for line in lines if len(line) >= 20]
    # Nearest length first: fillers can be grown, so a 36-character visa row would otherwise
    # also fit a 44-character shape (and a visa has no composite check digit to object).
    typical = sorted(len(line) for line in lines)[len(lines) // 2] if lines else 0
    shapes = sorted(((3, 30), (2, 44), (2, 36)), key=lambda s: (abs(s[1] - typical), -s[0]))
    for count, length in shapes:
        if len(lines) < count:
            continue
        for offset in range(len(lines) - count + 1):
            window = lines[offset : offset + count]
            if any(abs(len(w) - length) > (16 if w.endswith("<<<") else 6) for w in window):
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
    read_issuer = lines[0][2:5].replace("0", "O").replace("1", "I")
    issuer = _repair_country(read_issuer) or read_issuer
    # Where two layouts share a shape and heading, the check digits decide: exactly one of them
    # must accept the reading.
    accepted = [
        result
        for fmt in layouts_for(count, length, code, issuer)
        if (result := _correct_as(lines, fmt, code)) is not None
    ]
    return accepted[0] if len(accepted) == 1 else None


def _correct_as(lines: list[str], fmt: MrzFormat, code: str) -> Correction | None:
    # The second character is the issuer's choice (ICAO 9303: PC, PK, IK are real codes), so a
    # letter there is kept as read; whether it is a chevron misread is for the zone's readings
    # to settle (see :func:`.row_doubts.document_code_doubted`).
    ru = code == "PN" and lines[0][2:5].replace("0", "O") in ("RUS", "RU5")
    coerced = _settle_fillers(_coerce(_settle_fillers(lines, fmt), fmt, ru), fmt)
    spans = digit_spans(coerced, fmt, ru)
    enforced = _enforce_digits(coerced, spans)
    if enforced is None:
        return None
    coerced = enforced
    names = fmt.field("names")
    coerced[names.line] = _clean_name_fillers(coerced[names.line], names.start, names.end)
    fixed_countries = _fix_countries(coerced, fmt, ru)
    if fixed_countries is None:
        return None
    coerced = fixed_countries
    before = tuple(coerced)
    candidates = [coerced]
    for name, line, start, end, check_at in _check_positions(fmt):
        if name == "expiry_date" and ru:
            continue
        if fmt.name == "TD1" and name == "number" and coerced[0][14] == "<":
            continue  # an overflowing number: checked by the parser, not repaired here
        next_candidates: list[list[str]] = []
        for cand in candidates:
            protected = frozenset(
                i for span_line, s0, s1 in spans if span_line == line for i in range(s0, s1)
            )
            next_candidates.extend(_repair_field(cand, name, line, start, end, check_at, protected))
        # Keep distinct candidates only; more than one means an ambiguous field.
        unique = {tuple(c): c for c in next_candidates}
        candidates = list(unique.values())
        if not candidates or len(candidates) > 8:
            return None
    valid: list[MrzData] = []
    for cand in candidates:
        try:
            parse(cand)  # the shape and alphabet
        except MrzError:
            continue
        parsed = parse_as(cand, fmt)
        if parsed.valid and plausible(parsed):
            valid.append(parsed)
    if len(valid) != 1:
        return None  # nothing passes, or several readings do: never guess between them
    changed = sum(a != b for a, b in zip("".join(before), "".join(valid[0].lines), strict=True))
    if changed > _MAX_REPAIRS:
        return None
    return Correction(mrz=valid[0], changed=changed, before=before)


def name_letter(char: str, ru_internal: bool) -> str:
    """What one OCR character becomes in a name field (as the correction maps it): fillers to
    ``<``, digits to their look-alike letters (except the digits the internal passport uses as
    letters), unknown marks to ``?``, noise to nothing."""
    key = normalise(char)
    if key in _TO_LETTER and not (ru_internal and key in RU_NAME_CHARS):
        return _TO_LETTER[key]
    return key


def name_row_variant(raw: str, mrz: MrzData, index: int) -> str | None:
    """Another OCR reading of the name row of an accepted zone, normalised the same way, for a
    vote; None when it cannot be brought to the row's length."""
    length = len(mrz.lines[0])
    fmt = format_named(mrz.format)
    names = fmt.field("names")
    text = normalise(raw)
    if index == 0:
        # The type and state are settled by the accepted zone, but where they end in this
        # reading is not: a dropped or extra character there shifts every name letter.
        realigned = _with_prefix(text, mrz.lines[0][: names.start])
        if realigned is None:
            return None
        text = realigned
    fitted = _fit_length(text, length)
    if fitted is None:
        return None
    lines = list(mrz.lines)
    lines[index] = fitted
    ru = is_ru_internal(mrz)
    coerced = _coerce(lines, fmt, ru)
    return _clean_name_fillers(coerced[index], names.start, names.end)


def _with_prefix(text: str, prefix: str) -> str | None:
    """``text`` with its reading of ``prefix`` (the row's type and state) replaced by the
    accepted one, or None when no reading of it is found at the start. Its own reading may
    differ by one look-alike, or have lost or gained one character: a TD2 row read without its
    leading A, its state and names taken at fixed columns, lost the surname's first letter to
    the state and won a vote of two such readings against the right one (held-out seed 53)."""
    size = len(prefix)
    if len(text) <= size + 1:
        return None

    def same(read: str, settled: str) -> bool:
        return all(name_letter(a, False) == b for a, b in zip(read, settled, strict=True))

    head = text[:size]
    if sum(not same(a, b) for a, b in zip(head, prefix, strict=True)) <= 1:
        return prefix + text[size:]
    # One character lost: the reading's first size-1 characters are the prefix less one.
    if any(same(text[: size - 1], prefix[:k] + prefix[k + 1 :]) for k in range(size)):
        return prefix + text[size - 1 :]
    # One gained: the reading's first size+1 characters less one are the prefix.
    gained = text[: size + 1]
    if any(same(gained[:j] + gained[j + 1 :], prefix) for j in range(size + 1)):
        return prefix + text[size + 1 :]
    return None
