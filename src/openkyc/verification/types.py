"""Small types shared by every stage of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Which component produced a result, so that every decision can say what made it."""

    name: str
    version: str


@dataclass(frozen=True, slots=True)
class Timing:
    """Wall-clock time a stage took, in milliseconds."""

    stage: str
    ms: float


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem the customer or the operator can act on, identified by a stable reason code.

    ``code`` is stable API (it reaches merchants and logs); the human text lives in
    :mod:`openkyc.verification.reasons`, translated into every supported language.
    """

    code: str
    detail: dict[str, float | int | str | bool] = field(default_factory=dict)
