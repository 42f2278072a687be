"""Build the real-photo face set: several different photographs of the same real people.

    .venv/bin/python eval/real_faces.py --from /work/.mirror --out /work/data/faces-real

The synthetic evaluation of eval/face.py re-renders one photo per person, which says little
about two *different* photos of one person. This script copies real photographs, with their
identity labels, out of public repositories fetched beforehand (bare git mirrors, one folder
per repository named ``owner+name`` holding ``repo`` or the git directory itself), at fixed
commits, into ``OUT/images/<person>/`` and writes ``OUT/manifest.csv``: person, file, source
repository, path, commit, licence. The images stay outside this repository (their licences do
not let us ship them); eval/real_faces_manifest.csv is a copy of the manifest.

Sources (serengil/deepface's images are the held-out set and are never used):
* Labeled Faces in the Wild, as committed in exadel-inc/CompreFace: news photos of 2002-2004
  labelled by name; ``--lfw-people`` people with at least four photos, chosen by the SHA-1 of
  the name (no look at the images), their first four photos;
* face-api.js's examples: five TV stills of each of eight actors;
* face_recognition's examples and a pull request's SVM example: press photos of public
  figures, two to five each;
* OpenFace's examples: two photos each of John Lennon and Eric Clapton.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LFW = "exadel-inc/CompreFace"
LFW_COMMIT = "d59f1e301e616419d4a9cd8b285385f14a87fb06"
LFW_ROOT = "test_comp_models/lfw"
LFW_LICENCE = (
    "Labeled Faces in the Wild (UMass Amherst), news photographs collected from the web; "
    "no licence granted, copyright of the original photographers; research use"
)
LFW_PHOTOS = 4

FACE_API = "justadudewhohacks/face-api.js"
FACE_API_COMMIT = "a86f011d72124e5fb93e59d5c4ab98f699dd5c9c"
FACE_API_LICENCE = (
    "repository MIT; TV stills of The Big Bang Theory, copyright of their owners, no licence stated"
)
FACE_API_ACTORS = {
    "amy": "Mayim_Bialik",
    "bernadette": "Melissa_Rauch",
    "howard": "Simon_Helberg",
    "leonard": "Johnny_Galecki",
    "penny": "Kaley_Cuoco",
    "raj": "Kunal_Nayyar",
    "sheldon": "Jim_Parsons",
    "stuart": "Kevin_Sussman",
}

FACE_RECOGNITION = "ageitgey/face_recognition"
FACE_RECOGNITION_COMMIT = "2e2dccea9dd0ce730c8d464d0f67c6eebb40c9d1"
# A pull request's example data set (refs/pull/..., merge commit), not on the default branch.
SVM_COMMIT = "7ebcdeba1510ed60767fea9cea93c3afff6697ee"
FACE_RECOGNITION_LICENCE = (
    "repository MIT; press photographs of public figures, licence not stated (US government "
    "portraits of Obama and Biden are public domain)"
)
_SVM = "examples/face_recognition_svm_proba/people_dataset"
FACE_RECOGNITION_FILES: tuple[tuple[str, str, str], ...] = (
    (FACE_RECOGNITION_COMMIT, "examples/obama.jpg", "Barack_Obama"),
    (FACE_RECOGNITION_COMMIT, "examples/obama2.jpg", "Barack_Obama"),
    (FACE_RECOGNITION_COMMIT, "tests/test_images/obama3.jpg", "Barack_Obama"),
    (FACE_RECOGNITION_COMMIT, "examples/knn_examples/test/obama1.jpg", "Barack_Obama"),
    (FACE_RECOGNITION_COMMIT, "examples/knn_examples/train/obama/obama.jpg", "Barack_Obama"),
    (FACE_RECOGNITION_COMMIT, "examples/knn_examples/train/obama/obama2.jpg", "Barack_Obama"),
    (FACE_RECOGNITION_COMMIT, "examples/biden.jpg", "Joe_Biden"),
    (FACE_RECOGNITION_COMMIT, "examples/knn_examples/train/biden/biden.jpg", "Joe_Biden"),
    (FACE_RECOGNITION_COMMIT, "examples/knn_examples/train/biden/biden2.jpg", "Joe_Biden"),
    (
        FACE_RECOGNITION_COMMIT,
        "examples/knn_examples/train/kit_harington/john1.jpeg",
        "Kit_Harington",
    ),
    (
        FACE_RECOGNITION_COMMIT,
        "examples/knn_examples/train/kit_harington/john2.jpeg",
        "Kit_Harington",
    ),
    (FACE_RECOGNITION_COMMIT, "examples/knn_examples/test/johnsnow_test1.jpg", "Kit_Harington"),
    (FACE_RECOGNITION_COMMIT, "examples/knn_examples/train/rose_leslie/img1.jpg", "Rose_Leslie"),
    (FACE_RECOGNITION_COMMIT, "examples/knn_examples/train/rose_leslie/img2.jpg", "Rose_Leslie"),
    (
        FACE_RECOGNITION_COMMIT,
        "examples/knn_examples/train/alex_lacamoire/img1.jpg",
        "Alex_Lacamoire",
    ),
    (FACE_RECOGNITION_COMMIT, "examples/knn_examples/test/alex_lacamoire1.jpg", "Alex_Lacamoire"),
    (FACE_RECOGNITION_COMMIT, "examples/alex-lacamoire.png", "Alex_Lacamoire"),
    (SVM_COMMIT, f"{_SVM}/train/guido_van_rossum/guido_van_rossum1.jpg", "Guido_van_Rossum"),
    (SVM_COMMIT, f"{_SVM}/train/guido_van_rossum/guido_van_rossum2.jpg", "Guido_van_Rossum"),
    (SVM_COMMIT, f"{_SVM}/train/guido_van_rossum/guido_van_rossum3.jpg", "Guido_van_Rossum"),
    (SVM_COMMIT, f"{_SVM}/train/guido_van_rossum/guido_van_rossum4.jpg", "Guido_van_Rossum"),
    (SVM_COMMIT, f"{_SVM}/test/test_guido_van_rossum.jpg", "Guido_van_Rossum"),
    (SVM_COMMIT, f"{_SVM}/train/paul_allen/paul_allen.jpg", "Paul_Allen"),
    (SVM_COMMIT, f"{_SVM}/train/paul_allen/paul_allen2.jpg", "Paul_Allen"),
    (SVM_COMMIT, f"{_SVM}/train/paul_allen/paul_allen3.jpg", "Paul_Allen"),
    (SVM_COMMIT, f"{_SVM}/train/paul_allen/paul_allen4.jpg", "Paul_Allen"),
    (SVM_COMMIT, f"{_SVM}/test/test_paul_allen.jpg", "Paul_Allen"),
    (SVM_COMMIT, f"{_SVM}/train/steve_wozniak/steve_wozniak1.jpg", "Steve_Wozniak"),
    (SVM_COMMIT, f"{_SVM}/train/steve_wozniak/steve_wozniak2.jpg", "Steve_Wozniak"),
    (SVM_COMMIT, f"{_SVM}/train/steve_wozniak/steve_wozniak3.jpg", "Steve_Wozniak"),
    (SVM_COMMIT, f"{_SVM}/train/steve_wozniak/steve_wozniak4.jpg", "Steve_Wozniak"),
    (SVM_COMMIT, f"{_SVM}/test/test_steve_wozniak.jpg", "Steve_Wozniak"),
)

OPENFACE = "cmusatyalab/openface"
OPENFACE_COMMIT = "051475225b5ae335918621077313085bbb7ab5a0"
OPENFACE_LICENCE = "repository Apache-2.0; photographs' licence not stated"
OPENFACE_FILES = (
    ("images/examples/lennon-1.jpg", "John_Lennon"),
    ("images/examples/lennon-2.jpg", "John_Lennon"),
    ("images/examples/clapton-1.jpg", "Eric_Clapton"),
    ("images/examples/clapton-2.jpg", "Eric_Clapton"),
)

MANIFEST_FIELDS = ("person", "file", "source", "repo", "path", "commit", "licence")


@dataclass(frozen=True, slots=True)
class Entry:
    person: str
    source: str  # lfw, face-api, face_recognition, openface
    repo: str
    path: str
    commit: str
    licence: str


def _git_dir(roots: list[Path], repo: str) -> Path:
    name = repo.replace("/", "+")
    for root in roots:
        for candidate in (root / name / "repo", root / name):
            if (candidate / "HEAD").is_file():
                return candidate
    raise SystemExit(f"no mirror of {repo} under {', '.join(map(str, roots))} (fetch it first)")


def _git(git_dir: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(git_dir), *args], check=True, capture_output=True
    ).stdout


def lfw_entries(git_dir: Path, people: int) -> list[Entry]:
    """``people`` LFW people with at least LFW_PHOTOS photos, in SHA-1 order of their names."""
    listing = _git(git_dir, "ls-tree", "-r", "--name-only", LFW_COMMIT, "--", LFW_ROOT)
    by_person: dict[str, list[str]] = {}
    for line in listing.decode().splitlines():
        parts = line.split("/")
        if len(parts) == 4 and parts[3].endswith(".jpg"):
            by_person.setdefault(parts[2], []).append(line)
    eligible = [p for p, files in by_person.items() if len(files) >= LFW_PHOTOS]
    chosen = sorted(eligible, key=lambda p: hashlib.sha1(p.encode()).hexdigest())[:people]
    return [
        Entry(person, "lfw", LFW, path, LFW_COMMIT, LFW_LICENCE)
        for person in sorted(chosen)
        for path in sorted(by_person[person])[:LFW_PHOTOS]
    ]


def curated_entries() -> list[Entry]:
    out = [
        Entry(
            f"{actor}",
            "face-api",
            FACE_API,
            f"examples/images/{folder}/{folder}{n}.png",
            FACE_API_COMMIT,
            FACE_API_LICENCE,
        )
        for folder, actor in FACE_API_ACTORS.items()
        for n in range(1, 6)
    ]
    out += [
        Entry(person, "face_recognition", FACE_RECOGNITION, path, commit, FACE_RECOGNITION_LICENCE)
        for commit, path, person in FACE_RECOGNITION_FILES
    ]
    out += [
        Entry(person, "openface", OPENFACE, path, OPENFACE_COMMIT, OPENFACE_LICENCE)
        for path, person in OPENFACE_FILES
    ]
    return out


def build(roots: list[Path], out: Path, lfw_people: int) -> list[dict[str, str]]:
    entries = lfw_entries(_git_dir(roots, LFW), lfw_people) + curated_entries()
    rows: list[dict[str, str]] = []
    seen: dict[str, str] = {}
    for entry in entries:
        data = _git(_git_dir(roots, entry.repo), "show", f"{entry.commit}:{entry.path}")
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            # The same file committed twice (face_recognition keeps copies): one photo, once.
            print(f"skip {entry.repo}:{entry.path}: same bytes as {seen[digest]}")
            continue
        seen[digest] = f"{entry.repo}:{entry.path}"
        count = sum(1 for row in rows if row["person"] == entry.person)
        suffix = Path(entry.path).suffix.lower()
        file = f"images/{entry.person}/{count + 1:02d}{suffix}"
        (out / file).parent.mkdir(parents=True, exist_ok=True)
        (out / file).write_bytes(data)
        rows.append(
            {
                "person": entry.person,
                "file": file,
                "source": entry.source,
                "repo": entry.repo,
                "path": entry.path,
                "commit": entry.commit,
                "licence": entry.licence,
            }
        )
    with (out / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return rows


def read_manifest(root: Path) -> list[dict[str, str]]:
    with (root / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="roots", nargs="+", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--lfw-people", type=int, default=70)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = build(args.roots, args.out, args.lfw_people)
    people = {row["person"] for row in rows}
    print(f"{len(rows)} photos of {len(people)} people in {args.out} (manifest.csv)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
