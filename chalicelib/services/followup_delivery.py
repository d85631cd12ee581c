"""The worker: deliver one claimed follow-up, exactly once in effect.

For each SQS message ``{"t": tenant, "f": follow-up id, "c": claim token}``:

1. Load the follow-up. Unless it is still ``claimed`` under this token and no delivery has
   started, the message is stale (a duplicate delivery, a newer claim, a cancel): acknowledge,
   do nothing.
2. Re-check that the reason still holds (the rule's subject check: a reopened ticket cancels
   its survey), that the customer exists and can be reached on the channel.
3. Apply the contact budget and quiet hours (``domain/contact_budget.py``): skip with a reason,
   or defer (back to ``scheduled`` at the instant given, not an attempt).
4. In one transaction: mark the delivery started (conditional on the claim token and on no
   delivery having started) and record the contact in the customer's history (conditional on
   its version). A concurrent duplicate loses here and sends nothing; two follow-ups to one
   customer cannot both spend the last slot of the budget.
5. Deliver. Success: ``sent``. Failure: release the budget slot and either back to
   ``scheduled`` after an exponential backoff, or ``failed`` when out of attempts (or the
   failure is permanent), with the message parked on the dead-letter queue.

The one window that can repeat an effect: the process dies after the channel accepted the
message and before step 5 is recorded. The claim's lease then expires, the sweep re-claims it
and it is delivered again (at least once). Every other duplicate is absorbed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.config import get_settings
from chalicelib.context import serving_tenant
from chalicelib.domain.contact_budget import (
    ContactPolicy,
    ContactState,
    Outcome,
    decide,
    sends_in_window,
)
from chalicelib.domain.followups import (
    Channel,
    FollowUpKind,
    FollowUpStatus,
    RetryPolicy,
    index_due_at,
    is_survey,
    plan_retry,
    survey_metric,
)
from chalicelib.notify.errors import DeliveryFailed
from chalicelib.observability import logger
from chalicelib.schemas.followups import FollowUpSettings
from chalicelib.services.followup_settings import contact_policy, rule_template, tenant_settings
from chalicelib.store import followups as store
from chalicelib.store.base import utcnow

_RESERVE_TRIES = 4


class Contention(Exception):
    """The customer's contact history kept changing under us: let SQS redeliver later."""


@dataclass(frozen=True)
class Result:
    """What the worker did with one message (for logs, metrics and tests)."""

    outcome: str  # sent | skipped | deferred | cancelled | retry | failed | stale
    reason: str | None = None


def retry_policy() -> RetryPolicy:
    """Backoff of failed deliveries (settings-driven)."""
    s = get_settings()
    return RetryPolicy(
        base_delay=timedelta(seconds=s.followup_retry_base_seconds),
        max_attempts=s.followup_max_attempts,
    )


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _state(
    customer: Any, contact: store.ContactItem, surveys_opted_out: bool, followup_id: str
) -> ContactState:
    """The customer's contact state as ``followup_id`` sees it.

    A slot this follow-up itself took in an earlier attempt that never finished (the worker
    died between the delivery gate and the send; the claim came back after its lease) is not
    counted against it: sending now takes that same slot again (``_reserve`` keys the history
    by follow-up). Likewise its own unfinished survey is not "the last survey".
    """
    sends = tuple(_parse(v) for fid, v in (contact.sends or {}).items() if fid != followup_id)
    last_survey_at = contact.last_survey_at
    if contact.last_survey_followup == followup_id:
        last_survey_at = contact.prior_survey_at
    return ContactState(
        contact_consent=bool(customer.contact_consent) and not bool(contact.all_unsubscribed),
        marketing_consent=bool(customer.marketing_consent),
        # The feedback side's opt-out list is the one record of "no more surveys", whether
        # the customer clicked it on a survey page, in a follow-up email or an agent set it.
        surveys_unsubscribed=surveys_opted_out,
        time_zone=customer.time_zone,
        recent_sends=sends,
        last_survey_at=last_survey_at,
    )


def _reserve(
    policy: ContactPolicy, contact: store.ContactItem, item: store.FollowUpItem, now: datetime
) -> None:
    """Add this follow-up to the history, keeping only the sends that can still count."""
    sends = dict(contact.sends or {})
    sends[item.followup_id] = store.iso(now)
    counted = set(sends_in_window(policy, tuple(_parse(v) for v in sends.values()), now))
    kept = sorted(
        ((fid, at) for fid, at in sends.items() if _parse(at) in counted), key=lambda p: p[1]
    )
    contact.sends = dict(kept[-policy.max_messages :])
    if is_survey(FollowUpKind(item.kind)):
        if contact.last_survey_followup != item.followup_id:  # else: retaking its own slot
            contact.prior_survey_at = contact.last_survey_at
        contact.last_survey_at = now
        contact.last_survey_followup = item.followup_id


TenantCache = dict[str, tuple[Any, FollowUpSettings]]


def process(
    message: dict[str, Any], now: datetime | None = None, cache: TenantCache | None = None
) -> Result:
    """Handle one work-queue message (see module docstring).

    ``cache`` shares tenant records and settings between the messages of one SQS batch (a
    batch is seconds long; settings changed meanwhile apply from the next batch).
    """
    tenant_id, followup_id, token = str(message["t"]), str(message["f"]), str(message["c"])
    with serving_tenant(tenant_id):
        return _process(
            tenant_id, followup_id, token, now or utcnow(), {} if cache is None else cache
        )


def _owned(item: store.FollowUpItem | None, token: str) -> bool:
    return (
        item is not None
        and item.status == FollowUpStatus.CLAIMED.value
        and item.claim_token == token
        and item.delivery_started_at is None
    )


@dataclass(frozen=True)
class _Ready:
    """Everything a delivery needs once the checks passed."""

    customer: Any
    tenant: Any
    settings: FollowUpSettings
    policy: ContactPolicy
    locale: str
    surveys_opted_out: bool
    survey: Any | None  # the survey's texts in ``locale`` (survey kinds only)


SUSPENDED_RETRY = timedelta(hours=1)


def _process(
    tenant_id: str, followup_id: str, token: str, now: datetime, cache: TenantCache
) -> Result:
    item = store.get_followup(tenant_id, followup_id)
    if item is None or not _owned(item, token):
        return Result("stale")
    checked = _check(item, token, cache, now)
    if isinstance(checked, Result):
        return checked
    outcome = _spend_budget(item, token, checked, now)
    if outcome is not None:
        return outcome
    try:
        reference = deliver(item, checked, now)
    except DeliveryFailed as failure:
        return _failed(item, token, failure, now)
    _finish(item, token, FollowUpStatus.SENT, reason=None, sent_at=now, reference=reference)
    _count_survey_sent(item, checked, now)
    return Result("sent")


def _count_survey_sent(item: store.FollowUpItem, ready: _Ready, now: datetime) -> None:
    """Count a sent survey for the response rate (best effort: the email is out already)."""
    metric = survey_metric(FollowUpKind(item.kind))
    if metric is None:
        return
    from chalicelib.services.feedback import record_survey_sent

    data = dict(item.data or {})
    try:
        record_survey_sent(
            item.tenant_id,
            metric.value,
            now,
            time_zone=ready.tenant.time_zone,
            agent=data.get("assignee"),
            product_id=data.get("product_id"),
        )
    except Exception:
        logger.exception("survey not counted as sent", extra={"followup_id": item.followup_id})


def _tenant(tenant_id: str, cache: TenantCache) -> tuple[Any, FollowUpSettings]:
    from chalicelib.store.tenants import get_tenant

    if tenant_id not in cache:
        cache[tenant_id] = (get_tenant(tenant_id), tenant_settings(tenant_id))
    return cache[tenant_id]


def _check(
    item: store.FollowUpItem, token: str, cache: TenantCache, now: datetime
) -> Result | _Ready:
    """Is the follow-up still wanted and deliverable? A final Result when not."""
    from chalicelib.services import followup_rules
    from chalicelib.store.customers import get_customer

    tenant_id = item.tenant_id
    if int(item.claims or 0) > get_settings().followup_max_attempts + 3:
        # Claimed again and again without an outcome (a poison item): stop, visibly.
        _finish(item, token, FollowUpStatus.FAILED, reason="abandoned", error="claimed too often")
        _dead_letter(item, "abandoned")
        return Result("failed", "abandoned")
    tenant, settings = _tenant(tenant_id, cache)
    if tenant is not None and tenant.status == "suspended":
        # A suspended tenant's customers hear nothing; its follow-ups wait, they are not lost.
        _reschedule(item, token, now + SUSPENDED_RETRY, reason="tenant_suspended", error=None)
        return Result("deferred", "tenant_suspended")
    invalid = followup_rules.check_subject(tenant_id, item)
    if invalid is not None:
        _finish(item, token, FollowUpStatus.CANCELLED, reason=invalid)
        return Result("cancelled", invalid)
    customer = get_customer(tenant_id, item.customer_id)
    skip: str | None = None
    if tenant is None or tenant.status != "active":
        skip = "tenant_inactive"
    elif customer is None:
        skip = "customer_deleted"
    elif Channel(item.channel) is Channel.EMAIL and not customer.email:
        skip = "no_email"
    if skip is not None or customer is None or tenant is None:
        _finish(item, token, FollowUpStatus.SKIPPED, reason=skip)
        return Result("skipped", skip)
    locale = customer.locale or tenant.default_locale or "en"
    survey = None
    opted_out = False
    metric = survey_metric(FollowUpKind(item.kind))
    if metric is not None:
        from chalicelib.services.feedback import is_opted_out
        from chalicelib.services.surveys import survey_for_sending

        opted_out = is_opted_out(tenant_id, item.customer_id)
        survey = survey_for_sending(tenant_id, metric.value, _survey_locale(locale), tenant.name)
        if survey is None:
            # The tenant switched surveys of this kind off (it has some, none active).
            _finish(item, token, FollowUpStatus.SKIPPED, reason="survey_inactive")
            return Result("skipped", "survey_inactive")
    policy = contact_policy(settings.budget, tenant.time_zone)
    if survey is not None and survey.throttle_days > policy.survey_interval_days:
        # The survey's own throttle (its configuration, /v1/surveys) holds too: the stricter
        # of it and the budget's survey interval wins.
        policy = replace(policy, survey_interval_days=min(int(survey.throttle_days), 365))
    return _Ready(
        customer=customer,
        tenant=tenant,
        settings=settings,
        policy=policy,
        locale=locale,
        surveys_opted_out=opted_out,
        survey=survey,
    )


def _survey_locale(locale: str) -> str:
    from chalicelib.i18n.surveys import FALLBACK_LOCALE, LOCALES

    return locale if locale in LOCALES else FALLBACK_LOCALE


def _spend_budget(
    item: store.FollowUpItem, token: str, ready: _Ready, now: datetime
) -> Result | None:
    """Decide send/defer/skip and, to send, pass the delivery gate and take the budget slot.

    None means: go ahead and deliver. The gate (one conditional update of the follow-up) comes
    first, so a duplicate message stops before touching the customer's history; the slot is a
    version-conditional write of the history, retried on a fresh read when another send to
    the same customer landed in between.
    """
    gated = False
    for _ in range(_RESERVE_TRIES):
        contact = store.get_contact(item.tenant_id, item.customer_id) or store.new_contact(
            item.tenant_id, item.customer_id
        )
        decision = decide(
            ready.policy,
            _state(ready.customer, contact, ready.surveys_opted_out, item.followup_id),
            FollowUpKind(item.kind),
            now,
        )
        reason = decision.reason.value if decision.reason else None
        if decision.outcome is Outcome.SKIP:
            _finish(item, token, FollowUpStatus.SKIPPED, reason=reason)
            return Result("skipped", reason)
        if decision.outcome is Outcome.DEFER and decision.not_before is not None:
            _reschedule(item, token, decision.not_before, reason=reason, error=None)
            return Result("deferred", reason)
        if not gated:
            if not store.start_delivery(item, token, now):
                return Result("stale")
            gated = True
        version = int(contact.version or 0)
        _reserve(ready.policy, contact, item, now)
        if store.save_contact(contact, version):
            return None
        # Another send to this customer landed first: decide again on the new history.
    raise Contention(f"contact history of {item.customer_id} kept changing")


def deliver(item: store.FollowUpItem, ready: _Ready, now: datetime) -> str:
    """Send through the follow-up's channel; returns the channel's reference."""
    channel = Channel(item.channel)
    if channel is Channel.EMAIL:
        return _deliver_email(item, ready, now)
    if channel is Channel.EVENT:
        return _deliver_event(item, ready.customer)
    return _deliver_webhook(item, ready, now)


def followup_payload(item: store.FollowUpItem, customer: Any) -> dict[str, Any]:
    """What integrations receive about a due follow-up (webhook body, event data)."""
    return {
        "followup_id": item.followup_id,
        "kind": item.kind,
        "rule": item.rule,
        "subject_kind": item.subject_kind,
        "subject_id": item.subject_id,
        "customer_id": item.customer_id,
        "customer_email": customer.email,
        "customer_locale": customer.locale,
        "due_at": store.iso(item.due_at),
        "data": dict(item.data or {}),
    }


def _deliver_event(item: store.FollowUpItem, customer: Any) -> str:
    from chalicelib.notify.events import DomainEvent, publish

    event = DomainEvent(item.tenant_id, "followup.due", followup_payload(item, customer))
    if publish([event]) != 1:
        raise DeliveryFailed("EventBridge did not accept the event")
    return event.event_id


def _deliver_webhook(item: store.FollowUpItem, ready: _Ready, now: datetime) -> str:
    from chalicelib.services.webhooks import deliver_followup

    return deliver_followup(item.tenant_id, item.webhook_id, followup_payload(item, ready.customer))


def _deliver_email(item: store.FollowUpItem, ready: _Ready, now: datetime) -> str:
    from chalicelib.notify.email import send_message
    from chalicelib.services.followup_messages import Recipient, SurveyText, render_email

    customer, tenant = ready.customer, ready.tenant
    survey = ready.survey
    message = render_email(
        kind=FollowUpKind(item.kind),
        followup_id=item.followup_id,
        subject_kind=item.subject_kind,
        subject_id=item.subject_id,
        data=dict(item.data or {}),
        recipient=Recipient(
            tenant_id=item.tenant_id,
            customer_id=item.customer_id,
            name=customer.name,
            email=customer.email,
            locale=ready.locale,
            company=tenant.name,
        ),
        template=rule_template(ready.settings, item.rule, ready.locale),
        survey=SurveyText(
            survey_id=survey.survey_id,
            question=survey.question,
            low_label=survey.low_label,
            high_label=survey.high_label,
        )
        if survey is not None
        else None,
        now=now,
    )
    return send_message(
        customer.email,
        message.subject,
        message.text,
        message.html,
        message.headers,
        to_name=customer.name,
    )


# --- outcomes ------------------------------------------------------------------------------


def _claim_condition(token: str) -> Any:
    return (store.FollowUpItem.claim_token == token) & (
        store.FollowUpItem.status == FollowUpStatus.CLAIMED.value
    )


def _finish(
    item: store.FollowUpItem,
    token: str,
    status: FollowUpStatus,
    *,
    reason: str | None,
    error: str | None = None,
    sent_at: datetime | None = None,
    reference: str | None = None,
) -> bool:
    """Move a claimed follow-up to a final status (only under our claim)."""
    changes: dict[str, Any] = {
        "status": status.value,
        "reason": reason,
        "claim_token": None,
        "lease_expires_at": None,
    }
    if error is not None:
        changes["last_error"] = error
    if sent_at is not None:
        changes["sent_at"] = sent_at
        changes["delivery_ref"] = reference
    done = store.transition(
        item, condition=_claim_condition(token), changes=changes, due_shard=None, index_at=None
    )
    if not done:
        logger.warning("follow-up outcome lost its claim", extra={"followup_id": item.followup_id})
    return done


def _reschedule(
    item: store.FollowUpItem, token: str, due_at: datetime, *, reason: str | None, error: str | None
) -> bool:
    from chalicelib.services.followups import due_shard

    changes: dict[str, Any] = {
        "status": FollowUpStatus.SCHEDULED.value,
        "due_at": due_at,
        "reason": reason,
        "claim_token": None,
        "lease_expires_at": None,
        "delivery_started_at": None,
    }
    if error is not None:
        changes["last_error"] = error
    return store.transition(
        item,
        condition=_claim_condition(token),
        changes=changes,
        due_shard=due_shard(item.followup_id),
        index_at=index_due_at(FollowUpStatus.SCHEDULED, due_at=due_at, lease_expires_at=None),
    )


def _release(tenant_id: str, customer_id: str, followup_id: str) -> None:
    """Give back the budget slot a failed delivery took (best effort, version-conditional)."""
    for _ in range(_RESERVE_TRIES):
        contact = store.get_contact(tenant_id, customer_id)
        if contact is None or followup_id not in (contact.sends or {}):
            return
        version = int(contact.version)
        sends = dict(contact.sends)
        sends.pop(followup_id, None)
        contact.sends = sends
        if contact.last_survey_followup == followup_id:
            contact.last_survey_at = contact.prior_survey_at
            contact.last_survey_followup = None
        if store.save_contact(contact, version):
            return


def _failed(item: store.FollowUpItem, token: str, failure: DeliveryFailed, now: datetime) -> Result:
    _release(item.tenant_id, item.customer_id, item.followup_id)
    plan = plan_retry(
        retry_policy(),
        item.followup_id,
        attempts=int(item.attempts or 0),
        now=now,
        retryable=failure.retryable,
    )
    error = failure.detail[:500]
    if plan.status is FollowUpStatus.FAILED:
        _finish(item, token, FollowUpStatus.FAILED, reason="delivery_failed", error=error)
        _dead_letter(item, error)
        return Result("failed", error)
    _reschedule(item, token, plan.due_at or now, reason="retry", error=error)
    return Result("retry", error)


def _dead_letter(item: store.FollowUpItem, error: str) -> None:
    from chalicelib.notify import work_queue

    try:
        work_queue.dead_letter(
            {"t": item.tenant_id, "f": item.followup_id, "status": "failed", "error": error}
        )
    except Exception:
        # The follow-up is visibly failed either way; the DLQ copy is for the alarm.
        logger.exception("dead-letter copy not sent", extra={"followup_id": item.followup_id})
