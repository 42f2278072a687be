"""The overview (``/dashboard/overview``): volumes, approval rate, decline reasons, time to
decision and time in the review queue, overall and per merchant, as server-drawn charts."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import db_session, get_state
from openkyc.digits import parse_ascii_int
from openkyc.errors import ValidationFailed
from openkyc.merchants.service import MerchantService
from openkyc.reviews.overview import MAX_DAYS, OverviewService
from openkyc.state import AppState
from openkyc.web.dashboard.auth import current_operator, render
from openkyc.web.dashboard.charts import horizontal_bars, stacked_days
from openkyc.web.dashboard.principal import OperatorPrincipal
from openkyc.web.dashboard.rendering import translator
from openkyc.web.i18n import N_, Translator

router = APIRouter(include_in_schema=False)
STATUS_LABELS = {
    "APPROVED": N_("approved"),
    "DECLINED": N_("declined"),
    "IN_PROGRESS": N_("in progress"),
    "NOT_STARTED": N_("not started"),
    "EXPIRED": N_("expired"),
}


def duration(t: Translator, seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return t.gettext(N_("%(n)s s"), n=round(seconds))
    if seconds < 7200:
        return t.gettext(N_("%(n)s min"), n=round(seconds / 60))
    if seconds < 172800:
        return t.gettext(N_("%(n)s h"), n=round(seconds / 3600, 1))
    return t.gettext(N_("%(n)s days"), n=round(seconds / 86400, 1))


def _parse(days: str | None, merchant: str | None) -> tuple[int, uuid.UUID | None]:
    errors: dict[str, str] = {}
    span = 30
    if days:
        parsed = parse_ascii_int(days, max_digits=4)
        if parsed is None or not 1 <= parsed <= MAX_DAYS:
            errors["days"] = f"must be a whole number from 1 to {MAX_DAYS}"
        else:
            span = parsed
    merchant_id = None
    if merchant:
        try:
            merchant_id = uuid.UUID(merchant)
        except ValueError:
            errors["merchant"] = "must be a merchant id"
    if errors:
        raise ValidationFailed(errors)
    return span, merchant_id


@router.get("/dashboard/overview")
async def overview_page(
    request: Request,
    principal: OperatorPrincipal = Depends(current_operator),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    days, merchant_id = _parse(
        request.query_params.get("days"), request.query_params.get("merchant")
    )
    overview = await OverviewService(db).build(
        days=days, scope=principal.merchant_ids, merchant_id=merchant_id
    )
    t = translator(request)
    labels = {status: t.gettext(label) for status, label in STATUS_LABELS.items()}
    reasons = overview.overall.reasons.most_common(12)
    merchants = [
        merchant
        for merchant in await MerchantService(db, state.keyring).list()
        if principal.sees(merchant.id)
    ]
    return render(
        request,
        "dashboard/overview.html",
        {
            "overview": overview,
            "days": days,
            "merchant_id": str(merchant_id) if merchant_id else "",
            "merchants": merchants,
            "labels": labels,
            "duration": lambda seconds: duration(t, seconds),
            "day_chart": stacked_days(
                overview.days,
                overview.per_day,
                labels,
                t.gettext(N_("Sessions per day by status")),
            ),
            "reason_chart": horizontal_bars(reasons, t.gettext(N_("Decline reasons")), "#b3261e")
            if reasons
            else None,
            "reasons": reasons,
        },
        principal=principal,
    )
