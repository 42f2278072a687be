"""Specimens stay valid as time passes, render a burst for a given challenge, and
``openkyc verify`` says what the service would decide (never PASS beside a declining finding)."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from openkyc.cli.main import app
from openkyc.cli.verify import check_verdict, decision_of, hard_codes
from openkyc.specimens.documents import random_identity, valid_on

runner = CliRunner()


def test_an_expired_specimen_moves_forward_by_whole_years() -> None:
    drawn = random_identity("td3_passport", random.Random(7))
    assert drawn.expiry_date is not None
    as_of = drawn.expiry_date + dt.timedelta(days=400)
    moved = valid_on(drawn, as_of)
    assert moved.expiry_date is not None
    assert moved.expiry_date > as_of
    years = moved.expiry_date.year - drawn.expiry_date.year
    assert years == 2
    assert moved.birth_date.year - drawn.birth_date.year == years  # the same age
    assert moved.issue_date.year - drawn.issue_date.year == years
    assert (moved.number, moved.surname) == (drawn.number, drawn.surname)
    assert valid_on(drawn, drawn.expiry_date - dt.timedelta(days=1)) is drawn


def test_specimens_are_valid_on_the_date_asked_or_keep_the_drawn_dates(tmp_path: Path) -> None:
    base = ["specimens", "--kind", "td3_passport", "--distortion", "clean", "--no-selfie"]
    made = runner.invoke(app, [*base, "--out", str(tmp_path / "a"), "--as-of", "2041-03-01"])
    assert made.exit_code == 0, made.output
    truth = json.loads((tmp_path / "a" / "td3_passport_000.json").read_text())
    assert truth["identity"]["expiry_date"] > "2041-03-01"
    drawn = runner.invoke(app, [*base, "--out", str(tmp_path / "b"), "--as-of", "drawn"])
    assert drawn.exit_code == 0, drawn.output
    truth = json.loads((tmp_path / "b" / "td3_passport_000.json").read_text())
    expected = random_identity("td3_passport", random.Random(7)).expiry_date
    assert expected is not None
    assert truth["identity"]["expiry_date"] == expected.isoformat()
    bad = runner.invoke(app, [*base, "--out", str(tmp_path / "c"), "--as-of", "soon"])
    assert bad.exit_code == 2


def test_a_burst_is_rendered_for_the_given_challenge(tmp_path: Path) -> None:
    steps = ["turn_right", "look_down", "turn_left"]
    made = runner.invoke(
        app,
        ["specimens", "--kind", "td3_passport", "--distortion", "clean", "--no-selfie",
         "--out", str(tmp_path), "--challenge", json.dumps({"steps": steps})],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    folder = tmp_path / "td3_passport_000_frames"
    assert json.loads((folder / "challenge.json").read_text()) == {"steps": steps}
    times = json.loads((folder / "times.json").read_text())
    assert len(times) == len(list(folder.glob("*.jpg"))) >= 6
    bad = runner.invoke(app, ["specimens", "--out", str(tmp_path), "--challenge", "{}"])
    assert bad.exit_code == 2


def _result(expiry: dt.date) -> SimpleNamespace:
    document = SimpleNamespace(
        found=True, valid=True, mrz_lines=("x",), document_type="passport",
        issuing_country="SWE", birth_date=dt.date(1986, 1, 20), expiry_date=expiry,
        surname="YILMAZ", given_names="ANNA", number="YD25UT4F5", reasons=(),
    )  # fmt: skip
    face = SimpleNamespace(document_face=object(), selfie_face=object(), score=0.99, reasons=())
    liveness = SimpleNamespace(score=0.99, passed=True, reasons=())
    return SimpleNamespace(document=document, face=face, liveness=liveness, reasons=())


@pytest.mark.parametrize(
    ("expiry", "outcome", "reasons"),
    [
        (dt.date(2027, 4, 21), "decline", ("DOCUMENT_EXPIRED",)),
        (dt.date(2031, 1, 1), "approve", ()),
    ],
)
def test_verify_prints_the_decision_of_the_default_policy(
    expiry: dt.date, outcome: str, reasons: tuple[str, ...]
) -> None:
    decision = decision_of(_result(expiry), dt.date(2028, 1, 1), live_capture=True)
    assert (decision.outcome, decision.reasons) == (outcome, reasons)


def test_no_pass_beside_a_declining_finding() -> None:
    hard = hard_codes()
    assert "document_expired" in hard
    assert check_verdict(True, ["document_expired"], hard) == "FAIL"
    assert check_verdict(True, [], hard) == "PASS"
    assert check_verdict(None, [], hard) == "n/a "
