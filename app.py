"""The Chalice application: wiring only (routes, middleware, jobs). No logic.

Routes come from the generated catalog and load their blueprint module on first use
(``chalicelib/api/lazy_routes.py``); jobs import their module inside the handler. Both keep
``import app`` — the Lambda cold start — down to Chalice, the logger and the middleware.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Chalice, CloudWatchEvent, Rate, SQSEvent

from chalicelib.api.lazy_routes import register_routes
from chalicelib.api.middleware import http_middleware
from chalicelib.resource_names import FOLLOWUPS_QUEUE_NAME

app = Chalice(app_name="aftersales")
app.register_middleware(http_middleware, "http")
register_routes(app)


@app.schedule(Rate(1, unit=Rate.MINUTES), name="ticket_sweep")
def ticket_sweep(event: CloudWatchEvent) -> dict[str, Any]:
    """SLA warnings and breaches, auto-close notices and auto-close (every minute)."""
    from chalicelib.jobs.ticket_sweep import handle

    return handle(event.to_dict(), event.context)


@app.schedule(Rate(1, unit=Rate.MINUTES), name="followups_sweep")
def followups_sweep(event: CloudWatchEvent) -> dict[str, Any]:
    """Claim due follow-ups and enqueue them (chalicelib/jobs/followups.py)."""
    from chalicelib.jobs import followups

    return followups.sweep(event.to_dict(), event.context)


@app.on_sqs_message(queue=FOLLOWUPS_QUEUE_NAME, batch_size=10, name="followups_worker")
def followups_worker(event: SQSEvent) -> dict[str, Any]:
    """Deliver claimed follow-ups, reporting partial batch failures."""
    from chalicelib.jobs import followups

    return followups.work(event.to_dict(), event.context)
