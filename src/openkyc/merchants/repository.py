from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from openkyc.db.repository import Repository
from openkyc.merchants.models import ApiKey, Merchant


class MerchantRepository(Repository[Merchant]):
    model = Merchant

    async def list_all(self) -> Sequence[Merchant]:
        result = await self.session.scalars(select(Merchant).order_by(Merchant.created_at))
        return result.all()

    async def get_by_name(self, name: str) -> Merchant | None:
        result = await self.session.scalars(select(Merchant).where(Merchant.name == name).limit(1))
        return result.first()

    async def logo_by_digest(self, digest: str) -> bytes | None:
        """The stored logo whose sha256 is ``digest`` (merchants with the same logo share it)."""
        statement = (
            select(Merchant.logo_png)
            .where(Merchant.logo_digest == digest, Merchant.logo_png.is_not(None))
            .limit(1)
        )
        return (await self.session.scalars(statement)).first()


class ApiKeyRepository(Repository[ApiKey]):
    model = ApiKey

    async def get_by_public_hash(self, public_key_hash: str) -> tuple[ApiKey, Merchant] | None:
        statement = (
            select(ApiKey, Merchant)
            .join(Merchant, Merchant.id == ApiKey.merchant_id)
            .where(ApiKey.public_key_hash == public_key_hash)
        )
        row = (await self.session.execute(statement)).first()
        return None if row is None else (row[0], row[1])

    async def list_for_merchant(self, merchant_id: uuid.UUID) -> Sequence[ApiKey]:
        statement = (
            select(ApiKey).where(ApiKey.merchant_id == merchant_id).order_by(ApiKey.created_at)
        )
        return (await self.session.scalars(statement)).all()
