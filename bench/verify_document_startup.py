"""Start-to-result time of ``openkyc verify-document IMAGE`` (issue 26: goal <= 2 s).

    .venv/bin/python bench/verify_document_startup.py [--runs 7] [--image PHOTO] [--phases]

Runs the console script on one photo (a rendered clean KZ passport unless --image is given)
``--runs`` times as separate processes and prints the median and the slowest wall time, and the
median CPU time (user + system) of the child, which other load on the machine barely changes.

Python's bytecode cache matters more than anything else here: with ``PYTHONDONTWRITEBYTECODE=1``
and no ``.pyc`` beside the sources (an editable or ``uv pip`` install leaves none) every module is
compiled on every run. The bench measures both: ``cached`` runs with a private
``PYTHONPYCACHEPREFIX`` warmed by one untimed run (what an installed package or a second run
sees), ``uncached`` runs with the cache off. ``--phases`` adds, in one process, where the time
goes: importing the command line, importing the reader, building it, reading, the capture check.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
_SCRIPT = Path(sys.executable).with_name("openkyc")

_PHASES = """
import time
t0, c0 = time.perf_counter(), time.process_time()
marks = []
def mark(name):
    marks.append((name, time.perf_counter(), time.process_time()))
import openkyc.cli.main
mark("import openkyc.cli.main")
from openkyc.verification.document import DocumentReader
mark("import the reader")
reader = DocumentReader()
mark("build the reader (models)")
data = open({image!r}, "rb").read()
result = reader.read(data)
mark("read")
from openkyc.verification.quality import check_capture
check_capture(data, side="front", kind=result.kind)
mark("capture check")
last_t, last_c = t0, c0
for name, t, c in marks:
    print(f"  {{name:28}} wall {{1000 * (t - last_t):6.0f}} ms  cpu {{1000 * (c - last_c):6.0f}} ms")
    last_t, last_c = t, c
"""


def _sample_image(folder: Path) -> Path:
    from openkyc.specimens.documents import random_distortion, random_identity, render_document
    from openkyc.specimens.faces import source_faces

    rng = random.Random(3)
    identity = random_identity("kz_passport", rng)
    distortion = random_distortion("clean", rng, kind="kz_passport")
    doc = render_document("kz_passport", identity, source_faces()[0], distortion, 5)
    path = folder / "kz_passport.jpg"
    path.write_bytes(doc.front_jpeg)
    return path


def _run(image: Path, env: dict[str, str]) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [str(_SCRIPT), "verify-document", str(image)], env=env, capture_output=True, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def _series(label: str, image: Path, env: dict[str, str], runs: int) -> None:
    walls, cpus, codes = [], [], set()
    for _ in range(runs):
        wall, cpu, code = _run(image, env)
        walls.append(wall)
        cpus.append(cpu)
        codes.add(code)
    print(
        f"{label:9} runs {runs}: wall median {statistics.median(walls):.2f} s, "
        f"max {max(walls):.2f} s; cpu median {statistics.median(cpus):.2f} s; exit codes {sorted(codes)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--image", type=Path, default=None)
    parser.add_argument("--phases", action="store_true")
    parser.add_argument("--no-uncached", action="store_true", help="Skip the uncached series.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="openkyc-startup-") as tmp:
        folder = Path(tmp)
        image = args.image or _sample_image(folder)
        base = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached = {**base, "PYTHONPYCACHEPREFIX": str(folder / "pycache")}
        uncached = {**base, "PYTHONDONTWRITEBYTECODE": "1",
                    "PYTHONPYCACHEPREFIX": str(folder / "empty")}  # fmt: skip
        print(f"openkyc verify-document {image.name}; load average {os.getloadavg()[0]:.1f}")
        _run(image, cached)  # fills the private bytecode cache
        _series("cached", image, cached, args.runs)
        if not args.no_uncached:
            _series("uncached", image, uncached, args.runs)
        if args.phases:
            print("phases, one process, bytecode cached:")
            code = _PHASES.format(image=str(image))
            subprocess.run([sys.executable, "-c", code], env=cached, check=True, cwd=_ROOT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
