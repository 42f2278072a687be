"""The MRZ recogniser's cost and a candidate model's agreement with it, on real zone rows.

    .venv/bin/python bench/recogniser.py [--seed 5] [--n 40] [--candidate MODEL.onnx]

Renders ``--n`` specimens, reads them with the default reader and keeps every input the
recogniser was given. Prints the recogniser's CPU time per call against its input width (the
cost grows with the width: about 0.1 ms per pixel column on one core here). With
``--candidate`` (e.g. an int8 copy of the rec model), the same inputs go through both models and
the script reports how many rows decode to the same text and how far the per-character
probabilities move: the reading's acceptance rules (runner-ups from 0.005, name rivals from
0.015, ``NAME_SURE`` 0.85) are tuned on the packaged model's probabilities, so a faster model is
only usable if it leaves them where they were.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
import rapidocr

from openkyc.specimens.documents import (
    DISTORTION_NAMES,
    DOCUMENT_KINDS,
    random_distortion,
    random_identity,
    render_document,
)
from openkyc.specimens.faces import source_faces
from openkyc.verification.document import DocumentReader, ocr

Batch = npt.NDArray[np.float32]


def _collect(seed: int, n: int) -> list[Batch]:
    """The recogniser inputs of ``n`` specimens (the eval's sequence of kinds and distortions)."""
    reader = DocumentReader(visual_zone=False)
    inputs: list[Batch] = []
    original = ocr._model_input

    def keep(image: npt.NDArray[np.uint8], shape: tuple[int, int, int]) -> Batch:
        batch = original(image, shape)
        inputs.append(batch)
        return batch

    ocr._model_input = keep
    try:
        rng = random.Random(seed)
        faces = source_faces()
        for i in range(n):
            kind = DOCUMENT_KINDS[i % len(DOCUMENT_KINDS)]
            name = DISTORTION_NAMES[(i // len(DOCUMENT_KINDS)) % len(DISTORTION_NAMES)]
            identity = random_identity(kind, rng)
            distortion = random_distortion(name, rng, kind=kind)
            doc = render_document(
                kind, identity, faces[i % len(faces)], distortion, seed * 100_000 + i
            )
            reader.read(doc.front_jpeg, doc.back_jpeg, today=dt.date(2026, 1, 15))
    finally:
        ocr._model_input = original
    return inputs


def _session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _decode(preds: npt.NDArray[np.float32]) -> tuple[list[int], npt.NDArray[np.float32]]:
    """Greedy CTC: the emitted classes and the probability rows of their first frames."""
    best = preds.argmax(axis=1).tolist()
    classes: list[int] = []
    frames: list[int] = []
    previous = -1
    for t, index in enumerate(best):
        if index not in (previous, 0):
            classes.append(index)
            frames.append(t)
        previous = index
    return classes, preds[frames]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--candidate", type=Path, default=None)
    args = parser.parse_args()

    inputs = _collect(args.seed, args.n)
    packaged = Path(rapidocr.__file__).parent / "models" / "PP-OCRv6_rec_small.onnx"
    base = _session(packaged)
    name = base.get_inputs()[0].name
    per_px: list[float] = []
    outputs: list[npt.NDArray[np.float32]] = []
    for batch in inputs:
        started = time.process_time()
        outputs.append(np.asarray(base.run(None, {name: batch})[0])[0])
        per_px.append(1000 * (time.process_time() - started) / batch.shape[3])
    widths = [b.shape[3] for b in inputs]
    print(
        f"{len(inputs)} recogniser inputs from {args.n} specimens (seed {args.seed}); width p50 "
        f"{statistics.median(widths):.0f} px, sum per specimen {sum(widths) / args.n:.0f} px; "
        f"CPU {statistics.median(per_px) * 1000:.0f} us per pixel column (p50)"
    )
    if args.candidate is None:
        return 0
    other = _session(args.candidate)
    same = 0
    moved: list[float] = []
    cpu = [0.0, 0.0]
    for batch, preds in zip(inputs, outputs, strict=True):
        started = time.process_time()
        base.run(None, {name: batch})
        cpu[0] += time.process_time() - started
        started = time.process_time()
        theirs = np.asarray(other.run(None, {name: batch})[0])[0]
        cpu[1] += time.process_time() - started
        ours_classes, ours_rows = _decode(preds)
        their_classes, their_rows = _decode(theirs)
        if ours_classes == their_classes:
            same += 1
            if len(ours_rows):
                moved.append(float(np.abs(ours_rows - their_rows).max()))
    print(
        f"candidate {args.candidate.name}: CPU {cpu[1] / cpu[0]:.2f}x the packaged model's; "
        f"{same}/{len(inputs)} rows decode alike; largest probability shift per row p50 "
        f"{statistics.median(moved or [0.0]):.3f}, p95 {np.percentile(moved or [0.0], 95):.3f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
