"""The audit log page: who may read it, its filters, and the CSV export."""

from __future__ import annotations

import csv
import io
import uuid

import httpx

from openkyc.audit.service import AuditService
from openkyc.db.session import unit_of_work
from openkyc.state import AppState
from tests.dashboard.support import OperatorInfo, post_login, sign_in
from tests.support import MerchantInfo


async def _record(state: AppState, **fields: object) -> None:
    values: dict[str, object] = {
        "action": "case.viewed",
        "actor_type": "operator",
        "subject_type": "session",
        "subject_id": str(uuid.uuid4()),
        **fields,
    }
    async with unit_of_work(state.sessionmaker) as db:
        await AuditService(db).record(**values)  # type: ignore[arg-type]


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_only_auditors_and_admins_read_the_audit_log(
    client: httpx.AsyncClient,
    other_browser: httpx.AsyncClient,
    auditor: OperatorInfo,
    reviewer: OperatorInfo,
) -> None:
    await sign_in(client, auditor)
    assert (await client.get("/dashboard/audit")).status_code == 200
    assert (await client.get("/dashboard/audit/export.csv")).status_code == 200
    await sign_in(other_browser, reviewer)
    assert (await other_browser.get("/dashboard/audit")).status_code == 403
    assert (await other_browser.get("/dashboard/audit/export.csv")).status_code == 403


async def test_sign_ins_failures_and_logouts_are_in_the_log(
    client: httpx.AsyncClient, admin: OperatorInfo, reviewer: OperatorInfo
) -> None:
    await post_login(client, reviewer.email, "wrong password!")
    csrf = await sign_in(client, reviewer)
    await client.post("/dashboard/logout", data={"csrf_token": csrf})
    await sign_in(client, admin)
    page = await client.get("/dashboard/audit", params={"action": "operator."})
    assert page.status_code == 200
    for action in ("operator.sign_in_failed", "operator.signed_in", "operator.signed_out"):
        assert f'data-action="{action}"' in page.text
    by_actor = await client.get("/dashboard/audit", params={"actor": reviewer.email})
    assert 'data-action="operator.signed_out"' in by_actor.text
    assert 'data-action="operator.created"' not in by_actor.text  # created by the system


async def test_filters_narrow_the_rows_and_bad_values_are_named(
    client: httpx.AsyncClient, state: AppState, admin: OperatorInfo, merchant: MerchantInfo
) -> None:
    await _record(state, action="case.viewed", merchant_id=uuid.UUID(merchant.id), subject_id="s-1")
    await _record(state, action="case.approved", subject_id="s-2")
    await sign_in(client, admin)
    viewed = await client.get("/dashboard/audit", params={"action": "case.viewed"})
    assert 'data-action="case.viewed"' in viewed.text
    assert 'data-action="case.approved"' not in viewed.text
    by_merchant = await client.get("/dashboard/audit", params={"merchant": merchant.id})
    assert "session:s-1" in by_merchant.text
    assert "session:s-2" not in by_merchant.text
    by_subject = await client.get("/dashboard/audit", params={"subject": "session:s-2"})
    assert "session:s-2" in by_subject.text
    assert "session:s-1" not in by_subject.text
    future = await client.get("/dashboard/audit", params={"since": "2999-01-01"})
    assert "No audit rows match." in future.text
    bad = await client.get(
        "/dashboard/audit",
        params={"merchant": "nope", "since": "yesterday", "actor": "ghost@example.com"},
    )
    assert bad.status_code == 400
    for field in ("merchant-error", "since-error", "actor-error"):
        assert f'id="{field}"' in bad.text
    assert (await client.get("/dashboard/audit/export.csv?since=2026-13-01")).status_code == 400


async def test_the_export_is_csv_with_hashes_and_neutralised_formulas(
    client: httpx.AsyncClient, state: AppState, admin: OperatorInfo
) -> None:
    await _record(state, action="case.noted", subject_id='=HYPERLINK("http://evil")')
    await sign_in(client, admin)
    export = await client.get("/dashboard/audit/export.csv", params={"action": "case.noted"})
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert "attachment" in export.headers["content-disposition"]
    rows = _csv(export.text)
    assert len(rows) == 1
    assert rows[0]["subject_id"].startswith("'=")
    assert len(rows[0]["row_hash"]) == 64
    # The export itself is audited.
    log = await client.get("/dashboard/audit", params={"action": "audit.exported"})
    assert 'data-action="audit.exported"' in log.text


async def test_a_merchant_bound_auditor_sees_only_their_merchants_rows(
    client: httpx.AsyncClient, state: AppState, make_operator, make_merchant
) -> None:  # type: ignore[no-untyped-def]
    mine, theirs = await make_merchant("Mine"), await make_merchant("Theirs")
    await _record(state, merchant_id=uuid.UUID(mine.id), subject_id="mine-1")
    await _record(state, merchant_id=uuid.UUID(theirs.id), subject_id="theirs-1")
    auditor = await make_operator(role="auditor", merchant_ids=[mine.id])
    await sign_in(client, auditor)
    page = await client.get("/dashboard/audit")
    assert "session:mine-1" in page.text
    assert "session:theirs-1" not in page.text
    export = _csv((await client.get("/dashboard/audit/export.csv")).text)
    assert {row["subject_id"] for row in export if row["action"] == "case.viewed"} == {"mine-1"}
