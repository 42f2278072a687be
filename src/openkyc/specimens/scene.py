"""What else ends up in a phone photo of a document: a busy background, the thumb holding the
card, a page that does not lie flat.

Each effect works on the composed float RGB frame (0..255) and draws only from the generator it
is given, so a photo without these effects consumes no random numbers for them and renders
exactly as before they existed.
"""

from __future__ import annotations

import math
import random

import cv2
import numpy as np
import numpy.typing as npt

from . import fonts

FloatImage = npt.NDArray[np.float32]
Quad = tuple[tuple[float, float], ...]

# Backgrounds with edges and print of their own: a newspaper, a checked cloth, a cluttered desk.
BUSY_BACKGROUNDS = ("newspaper", "checked", "clutter")

_SKIN = ((233, 190, 160), (214, 160, 122), (180, 126, 92), (128, 84, 60), (243, 205, 178))
_WORDS = (
    "THE", "MARKET", "REPORT", "CITY", "COUNCIL", "WEATHER", "SPORT", "2024", "NEWS", "PRICE",
    "НОВОСТИ", "ГОРОД", "ПОГОДА", "СПОРТ", "РЫНОК", "ЖАҢАЛЫҚТАР", "ҚАЛА", "TRAIN", "OPEN",
    "MONDAY", "18:30", "SALE", "No. 47", "INTERVIEW", "ЭКОНОМИКА", "BANK", "ROAD", "SCHOOL",
)  # fmt: skip


def busy_background(kind: str, width: int, height: int, nprng: np.random.Generator) -> FloatImage:
    """A background that competes with the document for the reader's attention."""
    rng = random.Random(int(nprng.integers(2**32)))
    if kind == "newspaper":
        return _newspaper(width, height, rng)
    if kind == "checked":
        return _checked(width, height, rng)
    if kind == "clutter":
        return _clutter(width, height, rng)
    raise ValueError(f"unknown busy background {kind!r}")


def _newspaper(width: int, height: int, rng: random.Random) -> FloatImage:
    from PIL import Image, ImageDraw

    paper = rng.randint(200, 235)
    image = Image.new("RGB", (width, height), (paper, paper, paper - rng.randint(0, 15)))
    draw = ImageDraw.Draw(image)
    faces = fonts.available(fonts.CYRILLIC_FACES)
    columns = rng.randint(3, 6)
    col_w = width / columns
    y0 = 0.0
    while y0 < height:
        size = rng.choice((14, 16, 18, 18, 22, 34, 48))
        font = fonts.load(rng.choice(faces), max(10, round(size * width / 1280)))
        for c in range(columns):
            words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 8)))
            ink = rng.randint(20, 80)
            draw.text((c * col_w + 8, y0), words, font=font, fill=(ink, ink, ink))
        y0 += font.size * rng.uniform(1.2, 1.6)
        if rng.random() < 0.08:
            # A photo block in the page.
            x = rng.randrange(columns) * col_w
            tone = rng.randint(60, 170)
            draw.rectangle((x + 6, y0, x + col_w - 6, y0 + col_w * 0.6), fill=(tone, tone, tone))
            y0 += col_w * 0.65
    return np.asarray(image, dtype=np.float32)


def _checked(width: int, height: int, rng: random.Random) -> FloatImage:
    base = np.array([rng.randint(150, 240), rng.randint(150, 240), rng.randint(150, 240)], float)
    stripe = np.array([rng.randint(20, 160), rng.randint(20, 160), rng.randint(20, 160)], float)
    period = rng.uniform(18, 60) * width / 1280
    angle = rng.uniform(-0.3, 0.3)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    u = xx * math.cos(angle) + yy * math.sin(angle)
    v = -xx * math.sin(angle) + yy * math.cos(angle)
    band_u = ((u / period) % 1.0) < 0.35
    band_v = ((v / period) % 1.0) < 0.35
    weight = (band_u.astype(np.float32) + band_v.astype(np.float32)) / 2
    image = (
        base[None, None, :] * (1 - weight[..., None]) + stripe[None, None, :] * weight[..., None]
    )
    return np.asarray(image, dtype=np.float32)


def _clutter(width: int, height: int, rng: random.Random) -> FloatImage:
    from PIL import Image, ImageDraw

    grey = rng.randint(70, 150)
    image = Image.new("RGB", (width, height), (grey, grey + rng.randint(-10, 10), grey))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(8, 18)):
        colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))
        x, y = rng.uniform(-0.2, 1.0) * width, rng.uniform(-0.2, 1.0) * height
        w, h = rng.uniform(0.1, 0.5) * width, rng.uniform(0.1, 0.5) * height
        shape = rng.random()
        if shape < 0.5:
            draw.rectangle((x, y, x + w, y + h), fill=colour, outline=(20, 20, 20), width=2)
        elif shape < 0.8:
            draw.ellipse((x, y, x + w, y + w), fill=colour)
        else:
            draw.line((x, y, x + w, y + h), fill=colour, width=rng.randint(3, 12))
    # Keyboard-like rows of small keys along one edge of the frame.
    if rng.random() < 0.5:
        key = max(12, width // 40)
        top = rng.uniform(0.6, 0.85) * height
        for row in range(4):
            for col in range(width // (key + 4)):
                x0, y0 = col * (key + 4), top + row * (key + 4)
                draw.rectangle(
                    (x0, y0, x0 + key, y0 + key), fill=(30, 30, 32), outline=(90, 90, 90)
                )
    return np.asarray(image, dtype=np.float32)


def bend_page(
    frame: FloatImage, matrix: npt.NDArray[np.float64], flat_size: tuple[int, int], bend: float
) -> FloatImage:
    """The document bulging like a page that does not lie flat: its rows become arcs.

    Every photo pixel is mapped back into the flat document (u across, 0..1); pixels inside it
    are pulled along the document's vertical axis by ``bend`` times its height, most at the
    middle of the row (a parabola), and shaded a little where the page curves away."""
    fh, fw = frame.shape[:2]
    w, h = flat_size
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    points = np.stack([xx.ravel(), yy.ravel()], axis=1)[None, :, :]
    inverse = np.linalg.inv(matrix)
    flat = cv2.perspectiveTransform(points, inverse)[0].reshape(fh, fw, 2)
    u = np.clip(flat[..., 0] / w, 0.0, 1.0)
    v = flat[..., 1] / h
    inside = (flat[..., 0] >= -0.02 * w) & (flat[..., 0] <= 1.02 * w) & (v >= -0.02) & (v <= 1.02)
    lift = (1.0 - (2.0 * u - 1.0) ** 2) * bend * h * inside
    # The document's vertical axis in the photo, in pixels per flat pixel.
    down = cv2.perspectiveTransform(np.array([[[w / 2, 0.0], [w / 2, float(h)]]]), matrix)[0]
    axis = (down[1] - down[0]) / h
    map_x = (xx - lift * float(axis[0])).astype(np.float32)
    map_y = (yy - lift * float(axis[1])).astype(np.float32)
    warped = cv2.remap(frame, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    shade = 1.0 - 0.25 * bend / 0.05 * np.abs(2.0 * u - 1.0) ** 2 * inside
    return np.asarray(warped * shade[..., None], dtype=np.float32)


def thumb(
    frame: FloatImage, quad: Quad, rng: random.Random, keep_clear: Quad | None = None
) -> FloatImage:
    """A thumb over one corner of the document, out of focus, with its shadow. It avoids the
    ``keep_clear`` quad (the machine-readable zone) when some corner allows it: a thumb over the
    zone hides characters no reader can recover."""
    fh, fw = frame.shape[:2]
    centre = np.mean(np.array(quad, np.float32), axis=0)
    sides = [math.dist(quad[i], quad[(i + 1) % 4]) for i in range(4)]
    short = min(sides)
    width = rng.uniform(0.24, 0.34) * short
    length = width * rng.uniform(2.0, 2.6)
    corners = list(range(4))
    rng.shuffle(corners)
    blocked = _mask_of(keep_clear, fw, fh) if keep_clear is not None else None
    chosen = None
    for scale in (1.0, 0.8, 0.65):
        for index in corners:
            mask = _thumb_mask(quad[index], centre, width * scale, length * scale, fw, fh)
            if blocked is None or not np.any((mask > 0.05) & blocked):
                chosen = mask
                break
        if chosen is not None:
            break
    if chosen is None:
        return frame
    focus = rng.uniform(2.0, 5.0) * fw / 1280
    soft = cv2.GaussianBlur(chosen, (0, 0), focus)
    shadow = np.roll(cv2.GaussianBlur(chosen, (0, 0), focus * 3), (int(width * 0.12),) * 2, (0, 1))
    out = frame * (1 - 0.45 * np.clip(shadow, 0, 1))[..., None]
    skin = np.array(rng.choice(_SKIN), np.float32)
    # Rounded shading: the middle of the thumb lit, its sides darker.
    shading = 0.7 + 0.35 * np.sqrt(np.clip(chosen, 0, 1))
    colour = skin[None, None, :] * shading[..., None]
    return np.asarray(out * (1 - soft[..., None]) + colour * soft[..., None], dtype=np.float32)


def _thumb_mask(
    corner: tuple[float, float],
    centre: npt.NDArray[np.float32],
    width: float,
    length: float,
    fw: int,
    fh: int,
) -> npt.NDArray[np.float32]:
    """A filled ellipse from outside the corner reaching in towards the document's centre; the
    value rises from 0 at its edge to 1 on its axis (used for the rounded shading)."""
    dx, dy = float(centre[0] - corner[0]), float(centre[1] - corner[1])
    norm = math.hypot(dx, dy) or 1.0
    dx, dy = dx / norm, dy / norm
    cx, cy = corner[0] + dx * length * 0.2, corner[1] + dy * length * 0.2
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    along = (xx - cx) * dx + (yy - cy) * dy
    across = -(xx - cx) * dy + (yy - cy) * dx
    r2 = (along / (length / 2)) ** 2 + (across / (width / 2)) ** 2
    return np.asarray(np.clip(1.0 - r2, 0.0, 1.0), dtype=np.float32)


def _mask_of(quad: Quad, fw: int, fh: int) -> npt.NDArray[np.bool_]:
    mask = np.zeros((fh, fw), np.uint8)
    points = np.array([[round(x), round(y)] for x, y in quad], np.int32)
    cv2.fillConvexPoly(mask, points, (1,))
    # A margin around the zone: a thumb's blurred edge still hides what it touches.
    grown = np.asarray(cv2.dilate(mask, np.ones((15, 15), np.uint8)))
    return grown.astype(bool)
