"""Strict parsing of the unsigned integers the contract writes as ASCII digits.

``str.isdigit()`` is true for superscripts and other Unicode digits that ``int()`` refuses
(a 500 from one header), and ``int()`` itself accepts signs, spaces, underscores and
non-ASCII decimal digits. Every header, query and form number goes through here instead.
"""

from __future__ import annotations

_ASCII_DIGITS = frozenset("0123456789")


def parse_ascii_int(raw: str | bytes | None, *, max_digits: int) -> int | None:
    """The value of 1..max_digits ASCII digits, or None for anything else."""
    if raw is None:
        return None
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    if not 0 < len(text) <= max_digits or not _ASCII_DIGITS.issuperset(text):
        return None
    return int(text)
