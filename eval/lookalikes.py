"""Which way the recogniser confuses look-alikes on hard photos (the evidence behind
``row_doubts.REVERSE_WEIGHT``).

    .venv/bin/python eval/lookalikes.py [--seed 11] [--n 175]

Renders ``--n`` blurred, shaken, mixed, small and dark specimens of the ICAO kinds, reads each
zone's rows once at the default width (the plain zone, and the deconvolved one when the photo
shows a real shake), aligns every checked row with the truth and counts, per look-alike pair:

* hard errors: the true character read as its look-alike;
* soft doubts: the true character read right with its look-alike at 0.005 or more behind it
  (count, median and largest probability).

The name row is left out (it has no check digit and its own doubts).
"""

from __future__ import annotations

import argparse
import difflib
import random
import statistics
from collections import Counter, defaultdict

import cv2
import numpy as np

from openkyc.specimens.documents import random_distortion, random_identity, render_document
from openkyc.specimens.faces import source_faces
from openkyc.verification.document.correction import LOOKALIKES, normalise
from openkyc.verification.document.deblur import deblurred_zone
from openkyc.verification.document.images import to_grey
from openkyc.verification.document.locate import find_zones
from openkyc.verification.document.ocr import Recognised, shared_ocr
from openkyc.verification.document.row_doubts import Options, keyed, one_to_one
from openkyc.verification.document.zone_reader import ZoneReader

KINDS = (
    "td3_passport", "td2_document", "visa", "kz_id_card", "kz_passport",
    "ru_international_passport", "td1_id_card",
)  # fmt: skip
DISTORTIONS = ("blur", "motion_blur", "mixed", "small", "dark")
_PLAUSIBLE = 0.005
_WIDTH = 1100

Pair = tuple[str, str]


def _aligned(read: Recognised, line: str) -> list[tuple[str, str, Options]]:
    """(true character, read character, alternatives) where the reading aligns one to one."""
    keys, options = keyed(read)
    return [(line[b], keys[a], options[a]) for a, b in one_to_one(keys, line)]


def _best_reads(reader: ZoneReader, image: np.ndarray, truth: list[str]) -> list[Recognised]:
    """The reading of the first zone, the right way up (the one closer to the truth)."""
    zones = find_zones(to_grey(image))
    if not zones:
        return []
    best: tuple[float, list[Recognised]] = (0.0, [])
    for flip in (False, True):
        reads = reader._rows(image, zones[0], flip, _WIDTH).reads
        if len(reads) == len(truth):
            score = sum(
                difflib.SequenceMatcher(None, normalise(r.text), line).ratio()
                for r, line in zip(reads, truth, strict=True)
            )
            best = max(best, (score, reads), key=lambda b: b[0])
    return best[1]


def _pair_order(pair: Pair) -> tuple[str, bool, str]:
    """Grouped by letter: the letter read as a look-alike first, then the look-alikes read as it
    (a stable order: the pairs come from a set)."""
    letter = pair[0] if pair[0].isalpha() else pair[1]
    return (letter, pair[0].isdigit(), pair[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--n", type=int, default=175)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    faces = source_faces()
    reader = ZoneReader(shared_ocr(), printed=None)
    hard: Counter[Pair] = Counter()
    soft: dict[Pair, list[float]] = defaultdict(list)
    read_right: Counter[str] = Counter()
    views_read = 0
    for i in range(args.n):
        kind = KINDS[i % len(KINDS)]
        name = DISTORTIONS[(i // len(KINDS)) % len(DISTORTIONS)]
        identity = random_identity(kind, rng)
        distortion = random_distortion(name, rng, kind=kind)
        doc = render_document(
            kind, identity, faces[i % len(faces)], distortion, args.seed * 1000 + i
        )
        side = (
            doc.back_jpeg if doc.truth["mrz_side"] == "back" and doc.back_jpeg else doc.front_jpeg
        )
        image = cv2.imdecode(np.frombuffer(side, np.uint8), cv2.IMREAD_COLOR)
        truth = list(doc.truth["mrz_lines"])
        views = [image]
        zones = find_zones(to_grey(image))
        restored = deblurred_zone(image, zones[0]) if zones else None
        if restored is not None and restored[1].evident:
            views.append(restored[0])
        name_row = 2 if len(truth) == 3 else 0
        for view in views:
            reads = _best_reads(reader, view, truth)
            views_read += bool(reads)
            for row, (read, line) in enumerate(zip(reads, truth, strict=False)):
                if row == name_row:
                    continue
                for true, seen, alternatives in _aligned(read, line):
                    if true == "<":
                        continue
                    if seen != true and seen in LOOKALIKES.get(true, ""):
                        hard[(true, seen)] += 1
                    if seen != true:
                        continue
                    read_right[true] += 1
                    for char, p in alternatives:
                        other = normalise(char)
                        if (
                            len(other) == 1
                            and other != true
                            and other in LOOKALIKES.get(true, "")
                            and p >= _PLAUSIBLE
                        ):
                            soft[(true, other)].append(p)
    print(f"{args.n} specimens (seed {args.seed}), {views_read} zone views read; checked rows only")
    print(f"soft: read right with the look-alike at >= {_PLAUSIBLE} behind (p50 / max of it)\n")
    print(f"  {'true -> read':13} {'reads':>6} {'hard':>5} {'soft':>5} {'p50':>7} {'max':>7}")
    pairs = sorted({(a, b) for a, others in LOOKALIKES.items() for b in others}, key=_pair_order)
    for true, other in pairs:
        seen = hard[(true, other)] + read_right[true]
        values = soft.get((true, other), [])
        p50 = f"{statistics.median(values):7.3f}" if values else f"{'-':>7}"
        top = f"{max(values):7.3f}" if values else f"{'-':>7}"
        print(
            f"  {true} -> {other}        {seen:6d} {hard[(true, other)]:5d} {len(values):5d} "
            f"{p50} {top}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
