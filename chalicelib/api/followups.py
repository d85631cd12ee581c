"""``/v1/followups``: planned outreach (surveys, reminders) and what became of it."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.followups import (
    FollowUp,
    FollowUpCancel,
    FollowUpCreate,
    FollowUpList,
    FollowUpListQuery,
    FollowUpReschedule,
)
from chalicelib.services import followups

bp = Blueprint(__name__)
TAG = "followups"


@operation(
    bp,
    "GET",
    "/v1/followups",
    summary="List follow-ups",
    tag=TAG,
    scope="followups:read",
    query=FollowUpListQuery,
    response=FollowUpList,
)
def list_followups(call: Call) -> FollowUpList:
    """By due time; filter by ``status``, ``kind`` and ``due_from``/``due_to`` (inclusive)."""
    return followups.list_followups(call.tenant_id, call.query)


@operation(
    bp,
    "POST",
    "/v1/followups",
    summary="Plan a custom follow-up",
    tag=TAG,
    scope="followups:write",
    body=FollowUpCreate,
    response=FollowUp,
    status=201,
    idempotent=True,
)
def create_followup(call: Call) -> FollowUp:
    """Sent at ``due_at`` through the contact budget and quiet hours like every follow-up."""
    return followups.create_followup(call.tenant_id, call.body)


@operation(
    bp,
    "GET",
    "/v1/followups/{followup_id}",
    summary="Get a follow-up",
    tag=TAG,
    scope="followups:read",
    response=FollowUp,
)
def get_followup(call: Call, followup_id: str) -> FollowUp:
    """Status, attempts, last error and the reason it was skipped, cancelled or deferred."""
    return followups.get_followup(call.tenant_id, followup_id)


@operation(
    bp,
    "POST",
    "/v1/followups/{followup_id}/cancel",
    summary="Cancel a follow-up",
    tag=TAG,
    scope="followups:write",
    body=FollowUpCancel,
    response=FollowUp,
    conditional=True,
)
def cancel_followup(call: Call, followup_id: str) -> FollowUp:
    """Only while scheduled (or claimed but not yet being delivered); version-conditional."""
    return followups.cancel_followup(call.tenant_id, followup_id, call.body, call.if_match)


@operation(
    bp,
    "POST",
    "/v1/followups/{followup_id}/reschedule",
    summary="Reschedule a follow-up",
    tag=TAG,
    scope="followups:write",
    body=FollowUpReschedule,
    response=FollowUp,
    conditional=True,
)
def reschedule_followup(call: Call, followup_id: str) -> FollowUp:
    """Move a scheduled follow-up to a new ``due_at``; version-conditional."""
    return followups.reschedule_followup(call.tenant_id, followup_id, call.body, call.if_match)
