"""``/v1/reports/tickets``: ticket counts, SLA compliance and median times."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.ticket_reports import TicketReport, TicketReportQuery
from chalicelib.services import ticket_reports

bp = Blueprint(__name__)


@operation(
    bp,
    "GET",
    "/v1/reports/tickets",
    summary="Ticket report",
    tag="reports",
    scope="reports:read",
    query=TicketReportQuery,
    response=TicketReport,
)
def ticket_report(call: Call) -> TicketReport:
    """From counters kept on every write: cost depends on the days asked for, not on tickets."""
    return ticket_reports.ticket_report(call.tenant_id, call.query)
