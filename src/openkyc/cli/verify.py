"""``openkyc verify``: the whole verification pipeline, offline, on files.

    openkyc verify --document front.jpg [--document-back back.jpg]
                   (--selfie selfie.jpg | --selfie-frames DIR) [--challenge JSON] [--json]

``--challenge`` takes the JSON the server issued (``{"steps": [...]}``) or a path to a file
holding it; with ``--selfie-frames`` a ``challenge.json`` and a ``times.json`` (a list of
capture times in ms) inside the folder are used when the options are not given.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def _read_json_option(value: str) -> Any:
    path = Path(value)
    text = path.read_text(encoding="utf-8") if path.is_file() else value
    return json.loads(text)


def _frames(folder: Path) -> list[bytes]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)
    return [p.read_bytes() for p in files]


def verify_command(
    document: Annotated[
        Path, typer.Option("--document", exists=True, dir_okay=False, help="Document front.")
    ],
    selfie: Annotated[
        Path | None,
        typer.Option("--selfie", exists=True, dir_okay=False, help="One selfie image."),
    ] = None,
    selfie_frames: Annotated[
        Path | None,
        typer.Option(
            "--selfie-frames", exists=True, file_okay=False, help="Folder of frames, name order."
        ),
    ] = None,
    document_back: Annotated[
        Path | None,
        typer.Option("--document-back", exists=True, dir_okay=False, help="Document back."),
    ] = None,
    challenge: Annotated[
        str | None,
        typer.Option("--challenge", help='Issued challenge: JSON {"steps": [...]} or a file.'),
    ] = None,
    frame_times: Annotated[
        str | None,
        typer.Option("--frame-times", help="Capture times (ms): a JSON list or a file."),
    ] = None,
    pad_model: Annotated[
        Path | None,
        typer.Option("--pad-model", exists=True, dir_okay=False, help="Optional ONNX PAD model."),
    ] = None,
    today: Annotated[
        str | None, typer.Option("--today", help="Date for expiry checks (YYYY-MM-DD).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every check as JSON.")] = False,
) -> None:
    """Run document reading, capture quality, face match and liveness on files, offline."""
    from openkyc.verification.liveness.challenge import Challenge
    from openkyc.verification.liveness.pad_model import PadModelConfig
    from openkyc.verification.pipeline import DefaultPipeline, VerificationInputs, result_to_json

    if (selfie is None) == (selfie_frames is None):
        typer.echo("error: give exactly one of --selfie and --selfie-frames", err=True)
        raise typer.Exit(2)
    frames = [selfie.read_bytes()] if selfie is not None else _frames(selfie_frames)  # type: ignore[arg-type]
    if not frames:
        typer.echo("error: no image files in --selfie-frames", err=True)
        raise typer.Exit(2)
    if selfie_frames is not None:
        if challenge is None and (selfie_frames / "challenge.json").is_file():
            challenge = str(selfie_frames / "challenge.json")
        if frame_times is None and (selfie_frames / "times.json").is_file():
            frame_times = str(selfie_frames / "times.json")
    try:
        issued = (
            Challenge.from_json(json.dumps(_read_json_option(challenge))) if challenge else None
        )
        times = tuple(int(t) for t in _read_json_option(frame_times)) if frame_times else None
    except (ValueError, TypeError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None

    started = time.perf_counter()
    pipeline = DefaultPipeline(pad_model=PadModelConfig(pad_model) if pad_model else None)
    load_ms = (time.perf_counter() - started) * 1000.0
    inputs = VerificationInputs(
        document_front=document.read_bytes(),
        document_back=document_back.read_bytes() if document_back else None,
        selfie_frames=tuple(frames),
        frame_times_ms=times,
        challenge=issued,
        today=dt.date.fromisoformat(today) if today else dt.date.today(),
    )
    started = time.perf_counter()
    result = pipeline.run(inputs)
    run_ms = (time.perf_counter() - started) * 1000.0

    decision = decision_of(result, inputs.today, live_capture=selfie_frames is not None)
    if as_json:
        data = result_to_json(result)
        data["decision"] = {"outcome": decision.outcome, "reasons": list(decision.reasons)}
        data["process"] = {"models_load_ms": round(load_ms, 1), "run_ms": round(run_ms, 1)}
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    hard = hard_codes()
    for check in result.checks:
        verdict = check_verdict(check.passed, check.reasons, hard)
        score = "" if check.score is None else f" score={check.score:.4f}"
        threshold = "" if check.threshold is None else f" threshold={check.threshold}"
        model = "" if check.model is None else f" model={check.model.name}@{check.model.version}"
        reasons = f" reasons={','.join(check.reasons)}" if check.reasons else ""
        typer.echo(
            f"{verdict} {check.name:<15}{score}{threshold}{reasons}{model} {check.ms:.0f} ms"
        )
    typer.echo(f"reasons: {', '.join(result.reasons) or '-'}")
    typer.echo(
        f"decision (default policy): {decision.outcome.upper()}"
        + (f" ({', '.join(decision.reasons)})" if decision.reasons else "")
    )
    typer.echo(f"models loaded in {load_ms:.0f} ms; pipeline ran in {run_ms:.0f} ms")


def check_verdict(passed: bool | None, reasons: Sequence[str], hard: set[str]) -> str:
    """PASS only for a check that passed with no finding that declines (a document read
    perfectly but expired is no PASS)."""
    if passed and any(code in hard for code in reasons):
        return "FAIL"
    return {True: "PASS", False: "FAIL", None: "n/a "}[passed]


def hard_codes() -> set[str]:
    from openkyc.verification.reasons import all_reasons

    return {code for code, text in all_reasons().items() if not text.fixable}


def decision_of(result: Any, today: dt.date, *, live_capture: bool) -> Any:
    """What the service would decide with the default policy: the same extraction and rules
    as the worker (duplicates aside: there is no database here)."""
    from openkyc.verification.decision import decide
    from openkyc.verifications.evidence import extract
    from openkyc.verifications.policy import DEFAULT_POLICY

    extracted = extract(result, today=today, live_capture=live_capture)
    return decide(extracted.evidence, DEFAULT_POLICY, retakes_used=0)


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_command)
