"""Webhook signatures and target rules: what a tenant's endpoint receives and where we may send.

Signature (Stripe-style, so receivers can reuse known code)::

    X-Aftersales-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>

The timestamp is inside the signed text, so an old request cannot be re-dated. A receiver
recomputes the HMAC over the raw body bytes, compares in constant time and refuses a ``t``
outside its replay window (:data:`REPLAY_WINDOW`, 5 minutes, in either direction for clock
skew). Deliveries are at least once: the ``X-Aftersales-Delivery`` id (the follow-up id) is the
same on every retry, so a receiver de-duplicates by it.

Targets: only ``https`` URLs (plain ``http`` only where the stage allows it: the local stack),
no user-info, and — checked on every delivery after DNS resolution, because a public name can
point anywhere — no loopback, private, link-local (incl. cloud metadata), CGNAT, multicast,
reserved or unspecified addresses, IPv4-mapped IPv6 included. Redirects are never followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from chalicelib.domain.errors import Invalid

REPLAY_WINDOW = timedelta(minutes=5)
SIGNATURE_HEADER = "X-Aftersales-Signature"
DELIVERY_HEADER = "X-Aftersales-Delivery"
EVENT_HEADER = "X-Aftersales-Event"
SCHEME_V1 = "v1"

# Addresses that are not "the public internet" even though ``is_global`` may miss them, or that
# deserve naming: the EC2/ECS metadata services (IPv4 and the IPv6 one of Nitro instances).
_METADATA = (
    ipaddress.ip_network("169.254.169.254/32"),
    ipaddress.ip_network("169.254.170.2/32"),
    ipaddress.ip_network("fd00:ec2::254/128"),
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},{SCHEME_V1}={mac}"


def verify(
    secret: bytes, header: str, body: bytes, now: datetime, window: timedelta = REPLAY_WINDOW
) -> bool:
    """What a receiver does: a genuine signature with a timestamp inside the replay window.

    Any of several ``v1`` values may match (senders rotating secrets send one per secret).
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == SCHEME_V1 and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if abs(now.timestamp() - timestamp) > window.total_seconds():
        return False
    expected = sign(secret, timestamp, body).rsplit("=", 1)[1]
    return any(hmac.compare_digest(expected, c) for c in candidates)


@dataclass(frozen=True)
class Target:
    """A parsed, allowed webhook URL."""

    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line


def parse_target(url: str, *, allow_http: bool = False) -> Target:
    """Check a tenant's webhook URL's form; raise ``Invalid(invalid_webhook_url)`` if refused.

    The address check (:func:`forbidden_address`) happens at delivery, after resolution.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _invalid(f"not a URL: {exc}") from exc
    schemes = {"https", "http"} if allow_http else {"https"}
    if parts.scheme not in schemes:
        raise _invalid("webhook URLs must use https")
    if parts.username is not None or parts.password is not None:
        raise _invalid("webhook URLs must not carry credentials; use the signature instead")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _invalid("the URL has no host")
    if parts.fragment:
        raise _invalid("webhook URLs must not have a fragment")
    literal = _literal_address(host)
    if literal is not None and forbidden_address(literal) and not allow_http:
        raise _invalid("webhook URLs must point to a public address")
    if literal is None and (host == "localhost" or host.endswith(".localhost")) and not allow_http:
        raise _invalid("webhook URLs must point to a public address")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(
        scheme=parts.scheme,
        host=host,
        port=port or (443 if parts.scheme == "https" else 80),
        path=path,
    )


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def forbidden_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether a resolved address is off limits for webhooks (anything not public unicast)."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return forbidden_address(mapped)
    if any(address in net for net in _METADATA):
        return True
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return True
    return (
        not address.is_global
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _invalid(detail: str) -> Invalid:
    return Invalid(detail, code="invalid_webhook_url")
