"""Follow-ups: planning (rules and the API), cancelling, rescheduling, listing.

Delivery lives in ``followup_sweep`` (claim due items, enqueue) and ``followup_delivery``
(the SQS worker). Rules that create follow-ups from events live in ``followup_rules``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.config import get_settings
from chalicelib.domain.errors import Conflict, NotFound, PreconditionRequired
from chalicelib.domain.followups import (
    Channel,
    FollowUpKind,
    FollowUpStatus,
    SubjectKind,
    ensure_transition,
    index_due_at,
    requires_marketing_consent,
    shard_key_for,
    validate_subject,
)
from chalicelib.domain.ids import is_id, new_id
from chalicelib.schemas.followups import (
    FollowUp,
    FollowUpCancel,
    FollowUpCreate,
    FollowUpList,
    FollowUpListQuery,
    FollowUpReschedule,
)
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.store import followups as store
from chalicelib.store.base import utcnow

DEDUPE_RETENTION = timedelta(days=400)
OPEN_STATUSES = (FollowUpStatus.SCHEDULED.value, FollowUpStatus.CLAIMED.value)


@dataclass(frozen=True)
class FollowUpPlan:
    """What a rule (or the API) wants sent, to whom, about what, and when.

    ``dedupe_key`` makes planning idempotent: a rule firing twice for the same event (an
    at-least-once delivery, a retried request) plans one follow-up. Build it from the rule name
    and what makes the occurrence unique (``csat_after_solved:<ticket>:<solved_at>``).
    """

    kind: FollowUpKind
    subject_kind: SubjectKind
    subject_id: str
    customer_id: str
    due_at: datetime
    channel: Channel = Channel.EMAIL
    rule: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None
    webhook_id: str | None = None


def due_shard(followup_id: str) -> str:
    """The due-index partition of a follow-up."""
    return shard_key_for(followup_id, get_settings().followup_shards, store.DUE_PREFIX)


def to_followup(item: store.FollowUpItem) -> FollowUp:
    """Response model of a follow-up."""
    return FollowUp(
        id=item.followup_id,
        kind=FollowUpKind(item.kind),
        subject_kind=SubjectKind(item.subject_kind),
        subject_id=item.subject_id,
        customer_id=item.customer_id,
        channel=Channel(item.channel),
        status=FollowUpStatus(item.status),
        due_at=item.due_at,
        rule=item.rule,
        webhook_id=item.webhook_id,
        data=dict(item.data or {}),
        attempts=int(item.attempts or 0),
        reason=item.reason,
        last_error=item.last_error,
        sent_at=item.sent_at,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version),
    )


def _truncate(instant: datetime) -> datetime:
    instant = instant.astimezone(UTC)
    return instant.replace(microsecond=(instant.microsecond // 1000) * 1000)


def schedule(tenant_id: str, plan: FollowUpPlan) -> store.FollowUpItem:
    """Store a scheduled follow-up; with a dedupe key already used, return the existing one."""
    validate_subject(plan.kind, plan.subject_kind)
    now = utcnow()
    followup_id = new_id()
    due_at = _truncate(plan.due_at)
    item = store.FollowUpItem(
        pk=store.followup_pk(tenant_id, followup_id),
        sk=store.FOLLOWUP_SK,
        tenant_id=tenant_id,
        followup_id=followup_id,
        kind=plan.kind.value,
        subject_kind=plan.subject_kind.value,
        subject_id=plan.subject_id,
        customer_id=plan.customer_id,
        channel=plan.channel.value,
        status=FollowUpStatus.SCHEDULED.value,
        due_at=due_at,
        rule=plan.rule,
        data=dict(plan.data),
        dedupe_key=plan.dedupe_key,
        webhook_id=plan.webhook_id,
        attempts=0,
        claims=0,
        created_at=now,
        updated_at=now,
        version=1,
    )
    store.set_index_keys(item, due_shard(followup_id), due_at)
    ttl = int((now + DEDUPE_RETENTION).timestamp())
    try:
        return store.create_followup(item, ttl)
    except Conflict:
        # Planned before (a rule firing twice, a retried request): the first one stands.
        winner = store.get_dedupe(tenant_id, plan.dedupe_key or "")
        found = store.get_followup(tenant_id, winner) if winner else None
        if found is None:
            raise
        return found


def cancel_for_subject(
    tenant_id: str,
    subject_kind: SubjectKind | str,
    subject_id: str,
    *,
    kinds: frozenset[FollowUpKind] | None = None,
    reason: str,
    where: Callable[[store.FollowUpItem], bool] | None = None,
) -> int:
    """Cancel the open follow-ups about a subject (optionally only some kinds, or those
    ``where`` accepts); returns how many.

    A claimed one is cancelled too (unless its delivery already started): the worker re-checks
    the status under its claim token and stops.
    """
    cancelled = 0
    for item in store.open_for_subject(tenant_id, SubjectKind(subject_kind).value, subject_id):
        if kinds is not None and FollowUpKind(item.kind) not in kinds:
            continue
        if where is not None and not where(item):
            continue
        if _cancel_item(item, reason):
            cancelled += 1
    return cancelled


def _cancel_item(
    item: store.FollowUpItem, reason: str, expected_version: int | None = None
) -> bool:
    status = FollowUpStatus(item.status)
    ensure_transition(status, FollowUpStatus.CANCELLED)
    version = int(item.version) if expected_version is None else expected_version
    condition = (store.FollowUpItem.version == version) & (
        store.FollowUpItem.delivery_started_at.does_not_exist()
    )
    return store.transition(
        item,
        condition=condition,
        changes={"status": FollowUpStatus.CANCELLED.value, "reason": reason},
        due_shard=None,
        index_at=None,
    )


# --- API use cases -------------------------------------------------------------------------


def _not_found(followup_id: str) -> NotFound:
    return NotFound(f"no follow-up with id {followup_id}", code="followup_not_found")


def _load(tenant_id: str, followup_id: str) -> store.FollowUpItem:
    item = store.get_followup(tenant_id, followup_id) if is_id(followup_id) else None
    if item is None:
        raise _not_found(followup_id)
    return item


def get_followup(tenant_id: str, followup_id: str) -> FollowUp:
    """One follow-up (404 for unknown ids and other tenants' ids)."""
    return to_followup(_load(tenant_id, followup_id))


def list_followups(tenant_id: str, query: FollowUpListQuery) -> FollowUpList:
    """A page of follow-ups by due time, filtered by status, kind and due range (a Query)."""
    filters = store.ListFilters(
        status=query.status.value if query.status else None,
        kind=query.kind.value if query.kind else None,
        due_from=query.due_from.astimezone(UTC) if query.due_from else None,
        due_to=query.due_to.astimezone(UTC) if query.due_to else None,
    )
    scope = "followups:" + "|".join(
        [
            filters.status or "",
            filters.kind or "",
            store.iso(filters.due_from) if filters.due_from else "",
            store.iso(filters.due_to) if filters.due_to else "",
        ]
    )
    limit, start = page_request(tenant_id, scope, query.limit, query.cursor)
    page = store.list_followups(tenant_id, filters, limit, start)
    return FollowUpList(
        items=[to_followup(i) for i in page.items],
        next_cursor=next_cursor(tenant_id, scope, page),
    )


def _require_consent(request: FollowUpCreate, customer: Any) -> None:
    """A follow-up the engine would skip when due for lack of consent (the same rule,
    whatever the channel: a webhook or event still acts on the customer) is refused now, so
    the tenant learns it while planning rather than from a ``skipped`` status later."""
    from chalicelib.domain.errors import Invalid

    if not customer.contact_consent:
        raise Invalid(
            "the customer does not accept messages (contact consent is off)", code="no_consent"
        )
    if requires_marketing_consent(request.kind) and not customer.marketing_consent:
        raise Invalid(
            "this follow-up needs the customer's marketing consent, which they have not given; "
            "record it on the customer (marketing_consent) first",
            code="no_marketing_consent",
        )


def create_followup(tenant_id: str, request: FollowUpCreate) -> FollowUp:
    """Plan a custom follow-up for one of the tenant's customers."""
    from chalicelib.store import customers as customer_store

    customer = (
        customer_store.get_customer(tenant_id, request.customer_id)
        if is_id(request.customer_id)
        else None
    )
    if customer is None:
        raise NotFound(f"no customer with id {request.customer_id}", code="customer_not_found")
    _require_consent(request, customer)
    if request.webhook_id is not None:
        from chalicelib.services.webhooks import require_webhook

        require_webhook(tenant_id, request.webhook_id)
    subject_id = request.subject_id or (
        request.customer_id if request.subject_kind is SubjectKind.CUSTOMER else None
    )
    if subject_id is None:
        from chalicelib.domain.errors import Invalid

        raise Invalid("subject_id is required for this subject_kind", code="subject_required")
    data: dict[str, Any] = dict(request.data)
    if request.subject:
        data["subject"] = request.subject
    if request.message:
        data["message"] = request.message
    item = schedule(
        tenant_id,
        FollowUpPlan(
            kind=request.kind,
            subject_kind=request.subject_kind,
            subject_id=subject_id,
            customer_id=request.customer_id,
            due_at=request.due_at,
            channel=request.channel,
            rule=None,
            data=data,
            dedupe_key=f"api:{request.dedupe_key}" if request.dedupe_key else None,
            webhook_id=request.webhook_id,
        ),
    )
    return to_followup(item)


def _version(body_version: int | None, if_match: int | None, item: store.FollowUpItem) -> int:
    version = body_version or if_match
    if version is None:
        raise PreconditionRequired(
            f"send the follow-up's version ({item.version}) in If-Match or the body"
        )
    return version


def cancel_followup(
    tenant_id: str, followup_id: str, request: FollowUpCancel, if_match: int | None
) -> FollowUp:
    """Cancel a scheduled follow-up (version-conditional; 409 once it is being delivered)."""
    item = _load(tenant_id, followup_id)
    version = _version(request.version, if_match, item)
    _check_version(item, version)
    if item.delivery_started_at is not None:
        raise Conflict("the follow-up is being delivered", code="invalid_transition")
    if not _cancel_item(item, request.reason or "cancelled_by_user", version):
        from chalicelib.domain.errors import VersionConflict

        raise VersionConflict("the follow-up was changed meanwhile; fetch it and retry")
    return to_followup(item)


def _check_version(item: store.FollowUpItem, version: int) -> None:
    from chalicelib.domain.errors import VersionConflict

    if int(item.version) != version:
        raise VersionConflict(
            f"the follow-up is at version {item.version}, not {version}; fetch it and retry"
        )


def reschedule_followup(
    tenant_id: str, followup_id: str, request: FollowUpReschedule, if_match: int | None
) -> FollowUp:
    """Move a scheduled follow-up to a new due time (version-conditional)."""
    item = _load(tenant_id, followup_id)
    version = _version(request.version, if_match, item)
    _check_version(item, version)
    if item.status != FollowUpStatus.SCHEDULED.value:
        raise Conflict(
            f"only scheduled follow-ups can be rescheduled; this one is {item.status}",
            code="invalid_transition",
        )
    due_at = _truncate(request.due_at)
    ok = store.transition(
        item,
        condition=store.FollowUpItem.version == version,
        changes={"due_at": due_at, "reason": None},
        due_shard=due_shard(item.followup_id),
        index_at=index_due_at(FollowUpStatus.SCHEDULED, due_at=due_at, lease_expires_at=None),
    )
    if not ok:
        from chalicelib.domain.errors import VersionConflict

        raise VersionConflict("the follow-up was changed meanwhile; fetch it and retry")
    return to_followup(item)
