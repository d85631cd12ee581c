"""Follow-up rules: domain events in, planned (or cancelled) follow-ups out.

:func:`on_event` is listed in ``services/reactions.py`` SUBSCRIBERS, so it sees every event a
service emits, in the request that caused it. It dispatches by event name to three kinds of
registered functions:

- **rules** (``@rule``): tenant-configurable under ``/v1/settings/followups`` ``rules.<name>``
  (enabled, delay_hours, channel, webhook_id, templates per locale). The registry applies the
  tenant's settings before the function runs, so a rule never reads settings itself; it gets a
  :class:`RuleContext` and returns a plan (or ``None``, or a list of plans).
- **cancellers** (``@canceller``): always on; they withdraw follow-ups whose reason went away
  (a reopened ticket cancels its pending surveys).
- **subject checks** (``@subject_check``): run by the worker just before sending, so a
  follow-up whose reason vanished after it was planned (and whose cancelling event was lost or
  never existed) is cancelled instead of sent.

Adding a rule is one decorated function (see docs/followups.md), here or in a module of your
own context listed in :data:`RULE_MODULES`::

    @rule("warranty_expiry", on=("warranty.registered",),
          kind=FollowUpKind.WARRANTY_EXPIRY_REMINDER, delay_hours=0)
    def warranty_expiry(ctx: RuleContext) -> FollowUpPlan | None:
        data = ctx.event.data
        ends = parse_instant(data["ends_at"])
        return ctx.plan(SubjectKind.WARRANTY, data["warranty_id"], data["customer_id"],
                        due_at=ends - timedelta(days=30),
                        dedupe_key=f"warranty_expiry#{data['warranty_id']}#{data['ends_at']}")

Its name becomes a settings key at once (unknown names are refused by the settings schema), its
defaults are the decorator's arguments, and its message kind (``message=``, else the kind's own)
sets the wording (``chalicelib/i18n/followups.py``) and the typed context
(``chalicelib/schemas/messages.py``) whose values the rule should put in the plan's ``data``
(what it does not capture is read from the subject when the follow-up is sent). Values several
rules of one event need are read once through :meth:`RuleContext.load`.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.followups import (
    Channel,
    FollowUpKind,
    MessageKind,
    SubjectKind,
    message_kind,
)
from chalicelib.notify.events import DomainEvent
from chalicelib.observability import logger
from chalicelib.services.followups import FollowUpPlan

# Modules of other bounded contexts that register rules with the decorators below (imported on
# first use, so ``import app`` stays cheap). Append one line per module.
RULE_MODULES: tuple[str, ...] = ("chalicelib.services.warranty_followups",)


@dataclass(frozen=True)
class RuleConfig:
    """The effective settings of a rule for one tenant (defaults with the tenant's overrides)."""

    enabled: bool
    delay_hours: float
    channel: Channel = Channel.EMAIL
    webhook_id: str | None = None
    sample_percent: int = 100
    period_days: int = 90


@dataclass(frozen=True)
class RuleContext:
    """What a rule function gets: the event, the rule and its effective settings."""

    event: DomainEvent
    config: RuleConfig
    rule: Rule
    # Shared by every rule run for the same event (see :meth:`load`).
    loaded: dict[str, Any] = field(default_factory=dict)

    def load(self, key: str, read: Callable[[], Any]) -> Any:
        """``read()`` once per event and ``key``: two rules of one event that need the same
        record (the registration's product name) cost one read."""
        if key not in self.loaded:
            self.loaded[key] = read()
        return self.loaded[key]

    def plan(
        self,
        subject_kind: SubjectKind,
        subject_id: str,
        customer_id: str,
        *,
        due_at: datetime | None = None,
        dedupe_key: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> FollowUpPlan:
        """A plan of this rule's kind and channel, due ``delay_hours`` after the event unless
        ``due_at`` is given; de-duplicated per event unless ``dedupe_key`` is given."""
        due = due_at or self.event.occurred_at.astimezone(UTC) + timedelta(
            hours=self.config.delay_hours
        )
        return FollowUpPlan(
            kind=self.rule.kind,
            subject_kind=subject_kind,
            subject_id=subject_id,
            customer_id=customer_id,
            due_at=due,
            channel=self.config.channel,
            rule=self.rule.name,
            data=dict(data or {}),
            dedupe_key=dedupe_key or f"{self.rule.name}#{self.event.event_id}",
            webhook_id=self.config.webhook_id,
        )


RuleResult = FollowUpPlan | list[FollowUpPlan] | None
RuleFunction = Callable[[RuleContext], RuleResult]
Canceller = Callable[[DomainEvent], int]
# (tenant id, the follow-up about to be sent) -> a reason to cancel it, or None to send.
SubjectCheck = Callable[[str, Any], str | None]


@dataclass(frozen=True)
class Rule:
    """A registered rule: its name (the settings key), events, kind and defaults."""

    name: str
    events: tuple[str, ...]
    kind: FollowUpKind
    defaults: RuleConfig
    function: RuleFunction
    description: str = ""
    # What its follow-ups say (wording, context model, placeholders of tenant wording).
    message: MessageKind | None = None

    @property
    def message_kind(self) -> MessageKind:
        """The message kind this rule's follow-ups send."""
        return self.message or message_kind(self.kind)


@dataclass
class _Registry:
    rules: dict[str, Rule] = field(default_factory=dict)
    cancellers: dict[str, list[Canceller]] = field(default_factory=dict)
    checks: dict[str, SubjectCheck] = field(default_factory=dict)
    loaded: bool = False


_registry = _Registry()


def rule(
    name: str,
    *,
    on: tuple[str, ...],
    kind: FollowUpKind,
    enabled: bool = True,
    delay_hours: float = 0,
    channel: Channel = Channel.EMAIL,
    sample_percent: int = 100,
    period_days: int = 90,
    message: MessageKind | None = None,
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule that plans follow-ups of ``kind`` for the events named in ``on``.

    The keyword arguments are the rule's defaults; tenants override them in their settings.
    ``message`` names the message kind when it is not the kind's own (a survey about a visit).
    """

    def register(function: RuleFunction) -> RuleFunction:
        if name in _registry.rules:
            raise ValueError(f"follow-up rule {name!r} is registered twice")
        doc = (function.__doc__ or "").strip()
        _registry.rules[name] = Rule(
            name=name,
            events=on,
            kind=kind,
            defaults=RuleConfig(
                enabled=enabled,
                delay_hours=delay_hours,
                channel=channel,
                sample_percent=sample_percent,
                period_days=period_days,
            ),
            function=function,
            description=doc.splitlines()[0] if doc else "",
            message=message,
        )
        return function

    return register


def canceller(*events: str) -> Callable[[Canceller], Canceller]:
    """Register a function that cancels follow-ups when one of ``events`` happens."""

    def register(function: Canceller) -> Canceller:
        for event in events:
            _registry.cancellers.setdefault(event, []).append(function)
        return function

    return register


def subject_check(*rule_names: str) -> Callable[[SubjectCheck], SubjectCheck]:
    """Register the send-time check of the follow-ups planned by ``rule_names``."""

    def register(function: SubjectCheck) -> SubjectCheck:
        for name in rule_names:
            _registry.checks[name] = function
        return function

    return register


def _load_rule_modules() -> None:
    if _registry.loaded:
        return
    _registry.loaded = True
    for module in RULE_MODULES:
        importlib.import_module(module)


def rules() -> dict[str, Rule]:
    """Every registered rule by name."""
    _load_rule_modules()
    return dict(_registry.rules)


def rule_names() -> list[str]:
    """The names tenants may configure under ``rules`` in the follow-up settings."""
    return sorted(rules())


def effective_config(rule_: Rule, overrides: Any | None) -> RuleConfig:
    """The rule's defaults with the tenant's settings (``None`` fields keep the default)."""
    config = rule_.defaults
    if overrides is None:
        return config
    changes = {
        name: value
        for name in (
            "enabled",
            "delay_hours",
            "channel",
            "webhook_id",
            "sample_percent",
            "period_days",
        )
        if (value := getattr(overrides, name, None)) is not None
    }
    if "channel" in changes:
        changes["channel"] = Channel(changes["channel"])
    return replace(config, **changes)


def on_event(event: DomainEvent) -> None:
    """Reactions subscriber: run the cancellers and the enabled rules of ``event.name``."""
    _load_rule_modules()
    for cancel in _registry.cancellers.get(event.name, []):
        cancel(event)
    matching = [r for r in _registry.rules.values() if event.name in r.events]
    if not matching:
        return
    from chalicelib.services import followups
    from chalicelib.services.followup_settings import tenant_settings

    settings = tenant_settings(event.tenant_id)
    loaded: dict[str, Any] = {}
    for rule_ in matching:
        config = effective_config(rule_, settings.rules.get(rule_.name))
        if not config.enabled:
            continue
        result = rule_.function(RuleContext(event=event, config=config, rule=rule_, loaded=loaded))
        plans = result if isinstance(result, list) else [result] if result else []
        for plan in plans:
            created = followups.schedule(event.tenant_id, plan)
            logger.info(
                "follow-up planned",
                extra={"rule": rule_.name, "followup_id": created.followup_id, "event": event.name},
            )


def check_templates(values: Any) -> None:
    """Raise ``Invalid(unknown_placeholder)`` when a tenant's wording of a rule names a
    placeholder its message kind cannot always fill (checked when the settings are saved)."""
    from chalicelib.domain.errors import Invalid
    from chalicelib.schemas.messages import MessageError, check_template

    known = rules()
    for name, configured in sorted(values.rules.items()):
        rule_ = known.get(name)
        if rule_ is None:
            continue
        for locale, template in sorted(configured.templates.items()):
            for part in ("subject", "intro"):
                text = getattr(template, part, None)
                if not text:
                    continue
                try:
                    check_template(rule_.message_kind, text, tenant_wording=True)
                except MessageError as exc:
                    raise Invalid(
                        f"rules.{name}.templates.{locale}.{part}: {exc}",
                        code="unknown_placeholder",
                    ) from exc


def check_subject(tenant_id: str, item: Any) -> str | None:
    """Why the follow-up should no longer be sent (its rule's check), or None."""
    _load_rule_modules()
    check = _registry.checks.get(item.rule or "")
    return check(tenant_id, item) if check else None


def parse_instant(value: Any, fallback: datetime) -> datetime:
    """An RFC 3339 instant from event data, or ``fallback`` when absent."""
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return fallback


# --- sampling (NPS) ------------------------------------------------------------------------


def sampled(customer_id: str, period: int, percent: int) -> bool:
    """Whether a customer is in a period's sample: a stable hash, uniform over customers."""
    digest = hashlib.sha256(f"{customer_id}:{period}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def period_index(instant: datetime, period_days: int) -> int:
    """The number of the ``period_days``-long period (counted from the epoch) of ``instant``."""
    return int(instant.astimezone(UTC).timestamp() // 86_400) // period_days


def period_end(period: int, period_days: int) -> datetime:
    """The first instant after period number ``period``."""
    return datetime.fromtimestamp((period + 1) * period_days * 86_400, UTC)


def spread(customer_id: str, window: timedelta) -> timedelta:
    """A stable offset in ``[0, window)`` per customer: spreads a sample's sends over a day."""
    digest = hashlib.sha256(f"spread:{customer_id}".encode()).digest()
    seconds = int(window.total_seconds())
    return timedelta(seconds=int.from_bytes(digest[:4], "big") % max(seconds, 1))


# --- built-in rules: tickets ---------------------------------------------------------------

CSAT_RULE = "csat_on_solved"
CES_RULE = "ces_on_closed"
NPS_RULE = "nps_sample"
_SURVEYABLE = frozenset({"solved", "closed"})


def _ticket_subject(event: DomainEvent) -> tuple[str, str] | None:
    ticket_id, customer_id = event.data.get("ticket_id"), event.data.get("customer_id")
    if not ticket_id or not customer_id or event.data.get("internal"):
        # An internal ticket (the closed loop, an agent's own) is never surveyed.
        return None
    return str(ticket_id), str(customer_id)


def _ticket_data(event: DomainEvent) -> dict[str, Any]:
    data = event.data
    return {
        k: data.get(k)
        for k in ("subject", "assignee", "product_id", "reopen_count")
        if data.get(k) is not None
    }


@rule(CSAT_RULE, on=("ticket.solved",), kind=FollowUpKind.CSAT_SURVEY, delay_hours=24)
def csat_on_solved(ctx: RuleContext) -> FollowUpPlan | None:
    """Ticket solved: CSAT survey after N hours (cancelled if the ticket is reopened first)."""
    subject = _ticket_subject(ctx.event)
    if subject is None:
        return None
    solved_at = parse_instant(ctx.event.data.get("solved_at"), ctx.event.occurred_at)
    return ctx.plan(
        SubjectKind.TICKET,
        *subject,
        due_at=solved_at + timedelta(hours=ctx.config.delay_hours),
        # One survey per solving: the same event delivered twice plans one; solved again after
        # a reopen plans a new one (which the survey throttle may then skip).
        dedupe_key=f"{CSAT_RULE}#{subject[0]}#{solved_at.isoformat()}",
        data=_ticket_data(ctx.event),
    )


@rule(CES_RULE, on=("ticket.closed",), kind=FollowUpKind.CES_SURVEY, enabled=False, delay_hours=1)
def ces_on_closed(ctx: RuleContext) -> FollowUpPlan | None:
    """Ticket closed: optional CES survey (off by default)."""
    subject = _ticket_subject(ctx.event)
    if subject is None:
        return None
    return ctx.plan(
        SubjectKind.TICKET,
        *subject,
        dedupe_key=f"{CES_RULE}#{subject[0]}",
        data=_ticket_data(ctx.event),
    )


@rule(
    NPS_RULE,
    # Not ticket.created: every new ticket would read the tenant's rule settings for a rule
    # that is off by default; a solved ticket (or a new customer) marks activity well enough.
    on=("ticket.solved", "customer.created"),
    kind=FollowUpKind.NPS_SURVEY,
    enabled=False,
    delay_hours=0,
    sample_percent=20,
    period_days=91,
)
def nps_sample(ctx: RuleContext) -> FollowUpPlan | None:
    """Relationship NPS: a sample of the customers active in each period, asked after it ends.

    Driven by activity events, never by scanning customers: a customer's first activity in a
    period decides (a stable hash of customer and period) whether they are in the sample, and
    the dedupe guard ``nps_sample#<period>#<customer>`` is the per-tenant index of who was
    picked, so later activity in the same period plans nothing more. The survey is due when the
    period ends (plus the delay and a per-customer spread over a day, so a tenant's whole
    sample does not go out in the same second).
    """
    data = ctx.event.data
    customer_id = data.get("customer_id") or (
        data.get("id") if ctx.event.name.startswith("customer.") else None
    )
    if not customer_id:
        return None
    period = period_index(ctx.event.occurred_at, ctx.config.period_days)
    if not sampled(str(customer_id), period, ctx.config.sample_percent):
        return None
    due = (
        period_end(period, ctx.config.period_days)
        + timedelta(hours=ctx.config.delay_hours)
        + spread(str(customer_id), timedelta(days=1))
    )
    return ctx.plan(
        SubjectKind.CUSTOMER,
        str(customer_id),
        str(customer_id),
        due_at=due,
        dedupe_key=f"{NPS_RULE}#{ctx.config.period_days}#{period}#{customer_id}",
        data={"period": period, "period_days": ctx.config.period_days},
    )


@canceller("ticket.reopened", "ticket.status_changed")
def cancel_surveys_on_reopen(event: DomainEvent) -> int:
    """A ticket that left solved/closed for an open state: withdraw its pending surveys."""
    data = event.data
    status, previous = data.get("status"), data.get("previous_status")
    reopened = event.name == "ticket.reopened" or (
        previous in _SURVEYABLE and status not in _SURVEYABLE
    )
    if not reopened or not data.get("ticket_id"):
        return 0
    from chalicelib.services import followups

    return followups.cancel_for_subject(
        event.tenant_id,
        SubjectKind.TICKET,
        str(data["ticket_id"]),
        kinds=frozenset({FollowUpKind.CSAT_SURVEY, FollowUpKind.CES_SURVEY}),
        reason="ticket_reopened",
    )


def _ticket_still(statuses: frozenset[str]) -> SubjectCheck:
    def check(tenant_id: str, item: Any) -> str | None:
        from chalicelib.store.tickets import get_ticket

        ticket = get_ticket(tenant_id, item.subject_id)
        if ticket is None:
            return "ticket_deleted"
        if ticket.status not in statuses:
            return "ticket_reopened"
        return None

    return check


subject_check(CSAT_RULE)(_ticket_still(_SURVEYABLE))
subject_check(CES_RULE)(_ticket_still(frozenset({"closed"})))
