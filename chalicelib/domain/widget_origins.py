"""Origins a widget key may be used from (pure).

An allow-list entry is an origin, ``scheme://host[:port]``, compared exactly after
normalisation (lower-case scheme and host, default ports dropped). A wildcard entry
``https://*.example.com`` matches subdomains of ``example.com`` up to three labels deep
(``a.example.com``, ``x.y.z.example.com``) but not ``example.com`` itself, and only on keys
whose ``allow_subdomains`` flag is set: a tenant must opt in, because a wildcard also trusts
every subdomain it does not control (user-content hosts, forgotten DNS records). Plain ``http``
is accepted only for loopback hosts (local development); a page served over http anywhere else
can be altered in transit, so its requests prove nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ORIGIN = re.compile(
    r"^(?P<scheme>https?)://(?P<wild>\*\.)?(?P<host>[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[::1\])(?::(?P<port>[0-9]{1,5}))?$"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
MAX_ORIGIN_LENGTH = 253
MAX_WILDCARD_DEPTH = 3


class OriginError(ValueError):
    """An allow-list entry or request origin that is not a valid origin."""


def _split(value: str) -> tuple[str, bool, str, int | None]:
    text = value.strip().lower()
    if len(text) > MAX_ORIGIN_LENGTH:
        raise OriginError("an origin has at most 253 characters")
    matched = _ORIGIN.match(text)
    if not matched:
        raise OriginError(
            "an origin is scheme://host[:port] with no path, e.g. https://shop.example.com"
        )
    scheme, host = matched.group("scheme"), matched.group("host")
    port = int(matched.group("port")) if matched.group("port") else None
    if port is not None and not 0 < port < 65536:
        raise OriginError("the port must be between 1 and 65535")
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    return scheme, bool(matched.group("wild")), host, port


def _join(scheme: str, wild: bool, host: str, port: int | None) -> str:
    return f"{scheme}://{'*.' if wild else ''}{host}{f':{port}' if port else ''}"


def normalise_origin(value: str) -> str:
    """The canonical spelling of a request origin (no wildcard), or :class:`OriginError`."""
    scheme, wild, host, port = _split(value)
    if wild:
        raise OriginError("a request origin cannot contain a wildcard")
    return _join(scheme, False, host, port)


def normalise_allowed(value: str, *, allow_subdomains: bool) -> str:
    """The canonical spelling of an allow-list entry, enforcing the rules in the docstring."""
    scheme, wild, host, port = _split(value)
    if wild and not allow_subdomains:
        raise OriginError("wildcard origins need allow_subdomains set to true on the key")
    if wild and (host.count(".") < 1 or host in LOOPBACK_HOSTS or host[0].isdigit()):
        raise OriginError("a wildcard must cover a registrable domain, e.g. https://*.example.com")
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        raise OriginError("plain http is allowed only for localhost; use https")
    return _join(scheme, wild, host, port)


def origin_allowed(origin: str, allowed: Iterable[str], *, allow_subdomains: bool) -> bool:
    """Whether a (normalised) request origin is on a key's allow-list."""
    try:
        scheme, _, host, port = _split(origin)
    except OriginError:
        return False
    for entry in allowed:
        if entry == origin:
            return True
        if allow_subdomains and entry.startswith(f"{scheme}://*."):
            _, _, e_host, e_port = _split(entry)
            if e_port == port and host.endswith("." + e_host):
                depth = host[: -len(e_host) - 1].count(".") + 1
                if depth <= MAX_WILDCARD_DEPTH:
                    return True
    return False


def directory_candidates(origin: str) -> list[str]:
    """Allow-list entries that could admit ``origin``: itself and wildcards over its parents.

    The preflight check looks each of them up in the platform's origin directory.
    """
    scheme, _, host, port = _split(origin)
    found = [_join(scheme, False, host, port)]
    labels = host.split(".")
    if not host[0].isdigit() and host not in LOOPBACK_HOSTS:
        # Nearest parents first, at most MAX_WILDCARD_DEPTH of them: a preflight from a
        # deeply nested (or made-up) host costs a bounded number of lookups.
        for start in range(1, min(len(labels) - 1, MAX_WILDCARD_DEPTH + 1)):
            found.append(_join(scheme, True, ".".join(labels[start:]), port))
    return found
