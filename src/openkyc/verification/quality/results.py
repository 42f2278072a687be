"""Result type of the capture quality checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from openkyc.verification.document.results import Box
from openkyc.verification.types import Finding, Timing


@dataclass(frozen=True, slots=True)
class QualityReport:
    """``ok`` is True when no finding was raised; ``metrics`` holds the measured values (so that
    thresholds can be re-tuned from logs) and ``document_box`` the document's extent if seen."""

    ok: bool
    findings: tuple[Finding, ...]
    metrics: dict[str, float] = field(default_factory=dict)
    document_box: Box | None = None
    timings: tuple[Timing, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(f.code for f in self.findings)
