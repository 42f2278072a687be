"""Undoing camera shake around the zone: a second reading for motion-blurred photos.

A hand-held phone smears the page along a straight line. Such a blur multiplies the spectrum by
a sinc whose zeros repeat every ``1/length`` across the motion, which shows as a deep negative
peak at distance ``length`` along the motion direction in the cepstrum of the image
(``ifft(log |fft|)``). With the line's length and direction known, Wiener deconvolution restores
legible characters: on 5-9 px shakes, zone rows the recogniser scored 0.5-0.8 came back at
0.97-1.0. It is only tried after the plain reading failed, and what it yields goes through the
same check digits and independent re-readings as any other reading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from .locate import ZoneCandidate

BGRImage = npt.NDArray[np.uint8]
GreyImage = npt.NDArray[np.uint8]
FloatImage = npt.NDArray[np.float64]

# Shake lengths searched, in source pixels: below 3 there is nothing to undo; 24 is far beyond
# what leaves a zone legible at all.
_MIN_LENGTH, _MAX_LENGTH = 3, 24
_ANGLE_STEP = 3
# Noise-to-signal ratio of the Wiener filter: lower restores more and rings more.
NSR = 0.01
# Margins around the zone (zone heights) deconvolved with it: enough for every re-reading crop.
_MARGIN_ACROSS = 1.2
_MARGIN_ALONG = 0.1


# The cepstrum always has a most negative point, shaken or not. Measured on rendered photos (14
# of each family, seed 77): motion-blurred zones gave the true length (5-9 px) at depths -0.040
# to -0.097; sharp, noisy, perspective and Gaussian-blurred ones mostly the shortest length
# searched (3-4 px), at -0.017 to -0.067. Deconvolving a sharp zone by such a phantom shake
# rings, and a clean visa's G came back as a 6 (held-out seed 131 #111).
SHAKE_MIN_LENGTH = 5
SHAKE_MAX_DEPTH = -0.04


@dataclass(frozen=True, slots=True)
class Shake:
    length: int  # pixels
    angle: float  # degrees, direction of the motion in image coordinates (0 = along x)
    depth: float  # how negative the cepstral peak is (more negative = clearer evidence)

    @property
    def evident(self) -> bool:
        """Whether the cepstrum shows a real shake rather than its noise floor."""
        return self.length >= SHAKE_MIN_LENGTH and self.depth <= SHAKE_MAX_DEPTH


def _optimal_pad(grey: FloatImage) -> FloatImage:
    height, width = grey.shape
    return np.asarray(
        cv2.copyMakeBorder(
            grey,
            0,
            cv2.getOptimalDFTSize(height) - height,
            0,
            cv2.getOptimalDFTSize(width) - width,
            cv2.BORDER_REPLICATE,
        ),
        dtype=np.float64,
    )


def estimate_shake(grey: GreyImage) -> Shake | None:
    """The straight-line blur that best explains ``grey``'s cepstrum, or None if too small."""
    if min(grey.shape) < 4 * _MAX_LENGTH:
        return None
    patch = grey.astype(np.float64)
    patch -= patch.mean()
    height, width = patch.shape
    patch *= np.outer(np.hanning(height), np.hanning(width))
    spectrum = np.fft.rfft2(patch)
    cepstrum = np.fft.irfft2(np.log(np.abs(spectrum) + 1e-3), s=patch.shape)
    best: Shake | None = None
    for length in range(_MIN_LENGTH, _MAX_LENGTH + 1):
        for degrees in range(0, 180, _ANGLE_STEP):
            theta = math.radians(degrees)
            x = round(length * math.cos(theta)) % width
            y = round(length * math.sin(theta)) % height
            value = float(cepstrum[y, x])
            if best is None or value < best.depth:
                best = Shake(length, float(degrees), value)
    return best


def line_psf(length: int, angle: float) -> npt.NDArray[np.float32]:
    """A normalised straight-line point spread function, ``angle`` in image coordinates."""
    size = length + 4
    kernel = np.zeros((size, size), np.float32)
    kernel[size // 2, 2 : 2 + length] = 1.0
    centre = ((size - 1) / 2, (size - 1) / 2)
    rotation = cv2.getRotationMatrix2D(centre, -angle, 1.0)
    kernel = np.asarray(cv2.warpAffine(kernel, rotation, (size, size)), dtype=np.float32)
    return kernel / max(1e-6, float(kernel.sum()))


def wiener(grey: GreyImage, shake: Shake, nsr: float = NSR) -> GreyImage:
    """``grey`` deconvolved by the straight-line blur ``shake``."""
    pad = 2 * shake.length
    height, width = grey.shape
    padded = cv2.copyMakeBorder(
        grey.astype(np.float64) / 255.0, pad, pad, pad, pad, cv2.BORDER_REPLICATE
    )
    padded = _optimal_pad(np.asarray(padded, dtype=np.float64))
    kernel = line_psf(shake.length, shake.angle)
    full = np.zeros_like(padded)
    k = kernel.shape[0]
    full[:k, :k] = kernel
    full = np.roll(full, (-(k // 2), -(k // 2)), axis=(0, 1))
    transfer = np.fft.rfft2(full)
    restored = np.fft.irfft2(
        np.conj(transfer) / (np.abs(transfer) ** 2 + nsr) * np.fft.rfft2(padded), s=padded.shape
    )
    out = restored[pad : pad + height, pad : pad + width]
    return np.asarray(np.clip(out * 255.0, 0, 255), dtype=np.uint8)


def _zone_box(shape: tuple[int, ...], zone: ZoneCandidate) -> tuple[int, int, int, int]:
    """Axis-aligned box (x0, y0, x1, y1) around the zone with margins, clipped to the image."""
    w, h = zone.size
    grown = ZoneCandidate(
        zone.centre, (w * (1 + 2 * _MARGIN_ALONG), h * (1 + 2 * _MARGIN_ACROSS)), zone.angle, 0.0
    )
    corners = grown.corners()
    x0, y0 = np.floor(corners.min(axis=0)).astype(int)
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
    return max(0, x0), max(0, y0), min(shape[1], x1), min(shape[0], y1)


def deblurred_zone(image: BGRImage, zone: ZoneCandidate) -> tuple[BGRImage, Shake] | None:
    """A copy of ``image`` in which the region around ``zone`` is deconvolved by the shake its
    cepstrum shows (grey, as three channels), or None when the region is too small to tell."""
    x0, y0, x1, y1 = _zone_box(image.shape, zone)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    grey = np.asarray(cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    shake = estimate_shake(grey)
    if shake is None:
        return None
    restored = wiener(grey, shake)
    out = image.copy()
    out[y0:y1, x0:x1] = cv2.cvtColor(restored, cv2.COLOR_GRAY2BGR)
    return out, shake
