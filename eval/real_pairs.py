"""Face match on real photographs: different photos of the same people (eval/real_faces.py).

    .venv/bin/python eval/real_pairs.py --set /work/data/faces-real [--docs] [--dump F.json]
    .venv/bin/python eval/real_pairs.py --load F.json        # tables again, no model run

Two conditions, each through the matcher's own steps (FaceMatcher.match with one frame):
* photo vs photo: every unordered pair of photos, the first as the "document" (found and
  embedded as a document portrait, JPEG smoothing included), the second as a one-frame selfie
  blurred to the first's sharpness;
* document portrait vs selfie (``--docs``): the first photo of each person rendered into a
  specimen document (kind and distortion family in turn, as eval/face.py draws them), found
  with the portrait hint, against every other photo as the selfie: genuine when the person is
  the same, impostor otherwise.

Prints, per condition, accepted / review / mismatch at the configured bands, the distance
distributions, the closest impostors and farthest genuine pairs, and FNMR at FMR 1e-2 and
1e-3 with the number of impostor pairs behind each. Pairs share photos, so they are not
independent: read the counts as an upper bound on the evidence.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from openkyc.specimens.documents import (
    DOCUMENT_KINDS,
    random_distortion,
    random_identity,
    render_document,
)
from openkyc.specimens.faces import passport_framing
from openkyc.verification.face import calibration
from openkyc.verification.face.embed import EMBEDDING_MODEL, GREY_CHROMA, average
from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import RGBImage, decode_image
from openkyc.verification.face.matcher import FaceMatcher, PortraitDescriptor
from openkyc.verification.face.sharpness import sharpness_ladder, sigma_from_ladder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_faces import read_manifest

Vector = npt.NDArray[np.float32]

# Same order as eval/face.py's DISTORTIONS, so that both evaluations draw the same families.
DOC_DISTORTIONS = (
    "clean",
    "blur",
    "dark",
    "small",
    "noise_jpeg",
    "glare",
    "rotated",
    "perspective",
)


@dataclass
class Photo:
    person: str
    file: str
    image: RGBImage
    box: Box | None  # the selfie detector's box of the main face
    portrait: PortraitDescriptor | None  # the photo read as a document portrait
    chip: RGBImage | None  # the photo read as a selfie frame: its aligned chip
    ladder: tuple[float, ...] = ()
    _full: dict[tuple[float, bool], Vector] = field(default_factory=dict)

    @property
    def face_id(self) -> str:
        return self.file

    def full(self, matcher: FaceMatcher, portrait: PortraitDescriptor) -> Vector:
        """The chip-and-mirror descriptor as FaceMatcher.match compares it with ``portrait``:
        blurred to its sharpness, in grey when it is grey."""
        assert self.chip is not None
        sigma = sigma_from_ladder(self.ladder, portrait.sharpness)
        key = (sigma, portrait.grey)
        if key not in self._full:
            prepared = matcher.embedder.prepare(self.chip, sigma, grey=portrait.grey)
            plain, mirrored = matcher.embedder.describe([prepared, prepared[:, ::-1].copy()])
            self._full[key] = average(plain, mirrored)
        return self._full[key]

    def portrait_image(self, width: int, height: int) -> RGBImage:
        """A head-and-shoulders crop centred on the face (``PortraitSource`` for documents)."""
        assert self.box is not None
        box = self.box
        return passport_framing(self.image, (box.x, box.y, box.w, box.h), width, height)


class PortraitOf:
    """A photo as the specimen renderer's ``PortraitSource``."""

    def __init__(self, photo: Photo) -> None:
        self._photo = photo

    @property
    def face_id(self) -> str:
        return self._photo.file

    def portrait(self, width: int, height: int) -> RGBImage:
        return self._photo.portrait_image(width, height)


def load_photos(matcher: FaceMatcher, root: Path) -> list[Photo]:
    photos: list[Photo] = []
    for row in read_manifest(root):
        image = decode_image((root / row["file"]).read_bytes())
        selfie = matcher.analyse_selfie(image, 0)
        found = matcher.document_face(image, None)
        portrait = matcher.document_embedding(image, found) if found is not None else None
        chip = None
        ladder: tuple[float, ...] = ()
        if selfie.face is not None:
            chip = matcher.frame_chip(image, selfie).chip
            ladder = sharpness_ladder(chip)
        box = None if selfie.face is None else selfie.face.box
        photos.append(Photo(row["person"], row["file"], image, box, portrait, chip, ladder))
    return photos


@dataclass
class PairSet:
    """Distances of one condition; ``uncompared`` genuine pairs had no face on one side."""

    genuine: list[tuple[float, str]] = field(default_factory=list)
    impostor: list[tuple[float, str]] = field(default_factory=list)
    uncompared_genuine: int = 0
    uncompared_impostor: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "genuine": self.genuine,
            "impostor": self.impostor,
            "uncompared_genuine": self.uncompared_genuine,
            "uncompared_impostor": self.uncompared_impostor,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> PairSet:
        def pairs(key: str) -> list[tuple[float, str]]:
            raw = data[key]
            assert isinstance(raw, list)
            return [(float(d), str(label)) for d, label in raw]

        uncompared_genuine = data["uncompared_genuine"]
        uncompared_impostor = data["uncompared_impostor"]
        assert isinstance(uncompared_genuine, int)
        assert isinstance(uncompared_impostor, int)
        return cls(pairs("genuine"), pairs("impostor"), uncompared_genuine, uncompared_impostor)


def photo_pairs(matcher: FaceMatcher, photos: Sequence[Photo]) -> PairSet:
    out = PairSet()
    for first, second in itertools.combinations(photos, 2):
        same = first.person == second.person
        if first.portrait is None or second.chip is None:
            if same:
                out.uncompared_genuine += 1
            else:
                out.uncompared_impostor += 1
            continue
        vector = second.full(matcher, first.portrait)
        distance = float(np.linalg.norm(vector - first.portrait.embedding))
        label = f"{first.file} ~ {second.file} c{first.portrait.chroma:.1f}"
        (out.genuine if same else out.impostor).append((round(distance, 4), label))
    return out


def _hint(quad: list[list[float]]) -> Box:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def document_pairs(matcher: FaceMatcher, photos: Sequence[Photo], seed: int) -> PairSet:
    """The first usable photo of each person with another photo, on a specimen document."""
    rng = random.Random(seed)
    out = PairSet()
    people = sorted({p.person for p in photos})
    for n, person in enumerate(people):
        own = [p for p in photos if p.person == person and p.box is not None]
        if len(own) < 2:
            continue
        source = own[0]
        kind = DOCUMENT_KINDS[n % len(DOCUMENT_KINDS)]
        family = DOC_DISTORTIONS[n % len(DOC_DISTORTIONS)]
        rendered = render_document(
            kind,
            random_identity(kind, rng),
            PortraitOf(source),
            random_distortion(family, rng, kind=kind),
            rng.randrange(2**31),
        )
        document = decode_image(rendered.front_jpeg)
        found = matcher.document_face(document, _hint(rendered.truth["portrait_quad"]))
        portrait = matcher.document_embedding(document, found) if found is not None else None
        for selfie in photos:
            if selfie is source:
                continue
            same = selfie.person == person
            if portrait is None or selfie.chip is None:
                if same:
                    out.uncompared_genuine += 1
                else:
                    out.uncompared_impostor += 1
                continue
            vector = selfie.full(matcher, portrait)
            distance = float(np.linalg.norm(vector - portrait.embedding))
            label = f"{source.file} on {kind}/{family} ~ {selfie.file} c{portrait.chroma:.1f}"
            (out.genuine if same else out.impostor).append((round(distance, 4), label))
    return out


def fnmr_at_fmr(genuine: Sequence[float], impostor: Sequence[float], fmr: float) -> str:
    """FNMR at the largest distance threshold whose impostor acceptance is at most ``fmr``."""
    n = len(impostor)
    if n * fmr < 1.0:
        return f"FMR {fmr:g}: {n} impostor pairs are too few (need >= {int(1 / fmr)})"
    allowed = int(n * fmr)  # impostor pairs that may fall at or below the threshold
    ordered = sorted(impostor)
    threshold = ordered[allowed] - 1e-9  # just below the (allowed + 1)-th closest impostor
    rejected = sum(d > threshold for d in genuine)
    return (
        f"FMR {fmr:g} (<= {allowed} of {n} impostor pairs): distance <= {threshold:.3f}, "
        f"FNMR {rejected}/{len(genuine)} = {100 * rejected / max(len(genuine), 1):.1f}%"
    )


def _stats(values: Sequence[float]) -> str:
    if not values:
        return "n=0"
    q = np.percentile(values, [0, 5, 50, 95, 100])
    return f"min {q[0]:.3f} p5 {q[1]:.3f} median {q[2]:.3f} p95 {q[3]:.3f} max {q[4]:.3f}"


def compared_in_grey(label: str) -> bool:
    """Whether the pair was compared in grey: from the portrait chroma at the end of its label
    (``c<chroma>``); dumps of the earlier matcher, which compared every pair in grey, have
    none."""
    head, _, tail = label.rpartition(" c")
    if not head:
        return True
    try:
        return float(tail) < GREY_CHROMA
    except ValueError:
        return True


def bands(pairs: Sequence[tuple[float, str]], uncompared: int = 0) -> tuple[int, int, int, int]:
    """accepted, review, mismatch (not compared counted as mismatch), total."""
    accept = review = 0
    for d, label in pairs:
        score = calibration.score_from_distance(d, grey=compared_in_grey(label))
        decision = calibration.decide(score)
        accept += decision == "match"
        review += decision == "review"
    total = len(pairs) + uncompared
    return accept, review, total - accept - review, total


def print_table(title: str, pairs: PairSet) -> None:
    bounds = []
    for mode, grey in (("colour", False), ("grey", True)):
        match_d = calibration.distance_for_score(calibration.MATCH_THRESHOLD, grey=grey)
        review_d = calibration.distance_for_score(calibration.REVIEW_THRESHOLD, grey=grey)
        bounds.append(f"{mode}: match d <= {match_d:.3f}, review d <= {review_d:.3f}")
    genuine = [d for d, _ in pairs.genuine]
    impostor = [d for d, _ in pairs.impostor]
    grey_pairs = sum(compared_in_grey(label) for _, label in pairs.genuine + pairs.impostor)
    print(f"{title} ({'; '.join(bounds)}; {grey_pairs} pairs compared in grey)")
    print("  | pairs | accepted | review | mismatch | distance min / p5 / median / p95 / max |")
    print("  |---|---|---|---|---|")
    for name, values, uncompared in (
        ("genuine", pairs.genuine, pairs.uncompared_genuine),
        ("impostor", pairs.impostor, pairs.uncompared_impostor),
    ):
        a, r, m, total = bands(values, uncompared)
        extra = f" ({uncompared} not compared)" if uncompared else ""
        print(
            f"  | {name}, {total}{extra} | {a} ({100 * a / max(total, 1):.1f}%) | {r} "
            f"({100 * r / max(total, 1):.1f}%) | {m} | {_stats([d for d, _ in values])} |"
        )
    for fmr in (1e-2, 1e-3):
        print("  " + fnmr_at_fmr(genuine, impostor, fmr))
    print("  closest impostors:", "; ".join(f"{d:.3f} {x}" for d, x in sorted(pairs.impostor)[:3]))
    far = sorted(pairs.genuine, reverse=True)[:3]
    print("  farthest genuine:", "; ".join(f"{d:.3f} {x}" for d, x in far))


def report(dump: dict[str, object]) -> None:
    """Print every condition of a dump (the real-pair part of eval/face.py's output)."""
    print(
        f"Real photos: {dump['photos']} photos of {dump['people']} people "
        f"(faces found as selfie {dump['selfie_found']}, as document {dump['document_found']}); "
        f"model {dump['model']}"
    )
    conditions = dump["conditions"]
    assert isinstance(conditions, dict)
    for title, data in conditions.items():
        print_table(title, PairSet.from_json(data))


def measure(root: Path, docs: bool, seed: int) -> dict[str, object]:
    started = time.perf_counter()
    matcher = FaceMatcher()
    photos = load_photos(matcher, root)
    conditions: dict[str, object] = {"photo vs photo": photo_pairs(matcher, photos).to_json()}
    if docs:
        conditions["document portrait vs photo"] = document_pairs(matcher, photos, seed).to_json()
    matcher.close()
    return {
        "model": EMBEDDING_MODEL.name,
        "photos": len(photos),
        "people": len({p.person for p in photos}),
        "selfie_found": sum(p.chip is not None for p in photos),
        "document_found": sum(p.portrait is not None for p in photos),
        "seconds": round(time.perf_counter() - started, 1),
        "conditions": conditions,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", type=Path, help="folder built by eval/real_faces.py")
    parser.add_argument("--docs", action="store_true", help="also the document-portrait condition")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--dump", type=Path, help="write the distances to this JSON file")
    parser.add_argument("--load", type=Path, help="print the tables of a dump, no model run")
    args = parser.parse_args()
    if args.load:
        dump = json.loads(args.load.read_text(encoding="utf-8"))
    elif args.set:
        dump = measure(args.set, args.docs, args.seed)
        if args.dump:
            args.dump.write_text(json.dumps(dump), encoding="utf-8")
    else:
        parser.error("give --set or --load")
    report(dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
