"""Turning flat document artwork into a phone photo of it lying on a table."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt

from .scene import BUSY_BACKGROUNDS, bend_page, busy_background, thumb

RGBImage = npt.NDArray[np.uint8]
Quad = tuple[tuple[float, float], ...]

BACKGROUNDS = ("wood", "dark", "cloth", "light", "desk")


@dataclass(frozen=True, slots=True)
class Distortion:
    """How the document was photographed. ``name`` groups results in evaluations."""

    name: str = "clean"
    rotation_deg: float = 0.0
    perspective: float = 0.0  # corner jitter as a share of the document size
    fill: float = 0.75  # longer document side as a share of the matching frame side
    offset: tuple[float, float] = (0.0, 0.0)  # centre shift as a share of the frame
    blur_sigma: float = 0.0
    motion_blur: int = 0  # kernel length in pixels
    noise: float = 0.0  # Gaussian noise sigma in grey levels
    jpeg_quality: int = 92
    brightness: float = 1.0
    uneven_light: float = 0.0  # 0..1 depth of a linear light falloff
    glare: float = 0.0  # 0..1 strength of a specular highlight
    glare_on_mrz: bool = False
    background: str = "wood"
    frame: tuple[int, int] = (1280, 960)  # width, height
    thumb: bool = False  # a thumb over one corner (kept off the zone where a corner allows)
    bend: float = 0.0  # bulge of a page that does not lie flat, as a share of its height

    @property
    def degraded(self) -> bool:
        return self.name != "clean"


def _preset(name: str, rng: random.Random, frame: tuple[int, int]) -> Distortion:
    base = {
        "name": name,
        "rotation_deg": rng.uniform(-4, 4),
        "perspective": rng.uniform(0.0, 0.03),
        "fill": rng.uniform(0.7, 0.88),
        "offset": (rng.uniform(-0.04, 0.04), rng.uniform(-0.04, 0.04)),
        "jpeg_quality": rng.randint(80, 95),
        "brightness": rng.uniform(0.9, 1.05),
        "background": rng.choice(BACKGROUNDS),
        "frame": frame,
        "noise": rng.uniform(0, 3),
    }
    if name == "rotated":
        base["rotation_deg"] = rng.choice((-1, 1)) * rng.uniform(8, 35)
    elif name == "rotated_90":
        base["rotation_deg"] = rng.choice((90.0, -90.0)) + rng.uniform(-5, 5)
    elif name == "upside_down":
        base["rotation_deg"] = 180 + rng.uniform(-8, 8)
    elif name == "perspective":
        base["perspective"] = rng.uniform(0.05, 0.09)
    elif name == "blur":
        base["blur_sigma"] = rng.uniform(1.2, 2.2)
    elif name == "motion_blur":
        base["motion_blur"] = rng.randint(5, 9)
    elif name == "noise_jpeg":
        base["noise"] = rng.uniform(6, 12)
        base["jpeg_quality"] = rng.randint(25, 45)
    elif name == "dark":
        base["brightness"] = rng.uniform(0.4, 0.55)
        base["noise"] = rng.uniform(3, 6)
    elif name == "uneven_light":
        base["uneven_light"] = rng.uniform(0.4, 0.65)
    elif name == "glare":
        base["glare"] = rng.uniform(0.3, 0.6)
    elif name == "small":
        base["fill"] = rng.uniform(0.5, 0.6)
    elif name == "mixed":
        base.update(
            rotation_deg=rng.uniform(0, 360),
            perspective=rng.uniform(0.02, 0.06),
            blur_sigma=rng.uniform(0.6, 1.4),
            noise=rng.uniform(3, 8),
            jpeg_quality=rng.randint(45, 75),
            uneven_light=rng.uniform(0.1, 0.4),
        )
    elif name != "clean":
        raise ValueError(f"unknown distortion {name!r}")
    return Distortion(**base)  # type: ignore[arg-type]


# The harder conditions (issue 26): a phone held upright over a card (the card turned 90 or
# 270 degrees, filling the portrait frame), any angle, a card filling the frame or far away,
# underexposure, strong JPEG, strong motion blur, strong glare off the zone, a thumb, a bent
# page, a busy background, strong perspective. "clean", "dark", "motion_blur", "glare" and
# "perspective" keep their classic meaning. Each draws its own strength from the rng.
HARD_CONDITION_NAMES = (
    "clean", "upright_90", "upright_270", "any_angle", "fills_frame", "far_small", "dark",
    "underexposed", "jpeg_low", "motion_blur", "motion_strong", "glare_strong", "thumb",
    "bent", "busy_background", "perspective_strong",
)  # fmt: skip
_PORTRAIT_FRAMES = ((960, 1280), (1200, 1600), (720, 1280), (1080, 1440))
_LANDSCAPE_FRAMES = ((1280, 960), (1600, 1200), (1280, 720), (1440, 1080))


def hard_distortion(name: str, rng: random.Random, *, kind: str = "") -> Distortion:
    """A distortion of one of :data:`HARD_CONDITION_NAMES`. A quarter of the photos, whatever
    their condition, lie on a busy background; the frame's orientation follows how a phone is
    held for the document."""
    if name in ("clean", "dark", "motion_blur", "glare", "perspective"):
        return random_distortion(name, rng, kind=kind)
    tall = kind == "ru_internal_passport"
    turned = name in ("upright_90", "upright_270")
    # The frame's long side follows the document's long side as it lies in the photo.
    portrait = tall != turned
    if tall:
        frame = rng.choice(
            ((1200, 1600), (1440, 1920)) if portrait else ((1600, 1200), (1920, 1440))
        )
    else:
        frame = rng.choice(_PORTRAIT_FRAMES if portrait else _LANDSCAPE_FRAMES)
    base = _preset("clean", rng, frame)
    background = base.background
    if rng.random() < 0.25 or name == "busy_background":
        background = rng.choice(BUSY_BACKGROUNDS)
    changes: dict[str, object] = {"name": name, "background": background}
    if turned:
        sign = 1.0 if name == "upright_90" else -1.0
        changes.update(rotation_deg=sign * 90 + rng.uniform(-6, 6), fill=rng.uniform(0.8, 0.96))
    elif name == "any_angle":
        changes.update(rotation_deg=rng.uniform(0, 360), fill=rng.uniform(0.6, 0.85))
    elif name == "fills_frame":
        changes.update(fill=rng.uniform(0.93, 0.99), offset=(0.0, 0.0))
    elif name == "far_small":
        changes.update(fill=rng.uniform(0.3, 0.45), offset=(rng.uniform(-0.2, 0.2), rng.uniform(-0.2, 0.2)))  # fmt: skip
    elif name == "underexposed":
        changes.update(brightness=rng.uniform(0.22, 0.38), noise=rng.uniform(4, 9),
                       blur_sigma=rng.uniform(0.4, 1.0), jpeg_quality=rng.randint(60, 85))  # fmt: skip
    elif name == "jpeg_low":
        changes.update(jpeg_quality=rng.randint(15, 54), noise=rng.uniform(1, 5))
    elif name == "motion_strong":
        changes["motion_blur"] = rng.randint(9, 14)
    elif name == "glare_strong":
        changes["glare"] = rng.uniform(0.6, 1.0)
    elif name == "thumb":
        changes["thumb"] = True
    elif name == "bent":
        changes["bend"] = rng.uniform(0.015, 0.045)
    elif name == "perspective_strong":
        changes["perspective"] = rng.uniform(0.08, 0.13)
    elif name != "busy_background":
        raise ValueError(f"unknown hard condition {name!r}")
    return replace(base, **changes)  # type: ignore[arg-type]


DISTORTION_NAMES = (
    "clean", "rotated", "rotated_90", "upside_down", "perspective", "blur", "motion_blur",
    "noise_jpeg", "dark", "uneven_light", "glare", "small", "mixed",
)  # fmt: skip


def random_distortion(name: str, rng: random.Random, *, kind: str = "") -> Distortion:
    """A distortion of the named family with randomised strength; frames suit the kind."""
    if kind == "ru_internal_passport":
        # A spread is tall and its zone small: phones shoot it in portrait at higher resolution.
        frame = rng.choice(((1200, 1600), (1536, 2048), (1440, 1920)))
    else:
        frame = rng.choice(((1280, 960), (1600, 1200), (1280, 720), (960, 1280)))
    return _preset(name, rng, frame)


def _background(
    width: int, height: int, kind: str, rng: np.random.Generator
) -> npt.NDArray[np.float32]:
    if kind in BUSY_BACKGROUNDS:
        return busy_background(kind, width, height, rng)
    low = cv2.resize(rng.random((max(2, height // 64), max(2, width // 64))).astype(np.float32),
                     (width, height), interpolation=cv2.INTER_CUBIC)  # fmt: skip
    fine = rng.normal(0, 1, (height, width)).astype(np.float32)
    if kind == "wood":
        base = np.array([150, 105, 70], np.float32)
        grain = np.sin(np.linspace(0, rng.uniform(30, 80), height)[:, None] + low * 6) * 18
        tex = grain + cv2.GaussianBlur(fine, (0, 0), 1.5) * 6
    elif kind == "dark":
        base = np.array([45, 45, 52], np.float32)
        tex = low * 25 + fine * 4
    elif kind == "cloth":
        base = np.array([70, 95, 130], np.float32)
        weave = np.sin(np.arange(width)[None, :] * 1.3) * np.sin(np.arange(height)[:, None] * 1.3)
        tex = weave.astype(np.float32) * 10 + low * 20
    elif kind == "light":
        base = np.array([205, 205, 200], np.float32)
        tex = low * 25 + fine * 3
    else:
        base = np.array([120, 120, 115], np.float32)
        tex = low * 40 + cv2.GaussianBlur(fine, (0, 0), 2) * 8
    tint = rng.uniform(0.85, 1.15, 3).astype(np.float32)
    return np.asarray(
        np.clip(base[None, None, :] * tint + tex[..., None], 0, 255), dtype=np.float32
    )


def document_quad(flat_size: tuple[int, int], distortion: Distortion, rng: random.Random) -> Quad:
    """Where the four document corners (TL, TR, BR, BL) land in the frame."""
    w, h = flat_size
    fw, fh = distortion.frame
    theta = math.radians(distortion.rotation_deg)
    cos, sin = abs(math.cos(theta)), abs(math.sin(theta))
    rotated_w, rotated_h = w * cos + h * sin, w * sin + h * cos
    scale = distortion.fill * min(fw / rotated_w, fh / rotated_h)
    cx = fw / 2 + distortion.offset[0] * fw
    cy = fh / 2 + distortion.offset[1] * fh
    corners = []
    for x, y in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        jx = rng.uniform(-1, 1) * distortion.perspective * w
        jy = rng.uniform(-1, 1) * distortion.perspective * h
        px, py = (x + jx) * scale, (y + jy) * scale
        c, s = math.cos(theta), math.sin(theta)
        corners.append((cx + px * c - py * s, cy + px * s + py * c))
    return tuple(corners)


def photograph(
    flat: RGBImage,
    distortion: Distortion,
    rng: random.Random,
    *,
    glare_centre: tuple[float, float] | None = None,
    zone_box: tuple[int, int, int, int] | None = None,
) -> tuple[RGBImage, npt.NDArray[np.float64], Quad]:
    """The photo (RGB) plus the flat-to-photo homography and the document quad. ``zone_box``
    (flat pixels) is where the machine-readable zone is, for a thumb to keep off it."""
    nprng = np.random.default_rng(rng.randrange(2**32))
    fw, fh = distortion.frame
    h, w = flat.shape[:2]
    quad = document_quad((w, h), distortion, rng)
    src = np.array([(0, 0), (w, 0), (w, h), (0, h)], np.float32)
    matrix = cv2.getPerspectiveTransform(src, np.array(quad, np.float32))
    frame = _background(fw, fh, distortion.background, nprng)
    mask = np.asarray(
        cv2.warpPerspective(np.ones((h, w), np.float32), matrix, (fw, fh), flags=cv2.INTER_LINEAR),
        dtype=np.float32,
    )
    # A soft contact shadow makes the document edge look photographed rather than pasted.
    shadow = cv2.GaussianBlur(mask, (0, 0), max(2.0, fw / 300))
    shadow = np.roll(shadow, (int(fh / 200) + 1, int(fw / 300) + 1), axis=(0, 1))
    frame *= (1 - 0.35 * shadow)[..., None]
    doc = np.asarray(
        cv2.warpPerspective(flat.astype(np.float32), matrix, (fw, fh), flags=cv2.INTER_AREA),
        dtype=np.float32,
    )
    frame = np.asarray(frame * (1 - mask[..., None]) + doc * mask[..., None], dtype=np.float32)
    if distortion.bend > 0:
        frame = bend_page(frame, matrix.astype(np.float64), (w, h), distortion.bend)
    if distortion.thumb:
        clear = map_box(matrix.astype(np.float64), zone_box) if zone_box is not None else None
        frame = thumb(frame, quad, rng, clear)

    light = np.full((fh, fw), distortion.brightness, np.float32)
    if distortion.uneven_light > 0:
        angle = rng.uniform(0, 2 * math.pi)
        yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
        ramp = (xx * math.cos(angle) + yy * math.sin(angle)) / math.hypot(fw, fh)
        ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
        light *= 1 - distortion.uneven_light * ramp
    frame *= light[..., None]
    if distortion.glare > 0:
        if glare_centre is None or not distortion.glare_on_mrz:
            qx = sum(p[0] for p in quad) / 4 + rng.uniform(-0.25, 0.25) * fw * distortion.fill
            qy = sum(p[1] for p in quad) / 4 + rng.uniform(-0.25, 0.25) * fh * distortion.fill
        else:
            qx, qy = glare_centre
        yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
        radius = rng.uniform(0.05, 0.1) * max(fw, fh)
        blob = np.exp(
            -(((xx - qx) ** 2) + ((yy - qy) / rng.uniform(0.5, 1.0)) ** 2) / (2 * radius**2)
        )
        frame += (blob * distortion.glare * 400)[..., None]
    frame = np.asarray(np.clip(frame, 0, 255), dtype=np.float32)
    if distortion.blur_sigma > 0:
        frame = np.asarray(cv2.GaussianBlur(frame, (0, 0), distortion.blur_sigma), dtype=np.float32)
    if distortion.motion_blur > 1:
        kernel = np.zeros((distortion.motion_blur, distortion.motion_blur), np.float32)
        kernel[distortion.motion_blur // 2, :] = 1.0 / distortion.motion_blur
        centre = (distortion.motion_blur / 2 - 0.5, distortion.motion_blur / 2 - 0.5)
        rot = cv2.getRotationMatrix2D(centre, rng.uniform(0, 180), 1.0)
        kernel = np.asarray(cv2.warpAffine(kernel, rot, kernel.shape[::-1]), dtype=np.float32)
        kernel /= max(1e-6, float(kernel.sum()))
        frame = np.asarray(cv2.filter2D(frame, -1, kernel), dtype=np.float32)
    if distortion.noise > 0:
        frame = frame + nprng.normal(0, distortion.noise, frame.shape).astype(np.float32)
    return np.clip(frame, 0, 255).astype(np.uint8), matrix.astype(np.float64), quad


def encode_jpeg(rgb: RGBImage, quality: int) -> bytes:
    ok, data = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return bytes(data.tobytes())


def map_box(matrix: npt.NDArray[np.float64], box: tuple[int, int, int, int]) -> Quad:
    """A flat-document box mapped into the photo, as its four corners."""
    x, y, w, h = box
    points = np.array([[(x, y), (x + w, y), (x + w, y + h), (x, y + h)]], np.float64)
    mapped = cv2.perspectiveTransform(points, matrix)[0]
    return tuple((float(px), float(py)) for px, py in mapped)
