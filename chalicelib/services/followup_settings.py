"""A tenant's follow-up settings (rules, contact budget) as the engine uses them."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.contact_budget import ContactPolicy, QuietHours
from chalicelib.schemas.followups import ContactBudgetSettings, FollowUpSettings, MessageTemplate

SECTION = "followups"


def tenant_settings(tenant_id: str) -> FollowUpSettings:
    """The tenant's ``followups`` settings section (defaults where never changed)."""
    from chalicelib.services.settings import section_values

    return section_values(tenant_id, FollowUpSettings, SECTION)


def contact_policy(budget: ContactBudgetSettings, tenant_time_zone: str | None) -> ContactPolicy:
    """The domain's contact policy from the tenant's budget settings."""
    quiet = (
        QuietHours(start=budget.quiet_hours_start, end=budget.quiet_hours_end)
        if budget.quiet_hours_enabled
        else None
    )
    return ContactPolicy(
        max_messages=budget.max_messages,
        window_days=budget.window_days,
        survey_interval_days=budget.survey_interval_days,
        quiet_hours=quiet,
        tenant_time_zone=tenant_time_zone or "UTC",
        max_deferral=timedelta(hours=budget.max_deferral_hours),
    )


def rule_template(
    settings: FollowUpSettings, rule: str | None, locale: str
) -> MessageTemplate | None:
    """The tenant's wording of ``rule``'s email in ``locale``, if it wrote one."""
    configured = settings.rules.get(rule or "")
    return configured.templates.get(locale) if configured else None  # type: ignore[call-overload]


def check_references(tenant_id: str, values: FollowUpSettings) -> None:
    """404 for a rule whose webhook is not one of the tenant's endpoints, 422
    ``unknown_placeholder`` for wording its message kind cannot fill (checked on save)."""
    from chalicelib.services.followup_rules import check_templates
    from chalicelib.services.webhooks import require_webhook

    check_templates(values)

    for webhook_id in sorted({r.webhook_id for r in values.rules.values() if r.webhook_id}):
        require_webhook(tenant_id, webhook_id)
