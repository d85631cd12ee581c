"""The Chalice application: wiring only (routes, middleware, jobs). No logic.

Routes come from the generated catalog and load their blueprint module on first use
(``chalicelib/api/lazy_routes.py``); jobs import their module inside the handler. Both keep
``import app`` — the Lambda cold start — down to Chalice, the logger and the middleware.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Chalice, CloudWatchEvent, Rate

from chalicelib.api.lazy_routes import register_routes
from chalicelib.api.middleware import http_middleware

app = Chalice(app_name="aftersales")
app.register_middleware(http_middleware, "http")
register_routes(app)


@app.schedule(Rate(1, unit=Rate.MINUTES), name="ticket_sweep")
def ticket_sweep(event: CloudWatchEvent) -> dict[str, Any]:
    """SLA warnings and breaches, auto-close notices and auto-close (every minute)."""
    from chalicelib.jobs.ticket_sweep import handle

    return handle(event.to_dict(), event.context)
