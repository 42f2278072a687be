"""Evaluate face match: document portrait vs selfie, genuine and impostor pairs (fixed seeds).

    .venv/bin/python eval/face.py [--docs-per-face 3] [--selfie-sets 2] [--frames 3] [--seed 11]

Genuine pair: a document rendered by the specimen generator with the portrait of source face A
(random kind and distortion) against a burst of ``--frames`` selfies of A re-posed, re-lit and
on a new background (best frame wins, as in the pipeline). Impostor pairs: every document of
A against every selfie set of B != A, plus every pair of different people among the original
photos. There is no offline set of two *different photos* of one person, so the genuine side is
optimistic (same photo, re-rendered); the impostor side is real. Prints the distance and score
distributions, FAR/FRR at the configured thresholds, ROC points, a Platt fit and latency.

Two genuine-acceptance figures: the first capture of every document, and the flow's, where the
hosted page's capture gate (``check_capture``: glare, blur, framing...) refuses a document photo
and the customer takes another, at most twice (web/hosted/flow.py). A retake is a new photo under
a random distortion family of this evaluation, drawn from a separate random stream so that every
first-capture figure stays as it was.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from openkyc.specimens.documents import (
    DOCUMENT_KINDS,
    RenderedDocument,
    random_distortion,
    random_identity,
    render_document,
)
from openkyc.specimens.faces import SourceFace, source_faces
from openkyc.specimens.identities import SpecimenIdentity
from openkyc.specimens.selfies import render_selfie
from openkyc.verification.face import calibration, glare, noise
from openkyc.verification.face.embed import average
from openkyc.verification.face.geometry import Box
from openkyc.verification.face.images import RGBImage, decode_image
from openkyc.verification.face.matcher import FaceMatcher, PortraitDescriptor, closest_frame
from openkyc.verification.face.sharpness import sharpness_ladder, sigma_from_ladder
from openkyc.verification.quality import check_capture

sys.path.insert(0, str(Path(__file__).resolve().parent))
import real_pairs

Vector = npt.NDArray[np.float32]

DISTORTIONS = ("clean", "blur", "dark", "small", "noise_jpeg", "glare", "rotated", "perspective")


@dataclass
class DocSample:
    face: SourceFace
    kind: str
    distortion: str  # family name, and the retake's when the capture gate asked for one
    identity: SpecimenIdentity  # printed on the document, so that a retake shows the same
    embedding: PortraitDescriptor | None
    found_with_hint: bool
    found_without_hint: bool | None
    glare: float  # glare.portrait_glare, as FaceMatcher.match measures it
    front_jpeg: bytes
    ms: float  # detect + embed

    @property
    def label(self) -> str:
        return f"{self.kind}/{self.distortion}"


def _document_sample(
    matcher: FaceMatcher,
    face: SourceFace,
    kind: str,
    distortion: str,
    identity: SpecimenIdentity,
    rendered: RenderedDocument,
    args: argparse.Namespace,
) -> DocSample:
    image = decode_image(rendered.front_jpeg)
    hint = _hint(rendered.truth["portrait_quad"])
    t = time.perf_counter()
    found = matcher.document_face(image, hint)
    embedding = matcher.document_embedding(image, found) if found else None
    ms = (time.perf_counter() - t) * 1000
    without = None
    if not args.no_hint_check:
        without = matcher.document_face(image, None) is not None
    chip_glare = 0.0 if embedding is None else embedding.glare
    return DocSample(
        face,
        kind,
        distortion,
        identity,
        embedding,
        found is not None,
        without,
        glare.portrait_glare(chip_glare, image, hint),
        rendered.front_jpeg,
        ms,
    )


class FrameVectors:
    """One selfie frame's chip and, per blur sigma asked for, its plain descriptor (which picks
    the closest frame, as FaceMatcher.match does) and full one (chip and mirror averaged, which
    gives the distance); computed on first use, since the sigma depends on the document."""

    def __init__(self, matcher: FaceMatcher, chip: RGBImage) -> None:
        self._matcher = matcher
        self._chip = chip
        self.ladder = sharpness_ladder(chip)
        self._vectors: dict[tuple[float, bool], tuple[Vector, Vector]] = {}

    def vectors(self, target_sharpness: float, grey: bool = False) -> tuple[Vector, Vector]:
        sigma = sigma_from_ladder(self.ladder, target_sharpness)
        if (sigma, grey) not in self._vectors:
            embedder = self._matcher.embedder
            prepared = embedder.prepare(self._chip, sigma, grey=grey)
            plain, mirrored = embedder.describe([prepared, prepared[:, ::-1].copy()])
            self._vectors[sigma, grey] = (plain, average(plain, mirrored))
        return self._vectors[sigma, grey]


def _hint(quad: list[list[float]]) -> Box:
    xs = [p[0] for p in quad]
    ys = [p[1] for p in quad]
    return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def _percentiles(values: list[float]) -> str:
    if not values:
        return "n=0"
    q = np.percentile(values, [0, 5, 25, 50, 75, 95, 100])
    return f"n={len(values)} min={q[0]:.3f} p5={q[1]:.3f} p25={q[2]:.3f} median={q[3]:.3f} p75={q[4]:.3f} p95={q[5]:.3f} max={q[6]:.3f}"


def _platt(genuine: list[float], impostor: list[float]) -> tuple[float, float]:
    """Logistic fit p(same | d) = 1 / (1 + exp((d - m) / s)) with equal class weights.

    Platt's smoothed targets ((n+ + 1) / (n+ + 2) and 1 / (n- + 2) instead of 1 and 0) keep
    the fit finite when the two classes barely overlap, which plain maximum likelihood does not
    (its slope then runs towards zero).
    """
    d = np.array(genuine + impostor)
    positive = (len(genuine) + 1.0) / (len(genuine) + 2.0)
    negative = 1.0 / (len(impostor) + 2.0)
    y = np.array([positive] * len(genuine) + [negative] * len(impostor))
    w = np.where(y > 0.5, 0.5 / len(genuine), 0.5 / len(impostor))
    a, b = -10.0, 5.0  # logit = a * d + b
    for _ in range(200):
        p = 1 / (1 + np.exp(-(a * d + b)))
        g = w * (p - y)
        grad = np.array([(g * d).sum(), g.sum()])
        h = w * p * (1 - p)
        hess = np.array([[(h * d * d).sum(), (h * d).sum()], [(h * d).sum(), h.sum()]])
        step = np.linalg.solve(hess + 1e-9 * np.eye(2), grad)
        a, b = a - step[0], b - step[1]
    return -b / a, -1 / a  # midpoint distance, slope


@dataclass
class Pairs:
    genuine: list[float]
    impostor: list[float]
    genuine_labels: list[tuple[float, str]]
    # Pairs FaceMatcher.match sends back for a retake (glared portrait, no match), by class.
    retakes: dict[str, int]
    # Genuine pairs never compared because no portrait was found: not accepted either.
    uncompared: int = 0
    # Per pair, in the order above: compared in grey (a grey-printed portrait; the score
    # curve follows the comparison mode, see calibration.py).
    genuine_grey: list[bool] = field(default_factory=list)
    impostor_grey: list[bool] = field(default_factory=list)

    def genuine_scores(self) -> list[float]:
        return _scores(self.genuine, self.genuine_grey)

    def impostor_scores(self) -> list[float]:
        return _scores(self.impostor, self.impostor_grey)

    def accepted(self) -> tuple[int, int]:
        """Genuine pairs accepted at the default threshold, and all genuine pairs."""
        scores = self.genuine_scores()
        accept = sum(s >= calibration.MATCH_THRESHOLD for s in scores)
        return accept, len(scores) + self.uncompared


def _scores(distances: list[float], grey: list[bool]) -> list[float]:
    return [
        calibration.score_from_distance(d, grey=g) for d, g in zip(distances, grey, strict=True)
    ]


def _pairs(
    docs: list[DocSample],
    selfie_sets: list[tuple[SourceFace, list[FrameVectors]]],
    n_faces: int,
    args: argparse.Namespace,
) -> Pairs:
    """Every document against every selfie set: genuine when the person is the same."""
    out = Pairs([], [], [], {"genuine": 0, "impostor": 0})
    for doc in docs:
        if doc.embedding is None:
            # A portrait hidden by glare is a retake, as in FaceMatcher.match.
            if glare.asks_retake("not_compared", doc.glare):
                out.retakes["genuine"] += args.selfie_sets
                out.retakes["impostor"] += args.selfie_sets * (n_faces - 1)
            out.uncompared += sum(
                1
                for face, vectors in selfie_sets
                if vectors and face.person_id == doc.face.person_id
            )
            continue
        for face, vectors in selfie_sets:
            if not vectors:
                continue
            pairs = [
                frame.vectors(doc.embedding.sharpness, doc.embedding.grey) for frame in vectors
            ]
            _, full = pairs[closest_frame(doc.embedding.embedding, [plain for plain, _ in pairs])]
            distance = float(np.linalg.norm(full - doc.embedding.embedding))
            grey = doc.embedding.grey
            decision = calibration.decide(calibration.score_from_distance(distance, grey=grey))
            same = face.person_id == doc.face.person_id
            if glare.asks_retake(decision, doc.glare):
                out.retakes["genuine" if same else "impostor"] += 1
            if same:
                out.genuine.append(distance)
                out.genuine_grey.append(grey)
                out.genuine_labels.append((distance, f"{doc.face.face_id} {doc.label}"))
            else:
                out.impostor.append(distance)
                out.impostor_grey.append(grey)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs-per-face", type=int, default=3)
    parser.add_argument("--selfie-sets", type=int, default=2)
    parser.add_argument("--frames", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-hint-check", action="store_true", help="skip detection without hint")
    parser.add_argument("--dump", help="write the genuine and impostor distances to this JSON file")
    parser.add_argument(
        "--pool", nargs="+", metavar="DUMP", help="only print a Platt fit pooled over --dump files"
    )
    parser.add_argument(
        "--real",
        type=Path,
        metavar="DIR",
        help="also print the real-photo pairs of this set (eval/real_faces.py builds it)",
    )
    parser.add_argument(
        "--real-dump", type=Path, metavar="JSON", help="with --real: reuse or write its distances"
    )
    args = parser.parse_args()
    if args.pool:
        pooled: dict[str, list[float]] = {"genuine": [], "impostor": []}
        for path in args.pool:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            for key in pooled:
                pooled[key].extend(data[key])
        midpoint, slope = _platt(pooled["genuine"], pooled["impostor"])
        print(
            f"Platt fit pooled over {len(args.pool)} runs ({len(pooled['genuine'])} genuine, "
            f"{len(pooled['impostor'])} impostor): midpoint distance {midpoint:.3f}, slope {slope:.4f}"
        )
        return 0

    rng = random.Random(args.seed)
    faces = source_faces()
    started = time.perf_counter()
    matcher = FaceMatcher()
    load_ms = (time.perf_counter() - started) * 1000

    docs: list[DocSample] = []
    doc_ms: list[float] = []
    for face in faces:
        for i in range(args.docs_per_face):
            kind = rng.choice(DOCUMENT_KINDS)
            distortion_name = DISTORTIONS[
                (faces.index(face) * args.docs_per_face + i) % len(DISTORTIONS)
            ]
            identity = random_identity(kind, rng)
            distortion = random_distortion(distortion_name, rng, kind=kind)
            rendered = render_document(kind, identity, face, distortion, rng.randrange(2**31))
            sample = _document_sample(
                matcher, face, kind, distortion_name, identity, rendered, args
            )
            doc_ms.append(sample.ms)
            docs.append(sample)

    # The hosted page runs the capture gate on every document photo and refuses at most two
    # (glare, blur, darkness, framing...; web/hosted/flow.py), so a customer retakes those.
    # A separate stream, so that every figure above stays as it was.
    retake_rng = random.Random(f"retake:{args.seed}")
    flow_docs: list[DocSample] = []
    gate_refused: dict[str, int] = {}
    for doc in docs:
        current = doc
        for _ in range(2):
            report = check_capture(current.front_jpeg, side="front", kind=doc.kind)
            if report.ok:
                break
            for code in report.codes:
                gate_refused[code] = gate_refused.get(code, 0) + 1
            # A new photo under the evaluation's mix of conditions: the customer was told what
            # was wrong (glare: tilt the document), which is no guarantee it is gone.
            family = retake_rng.choice(DISTORTIONS)
            distortion = random_distortion(family, retake_rng, kind=doc.kind)
            rendered = render_document(
                doc.kind, doc.identity, doc.face, distortion, retake_rng.randrange(2**31)
            )
            again = f"{doc.distortion}, retaken {family}"
            current = _document_sample(
                matcher, doc.face, doc.kind, again, doc.identity, rendered, args
            )
        flow_docs.append(current)

    # Per frame its chip; descriptors follow per document sharpness (FrameVectors).
    selfie_sets: list[tuple[SourceFace, list[FrameVectors]]] = []
    selfie_ms: list[float] = []
    selfie_missing = 0
    for face in faces:
        for s in range(args.selfie_sets):
            vectors = []
            for f in range(args.frames):
                image = decode_image(render_selfie(face, seed=1000 * s + f + args.seed))
                t = time.perf_counter()
                selfie = matcher.analyse_selfie(image, f)
                if selfie.face is not None:
                    frame = FrameVectors(matcher, matcher.frame_chip(image, selfie).chip)
                    frame.vectors(1.0)  # the unblurred descriptors, timed with the frame
                    vectors.append(frame)
                else:
                    selfie_missing += 1
                selfie_ms.append((time.perf_counter() - t) * 1000)
            selfie_sets.append((face, vectors))

    first = _pairs(docs, selfie_sets, len(faces), args)
    genuine, impostor, genuine_labels, retakes = (
        first.genuine,
        first.impostor,
        first.genuine_labels,
        first.retakes,
    )
    flow = _pairs(flow_docs, selfie_sets, len(faces), args)

    # Real photos, pairwise: each original photo's portrait, embedded once.
    photo_vectors: dict[str, Vector] = {}
    for face in faces:
        image = face.portrait(480, 640)
        selfie = matcher.analyse_selfie(image, 0)
        if selfie.face is not None:
            photo_vectors[face.face_id] = matcher.embed(image, selfie.face)
    photo_impostor = [
        float(np.linalg.norm(photo_vectors[a] - photo_vectors[b]))
        for a, b in itertools.combinations(sorted(photo_vectors), 2)
    ]

    # End-to-end latency of FaceMatcher.match (document + 3 frames): one genuine pair per
    # distortion family, then one impostor pair per family (an impostor always compares every
    # frame). Wall time depends on what else runs on the machine; CPU time of this process less.
    match_ms: list[float] = []
    match_cpu_ms: list[float] = []
    for n, distortion_name in enumerate(DISTORTIONS * 2):
        face = faces[n % len(faces)]
        selfie_face = face if n < len(DISTORTIONS) else faces[(n + 1) % len(faces)]
        kind = DOCUMENT_KINDS[n % len(DOCUMENT_KINDS)]
        rendered = render_document(
            kind,
            random_identity(kind, rng),
            face,
            random_distortion(distortion_name, rng, kind=kind),
            5 + n,
        )
        document = decode_image(rendered.front_jpeg)
        frames = [decode_image(render_selfie(selfie_face, seed=77 + k)) for k in range(3)]
        t, cpu = time.perf_counter(), time.process_time()
        matcher.match(document, frames, _hint(rendered.truth["portrait_quad"]))
        match_ms.append((time.perf_counter() - t) * 1000)
        match_cpu_ms.append((time.process_time() - cpu) * 1000)

    all_impostor = impostor + photo_impostor
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "seed": args.seed,
                    "genuine": genuine,
                    "impostor": all_impostor,
                    # Compared in grey, per pair (the original photos' pairs are colour).
                    "genuine_grey": first.genuine_grey,
                    "impostor_grey": first.impostor_grey + [False] * len(photo_impostor),
                    "retakes": retakes,
                },
                handle,
            )
    print(
        f"faces: {len(faces)} people; documents: {len(docs)}; selfie sets: {len(selfie_sets)} x {args.frames} frames"
    )
    print(
        f"document portrait found with the reader's box hint: {sum(d.found_with_hint for d in docs)}/{len(docs)}"
    )
    if not args.no_hint_check:
        print(
            f"document portrait found without a hint:           {sum(bool(d.found_without_hint) for d in docs)}/{len(docs)}"
        )
    missed = [d.label + " " + d.face.face_id for d in docs if not d.found_with_hint]
    if missed:
        print("  missed (with hint):", ", ".join(missed))
    print(
        f"selfie frames without a usable face: {selfie_missing}/{len(faces) * args.selfie_sets * args.frames}"
    )
    print()
    print("distance (dlib 128-d Euclidean)")
    print(f"  genuine  (document vs best of {args.frames} selfies): {_percentiles(genuine)}")
    print(f"  impostor (document vs other people's selfies):  {_percentiles(impostor)}")
    print(f"  impostor (original photos, every pair):         {_percentiles(photo_impostor)}")
    print()
    midpoint, slope = _platt(genuine, all_impostor)
    print(f"Platt fit on these data: midpoint distance {midpoint:.3f}, slope {slope:.4f}")
    for mode, grey in (("grey", True), ("colour", False)):
        line = calibration.curve(grey=grey)
        match_d = calibration.distance_for_score(calibration.MATCH_THRESHOLD, grey=grey)
        review_d = calibration.distance_for_score(calibration.REVIEW_THRESHOLD, grey=grey)
        print(
            f"configured, {mode}: midpoint {line.midpoint:.3f}, slope {line.slope:.4f}, "
            f"match score >= {calibration.MATCH_THRESHOLD} (distance <= {match_d:.3f}), "
            f"review score >= {calibration.REVIEW_THRESHOLD} (distance <= {review_d:.3f})"
        )
    print(
        f"  pairs compared in grey: genuine {sum(first.genuine_grey)}/{len(genuine)}, "
        f"impostor {sum(first.impostor_grey)}/{len(impostor)}"
    )
    print()
    # The original photos are compared selfie against selfie, in colour.
    photo_scores = [calibration.score_from_distance(d) for d in photo_impostor]
    g_scores = first.genuine_scores()
    i_scores = first.impostor_scores() + photo_scores
    print("faceMatchScore")
    print(f"  genuine:  {_percentiles(g_scores)}")
    print(f"  impostor: {_percentiles(i_scores)}")
    print()
    accept, all_total = first.accepted()
    review_g = sum(
        calibration.REVIEW_THRESHOLD <= s < calibration.MATCH_THRESHOLD for s in g_scores
    )
    far = sum(s >= calibration.MATCH_THRESHOLD for s in i_scores)
    review_i = sum(
        calibration.REVIEW_THRESHOLD <= s < calibration.MATCH_THRESHOLD for s in i_scores
    )
    glared = [f"{d.face.face_id} {d.label} {d.glare:.2f}" for d in docs if d.glare > 0.0]
    blocky = [
        f"{d.face.face_id} {d.label} {d.embedding.blockiness:.2f}"
        for d in docs
        if d.embedding is not None and d.embedding.blockiness >= noise.BLOCKY
    ]
    print(f"at the default threshold (score >= {calibration.MATCH_THRESHOLD}):")
    print(
        f"  genuine accepted: {accept}/{len(g_scores)} compared = {100 * accept / max(len(g_scores), 1):.2f}%  (FRR {100 - 100 * accept / max(len(g_scores), 1):.2f}%), to review: {review_g}"
    )
    print(
        f"  genuine accepted of all genuine pairs (a portrait not found counts as not accepted, "
        f"{first.uncompared} pairs): {accept}/{all_total} = "
        f"{100 * accept / max(all_total, 1):.2f}%"
    )
    print(
        f"  impostor accepted: {far}/{len(i_scores)} = {100 * far / max(len(i_scores), 1):.3f}% (FAR), to review: {review_i}"
    )
    print(
        f"  sent back for a retake, document_portrait_glare (never accepted; the compared "
        f"ones are also in the review and mismatch counts above): genuine {retakes['genuine']}, "
        f"impostor {retakes['impostor']} (glare share >= {glare.RETAKE_SHARE})"
    )
    print("  portraits with glare (share):", ", ".join(glared) or "none")
    print(
        f"  portraits smoothed as JPEG-blocky (blockiness >= {noise.BLOCKY}): {len(blocky)}:",
        ", ".join(blocky) or "none",
    )
    print()
    retaken = sum(a is not b for a, b in zip(docs, flow_docs, strict=True))
    f_impostor = flow.impostor_scores() + photo_scores
    f_accept, f_total = flow.accepted()
    f_far = sum(s >= calibration.MATCH_THRESHOLD for s in f_impostor)
    print(
        "with the page's capture gate (check_capture on every document photo; a refused photo "
        "is taken again, at most twice, as web/hosted/flow.py does; each retake is a new photo "
        "under a random distortion family of this evaluation):"
    )
    print(
        f"  documents retaken: {retaken}/{len(docs)}; gate findings: "
        + (", ".join(f"{c} x{n}" for c, n in sorted(gate_refused.items())) or "none")
    )
    print(
        f"  genuine accepted: {f_accept}/{f_total} = {100 * f_accept / max(f_total, 1):.2f}% "
        f"(portrait not found: {flow.uncompared} pairs, not accepted); "
        f"impostor accepted: {f_far}/{len(f_impostor)}; glare retakes left: genuine "
        f"{flow.retakes['genuine']}, impostor {flow.retakes['impostor']}"
    )
    if flow.genuine_labels:
        worst = sorted(flow.genuine_labels, reverse=True)[:3]
        print("  farthest genuine:", "; ".join(f"{d:.3f} {label}" for d, label in worst))
    print()
    print("ROC points (distance threshold: FAR, FRR)")
    for threshold in (0.35, 0.40, 0.42, 0.45, 0.48, 0.50, 0.52, 0.55, 0.60):
        fa = sum(d <= threshold for d in all_impostor) / max(len(all_impostor), 1)
        fr = sum(d > threshold for d in genuine) / max(len(genuine), 1)
        print(
            f"  d <= {threshold:.2f} (grey score {calibration.score_from_distance(threshold, grey=True):.3f}): FAR {100 * fa:6.3f}%  FRR {100 * fr:6.2f}%"
        )
    print()
    print("closest impostors:", ", ".join(f"{d:.3f}" for d in sorted(all_impostor)[:5]))
    print(
        "farthest genuine:",
        "; ".join(f"{d:.3f} {label}" for d, label in sorted(genuine_labels, reverse=True)[:5]),
    )
    print()
    print(
        f"latency: models load {load_ms:.0f} ms; document detect+embed median {statistics.median(doc_ms):.0f} ms (p90 {np.percentile(doc_ms, 90):.0f}); "
        f"selfie frame detect+quality+embed median {statistics.median(selfie_ms):.0f} ms; "
        f"FaceMatcher.match (document + 3 frames, n={len(match_ms)}) median {statistics.median(match_ms):.0f} ms "
        f"(p90 {np.percentile(match_ms, 90):.0f}), process CPU median {statistics.median(match_cpu_ms):.0f} ms "
        f"(p90 {np.percentile(match_cpu_ms, 90):.0f}); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    _print_real_pairs(args)
    return 0


def _print_real_pairs(args: argparse.Namespace) -> None:
    """The real-photo table beside the synthetic one (eval/real_pairs.py; synthetic pairs
    re-render one photo per person, real pairs are different photos of one person)."""
    if args.real is None and args.real_dump is None:
        return
    print()
    if args.real_dump is not None and args.real_dump.exists():
        dump = json.loads(args.real_dump.read_text(encoding="utf-8"))
    elif args.real is None:
        raise SystemExit(f"{args.real_dump} does not exist; give --real DIR to measure it")
    else:
        dump = real_pairs.measure(args.real, docs=True, seed=args.seed)
        if args.real_dump is not None:
            args.real_dump.write_text(json.dumps(dump), encoding="utf-8")
    real_pairs.report(dump)


if __name__ == "__main__":
    sys.exit(main())
