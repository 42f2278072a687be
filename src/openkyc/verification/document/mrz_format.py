"""Field layouts of the ICAO 9303 machine-readable zones (Part 4 TD3, Part 5 TD1, Part 6 TD2,
Part 7 visas) and of the French national identity card's own 2 x 36 zone, expressed as data so that the parser, the generator and the OCR correction share
one description of where every character belongs and what it may be."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Charset(Enum):
    """Which characters a position may hold; drives OCR correction of look-alikes."""

    ALPHA = "alpha"  # letters and filler (country codes, names)
    NUMERIC = "numeric"  # digits only (dates, check digits)
    ALNUM = "alnum"  # document numbers and optional data
    SEX = "sex"  # M, F or <
    CHECK = "check"  # a check digit: a digit, or < for an empty optional field


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    line: int
    start: int
    end: int
    charset: Charset
    # (line, index) of the check digit that protects this field, if any.
    check_at: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class MrzFormat:
    name: str
    lines: int
    length: int
    fields: tuple[FieldSpec, ...]
    # Segments (line, start, end) covered by the composite check digit, and where it sits.
    composite: tuple[tuple[int, int, int], ...] = ()
    composite_at: tuple[int, int] | None = None

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def charset_at(self, line: int, index: int) -> Charset:
        """Character class of one position, check digits included."""
        for spec in self.fields:
            if spec.line == line and spec.start <= index < spec.end:
                return spec.charset
            if spec.check_at == (line, index):
                return Charset.CHECK
        if self.composite_at == (line, index):
            return Charset.NUMERIC
        return Charset.ALNUM


_f = FieldSpec
A, N, AN = Charset.ALPHA, Charset.NUMERIC, Charset.ALNUM


def _two_rows(
    length: int, optional_end: int, optional_check: bool = False
) -> tuple[FieldSpec, ...]:
    """The fields of the two-row zones (TD3, TD2, the visas): they differ only in their length
    and in what ends the optional data (its own check digit, the composite one, or the row)."""
    return (
        _f("document_code", 0, 0, 2, A),
        _f("issuing_country", 0, 2, 5, A),
        _f("names", 0, 5, length, A),
        _f("number", 1, 0, 9, AN, (1, 9)),
        _f("nationality", 1, 10, 13, A),
        _f("birth_date", 1, 13, 19, N, (1, 19)),
        _f("sex", 1, 20, 21, Charset.SEX),
        _f("expiry_date", 1, 21, 27, N, (1, 27)),
        _f("optional", 1, 28, optional_end, AN, (1, optional_end) if optional_check else None),
    )


TD3 = MrzFormat(
    name="TD3",
    lines=2,
    length=44,
    fields=_two_rows(44, 42, optional_check=True),
    composite=((1, 0, 10), (1, 13, 20), (1, 21, 43)),
    composite_at=(1, 43),
)

TD2 = MrzFormat(
    name="TD2",
    lines=2,
    length=36,
    fields=_two_rows(36, 35),
    composite=((1, 0, 10), (1, 13, 20), (1, 21, 35)),
    composite_at=(1, 35),
)

TD1 = MrzFormat(
    name="TD1",
    lines=3,
    length=30,
    fields=(
        _f("document_code", 0, 0, 2, A),
        _f("issuing_country", 0, 2, 5, A),
        _f("number", 0, 5, 14, AN, (0, 14)),
        _f("optional", 0, 15, 30, AN),
        _f("birth_date", 1, 0, 6, N, (1, 6)),
        _f("sex", 1, 7, 8, Charset.SEX),
        _f("expiry_date", 1, 8, 14, N, (1, 14)),
        _f("nationality", 1, 15, 18, A),
        _f("optional2", 1, 18, 29, AN),
        _f("names", 2, 0, 30, A),
    ),
    composite=((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
    composite_at=(1, 29),
)

# Machine-readable visas (Part 7) have no composite check digit.
MRV_A = MrzFormat(name="MRV-A", lines=2, length=44, fields=_two_rows(44, 44))
MRV_B = MrzFormat(name="MRV-B", lines=2, length=36, fields=_two_rows(36, 36))

# The French national identity card issued until 2021 (carte nationale d'identite, "CNI"):
# TD2-sized but not the TD2 layout. Surname on the first row, then six characters for the
# issuing department and office; the card number (issue year and month, department, sequence)
# and the given names on the second, no expiry date, no nationality (the card is issued to
# French nationals only). Its last check digit covers both rows entire, names included.
FR_ID = MrzFormat(
    name="FR-ID",
    lines=2,
    length=36,
    fields=(
        _f("document_code", 0, 0, 2, A),
        _f("issuing_country", 0, 2, 5, A),
        _f("names", 0, 5, 30, A),
        _f("optional", 0, 30, 36, AN),
        _f("number", 1, 0, 12, AN, (1, 12)),
        _f("given_names", 1, 13, 27, A),
        _f("birth_date", 1, 27, 33, N, (1, 33)),
        _f("sex", 1, 34, 35, Charset.SEX),
    ),
    composite=((0, 0, 36), (1, 0, 35)),
    composite_at=(1, 35),
)

FORMATS = (TD3, TD2, TD1, MRV_A, MRV_B, FR_ID)


def format_named(name: str) -> MrzFormat:
    """The layout an accepted zone was read with (``MrzData.format``)."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise KeyError(name)


def layouts_for(lines: int, length: int, document_code: str, issuer: str) -> list[MrzFormat]:
    """The layouts a zone of this shape and heading may have, likeliest first: the ICAO layout of
    its shape, where a leading ``V`` selects the visa layouts. A 2 x 36 zone headed ``ID``
    ``FRA`` is the French card's own layout, or a TD2 one: only the check digits can tell them
    apart, so both are given (the French first)."""
    shaped = [f for f in FORMATS if (f.lines, f.length) == (lines, length) and f is not FR_ID]
    if not shaped:
        return []
    is_visa = document_code.startswith("V")
    fmt = next((f for f in shaped if f.name.startswith("MRV") == is_visa), shaped[0])
    if fmt is TD2 and document_code == "ID" and issuer == "FRA":
        return [FR_ID, TD2]
    return [fmt]
