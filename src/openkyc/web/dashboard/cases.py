"""The case page (``/dashboard/cases/{id}``): every piece of evidence of one session.

Images are decrypted for the one response that shows them and never cached
(``Cache-Control: no-store``); personal data is masked until the reviewer reveals it, which
is audited like every view. Actions (take, decide, note...) are in
:mod:`openkyc.web.dashboard.case_actions`.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import db_session, get_state
from openkyc.reviews.casefile import CaseFile, CaseFileService, Personal, mask
from openkyc.state import AppState
from openkyc.verification.decision import DECISION_CODES
from openkyc.web.dashboard import case_actions
from openkyc.web.dashboard.auth import current_operator, render, verify_csrf
from openkyc.web.dashboard.principal import OperatorPrincipal
from openkyc.web.dashboard.queue import reviewer_of
from openkyc.web.dashboard.rendering import apply_headers
from openkyc.web.i18n import N_

router = APIRouter(include_in_schema=False)
router.include_router(case_actions.router)

# What each stored field is called on the page, in reading order.
FIELD_LABELS = {
    "surname": N_("Surname"),
    "given_names": N_("Given names"),
    "surname_cyrillic": N_("Surname (Cyrillic)"),
    "given_names_cyrillic": N_("Given names (Cyrillic)"),
    "patronymic": N_("Patronymic"),
    "number": N_("Document number"),
    "issuing_country": N_("Issuing country"),
    "nationality": N_("Nationality"),
    "sex": N_("Sex"),
    "birth_date": N_("Date of birth"),
    "expiry_date": N_("Expiry date"),
    "issue_date": N_("Issue date"),
    "personal_number": N_("Personal number"),
    "department_code": N_("Department code"),
}
SOURCE_LABELS = {
    "mrz": N_("machine-readable zone"),
    "mrz_cyrillic": N_("restored from the machine-readable zone"),
    "printed": N_("printed zone"),
    "sandbox": N_("sandbox"),
}
# The verification object's keys (the API's names) as the page calls them.
IDENTITY_LABELS = {
    "firstName": N_("Given names"),
    "lastName": N_("Surname"),
    "middleName": N_("Patronymic"),
    "fullName": N_("Full name"),
    "firstNameLatin": N_("Given names (Latin)"),
    "lastNameLatin": N_("Surname (Latin)"),
    "middleNameLatin": N_("Patronymic (Latin)"),
    "fullNameLatin": N_("Full name (Latin)"),
    "dateOfBirth": N_("Date of birth"),
    "documentType": N_("Document type"),
    "documentNumber": N_("Document number"),
    "documentCountry": N_("Issuing country"),
    "documentIssuedAt": N_("Issue date"),
    "documentExpiresAt": N_("Expiry date"),
    "faceMatchScore": N_("Face match"),
    "livenessScore": N_("Liveness"),
    "verifiedAt": N_("Verified at"),
}
# Fields of the identity that are not personal (scores), shown unmasked.
_OPEN_IDENTITY = {"faceMatchScore", "livenessScore", "documentType", "documentCountry"}


def case_context(
    case: CaseFile, personal: Personal, *, revealed: bool, principal: OperatorPrincipal
) -> dict[str, Any]:
    def shown(value: object) -> str:
        if value is None or value == "":
            return "—"
        return str(value) if revealed else mask(value)

    fields = [
        {
            **item,
            "label": FIELD_LABELS.get(str(item.get("name")), str(item.get("name"))),
            "source_label": SOURCE_LABELS.get(str(item.get("source")), str(item.get("source"))),
            "shown": shown(item.get("value")),
            "shown_printed": shown(item.get("printed")) if item.get("printed") else None,
            # MRZ and printed zone disagree, or a check digit failed: the reviewer looks here.
            "doubt": item.get("checkDigit") is False
            or (
                item.get("source") == "mrz"
                and item.get("name") in ("surname", "given_names")
                and personal.reading.get("mrzLines")
                and not personal.reading.get("nameConfirmed")
                and not item.get("printed")
            ),
        }
        for item in personal.reading.get("fields", [])
    ]
    identity = {
        key: (value if key in _OPEN_IDENTITY else shown(value))
        for key, value in personal.identity.items()
        if value not in (None, "")
    }
    holder = case.holder
    mine = holder is not None and holder.actor_id == str(principal.operator_id)
    proposal = case.proposal
    return {
        "case": case,
        "revealed": revealed,
        "contact": {"email": shown(personal.email), "phone": shown(personal.phone)},
        "identity": identity,
        "fields": fields,
        "mrz_lines": personal.reading.get("mrzLines", []) if revealed else [],
        "has_mrz": bool(personal.reading.get("mrzLines")),
        "check_digits": personal.reading.get("checkDigits", []),
        "consent_ip": shown(case.flow.consent_ip) if case.flow else "—",
        "mine": mine,
        "can_act": principal.can_decide and case.in_review,
        "held_by_other": holder is not None and not mine,
        "my_proposal": proposal is not None and proposal.actor_id == str(principal.operator_id),
        "decision_codes": DECISION_CODES,
        "identity_labels": IDENTITY_LABELS,
        "liveness": _liveness(case),
    }


def _liveness(case: CaseFile) -> dict[str, Any]:
    latest = case.latest
    check = latest.check("liveness") if latest else None
    detail = dict(check.detail or {}) if check is not None else {}
    observed = str(detail.pop("challenge.observed", "") or "")
    expected = str(detail.pop("challenge.expected", "") or "")
    return {
        "expected": [step for step in expected.split(",") if step] or case.challenge,
        "observed": [step for step in observed.split(",") if step],
        "detail": sorted(detail.items()),
    }


async def render_case(
    request: Request,
    files: CaseFileService,
    principal: OperatorPrincipal,
    session_id: uuid.UUID,
    *,
    revealed: bool = False,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    reviewer = reviewer_of(principal)
    case = await files.load(reviewer, session_id)
    personal = await files.reveal(reviewer, case) if revealed else files.personal(case)
    context = case_context(case, personal, revealed=revealed, principal=principal)
    # The timeline names operators by e-mail rather than by id.
    emails = {str(operator.id): operator.email for operator in await files.operators.list()}
    context.update(error=error, notice=notice, who=lambda actor: emails.get(actor or "", actor))
    return render(
        request, "dashboard/case.html", context, principal=principal, status_code=status_code
    )


@router.get("/dashboard/cases/{session_id}")
async def case_page(
    request: Request,
    session_id: uuid.UUID,
    principal: OperatorPrincipal = Depends(current_operator),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    t = request.query_params.get("done")
    notice = case_actions.notice_for(request, t) if t else None
    return await render_case(
        request, CaseFileService(db, state), principal, session_id, notice=notice
    )


@router.post("/dashboard/cases/{session_id}/reveal")
async def reveal(
    request: Request,
    session_id: uuid.UUID,
    principal: OperatorPrincipal = Depends(verify_csrf),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    """One click shows the personal data unmasked, in this response only; audited."""
    return await render_case(
        request, CaseFileService(db, state), principal, session_id, revealed=True
    )


def _image_response(data: bytes, content_type: str) -> Response:
    response = Response(content=data, media_type=content_type)
    return apply_headers(response)


@router.get("/dashboard/cases/{session_id}/media/{object_id}")
async def case_image(
    session_id: uuid.UUID,
    object_id: uuid.UUID,
    principal: OperatorPrincipal = Depends(current_operator),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    data, content_type = await CaseFileService(db, state).image(
        reviewer_of(principal), session_id, object_id
    )
    return _image_response(data, content_type)


@router.get("/dashboard/cases/{session_id}/portrait/{object_id}")
async def case_portrait(
    session_id: uuid.UUID,
    object_id: uuid.UUID,
    principal: OperatorPrincipal = Depends(current_operator),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    data, content_type = await CaseFileService(db, state).portrait(
        reviewer_of(principal), session_id, object_id
    )
    return _image_response(data, content_type)
