"""Operators and their sign-in. Services flush; the caller's unit of work commits.

A failed sign-in is an answer, not an exception: its failure count and audit row must be
committed, which an exception would roll back at the edge.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from openkyc.audit.service import AuditService
from openkyc.db.base import utcnow
from openkyc.errors import ValidationFailed
from openkyc.merchants.errors import MerchantNotFound
from openkyc.merchants.service import MerchantService
from openkyc.operators import passwords, totp
from openkyc.operators.errors import (
    CannotChangeYourself,
    OperatorExists,
    OperatorNotFound,
    OperatorSessionInvalid,
    TotpAlreadyEnrolled,
)
from openkyc.operators.models import Operator, OperatorSession, Role, SessionStage
from openkyc.operators.repository import OperatorRepository, OperatorSessionRepository
from openkyc.state import AppState

# A half-finished sign-in (second factor, enrolment, new password) must finish quickly.
PENDING_STAGE_TTL = timedelta(minutes=10)
# last_seen_at is written at most this often: a write per page view would contend with the
# worker on SQLite for a figure that only needs minute precision.
LAST_SEEN_GRANULARITY = timedelta(seconds=30)


class SignInFailure(StrEnum):
    INVALID = "invalid"  # unknown e-mail or wrong password: one answer for both
    LOCKED = "locked"
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True)
class SignIn:
    operator: Operator | None
    failure: SignInFailure | None
    # Whether the e-mail belongs to an account; only the edge's throttle may use it, never
    # the answer shown.
    known: bool


@dataclass(frozen=True, slots=True)
class OpenSession:
    record: OperatorSession
    operator: Operator
    merchant_ids: frozenset[uuid.UUID] | None  # None: every merchant


def normalise_email(email: str) -> str:
    """The one spelling an e-mail is stored and looked up under (raises ValidationFailed)."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed({"email": str(exc)}) from None
    return checked.normalized.lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_role(role: str) -> Role:
    try:
        return Role(role.strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValidationFailed({"role": f"must be one of {allowed}"}) from None


class OperatorService:
    def __init__(self, session: AsyncSession, state: AppState) -> None:
        self.session = session
        self.state = state
        self.settings = state.settings
        self.operators = OperatorRepository(session)
        self.sessions = OperatorSessionRepository(session)
        self.audit = AuditService(session)

    # --- accounts ----------------------------------------------------------------------------

    async def create(
        self,
        *,
        email: str,
        role: str,
        merchant_ids: Iterable[uuid.UUID] | None = None,
        password: str | None = None,
        actor_id: uuid.UUID | None = None,
    ) -> tuple[Operator, str | None]:
        """A new operator, and the generated one-time password when none was given (shown
        once; the first sign-in asks for a new one)."""
        errors: dict[str, str] = {}
        normalised = checked_role = None
        try:
            normalised = normalise_email(email)
        except ValidationFailed as exc:
            errors.update(exc.errors)
        try:
            checked_role = parse_role(role)
        except ValidationFailed as exc:
            errors.update(exc.errors)
        one_time: str | None = None
        if password is None:
            one_time = password = passwords.generate_password()
        elif problem := passwords.password_problem(password):
            errors["password"] = problem
        if errors or normalised is None or checked_role is None:
            raise ValidationFailed(errors)
        merchants = sorted(set(merchant_ids or ()))
        merchant_service = MerchantService(self.session, self.state.keyring)
        for merchant_id in merchants:
            try:
                await merchant_service.get(merchant_id)
            except MerchantNotFound:
                raise ValidationFailed({"merchants": f"no merchant {merchant_id}"}) from None
        if await self.operators.by_email(normalised) is not None:
            raise OperatorExists()
        operator = await self.operators.add(
            Operator(
                email=normalised,
                role=checked_role.value,
                password_hash=passwords.hash_password(password),
                must_change_password=one_time is not None,
            )
        )
        await self.operators.bind_merchants(operator.id, merchants)
        await self._record(
            "operator.created",
            operator,
            actor_id,
            data={"role": operator.role, "merchants": [str(m) for m in merchants]},
        )
        return operator, one_time

    async def get(self, operator_id: uuid.UUID) -> Operator:
        operator = await self.operators.get(operator_id)
        if operator is None:
            raise OperatorNotFound()
        return operator

    async def by_email(self, email: str) -> Operator:
        operator = await self.operators.by_email(normalise_email(email))
        if operator is None:
            raise OperatorNotFound()
        return operator

    async def list(self) -> Sequence[Operator]:
        return await self.operators.list_all()

    async def merchants_of(self, operator_id: uuid.UUID) -> frozenset[uuid.UUID] | None:
        """The merchants an operator is bound to; None when bound to none (sees all)."""
        bound = await self.operators.merchant_ids(operator_id)
        return bound or None

    async def merchants_of_many(
        self, operator_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, frozenset[uuid.UUID]]:
        return await self.operators.merchant_ids_of(operator_ids)

    async def disable(
        self, operator_id: uuid.UUID, *, actor_id: uuid.UUID | None = None
    ) -> Operator:
        if actor_id == operator_id:
            raise CannotChangeYourself()
        operator = await self.get(operator_id)
        if operator.disabled_at is None:
            operator.disabled_at = utcnow()
            revoked = await self.sessions.revoke_all(operator.id, operator.disabled_at)
            await self._record("operator.disabled", operator, actor_id, data={"sessions": revoked})
            await self.session.flush()
        return operator

    async def enable(
        self, operator_id: uuid.UUID, *, actor_id: uuid.UUID | None = None
    ) -> Operator:
        operator = await self.get(operator_id)
        if operator.disabled_at is not None:
            operator.disabled_at = None
            operator.failed_logins = 0
            operator.locked_until = None
            await self._record("operator.enabled", operator, actor_id)
            await self.session.flush()
        return operator

    async def reset_password(
        self,
        operator_id: uuid.UUID,
        *,
        password: str | None = None,
        actor_id: uuid.UUID | None = None,
    ) -> tuple[Operator, str | None]:
        """A new password (generated and one-time when none is given); lifts a lock-out and
        ends every session of the operator."""
        operator = await self.get(operator_id)
        one_time: str | None = None
        if password is None:
            one_time = password = passwords.generate_password()
        else:
            problem = passwords.password_problem(password)
            if problem:
                raise ValidationFailed({"password": problem})
        now = utcnow()
        operator.password_hash = passwords.hash_password(password)
        operator.password_changed_at = now
        operator.must_change_password = one_time is not None
        operator.failed_logins = 0
        operator.locked_until = None
        revoked = await self.sessions.revoke_all(operator.id, now)
        await self._record(
            "operator.password_reset", operator, actor_id, data={"sessions": revoked}
        )
        await self.session.flush()
        return operator, one_time

    async def change_password(
        self, operator: Operator, current: str, new: str, *, keep_session: uuid.UUID | None = None
    ) -> None:
        """The operator's own change (after a one-time password, or at will); every other
        session of the operator ends."""
        if not passwords.verify_password(operator.password_hash, current):
            raise ValidationFailed({"current_password": "is not your current password"})
        problem = passwords.password_problem(new)
        if problem:
            raise ValidationFailed({"new_password": problem})
        if new == current:
            raise ValidationFailed({"new_password": "must differ from the current password"})
        operator.password_hash = passwords.hash_password(new)
        operator.password_changed_at = utcnow()
        operator.must_change_password = False
        revoked = await self.sessions.revoke_all(operator.id, utcnow(), keep=keep_session)
        await self._record(
            "operator.password_changed", operator, operator.id, data={"sessions": revoked}
        )
        await self.session.flush()

    # --- second factor (TOTP) -------------------------------------------------------------------

    async def enrolment_secret(self, operator: Operator) -> str:
        """The secret being enrolled: the pending one, or a new one stored sealed (so a reload
        of the enrolment page shows the same QR code)."""
        if operator.totp_enrolled:
            raise TotpAlreadyEnrolled()
        keyring = self.state.keyring
        if operator.totp_secret_ciphertext is not None:
            return totp.open_secret(keyring, operator.id, operator.totp_secret_ciphertext)
        secret = totp.new_secret()
        operator.totp_secret_ciphertext = totp.seal(keyring, operator.id, secret)
        await self.session.flush()
        return secret

    async def confirm_enrolment(self, operator: Operator, code: str) -> bool:
        """Turns the second factor on when ``code`` matches the pending secret."""
        if operator.totp_enrolled:
            raise TotpAlreadyEnrolled()
        if operator.totp_secret_ciphertext is None:
            return False
        secret = totp.open_secret(self.state.keyring, operator.id, operator.totp_secret_ciphertext)
        step = totp.matching_step(secret, code, after_step=None)
        if step is None:
            return False
        operator.totp_enabled_at = utcnow()
        operator.totp_last_step = step
        await self._record("operator.totp_enrolled", operator, operator.id)
        await self.session.flush()
        return True

    async def verify_totp(
        self, operator: Operator, code: str, *, ip: str | None = None
    ) -> SignInFailure | None:
        """The second step of a sign-in; wrong codes count toward the same lock-out as wrong
        passwords (six digits are guessable otherwise)."""
        now = utcnow()
        if operator.locked_until is not None and operator.locked_until > now:
            return (await self._failed(operator, SignInFailure.LOCKED, ip, "totp")).failure
        if operator.totp_secret_ciphertext is None or not operator.totp_enrolled:
            return SignInFailure.INVALID
        secret = totp.open_secret(self.state.keyring, operator.id, operator.totp_secret_ciphertext)
        step = totp.matching_step(secret, code, after_step=operator.totp_last_step)
        if step is not None and await self.operators.claim_totp_step(operator.id, step):
            return None
        failures = await self.operators.count_failure(operator.id)
        if failures >= self.settings.dashboard_max_failed_logins:
            until = now + timedelta(minutes=self.settings.dashboard_lockout_minutes)
            await self.operators.lock(operator.id, until)
            await self._record("operator.locked", operator, None, data={"ip": ip})
            await self.sessions.revoke_all(operator.id, now)
            return (await self._failed(operator, SignInFailure.LOCKED, ip, "totp")).failure
        return (await self._failed(operator, SignInFailure.INVALID, ip, "totp")).failure

    async def reset_totp(
        self, operator_id: uuid.UUID, *, actor_id: uuid.UUID | None = None
    ) -> Operator:
        """Turns the second factor off (a lost phone); the operator enrols again at the next
        sign-in in production. Every session of the operator ends."""
        if actor_id == operator_id:
            raise CannotChangeYourself()
        operator = await self.get(operator_id)
        operator.totp_secret_ciphertext = None
        operator.totp_enabled_at = None
        operator.totp_last_step = None
        revoked = await self.sessions.revoke_all(operator.id, utcnow())
        await self._record("operator.totp_reset", operator, actor_id, data={"sessions": revoked})
        await self.session.flush()
        return operator

    # --- sign-in -----------------------------------------------------------------------------

    async def authenticate(self, email: str, password: str, *, ip: str | None = None) -> SignIn:
        try:
            normalised = normalise_email(email)
        except ValidationFailed:
            normalised = None
        operator = await self.operators.by_email(normalised) if normalised else None
        if operator is None:
            passwords.burn_time(password)
            await self.audit.record(
                action="operator.sign_in_failed",
                actor_type="operator",
                subject_type="operator",
                subject_id="unknown",
                data={"reason": SignInFailure.INVALID.value, "ip": ip},
            )
            return SignIn(None, SignInFailure.INVALID, known=False)
        # Verified before the lock-out is looked at, so a locked account answers in the same
        # time as any other.
        matches = passwords.verify_password(operator.password_hash, password)
        now = utcnow()
        if operator.locked_until is not None and operator.locked_until > now:
            return await self._failed(operator, SignInFailure.LOCKED, ip)
        if not matches:
            failures = await self.operators.count_failure(operator.id)
            if failures >= self.settings.dashboard_max_failed_logins:
                until = now + timedelta(minutes=self.settings.dashboard_lockout_minutes)
                await self.operators.lock(operator.id, until)
                await self._record("operator.locked", operator, None, data={"ip": ip})
                return await self._failed(operator, SignInFailure.LOCKED, ip)
            return await self._failed(operator, SignInFailure.INVALID, ip)
        if operator.disabled:
            return await self._failed(operator, SignInFailure.DISABLED, ip)
        operator.failed_logins = 0
        operator.locked_until = None
        if passwords.needs_rehash(operator.password_hash):
            operator.password_hash = passwords.hash_password(password)
        await self.session.flush()
        return SignIn(operator, None, known=True)

    async def _failed(
        self, operator: Operator, failure: SignInFailure, ip: str | None, step: str = "password"
    ) -> SignIn:
        await self._record(
            "operator.sign_in_failed",
            operator,
            None,
            data={"reason": failure.value, "step": step, "ip": ip},
        )
        await self.session.flush()
        return SignIn(None, failure, known=True)

    def first_stage(self, operator: Operator) -> SessionStage:
        """Where a browser goes after the right password."""
        if operator.totp_enrolled:
            return SessionStage.TOTP
        if self.settings.is_production:
            return SessionStage.ENROL
        if operator.must_change_password:
            return SessionStage.NEW_PASSWORD
        return SessionStage.ACTIVE

    def next_stage(self, operator: Operator, done: SessionStage) -> SessionStage:
        """The stage after ``done`` (second factor, then enrolment, then a new password)."""
        order = [SessionStage.TOTP, SessionStage.ENROL, SessionStage.NEW_PASSWORD]
        for stage in order[order.index(done) + 1 :] if done in order else order:
            needs_enrolment = self.settings.is_production and not operator.totp_enrolled
            if stage is SessionStage.ENROL and needs_enrolment:
                return stage
            if stage is SessionStage.NEW_PASSWORD and operator.must_change_password:
                return stage
        return SessionStage.ACTIVE

    async def start_session(
        self,
        operator: Operator,
        stage: SessionStage,
        *,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> tuple[OperatorSession, str]:
        """A new server-side session and the cookie token that opens it (never stored)."""
        token = secrets.token_urlsafe(32)
        record = await self.sessions.add(
            OperatorSession(
                operator_id=operator.id,
                token_hash=token_hash(token),
                csrf_token=secrets.token_urlsafe(32),
                stage=stage.value,
                ip=ip,
                user_agent=(user_agent or "")[:300] or None,
            )
        )
        if stage is SessionStage.ACTIVE:
            await self._signed_in(operator, record)
        return record, token

    async def advance(
        self, record: OperatorSession, operator: Operator, done: SessionStage
    ) -> str | None:
        """Moves a session past ``done``; on reaching ``active`` the cookie token and CSRF
        token are replaced (a token seen before the second factor never opens the dashboard)
        and the new token is returned."""
        stage = self.next_stage(operator, done)
        record.stage = stage.value
        if stage is not SessionStage.ACTIVE:
            await self.session.flush()
            return None
        token = secrets.token_urlsafe(32)
        record.token_hash = token_hash(token)
        record.csrf_token = secrets.token_urlsafe(32)
        await self._signed_in(operator, record)
        await self.session.flush()
        return token

    async def _signed_in(self, operator: Operator, record: OperatorSession) -> None:
        operator.last_login_at = utcnow()
        await self._record(
            "operator.signed_in",
            operator,
            operator.id,
            data={"session": str(record.id), "ip": record.ip},
        )

    async def open_session(self, token: str | None, *, now: datetime | None = None) -> OpenSession:
        """The session a cookie token opens, in any stage; raises OperatorSessionInvalid for a
        missing, unknown, revoked, idle or expired one, or a disabled operator."""
        if not token or len(token) > 200:
            raise OperatorSessionInvalid()
        record = await self.sessions.by_token_hash(token_hash(token))
        if record is None or record.revoked_at is not None:
            raise OperatorSessionInvalid()
        now = now or utcnow()
        idle = timedelta(minutes=self.settings.dashboard_idle_minutes)
        lifetime = timedelta(hours=self.settings.dashboard_absolute_hours)
        if record.stage != SessionStage.ACTIVE:
            lifetime = min(lifetime, PENDING_STAGE_TTL)
        if now - record.last_seen_at > idle or now - record.created_at > lifetime:
            raise OperatorSessionInvalid()
        operator = await self.operators.get(record.operator_id)
        if operator is None or operator.disabled:
            raise OperatorSessionInvalid()
        if now - record.last_seen_at > LAST_SEEN_GRANULARITY:
            record.last_seen_at = now
            await self.session.flush()
        return OpenSession(record, operator, await self.merchants_of(operator.id))

    async def sign_out(self, record: OperatorSession) -> None:
        if record.revoked_at is None:
            record.revoked_at = utcnow()
            await self.audit.record(
                action="operator.signed_out",
                actor_type="operator",
                actor_id=str(record.operator_id),
                subject_type="operator",
                subject_id=str(record.operator_id),
                data={"session": str(record.id)},
            )
            await self.session.flush()

    async def live_sessions(self, operator_id: uuid.UUID) -> Sequence[OperatorSession]:
        return await self.sessions.live_for(operator_id)

    async def revoke_sessions(
        self,
        operator_id: uuid.UUID,
        *,
        actor_id: uuid.UUID | None = None,
        keep: uuid.UUID | None = None,
    ) -> int:
        """Ends every session of the operator (but ``keep``, the caller's own)."""
        operator = await self.get(operator_id)
        revoked = await self.sessions.revoke_all(operator.id, utcnow(), keep=keep)
        await self._record(
            "operator.sessions_revoked", operator, actor_id, data={"sessions": revoked}
        )
        return revoked

    async def _record(
        self,
        action: str,
        operator: Operator,
        actor_id: uuid.UUID | None,
        *,
        data: dict[str, object] | None = None,
    ) -> None:
        await self.audit.record(
            action=action,
            actor_type="operator" if actor_id is not None else "system",
            actor_id=str(actor_id) if actor_id is not None else None,
            subject_type="operator",
            subject_id=str(operator.id),
            data=dict(data or {}),
        )
