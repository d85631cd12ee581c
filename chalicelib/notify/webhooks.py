"""Signed webhook POSTs to tenant URLs, safe against server-side request forgery.

Every delivery resolves the host, refuses the request if *any* resolved address is off limits
(``domain/webhook_signing.forbidden_address``: loopback, private, link-local and metadata,
CGNAT, multicast, reserved), then connects to the checked address itself — not to the name
again — so a DNS answer that changes between the check and the connection (DNS rebinding)
cannot redirect it. TLS still verifies the certificate against the host name (SNI and
hostname check use the name, the socket uses the pinned address). Redirects are not followed;
a 3xx is a permanent failure. Time limits are short: a slow receiver is retried later with
backoff, it never holds the worker.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.webhook_signing import Target, forbidden_address
from chalicelib.notify.errors import DeliveryFailed

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 10.0
USER_AGENT = "aftersales-webhooks/1"
_RETRYABLE_STATUSES = frozenset({408, 425, 429})

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DeliveryFailed(f"cannot resolve {host}: {exc}") from exc
    return sorted({str(info[4][0]) for info in infos})


def checked_address(
    target: Target, *, allow_private: bool, resolver: Resolver | None = None
) -> str:
    """The address to connect to; ``DeliveryFailed(permanent)`` if any answer is off limits.

    All answers are checked, not only the one used: a name with one public and one internal
    address is refused outright.
    """
    addresses = (resolver or resolve)(target.host, target.port)
    if not addresses:
        raise DeliveryFailed(f"{target.host} has no address")
    if not allow_private:
        for text in addresses:
            if forbidden_address(ipaddress.ip_address(text.split("%", 1)[0])):
                raise DeliveryFailed(
                    f"{target.host} resolves to a non-public address; refused", retryable=False
                )
    return addresses[0]


@dataclass(frozen=True)
class Response:
    """What the receiver answered."""

    status: int
    body: str


def post(
    target: Target,
    body: Mapping[str, Any] | bytes,
    headers: Mapping[str, str],
    *,
    allow_private: bool = False,
    resolver: Resolver | None = None,
) -> Response:
    """POST ``body`` to ``target``; raises :class:`DeliveryFailed` unless it answered 2xx.

    Retryable: network errors, timeouts, 408/425/429 and 5xx. Permanent: other 4xx, 3xx
    (redirects are not followed) and refused targets.
    """
    import urllib3

    data = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    address = checked_address(target, allow_private=allow_private, resolver=resolver)
    request_headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Host": target.host if target.port in (80, 443) else f"{target.host}:{target.port}",
        **headers,
    }
    timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT)
    pool: Any
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port=target.port,
            timeout=timeout,
            retries=False,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port=target.port, timeout=timeout, retries=False)
    try:
        with pool:
            answer = pool.urlopen(
                "POST",
                target.path,
                body=data,
                headers=request_headers,
                redirect=False,
                preload_content=True,
                assert_same_host=False,
            )
    except urllib3.exceptions.HTTPError as exc:
        raise DeliveryFailed(f"webhook request failed: {type(exc).__name__}") from exc
    status = int(answer.status)
    text = answer.data[:500].decode("utf-8", "replace") if answer.data else ""
    if 200 <= status < 300:
        return Response(status, text)
    if 300 <= status < 400:
        raise DeliveryFailed(
            f"webhook answered {status}; redirects are not followed", retryable=False
        )
    retryable = status >= 500 or status in _RETRYABLE_STATUSES
    raise DeliveryFailed(f"webhook answered {status}", retryable=retryable)
