"""``openkyc specimens`` and ``openkyc verify-document``: registered on the main app by
:func:`register`."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import typer

_KINDS_HELP = (
    "ru_internal_passport, ru_international_passport, kz_passport, kz_id_card, td3_passport, "
    "td1_id_card, td2_document, visa, or 'all'"
)


def specimens_command(
    out: Path = typer.Option(Path("specimens"), "--out", "-o", help="Output folder."),
    kind: str = typer.Option("all", "--kind", "-k", help=_KINDS_HELP),
    count: int = typer.Option(1, "--count", "-n", min=1, help="Specimens per kind."),
    distortion: str = typer.Option(
        "random",
        "--distortion",
        "-d",
        help="A distortion family (clean, blur, glare...) or 'random'.",
    ),
    seed: int = typer.Option(7, "--seed", help="Seed: the same seed gives the same files."),
    face_id: str | None = typer.Option(None, "--face", help="Source face id (default: rotate)."),
    selfie: bool = typer.Option(
        True, "--selfie/--no-selfie", help="Also write the person's selfie."
    ),
    frames: bool = typer.Option(
        False,
        "--frames/--no-frames",
        help="Also write a selfie frame burst for a random challenge.",
    ),
    challenge: str | None = typer.Option(
        None,
        "--challenge",
        help='Render the frame burst for this issued challenge: JSON {"steps": [...]} (as the '
        "hosted page's session holds it) or a file; implies --frames.",
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="Documents are valid on this date (YYYY-MM-DD; default today): an expired one is "
        "moved forward by whole years. 'drawn' keeps the drawn dates (the evaluations' seeds).",
    ),
) -> None:
    """Render synthetic documents photographed on a table, with ground truth JSON."""
    from openkyc.specimens.documents import (
        DISTORTION_NAMES,
        DOCUMENT_KINDS,
        random_distortion,
        random_identity,
        render_document,
        valid_on,
    )
    from openkyc.specimens.faces import face_by_id, source_faces
    from openkyc.verification.liveness.challenge import Challenge

    issued: Challenge | None = None
    if challenge is not None:
        path = Path(challenge)
        text = path.read_text(encoding="utf-8") if path.is_file() else challenge
        try:
            issued = Challenge.from_json(json.dumps(json.loads(text)))
        except (ValueError, TypeError, KeyError) as error:
            raise typer.BadParameter(str(error), param_hint="--challenge") from None
        frames = True
    valid_date: dt.date | None = dt.date.today()
    if as_of == "drawn":
        valid_date = None
    elif as_of is not None:
        try:
            valid_date = dt.date.fromisoformat(as_of)
        except ValueError:
            raise typer.BadParameter("YYYY-MM-DD or 'drawn'", param_hint="--as-of") from None
    kinds = DOCUMENT_KINDS if kind == "all" else tuple(k.strip() for k in kind.split(","))
    unknown = [k for k in kinds if k not in DOCUMENT_KINDS]
    if unknown:
        raise typer.BadParameter(f"unknown kind(s) {unknown}; choose from {_KINDS_HELP}")
    if distortion != "random" and distortion not in DISTORTION_NAMES:
        raise typer.BadParameter(f"unknown distortion; choose from {', '.join(DISTORTION_NAMES)}")
    faces = [face_by_id(face_id)] if face_id else source_faces()
    # Reproducible synthetic data, not secrets: a seeded PRNG is the point.
    rng = random.Random(seed)  # noqa: S311
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for index in range(count):
        for kind_name in kinds:
            face = faces[(index * len(kinds) + kinds.index(kind_name)) % len(faces)]
            family = rng.choice(DISTORTION_NAMES) if distortion == "random" else distortion
            identity = random_identity(kind_name, rng)
            if valid_date is not None:
                identity = valid_on(identity, valid_date)
            doc = render_document(
                kind_name,
                identity,
                face,
                random_distortion(family, rng, kind=kind_name),
                rng.randrange(2**31),
            )
            stem = out / f"{kind_name}_{index:03d}"
            stem.with_name(stem.name + "_front.jpg").write_bytes(doc.front_jpeg)
            truth: dict[str, Any] = dict(doc.truth)
            truth["files"] = {"front": stem.name + "_front.jpg"}
            if doc.back_jpeg is not None:
                stem.with_name(stem.name + "_back.jpg").write_bytes(doc.back_jpeg)
                truth["files"]["back"] = stem.name + "_back.jpg"
            truth["face_origin"], truth["face_licence"] = face.origin, face.licence
            if selfie or frames:
                truth["files"].update(
                    _write_selfies(
                        face,
                        stem,
                        rng.randrange(2**31),
                        selfie=selfie,
                        frames=frames,
                        challenge=issued,
                    )
                )
            stem.with_name(stem.name + ".json").write_text(
                json.dumps(truth, ensure_ascii=False, indent=2)
            )
            written += 1
    typer.echo(f"wrote {written} specimen(s) to {out}")


def _write_selfies(
    face: Any, stem: Path, seed: int, *, selfie: bool, frames: bool, challenge: Any = None
) -> dict[str, Any]:
    """The same source face as a selfie and a challenge burst, via the face engineer's module."""
    from openkyc.specimens import selfies
    from openkyc.verification.liveness.challenge import issue_challenge

    files: dict[str, Any] = {}
    if selfie:
        path = stem.with_name(stem.name + "_selfie.jpg")
        path.write_bytes(selfies.render_selfie(face, seed))
        files["selfie"] = path.name
    if frames:
        if challenge is None:
            challenge = issue_challenge(random.Random(seed))  # noqa: S311
        burst, times = selfies.render_selfie_frames(face, challenge, seed)
        folder = stem.with_name(stem.name + "_frames")
        folder.mkdir(exist_ok=True)
        for i, frame in enumerate(burst):
            (folder / f"{i:03d}.jpg").write_bytes(frame)
        # What `openkyc verify --selfie-frames FOLDER` reads beside the frames.
        (folder / "challenge.json").write_text(json.dumps({"steps": list(challenge.steps)}))
        (folder / "times.json").write_text(json.dumps(list(times)))
        files["frames"] = {
            "folder": folder.name,
            "challenge": list(challenge.steps),
            "timestamps_ms": times,
        }
    return files


def verify_document_command(
    image: Path = typer.Argument(..., exists=True, dir_okay=False, help="Front (or data page)."),
    image_back: Path | None = typer.Argument(None, exists=True, dir_okay=False, help="Back side."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    no_visual_zone: bool = typer.Option(False, "--no-visual-zone", help="Skip tesseract fields."),
) -> None:
    """Read a document photo: MRZ fields, check digits, quality findings and timings."""
    from openkyc.verification.document import DocumentReader
    from openkyc.verification.quality import check_capture

    front = image.read_bytes()
    back = image_back.read_bytes() if image_back is not None else None
    result = DocumentReader(visual_zone=not no_visual_zone).read(front, back)
    # The kind read from the zone tells the capture checks where the photo and the zone belong.
    quality = {"front": check_capture(front, side="front", kind=result.kind)}
    if back is not None:
        quality["back"] = check_capture(back, side="back", kind=result.kind)
    payload = result.to_json()
    payload["quality"] = {
        side: {
            "ok": report.ok,
            "findings": [{"code": f.code, "detail": f.detail} for f in report.findings],
            "metrics": report.metrics,
            "ms": report.timings[0].ms if report.timings else None,
        }
        for side, report in quality.items()
    }
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    status = "valid" if result.valid else ("found, not verified" if result.found else "not found")
    typer.echo(f"MRZ: {status}")
    for line in result.mrz_lines:
        typer.echo(f"  {line}")
    for name in ("kind", "document_type", "issuing_country", "number", "surname", "given_names",
                 "surname_cyrillic", "given_names_cyrillic", "patronymic", "sex", "birth_date",
                 "nationality", "expiry_date", "issue_date", "personal_number", "department_code"):  # fmt: skip
        value = payload.get(name)
        if value is not None:
            typer.echo(f"{name:22} {value}")
    for check in result.check_digits:
        typer.echo(
            f"check {check.field:12} expected {check.expected} found {check.found} {'ok' if check.ok else 'FAIL'}"
        )
    for finding in result.findings:
        typer.echo(f"finding: {finding.code} {finding.detail or ''}")
    for side, report in quality.items():
        typer.echo(f"quality {side}: {'ok' if report.ok else ', '.join(report.codes)}")
    typer.echo("timings: " + ", ".join(f"{t.stage} {t.ms:.0f} ms" for t in result.timings))
    if not result.valid:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command("specimens")(specimens_command)
    app.command("verify-document")(verify_document_command)
