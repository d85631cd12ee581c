"""Follow-up rules of warranties and service (registered with the follow-up engine's registry).

- ``warranty_expiry`` (``warranty.registered``, ``warranty.extended``): reminders 30 and 7
  days before coverage ends, offering the product's extended plans.
- ``registration_reminder`` (``warranty.registered`` without proof of purchase, for a
  product with a registration window): complete the registration before its deadline.
- ``maintenance_due`` (``service_plan.created`` / ``updated``): a reminder ``delay_hours``
  (default 7 days) before each planned visit.
- ``appointment_survey`` (``appointment.completed``): a CSAT survey ``delay_hours`` (default
  24) after the visit.

Voiding a registration cancels its expiry and registration reminders; a new extended plan
replaces the expiry reminders (the coverage end moved); adding the proof of purchase cancels
the registration reminder; cancelling a plan cancels its maintenance reminders. Each kind also
has a send-time check, so a reminder whose reason went away after it was planned is cancelled
instead of sent. Every one of them goes through the engine's contact budget, consent and quiet
hours when it is sent.

For the two rules that remind *before* a date, ``delay_hours`` counts back from that date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from chalicelib.domain import clock
from chalicelib.domain.followups import FollowUpKind, MessageKind, SubjectKind
from chalicelib.notify.events import DomainEvent
from chalicelib.services.followup_rules import RuleContext, canceller, rule, subject_check
from chalicelib.services.followups import FollowUpPlan

EXPIRY_RULE = "warranty_expiry"
REGISTRATION_RULE = "registration_reminder"
MAINTENANCE_RULE = "maintenance_due"
APPOINTMENT_SURVEY_RULE = "appointment_survey"
EXPIRY_DAYS_BEFORE = (30, 7)
# Reminders about a date go out in the morning (UTC); the engine's quiet hours move them to
# the customer's waking hours when needed.
SEND_AT = time(8, 0, tzinfo=UTC)


def _morning(day: date) -> datetime:
    return datetime.combine(day, SEND_AT)


def _now() -> datetime:
    return clock.now()


# --- what the messages show ------------------------------------------------------------------
# Captured when the follow-ups are planned (schemas/messages.py names what each message needs),
# one read per record and event however many rules use it.


def _registration_facts(ctx: RuleContext, warranty_id: str) -> dict[str, Any]:
    """The registered product's name, serial number and the extended plans on offer."""

    def read() -> dict[str, Any]:
        found = _registration(ctx.event.tenant_id, warranty_id)
        if found is None:
            return {}
        data = found.data
        return {
            "product_name": data.get("product_name"),
            "serial_number": data.get("serial_number"),
            "plan_names": [offer["name"] for offer in data.get("plan_offers", [])],
        }

    facts: dict[str, Any] = ctx.load(f"warranty#{warranty_id}", read)
    return facts


def _product_name(ctx: RuleContext, product_id: str | None) -> str | None:
    """A product's name (``None`` without a product)."""
    if not product_id:
        return None

    def read() -> str | None:
        from chalicelib.store import service as store

        found = store.get_record(ctx.event.tenant_id, "product", product_id)
        return str(found.data["name"]) if found is not None else None

    name: str | None = ctx.load(f"product#{product_id}", read)
    return name


# --- warranty expiry ----------------------------------------------------------------------------


@rule(
    EXPIRY_RULE,
    on=("warranty.registered", "warranty.extended", "warranty.coverage_changed"),
    kind=FollowUpKind.WARRANTY_EXPIRY_REMINDER,
)
def warranty_expiry(ctx: RuleContext) -> list[FollowUpPlan]:
    """Warranty expiring: reminders 30 and 7 days before coverage ends, offering extension."""
    data = ctx.event.data
    ends = data.get("standard_ends_on") if ctx.event.name == "warranty.registered" else None
    ends = ends or data.get("ends_on")
    if not ends:
        return []
    end = date.fromisoformat(ends)
    plans = []
    for days in EXPIRY_DAYS_BEFORE:
        due = _morning(end - timedelta(days=days))
        if due <= _now():
            continue  # registered (or extended) too late for this one
        facts = _registration_facts(ctx, data["warranty_id"])
        plans.append(
            ctx.plan(
                SubjectKind.WARRANTY,
                data["warranty_id"],
                data["customer_id"],
                due_at=due,
                dedupe_key=f"{EXPIRY_RULE}#{data['warranty_id']}#{ends}#{days}",
                data={
                    "warranty_id": data["warranty_id"],
                    "product_id": data.get("product_id"),
                    "serial_number": data.get("serial_number"),
                    "ends_on": ends,
                    "days_before": days,
                    "plan_offers": data.get("plan_offers", []),
                    **facts,
                },
            )
        )
    return plans


@canceller("warranty.voided", "warranty.extended", "warranty.coverage_changed")
def cancel_warranty_reminders(event: DomainEvent) -> int:
    """A void registration gets no reminders; an extension, or a delivery date that moves the
    start (``warranty.coverage_changed``), moves the end (new ones follow)."""
    from chalicelib.services import followups

    kinds = {FollowUpKind.WARRANTY_EXPIRY_REMINDER}
    if event.name == "warranty.voided":
        kinds.add(FollowUpKind.REGISTRATION_REMINDER)
    return followups.cancel_for_subject(
        event.tenant_id,
        SubjectKind.WARRANTY,
        str(event.data["warranty_id"]),
        kinds=frozenset(kinds),
        reason={
            "warranty.voided": "warranty_voided",
            "warranty.coverage_changed": "coverage_changed",
        }.get(event.name, "coverage_extended"),
    )


def _registration(tenant_id: str, warranty_id: str) -> Any:
    from chalicelib.store import service as store

    return store.get_record(tenant_id, "warranty", warranty_id)


@subject_check(EXPIRY_RULE)
def expiry_still_due(tenant_id: str, item: Any) -> str | None:
    """Send only while the registration is valid and still ends on the reminded date."""
    from chalicelib.services.warranties import Loaded

    found = _registration(tenant_id, item.subject_id)
    if found is None:
        return "warranty_deleted"
    if found.data.get("voided_on"):
        return "warranty_voided"
    ends = Loaded(found, item.subject_id).registration().coverage_end
    if ends.isoformat() != (item.data or {}).get("ends_on"):
        return "coverage_changed"
    return None


# --- registration reminder ----------------------------------------------------------------------


@rule(
    REGISTRATION_RULE,
    on=("warranty.registered",),
    kind=FollowUpKind.REGISTRATION_REMINDER,
    delay_hours=72,
)
def registration_reminder(ctx: RuleContext) -> FollowUpPlan | None:
    """Purchase recorded but registration incomplete: remind to send the proof of purchase
    before the product's registration deadline."""
    data = ctx.event.data
    deadline = data.get("registration_deadline")
    if not deadline or data.get("has_proof_of_purchase"):
        return None
    last_call = _morning(date.fromisoformat(deadline) - timedelta(days=1))
    due = min(ctx.event.occurred_at + timedelta(hours=ctx.config.delay_hours), last_call)
    if due <= _now() and last_call <= _now():
        return None
    return ctx.plan(
        SubjectKind.WARRANTY,
        data["warranty_id"],
        data["customer_id"],
        due_at=max(due, _now()),
        dedupe_key=f"{REGISTRATION_RULE}#{data['warranty_id']}",
        data={
            "warranty_id": data["warranty_id"],
            "product_id": data.get("product_id"),
            "serial_number": data.get("serial_number"),
            "deadline": deadline,
            **_registration_facts(ctx, data["warranty_id"]),
        },
    )


@canceller("warranty.updated")
def cancel_registration_reminder(event: DomainEvent) -> int:
    """The proof of purchase arrived: the registration is complete."""
    if "proof_of_purchase" not in event.data.get("changed_fields", []):
        return 0
    from chalicelib.services import followups

    return followups.cancel_for_subject(
        event.tenant_id,
        SubjectKind.WARRANTY,
        str(event.data["warranty_id"]),
        kinds=frozenset({FollowUpKind.REGISTRATION_REMINDER}),
        reason="registration_completed",
    )


@subject_check(REGISTRATION_RULE)
def registration_still_incomplete(tenant_id: str, item: Any) -> str | None:
    """Send only while the registration is valid and still lacks its proof of purchase."""
    found = _registration(tenant_id, item.subject_id)
    if found is None:
        return "warranty_deleted"
    if found.data.get("voided_on"):
        return "warranty_voided"
    if found.data.get("proof_of_purchase"):
        return "registration_completed"
    return None


# --- maintenance due ------------------------------------------------------------------------------


def _plan_subject(data: dict[str, Any]) -> tuple[SubjectKind, str]:
    """A plan's reminders are about its registration (one active plan each), else about its
    customer."""
    if data.get("warranty_id"):
        return SubjectKind.WARRANTY, str(data["warranty_id"])
    return SubjectKind.CUSTOMER, str(data["customer_id"])


@rule(
    MAINTENANCE_RULE,
    on=("service_plan.created", "service_plan.updated"),
    kind=FollowUpKind.MAINTENANCE_REMINDER,
    delay_hours=7 * 24,
)
def maintenance_due(ctx: RuleContext) -> list[FollowUpPlan]:
    """Maintenance due: a reminder ``delay_hours`` before each planned visit."""
    data = ctx.event.data
    if data.get("status") != "active":
        return []
    subject_kind, subject_id = _plan_subject(data)
    plans = []
    for visit in data.get("visits", []):
        if visit["status"] == "completed":
            continue
        visit_at = _morning(date.fromisoformat(visit["planned_date"]))
        if visit_at <= _now():
            continue
        due = max(visit_at - timedelta(hours=ctx.config.delay_hours), _now())
        shown = (
            _registration_facts(ctx, data["warranty_id"])
            if data.get("warranty_id")
            else {"product_name": _product_name(ctx, data.get("product_id"))}
        )
        plans.append(
            ctx.plan(
                subject_kind,
                subject_id,
                data["customer_id"],
                due_at=due,
                dedupe_key=(
                    f"{MAINTENANCE_RULE}#{data['service_plan_id']}#{visit['number']}"
                    f"#{visit['planned_date']}"
                ),
                data={
                    "service_plan_id": data["service_plan_id"],
                    "visit_number": visit["number"],
                    "planned_date": visit["planned_date"],
                    "product_id": data.get("product_id"),
                    "product_name": shown.get("product_name"),
                    "serial_number": shown.get("serial_number"),
                },
            )
        )
    return plans


@canceller("service_plan.cancelled")
def cancel_maintenance_reminders(event: DomainEvent) -> int:
    """A cancelled plan's visits will not happen."""
    from chalicelib.services import followups

    subject_kind, subject_id = _plan_subject(event.data)
    return followups.cancel_for_subject(
        event.tenant_id,
        subject_kind,
        subject_id,
        kinds=frozenset({FollowUpKind.MAINTENANCE_REMINDER}),
        reason="service_plan_cancelled",
        where=lambda item: (
            (item.data or {}).get("service_plan_id") == event.data["service_plan_id"]
        ),
    )


@subject_check(MAINTENANCE_RULE)
def visit_still_planned(tenant_id: str, item: Any) -> str | None:
    """Send only while the plan is active and the visit is still on the reminded date."""
    from chalicelib.store import service as store

    data = item.data or {}
    plan = store.get_record(tenant_id, "service_plan", str(data.get("service_plan_id")))
    if plan is None:
        return "service_plan_deleted"
    if plan.data["status"] != "active":
        return f"service_plan_{plan.data['status']}"
    visit = next((v for v in plan.data["visits"] if v["number"] == data.get("visit_number")), None)
    if visit is None or visit["planned_date"] != data.get("planned_date"):
        return "visit_moved"
    if visit["status"] == "completed":
        return "visit_done"
    return None


# --- after a visit --------------------------------------------------------------------------------


@rule(
    APPOINTMENT_SURVEY_RULE,
    on=("appointment.completed",),
    kind=FollowUpKind.CSAT_SURVEY,
    delay_hours=24,
    message=MessageKind.VISIT_CSAT_SURVEY,
)
def appointment_survey(ctx: RuleContext) -> FollowUpPlan | None:
    """Visit completed: a CSAT survey ``delay_hours`` later."""
    data = ctx.event.data
    done = datetime.fromisoformat(str(data.get("completed_at") or data["ends_at"]))
    return ctx.plan(
        SubjectKind.APPOINTMENT,
        data["appointment_id"],
        data["customer_id"],
        due_at=done + timedelta(hours=ctx.config.delay_hours),
        dedupe_key=f"{APPOINTMENT_SURVEY_RULE}#{data['appointment_id']}",
        data={
            "appointment_id": data["appointment_id"],
            "kind": data["kind"],
            "technician": data.get("technician"),
            # The technician is the agent the survey is about: the "surveys sent" counter
            # (response rate by agent) is keyed by this, as the answer is.
            "assignee": data.get("technician"),
            "product_id": data.get("product_id"),
            "visit_kind": data["kind"],
            "visit_date": done.date().isoformat(),
            "product_name": _product_name(ctx, data.get("product_id")),
        },
    )
