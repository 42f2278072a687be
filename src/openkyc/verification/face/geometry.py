"""Axis-aligned face boxes in pixel coordinates of the image they were found in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2.0

    @property
    def cy(self) -> float:
        return self.y + self.h / 2.0

    @property
    def area(self) -> float:
        return max(self.w, 0.0) * max(self.h, 0.0)

    def iou(self, other: Box) -> float:
        left = max(self.x, other.x)
        top = max(self.y, other.y)
        right = min(self.x + self.w, other.x + other.w)
        bottom = min(self.y + self.h, other.y + other.h)
        inter = max(0.0, right - left) * max(0.0, bottom - top)
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0

    def scaled(self, factor: float) -> Box:
        """The same box in an image resized by ``factor``."""
        return Box(self.x * factor, self.y * factor, self.w * factor, self.h * factor)

    def shifted(self, dx: float, dy: float) -> Box:
        return Box(self.x + dx, self.y + dy, self.w, self.h)

    def grown(self, margin: float) -> Box:
        """The box enlarged by ``margin`` times its size on every side."""
        return Box(
            self.x - margin * self.w,
            self.y - margin * self.h,
            self.w * (1 + 2 * margin),
            self.h * (1 + 2 * margin),
        )

    def as_tuple(self) -> tuple[int, int, int, int]:
        return (round(self.x), round(self.y), round(self.w), round(self.h))
