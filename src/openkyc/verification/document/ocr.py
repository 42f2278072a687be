"""The PP-OCR text recogniser and detector that RapidOCR bundles (ONNX), built once per process.

The recogniser, which reads every zone row, runs in an onnxruntime session of its own on the
model file RapidOCR ships: importing RapidOCR itself (its configuration loads a large YAML
through omegaconf) cost ~1.3 s of CPU, most of ``openkyc verify-document``'s start-up, and the
preprocessing and CTC decoding are done here anyway. The RapidOCR engine, for the text detector,
is built only when a fallback first asks for it.

The engine keeps call options as instance state (``use_det`` and friends are written back on
every call), so calls are serialised by a lock: one worker process runs one document at a time
anyway.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from openkyc.verification.types import ModelInfo

BGRImage = npt.NDArray[np.uint8]

_ALTERNATIVES = 4
# The recogniser RapidOCR's configuration names (``Rec.ocr_version`` PP-OCRv6, ``model_type``
# small), its input shape (channels, height, minimum width) and threads: one per worker, the
# service scales by processes.
_REC_MODEL = "PP-OCRv6_rec_small.onnx"
_REC_SHAPE = (3, 48, 320)
_THREADS = 1


@dataclass(frozen=True, slots=True)
class Recognised:
    text: str
    score: float  # mean of the characters' confidences, as the engine reports it
    confidences: tuple[float, ...]  # one per character of ``text``
    # Per character, the likeliest characters at its surest frame with their probabilities:
    # look-alikes that mean the same in context (O and 0 in a name) share the confidence.
    alternatives: tuple[tuple[tuple[str, float], ...], ...] = ()


@dataclass(slots=True)
class OcrSpent:
    detect_ms: float = 0.0
    recognise_ms: float = 0.0


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
        self._lock = threading.Lock()
        self._engine_built: Any = None
        self._rec: _Recogniser | None = None
        # Time spent in the models since the engine was built (wall ms), for per-stage timings.
        self.spent = OcrSpent()
        version = _version("rapidocr")
        self.models = (
            ModelInfo(name="rapidocr/PP-OCRv6_det_small", version=version),
            ModelInfo(name="rapidocr/PP-OCRv6_rec_small", version=version),
            ModelInfo(name="onnxruntime", version=_version("onnxruntime")),
        )

    @property
    def _engine(self) -> Any:
        """The RapidOCR engine (detector and its own recognition), built on first use."""
        if self._engine_built is None:
            from rapidocr import RapidOCR

            # RapidOCR logs every call at INFO through its own handler; keep the worker log clean.
            logging.getLogger("RapidOCR").setLevel(logging.WARNING)
            self._engine_built = RapidOCR(
                params={
                    "Global.use_cls": False,
                    "Global.log_level": "warning",
                    "Det.limit_type": "max",
                    "Det.limit_side_len": 1280,
                    "EngineConfig.onnxruntime.intra_op_num_threads": _THREADS,
                    "EngineConfig.onnxruntime.inter_op_num_threads": _THREADS,
                }
            )
        return self._engine_built

    def detect(self, image: BGRImage) -> list[npt.NDArray[np.float32]]:
        """The text lines' boxes in ``image`` (4 x 2 corner points each), without recognising
        them: each is recognised by :meth:`recognise_chars`, along its own box
        (:mod:`.frame_rows`), with per-character confidences the engine does not give."""
        started = time.perf_counter()
        with self._lock:
            out = self._engine(image, use_det=True, use_cls=False, use_rec=False)
        self.spent.detect_ms += (time.perf_counter() - started) * 1000
        boxes = getattr(out, "boxes", None)
        if boxes is None:
            return []
        return [np.asarray(box, dtype=np.float32).reshape(-1, 2) for box in boxes]

    def recognise_chars(self, line_image: BGRImage) -> Recognised:
        """Recognise one already-cropped text line, with each character's confidence.

        The same model and preprocessing as the engine's own recognition call; the CTC decoding
        is done here to keep, per emitted character, the best frame probability (the engine only
        returns their mean, in which one doubtful letter of a long row disappears)."""
        started = time.perf_counter()
        try:
            return self._recognise_chars(line_image)
        finally:
            self.spent.recognise_ms += (time.perf_counter() - started) * 1000

    def _recognise_chars(self, line_image: BGRImage) -> Recognised:
        rec = self._recogniser()
        batch = _model_input(line_image, _REC_SHAPE)
        with self._lock:
            preds = np.asarray(rec.session.run(None, {rec.input: batch})[0])[0]
        alphabet = rec.alphabet
        best = preds.argmax(axis=1)
        prob = preds.max(axis=1)
        chars: list[str] = []
        first: list[float] = []  # the engine's score averages each character's first frame
        frames: list[int] = []  # each character's most confident frame
        previous = -1
        for t, (index, p) in enumerate(zip(best.tolist(), prob.tolist(), strict=True)):
            if index != previous and index != 0:
                chars.append(alphabet[index])
                first.append(p)
                frames.append(t)
            elif index == previous and index != 0 and p > prob[frames[-1]]:
                frames[-1] = t
            previous = index
        if not chars:
            return Recognised("", 0.0, ())
        chosen = preds[frames]
        top = _likeliest(chosen, _ALTERNATIVES)
        alternatives = [
            tuple((alphabet[i], float(row[i])) for i in indices if i != 0)
            for row, indices in zip(chosen, top.tolist(), strict=True)
        ]
        confidences = tuple(float(prob[t]) for t in frames)
        return Recognised("".join(chars), float(np.mean(first)), confidences, tuple(alternatives))

    def _recogniser(self) -> _Recogniser:
        with self._lock:
            if self._rec is None:
                self._rec = _load_recogniser()
            return self._rec


def _likeliest(probabilities: npt.NDArray[np.float32], count: int) -> npt.NDArray[np.intp]:
    """Per row, the indices of the ``count`` largest values, largest first. One argmax per
    rank over the ~18,700 classes: ``np.argpartition`` (a selection per row) took ~8 ms for a
    44-character row, a tenth of the model's own time; a full sort cost more than the model."""
    rows = np.arange(len(probabilities))
    remaining = probabilities.copy()
    out = np.empty((len(probabilities), count), dtype=np.intp)
    for rank in range(count):
        out[:, rank] = remaining.argmax(axis=1)
        remaining[rows, out[:, rank]] = -np.inf
    return out


@dataclass(frozen=True, slots=True)
class _Recogniser:
    session: Any  # onnxruntime.InferenceSession
    input: str
    alphabet: tuple[str, ...]  # by class index: the CTC blank, the model's characters, a space


def _load_recogniser() -> _Recogniser:
    """A session on the recogniser model RapidOCR ships (its release is pinned), with the
    character list the model carries, as RapidOCR's CTC decoder builds it."""
    spec = importlib.util.find_spec("rapidocr")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    path = next((p for f in folders if (p := Path(f) / "models" / _REC_MODEL).is_file()), None)
    if path is None:
        raise RuntimeError(f"RapidOCR's recogniser {_REC_MODEL} is not installed")
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 4
    options.enable_cpu_mem_arena = False  # inputs change width with every row
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = _THREADS
    options.inter_op_num_threads = _THREADS
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    characters = session.get_modelmeta().custom_metadata_map["character"].splitlines()
    alphabet = ("blank", *characters, " ")
    return _Recogniser(session, session.get_inputs()[0].name, alphabet)


def _model_input(line_image: BGRImage, shape: tuple[int, int, int]) -> npt.NDArray[np.float32]:
    """The row scaled to the model's height (area-averaged when it shrinks), normalised to
    [-1, 1] and padded to the model's minimum width, as the engine's own preprocessing does.
    Its cost is proportional to the width; squeezed along the text to 0.6-0.75 of it, rows of
    fillers lost characters and readings that passed every check digit were wrong (seeds 7, 11)."""
    _, height, min_width = shape
    rows, cols = line_image.shape[:2]
    width = max(1, round(height * cols / max(1, rows)))
    interpolation = cv2.INTER_AREA if width < cols and height < rows else cv2.INTER_LINEAR
    resized = cv2.resize(line_image, (width, height), interpolation=interpolation)
    out = np.zeros((1, 3, height, max(width, min_width)), dtype=np.float32)
    out[0, :, :, :width] = resized.transpose(2, 0, 1).astype(np.float32) / 127.5 - 1.0
    return out


@cache
def shared_ocr() -> MrzOcr:
    """The process-wide engine: models load on first use, never again."""
    return MrzOcr()
