"""The audit log's hash chain: each row carries SHA-256 over its canonical content and the
previous row's hash, in ``chain_seq`` order, so a row altered, deleted or slipped in afterwards
breaks the chain at that row (``openkyc audit verify``).

Rows are inserted as usual (``AuditService.record`` is unchanged for its callers) and sealed
when their transaction commits: after every other change of the transaction is flushed (so
its row locks are already held and the chain's lock is always taken last, which cannot
deadlock), the chain is locked (``pg_advisory_xact_lock`` on PostgreSQL; SQLite already holds
its single write lock since the rows were inserted), the head is read, and the new rows get
consecutive sequence numbers and hashes. ``chain_seq`` is unique, so even a bug in that
serialisation fails loudly instead of forking the chain.

What it cannot see: someone with write access to the database who recomputes every hash
after an edit, or who drops the newest rows. Record the head that ``openkyc audit verify``
prints somewhere else (a ticket, a log shipped off the host) to catch both.

This module holds the chain's queries (a flush hook cannot use an async repository).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, event, select, text
from sqlalchemy.orm import Session, UOWTransaction

from openkyc.audit.models import AuditEvent

GENESIS = "0" * 64
_PENDING_KEY = "openkyc.audit.unsealed"
# pg_advisory_xact_lock takes a bigint: the first 8 bytes of a fixed name's hash.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"openkyc.audit-chain").digest()[:8], "big", signed=True)


def canonical(
    *,
    occurred_at: datetime,
    merchant_id: object,
    actor_type: str,
    actor_id: str | None,
    action: str,
    subject_type: str,
    subject_id: str,
    data: Any,
) -> bytes:
    """The bytes a row's hash covers: sorted-key JSON, UTC timestamps to the microsecond,
    ids as strings. Never change it: every stored hash depends on it."""
    return json.dumps(
        {
            "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "merchant_id": str(merchant_id) if merchant_id is not None else None,
            "actor_type": actor_type,
            "actor_id": actor_id,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "data": data if data is not None else {},
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def row_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + content).hexdigest()


def event_content(row: AuditEvent) -> bytes:
    return canonical(
        occurred_at=row.occurred_at,
        merchant_id=row.merchant_id,
        actor_type=row.actor_type,
        actor_id=row.actor_id,
        action=row.action,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        data=row.data,
    )


# --- sealing at commit ---------------------------------------------------------------------


def _remember_new_rows(session: Session, _context: UOWTransaction, _instances: object) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if new:
        session.info.setdefault(_PENDING_KEY, []).extend(new)


def _lock_chain(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    # SQLite: the transaction inserted the rows, so it holds the database's only write lock
    # until it commits; nobody else can append meanwhile.


def _head(connection: Connection) -> tuple[int, str]:
    statement = (
        select(AuditEvent.chain_seq, AuditEvent.row_hash)
        .where(AuditEvent.chain_seq.is_not(None))
        .order_by(AuditEvent.chain_seq.desc())
        .limit(1)
    )
    found = connection.execute(statement).first()
    if found is None or found[0] is None or found[1] is None:
        return 0, GENESIS
    return int(found[0]), str(found[1])


def _seal(session: Session) -> None:
    unflushed = any(isinstance(obj, AuditEvent) for obj in session.new)
    if not unflushed and not session.info.get(_PENDING_KEY):
        return
    # Everything else first: the chain's lock must be the last one this transaction takes.
    session.flush()
    pending: list[AuditEvent] = session.info.get(_PENDING_KEY, [])
    rows = sorted(
        (row for row in pending if row in session and row.id is not None and row.chain_seq is None),
        key=lambda row: row.id,
    )
    session.info.pop(_PENDING_KEY, None)
    if not rows:
        return
    connection = session.connection()
    _lock_chain(connection)
    seq, previous = _head(connection)
    for row in rows:
        seq += 1
        row.chain_seq = seq
        row.prev_hash = previous
        row.row_hash = previous = row_hash(previous, event_content(row))
    session.flush()


def _forget(session: Session, *_args: object) -> None:
    session.info.pop(_PENDING_KEY, None)


def install() -> None:
    """Hook the chain into every ORM session (idempotent)."""
    if not event.contains(Session, "before_flush", _remember_new_rows):
        event.listen(Session, "before_flush", _remember_new_rows)
        event.listen(Session, "before_commit", _seal)
        event.listen(Session, "after_rollback", _forget)


install()


# --- verification --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainReport:
    intact: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_id: int | None = None
    first_bad_seq: int | None = None
    problem: str | None = None


class ChainChecker:
    """Fed rows in ``chain_seq`` order; stops at the first that does not fit."""

    def __init__(self) -> None:
        self.expected_seq = 1
        self.previous = GENESIS
        self.checked = 0
        self.bad: ChainReport | None = None

    def feed(self, row: AuditEvent) -> bool:
        """False once a row does not fit (the report then names it)."""
        problem = None
        if row.chain_seq != self.expected_seq:
            problem = (
                f"sequence {row.chain_seq} where {self.expected_seq} was expected "
                "(a row before it is missing)"
            )
        elif row.prev_hash != self.previous:
            problem = "its previous-row hash does not match the row before it"
        elif row.row_hash != row_hash(self.previous, event_content(row)):
            problem = "its content does not match its hash (the row was altered)"
        if problem:
            self.bad = self._report(False, row.id, row.chain_seq, problem)
            return False
        self.checked += 1
        self.expected_seq += 1
        self.previous = row.row_hash or GENESIS
        return True

    def outside(self, row_id: int) -> None:
        """A row with no place in the chain (no sequence number): inserted behind its back."""
        if self.bad is None:
            self.bad = self._report(
                False, row_id, None, "the row is outside the chain (no sequence number or hash)"
            )

    def report(self) -> ChainReport:
        return self.bad or self._report(True, None, None, None)

    def _report(
        self, intact: bool, row_id: int | None, seq: int | None, problem: str | None
    ) -> ChainReport:
        return ChainReport(
            intact, self.checked, self.expected_seq - 1, self.previous, row_id, seq, problem
        )


def backfill(connection: Connection, batch: int = 1000) -> int:
    """Seals rows written before the chain existed, in id order (used by the migration)."""
    table = cast(Table, AuditEvent.__table__)
    _lock_chain(connection)
    seq, previous = _head(connection)
    sealed = 0
    while True:
        rows = (
            connection.execute(
                select(table)
                .where(AuditEvent.chain_seq.is_(None))
                .order_by(AuditEvent.id)
                .limit(batch)
            )
            .mappings()
            .all()
        )
        if not rows:
            return sealed
        for row in rows:
            seq += 1
            content = canonical(**{k: row[k] for k in _CONTENT_COLUMNS})
            current = row_hash(previous, content)
            connection.execute(
                table.update()
                .where(AuditEvent.id == row["id"])
                .values(chain_seq=seq, prev_hash=previous, row_hash=current)
            )
            previous = current
            sealed += 1


_CONTENT_COLUMNS = (
    "occurred_at",
    "merchant_id",
    "actor_type",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "data",
)
