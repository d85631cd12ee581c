"""Customer-facing messages as typed contracts: one context model per message kind.

A message kind (``domain.followups.MessageKind``) says *what* is said; its context model here
says which values the saying needs, and the templates in ``chalicelib/i18n/`` say it in en, lt
and lv. :func:`fill` is the only way a template becomes text: every ``{name}`` must be a field
of the kind's model and hold a value, or it raises (a missing value is a bug to see in tests,
never a blank in a customer's inbox). Values are formatted per locale
(``chalicelib/i18n/formats.py``) and never inflected.

Each model also lists its ``DETAILS``: the values shown as label lines ("Product: X"), the one
place where user data always stands in the nominative, and its ``ACTION``: the customer action
its link offers (``services/action_links.py``), if any.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from chalicelib.domain.followups import MessageKind
from chalicelib.domain.maintenance import VisitKind
from chalicelib.i18n.formats import format_value

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=4000)]

# A placeholder is a field name in braces; any other brace stays literal.
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class MessageError(ValueError):
    """A message cannot be rendered as written (a bug in a template or in its data)."""


class MissingValue(MessageError):
    """A template names a value its context does not hold."""


class UnknownPlaceholder(MessageError):
    """A template names a placeholder its kind does not define."""


class InvalidContext(MessageError):
    """The data given for a message does not satisfy its kind's context model."""


class Context(BaseModel):
    """The values of one message: its fields are the placeholders its templates may name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    DETAILS: ClassVar[tuple[str, ...]] = ()
    ACTION: ClassVar[str | None] = None

    @classmethod
    def placeholders(cls) -> frozenset[str]:
        """Every placeholder a template of this kind may name."""
        return frozenset(cls.model_fields)

    @classmethod
    def required_placeholders(cls) -> frozenset[str]:
        """The placeholders that always hold a value (what a tenant's wording may use)."""
        return frozenset(name for name, f in cls.model_fields.items() if f.is_required())


class MessageContext(Context):
    """What every follow-up email knows: who sends it and, when known, to whom (only English
    greets by name: Lithuanian and Latvian would need a vocative the data does not carry)."""

    company: Text
    customer_name: Text | None = None


class TicketSurveyContext(MessageContext):
    """A CSAT or CES survey about a ticket."""

    ticket_subject: Text


class VisitContext(MessageContext):
    """A message about a service visit (survey or follow-up)."""

    DETAILS: ClassVar[tuple[str, ...]] = ("visit_kind", "visit_date", "product_name", "technician")

    visit_kind: VisitKind
    visit_date: date
    product_name: Text | None = None
    technician: Text | None = None


class NpsContext(MessageContext):
    """Relationship NPS: about the customer's whole experience."""


class WarrantyExpiryContext(MessageContext):
    """The cover of a registered product ends soon; the extended plans on offer."""

    DETAILS: ClassVar[tuple[str, ...]] = (
        "product_name",
        "serial_number",
        "coverage_ends_on",
        "plan_names",
    )
    ACTION: ClassVar[str | None] = "extend_cover"

    product_name: Text
    serial_number: Text | None = None
    coverage_ends_on: date
    plan_names: list[Text] = Field(default_factory=list)
    action_url: Url


class ProofOfPurchaseContext(MessageContext):
    """A registration without its proof of purchase, before the product's deadline."""

    DETAILS: ClassVar[tuple[str, ...]] = ("product_name", "serial_number", "deadline")
    ACTION: ClassVar[str | None] = "proof_of_purchase"

    product_name: Text
    serial_number: Text | None = None
    deadline: date
    action_url: Url


class MaintenanceContext(MessageContext):
    """A planned maintenance visit of a service plan is coming up."""

    DETAILS: ClassVar[tuple[str, ...]] = ("product_name", "serial_number", "visit_date")
    ACTION: ClassVar[str | None] = "book_visit"

    product_name: Text
    serial_number: Text | None = None
    visit_date: date
    action_url: Url


class AutoCloseContext(MessageContext):
    """A ticket waiting for the customer will close."""

    DETAILS: ClassVar[tuple[str, ...]] = ("closes_on",)

    ticket_subject: Text
    closes_on: date


class CustomContext(MessageContext):
    """The tenant's own words (subject and message)."""

    subject: Text
    message: Text


class TicketNoticeContext(Context):
    """Ticket automation: a waiting ticket will be solved, a solved one closed, at ``when``
    (in the tenant's time zone; the subject line does not name it)."""

    subject: Text
    when: datetime | None = None


class SlaAlertContext(Context):
    """To the tenant's team (English only): a ticket's SLA target is near or missed."""

    subject: Text
    # The subject line and the body each name some of these; a named one must hold a value.
    kind: Text | None = None
    metric: Text | None = None
    ticket_id: Text | None = None
    priority: Text | None = None
    verb: Text | None = None
    target: int | None = None
    at: Text | None = None
    assignee: Text | None = None


class WidgetTicketLinkContext(Context):
    """A visitor opened a ticket in the widget without signing in: the link to follow it."""

    subject: Text
    url: Url | None = None


CONTEXTS: Mapping[MessageKind, type[Context]] = {
    MessageKind.TICKET_CSAT_SURVEY: TicketSurveyContext,
    MessageKind.VISIT_CSAT_SURVEY: VisitContext,
    MessageKind.NPS_SURVEY: NpsContext,
    MessageKind.TICKET_CES_SURVEY: TicketSurveyContext,
    MessageKind.VISIT_CES_SURVEY: VisitContext,
    MessageKind.WARRANTY_EXPIRY_REMINDER: WarrantyExpiryContext,
    MessageKind.PROOF_OF_PURCHASE_REMINDER: ProofOfPurchaseContext,
    MessageKind.MAINTENANCE_REMINDER: MaintenanceContext,
    MessageKind.APPOINTMENT_FOLLOW_UP: VisitContext,
    MessageKind.TICKET_AUTO_CLOSE_NOTICE: AutoCloseContext,
    MessageKind.CUSTOM: CustomContext,
    MessageKind.TICKET_SOLVE_NOTICE: TicketNoticeContext,
    MessageKind.TICKET_CLOSE_NOTICE: TicketNoticeContext,
    MessageKind.SLA_ALERT: SlaAlertContext,
    MessageKind.WIDGET_TICKET_LINK: WidgetTicketLinkContext,
}


def context_model(kind: MessageKind) -> type[Context]:
    """The context model of ``kind``."""
    return CONTEXTS[kind]


def build_context(kind: MessageKind, values: Mapping[str, Any]) -> Context:
    """Validate ``values`` against ``kind``'s model; ``InvalidContext`` names what is wrong."""
    try:
        return CONTEXTS[kind].model_validate(dict(values))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'context'}: {e['msg']}" for e in exc.errors()
        )
        raise InvalidContext(f"{kind.value} message: {problems}") from exc


def placeholders_in(template: str) -> frozenset[str]:
    """The placeholder names a template uses."""
    return frozenset(PLACEHOLDER.findall(template))


def check_template(kind: MessageKind, template: str, *, tenant_wording: bool = False) -> None:
    """Raise ``UnknownPlaceholder`` when ``template`` names a placeholder ``kind`` does not
    define (for a tenant's wording: one that may be empty when the message is sent)."""
    model = CONTEXTS[kind]
    allowed = model.required_placeholders() if tenant_wording else model.placeholders()
    unknown = sorted(placeholders_in(template) - allowed)
    if unknown:
        names = ", ".join("{" + n + "}" for n in unknown)
        offered = ", ".join("{" + n + "}" for n in sorted(allowed))
        raise UnknownPlaceholder(
            f"{kind.value}: unknown placeholder(s) {names}; allowed: {offered}"
        )


def fill(template: str, context: Context, locale: str) -> str:
    """``template`` with every placeholder replaced by its formatted value.

    Raises ``UnknownPlaceholder`` for a name the context does not define and ``MissingValue``
    for one that holds no value: a message never goes out with a blank.
    """
    fields = type(context).model_fields

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in fields:
            raise UnknownPlaceholder(f"{type(context).__name__} has no {{{name}}}")
        current = getattr(context, name)
        if current is None or current in ("", []):
            raise MissingValue(f"{type(context).__name__}: {{{name}}} has no value")
        return format_value(current, locale)

    return PLACEHOLDER.sub(value, template)


def details(context: Context, locale: str) -> list[tuple[str, str]]:
    """The context's label lines that hold a value: ``(field name, formatted value)``."""
    shown = []
    for name in type(context).DETAILS:
        current = getattr(context, name)
        if current is None or current in ("", []):
            continue  # an optional detail (no technician recorded): the line is left out
        shown.append((name, format_value(current, locale)))
    return shown
