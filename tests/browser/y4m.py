"""A minimal YUV4MPEG2 writer: the format Chromium's fake camera plays in a loop."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

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
            out.write(y.tobytes())
            out.write(cb.resize(half, Image.Resampling.BILINEAR).tobytes())
            out.write(cr.resize(half, Image.Resampling.BILINEAR).tobytes())
    return path
