"""Layout variety for specimen documents (issue 26): where the photo sits, how labels stand
against their values, which fonts and which security print.

A :class:`LayoutStyle` carries its own generator, so a varied document draws every choice of
the classic layout from the document's generator exactly as before and its variety from this one:
the same seed renders the same identity, zone and photo geometry with or without variety.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from . import fonts

RGBImage = npt.NDArray[np.uint8]

# Every face installed by Debian's fonts-dejavu-core/-extra that has all the Kazakh letters.
KAZAKH_FACES = (
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf",
    "DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf", "DejaVuSansCondensed-Oblique.ttf",
    "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf",
    "DejaVuSerifCondensed.ttf", "DejaVuSerifCondensed-Bold.ttf", "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold.ttf",
)  # fmt: skip
# fonts-liberation (Liberation 2) covers Latin and Russian but not the Kazakh letters.
LATIN_EXTRA_FACES = (
    "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "LiberationSans-Italic.ttf",
    "LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSansNarrow-Regular.ttf",
    "LiberationSansNarrow-Bold.ttf", "LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf",
)  # fmt: skip
# OCR-B as printed by fonts-ocr-b: the regular cut and its slightly heavier "S" cut.
ZONE_FACES = ("OCRB.otf", "OCRB.otf", "OCRBS.otf")
GUILLOCHES = ("waves", "rosette", "lattice", "lines")
LABEL_PLACES = ("above", "below", "inline")


@dataclass(slots=True)
class LayoutStyle:
    """One document's layout choices beyond the classic ones."""

    rng: random.Random
    photo_right: bool
    label_place: str
    upper_labels: bool
    guilloche: str
    emblem: bool
    zone_face: str
    zone_bold: bool
    label_gap: float  # mm between a label and its value

    def faces(self, cyrillic: bool) -> tuple[str, ...]:
        names = KAZAKH_FACES if cyrillic else KAZAKH_FACES + LATIN_EXTRA_FACES
        return fonts.available(names) or fonts.available(fonts.CYRILLIC_FACES)


def varied_style(seed: int) -> LayoutStyle:
    rng = random.Random(seed)
    return LayoutStyle(
        rng=rng,
        photo_right=rng.random() < 0.4,
        label_place=rng.choice(LABEL_PLACES),
        upper_labels=rng.random() < 0.4,
        guilloche=rng.choice(GUILLOCHES),
        emblem=rng.random() < 0.5,
        zone_face=rng.choice(ZONE_FACES),
        zone_bold=rng.random() < 0.25,
        label_gap=rng.uniform(1.9, 3.0),
    )


def security_print(width: int, height: int, style: LayoutStyle, px_per_mm: int) -> RGBImage:
    """Tinted paper with one of several fine-line patterns and, sometimes, a faint emblem."""
    rng = style.rng
    paper = np.array([rng.randint(222, 248), rng.randint(218, 244), rng.randint(205, 240)], float)
    ink = paper - np.array([rng.randint(20, 70), rng.randint(10, 60), rng.randint(5, 55)], float)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32) / px_per_mm
    kind = style.guilloche
    if kind == "rosette":
        cx, cy = (
            rng.uniform(0.2, 0.8) * width / px_per_mm,
            rng.uniform(0.2, 0.8) * height / px_per_mm,
        )
        r = np.hypot(xx - cx, yy - cy)
        theta = np.arctan2(yy - cy, xx - cx)
        wave = np.sin(
            theta * rng.randint(12, 40) + rng.uniform(2, 6) * np.sin(r * rng.uniform(0.2, 0.5))
        )
        lines = np.abs(wave) < rng.uniform(0.08, 0.16)
    elif kind == "lattice":
        f = rng.uniform(0.8, 1.6)
        a = np.sin((xx + yy) * f + rng.uniform(0.5, 2) * np.sin(yy * 0.15))
        b = np.sin((xx - yy) * f + rng.uniform(0.5, 2) * np.sin(xx * 0.12))
        lines = (np.abs(a) < 0.1) | (np.abs(b) < 0.1)
    elif kind == "lines":
        wave = np.sin(
            yy * rng.uniform(1.2, 2.5) + rng.uniform(1, 5) * np.sin(xx * rng.uniform(0.05, 0.2))
        )
        lines = np.abs(wave) < rng.uniform(0.1, 0.2)
    else:
        f1, f2 = rng.uniform(0.05, 0.3), rng.uniform(0.05, 0.3)
        wave = np.sin(xx * f1 + rng.uniform(1, 5) * np.sin(yy * f2)) * np.sin(yy * f1 * 1.3)
        lines = np.abs(np.sin(wave * rng.uniform(4, 9))) < 0.1
    strength = lines.astype(np.float32) * rng.uniform(0.3, 0.75)
    # A colour drift across the page, as on printed security paper.
    drift = (xx / max(1.0, float(xx.max())))[..., None] * rng.uniform(-12, 12)
    image = (
        paper[None, None, :] * (1 - strength[..., None]) + ink[None, None, :] * strength[..., None]
    )
    image = image + drift
    if style.emblem:
        ex, ey = (
            rng.uniform(0.3, 0.7) * width / px_per_mm,
            rng.uniform(0.3, 0.7) * height / px_per_mm,
        )
        radius = rng.uniform(8, 18)
        r = np.hypot(xx - ex, yy - ey)
        theta = np.arctan2(yy - ey, xx - ex)
        star = radius * (0.75 + 0.25 * np.cos(theta * rng.choice((5, 8, 12))))
        emblem = ((r < star) & (r > star - 0.8)) | (np.abs(r - radius * 1.1) < 0.4)
        image = image - emblem[..., None].astype(np.float32) * rng.uniform(15, 35)
    return np.asarray(np.clip(image, 0, 255), dtype=np.uint8)


def mirrored_x(x: float, width: float, page_width: float) -> float:
    """Where a box of ``width`` at ``x`` lands when the layout puts it on the other side."""
    return page_width - x - width


def text_width_mm(text: str, face: str, size_mm: float, px_per_mm: int) -> float:
    font = fonts.load(face, max(8, round(size_mm * px_per_mm)))
    return float(font.getlength(text)) / px_per_mm
