from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import or_, select, true, update

from openkyc.db.repository import Repository
from openkyc.operators.models import Operator, OperatorMerchant, OperatorSession


class OperatorRepository(Repository[Operator]):
    model = Operator

    async def by_email(self, email: str) -> Operator | None:
        return (await self.session.scalars(select(Operator).where(Operator.email == email))).first()

    async def list_all(self) -> Sequence[Operator]:
        return (await self.session.scalars(select(Operator).order_by(Operator.email))).all()

    async def merchant_ids(self, operator_id: uuid.UUID) -> frozenset[uuid.UUID]:
        statement = select(OperatorMerchant.merchant_id).where(
            OperatorMerchant.operator_id == operator_id
        )
        return frozenset((await self.session.scalars(statement)).all())

    async def merchant_ids_of(
        self, operator_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, frozenset[uuid.UUID]]:
        ids = list(operator_ids)
        found: dict[uuid.UUID, set[uuid.UUID]] = {id_: set() for id_ in ids}
        if ids:
            statement = select(OperatorMerchant).where(OperatorMerchant.operator_id.in_(ids))
            for row in (await self.session.scalars(statement)).all():
                found[row.operator_id].add(row.merchant_id)
        return {id_: frozenset(merchants) for id_, merchants in found.items()}

    async def bind_merchants(
        self, operator_id: uuid.UUID, merchant_ids: Iterable[uuid.UUID]
    ) -> None:
        for merchant_id in merchant_ids:
            self.session.add(OperatorMerchant(operator_id=operator_id, merchant_id=merchant_id))
        await self.session.flush()

    async def count_failure(self, operator_id: uuid.UUID) -> int:
        """One more failed sign-in, counted in the database (not read-modify-write in Python)
        so parallel guesses cannot overwrite each other's count."""
        statement = (
            update(Operator)
            .where(Operator.id == operator_id)
            .values(failed_logins=Operator.failed_logins + 1)
            .returning(Operator.failed_logins)
            .execution_options(synchronize_session=False)
        )
        count: int = (await self.session.execute(statement)).scalar_one()
        return count

    async def lock(self, operator_id: uuid.UUID, until: datetime) -> None:
        statement = (
            update(Operator)
            .where(Operator.id == operator_id)
            .values(failed_logins=0, locked_until=until)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(statement)

    async def claim_totp_step(self, operator_id: uuid.UUID, step: int) -> bool:
        """Records ``step`` as the last accepted one unless it (or a later one) already was:
        of two requests with the same code, exactly one wins."""
        statement = (
            update(Operator)
            .where(
                Operator.id == operator_id,
                or_(Operator.totp_last_step.is_(None), Operator.totp_last_step < step),
            )
            .values(totp_last_step=step, failed_logins=0)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(statement)
        return bool(getattr(result, "rowcount", 0))


class OperatorSessionRepository(Repository[OperatorSession]):
    model = OperatorSession

    async def by_token_hash(self, token_hash: str) -> OperatorSession | None:
        statement = select(OperatorSession).where(OperatorSession.token_hash == token_hash)
        return (await self.session.scalars(statement)).first()

    async def live_for(self, operator_id: uuid.UUID) -> Sequence[OperatorSession]:
        statement = (
            select(OperatorSession)
            .where(OperatorSession.operator_id == operator_id, OperatorSession.revoked_at.is_(None))
            .order_by(OperatorSession.created_at.desc())
        )
        return (await self.session.scalars(statement)).all()

    async def revoke_all(
        self, operator_id: uuid.UUID, at: datetime, *, keep: uuid.UUID | None = None
    ) -> int:
        statement = (
            update(OperatorSession)
            .where(
                OperatorSession.operator_id == operator_id,
                OperatorSession.revoked_at.is_(None),
                OperatorSession.id != keep if keep is not None else true(),
            )
            .values(revoked_at=at)
            .execution_options(synchronize_session=False)
        )
        result = await self.session.execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)
