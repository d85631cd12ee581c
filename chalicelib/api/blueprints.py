"""The API's blueprint modules. Add a resource here, then run ``make routes``.

``app.py`` does not import these modules: it registers every route from the generated
``route_catalog`` and imports a blueprint module on the first request that needs it (see
``lazy_routes``), so a cold start pays only for the code of the route it serves.
"""

from __future__ import annotations

BLUEPRINT_MODULES: tuple[str, ...] = (
    "chalicelib.api.health",
    "chalicelib.api.platform",
    "chalicelib.api.api_keys",
    "chalicelib.api.customers",
    "chalicelib.api.customer_data",
    "chalicelib.api.settings",
    "chalicelib.api.tickets",
    "chalicelib.api.widget_keys",
    "chalicelib.api.widget",
    "chalicelib.api.surveys",
    "chalicelib.api.feedback",
    "chalicelib.api.feedback_public",
    "chalicelib.api.action_pages",
    "chalicelib.api.ticket_reports",
    "chalicelib.api.products",
    "chalicelib.api.warranties",
    "chalicelib.api.service_centres",
    "chalicelib.api.service_plans",
    "chalicelib.api.appointments",
    "chalicelib.api.followups",
    "chalicelib.api.webhooks",
    "chalicelib.api.unsubscribe",
)
