"""Where a webhook may go. Checked when an endpoint is registered AND before every delivery,
on every address the name resolves to; the delivery then connects to the address that was
checked (the name only travels as Host and SNI), so a DNS answer that changes between the
check and the connection (rebinding) cannot reach an internal service.

Production: https only, and only public addresses. Development: https anywhere, plain http only
to loopback (a receiver on the developer's machine).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from openkyc.webhooks.errors import UnsafeTarget

MAX_URL_LENGTH = 2048

# IPv6 forms that carry an IPv4 address (RFC 6052, 6145, 4380, 3056, 4291): a relay,
# translator or the host's own stack may turn them into IPv4 packets to the embedded
# address, so in production they are refused whatever that address is.
_EMBEDDING_IPV4 = (
    (ipaddress.IPv6Network("::ffff:0:0/96"), "IPv4-mapped"),
    (ipaddress.IPv6Network("::ffff:0:0:0/96"), "IPv4-translated (SIIT)"),
    (ipaddress.IPv6Network("::/96"), "IPv4-compatible"),
    (ipaddress.IPv6Network("64:ff9b::/96"), "NAT64"),
    (ipaddress.IPv6Network("64:ff9b:1::/48"), "NAT64 (local use)"),
    (ipaddress.IPv6Network("2002::/16"), "6to4"),
    (ipaddress.IPv6Network("2001::/32"), "Teredo"),
)


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str  # as written (the Host header and TLS name)
    port: int
    path: str  # path and query, as written
    address: str  # the checked address to connect to

    @property
    def pinned_url(self) -> str:
        literal = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.scheme}://{literal}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def parse_url(url: str, *, production: bool) -> SplitResult:
    """Static checks, no network: scheme, host, no credentials in the URL."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise UnsafeTarget(f"must be an absolute URL of at most {MAX_URL_LENGTH} characters")
    if any(ch.isspace() for ch in url) or "\x00" in url:
        raise UnsafeTarget("must not contain whitespace")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        raise UnsafeTarget("must be an https URL")
    if production and parts.scheme != "https":
        raise UnsafeTarget("must be an https URL")
    if not parts.hostname:
        raise UnsafeTarget("must name a host")
    if parts.username or parts.password:
        raise UnsafeTarget("must not carry credentials; the signature authenticates us")
    if parts.fragment:
        raise UnsafeTarget("must not have a #fragment")
    try:
        _ = parts.port
    except ValueError:
        raise UnsafeTarget("has an invalid port") from None
    if parts.scheme == "http":
        literal = _literal(parts.hostname)
        if parts.hostname != "localhost" and (literal is None or not literal.is_loopback):
            raise UnsafeTarget("plain http is allowed only to loopback, in development")
    return parts


async def resolve(url: str, *, production: bool) -> Target:
    """Resolve and check every address; return the first one to connect to."""
    parts = parse_url(url, production=production)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise UnsafeTarget("does not resolve") from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
        if not addresses:
            raise UnsafeTarget("does not resolve")
    for address in addresses:
        problem = _refused(address, production=production, scheme=parts.scheme)
        if problem:
            raise UnsafeTarget(problem)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, str(addresses[0]))


def _refused(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, *, production: bool, scheme: str
) -> str | None:
    if production and isinstance(address, ipaddress.IPv6Address):
        for network, form in _EMBEDDING_IPV4:
            if address in network:
                return f"is an IPv6 address embedding IPv4 ({form}); use a public address"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if scheme == "http" and not address.is_loopback:
        return "plain http is allowed only to loopback, in development"
    if not production:
        return None
    if (
        not address.is_global
        or address.is_multicast
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
        or address.is_unspecified
    ):
        return "resolves to a private, loopback, link-local or reserved address"
    return None


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
