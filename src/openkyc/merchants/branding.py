"""A merchant's brand on the hosted page: display name, accent colour and logo.

Pure checks, no I/O: each returns a problem sentence (the service names the field) or raises
:class:`BrandError`. The accent colour paints the primary buttons (white text on it) and links
(on white and light-tinted backgrounds), so it must reach WCAG AA 4.5:1 against the lightest of
those. A logo is decoded by Pillow only after its header says it is small, then re-encoded to a
fresh PNG: nothing of the upload (metadata, trailing bytes, script in an SVG) reaches a customer.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

DISPLAY_NAME_MAX = 100
LOGO_MAX_BYTES = 256 * 1024
LOGO_MAX_SIDE = 1024
# Shown at most ~48 CSS px high: 512 px covers a wide logo on a 3x screen, and bounds the row.
LOGO_STORED_SIDE = 512
LOGO_STORED_MAX_BYTES = 512 * 1024
LOGO_FORMATS = ("PNG", "JPEG", "WEBP")
AA_CONTRAST = 4.5
# The button text (flow.css --accent-ink) and the backgrounds the accent is drawn on as text.
ACCENT_COUNTERPARTS = ("#ffffff", "#f4f6fa", "#e8eefc")
_HEX = re.compile(r"#?([0-9a-fA-F]{6})")


class BrandError(ValueError):
    """A value that cannot be a brand; the message says why, for the named field."""


@dataclass(frozen=True, slots=True)
class Logo:
    png: bytes
    digest: str  # sha256 of the PNG, hex: the cacheable URL's name


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    return 0.2126 * _linear(red) + 0.7152 * _linear(green) + 0.0722 * _linear(blue)


def contrast_ratio(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def clean_display_name(text: str) -> str | None:
    """Blank means "use the merchant's name"; control characters are refused."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    if len(cleaned) > DISPLAY_NAME_MAX:
        raise BrandError(f"must be at most {DISPLAY_NAME_MAX} characters")
    if any(ord(char) < 32 or ord(char) == 127 for char in cleaned):
        raise BrandError("must not contain control characters")
    return cleaned


def clean_accent_colour(text: str) -> str | None:
    """``#RRGGBB`` (the ``#`` optional) as lower-case ``#rrggbb``; blank means the default."""
    stripped = text.strip()
    if not stripped:
        return None
    match = _HEX.fullmatch(stripped)
    if match is None:
        raise BrandError("must be a colour as #RRGGBB, for example #1f4fd1")
    colour = f"#{match.group(1).lower()}"
    ratio = min(contrast_ratio(colour, other) for other in ACCENT_COUNTERPARTS)
    if ratio < AA_CONTRAST:
        raise BrandError(
            f"contrast is too low ({ratio:.2f}:1 with the white button text or the light "
            f"backgrounds it is drawn on; WCAG AA needs {AA_CONTRAST}:1): choose a darker colour"
        )
    return colour


def sanitise_logo(data: bytes) -> Logo:
    """A PNG, JPEG or WebP of at most LOGO_MAX_BYTES and LOGO_MAX_SIDE px a side, re-encoded
    as a metadata-free PNG of at most LOGO_STORED_SIDE px a side. The size is read from the
    header before any pixel is decoded, so a decompression bomb costs nothing."""
    if not data:
        raise BrandError("the file is empty")
    if len(data) > LOGO_MAX_BYTES:
        raise BrandError(f"must be at most {LOGO_MAX_BYTES // 1024} KB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=LOGO_FORMATS) as image:
                width, height = image.size
                if width > LOGO_MAX_SIDE or height > LOGO_MAX_SIDE:
                    raise BrandError(f"must be at most {LOGO_MAX_SIDE}x{LOGO_MAX_SIDE} pixels")
                image.seek(0)  # an animation: its first frame
                image.load()
                upright = ImageOps.exif_transpose(image)
                pixels = upright.convert("RGBA")
    except BrandError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BrandError(f"must be at most {LOGO_MAX_SIDE}x{LOGO_MAX_SIDE} pixels") from None
    except UnidentifiedImageError:
        raise BrandError("must be a PNG, JPEG or WebP image (SVG is not accepted)") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise BrandError("the image is damaged and cannot be read") from None
    pixels.thumbnail((LOGO_STORED_SIDE, LOGO_STORED_SIDE))
    out = io.BytesIO()
    pixels.save(out, format="PNG", optimize=True)
    png = out.getvalue()
    if len(png) > LOGO_STORED_MAX_BYTES:
        raise BrandError("is too detailed to store; use a simpler or smaller logo")
    return Logo(png=png, digest=hashlib.sha256(png).hexdigest())
