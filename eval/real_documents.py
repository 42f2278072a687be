"""Evaluate the document reader on real scans and photos of specimen documents.

    .venv/bin/python eval/real_documents.py --dir /work/data/mrz-real/arg0s1080-mrz
    .venv/bin/python eval/real_documents.py --dir DIR --rebuild-from MIRROR...  # copy the images

The images are not in the repository: ``eval/real_documents_manifest.json`` names each file,
where it comes from (repository, commit, path), its licence and the zone as printed.
``--rebuild-from`` takes the git directories of fetched mirrors of those repositories (the
``fetch`` tool's ``/work/.mirror/<owner>+<name>/repo``: Arg0s1080/mrz and
regulaforensics/DocumentReader-web-python-client) and writes the images into ``--dir`` first.

Prints, per document: what was expected (verified or, where the printed zone fails its own
check digits, refused) and what the reader did; then the count of documents whose key fields
(number, birth date, expiry date, surname) are exact among those whose printed zone is valid,
and every field the reader reported verified with any character wrong (the figure that must be
0), including a verified reading of a zone that fails as printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from report import pct, percentiles

from openkyc.verification.document import DocumentReader, DocumentResult
from openkyc.verification.document.interpret import interpret
from openkyc.verification.document.mrz_parse import parse

MANIFEST = Path(__file__).with_name("real_documents_manifest.json")
TODAY = dt.date(2026, 1, 15)
KEY_FIELDS = ("number", "birth_date", "expiry_date", "surname")
# Every field the reader reports as read from (and verified by) the zone.
ZONE_FIELDS = (
    "document_type", "issuing_country", "number", "surname", "given_names", "sex", "birth_date",
    "nationality", "expiry_date", "personal_number",
)  # fmt: skip


def rebuild(manifest: dict[str, Any], mirrors: list[Path], out: Path) -> None:
    """Each image from the first mirror that holds its commit and path."""
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for doc in manifest["documents"]:
        source = doc["source"]
        for mirror in mirrors:
            shown = subprocess.run(
                ["git", "-C", str(mirror), "show", f"{source['commit']}:{source['path']}"],
                capture_output=True,
            )
            if shown.returncode == 0:
                (out / doc["file"]).write_bytes(shown.stdout)
                written += 1
                break
        else:
            print(f"not in any mirror given: {source['repository']} {source['path']}")
    print(f"{written} images written to {out}")


def _expected(lines: list[str]) -> tuple[bool, dict[str, Any]]:
    mrz = parse(lines)
    fields = interpret(mrz, TODAY)
    values = {name: getattr(fields, name, None) for name in ZONE_FIELDS}
    return mrz.valid, values


def _wrong_fields(result: DocumentResult, expected: dict[str, Any]) -> list[str]:
    wrong = []
    for name in ZONE_FIELDS:
        got, want = getattr(result, name), expected.get(name)
        if got is not None and got != want:
            wrong.append(f"{name}: {got!r} != {want!r}")
    return wrong


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--rebuild-from", type=Path, nargs="+", default=None)
    parser.add_argument("--no-visual-zone", action="store_true")
    args = parser.parse_args()
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    if args.rebuild_from is not None:
        rebuild(manifest, args.rebuild_from, args.dir)
    reader = DocumentReader(visual_zone=not args.no_visual_zone)
    valid_docs = key_exact = refused_valid = 0
    verified_wrong: list[str] = []
    latencies: list[float] = []
    for doc in manifest["documents"]:
        path = args.dir / doc["file"]
        if not path.is_file():
            print(f"MISSING {path} (run with --rebuild-from)", file=sys.stderr)
            return 2
        printed_valid, expected = _expected(doc["mrz"])
        started = time.perf_counter()
        result = reader.read(path.read_bytes(), today=TODAY)
        latencies.append(1000 * (time.perf_counter() - started))
        lines_exact = result.mrz_lines == tuple(doc["mrz"])
        if printed_valid:
            valid_docs += 1
            exact = result.valid and all(getattr(result, k) == expected[k] for k in KEY_FIELDS)
            key_exact += exact
            refused_valid += not result.valid
            outcome = "exact" if exact else ("REFUSED" if not result.valid else "KEY WRONG")
        else:
            outcome = "refused (zone fails as printed)" if not result.valid else "VERIFIED"
        wrong = _wrong_fields(result, expected) if result.valid else []
        if result.valid and not printed_valid:
            wrong.append("a zone whose check digits fail as printed was reported verified")
        if result.valid and not lines_exact:
            wrong.append(f"zone {result.mrz_lines} != {tuple(doc['mrz'])}")
        if wrong:
            verified_wrong.append(f"{doc['file']}: " + "; ".join(wrong))
        codes = ",".join(f.code for f in result.findings)
        print(f"{doc['file']:38} {'valid' if printed_valid else 'invalid':7} {outcome:32} {codes}")
    p50, p95 = percentiles(latencies)
    print(
        f"\n{len(manifest['documents'])} documents ({valid_docs} with a valid printed zone): "
        f"key fields exact {key_exact}/{valid_docs} ({pct(key_exact, valid_docs).strip()}), "
        f"refused {refused_valid}; fields reported verified with a wrong character: "
        f"{len(verified_wrong)}; latency p50 {p50:.0f} ms, p95 {p95:.0f} ms"
    )
    for line in verified_wrong:
        print(f"  VERIFIED WRONG {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
