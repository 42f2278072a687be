"""The operator's ONNX presentation-attack model slot, exercised with a real onnxruntime session.

No PAD model ships anywhere, and the ``onnx`` package is not a dependency, so the test writes a
tiny ONNX graph by hand (protobuf wire format): the mean of the normalised input crop, which
stands in for a model's live probability.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from openkyc.specimens.faces import face_by_id
from openkyc.specimens.selfies import render_selfie_frames
from openkyc.verification.face.geometry import Box
from openkyc.verification.liveness.challenge import Challenge
from openkyc.verification.liveness.checker import LivenessChecker
from openkyc.verification.liveness.pad_model import OnnxPadModel, PadModelConfig


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes | str | int) -> bytes:
    if isinstance(payload, int):
        return _varint(number << 3) + _varint(payload)
    data = payload.encode() if isinstance(payload, str) else payload
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _tensor_type(dims: list[int]) -> bytes:
    shape = b"".join(_field(1, _field(1, d)) for d in dims)
    return _field(1, _field(1, 1) + _field(2, shape))  # elem_type FLOAT, shape


def _mean_model() -> bytes:
    keepdims = _field(1, "keepdims") + _field(3, 0) + _field(20, 2)  # AttributeProto INT
    node = _field(1, "x") + _field(2, "y") + _field(4, "ReduceMean") + _field(5, keepdims)
    graph = (
        _field(1, node)
        + _field(2, "mean")
        + _field(11, _field(1, "x") + _field(2, _tensor_type([1, 3, 32, 32])))
        + _field(12, _field(1, "y") + _field(2, _tensor_type([])))
    )
    opset = _field(1, "") + _field(2, 13)
    return _field(1, 7) + _field(8, opset) + _field(7, graph)


@pytest.fixture
def model_path(tmp_path: Path) -> Path:
    path = tmp_path / "mean.onnx"
    path.write_bytes(_mean_model())
    return path


def test_configured_model_scores_the_face_crop(model_path: Path) -> None:
    model = OnnxPadModel(PadModelConfig(path=model_path, input_size=32))
    face = Box(40, 40, 40, 40)
    bright = np.full((160, 160, 3), 230, dtype=np.uint8)
    dark = np.full((160, 160, 3), 20, dtype=np.uint8)
    assert model.live_probability(bright, face) == pytest.approx(230 / 255, abs=0.05)
    assert model.live_probability(dark, face) < 0.15
    assert model.info.name == "onnx-pad:mean.onnx"


def test_missing_model_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        OnnxPadModel(PadModelConfig(path=tmp_path / "absent.onnx"))


def test_checker_multiplies_the_model_into_the_score(
    model_path: Path, checker: LivenessChecker
) -> None:
    challenge = Challenge(steps=("turn_left", "turn_right", "look_up"))
    frames, times = render_selfie_frames(face_by_id("astronaut"), challenge, seed=8)
    with_model = LivenessChecker(
        checker.mesher, OnnxPadModel(PadModelConfig(path=model_path, input_size=32))
    )
    result = with_model.check(frames, times, challenge)
    assert result.pad_model_score is not None
    assert result.evidence["pad_model"] == pytest.approx(result.pad_model_score, abs=1e-3)
    baseline = checker.check(frames, times, challenge)
    assert result.score == pytest.approx(baseline.score * result.pad_model_score, abs=2e-3)
    assert result.models[-1].name == "onnx-pad:mean.onnx"
