"""The slot for an operator-installed presentation-attack detection (PAD) model.

No PAD model ships in any package (see ml-components.md), so OpenKYC ships none; an operator
who has one (for example a MiniFASNet exported to ONNX, with a licence that allows their use)
configures its path and preprocessing, and its live probability then multiplies into the
liveness score. Nothing is downloaded: the file must already be on disk.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import RGBImage
from openkyc.verification.types import ModelInfo


class PresentationAttackModel(Protocol):
    info: ModelInfo

    def live_probability(self, image: RGBImage, face: Box) -> float: ...


@dataclass(frozen=True, slots=True)
class PadModelConfig:
    """How to feed the model: a square crop ``crop_scale`` times the face box, resized to
    ``input_size``, scaled to [0, 1] then ``(x - mean) / std``, NCHW; ``live_index`` is the
    output class that means "live" (softmax is applied when the outputs do not sum to 1)."""

    path: Path
    input_size: int = 80
    crop_scale: float = 2.7
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    bgr: bool = False
    live_index: int = 1
    input_range_255: bool = False  # True: keep 0..255 instead of 0..1 before mean/std


class OnnxPadModel:
    def __init__(self, config: PadModelConfig) -> None:
        import onnxruntime

        if not config.path.is_file():
            raise FileNotFoundError(f"PAD model not found: {config.path}")
        self._config = config
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(config.path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name
        self._lock = threading.Lock()
        self.info = ModelInfo(
            name=f"onnx-pad:{config.path.name}", version=str(onnxruntime.__version__)
        )

    def _tensor(self, image: RGBImage, face: Box) -> npt.NDArray[np.float32]:
        config = self._config
        side = max(face.w, face.h) * config.crop_scale
        scale = config.input_size / side
        matrix = np.array(
            [
                [scale, 0.0, config.input_size / 2.0 - scale * face.cx],
                [0.0, scale, config.input_size / 2.0 - scale * face.cy],
            ]
        )
        crop = cv2.warpAffine(
            image, matrix, (config.input_size, config.input_size), borderMode=cv2.BORDER_CONSTANT
        ).astype(np.float32)
        if config.bgr:
            crop = crop[..., ::-1]
        if not config.input_range_255:
            crop /= 255.0
        crop = (crop - np.array(config.mean, np.float32)) / np.array(config.std, np.float32)
        return np.ascontiguousarray(crop.transpose(2, 0, 1)[None], dtype=np.float32)

    def live_probability(self, image: RGBImage, face: Box) -> float:
        tensor = self._tensor(image, face)
        with self._lock:
            outputs = self._session.run(None, {self._input: tensor})
        logits = np.asarray(outputs[0], dtype=np.float64).reshape(-1)
        if logits.size == 1:
            value = float(logits[0])
            return value if 0.0 <= value <= 1.0 else float(1.0 / (1.0 + np.exp(-value)))
        if not (np.all(logits >= 0) and abs(float(logits.sum()) - 1.0) < 1e-3):
            shifted = np.exp(logits - logits.max())
            logits = shifted / shifted.sum()
        return float(logits[self._config.live_index])
