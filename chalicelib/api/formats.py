"""RFC 3339 times, exactly as the OpenAPI document promises (``format: date-time``/``date``).

pydantic parses more than RFC 3339: ``"0.5"`` or ``"1700000000"`` become Unix timestamps and
``"2026-01-01T10:00:00"`` a *naive* time, which later fails to compare with aware ones (a 500).
The schema says "date-time", so anything else is a 422 with the field named. The check walks
the model's JSON schema beside the input, so every model, current or future, is covered.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from pydantic import BaseModel

from chalicelib.domain.errors import FieldError

_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MESSAGES = {
    "date-time": "must be an RFC 3339 time with a UTC offset, e.g. 2026-01-15T10:00:00Z",
    "date": "must be a date as YYYY-MM-DD",
}
_PATTERNS = {"date-time": _DATE_TIME, "date": _DATE}


@functools.cache
def _schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


@functools.cache
def has_time_fields(model: type[BaseModel]) -> bool:
    """Whether any field (nested included) of ``model`` is a date or date-time."""
    text = json.dumps(_schema(model))
    return '"format": "date-time"' in text or '"format": "date"' in text


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _walk(
    schema: dict[str, Any], value: Any, defs: dict[str, Any], path: str, found: list[FieldError]
) -> None:
    schema = _resolve(schema, defs)
    fmt = schema.get("format")
    if fmt in _PATTERNS and isinstance(value, str) and not _PATTERNS[fmt].match(value):
        found.append(FieldError(field=path or "body", message=_MESSAGES[fmt], type="format"))
        return
    for choice in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        option = _resolve(choice, defs)
        if option.get("type") == "null" and value is not None:
            continue
        _walk(option, value, defs, path, found)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            sub = props.get(name) if isinstance(name, str) else None
            if sub is None and isinstance(extra, dict):
                sub = extra
            if sub is not None:
                _walk(sub, item, defs, f"{path}.{name}" if path else str(name), found)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            _walk(schema["items"], item, defs, f"{path}.{index}" if path else str(index), found)


def time_format_errors(model: type[BaseModel], data: Any) -> list[FieldError]:
    """Field errors for every date/date-time value of ``data`` that is not RFC 3339."""
    if not has_time_fields(model):
        return []
    schema = _schema(model)
    found: list[FieldError] = []
    _walk(schema, data, schema.get("$defs", {}), "", found)
    return list(dict.fromkeys(found))
