"""The brand a merchant gives its hosted page: each bad value refused by name, the logo re-encoded
to a metadata-free PNG, hostile files (SVG, bombs, damaged, oversized) refused, changes audited."""

from __future__ import annotations

import io
import struct
import uuid
import zlib

import pytest
from PIL import Image

from openkyc.audit.service import AuditService
from openkyc.db.session import unit_of_work
from openkyc.errors import ValidationFailed
from openkyc.merchants import branding
from openkyc.merchants.service import MerchantService
from openkyc.state import AppState
from tests.support import MerchantInfo


def image_bytes(size: tuple[int, int] = (200, 80), fmt: str = "PNG", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 60, 160)).save(out, format=fmt, **save)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny file whose header claims a huge image: a decompression bomb's first bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def test_contrast_ratio_matches_wcag() -> None:
    assert branding.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert branding.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert branding.contrast_ratio("#1f4fd1", "#ffffff") > 4.5  # OpenKYC's own accent passes


def test_accent_colour_is_normalised_or_refused_with_the_reason() -> None:
    assert branding.clean_accent_colour(" 0B5D3B ") == "#0b5d3b"
    assert branding.clean_accent_colour("") is None
    with pytest.raises(branding.BrandError, match="#RRGGBB"):
        branding.clean_accent_colour("red")
    with pytest.raises(
        branding.BrandError, match=r"contrast is too low \(1\.\d\d:1 with the white button text"
    ):
        branding.clean_accent_colour("#ffcc00")  # yellow: white text on it is unreadable
    # 4.48:1 against white: just under AA, refused too.
    with pytest.raises(branding.BrandError, match=r"4\.5:1"):
        branding.clean_accent_colour("#777777")


def test_a_logo_is_reencoded_to_png_without_its_metadata() -> None:
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"
    jpeg = image_bytes((900, 300), "JPEG", exif=exif.tobytes(), comment=b"private comment")
    assert b"SecretCameraMaker" in jpeg
    logo = branding.sanitise_logo(jpeg)
    assert logo.png.startswith(b"\x89PNG")
    assert b"SecretCameraMaker" not in logo.png
    assert b"private comment" not in logo.png
    with Image.open(io.BytesIO(logo.png)) as stored:
        assert stored.size == (512, 171)  # shrunk to the stored bound, aspect kept
        assert not stored.info.get("exif")
    webp = branding.sanitise_logo(image_bytes((64, 64), "WEBP"))
    assert len(webp.digest) == 64


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG"),
        (image_bytes(fmt="GIF"), "PNG, JPEG or WebP"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "PNG, JPEG or WebP"),
        (image_bytes()[:60], "damaged"),
        (png_claiming(1025, 10), "1024x1024"),
        (png_claiming(100_000, 100_000), "1024x1024"),  # a bomb, never decoded
        (b"\x89PNG" + b"\0" * (branding.LOGO_MAX_BYTES + 1), "256 KB"),
    ],
)
def test_hostile_or_oversized_logos_are_refused(data: bytes, reason: str) -> None:
    with pytest.raises(branding.BrandError, match=reason):
        branding.sanitise_logo(data)


async def test_the_service_names_each_bad_field_changes_nothing_then_saves_and_audits(
    state: AppState, merchant: MerchantInfo
) -> None:
    merchant_id = uuid.UUID(merchant.id)
    async with unit_of_work(state.sessionmaker) as db:
        with pytest.raises(ValidationFailed) as refused:
            await MerchantService(db, state.keyring).update(
                merchant_id,
                display_name="x" * 101,
                accent_colour="#eeeeee",
                logo=b"<svg/>",
            )
    assert set(refused.value.errors) == {"displayName", "accentColour", "logo"}
    assert "contrast" in refused.value.errors["accentColour"]
    assert "accentColour" in refused.value.message
    logo = image_bytes()
    async with unit_of_work(state.sessionmaker) as db:
        updated = await MerchantService(db, state.keyring).update(
            merchant_id, display_name="  Shop   Brand ", accent_colour="#0B5D3B", logo=logo
        )
        digest = updated.logo_digest
    assert digest is not None
    async with unit_of_work(state.sessionmaker) as db:
        service = MerchantService(db, state.keyring)
        stored = await service.get(merchant_id)
        assert (stored.display_name, stored.accent_colour) == ("Shop Brand", "#0b5d3b")
        png = await service.logo(digest)
        assert png is not None
        assert png.startswith(b"\x89PNG")
        cleared = await service.update(merchant_id, display_name="", accent_colour=None, logo=None)
        assert (cleared.display_name, cleared.accent_colour, cleared.logo_digest) == (None,) * 3
        assert await service.logo(digest) is None
    async with unit_of_work(state.sessionmaker) as db:
        events = await AuditService(db).history("merchant", merchant.id)
        changes = [e.data["changes"] for e in events if e.action == "merchant.updated"]
    assert changes[0]["logo"] == {"from": None, "to": digest}
    assert changes[0]["accentColour"] == {"from": None, "to": "#0b5d3b"}
    assert changes[1]["displayName"] == {"from": "Shop Brand", "to": None}
    assert all(png.hex() not in str(change) for change in changes)  # the audit holds the digest
