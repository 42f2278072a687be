"""Merchants and their API keys. Services flush; the caller's unit of work commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit.service import AuditService
from openkyc.db.base import utcnow
from openkyc.encryption import Keyring
from openkyc.errors import InvalidApiKey, ValidationFailed
from openkyc.merchants import branding, keys
from openkyc.merchants.errors import ApiKeyAlreadyRevoked, ApiKeyNotFound, MerchantNotFound
from openkyc.merchants.models import ApiKey, Merchant
from openkyc.merchants.repository import ApiKeyRepository, MerchantRepository
from openkyc.verifications.errors import InvalidPolicy
from openkyc.verifications.policy import validate_policy

# A session's lifetime a merchant may choose, in minutes: one minute to one week.
TTL_RANGE = (1, 7 * 24 * 60)
NAME_MAX = 200


class _Unset:
    """No change asked (None means "back to the default" for the session lifetime)."""


UNSET: Any = _Unset()


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
    scopes: frozenset[str] = frozenset(keys.DEFAULT_SCOPES)


def key_scopes(key: ApiKey) -> tuple[str, ...]:
    return keys.parse_scopes(key.scopes or ",".join(keys.DEFAULT_SCOPES))


class MerchantService:
    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self.session = session
        self.keyring = keyring
        self.merchants = MerchantRepository(session)
        self.api_keys = ApiKeyRepository(session)
        self.audit = AuditService(session)

    async def create(
        self, name: str, *, actor: str = "operator", actor_id: str | None = None
    ) -> CreatedMerchant:
        cleaned = name.strip()
        if not cleaned or len(cleaned) > NAME_MAX:
            raise ValidationFailed({"name": f"must be 1 to {NAME_MAX} characters"})
        merchant = await self.merchants.add(Merchant(name=cleaned, policy={}))
        live = await self.create_key(
            merchant.id, "live", label="default", actor=actor, actor_id=actor_id
        )
        test = await self.create_key(
            merchant.id, "test", label="default", actor=actor, actor_id=actor_id
        )
        await self.audit.record(
            action="merchant.created",
            actor_type=actor,
            actor_id=actor_id,
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

    async def update(
        self,
        merchant_id: uuid.UUID,
        *,
        name: str | None = None,
        session_ttl_minutes: int | None = UNSET,
        policy: Mapping[str, Any] | None = None,
        policy_changes: Mapping[str, Any] | None = None,
        display_name: str | None = UNSET,
        accent_colour: str | None = UNSET,
        logo: bytes | None = UNSET,
        actor: str = "operator",
        actor_id: str | None = None,
    ) -> Merchant:
        """Rename, set the session lifetime (None: the operator's default) and the decision
        policy: ``policy`` replaces it whole, ``policy_changes`` sets fields over it (a None
        value drops a field back to its default). Every bad field is named in one 400
        (``name``, ``sessionTtlMinutes``, ``policy.<field>``); every change is audited with
        its old and new value. The CLI and the dashboard both come here.

        The brand: ``display_name`` and ``accent_colour`` (None or blank: back to the name and
        OpenKYC's colour), ``logo`` (the uploaded bytes, None: remove it); errors name
        ``displayName``, ``accentColour``, ``logo`` (:mod:`openkyc.merchants.branding`)."""
        merchant = await self.get(merchant_id)
        errors: dict[str, str] = {}
        changes: dict[str, dict[str, Any]] = {}
        if name is not None:
            cleaned_name = name.strip()
            if not cleaned_name or len(cleaned_name) > NAME_MAX:
                errors["name"] = f"must be 1 to {NAME_MAX} characters"
            elif cleaned_name != merchant.name:
                changes["name"] = {"from": merchant.name, "to": cleaned_name}
        if session_ttl_minutes is not UNSET:
            low, high = TTL_RANGE
            if session_ttl_minutes is not None and (
                isinstance(session_ttl_minutes, bool)
                or not isinstance(session_ttl_minutes, int)
                or not low <= session_ttl_minutes <= high
            ):
                errors["sessionTtlMinutes"] = f"must be an integer from {low} to {high}, or default"
            elif session_ttl_minutes != merchant.session_ttl_minutes:
                changes["sessionTtlMinutes"] = {
                    "from": merchant.session_ttl_minutes,
                    "to": session_ttl_minutes,
                }
        if policy is not None or policy_changes is not None:
            wanted = dict(merchant.policy or {}) if policy is None else dict(policy)
            for key, value in (policy_changes or {}).items():
                if value is None:
                    wanted.pop(key, None)
                else:
                    wanted[key] = value
            try:
                validated = validate_policy(wanted)
            except InvalidPolicy as exc:
                errors.update(exc.errors)
            else:
                if validated != (merchant.policy or {}):
                    changes["policy"] = {"from": merchant.policy or {}, "to": validated}
        new_logo = self._brand_changes(merchant, display_name, accent_colour, logo, errors, changes)
        if errors:
            raise ValidationFailed(errors)
        if not changes:
            return merchant
        if "displayName" in changes:
            merchant.display_name = changes["displayName"]["to"]
        if "accentColour" in changes:
            merchant.accent_colour = changes["accentColour"]["to"]
        if "logo" in changes:
            merchant.logo_png = None if new_logo is None else new_logo.png
            merchant.logo_digest = changes["logo"]["to"]
        if "name" in changes:
            merchant.name = changes["name"]["to"]
        if "sessionTtlMinutes" in changes:
            merchant.session_ttl_minutes = changes["sessionTtlMinutes"]["to"]
        if "policy" in changes:
            merchant.policy = changes["policy"]["to"]
        await self.session.flush()
        await self.audit.record(
            action="merchant.updated",
            actor_type=actor,
            actor_id=actor_id,
            merchant_id=merchant.id,
            subject_type="merchant",
            subject_id=str(merchant.id),
            data={"changes": changes},
        )
        return merchant

    @staticmethod
    def _brand_changes(
        merchant: Merchant,
        display_name: str | None,
        accent_colour: str | None,
        logo: bytes | None,
        errors: dict[str, str],
        changes: dict[str, dict[str, Any]],
    ) -> branding.Logo | None:
        """Check the brand fields into ``errors``/``changes``; the logo is audited by digest."""
        for field, value, clean, current in (
            ("displayName", display_name, branding.clean_display_name, merchant.display_name),
            ("accentColour", accent_colour, branding.clean_accent_colour, merchant.accent_colour),
        ):
            if value is UNSET:
                continue
            try:
                cleaned = None if value is None else clean(value)
            except branding.BrandError as exc:
                errors[field] = str(exc)
                continue
            if cleaned != current:
                changes[field] = {"from": current, "to": cleaned}
        if logo is UNSET:
            return None
        sanitised: branding.Logo | None = None
        if logo is not None:
            try:
                sanitised = branding.sanitise_logo(logo)
            except branding.BrandError as exc:
                errors["logo"] = str(exc)
                return None
        digest = None if sanitised is None else sanitised.digest
        if digest != merchant.logo_digest:
            changes["logo"] = {"from": merchant.logo_digest, "to": digest}
        return sanitised

    async def logo(self, digest: str) -> bytes | None:
        return await self.merchants.logo_by_digest(digest)

    async def set_active(
        self,
        merchant_id: uuid.UUID,
        active: bool,
        *,
        actor: str = "operator",
        actor_id: str | None = None,
    ) -> Merchant:
        """Disable (its keys then get 403 PARTNER_INACTIVE on every request) or
        enable a merchant; audited when it changes anything."""
        merchant = await self.get(merchant_id)
        if merchant.active == active:
            return merchant
        merchant.active = active
        await self.session.flush()
        await self.audit.record(
            action="merchant.enabled" if active else "merchant.disabled",
            actor_type=actor,
            actor_id=actor_id,
            merchant_id=merchant.id,
            subject_type="merchant",
            subject_id=str(merchant.id),
        )
        return merchant

    async def create_key(
        self,
        merchant_id: uuid.UUID,
        mode: str,
        *,
        label: str | None = None,
        scopes: Sequence[str] = keys.DEFAULT_SCOPES,
        actor: str = "operator",
        actor_id: str | None = None,
    ) -> IssuedKey:
        await self.get(merchant_id)
        if mode not in keys.MODES:
            raise ValidationFailed({"mode": "must be live or test"})
        try:
            chosen = keys.parse_scopes(tuple(scopes))
        except ValueError as exc:
            raise ValidationFailed({"scopes": str(exc)}) from None
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
            scopes=",".join(chosen),
        )
        await self.api_keys.add(key)
        await self.audit.record(
            action="api_key.created",
            actor_type=actor,
            actor_id=actor_id,
            merchant_id=merchant_id,
            subject_type="api_key",
            subject_id=str(key_id),
            data={"mode": mode, "scopes": list(chosen)},
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

    async def revoke_key(
        self, key_id: uuid.UUID, *, actor: str = "operator", actor_id: str | None = None
    ) -> ApiKey:
        key = await self._key(key_id)
        if key.revoked_at is not None:
            raise ApiKeyAlreadyRevoked()
        key.revoked_at = utcnow()
        await self.session.flush()
        await self.audit.record(
            action="api_key.revoked",
            actor_type=actor,
            actor_id=actor_id,
            merchant_id=key.merchant_id,
            subject_type="api_key",
            subject_id=str(key.id),
        )
        return key

    async def rotate_key(
        self,
        key_id: uuid.UUID,
        *,
        grace: timedelta,
        actor: str = "operator",
        actor_id: str | None = None,
    ) -> IssuedKey:
        """Issue a replacement; the old key keeps working for ``grace``, then stops."""
        old = await self._key(key_id)
        if old.revoked_at is not None:
            raise ApiKeyAlreadyRevoked()
        issued = await self.create_key(
            old.merchant_id,
            old.mode,
            label=old.label,
            scopes=key_scopes(old),
            actor=actor,
            actor_id=actor_id,
        )
        deadline = utcnow() + grace
        old.expires_at = deadline if old.expires_at is None else min(old.expires_at, deadline)
        await self.session.flush()
        await self.audit.record(
            action="api_key.rotated",
            actor_type=actor,
            actor_id=actor_id,
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
            scopes=frozenset(key_scopes(key)),
        )
