"""A minimal YUV4MPEG2 writer: the format Chromium's fake camera plays in a loop.

Chromium reads a y4m file as limited-range ("studio swing") BT.601 video: Y' from 16 (black)
to 235 (white), Cb/Cr from 16 to 240. Written full range (Pillow's JPEG Y'CbCr), every pixel
is stretched on the way in: a clean document photo arrived with 42% of its pixels at 250 or
above, which the real pipeline rightly calls glare. So the planes are scaled to the limited
range here."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image


def to_frame(jpeg: bytes, size: tuple[int, int]) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg)).convert("RGB")
    canvas = Image.new("RGB", size, (40, 40, 40))
    image.thumbnail(size)
    canvas.paste(image, ((size[0] - image.width) // 2, (size[1] - image.height) // 2))
    return canvas


def write_y4m(path: Path, frames: Iterable[Image.Image], fps: int = 15) -> Path:
    """Write RGB frames (all the same even size) as 4:2:0 Y'CbCr."""
    frames = list(frames)
    width, height = frames[0].size
    if width % 2 or height % 2:
        raise ValueError("y4m 4:2:0 needs even dimensions")
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            y, cb, cr = frame.convert("YCbCr").split()
            half = (width // 2, height // 2)
            out.write(b"FRAME\n")
            out.write(limited_range(y, luma=True).tobytes())
            for chroma in (cb, cr):
                small = chroma.resize(half, Image.Resampling.BILINEAR)
                out.write(limited_range(small, luma=False).tobytes())
    return path


def limited_range(plane: Image.Image, *, luma: bool) -> np.ndarray:
    """A full-range (0-255) plane scaled to BT.601 limited range: luma 16-235, chroma 16-240
    around 128."""
    values = np.asarray(plane, dtype=np.float32)
    scaled = 16 + values * 219 / 255 if luma else 128 + (values - 128) * 224 / 255
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
