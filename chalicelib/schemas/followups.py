"""Follow-up request/response bodies and the ``followups`` settings section.

The settings section holds the contact budget (one per customer, across every kind) and one
entry per registered follow-up rule (enable, delay, channel, message template per locale); the
rules and their defaults come from the registry in ``chalicelib/services/followup_rules.py``.
"""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator, model_validator

from chalicelib.domain.followups import Channel, FollowUpKind, FollowUpStatus, SubjectKind
from chalicelib.schemas.common import ApiModel, ListQuery, Locale, Version

TemplateText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
]
SubjectLine = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\r\n]*$"),
]
RuleName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
IdText = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]


class MessageTemplate(ApiModel):
    """A tenant's wording of a rule's email in one locale; unset parts keep the built-in
    wording. Placeholders are the values the rule's message kind always has (its context model,
    ``schemas/messages.py``: ``{company}``, ``{product_name}``, ``{ticket_subject}``...); others
    are refused when the settings are saved (422 ``unknown_placeholder``)."""

    subject: SubjectLine | None = None
    intro: TemplateText | None = None


class RuleSettings(ApiModel):
    """A tenant's settings of one follow-up rule; fields left out keep the rule's defaults."""

    enabled: bool | None = None
    delay_hours: float | None = Field(default=None, ge=0, le=24 * 366)
    channel: Channel | None = None
    webhook_id: IdText | None = Field(
        default=None, description="The webhook endpoint (required when channel is webhook)"
    )
    templates: dict[Locale, MessageTemplate] = Field(default_factory=dict)
    sample_percent: int | None = Field(
        default=None, ge=1, le=100, description="Sampling rules (NPS): share of customers asked"
    )
    period_days: int | None = Field(
        default=None, ge=7, le=366, description="Sampling rules (NPS): 7 weekly, 91 quarterly"
    )


class ContactBudgetSettings(ApiModel):
    """One contact budget per customer, across every kind of outreach."""

    max_messages: int = Field(default=3, ge=1, le=50, description="per customer per window")
    window_days: int = Field(default=7, ge=1, le=365)
    survey_interval_days: int = Field(
        default=30, ge=0, le=365, description="at most one survey per this many days"
    )
    quiet_hours_enabled: bool = True
    quiet_hours_start: time = Field(default=time(21, 0), description="customer's local time")
    quiet_hours_end: time = Field(default=time(8, 0), description="customer's local time")
    max_deferral_hours: int = Field(
        default=48, ge=0, le=720, description="defer for the budget at most this long, else skip"
    )

    @model_validator(mode="after")
    def _quiet_hours(self) -> ContactBudgetSettings:
        for name in ("quiet_hours_start", "quiet_hours_end"):
            if getattr(self, name).tzinfo is not None:
                raise ValueError(f"{name} is a local wall-clock time (no offset)")
        if self.quiet_hours_enabled and self.quiet_hours_start == self.quiet_hours_end:
            raise ValueError("quiet_hours_start and quiet_hours_end must differ")
        return self


class FollowUpSettings(ApiModel):
    """The ``followups`` settings section: the contact budget and the rules.

    Rules are the registered ones (``chalicelib/services/followup_rules.py``); every rule is
    shown with its effective values, and a name that is not a rule is refused.
    """

    budget: ContactBudgetSettings = Field(default_factory=ContactBudgetSettings)
    rules: dict[RuleName, RuleSettings] = Field(
        default_factory=dict,
        description="Per rule (see docs/followups.md): enabled, delay, channel, templates",
    )

    @field_validator("rules", mode="after")
    @classmethod
    def _known_rules(cls, value: dict[str, RuleSettings]) -> dict[str, RuleSettings]:
        return fill_rules(value)

    @model_validator(mode="after")
    def _defaults(self) -> FollowUpSettings:
        if not self.rules:
            # Nothing stored yet: show every rule with its defaults.
            self.rules = fill_rules({})
        return self


def fill_rules(value: dict[str, RuleSettings]) -> dict[str, RuleSettings]:
    """Every registered rule with its effective values; unknown names refused."""
    # The registry lives with the rules; imported lazily so schemas stay import-light.
    from chalicelib.services.followup_rules import effective_config, rules

    known = rules()
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ValueError(
            f"unknown rule(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    filled: dict[str, RuleSettings] = {}
    for name, rule_ in sorted(known.items()):
        given = value.get(name)
        config = effective_config(rule_, given)
        if config.channel is Channel.WEBHOOK and not config.webhook_id:
            raise ValueError(f"rule {name}: the webhook channel needs webhook_id")
        filled[name] = RuleSettings(
            enabled=config.enabled,
            delay_hours=config.delay_hours,
            channel=config.channel,
            webhook_id=config.webhook_id,
            templates=given.templates if given else {},
            sample_percent=config.sample_percent,
            period_days=config.period_days,
        )
    return filled


# --- API -----------------------------------------------------------------------------------


class FollowUp(ApiModel):
    """A planned (or done) outreach to a customer."""

    id: str
    kind: FollowUpKind
    subject_kind: SubjectKind
    subject_id: str
    customer_id: str
    channel: Channel
    status: FollowUpStatus
    due_at: datetime
    rule: str | None = Field(description="the rule that planned it; null for custom ones")
    webhook_id: str | None = None
    data: dict[str, Any]
    attempts: int
    reason: str | None = Field(description="why it was skipped, cancelled or last deferred")
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class FollowUpList(ApiModel):
    """One page of follow-ups, by due time."""

    items: list[FollowUp]
    next_cursor: str | None


class FollowUpListQuery(ListQuery):
    """Filters of ``GET /v1/followups`` (due range inclusive)."""

    status: FollowUpStatus | None = None
    kind: FollowUpKind | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None

    @model_validator(mode="after")
    def _range(self) -> FollowUpListQuery:
        for name in ("due_from", "due_to"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} needs a time zone (e.g. 2026-01-01T00:00:00Z)")
        if self.due_from and self.due_to and self.due_from > self.due_to:
            raise ValueError("due_from is after due_to")
        return self


class FollowUpCreate(ApiModel):
    """A custom follow-up planned by the tenant."""

    kind: FollowUpKind = FollowUpKind.CUSTOM
    subject_kind: SubjectKind = SubjectKind.CUSTOMER
    subject_id: str | None = Field(
        default=None, max_length=64, description="defaults to the customer for customer subjects"
    )
    customer_id: str = Field(min_length=1, max_length=64)
    channel: Channel = Channel.EMAIL
    due_at: datetime
    subject: SubjectLine | None = Field(default=None, description="email subject (custom)")
    message: TemplateText | None = Field(default=None, description="message text (custom)")
    dedupe_key: str | None = Field(default=None, min_length=1, max_length=200)
    webhook_id: IdText | None = Field(default=None, description="required for the webhook channel")
    data: dict[str, Any] = Field(
        default_factory=dict, description="passed to webhooks and events as is (up to 4 KB)"
    )

    @field_validator("due_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs a time zone (e.g. 2026-01-01T09:00:00Z)")
        return value

    @model_validator(mode="after")
    def _channel(self) -> FollowUpCreate:
        if self.channel is Channel.WEBHOOK and self.webhook_id is None:
            raise ValueError("a webhook follow-up needs webhook_id")
        if self.channel is not Channel.WEBHOOK and self.webhook_id is not None:
            raise ValueError("webhook_id applies to the webhook channel only")
        if (
            self.kind is FollowUpKind.CUSTOM
            and self.channel is Channel.EMAIL
            and self.message is None
        ):
            raise ValueError("a custom email follow-up needs a message")
        if len(json.dumps(self.data, default=str)) > 4096:
            raise ValueError("data is limited to 4 KB")
        return self


class FollowUpCancel(ApiModel):
    """Cancel a scheduled follow-up."""

    reason: str | None = Field(default=None, max_length=200)
    version: Version | None = None


class FollowUpReschedule(ApiModel):
    """Move a scheduled follow-up to another due time (version-conditional)."""

    due_at: datetime
    version: Version | None = None

    @field_validator("due_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("needs a time zone (e.g. 2026-01-01T09:00:00Z)")
        return value
