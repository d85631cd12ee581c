"""Smallest valid request bodies, derived from a pydantic model's JSON schema.

Generated tests (the isolation matrix, the log audit) must send a *valid* body to every route:
an invalid one is refused with 422 before the route ever looks up the resource, which would hide
exactly what those tests are after. The smallest valid body is built from the schema (required
fields only, the simplest value of each type) and then checked with the model itself. A model
whose rules the schema cannot express (a cross-field rule, a validator on a required field)
gets an explicit example in ``tests/support/resources.py`` ``EXAMPLE_BODIES``.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel, ValidationError

_STRING_FORMATS: dict[str, str] = {
    "email": "matrix@example.com",
    "date-time": "2026-01-15T10:00:00Z",
    "date": "2026-01-15",
    "time": "10:00:00",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "duration": "P1D",
}


class NoExample(Exception):
    """The schema alone does not yield a valid body."""


@functools.cache
def _from_pattern(pattern: str, min_length: int, max_length: int) -> str:
    from hypothesis import HealthCheck, find, settings
    from hypothesis import strategies as st

    return find(
        st.from_regex(pattern, fullmatch=True),
        lambda s: min_length <= len(s) <= max_length,
        settings=settings(database=None, max_examples=500, suppress_health_check=list(HealthCheck)),
    )


def _string(schema: dict[str, Any]) -> str:
    fmt = schema.get("format")
    if fmt in _STRING_FORMATS:
        return _STRING_FORMATS[fmt]
    min_length = int(schema.get("minLength", 1))
    max_length = int(schema.get("maxLength", max(min_length, 16)))
    if "pattern" in schema:
        return _from_pattern(schema["pattern"], min_length, max_length)
    text = "Example"
    return (text * (1 + min_length // len(text)))[: max(min_length, min(len(text), max_length))]


def _number(schema: dict[str, Any], kind: type) -> Any:
    if "minimum" in schema:
        value = schema["minimum"]
    elif "exclusiveMinimum" in schema:
        value = schema["exclusiveMinimum"] + 1
    else:
        value = 1
    if "maximum" in schema:
        value = min(value, schema["maximum"])
    return kind(value)


def instance(schema: dict[str, Any], defs: dict[str, Any]) -> Any:  # noqa: PLR0911
    """The simplest instance of ``schema`` (resolving ``$ref`` against ``defs``)."""
    if "$ref" in schema:
        return instance(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            options = sorted(schema[combinator], key=lambda o: o.get("type") == "null")
            return instance(options[0], defs)
    if "allOf" in schema:
        return instance(schema["allOf"][0], defs)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {name: instance(props[name], defs) for name in schema.get("required", [])}
    if kind == "array":
        count = int(schema.get("minItems", 0))
        return [instance(schema.get("items", {}), defs) for _ in range(count)]
    if kind == "string":
        return _string(schema)
    if kind == "integer":
        return _number(schema, int)
    if kind == "number":
        return _number(schema, float)
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return {}


def minimal_body(model: type[BaseModel]) -> dict[str, Any]:
    """The smallest body the model accepts, or :class:`NoExample`."""
    schema = model.model_json_schema()
    try:
        body = instance(schema, schema.get("$defs", {}))
        model.model_validate(body)
    except (ValidationError, KeyError, ValueError) as exc:
        raise NoExample(f"{model.__name__}: {exc}") from exc
    return body
