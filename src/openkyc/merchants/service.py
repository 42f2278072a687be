"""Merchants and their API keys. Services flush; the caller's unit of work commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit.service import AuditService
from openkyc.db.base import utcnow
from openkyc.encryption import Keyring
from openkyc.errors import InvalidApiKey
from openkyc.merchants import keys
from openkyc.merchants.errors import ApiKeyAlreadyRevoked, ApiKeyNotFound, MerchantNotFound
from openkyc.merchants.models import ApiKey, Merchant
from openkyc.merchants.repository import ApiKeyRepository, MerchantRepository


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key: ApiKey
    pair: keys.KeyPair


@dataclass(frozen=True, slots=True)
class CreatedMerchant:
    merchant: Merchant
    live: keys.KeyPair
    test: keys.KeyPair


@dataclass(frozen=True, slots=True)
class AuthenticatedKey:
    merchant_id: uuid.UUID
    merchant_name: str
    api_key_id: uuid.UUID
    mode: str
    secret: str
    session_ttl_minutes: int | None
    # Checked by the caller only after the signature: the state is not told to strangers.
    active: bool


class MerchantService:
    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self.session = session
        self.keyring = keyring
        self.merchants = MerchantRepository(session)
        self.api_keys = ApiKeyRepository(session)
        self.audit = AuditService(session)

    async def create(self, name: str, *, actor: str = "operator") -> CreatedMerchant:
        merchant = await self.merchants.add(Merchant(name=name, policy={}))
        live = await self.create_key(merchant.id, "live", label="default", actor=actor)
        test = await self.create_key(merchant.id, "test", label="default", actor=actor)
        await self.audit.record(
            action="merchant.created",
            actor_type=actor,
            merchant_id=merchant.id,
            subject_type="merchant",
            subject_id=str(merchant.id),
        )
        return CreatedMerchant(merchant=merchant, live=live.pair, test=test.pair)

    async def get(self, merchant_id: uuid.UUID) -> Merchant:
        merchant = await self.merchants.get(merchant_id)
        if merchant is None:
            raise MerchantNotFound()
        return merchant

    async def list(self) -> Sequence[Merchant]:
        return await self.merchants.list_all()

    async def create_key(
        self,
        merchant_id: uuid.UUID,
        mode: str,
        *,
        label: str | None = None,
        actor: str = "operator",
    ) -> IssuedKey:
        await self.get(merchant_id)
        pair = keys.new_key_pair(mode)
        key_id = uuid.uuid4()
        key = ApiKey(
            id=key_id,
            merchant_id=merchant_id,
            mode=mode,
            public_key_hash=keys.hash_public_key(pair.api_key),
            public_key_hint=keys.hint(pair.api_key),
            secret_ciphertext=keys.seal_secret(self.keyring, key_id, pair.secret_key),
            label=label,
        )
        await self.api_keys.add(key)
        await self.audit.record(
            action="api_key.created",
            actor_type=actor,
            merchant_id=merchant_id,
            subject_type="api_key",
            subject_id=str(key_id),
            data={"mode": mode},
        )
        return IssuedKey(key=key, pair=pair)

    async def list_keys(self, merchant_id: uuid.UUID) -> Sequence[ApiKey]:
        await self.get(merchant_id)
        return await self.api_keys.list_for_merchant(merchant_id)

    async def _key(self, key_id: uuid.UUID) -> ApiKey:
        key = await self.api_keys.get(key_id)
        if key is None:
            raise ApiKeyNotFound()
        return key

    async def revoke_key(self, key_id: uuid.UUID, *, actor: str = "operator") -> ApiKey:
        key = await self._key(key_id)
        if key.revoked_at is not None:
            raise ApiKeyAlreadyRevoked()
        key.revoked_at = utcnow()
        await self.session.flush()
        await self.audit.record(
            action="api_key.revoked",
            actor_type=actor,
            merchant_id=key.merchant_id,
            subject_type="api_key",
            subject_id=str(key.id),
        )
        return key

    async def rotate_key(
        self, key_id: uuid.UUID, *, grace: timedelta, actor: str = "operator"
    ) -> IssuedKey:
        """Issue a replacement; the old key keeps working for ``grace``, then stops."""
        old = await self._key(key_id)
        if old.revoked_at is not None:
            raise ApiKeyAlreadyRevoked()
        issued = await self.create_key(old.merchant_id, old.mode, label=old.label, actor=actor)
        deadline = utcnow() + grace
        old.expires_at = deadline if old.expires_at is None else min(old.expires_at, deadline)
        await self.session.flush()
        await self.audit.record(
            action="api_key.rotated",
            actor_type=actor,
            merchant_id=old.merchant_id,
            subject_type="api_key",
            subject_id=str(old.id),
            data={"replacement": str(issued.key.id), "grace_s": int(grace.total_seconds())},
        )
        return issued

    async def authenticate(self, api_key: str, *, now: datetime | None = None) -> AuthenticatedKey:
        found = await self.api_keys.get_by_public_hash(keys.hash_public_key(api_key))
        if found is None:
            raise InvalidApiKey()
        key, merchant = found
        moment = now or utcnow()
        if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= moment):
            raise InvalidApiKey()
        return AuthenticatedKey(
            merchant_id=merchant.id,
            merchant_name=merchant.name,
            api_key_id=key.id,
            mode=key.mode,
            secret=keys.open_secret(self.keyring, key.id, key.secret_ciphertext),
            session_ttl_minutes=merchant.session_ttl_minutes,
            active=merchant.active,
        )
