"""Reading and changing a tenant's settings, section by section (version-conditional)."""

from __future__ import annotations

import importlib
from typing import Any, TypeVar

from chalicelib.domain.errors import NotFound, PreconditionRequired
from chalicelib.schemas.common import ApiModel
from chalicelib.schemas.settings import SECTIONS, SettingsEnvelope, SettingsOverview
from chalicelib.store import settings as store

S = TypeVar("S", bound=ApiModel)

# Sections whose values name other resources: "module:function(tenant_id, values)" raising
# NotFound for a reference the tenant does not own, so a typo fails on save, not at send time.
REFERENCE_CHECKS: dict[str, str] = {
    "followups": "chalicelib.services.followup_settings:check_references",
}


def _model(section: str) -> type[ApiModel]:
    model = SECTIONS.get(section)
    if model is None:
        raise NotFound(f"no settings section '{section}'", code="settings_section_not_found")
    return model


def section_values(tenant_id: str, model: type[S], section: str) -> S:
    """A section's effective values (stored, else defaults), for services to use."""
    item = store.get_section(tenant_id, section)
    return model.model_validate(item.data if item else {})


def _envelope(section: str, item: store.SettingsItem | None) -> SettingsEnvelope:
    model = _model(section)
    values = model.model_validate(item.data if item else {}).model_dump(mode="json")
    return SettingsEnvelope(
        section=section,
        values=values,
        version=int(item.version) if item else 0,
        updated_at=item.updated_at if item else None,
    )


def overview(tenant_id: str) -> SettingsOverview:
    """Every section, defaults filled in (one Query)."""
    stored = store.all_sections(tenant_id)
    return SettingsOverview(sections={name: _envelope(name, stored.get(name)) for name in SECTIONS})


def get_section(tenant_id: str, section: str) -> SettingsEnvelope:
    """One section with its version."""
    _model(section)
    return _envelope(section, store.get_section(tenant_id, section))


def put_section(
    tenant_id: str, section: str, body: ApiModel, if_match: int | None
) -> SettingsEnvelope:
    """Replace a section. The first change needs no version; later ones need the current one.

    A section stored at version 0 holds defaults chosen for the tenant at onboarding (its
    country's holidays): it counts as never changed, so the first change needs no version.
    """
    model = _model(section)
    data: dict[str, Any] = body.model_dump(mode="json", exclude={"version"})
    version = getattr(body, "version", None) or if_match
    current = store.get_section(tenant_id, section)
    if current is not None and int(current.version) == 0 and version is None:
        version = 0
    if current is not None and version is None:
        raise PreconditionRequired(
            f"the {section} settings exist at version {current.version}; send that version"
        )
    validated = model.model_validate(data)
    check = REFERENCE_CHECKS.get(section)
    if check is not None:
        module, function = check.split(":")
        getattr(importlib.import_module(module), function)(tenant_id, validated)
    values = validated.model_dump(mode="json")
    item = store.put_section(tenant_id, section, values, version if current else None)
    return _envelope(section, item)
