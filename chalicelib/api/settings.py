"""``/v1/settings``: a tenant's configuration, one section per capability."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.settings import (
    SECTIONS,
    SettingsEnvelope,
    SettingsOverview,
    update_model,
)
from chalicelib.services import settings

bp = Blueprint(__name__)
TAG = "settings"


@operation(
    bp,
    "GET",
    "/v1/settings",
    summary="All settings",
    tag=TAG,
    scope="settings:read",
    response=SettingsOverview,
)
def get_settings(call: Call) -> SettingsOverview:
    """Every section, with defaults where the tenant changed nothing (version 0)."""
    return settings.overview(call.tenant_id)


def _register(section: str) -> None:
    def get_one(call: Call) -> SettingsEnvelope:
        return settings.get_section(call.tenant_id, section)

    def put_one(call: Call) -> SettingsEnvelope:
        return settings.put_section(call.tenant_id, section, call.body, call.if_match)

    get_one.__name__ = f"get_{section}_settings"
    get_one.__doc__ = f"The {section} settings."
    put_one.__name__ = f"put_{section}_settings"
    put_one.__doc__ = f"Replace the {section} settings; conditional on the version once they exist."
    operation(
        bp,
        "GET",
        f"/v1/settings/{section}",
        summary=f"Get {section} settings",
        tag=TAG,
        scope="settings:read",
        response=SettingsEnvelope,
    )(get_one)
    operation(
        bp,
        "PUT",
        f"/v1/settings/{section}",
        summary=f"Replace {section} settings",
        tag=TAG,
        scope="settings:write",
        body=update_model(section, SECTIONS[section]),
        response=SettingsEnvelope,
        conditional=True,
    )(put_one)


for _section in SECTIONS:
    _register(_section)
