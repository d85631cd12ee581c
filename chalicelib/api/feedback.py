"""``/v1/feedback``: survey responses; ``/v1/reports/feedback``: CSAT / NPS / CES reports."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.feedback import (
    FeedbackList,
    FeedbackListQuery,
    FeedbackReport,
    FeedbackReportQuery,
    FeedbackResponse,
)
from chalicelib.services import feedback, feedback_reports

bp = Blueprint(__name__)
TAG = "feedback"


@operation(
    bp,
    "GET",
    "/v1/feedback",
    summary="List survey responses",
    tag=TAG,
    scope="feedback:read",
    query=FeedbackListQuery,
    response=FeedbackList,
)
def list_feedback(call: Call) -> FeedbackList:
    """Newest first; filter by kind, score range, answer dates, agent, product, customer."""
    return feedback.list_feedback(call.tenant_id, call.query)


@operation(
    bp,
    "GET",
    "/v1/feedback/{feedback_id}",
    summary="Get a survey response",
    tag=TAG,
    scope="feedback:read",
    response=FeedbackResponse,
)
def get_feedback(call: Call, feedback_id: str) -> FeedbackResponse:
    """The id of a response is the id of the follow-up (survey invitation) it answers."""
    return feedback.get_feedback(call.tenant_id, feedback_id)


@operation(
    bp,
    "GET",
    "/v1/reports/feedback",
    summary="Feedback report (CSAT, NPS, CES, response rate)",
    tag="reports",
    scope="reports:read",
    query=FeedbackReportQuery,
    response=FeedbackReport,
)
def feedback_report(call: Call) -> FeedbackReport:
    """Served from counters kept on every response: the cost does not grow with responses."""
    return feedback_reports.feedback_report(call.tenant_id, call.query)
