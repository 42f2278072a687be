"""ICAO 9303 check digits (Part 3, section 4.9): weights 7, 3, 1 over the character values."""

from __future__ import annotations

_WEIGHTS = (7, 3, 1)


def char_value(char: str) -> int:
    """Value of one MRZ character: digits are themselves, A-Z are 10-35, the filler is 0."""
    if char.isdigit():
        return ord(char) - ord("0")
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == "<":
        return 0
    raise ValueError(f"not an MRZ character: {char!r}")


def check_digit(data: str) -> str:
    total = sum(char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(data))
    return str(total % 10)


def is_valid(data: str, digit: str) -> bool:
    """Whether ``digit`` is the check digit of ``data``.

    A field left entirely empty may carry ``<`` as its check digit (Part 3, 4.9: e.g. an unused
    optional data field); ``0`` is equally valid there because empty data sums to zero.
    """
    if digit == "<":
        return set(data) <= {"<"}
    if not digit.isdigit():
        return False
    try:
        return check_digit(data) == digit
    except ValueError:
        return False  # a character OCR could not place ("?") never passes
