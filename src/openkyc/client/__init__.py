"""A small Python client for the OpenKYC / Love&Pay v2 KYC API.

from openkyc.client import OpenKycClient

with OpenKycClient("http://127.0.0.1:8000", api_key="pk_test_…", secret_key="sk_test_…") as kyc:
    session = kyc.create_session(customer_email="client@example.com", language="en")
    print(session.verification_url)
"""

from openkyc.client.errors import (
    AuthenticationError,
    NotFoundError,
    OpenKycApiError,
    RateLimitError,
    ValidationError,
)
from openkyc.client.models import Pagination, Session, SessionList, Verification
from openkyc.client.sync import OpenKycClient
from openkyc.client.webhooks import (
    WebhookVerificationError,
    WebhookVerifier,
    verify_lovepay_signature,
    verify_standard_signature,
)

__all__ = [
    "AuthenticationError",
    "NotFoundError",
    "OpenKycApiError",
    "OpenKycClient",
    "Pagination",
    "RateLimitError",
    "Session",
    "SessionList",
    "ValidationError",
    "Verification",
    "WebhookVerificationError",
    "WebhookVerifier",
    "verify_lovepay_signature",
    "verify_standard_signature",
]
