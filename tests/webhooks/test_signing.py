from __future__ import annotations

import time

import pytest

from openkyc.client import WebhookVerificationError, WebhookVerifier, verify_lovepay_signature
from openkyc.webhooks.signing import (
    generate_secret,
    lovepay_signature,
    signature_headers,
    standard_signature,
)

BODY = b'{"id":"evt_1","event":"kyc.completed"}'


def test_lovepay_signature_matches_the_reference_vector() -> None:
    assert (
        lovepay_signature("whsec_example", BODY)
        == "sha256=301527d58323f4d54d8861428846be92497104b23ba00775eb21d07da0054f2a"
    )


def test_standard_webhooks_signature_matches_the_specification_example() -> None:
    # The example from the Standard Webhooks specification.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert (
        standard_signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_generated_secrets_are_random_whsec_keys() -> None:
    first, second = generate_secret(), generate_secret()
    assert first.startswith("whsec_")
    assert first != second
    assert len(first) > 40


def test_client_verifier_accepts_both_schemes_and_rejects_tampering() -> None:
    secret = generate_secret()
    now_ms = int(time.time() * 1000)
    headers = signature_headers(secret, "evt_1", BODY, now_ms=now_ms, user_agent="t")
    verifier = WebhookVerifier(secret)
    assert verifier.verify(BODY, headers)["id"] == "evt_1"

    lovepay_only = {"x-webhook-signature": headers["x-webhook-signature"]}
    assert verifier.verify(BODY, lovepay_only)["event"] == "kyc.completed"
    assert verify_lovepay_signature(secret, BODY, headers["x-webhook-signature"])

    with pytest.raises(WebhookVerificationError):
        verifier.verify(BODY + b" ", headers)
    with pytest.raises(WebhookVerificationError):
        verifier.verify(BODY + b" ", lovepay_only)
    with pytest.raises(WebhookVerificationError):
        WebhookVerifier("whsec_other").verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        verifier.verify(BODY, {})


def test_client_verifier_rejects_a_replay_outside_the_window() -> None:
    secret = generate_secret()
    old_ms = int((time.time() - 3600) * 1000)
    headers = signature_headers(secret, "evt_1", BODY, now_ms=old_ms, user_agent="t")
    with pytest.raises(WebhookVerificationError, match="window"):
        WebhookVerifier(secret, tolerance_s=300).verify(BODY, headers)
    # The same request is fine when it is fresh.
    assert WebhookVerifier(secret).verify(BODY, headers, now=old_ms / 1000 + 10)
