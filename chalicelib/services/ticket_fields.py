"""Custom ticket fields: the tenant's definitions (settings section ``ticket_fields``)
applied to a ticket's values."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.custom_fields import FieldDefinition
from chalicelib.domain.custom_fields import validate as validate_values
from chalicelib.schemas.ticket_settings import TicketFieldsSettings


def definitions(sections: dict[str, dict[str, Any]]) -> list[FieldDefinition]:
    """The tenant's field definitions, from its stored settings sections."""
    settings = TicketFieldsSettings.model_validate(sections.get("ticket_fields", {}))
    return [
        FieldDefinition(
            key=f.key,
            type=f.type,
            required=f.required,
            options=tuple(f.options),
            max_length=f.max_length,
        )
        for f in settings.fields
    ]


def validate(
    sections: dict[str, dict[str, Any]], values: dict[str, Any], *, partial: bool
) -> dict[str, Any]:
    """Validated, normalised values of a ticket's custom fields (422 listing bad fields).

    ``partial`` skips the required-field check (never used for whole tickets today).
    """
    defs = definitions(sections)
    if partial:
        defs = [FieldDefinition(d.key, d.type, False, d.options, d.max_length) for d in defs]
    return validate_values(defs, values)
