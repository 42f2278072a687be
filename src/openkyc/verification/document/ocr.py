"""RapidOCR (bundled PP-OCR det + rec ONNX models), built once per process.

The engine keeps call options as instance state (``use_det`` and friends are written back on
every call), so each configuration gets its own engine and calls are serialised by a lock:
one worker process runs one document at a time anyway.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import cache
from importlib import metadata

import numpy as np
import numpy.typing as npt

from openkyc.verification.types import ModelInfo

BGRImage = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class TextLine:
    text: str
    score: float
    # Corner points (4 x 2) in the coordinates of the image given to the engine.
    box: tuple[tuple[float, float], ...]

    @property
    def centre_y(self) -> float:
        return sum(p[1] for p in self.box) / len(self.box)

    @property
    def left_x(self) -> float:
        return min(p[0] for p in self.box)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


class MrzOcr:
    """Text detection + recognition with the options the MRZ needs.

    * no angle classifier: it flipped MRZ lines by 180 degrees in measurements; orientation is
      decided by the locator and by the check digits instead;
    * ``limit_type=max``: without it the detector upscales small crops six-fold.
    """

    def __init__(self) -> None:
        from rapidocr import RapidOCR

        # RapidOCR logs every call at INFO through its own handler; keep the worker log clean.
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        self._engine = RapidOCR(
            params={
                "Global.use_cls": False,
                "Global.log_level": "warning",
                "Det.limit_type": "max",
                "Det.limit_side_len": 1280,
                # One thread per worker: the service scales by processes.
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
        self._lock = threading.Lock()
        version = _version("rapidocr")
        self.models = (
            ModelInfo(name="rapidocr/PP-OCRv6_det_small", version=version),
            ModelInfo(name="rapidocr/PP-OCRv6_rec_small", version=version),
            ModelInfo(name="onnxruntime", version=_version("onnxruntime")),
        )

    def read_lines(self, image: BGRImage) -> list[TextLine]:
        """Detect and recognise every text line in ``image``."""
        with self._lock:
            out = self._engine(image, use_det=True, use_cls=False, use_rec=True)
        boxes = getattr(out, "boxes", None)
        txts = getattr(out, "txts", None)
        scores = getattr(out, "scores", None)
        if boxes is None or txts is None or scores is None:
            return []
        lines: list[TextLine] = []
        for box, text, score in zip(boxes, txts, scores, strict=False):
            points = tuple((float(x), float(y)) for x, y in np.asarray(box).reshape(-1, 2))
            lines.append(TextLine(text=str(text), score=float(score), box=points))
        return lines

    def recognise(self, line_image: BGRImage) -> tuple[str, float]:
        """Recognise one already-cropped text line."""
        with self._lock:
            out = self._engine(line_image, use_det=False, use_cls=False, use_rec=True)
        txts = getattr(out, "txts", None)
        scores = getattr(out, "scores", None)
        if not txts:
            return "", 0.0
        return str(txts[0]), float(scores[0]) if scores else 0.0


@cache
def shared_ocr() -> MrzOcr:
    """The process-wide engine: models load on first use, never again."""
    return MrzOcr()
