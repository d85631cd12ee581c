"""Request header values as the text the client sent.

HTTP carries header values as bytes. API Gateway (and ``chalice local``, through Python's
``http.server``) hands them to the function decoded as ISO-8859-1, one character per byte, so
the UTF-8 bytes of ``rūta`` arrive as ``rÅ«ta``. Every header is read through
:func:`request_headers`, which turns such values back into their bytes and decodes those as
UTF-8; a value that is not valid UTF-8 is a 400 ``invalid_header``, never stored garbled.
"""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.domain.errors import BadRequest


def _display_name(name: str) -> str:
    """``x-agent-id`` → ``X-Agent-Id`` (how the documentation spells headers)."""
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def decode_value(name: str, value: str) -> str:
    """The text of one header value (see the module docstring); 400 if not UTF-8."""
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        # A character beyond latin-1 cannot be a byte read as latin-1: the value was handed
        # over as text already (a test client, another integration), so it stands as it is.
        return value
    if raw.isascii():
        return value
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(
            f"the {_display_name(name)} header is not valid UTF-8", code="invalid_header"
        ) from exc


def request_headers(raw: Mapping[str, str] | None) -> dict[str, str]:
    """The request's headers by lower-case name, their values decoded as UTF-8."""
    return {name.lower(): decode_value(name.lower(), value) for name, value in (raw or {}).items()}
