"""Smooth a JPEG-blocky document portrait before it is compared.

A document photographed with a noisy sensor and saved at a low JPEG quality carries 8x8 block
edges and ringing across the printed face. dlib's descriptor reads them as detail: the noisy
prints were the main genuine misses left after sharpness matching, and the sharpness measure
counts the block edges as sharpness, so the selfie was not blurred to match. A Gaussian over
the portrait's aligned chip (sigma SMOOTH_SIGMA) removes the blocks, and the selfie chips are
then blurred to the smoothed chip's sharpness as usual (sharpness.py).

Only a blocky portrait is smoothed (smoothing every chip was measured before: blurred prints got
worse). Blockiness is read in the document image itself, where the JPEG grid still lies on
multiples of 8 pixels: the mean grey step across block boundaries over the mean step elsewhere,
~1.0-1.6 on clean, blurred, dark, glared, small, rotated and perspective documents and 1.7-2.8
on the ``noise_jpeg`` ones (quality 25-45, noise 6-12) of eval/face.py seeds 11, 23, 37, 41. A
document the decoder had to shrink (over ``images._MAX_SIDE``) has lost its grid and reads ~1.0:
it is not smoothed (seed 23's ``ns01_0``). On the gated noisy documents of seeds 23, 37 and 41
(6 per seed), sigma 2.0 moved every genuine pair closer and the closest impostor away (0.389 ->
0.428, 0.393 -> 0.431, 0.370 -> 0.381); sigmas 1.2 and 1.6 helped less, and degrading the
selfie chips to the document's noise and JPEG quality instead brought impostors closer.
"""

from __future__ import annotations

import cv2
import numpy as np

from openkyc.verification.face.images import RGBImage
from openkyc.verification.face.mesh import FloatArray

# Blockiness from which a portrait is smoothed (see above: 1.62 was the highest without JPEG
# damage, 1.70 the lowest with it, on the native-size noise_jpeg documents).
BLOCKY = 1.65
SMOOTH_SIGMA = 2.0

_BLOCK = 8
# The measured region: a square around the face of this many eye distances each side of the
# centre of the five alignment points.
_REGION_EYES = 1.6
_MIN_REGION_PX = 4 * _BLOCK


def blockiness(image: RGBImage, points: FloatArray) -> float:
    """Grey step across the 8-pixel JPEG grid over the step elsewhere, around the face given by
    the five alignment points (document pixels, see embed.MESH_FIVE_POINTS); 1.0 when unknown."""
    xy = np.asarray(points, dtype=np.float64)[:, :2]
    centre = xy.mean(axis=0)
    radius = _REGION_EYES * float(np.linalg.norm(xy[0] - xy[2]))
    height, width = image.shape[:2]
    x0, y0 = max(0, int(centre[0] - radius)), max(0, int(centre[1] - radius))
    x1, y1 = min(width, int(centre[0] + radius)), min(height, int(centre[1] + radius))
    if x1 - x0 < _MIN_REGION_PX or y1 - y0 < _MIN_REGION_PX:
        return 1.0
    grey = cv2.cvtColor(np.ascontiguousarray(image[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    grey = grey.astype(np.float32)
    # step[i] lies between pixel i and i + 1 of the region; a block edge sits after every
    # image pixel whose index is 7 mod 8.
    across = np.abs(np.diff(grey, axis=1)).mean(axis=0)
    down = np.abs(np.diff(grey, axis=0)).mean(axis=1)
    on_x = (np.arange(across.size) + x0) % _BLOCK == _BLOCK - 1
    on_y = (np.arange(down.size) + y0) % _BLOCK == _BLOCK - 1
    edges = float(across[on_x].mean() + down[on_y].mean())
    inside = float(across[~on_x].mean() + down[~on_y].mean())
    return edges / inside if inside > 1e-6 else 1.0


def deblocked(chip: RGBImage, block_ratio: float) -> RGBImage:
    """The aligned portrait chip, smoothed when the document is blocky."""
    if block_ratio < BLOCKY:
        return chip
    return np.ascontiguousarray(cv2.GaussianBlur(chip, (0, 0), SMOOTH_SIGMA))
