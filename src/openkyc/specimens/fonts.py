"""Fonts for specimen documents, taken from Debian packages at run time (none are shipped).

* OCR-B for the machine-readable zone: Debian ``fonts-ocr-b``.
* DejaVu (``fonts-dejavu-core``) for the printed fields: it covers Cyrillic and every Kazakh
  letter. Liberation (``fonts-liberation``) is used for Latin-only text when installed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

_FONT_ROOTS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))

OCR_B = "OCRB.otf"
# Faces that cover Cyrillic including the Kazakh letters.
CYRILLIC_FACES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSansCondensed-Bold.ttf",
)
LATIN_FACES = (
    *CYRILLIC_FACES,
    "LiberationSans-Regular.ttf",
    "LiberationSans-Bold.ttf",
    "LiberationSerif-Regular.ttf",
    "LiberationSansNarrow-Regular.ttf",
)


class FontMissingError(RuntimeError):
    """A font package the specimen generator needs is not installed."""


@cache
def font_path(name: str) -> Path | None:
    for root in _FONT_ROOTS:
        if root.is_dir():
            for path in root.rglob(name):
                return path
    return None


def available(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n for n in names if font_path(n) is not None)


@cache
def load(name: str, size: int) -> ImageFont.FreeTypeFont:
    path = font_path(name)
    if path is None:
        package = "fonts-ocr-b" if name == OCR_B else "fonts-dejavu-core"
        raise FontMissingError(f"font {name} not found: install the Debian package {package}")
    return ImageFont.truetype(str(path), size)
