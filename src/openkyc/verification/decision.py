"""The decision: what the pipeline found, weighed against one merchant's policy.

Pure: no database, no web, no clock (``today`` comes in with the evidence). The merchant sees
the coarse, stable codes registered here (``declineReasons``); the stage codes that caused
them (``selfie_too_dark``...) stay in the check records and tell the customer what to fix.

Order of judgement:
1. a problem no retake can fix (expired document, underage, not allowed, mismatch, spoof,
   duplicate) declines at once;
2. a fixable problem (unreadable, blurred, no face, liveness not followed) asks for a retake
   while retakes remain, and declines once they are used up;
3. a score inside the review band goes to an operator;
4. everything else is approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from openkyc.verification.face.calibration import MATCH_THRESHOLD, REVIEW_THRESHOLD
from openkyc.verification.reasons import ReasonText, all_reasons, register

DOCUMENT_UNREADABLE = "DOCUMENT_UNREADABLE"
DOCUMENT_EXPIRED = "DOCUMENT_EXPIRED"
MRZ_CHECK_FAILED = "MRZ_CHECK_FAILED"
DOCUMENT_NOT_ALLOWED = "DOCUMENT_NOT_ALLOWED"
# A machine-readable visa is read like any document but is not accepted unless a merchant
# lists it in allowedDocumentTypes.
VISA = "visa"
COUNTRY_NOT_ALLOWED = "COUNTRY_NOT_ALLOWED"
UNDERAGE = "UNDERAGE"
NO_FACE = "NO_FACE"
FACE_MISMATCH = "FACE_MISMATCH"
LIVENESS_FAILED = "LIVENESS_FAILED"
DUPLICATE_IDENTITY = "DUPLICATE_IDENTITY"
POOR_QUALITY = "POOR_QUALITY"
# The selfie is a single uploaded photo: the active liveness check had nothing to judge.
NO_LIVE_CAPTURE = "NO_LIVE_CAPTURE"

APPROVE = "approve"
DECLINE = "decline"
RETAKE = "retake"
REVIEW = "review"

_TEXTS = (
    ReasonText(
        code=DOCUMENT_UNREADABLE,
        en="We could not read your document. Photograph it flat, in good light, without glare.",
        ru="Не удалось прочитать документ. Сфотографируйте его ровно, при хорошем свете, без бликов.",
        kk="Құжатты оқу мүмкін болмады. Оны тегіс, жақсы жарықта, жарқылсыз суретке түсіріңіз.",
        fixable=True,
    ),
    ReasonText(
        code=DOCUMENT_EXPIRED,
        en="Your document has expired. Please use a valid document.",
        ru="Срок действия документа истёк. Используйте действующий документ.",
        kk="Құжаттың қолданылу мерзімі өтіп кеткен. Жарамды құжатты пайдаланыңыз.",
        fixable=False,
    ),
    ReasonText(
        code=MRZ_CHECK_FAILED,
        en="The machine-readable zone of the document did not pass its checks. Photograph the "
        "whole document again, sharply.",
        ru="Машиночитаемая зона документа не прошла проверку. Сфотографируйте весь документ "
        "ещё раз, чётко.",
        kk="Құжаттың машинамен оқылатын аймағы тексеруден өтпеді. Бүкіл құжатты қайтадан анық "
        "суретке түсіріңіз.",
        fixable=True,
    ),
    ReasonText(
        code=DOCUMENT_NOT_ALLOWED,
        en="This type of document is not accepted here. Please use another document.",
        ru="Этот тип документа здесь не принимается. Используйте другой документ.",
        kk="Мұнда құжаттың бұл түрі қабылданбайды. Басқа құжатты пайдаланыңыз.",
        fixable=False,
    ),
    ReasonText(
        code=COUNTRY_NOT_ALLOWED,
        en="Documents issued by this country are not accepted here.",
        ru="Документы, выданные этой страной, здесь не принимаются.",
        kk="Бұл елде берілген құжаттар мұнда қабылданбайды.",
        fixable=False,
    ),
    ReasonText(
        code=UNDERAGE,
        en="You do not meet the minimum age for this service.",
        ru="Вы не достигли минимального возраста для этого сервиса.",
        kk="Сіз бұл қызметтің ең төменгі жасына жетпегенсіз.",
        fixable=False,
    ),
    ReasonText(
        code=NO_FACE,
        en="We could not find a face. Make sure your face and the document photo are clearly "
        "visible.",
        ru="Не удалось найти лицо. Убедитесь, что ваше лицо и фото в документе хорошо видны.",
        kk="Бет табылмады. Бетіңіз бен құжаттағы фотоның анық көрінетініне көз жеткізіңіз.",
        fixable=True,
    ),
    ReasonText(
        code=FACE_MISMATCH,
        en="The selfie does not match the photo in the document.",
        ru="Селфи не совпадает с фотографией в документе.",
        kk="Селфи құжаттағы фотосуретке сәйкес келмейді.",
        fixable=False,
    ),
    ReasonText(
        code=LIVENESS_FAILED,
        en="We could not confirm that a live person took the selfie.",
        ru="Не удалось подтвердить, что селфи сделал живой человек.",
        kk="Селфиді тірі адам түсіргенін растау мүмкін болмады.",
        fixable=False,
    ),
    ReasonText(
        code=DUPLICATE_IDENTITY,
        en="This face is already verified with another document.",
        ru="Это лицо уже прошло проверку с другим документом.",
        kk="Бұл бет басқа құжатпен тексеруден өтіп қойған.",
        fixable=False,
    ),
    ReasonText(
        code=POOR_QUALITY,
        en="The photos are not clear enough. Please retake them in good light, holding still.",
        ru="Фотографии недостаточно чёткие. Переснимите их при хорошем освещении, не двигаясь.",
        kk="Суреттер жеткілікті анық емес. Оларды жақсы жарықта, қозғалмай қайта түсіріңіз.",
        fixable=True,
    ),
    ReasonText(
        code=NO_LIVE_CAPTURE,
        en="A live selfie is needed: a single photo cannot show that you are really there. "
        "Open this link on a phone with a working camera and record the selfie.",
        ru="Нужно живое селфи: одна фотография не показывает, что вы действительно здесь. "
        "Откройте эту ссылку на телефоне с работающей камерой и запишите селфи.",
        kk="Тірі селфи қажет: бір фотосурет сіздің шынымен осында екеніңізді көрсетпейді. "
        "Осы сілтемені камерасы жұмыс істейтін телефонда ашып, селфи жазыңыз.",
        fixable=False,
    ),
)


def _register_once() -> None:
    known = all_reasons()
    register(*(text for text in _TEXTS if text.code not in known))


_register_once()

DECISION_CODES = tuple(text.code for text in _TEXTS)


@dataclass(frozen=True, slots=True)
class DecisionPolicy:
    """One merchant's rules. ``None`` for a set means everything is allowed."""

    minimum_age: int = 18
    allowed_countries: frozenset[str] | None = None  # ISO 3166-1 alpha-3
    allowed_document_types: frozenset[str] | None = None  # passport, id_card, ...
    # The calibrated match threshold (docs/face-and-liveness.md): below it no impostor pair of
    # the evaluation was accepted. A looser default would approve the closest impostors.
    face_match_threshold: float = MATCH_THRESHOLD
    # Face scores from here up to the threshold go to an operator instead of declining: the
    # calibrated review band, down to where the evaluation's impostors begin.
    face_review_floor: float = REVIEW_THRESHOLD
    liveness_threshold: float = 0.50
    # Liveness scores this far below the threshold go to an operator instead of declining.
    review_band: float = 0.45
    retakes_allowed: int = 3
    reject_duplicates: bool = True
    # A selfie that is one uploaded photo (no live capture) proves no liveness: "review" sends
    # the session to an operator (NO_LIVE_CAPTURE), "decline" refuses it.
    no_live_capture: str = REVIEW


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the pipeline established, reduced to what a policy can judge."""

    today: date
    document_found: bool
    mrz_found: bool
    mrz_valid: bool
    document_type: str | None = None
    country: str | None = None
    birth_date: date | None = None
    expiry_date: date | None = None
    document_face_found: bool = True
    selfie_face_found: bool = True
    face_score: float | None = None
    liveness_score: float | None = None
    # False when liveness could not be assessed (no challenge, too few frames).
    liveness_assessed: bool = True
    # Stage findings a retake can fix (blur, darkness, challenge not followed...): the hints.
    fixable_findings: tuple[str, ...] = ()
    # The fixable findings of the selfie and of liveness: they explain a low score, so a low
    # score with one of them asks for a retake instead of declining.
    selfie_findings: tuple[str, ...] = ()
    liveness_findings: tuple[str, ...] = ()
    # Liveness findings that are attack signals (screen, print, injected frames...).
    hard_findings: tuple[str, ...] = ()
    # Document findings no retake fixes but an operator can judge (printed data vs the zone).
    document_doubts: tuple[str, ...] = ()
    duplicate_identity: bool = False
    # False when the selfie is a single uploaded photo: liveness is then judged by policy
    # (``no_live_capture``), never by the liveness check's "too few frames".
    live_capture: bool = True


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: str  # approve | decline | retake | review
    reasons: tuple[str, ...]  # decision codes, stable API
    hints: tuple[str, ...] = ()  # stage codes behind a retake, for the customer


def age_on(birth: date, today: date) -> int:
    had_birthday = (today.month, today.day) >= (birth.month, birth.day)
    return today.year - birth.year - (0 if had_birthday else 1)


def decide(
    evidence: Evidence, policy: DecisionPolicy, *, retakes_used: int, forced: str | None = None
) -> Decision:
    """``forced`` (sandbox) fixes the outcome but keeps the reasons the evidence gives."""
    hard = _hard_problems(evidence, policy)
    fixable = _fixable_problems(evidence, policy) if not hard else []
    review = _borderline(evidence, policy) if not hard and not fixable else []

    if forced is not None:
        return _forced(forced, hard + fixable, review)
    if hard:
        return Decision(DECLINE, _unique(hard))
    if fixable:
        hints = _unique(list(evidence.fixable_findings))
        if retakes_used < policy.retakes_allowed:
            return Decision(RETAKE, _unique(fixable), hints)
        return Decision(DECLINE, _unique(fixable), hints)
    if review:
        return Decision(REVIEW, _unique(review))
    return Decision(APPROVE, ())


def _forced(outcome: str, reasons: list[str], borderline: list[str]) -> Decision:
    if outcome == DECLINE:
        return Decision(DECLINE, _unique(reasons) or (POOR_QUALITY,))
    if outcome == RETAKE:
        return Decision(RETAKE, _unique(reasons) or (POOR_QUALITY,))
    if outcome == REVIEW:
        # A reviewer needs a reason to look at: what the evidence doubts, else the face.
        return Decision(REVIEW, _unique(reasons + borderline) or (FACE_MISMATCH,))
    return Decision(outcome, ())


def _hard_problems(evidence: Evidence, policy: DecisionPolicy) -> list[str]:
    problems: list[str] = []
    if evidence.mrz_valid:
        if evidence.expiry_date is not None and evidence.expiry_date < evidence.today:
            problems.append(DOCUMENT_EXPIRED)
        if (
            evidence.birth_date is not None
            and age_on(evidence.birth_date, evidence.today) < policy.minimum_age
        ):
            problems.append(UNDERAGE)
        if (
            policy.allowed_countries is not None
            and (evidence.country or "").upper() not in policy.allowed_countries
        ):
            problems.append(COUNTRY_NOT_ALLOWED)
        if (
            policy.allowed_document_types is not None
            and evidence.document_type != VISA
            and (evidence.document_type or "") not in policy.allowed_document_types
        ):
            problems.append(DOCUMENT_NOT_ALLOWED)
    if _face_below_floor(evidence, policy) and not evidence.selfie_findings:
        problems.append(FACE_MISMATCH)
    if evidence.hard_findings or (
        _liveness_below_floor(evidence, policy) and not evidence.liveness_findings
    ):
        problems.append(LIVENESS_FAILED)
    if evidence.duplicate_identity and policy.reject_duplicates:
        problems.append(DUPLICATE_IDENTITY)
    if not evidence.live_capture and policy.no_live_capture == DECLINE:
        problems.append(NO_LIVE_CAPTURE)
    return problems


def _fixable_problems(evidence: Evidence, policy: DecisionPolicy) -> list[str]:
    problems: list[str] = []
    if not evidence.document_found or not evidence.mrz_found:
        problems.append(DOCUMENT_UNREADABLE)
    elif not evidence.mrz_valid:
        problems.append(MRZ_CHECK_FAILED)
    elif evidence.document_type == VISA and VISA not in (policy.allowed_document_types or ()):
        # A visa proves no identity; most likely the wrong passport page was photographed.
        problems.append(DOCUMENT_NOT_ALLOWED)
    if not evidence.document_face_found or not evidence.selfie_face_found:
        problems.append(NO_FACE)
    elif _face_below_floor(evidence, policy):
        problems.append(POOR_QUALITY)  # the selfie findings explain the low score
    if evidence.live_capture and (
        not evidence.liveness_assessed
        or (
            evidence.liveness_findings
            and (evidence.liveness_score or 0.0) < policy.liveness_threshold
        )
    ):
        problems.append(LIVENESS_FAILED)
    if evidence.fixable_findings and not problems:
        problems.append(POOR_QUALITY)
    return problems


def _face_below_floor(evidence: Evidence, policy: DecisionPolicy) -> bool:
    floor = min(policy.face_review_floor, policy.face_match_threshold)
    return evidence.face_score is not None and evidence.face_score < floor


def _liveness_below_floor(evidence: Evidence, policy: DecisionPolicy) -> bool:
    floor = policy.liveness_threshold - policy.review_band
    return (
        evidence.live_capture
        and evidence.liveness_assessed
        and evidence.liveness_score is not None
        and evidence.liveness_score < floor
    )


def _borderline(evidence: Evidence, policy: DecisionPolicy) -> list[str]:
    reasons: list[str] = []
    if evidence.document_doubts:
        reasons.append(MRZ_CHECK_FAILED)
    if evidence.face_score is None or evidence.face_score < policy.face_match_threshold:
        reasons.append(FACE_MISMATCH)
    if not evidence.live_capture:
        reasons.append(NO_LIVE_CAPTURE)
    elif evidence.liveness_score is None or evidence.liveness_score < policy.liveness_threshold:
        reasons.append(LIVENESS_FAILED)
    return reasons


def _unique(codes: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))
