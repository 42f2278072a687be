"""The test camera writes what Chromium's fake camera expects: limited-range Y'CbCr."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.browser.y4m import write_y4m


def _planes(path: Path, width: int, height: int) -> tuple[bytes, bytes, bytes]:
    data = path.read_bytes()
    header, _, rest = data.partition(b"\n")
    assert b"C420jpeg" in header
    assert rest.startswith(b"FRAME\n")
    frame = rest[len(b"FRAME\n") :]
    luma = width * height
    chroma = luma // 4
    return frame[:luma], frame[luma : luma + chroma], frame[luma + chroma : luma + 2 * chroma]


def test_black_and_white_are_written_at_studio_levels(tmp_path: Path) -> None:
    image = Image.new("RGB", (4, 2), (255, 255, 255))
    image.paste((0, 0, 0), (0, 0, 2, 2))
    y, cb, cr = _planes(write_y4m(tmp_path / "bw.y4m", [image]), 4, 2)
    assert list(y) == [16, 16, 235, 235, 16, 16, 235, 235]
    assert set(cb) == {128}
    assert set(cr) == {128}


def test_saturated_colour_stays_inside_the_chroma_range(tmp_path: Path) -> None:
    red = Image.new("RGB", (2, 2), (255, 0, 0))
    y, cb, cr = _planes(write_y4m(tmp_path / "red.y4m", [red]), 2, 2)
    assert 16 <= min(y) <= max(y) <= 235
    assert 16 <= cb[0] <= 240
    assert cr[0] == 240  # full-range Cr 255 is the top of the limited range
