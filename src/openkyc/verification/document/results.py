"""Frozen result types of the document pipeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from openkyc.verification.types import Finding, ModelInfo, Timing


@dataclass(frozen=True, slots=True)
class CheckDigitReport:
    """One ICAO check digit: ``expected`` is computed from the data, ``found`` is printed."""

    field: str
    expected: str
    found: str
    ok: bool


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned box in pixels of the image it refers to."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class MrzData:
    """A machine-readable zone split into its fields, before any interpretation of dates."""

    format: str  # TD1, TD2, TD3, MRV-A, MRV-B
    lines: tuple[str, ...]
    document_code: str
    issuing_country: str
    surname: str  # Latin as printed in the zone, fillers turned into spaces
    given_names: str
    number: str
    nationality: str
    birth_date: str  # YYMMDD as printed
    sex: str  # M, F or X
    expiry_date: str  # YYMMDD, or "" where the document has none
    optional: str
    optional2: str
    checks: tuple[CheckDigitReport, ...]

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def name_row(self) -> int:
        """The row holding the names, which no check digit covers (TD1's third, else the first;
        the French card's given names on its second row are under its last check digit)."""
        return 2 if self.format == "TD1" else 0


@dataclass(frozen=True, slots=True)
class VisualField:
    """A printed (non-MRZ) field read by OCR, and whether the MRZ confirmed it."""

    name: str
    text: str
    confirmed_by_mrz: bool


@dataclass(frozen=True, slots=True)
class DocumentResult:
    found: bool
    valid: bool
    kind: str | None = None
    document_type: str | None = None  # "passport", "id_card" or "visa"
    issuing_country: str | None = None
    number: str | None = None
    surname: str | None = None
    given_names: str | None = None
    surname_cyrillic: str | None = None
    given_names_cyrillic: str | None = None
    patronymic: str | None = None
    sex: str | None = None
    birth_date: dt.date | None = None
    nationality: str | None = None
    expiry_date: dt.date | None = None
    issue_date: dt.date | None = None
    personal_number: str | None = None
    department_code: str | None = None
    mrz_lines: tuple[str, ...] = ()
    check_digits: tuple[CheckDigitReport, ...] = ()
    findings: tuple[Finding, ...] = ()
    portrait_box: Box | None = None
    visual_fields: tuple[VisualField, ...] = ()
    models: tuple[ModelInfo, ...] = ()
    timings: tuple[Timing, ...] = ()
    # Which image held the zone ("front" or "back").
    mrz_side: str | None = None
    # Whether an independent second reading agreed on the name row (no check digit covers it).
    name_confirmed: bool = False

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable view (dates as ISO strings)."""

        def conv(value: Any) -> Any:
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, tuple):
                return [conv(v) for v in value]
            if hasattr(value, "__dataclass_fields__"):
                return {k: conv(getattr(value, k)) for k in value.__dataclass_fields__}
            if isinstance(value, dict):
                return {k: conv(v) for k, v in value.items()}
            return value

        result: dict[str, Any] = conv(self)
        return result
