from __future__ import annotations

import uuid

import pytest

from openkyc.webhooks import delivery, ssrf
from openkyc.webhooks.errors import UnsafeTarget
from openkyc.webhooks.service import OutgoingRequest
from tests.webhooks.receiver import Receiver


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.5/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://localhost/hook",
        "http://93.184.216.34/hook",
        "https://user:pw@93.184.216.34/hook",
        "ftp://93.184.216.34/hook",
        "not a url",
    ],
)
async def test_production_refuses_private_loopback_link_local_and_plain_http(url: str) -> None:
    with pytest.raises(UnsafeTarget):
        await ssrf.resolve(url, production=True)


async def test_production_accepts_a_public_https_address_and_pins_it() -> None:
    target = await ssrf.resolve("https://93.184.216.34:8443/hook?x=1", production=True)
    assert target.pinned_url == "https://93.184.216.34:8443/hook?x=1"
    assert target.host_header == "93.184.216.34:8443"


async def test_development_allows_plain_http_only_to_loopback() -> None:
    target = await ssrf.resolve("http://localhost:8080/hook", production=False)
    assert target.address in ("127.0.0.1", "::1")
    assert target.host_header == "localhost:8080"
    with pytest.raises(UnsafeTarget):
        await ssrf.resolve("http://10.1.2.3/hook", production=False)
    with pytest.raises(UnsafeTarget):
        await ssrf.resolve("http://example.invalid/hook", production=False)


def _request(url: str) -> OutgoingRequest:
    return OutgoingRequest(
        delivery_id=uuid.uuid4(),
        endpoint_id=uuid.uuid4(),
        url=url,
        secret="whsec_test-secret-0123456789",
        event_id="evt_1",
        envelope={"id": "evt_1", "event": "kyc.completed"},
        retry_count=0,
    )


async def test_delivery_checks_the_target_again_and_refuses_it_in_production(
    receiver: Receiver,
) -> None:
    # Registered while it looked fine; at delivery time it is a private address.
    result = await delivery.send(
        _request(receiver.url), production=True, timeout_s=2, user_agent="t"
    )
    assert result.status_code is None
    assert result.error is not None
    assert result.error.startswith("refused target")
    assert receiver.received == []


async def test_delivery_connects_to_the_checked_address_and_keeps_the_host_name(
    receiver: Receiver,
) -> None:
    url = f"http://localhost:{receiver.port}/hook"
    result = await delivery.send(_request(url), production=False, timeout_s=2, user_agent="t")
    assert result.status_code == 200
    (request,) = receiver.wait_for(1)
    assert request.headers["Host"] == f"localhost:{receiver.port}"


@pytest.mark.parametrize(
    "url",
    [
        "https://[2002:a9fe:a9fe::]/",  # 6to4 of 169.254.169.254
        "https://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "https://[2002:5db8:d822::1]/",  # 6to4 of a public address: refused as a form
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
        "https://[::a9fe:a9fe]/",  # IPv4-compatible
        "https://[::ffff:93.184.216.34]/",  # IPv4-mapped, even of a public address
        "https://[::ffff:0:a9fe:a9fe]/",  # IPv4-translated (SIIT)
        "https://[64:ff9b::a9fe:a9fe]/",  # NAT64
        "https://[64:ff9b:1::a9fe:a9fe]/",  # NAT64, local use
    ],
)
async def test_production_refuses_every_ipv6_form_embedding_ipv4(url: str) -> None:
    with pytest.raises(UnsafeTarget, match="embedding IPv4"):
        await ssrf.resolve(url, production=True)


async def test_production_accepts_a_public_ipv6_address() -> None:
    target = await ssrf.resolve("https://[2606:2800:220:1:248:1893:25c8:1946]/", production=True)
    assert target.address == "2606:2800:220:1:248:1893:25c8:1946"
