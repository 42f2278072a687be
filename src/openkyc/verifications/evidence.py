"""From a pipeline result to what the decision judges, the check rows, and the identity.

The only module that knows the pipeline's result shape; it reads it defensively so that a
stage that is missing (no liveness challenge, no document face) becomes "not found" instead
of a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openkyc.verification.decision import Evidence
from openkyc.verification.document.transliteration import to_icao_latin
from openkyc.verification.reasons import all_reasons


@dataclass(frozen=True, slots=True)
class CheckRecord:
    name: str
    passed: bool | None
    score: float | None = None
    threshold: float | None = None
    reasons: tuple[str, ...] = ()
    model_name: str | None = None
    model_version: str | None = None
    duration_ms: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FaceVector:
    """A selfie embedding and the space it lives in (the embedder that made it): only vectors
    of the same space are ever compared."""

    vector: bytes
    space: str


@dataclass(frozen=True, slots=True)
class Extracted:
    evidence: Evidence
    checks: tuple[CheckRecord, ...]
    # The Love&Pay ``verification`` object before ``verifiedAt``; full document number.
    identity: dict[str, Any]
    # None also when the pipeline did not say which embedder made the vector: it could not be
    # compared safely with stored ones, so it is neither searched nor stored.
    face: FaceVector | None
    timings: dict[str, float]
    pipeline: str
    # What the document reader read, field by field with its source and check digits (see
    # :func:`document_reading`): personal data, sealed with the candidate for a reviewer.
    reading: dict[str, Any] = field(default_factory=dict)


# What a single still photo can still show (a screen or a print); the motion cues need a
# recording.
_STILL_PHOTO_ATTACKS = frozenset(
    {"liveness_screen_suspected", "liveness_print_suspected", "liveness_pad_model_rejected"}
)


def extract(result: Any, *, today: date, live_capture: bool = True) -> Extracted:
    """``live_capture`` False: the selfie is one uploaded photo, so the liveness check's
    "too few frames" is no finding to show the customer; the policy judges instead."""
    document = getattr(result, "document", None)
    face = getattr(result, "face", None)
    liveness = getattr(result, "liveness", None)
    registry = all_reasons()

    def fixable(codes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(code for code in codes if code in registry and registry[code].fixable)
        )

    def hard(codes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(code for code in codes if code in registry and not registry[code].fixable)
        )

    stage_reasons = _codes(getattr(result, "reasons", ()))
    for part in (document, face, liveness):
        stage_reasons += _codes(_findings(part))
    liveness_codes = _codes(getattr(liveness, "reasons", ()))
    if not live_capture:
        liveness_codes = tuple(code for code in liveness_codes if code in _STILL_PHOTO_ATTACKS)
        stage_reasons = tuple(
            code
            for code in stage_reasons
            if not code.startswith("liveness_") or code in _STILL_PHOTO_ATTACKS
        )
    document_codes = _codes(_findings(document))
    mrz_valid = bool(document is not None and getattr(document, "valid", False))
    evidence = Evidence(
        today=today,
        document_found=bool(document is not None and getattr(document, "found", False)),
        # A valid document was read from its zone even when the reader keeps no raw lines.
        mrz_found=mrz_valid or bool(document is not None and getattr(document, "mrz_lines", ())),
        mrz_valid=mrz_valid,
        document_type=getattr(document, "document_type", None),
        country=getattr(document, "issuing_country", None),
        birth_date=getattr(document, "birth_date", None),
        expiry_date=getattr(document, "expiry_date", None),
        document_face_found=face is not None and getattr(face, "document_face", None) is not None,
        selfie_face_found=face is not None and getattr(face, "selfie_face", None) is not None,
        face_score=_float(getattr(face, "score", None)),
        liveness_score=_float(getattr(liveness, "score", None)),
        liveness_assessed=liveness is not None and getattr(liveness, "passed", None) is not None,
        fixable_findings=fixable(stage_reasons),
        selfie_findings=fixable(_codes(getattr(face, "reasons", ()))),
        liveness_findings=fixable(liveness_codes),
        hard_findings=hard(liveness_codes),
        # Expiry is judged from the date itself; other hard document findings need an eye.
        document_doubts=tuple(code for code in hard(document_codes) if code != "document_expired"),
        live_capture=live_capture,
    )
    return Extracted(
        evidence=evidence,
        checks=_checks(result, document, face, liveness),
        identity=_identity(document, face, liveness),
        face=_face_vector(result, face),
        timings=_timings(result),
        pipeline=type(result).__module__.rsplit(".", 1)[-1],
        reading=document_reading(document),
    )


# The zone fields a check digit covers, by the reader's check-digit names.
_CHECKED = {
    "number": "number",
    "birth_date": "birth_date",
    "expiry_date": "expiry_date",
    "personal_number": "personal_number",
}


def document_reading(document: Any) -> dict[str, Any]:
    """Each field read from the document with its source (the machine-readable zone, the
    printed zone confirming it, the Cyrillic restored from the zone), the verdict of the check
    digit covering it, and the zone's lines; empty when nothing was read."""
    if document is None or not getattr(document, "found", False):
        return {}
    checks = {
        str(getattr(report, "field", "")): bool(getattr(report, "ok", False))
        for report in getattr(document, "check_digits", ()) or ()
    }
    printed = {
        str(getattr(item, "name", "")): str(getattr(item, "text", ""))
        for item in getattr(document, "visual_fields", ()) or ()
        if getattr(item, "confirmed_by_mrz", False)
    }
    fields: list[dict[str, Any]] = []

    def add(name: str, value: Any, source: str) -> None:
        if value is None or value == "":
            return
        check_name = next((key for key, covered in _CHECKED.items() if covered == name), None)
        fields.append(
            {
                "name": name,
                "value": _iso(value) or str(value),
                "source": source,
                "printed": printed.get(name),
                "checkDigit": checks.get(check_name) if check_name else None,
            }
        )

    for name in ("surname", "given_names", "number", "issuing_country", "nationality", "sex"):
        add(name, getattr(document, name, None), "mrz")
    for name in ("birth_date", "expiry_date", "personal_number"):
        add(name, getattr(document, name, None), "mrz")
    for name in ("surname_cyrillic", "given_names_cyrillic", "patronymic"):
        add(name, getattr(document, name, None), "mrz_cyrillic")
    for name in ("issue_date", "department_code"):
        add(name, getattr(document, name, None), "printed")
    box = getattr(document, "portrait_box", None)
    return {
        "kind": getattr(document, "kind", None),
        "valid": bool(getattr(document, "valid", False)),
        "mrzSide": getattr(document, "mrz_side", None),
        "mrzLines": [str(line) for line in getattr(document, "mrz_lines", ()) or ()],
        "nameConfirmed": bool(getattr(document, "name_confirmed", False)),
        "fields": fields,
        "checkDigits": [
            {
                "field": str(getattr(report, "field", "")),
                "expected": str(getattr(report, "expected", "")),
                "found": str(getattr(report, "found", "")),
                "ok": bool(getattr(report, "ok", False)),
            }
            for report in getattr(document, "check_digits", ()) or ()
        ],
        "portraitBox": (
            [int(box.x), int(box.y), int(box.width), int(box.height)] if box is not None else None
        ),
    }


def _identity(document: Any, face: Any, liveness: Any) -> dict[str, Any]:
    first = _name(getattr(document, "given_names_cyrillic", None)) or _name(
        getattr(document, "given_names", None)
    )
    middle = _name(getattr(document, "patronymic", None))
    last = _name(getattr(document, "surname_cyrillic", None)) or _name(
        getattr(document, "surname", None)
    )
    # Extension: the zone's Latin form beside a Cyrillic name (many merchant systems match
    # Latin names); for the Russian internal passport the reader already gives the ICAO
    # transliteration there, since its zone's letters are a code.
    first_latin = _name(getattr(document, "given_names", None))
    last_latin = _name(getattr(document, "surname", None))
    middle_latin = _name(to_icao_latin(middle).replace("<", " ")) if middle else None
    return {
        "firstName": first,
        "lastName": last,
        "middleName": middle,
        "fullName": " ".join(part for part in (first, middle, last) if part) or None,
        "firstNameLatin": first_latin,
        "lastNameLatin": last_latin,
        "middleNameLatin": middle_latin,
        "fullNameLatin": " ".join(part for part in (first_latin, middle_latin, last_latin) if part)
        or None,
        "dateOfBirth": _iso(getattr(document, "birth_date", None)),
        "documentType": getattr(document, "document_type", None),
        "documentNumber": getattr(document, "number", None),
        "documentCountry": getattr(document, "issuing_country", None),
        "documentIssuedAt": _iso(getattr(document, "issue_date", None)),
        "documentExpiresAt": _iso(getattr(document, "expiry_date", None)),
        "faceMatchScore": _rounded(getattr(face, "score", None)),
        "livenessScore": _rounded(getattr(liveness, "score", None)),
    }


def _checks(result: Any, document: Any, face: Any, liveness: Any) -> tuple[CheckRecord, ...]:
    declared = getattr(result, "checks", None)
    if declared:
        return tuple(_from_declared(check) for check in declared)
    records: list[CheckRecord] = []
    if document is not None:
        model = _first_model(document)
        records.append(
            CheckRecord(
                name="document",
                passed=bool(getattr(document, "valid", False)),
                reasons=_codes(_findings(document)),
                model_name=model[0],
                model_version=model[1],
                duration_ms=_total_ms(getattr(document, "timings", ())),
                detail={"mrzSide": getattr(document, "mrz_side", None)},
            )
        )
    if face is not None:
        model = _first_model(face)
        records.append(
            CheckRecord(
                name="face_match",
                passed=getattr(face, "matched", None),
                score=_float(getattr(face, "score", None)),
                threshold=_float(getattr(face, "threshold", None)),
                reasons=_codes(getattr(face, "reasons", ())),
                model_name=model[0],
                model_version=model[1],
                duration_ms=_total_ms(getattr(face, "timings", ())),
                detail={"distance": _float(getattr(face, "distance", None))},
            )
        )
    if liveness is not None:
        model = _first_model(liveness)
        records.append(
            CheckRecord(
                name="liveness",
                passed=getattr(liveness, "passed", None),
                score=_float(getattr(liveness, "score", None)),
                threshold=_float(getattr(liveness, "threshold", None)),
                reasons=_codes(getattr(liveness, "reasons", ())),
                model_name=model[0],
                model_version=model[1],
                duration_ms=_total_ms(getattr(liveness, "timings", ())),
            )
        )
    return tuple(records)


def _from_declared(check: Any) -> CheckRecord:
    model = getattr(check, "model", None)
    models = getattr(check, "models", None)
    if model is None and models:
        model = models[0]
    duration = getattr(check, "duration_ms", None)
    if duration is None:
        duration = getattr(check, "ms", None)
    if duration is None and getattr(check, "timings", None):
        duration = _total_ms(check.timings)
    return CheckRecord(
        name=str(getattr(check, "name", "check")),
        passed=getattr(check, "passed", None),
        score=_float(getattr(check, "score", None)),
        threshold=_float(getattr(check, "threshold", None)),
        reasons=_codes(getattr(check, "reasons", ())),
        model_name=getattr(model, "name", None),
        model_version=getattr(model, "version", None),
        duration_ms=_float(duration),
        detail=dict(getattr(check, "detail", None) or {}),
    )


def _timings(result: Any) -> dict[str, float]:
    timings: dict[str, float] = {}
    for timing in getattr(result, "timings", ()) or ():
        stage = getattr(timing, "stage", None)
        ms = getattr(timing, "ms", None)
        if isinstance(stage, str) and isinstance(ms, int | float):
            timings[stage] = round(float(ms), 1)
    return timings


def _findings(part: Any) -> tuple[Any, ...]:
    if part is None:
        return ()
    findings = getattr(part, "findings", None)
    if findings is None:
        findings = getattr(part, "reasons", ())
    return tuple(findings or ())


def _codes(items: Any) -> tuple[str, ...]:
    codes: list[str] = []
    for item in items or ():
        code = item if isinstance(item, str) else getattr(item, "code", None)
        if isinstance(code, str):
            codes.append(code)
    return tuple(codes)


def _face_vector(result: Any, face: Any) -> FaceVector | None:
    vector = getattr(result, "face_embedding", None) or getattr(face, "selfie_embedding", None)
    space = getattr(result, "face_embedding_model", None)
    if not isinstance(vector, bytes) or not vector or not isinstance(space, str) or not space:
        return None
    return FaceVector(vector, space)


def _first_model(part: Any) -> tuple[str | None, str | None]:
    models = getattr(part, "models", ()) or ()
    if not models:
        return None, None
    return getattr(models[0], "name", None), getattr(models[0], "version", None)


def _total_ms(timings: Any) -> float | None:
    values = [getattr(t, "ms", None) for t in timings or ()]
    numbers = [float(v) for v in values if isinstance(v, int | float)]
    return round(sum(numbers), 1) if numbers else None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _rounded(value: Any) -> float | None:
    number = _float(value)
    return None if number is None else round(number, 4)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else None


def _name(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = " ".join(value.split())
    # The zone prints names in capitals; the reference shows them as written (Иван).
    return text.title() if text.isupper() else text
