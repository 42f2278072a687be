"""Imports every mapped class so that ``Base.metadata`` is complete (for Alembic and tests)."""

import openkyc.flows.models
import openkyc.media.models
import openkyc.operators.models
import openkyc.reviews.models
import openkyc.verifications.models
import openkyc.webhooks.models
from openkyc.audit.models import AuditEvent
from openkyc.db.base import Base
from openkyc.merchants.models import ApiKey, Merchant
from openkyc.sessions.models import IdempotencyRecord, KycSession

__all__ = ["ApiKey", "AuditEvent", "Base", "IdempotencyRecord", "KycSession", "Merchant"]
_DOMAIN_MODULES = (
    openkyc.flows.models,
    openkyc.media.models,
    openkyc.operators.models,
    openkyc.reviews.models,
    openkyc.verifications.models,
    openkyc.webhooks.models,
)
