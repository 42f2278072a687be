"""Writing machine-readable zones: the inverse of
:mod:`openkyc.verification.document.mrz_parse`, used by the specimen generator and by tests."""

from __future__ import annotations

from openkyc.verification.document.checkdigits import check_digit
from openkyc.verification.document.mrz_format import FR_ID, TD1, TD2, TD3, MrzFormat
from openkyc.verification.document.transliteration import to_icao_latin, to_ru_internal


def _pad(text: str, length: int) -> str:
    if len(text) > length:
        return text[:length]
    return text + "<" * (length - len(text))


def name_field(surname: str, given_names: str, length: int, *, coded: bool = False) -> str:
    """``SURNAME<<GIVEN<NAMES``, truncated to the field as ICAO 9303 Part 3 allows."""
    code = to_ru_internal if coded else to_icao_latin
    text = code(surname.strip())
    if given_names.strip():
        text += "<<" + code(given_names.strip())
    return _pad(text, length)


def _composite(lines: list[str], fmt: MrzFormat) -> str:
    data = "".join(lines[line][start:end] for line, start, end in fmt.composite)
    return check_digit(data)


def _optional_check(optional: str) -> str:
    # An empty optional field may carry "<" as its check digit (Part 4, 4.2.2.2).
    return "<" if set(optional) <= {"<"} else check_digit(optional)


def _data_line_start(
    number: str, nationality: str, birth_date: str, sex: str, expiry_date: str
) -> str:
    """The first 28 characters of a TD2/TD3 second line, each check digit after its field."""
    num = _pad(number, 9)
    return (
        num
        + check_digit(num)
        + _pad(nationality, 3)
        + birth_date
        + check_digit(birth_date)
        + sex
        + expiry_date
        + check_digit(expiry_date)
    )


def td3(
    *,
    document_code: str,
    issuing_country: str,
    surname: str,
    given_names: str,
    number: str,
    nationality: str,
    birth_date: str,
    sex: str,
    expiry_date: str,
    optional: str = "",
) -> tuple[str, str]:
    line1 = _pad(document_code, 2) + _pad(issuing_country, 3) + name_field(surname, given_names, 39)
    opt = _pad(optional, 14)
    line2 = _data_line_start(number, nationality, birth_date, sex, expiry_date)
    line2 += opt + _optional_check(opt)
    line2 += _composite([line1, line2 + "<"], TD3)
    return line1, line2


def td2(
    *,
    document_code: str,
    issuing_country: str,
    surname: str,
    given_names: str,
    number: str,
    nationality: str,
    birth_date: str,
    sex: str,
    expiry_date: str,
    optional: str = "",
) -> tuple[str, str]:
    line1 = _pad(document_code, 2) + _pad(issuing_country, 3) + name_field(surname, given_names, 31)
    line2 = _data_line_start(number, nationality, birth_date, sex, expiry_date)
    line2 += _pad(optional, 7)
    line2 += _composite([line1, line2 + "<"], TD2)
    return line1, line2


def french_id(
    *, surname: str, given_names: str, number: str, birth_date: str, sex: str, office: str
) -> tuple[str, str]:
    """The French national identity card's zone (:data:`.mrz_format.FR_ID`): ``number`` is the
    card's 12 characters, ``office`` the issuing department and office (6); given names are
    written apart by ``<<``."""
    line1 = "IDFRA" + _pad(to_icao_latin(surname.strip()), 25) + _pad(office, 6)
    given = "<<".join(to_icao_latin(name) for name in given_names.split())
    line2 = _pad(number, 12) + check_digit(_pad(number, 12)) + _pad(given, 14)
    line2 += birth_date + check_digit(birth_date) + sex
    line2 += _composite([line1, line2 + "<"], FR_ID)
    return line1, line2


def td1(
    *,
    document_code: str,
    issuing_country: str,
    surname: str,
    given_names: str,
    number: str,
    nationality: str,
    birth_date: str,
    sex: str,
    expiry_date: str,
    optional: str = "",
    optional2: str = "",
) -> tuple[str, str, str]:
    if len(number) > 9:
        # Long numbers overflow into the optional data, followed by their check digit and a
        # filler, with a filler where the check digit would normally be (Part 5, 4.2.2 note j).
        head, tail = number[:9], number[9:]
        line1 = (
            _pad(document_code, 2)
            + _pad(issuing_country, 3)
            + head
            + "<"
            + _pad(tail + check_digit(number) + "<" + optional, 15)
        )
    else:
        num = _pad(number, 9)
        line1 = (
            _pad(document_code, 2)
            + _pad(issuing_country, 3)
            + num
            + check_digit(num)
            + _pad(optional, 15)
        )
    line2 = (
        birth_date
        + check_digit(birth_date)
        + sex
        + expiry_date
        + check_digit(expiry_date)
        + _pad(nationality, 3)
        + _pad(optional2, 11)
    )
    line2 += _composite([line1, line2 + "<"], TD1)
    line3 = name_field(surname, given_names, 30)
    return line1, line2, line3


def ru_internal(
    *,
    surname: str,
    given_name: str,
    patronymic: str,
    series: str,
    number: str,
    birth_date: str,
    sex: str,
    issue_date: str,
    department_code: str,
) -> tuple[str, str]:
    """The Russian internal passport zone: TD3-shaped, names coded with the internal table,
    no expiry, and the optional data = last series digit + issue date + department code."""
    given = f"{given_name} {patronymic}".strip()
    line1 = "PNRUS" + name_field(surname, given, 39, coded=True)
    num = series[:3] + number
    department = department_code.replace("-", "")
    optional = series[3] + issue_date + department + "<"
    line2 = (
        num
        + check_digit(num)
        + "RUS"
        + birth_date
        + check_digit(birth_date)
        + sex
        + "<<<<<<<"
        + optional
        + check_digit(optional)
    )
    line2 += _composite([line1, line2 + "<"], TD3)
    return line1, line2


def mrv(
    *,
    size: str,
    document_code: str,
    issuing_country: str,
    surname: str,
    given_names: str,
    number: str,
    nationality: str,
    birth_date: str,
    sex: str,
    expiry_date: str,
    optional: str = "",
) -> tuple[str, str]:
    """A machine-readable visa (Part 7): ``size`` "A" (2 x 44, MRV-A) or "B" (2 x 36, MRV-B).

    The second line is laid out like a passport's up to the expiry check digit; the rest is
    optional data to the end of the line, with no check digit of its own and no composite.
    """
    if size not in ("A", "B"):
        raise ValueError(f"visa size is A or B, not {size!r}")
    if not document_code.startswith("V"):
        # The leading V is what tells a visa from a TD3 or TD2 zone of the same shape.
        raise ValueError(f"a visa's document code starts with V, not {document_code!r}")
    length = 44 if size == "A" else 36
    line1 = (
        _pad(document_code, 2)
        + _pad(issuing_country, 3)
        + name_field(surname, given_names, length - 5)
    )
    line2 = _data_line_start(number, nationality, birth_date, sex, expiry_date)
    line2 += _pad(optional, length - len(line2))
    return line1, line2
