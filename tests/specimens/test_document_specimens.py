"""The document specimen generator: determinism, ground truth, every kind, the CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from openkyc.cli.documents import register
from openkyc.specimens.documents import (
    DISTORTION_NAMES,
    DOCUMENT_KINDS,
    random_distortion,
    random_identity,
    render_document,
)
from openkyc.specimens.faces import source_faces
from openkyc.verification.document.mrz_parse import parse


@pytest.mark.parametrize("kind", DOCUMENT_KINDS)
def test_every_kind_renders_with_valid_truth(kind: str) -> None:
    rng = random.Random(5)
    identity = random_identity(kind, rng)
    doc = render_document(
        kind, identity, source_faces()[1], random_distortion("clean", rng, kind=kind), 5
    )
    assert doc.front_jpeg[:2] == b"\xff\xd8"
    assert (doc.back_jpeg is not None) == (kind in ("kz_id_card", "td1_id_card"))
    truth = json.loads(json.dumps(doc.truth))
    assert truth["kind"] == kind
    assert truth["face_id"] == source_faces()[1].face_id
    mrz = parse(truth["mrz_lines"])
    assert mrz.valid
    assert len(truth["portrait_quad"]) == 4
    assert len(truth["mrz_quad"]) == 4
    assert truth["identity"]["number"]


def test_rendering_is_deterministic_by_seed() -> None:
    rng_a, rng_b = random.Random(9), random.Random(9)
    face = source_faces()[0]
    id_a = random_identity("kz_passport", rng_a)
    id_b = random_identity("kz_passport", rng_b)
    assert id_a == id_b
    dist = random_distortion("mixed", random.Random(3))
    first = render_document("kz_passport", id_a, face, dist, 42)
    second = render_document("kz_passport", id_b, face, dist, 42)
    third = render_document("kz_passport", id_a, face, dist, 43)
    assert first.front_jpeg == second.front_jpeg
    assert first.front_jpeg != third.front_jpeg


def test_every_distortion_family_renders() -> None:
    rng = random.Random(1)
    for name in DISTORTION_NAMES:
        dist = random_distortion(name, rng, kind="td1_id_card")
        assert dist.name == name
    with pytest.raises(ValueError, match="unknown distortion"):
        random_distortion("sepia", rng)


def test_identity_and_kind_must_agree() -> None:
    rng = random.Random(1)
    with pytest.raises(ValueError, match="identity was made for"):
        render_document(
            "kz_passport",
            random_identity("td3_passport", rng),
            source_faces()[0],
            random_distortion("clean", rng),
            1,
        )


def test_specimens_command_writes_images_truth_and_selfie(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # a second command keeps typer in multi-command mode
    result = CliRunner().invoke(
        app, ["specimens", "--out", str(tmp_path), "--kind", "kz_id_card", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "kz_id_card_000.json").read_text())
    assert truth["files"]["front"] == "kz_id_card_000_front.jpg"
    assert (tmp_path / truth["files"]["back"]).read_bytes()[:2] == b"\xff\xd8"
    assert (tmp_path / truth["files"]["selfie"]).read_bytes()[:2] == b"\xff\xd8"
    assert parse(truth["mrz_lines"]).valid
