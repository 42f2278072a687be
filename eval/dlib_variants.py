"""Cheap variants of the dlib descriptor, side by side on real photo pairs (eval/real_faces.py).

    .venv/bin/python eval/dlib_variants.py --set /work/data/faces-real [--people 40]
        [--variants plain flip flip+scale] [--modes colour grey]

Each photo is read as a selfie (FaceMatcher's detector and mesh, the five-point chip), without
the sharpness matching of eval/real_pairs.py, and every unordered pair of photos is compared:
genuine when the person is the same. Prints, per variant and mode, FNMR at FMR 1e-2, 1e-3 and
1e-4 with the impostor pairs behind each, the genuine median and the closest impostor, and the
CPU time per face (time.process_time, so less inflated by a loaded machine than wall time).
The variants are test-time views of the same 150-pixel chip, averaged:

* plain: the chip alone;
* flip: the chip and its mirror image (what FaceEmbedder.embed_chip does);
* flip+scale: flip, plus the chip zoomed out and in by 7% about its centre, each with its
  mirror (4x the CPU of flip);
* flip+shift: flip, plus the chip shifted 3 pixels left, right, up and down (3x).

Modes: colour as it is; grey as a grey-printed portrait is compared (FaceEmbedder.prepare with
grey=True: grey, local contrast equalised). Pairs share photos: read the counts as an upper
bound on the evidence.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from openkyc.verification.face.embed import MESH_FIVE_POINTS
from openkyc.verification.face.images import RGBImage, decode_image
from openkyc.verification.face.matcher import FaceMatcher

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_faces import read_manifest

Matrix = npt.NDArray[np.float64]
_CENTRE = (74.5, 74.5)


def _mirror(chip: RGBImage) -> RGBImage:
    return np.ascontiguousarray(chip[:, ::-1])


def _warp(chip: RGBImage, matrix: npt.NDArray[np.float64]) -> RGBImage:
    size = (chip.shape[1], chip.shape[0])
    out = cv2.warpAffine(chip, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    return np.ascontiguousarray(out)


def _zoomed(chip: RGBImage, scale: float) -> RGBImage:
    return _warp(chip, cv2.getRotationMatrix2D(_CENTRE, 0.0, scale))


def _shifted(chip: RGBImage, dx: float, dy: float) -> RGBImage:
    return _warp(chip, np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]]))


def _views(name: str) -> Callable[[RGBImage], list[RGBImage]]:
    def views(chip: RGBImage) -> list[RGBImage]:
        if name == "plain":
            return [chip]
        out = [chip, _mirror(chip)]
        if name == "flip+scale":
            for scale in (0.93, 1.07):
                zoomed = _zoomed(chip, scale)
                out += [zoomed, _mirror(zoomed)]
        elif name == "flip+shift":
            out += [_shifted(chip, dx, dy) for dx, dy in ((3, 0), (-3, 0), (0, 3), (0, -3))]
        return out

    return views


VARIANTS = ("plain", "flip", "flip+scale", "flip+shift")


def load(matcher: FaceMatcher, root: Path, people: int | None) -> tuple[list[str], list[RGBImage]]:
    rows = read_manifest(root)
    names = sorted({r["person"] for r in rows})
    if people is not None:
        # A fixed subset that does not depend on the manifest's order.
        names = sorted(names, key=lambda n: hashlib.sha1(n.encode()).hexdigest())[:people]
    persons: list[str] = []
    chips: list[RGBImage] = []
    for row in rows:
        if row["person"] not in names:
            continue
        image = decode_image((root / row["file"]).read_bytes())
        selfie = matcher.analyse_selfie(image, 0)
        if selfie.face is None:
            continue
        points = selfie.face.mesh.points[list(MESH_FIVE_POINTS)]
        persons.append(row["person"])
        chips.append(matcher.embedder.chip_from_points(image, points))
    return persons, chips


def describe(matcher: FaceMatcher, chips: list[RGBImage], variant: str) -> tuple[Matrix, float]:
    """Each chip's averaged descriptor over its views, and the CPU milliseconds per chip."""
    views = _views(variant)
    started = time.process_time()
    rows = []
    for chip in chips:
        vectors = matcher.embedder.describe(views(chip))
        rows.append(np.mean(np.asarray(vectors, dtype=np.float64), axis=0))
    ms = 1000.0 * (time.process_time() - started) / max(len(chips), 1)
    return np.asarray(rows), ms


def fnmr_at(genuine: Matrix, impostor: Matrix, fmr: float) -> str:
    n = len(impostor)
    if n * fmr < 1.0:
        return f"FMR {fmr:g}: too few impostors"
    allowed = int(n * fmr)
    threshold = float(np.sort(impostor)[allowed]) - 1e-9
    missed = int(np.sum(genuine > threshold))
    return (
        f"FMR {fmr:g} (<= {allowed}/{n}): d <= {threshold:.3f}, "
        f"FNMR {missed}/{len(genuine)} = {100 * missed / len(genuine):.1f}%"
    )


def report(persons: list[str], vectors: Matrix, label: str, ms: float) -> None:
    upper = np.triu_indices(len(persons), 1)
    distances = np.linalg.norm(vectors[:, None, :] - vectors[None, :, :], axis=2)[upper]
    labels = np.asarray(persons)
    same = (labels[:, None] == labels[None, :])[upper]
    genuine, impostor = distances[same], distances[~same]
    print(
        f"| {label} | {ms:.0f} | {np.median(genuine):.3f} | {impostor.min():.3f} | "
        + " | ".join(fnmr_at(genuine, impostor, f) for f in (1e-2, 1e-3, 1e-4))
        + " |",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, required=True, help="built by eval/real_faces.py")
    parser.add_argument("--people", type=int, help="a fixed subset of this many people")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--modes", nargs="+", choices=("colour", "grey"), default=["colour"])
    args = parser.parse_args()
    matcher = FaceMatcher()
    persons, chips = load(matcher, args.set, args.people)
    print(f"{len(chips)} photos of {len(set(persons))} people")
    print(
        "| variant, mode | CPU ms/face | genuine median | closest impostor | FMR 1e-2 | 1e-3 | 1e-4 |"
    )
    print("|---|---|---|---|---|---|---|")
    for mode in args.modes:
        grey = mode == "grey"
        prepared = [matcher.embedder.prepare(chip, grey=grey) for chip in chips]
        for variant in args.variants:
            vectors, ms = describe(matcher, prepared, variant)
            report(persons, vectors, f"{variant}, {mode}", ms)
    matcher.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
