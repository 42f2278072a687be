from __future__ import annotations

import pytest

from openkyc.digits import parse_ascii_int


@pytest.mark.parametrize(
    "raw", ["", "\u00b2", "12\u00b9", "\u0661\u0662", "+1", "-1", " 1", "1 ", "1_0", "0x1", "1.0"]
)
def test_anything_but_ascii_digits_is_none(raw: str) -> None:
    assert parse_ascii_int(raw, max_digits=9) is None
    assert parse_ascii_int(raw.encode("utf-8"), max_digits=9) is None


def test_ascii_digits_within_the_length_are_read() -> None:
    assert parse_ascii_int("0042", max_digits=4) == 42
    assert parse_ascii_int(b"1796627803620", max_digits=15) == 1796627803620
    assert parse_ascii_int("12345", max_digits=4) is None
    assert parse_ascii_int(None, max_digits=4) is None
