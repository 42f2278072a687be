"""Undoing camera shake and focus blur around the zone: second readings for blurred photos.

A hand-held phone smears the page along a straight line. Such a blur multiplies the spectrum by
a sinc whose zeros repeat every ``1/length`` across the motion, which shows as a deep negative
peak at distance ``length`` along the motion direction in the cepstrum of the image
(``ifft(log |fft|)``). With the line's length and direction known, Wiener deconvolution restores
legible characters: on 5-9 px shakes, zone rows the recogniser scored 0.5-0.8 came back at
0.97-1.0. It is only tried after the plain reading failed, and what it yields goes through the
same check digits and independent re-readings as any other reading.

A lens out of focus smears the page by a Gaussian instead, whose spectrum has no zeros to
measure; its width is chosen by the recogniser (``focus_sigmas``: the reader keeps the
deconvolution it reads most surely).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from .locate import ZoneCandidate

BGRImage = npt.NDArray[np.uint8]
GreyImage = npt.NDArray[np.uint8]
FloatImage = npt.NDArray[np.float64]
TransferOf = Callable[[tuple[int, ...]], npt.NDArray[np.complex128]]

# Shake lengths searched, in source pixels: below 3 there is nothing to undo; 24 is far beyond
# what leaves a zone legible at all.
_MIN_LENGTH, _MAX_LENGTH = 3, 24
_ANGLE_STEP = 3
# Noise-to-signal ratio of the Wiener filter: lower restores more and rings more.
NSR = 0.01
FRAME_NSR = 0.003
# Focus blurs tried (pixels at a character pitch of _FOCUS_PITCH or less; see focus_sigmas).
FOCUS_SIGMAS = (1.2, 1.6, 2.0)
_FOCUS_PITCH = 16.0
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


def _deconvolve(grey: GreyImage, transfer_of: TransferOf, pad: int, nsr: float) -> GreyImage:
    """Wiener deconvolution of ``grey`` by the blur whose transfer function ``transfer_of``
    gives for a padded shape (edges replicated, so the frame border does not ring)."""
    height, width = grey.shape
    padded = cv2.copyMakeBorder(
        grey.astype(np.float64) / 255.0, pad, pad, pad, pad, cv2.BORDER_REPLICATE
    )
    padded = _optimal_pad(np.asarray(padded, dtype=np.float64))
    transfer = transfer_of(padded.shape)
    restored = np.fft.irfft2(
        np.conj(transfer) / (np.abs(transfer) ** 2 + nsr) * np.fft.rfft2(padded), s=padded.shape
    )
    out = restored[pad : pad + height, pad : pad + width]
    return np.asarray(np.clip(out * 255.0, 0, 255), dtype=np.uint8)


def wiener(grey: GreyImage, shake: Shake, nsr: float = NSR) -> GreyImage:
    """``grey`` deconvolved by the straight-line blur ``shake``."""
    kernel = line_psf(shake.length, shake.angle)

    def transfer_of(shape: tuple[int, ...]) -> npt.NDArray[np.complex128]:
        full = np.zeros(shape, np.float64)
        k = kernel.shape[0]
        full[:k, :k] = kernel
        full = np.roll(full, (-(k // 2), -(k // 2)), axis=(0, 1))
        return np.asarray(np.fft.rfft2(full), dtype=np.complex128)

    return _deconvolve(grey, transfer_of, 2 * shake.length, nsr)


def refocus(grey: GreyImage, sigma: float, nsr: float = NSR) -> GreyImage:
    """``grey`` deconvolved by a Gaussian blur of ``sigma`` pixels (a lens out of focus)."""

    def transfer_of(shape: tuple[int, ...]) -> npt.NDArray[np.complex128]:
        fy = np.fft.fftfreq(shape[0])[:, None]
        fx = np.fft.rfftfreq(shape[1])[None, :]
        gain = np.exp(-2 * math.pi**2 * sigma**2 * (fx**2 + fy**2))
        return np.asarray(gain, dtype=np.complex128)

    return _deconvolve(grey, transfer_of, math.ceil(4 * sigma), nsr)


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


def _zone_region(image: BGRImage, zone: ZoneCandidate) -> tuple[GreyImage, tuple[int, int]] | None:
    """The grey region around ``zone`` that is deconvolved, with its top-left corner, or None
    when it is too small to tell anything from."""
    x0, y0, x1, y1 = _zone_box(image.shape, zone)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    grey = np.asarray(cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    return grey, (x0, y0)


def _pasted(image: BGRImage, restored: GreyImage, corner: tuple[int, int]) -> BGRImage:
    x0, y0 = corner
    out = image.copy()
    out[y0 : y0 + restored.shape[0], x0 : x0 + restored.shape[1]] = cv2.cvtColor(
        restored, cv2.COLOR_GRAY2BGR
    )
    return out


def zone_shake(image: BGRImage, zone: ZoneCandidate) -> Shake | None:
    """The shake the cepstrum around ``zone`` shows, or None when the region is too small to
    tell: most readings only ask whether it is evident, and undoing it costs as much again."""
    region = _zone_region(image, zone)
    return None if region is None else estimate_shake(region[0])


def deblurred_zone(
    image: BGRImage, zone: ZoneCandidate, shake: Shake | None = None
) -> tuple[BGRImage, Shake] | None:
    """A copy of ``image`` in which the region around ``zone`` is deconvolved by the shake its
    cepstrum shows (``shake``, when :func:`zone_shake` measured it already; grey, as three
    channels), or None when the region is too small to tell."""
    region = _zone_region(image, zone)
    if region is None:
        return None
    shake = shake if shake is not None else estimate_shake(region[0])
    if shake is None:
        return None
    return _pasted(image, wiener(region[0], shake), region[1]), shake


def unshaken_frame(image: BGRImage) -> BGRImage | None:
    """The whole photo deconvolved by the shake its cepstrum shows (grey, as three channels),
    or None when it shows none (``Shake.evident``): the last try on a shaken photo that gave
    no reading at all, where a smeared zone was not located or not read (hard seed 7: 9-14 px
    shakes of internal passports, whose zone is 9 px a character). Restored more strongly
    (``FRAME_NSR``) than a zone: on the 26 shaken photos of seed 7 that every other reading
    had refused, 11 read at 0.003, 6 at 0.01, 3 at 0.03."""
    grey = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    shake = estimate_shake(grey)
    if shake is None or not shake.evident:
        return None
    return np.asarray(cv2.cvtColor(wiener(grey, shake, FRAME_NSR), cv2.COLOR_GRAY2BGR), np.uint8)


def focus_sigmas(zone: ZoneCandidate, characters: int) -> tuple[float, ...]:
    """Gaussian blurs (pixels) worth undoing around a zone whose rows hold ``characters``.

    The rendered photos' zones have a character pitch of 10-16 px and their focus blur a sigma
    of 1.2-2.2 px (``blur``) or 0.6-1.4 px plus JPEG (``mixed``); a larger photo of the same
    page is blurred by as many more pixels, so the sigmas grow with a pitch above 16 px.
    """
    pitch = zone.size[0] / max(1, characters)
    scale = max(1.0, pitch / _FOCUS_PITCH)
    return tuple(round(sigma * scale, 2) for sigma in FOCUS_SIGMAS)


def refocused_zone(image: BGRImage, zone: ZoneCandidate, sigma: float) -> BGRImage | None:
    """A copy of ``image`` in which the region around ``zone`` is deconvolved by a Gaussian
    blur of ``sigma`` pixels, or None when the region is too small to tell."""
    region = _zone_region(image, zone)
    if region is None:
        return None
    return _pasted(image, refocus(region[0], sigma), region[1])
