"""Splitting a machine-readable zone into fields and checking every check digit."""

from __future__ import annotations

from collections.abc import Sequence

from .checkdigits import check_digit, is_valid
from .mrz_format import MrzFormat, layouts_for
from .results import CheckDigitReport, MrzData

MRZ_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")


class MrzError(ValueError):
    """The text is not a machine-readable zone of a known shape."""


def _report(name: str, data: str, found: str) -> CheckDigitReport:
    expected = "<" if found == "<" and set(data) <= {"<"} else check_digit(data)
    return CheckDigitReport(field=name, expected=expected, found=found, ok=is_valid(data, found))


def split_names(field: str) -> tuple[str, str]:
    """``SURNAME<<GIVEN<NAMES<<<`` into (``SURNAME``, ``GIVEN NAMES``)."""
    text = field.rstrip("<")
    surname, _, given = text.partition("<<")
    return surname.replace("<", " ").strip(), given.replace("<", " ").strip()


def split_french_names(surname_field: str, given_field: str) -> tuple[str, str]:
    """The French card's surname and given-name fields (given names apart by ``<<``, a
    compound one joined by ``<``) into (``SURNAME``, ``GIVEN NAMES``)."""
    surname = " ".join(part for part in surname_field.split("<") if part)
    given = " ".join(part for part in given_field.split("<") if part)
    return surname, given


def parse(lines: Sequence[str]) -> MrzData:
    """Parse a zone; raises :class:`MrzError` when its shape matches no known layout. Where
    the shape and heading allow two layouts (:func:`.mrz_format.layouts_for`), the first whose
    check digits all pass is taken, else the first."""
    if not lines:
        raise MrzError("no lines")
    length = len(lines[0])
    if any(len(line) != length for line in lines):
        raise MrzError("lines of different lengths")
    if any(set(line) - MRZ_CHARS for line in lines):
        raise MrzError("characters outside the MRZ alphabet")
    layouts = layouts_for(len(lines), length, lines[0][:2], lines[0][2:5])
    if not layouts:
        raise MrzError(f"no layout has {len(lines)} lines of {length}")
    parsed = [parse_as(lines, fmt) for fmt in layouts]
    return next((mrz for mrz in parsed if mrz.valid), parsed[0])


def parse_as(lines: Sequence[str], fmt: MrzFormat) -> MrzData:
    """Parse a zone of ``fmt``'s shape (checked by :func:`parse`) as that layout."""
    names = {spec.name for spec in fmt.fields}

    def seg(name: str) -> str:
        if name not in names:
            return ""
        spec = fmt.field(name)
        return lines[spec.line][spec.start : spec.end]

    checks: list[CheckDigitReport] = []
    number = seg("number")
    number_spec = fmt.field("number")
    assert number_spec.check_at is not None
    number_cd = lines[number_spec.check_at[0]][number_spec.check_at[1]]
    optional = seg("optional")
    if fmt.name == "TD1" and number_cd == "<" and optional[0] != "<":
        # The number overflows into the optional data, followed by its check digit.
        tail = optional.split("<", 1)[0]
        full_number = number.rstrip("<") + tail[:-1]
        checks.append(_report("number", full_number, tail[-1]))
        optional = optional[len(tail) :]
        number = full_number
    else:
        checks.append(_report("number", number, number_cd))
    for name in ("birth_date", "expiry_date", "optional"):
        if name not in names or fmt.field(name).check_at is None:
            continue
        spec = fmt.field(name)
        assert spec.check_at is not None
        found = lines[spec.check_at[0]][spec.check_at[1]]
        data = seg(name)
        if name == "expiry_date" and data == "<<<<<<" and found == "<":
            continue  # no expiry (e.g. the Russian internal passport)
        checks.append(_report(name, data, found))
    if fmt.composite_at is not None:
        data = "".join(lines[line][start:end] for line, start, end in fmt.composite)
        found = lines[fmt.composite_at[0]][fmt.composite_at[1]]
        checks.append(_report("composite", data, found))

    if "given_names" in names:
        surname, given = split_french_names(seg("names"), seg("given_names"))
    else:
        surname, given = split_names(seg("names"))
    sex = seg("sex")
    expiry = seg("expiry_date")
    # The French card is issued to French nationals only; it has no nationality field.
    nationality = seg("nationality") if "nationality" in names else seg("issuing_country")
    return MrzData(
        format=fmt.name,
        lines=tuple(lines),
        document_code=seg("document_code"),
        issuing_country=seg("issuing_country"),
        surname=surname,
        given_names=given,
        number=number.replace("<", ""),
        nationality=nationality,
        birth_date=seg("birth_date"),
        sex="X" if sex == "<" else sex,
        expiry_date="" if expiry in ("", "<<<<<<") else expiry,
        optional=optional,
        optional2=seg("optional2") if fmt.name == "TD1" else "",
        checks=tuple(checks),
    )
