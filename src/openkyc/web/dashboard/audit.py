"""The audit log (auditors and admins): every sign-in, case view, reveal, decision and
change, filterable, and exported as CSV with its chain hashes so the export can be checked."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.api.dependencies import db_session, get_state
from openkyc.audit.models import AuditEvent
from openkyc.audit.repository import AuditFilter
from openkyc.audit.service import AuditService
from openkyc.db.session import unit_of_work
from openkyc.digits import parse_ascii_int
from openkyc.errors import ValidationFailed
from openkyc.operators.errors import OperatorNotFound
from openkyc.operators.service import OperatorService
from openkyc.state import AppState
from openkyc.web.dashboard.auth import render, require_roles
from openkyc.web.dashboard.principal import ADMIN, AUDITOR, OperatorPrincipal
from openkyc.web.dashboard.rendering import apply_headers

router = APIRouter(include_in_schema=False)
auditors = require_roles(ADMIN, AUDITOR)

PAGE_SIZE = 100
EXPORT_LIMIT = 100_000
EXPORT_BATCH = 1000
FILTER_FIELDS = ("action", "actor", "subject", "merchant", "since", "until")
CSV_COLUMNS = (
    "id", "chain_seq", "occurred_at", "actor_type", "actor_id", "actor_email", "action",
    "subject_type", "subject_id", "merchant_id", "data", "prev_hash", "row_hash",
)  # fmt: skip


def _date(value: str, field: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = "use a date like 2026-12-31"
        return None


async def parse_filter(
    params: Mapping[str, str], principal: OperatorPrincipal, operators: OperatorService
) -> tuple[AuditFilter, dict[str, str]]:
    """The filter the query string asks for (dates are whole UTC days, ``until`` included),
    narrowed to the operator's merchants; every bad value named."""
    raw = {field: (params.get(field) or "").strip()[:200] for field in FILTER_FIELDS}
    errors: dict[str, str] = {}
    merchant_id = None
    if raw["merchant"]:
        try:
            merchant_id = uuid.UUID(raw["merchant"])
        except ValueError:
            errors["merchant"] = "must be a merchant id (UUID)"
    actor_id = raw["actor"] or None
    if actor_id and "@" in actor_id:
        # Auditors think in e-mails; rows hold the operator's id.
        try:
            actor_id = str((await operators.by_email(actor_id)).id)
        except (ValidationFailed, OperatorNotFound):
            errors["actor"] = "no operator has this e-mail"
    subject_type, _, subject_id = raw["subject"].rpartition(":")
    since = _date(raw["since"], "since", errors)
    until = _date(raw["until"], "until", errors)
    if since and until and until < since:
        errors["until"] = "must not be before the start date"
    found = AuditFilter(
        action=raw["action"] or None,
        actor_id=actor_id,
        subject_type=subject_type or None,
        subject_id=subject_id or None,
        merchant_id=merchant_id,
        since=datetime.combine(since, time(), UTC) if since else None,
        until=datetime.combine(until, time(), UTC) + timedelta(days=1) if until else None,
        merchant_scope=principal.merchant_ids,
    )
    return found, errors


async def _emails(operators: OperatorService, rows: Sequence[AuditEvent]) -> dict[str, str]:
    wanted = {row.actor_id for row in rows if row.actor_type == "operator" and row.actor_id}
    if not wanted:
        return {}
    return {str(o.id): o.email for o in await operators.list() if str(o.id) in wanted}


@router.get("/dashboard/audit")
async def audit_page(
    request: Request,
    principal: OperatorPrincipal = Depends(auditors),
    state: AppState = Depends(get_state),
    db: AsyncSession = Depends(db_session, scope="function"),
) -> Response:
    operators = OperatorService(db, state)
    found, errors = await parse_filter(request.query_params, principal, operators)
    before = request.query_params.get("before")
    before_id = parse_ascii_int(before, max_digits=18)
    audit = AuditService(db)
    rows: Sequence[AuditEvent] = []
    if not errors:
        rows = await audit.search(found, limit=PAGE_SIZE + 1, before_id=before_id)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    query = {f: request.query_params.get(f, "") for f in FILTER_FIELDS}
    return render(
        request,
        "dashboard/audit.html",
        {
            "rows": rows,
            "emails": await _emails(operators, rows),
            "filters": query,
            "fields": errors,
            "actions": await audit.actions(),
            "next_before": rows[-1].id if more and rows else None,
            "query": urlencode({k: v for k, v in query.items() if v}),
        },
        principal=principal,
        status_code=400 if errors else 200,
    )


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell starting like a formula is neutralised, so opening the export in a spreadsheet
    # never runs anything (OWASP CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _csv_line(values: Sequence[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([_cell(v) for v in values])
    return buffer.getvalue()


@router.get("/dashboard/audit/export.csv")
async def export_csv(
    request: Request,
    principal: OperatorPrincipal = Depends(auditors),
    state: AppState = Depends(get_state),
) -> Response:
    async with unit_of_work(state.sessionmaker) as db:
        operators = OperatorService(db, state)
        found, errors = await parse_filter(request.query_params, principal, operators)
        if errors:
            raise ValidationFailed(errors)
        emails = {str(o.id): o.email for o in await operators.list()}
        # The export is itself audited, with what it covered.
        await AuditService(db).record(
            action="audit.exported",
            actor_type="operator",
            actor_id=str(principal.operator_id),
            subject_type="audit_log",
            subject_id="export",
            data={
                f: request.query_params.get(f) for f in FILTER_FIELDS if request.query_params.get(f)
            },
        )

    async def lines() -> AsyncIterator[str]:
        yield _csv_line(CSV_COLUMNS)
        before_id: int | None = None
        sent = 0
        while sent < EXPORT_LIMIT:
            async with unit_of_work(state.sessionmaker) as db:
                rows = await AuditService(db).search(found, limit=EXPORT_BATCH, before_id=before_id)
                for row in rows:
                    yield _csv_line(_export_values(row, emails))
            sent += len(rows)
            if len(rows) < EXPORT_BATCH:
                return
            before_id = rows[-1].id

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    response = StreamingResponse(lines(), media_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="openkyc-audit-{stamp}.csv"'
    return apply_headers(response)


def _export_values(row: AuditEvent, emails: Mapping[str, str]) -> list[Any]:
    return [
        row.id,
        row.chain_seq,
        row.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        row.actor_type,
        row.actor_id,
        emails.get(row.actor_id or "", ""),
        row.action,
        row.subject_type,
        row.subject_id,
        row.merchant_id,
        json.dumps(row.data, sort_keys=True, ensure_ascii=False),
        row.prev_hash,
        row.row_hash,
    ]
