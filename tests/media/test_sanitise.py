from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from openkyc.media.errors import UploadRejected, UploadTooLarge
from openkyc.media.sanitise import sanitise_image, sniff
from tests.media.conftest import jpeg

LIMITS = {"max_bytes": 5_000_000, "max_pixels": 40_000_000}


def _with_exif_orientation(orientation: int) -> bytes:
    image = Image.new("RGB", (600, 300), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "SecretPhoneMaker"  # Make: must not survive
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0)}  # GPS info
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_jpeg_is_reencoded_without_exif_and_upright() -> None:
    original = _with_exif_orientation(6)  # rotate 90° clockwise to display
    assert b"SecretPhoneMaker" in original
    result = sanitise_image(original, **LIMITS)
    assert b"SecretPhoneMaker" not in result.data
    reopened = Image.open(io.BytesIO(result.data))
    assert reopened.format == "JPEG"
    assert not reopened.getexif()
    assert (result.width, result.height) == (300, 600) == reopened.size


def test_png_and_webp_become_jpeg() -> None:
    for fmt in ("PNG", "WEBP"):
        out = io.BytesIO()
        Image.new("RGBA", (400, 300), (0, 0, 0, 128)).save(out, format=fmt)
        result = sanitise_image(out.getvalue(), **LIMITS)
        assert result.data.startswith(b"\xff\xd8\xff")


def test_huge_photos_are_scaled_down() -> None:
    result = sanitise_image(jpeg(4000, 3000), **LIMITS)
    assert max(result.width, result.height) == 2560


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7 not an image", "upload_not_image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "upload_not_image"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "upload_heic"),
        (b"", "upload_empty"),
        (jpeg()[:200], "upload_corrupt"),
        (jpeg(200, 150), "upload_too_small"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(UploadRejected) as raised:
        sanitise_image(data, **LIMITS)
    assert raised.value.reason == reason


def _png_bomb(width: int, height: int) -> bytes:
    """A valid grey PNG of width x height whose zlib stream is tiny (all zero rows)."""
    raw = zlib.compress(b"\x00" * (width + 1) * height, 9)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = _png_bomb(10_000, 10_000)  # 100 Mpx in a few hundred kilobytes
    assert len(bomb) < 200_000
    with pytest.raises(UploadRejected) as raised:
        sanitise_image(bomb, **LIMITS)
    assert raised.value.reason == "upload_too_many_pixels"


def test_files_over_the_byte_limit_are_refused() -> None:
    with pytest.raises(UploadTooLarge):
        sanitise_image(jpeg(), max_bytes=1000, max_pixels=40_000_000)


def test_sniffing_ignores_names_and_trusts_bytes() -> None:
    assert sniff(jpeg()) == "jpeg"
    assert sniff(b"GIF89a...") is None
