"""Evaluate liveness on simulated genuine captures and simulated attacks (fixed seeds).

    .venv/bin/python eval/liveness.py [--genuine-seeds 2] [--attack-seeds 1] [--seed 5]
                                      [--no-variants] [--faces synth01 ...]

Genuine: every source face rendered as a 3-D head (MediaPipe mesh of the photo, textured and
re-posed) that turns as a random issued challenge asks, recorded the way the hosted page does
(1.5 s per instruction between two "get ready" segments, at most 24 frames at an even pace),
with random reaction times, amplitudes, lighting, background, camera noise and JPEG. Attacks (openkyc.specimens.selfies): a printed portrait tilted and
moved as the challenge asks; the portrait on a phone screen (moiré, glare, gamut), moved the
same way; one static selfie injected as every frame; a genuine-looking recording made for a
different challenge (replay). Prints APCER per attack type, BPCER, the score distributions,
what caught each attack (active vs passive evidence), and BPCER under capture variations the
renderer was not tuned on (half frame rate, low resolution + strong JPEG), and APCER when
the attacker sends half the frames or claims they were captured twice as far apart.

"With the retry" counts what the hosted page does: a burst that failed only because the
movements were missed (``liveness.retry``) is recorded once more for a fresh challenge, and the
second recording decides. Attacks get the same second chance: a print or a screen moved as the
new challenge asks, the same still, a replay of the same recording.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image

from openkyc.specimens.faces import SourceFace, source_faces
from openkyc.specimens.selfies import ATTACKS, render_selfie_frames
from openkyc.verification.liveness.challenge import issue_challenge
from openkyc.verification.liveness.checker import LivenessChecker
from openkyc.verification.liveness.results import LivenessResult
from openkyc.verification.liveness.retry import worth_another_recording

Frames = tuple[list[bytes], list[int]]


def _half_rate(frames: list[bytes], times: list[int]) -> Frames:
    return frames[::2], times[::2]


def _low_quality(frames: list[bytes], times: list[int]) -> Frames:
    out = []
    for frame in frames:
        image = Image.open(io.BytesIO(frame)).convert("RGB")
        image = image.resize(
            (image.width * 2 // 3, image.height * 2 // 3), Image.Resampling.BILINEAR
        )
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=55)
        out.append(buffer.getvalue())
    return out, times


def _claimed_slow(frames: list[bytes], times: list[int]) -> Frames:
    return frames, [2 * t for t in times]


VARIANTS: dict[str, Callable[[list[bytes], list[int]], Frames]] = {
    "half frame rate (12 frames)": _half_rate,
    "2/3 resolution + JPEG q55": _low_quality,
}
# A phone that records a frame only every ~626 ms, with the hosted page holding each of the five
# instructions until it has three frames (flow.js): 15 frames over 5 segments of ~1.9 s,
# rendered anew (the person has the longer segments to move in), not thinned out.
# (max_frames, segment_ms) per variant.
RERENDERED: dict[str, tuple[int, int]] = {
    "slow phone, page holds 3 frames an instruction (15 frames)": (15, 1878),
}
# An attacker chooses how many frames to send and which capture times to claim: every attack
# is also sent at half the frame rate, and with all its frames claimed twice as far apart
# (each frame then stands for more time in the movement evidence).
ATTACK_VARIANTS: dict[str, Callable[[list[bytes], list[int]], Frames]] = {
    "half frame rate": _half_rate,
    "times claimed 2x apart": _claimed_slow,
}


def _active_only(result: LivenessResult) -> bool:
    ev = result.evidence
    return (
        ev.get("challenge", 0.0) * ev.get("depth", 0.0) * ev.get("continuity", 0.0)
        >= result.threshold
    )


def _passive_flags(result: LivenessResult) -> bool:
    return result.evidence.get("passive", 1.0) < result.threshold


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--genuine-seeds", type=int, default=2)
    parser.add_argument("--attack-seeds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-variants", action="store_true")
    parser.add_argument(
        "--faces", nargs="+", metavar="FACE_ID", help="only these source faces (e.g. synth01)"
    )
    args = parser.parse_args()

    checker = LivenessChecker()
    rng = random.Random(args.seed)
    faces = [f for f in source_faces() if not args.faces or f.face_id in args.faces]
    if not faces:
        parser.error(f"no source face among {args.faces}")
    results: dict[str, list[LivenessResult]] = defaultdict(list)
    failures: dict[str, list[str]] = defaultdict(list)
    check_ms: list[float] = []
    variant_results: dict[str, list[bool | None]] = defaultdict(list)
    attack_variants: dict[tuple[str, str], list[bool | None]] = defaultdict(list)
    # A separate stream, so that the retries leave every other draw (and figure) as it was.
    retry_rng = random.Random(f"retry:{args.seed}")
    retried: dict[str, list[bool | None]] = defaultdict(list)

    def with_retry(
        key: str,
        result: LivenessResult,
        face: SourceFace,
        transform: Callable[[list[bytes], list[int]], Frames] | None = None,
        **options: Any,
    ) -> None:
        if not worth_another_recording(result):
            retried[key].append(result.passed)
            return
        again = issue_challenge(retry_rng)
        r_frames, r_times = render_selfie_frames(face, again, retry_rng.randrange(2**31), **options)
        if transform is not None:
            r_frames, r_times = transform(r_frames, r_times)
        retried[key].append(checker.check(r_frames, r_times, again).passed)

    for face in faces:
        for s in range(args.genuine_seeds):
            challenge = issue_challenge(rng)
            seed = rng.randrange(2**31)
            frames, times = render_selfie_frames(face, challenge, seed)
            started = time.perf_counter()
            result = checker.check(frames, times, challenge)
            check_ms.append((time.perf_counter() - started) * 1000)
            results["genuine"].append(result)
            with_retry("genuine", result, face)
            if result.passed is not True:
                observed = result.challenge.observed if result.challenge else ()
                failures["genuine"].append(
                    f"{face.face_id}#{s} {challenge.steps} saw {observed} {result.reasons}"
                )
            if not args.no_variants and s == 0:
                for name, variant in VARIANTS.items():
                    v_frames, v_times = variant(frames, times)
                    v_result = checker.check(v_frames, v_times, challenge)
                    variant_results[name].append(v_result.passed)
                    with_retry(name, v_result, face, variant)
                for name, (most, segment) in RERENDERED.items():
                    v_frames, v_times = render_selfie_frames(
                        face, challenge, seed, max_frames=most, segment_ms=segment
                    )
                    v_result = checker.check(v_frames, v_times, challenge)
                    variant_results[name].append(v_result.passed)
                    with_retry(name, v_result, face, max_frames=most, segment_ms=segment)
        for attack in ATTACKS:
            for s in range(args.attack_seeds):
                challenge = issue_challenge(rng)
                frames, times = render_selfie_frames(
                    face, challenge, rng.randrange(2**31), attack=attack
                )
                result = checker.check(frames, times, challenge)
                results[attack].append(result)
                with_retry(attack, result, face, attack=attack)
                if result.passed is not False:
                    failures[attack].append(f"{face.face_id}#{s} score {result.score}")
                for name, variant in ATTACK_VARIANTS.items():
                    v_frames, v_times = variant(frames, times)
                    v_result = checker.check(v_frames, v_times, challenge)
                    attack_variants[(attack, name)].append(v_result.passed)
                    if v_result.passed is not False:
                        failures[f"{attack} ({name})"].append(f"{face.face_id}#{s}")

    genuine = results["genuine"]
    bpcer = sum(r.passed is not True for r in genuine) / len(genuine)
    print(
        f"source faces: {len(faces)}; genuine sequences: {len(genuine)}; attack sequences per type: {len(results[ATTACKS[0]])}"
    )
    print(f"threshold: livenessScore >= {genuine[0].threshold}")
    print()
    print(
        f"{'presentation':<12} {'n':>4} {'error':>12}  {'score median [min, max]':<28} caught by active / by passive"
    )
    print(
        f"{'genuine':<12} {len(genuine):>4} BPCER {100 * bpcer:5.1f}%  "
        f"{statistics.median(r.score for r in genuine):.3f} [{min(r.score for r in genuine):.3f}, {max(r.score for r in genuine):.3f}]"
    )
    for attack in ATTACKS:
        rs = results[attack]
        apcer = sum(r.passed is not False for r in rs) / len(rs)
        active = sum(not _active_only(r) for r in rs)
        passive = sum(_passive_flags(r) for r in rs)
        print(
            f"{attack:<12} {len(rs):>4} APCER {100 * apcer:5.1f}%  "
            f"{statistics.median(r.score for r in rs):.3f} [{min(r.score for r in rs):.3f}, {max(r.score for r in rs):.3f}]"
            f"{'':>6}{active}/{len(rs)} / {passive}/{len(rs)}"
        )
    print()
    print("reason codes per presentation type:")
    for kind in ("genuine", *ATTACKS):
        counts = Counter(code for r in results[kind] for code in r.reasons)
        print(f"  {kind:<10} " + (", ".join(f"{c} x{n}" for c, n in counts.most_common()) or "-"))
    print()
    protrusion = [
        r.depth.nose_protrusion for r in genuine if r.depth and r.depth.nose_protrusion is not None
    ]
    if protrusion:
        print(
            f"genuine nose protrusion (face widths): median {statistics.median(protrusion):.3f}, min {min(protrusion):.3f}"
        )
    for attack in ("print", "screen"):
        values = [
            r.depth.nose_protrusion
            for r in results[attack]
            if r.depth and r.depth.nose_protrusion is not None
        ]
        measured = f"{len(values)} with a measurable turn" + (
            f", max {max(values):.3f}" if values else ""
        )
        print(f"{attack} nose protrusion: {measured} of {len(results[attack])}")
    moire_g = [r.passive.moire_peak for r in genuine if r.passive]
    print(
        f"moiré peak: genuine max {max(moire_g):.2f}; "
        + "; ".join(
            f"{a} min {min(r.passive.moire_peak for r in results[a] if r.passive):.2f}"
            for a in ("print", "screen")
            if any(r.passive for r in results[a])
        )
    )
    if variant_results:
        print()
        print("BPCER under capture variations (the first genuine sequence of every face):")
        for name, passed in variant_results.items():
            print(
                f"  {name:<28} {100 * sum(p is not True for p in passed) / len(passed):5.1f}% of {len(passed)}"
            )
    print()
    print("APCER when the attacker sends fewer frames or claims slower capture:")
    for (attack, name), passed in attack_variants.items():
        apcer = 100 * sum(p is not False for p in passed) / len(passed)
        print(f"  {attack:<10} {name:<24} {apcer:5.1f}% of {len(passed)}")
    print()
    print("with the page's one retry for missed movements (a fresh challenge, recorded anew):")
    for key, passed in retried.items():
        is_attack = key in ATTACKS
        label = "APCER" if is_attack else "BPCER"
        errors = sum((p is not False) if is_attack else (p is not True) for p in passed)
        share = 100 * errors / len(passed)
        print(f"  {key:<28} {label} {share:5.1f}% of {len(passed)}")
    print()
    print(
        f"latency of LivenessChecker.check: median {statistics.median(check_ms):.0f} ms, p90 {np.percentile(check_ms, 90):.0f} ms "
        f"(median {statistics.median(r.continuity.frames for r in genuine):.0f} frames of 480x640)"
    )
    for kind, items in failures.items():
        print(f"\n{kind} errors:")
        for item in items:
            print("  " + item)
    return 0


if __name__ == "__main__":
    sys.exit(main())
