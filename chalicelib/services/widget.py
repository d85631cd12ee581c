"""The public widget's use cases: configuration now; tickets and warranty checks build on it.

Every function takes the admitted :class:`WidgetPrincipal` (tenant, key, origin, optional verified
customer identity). Nothing here trusts a tenant id, customer id or email from the request body
for access: ownership comes from the verified identity or a signed ticket link.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.errors import NotFound
from chalicelib.i18n.widget import STRINGS
from chalicelib.schemas.common import SUPPORTED_LOCALES
from chalicelib.schemas.settings import GeneralSettings
from chalicelib.schemas.widget import WidgetConfig, WidgetSettings, WidgetTheme
from chalicelib.services import widget_auth
from chalicelib.services.settings import section_values
from chalicelib.services.widget_auth import WidgetPrincipal

HONEYPOT_FIELD = "website"


def widget_config(principal: WidgetPrincipal, served: frozenset[str]) -> WidgetConfig:
    """Tenant name, theme, features and strings for the widget on this key.

    ``features`` lists what the key enables *and* the API serves, so the widget never shows a
    tab whose endpoints are not there.
    """
    from chalicelib.store import tenants as tenant_store

    tenant = tenant_store.get_tenant(principal.tenant_id)
    if tenant is None:
        raise NotFound("this support widget is not available", code="tenant_unavailable")
    general = section_values(principal.tenant_id, GeneralSettings, "general")
    widget = section_values(principal.tenant_id, WidgetSettings, "widget")
    strings: dict[str, dict[str, str]] = {}
    for locale in SUPPORTED_LOCALES:
        texts: dict[str, Any] = dict(STRINGS[locale])
        if locale in widget.greeting:
            texts["greeting"] = widget.greeting[locale]
        strings[locale] = texts
    state = widget_auth.key_state(principal.tenant_id, principal.key_id)
    return WidgetConfig(
        tenant_name=tenant.name,
        default_locale=tenant.default_locale,  # type: ignore[arg-type]
        locales=list(SUPPORTED_LOCALES),  # type: ignore[arg-type]
        features=sorted(state.features & served),  # type: ignore[arg-type]
        theme=WidgetTheme(
            primary_color=widget.primary_color or general.brand_color,
            text_color=widget.text_color,
            position=widget.position,
        ),
        strings=strings,
        honeypot_field=HONEYPOT_FIELD,
        identified=principal.identity is not None,
    )
