"""Tenant-defined ticket fields: validating values against their typed definitions (pure).

Definitions come from the ``ticket_fields`` settings section. Values are JSON: ``text`` is a
string up to ``max_length``, ``number`` any finite number, ``integer`` a whole number,
``boolean`` true/false, ``date`` an ISO date string, ``select`` one of ``options``,
``multiselect`` a list of distinct options. ``null`` removes a value; a required field cannot
be missing or null. Keys without a definition are refused.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.domain.errors import FieldError, Invalid


@dataclass(frozen=True)
class FieldDefinition:
    """One custom field as the domain sees it."""

    key: str
    type: str
    required: bool = False
    options: tuple[str, ...] = ()
    max_length: int = 1000


def _text(definition: FieldDefinition, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return None, "must be a string"
    if len(value) > definition.max_length:
        return None, f"must be at most {definition.max_length} characters"
    return value, None


def _number(definition: FieldDefinition, value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, "must be a number"
    if isinstance(value, float) and not math.isfinite(value):
        return None, "must be a finite number"
    return value, None


def _integer(definition: FieldDefinition, value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool) or not isinstance(value, int):
        return None, "must be a whole number"
    return value, None


def _boolean(definition: FieldDefinition, value: Any) -> tuple[Any, str | None]:
    return (value, None) if isinstance(value, bool) else (None, "must be true or false")


def _date(definition: FieldDefinition, value: Any) -> tuple[Any, str | None]:
    try:
        return date.fromisoformat(value).isoformat(), None
    except (TypeError, ValueError):
        return None, "must be a date (YYYY-MM-DD)"


def _select(definition: FieldDefinition, value: Any) -> tuple[Any, str | None]:
    if value not in definition.options:
        return None, "must be one of: " + ", ".join(definition.options)
    return value, None


def _multiselect(definition: FieldDefinition, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None, "must be a list of options"
    unknown = [v for v in value if v not in definition.options]
    if unknown:
        return None, f"'{unknown[0]}' is not one of: " + ", ".join(definition.options)
    if len(set(value)) != len(value):
        return None, "must not repeat options"
    return list(value), None


_CHECKS = {
    "text": _text,
    "number": _number,
    "integer": _integer,
    "boolean": _boolean,
    "date": _date,
    "select": _select,
    "multiselect": _multiselect,
}


def _check(definition: FieldDefinition, value: Any) -> tuple[Any, str | None]:
    check = _CHECKS.get(definition.type)
    if check is None:
        return None, f"has an unknown type {definition.type}"
    return check(definition, value)


def validate(definitions: Sequence[FieldDefinition], values: Mapping[str, Any]) -> dict[str, Any]:
    """The normalised values (nulls dropped), or ``Invalid`` listing every bad field."""
    by_key = {d.key: d for d in definitions}
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for name, value in values.items():
        definition = by_key.get(name)
        if definition is None:
            errors.append(FieldError(f"custom_fields.{name}", "is not a defined field", "unknown"))
            continue
        if value is None:
            continue
        normalised, problem = _check(definition, value)
        if problem:
            errors.append(FieldError(f"custom_fields.{name}", problem, "invalid"))
        else:
            clean[name] = normalised
    for definition in definitions:
        if definition.required and definition.key not in clean:
            errors.append(FieldError(f"custom_fields.{definition.key}", "is required", "missing"))
    if errors:
        raise Invalid("custom fields are not valid", code="invalid_custom_fields", errors=errors)
    return clean
