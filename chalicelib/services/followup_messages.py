"""Rendering a follow-up into an email: its message kind's typed context, the localised
wording, the link to act on, survey and unsubscribe links.

Every follow-up kind sends one message kind (``domain.followups.message_kind``) whose context
model (``schemas/messages.py``) names the values the wording needs. :func:`message_context`
builds it from what the rule captured when it planned the follow-up and, for what is not there
(a follow-up planned through the API, or before a value was captured), from the subject's
records, read when it is sent. A context that cannot be completed makes the delivery fail
visibly (:class:`MessageUndeliverable`, permanent): a customer never reads a blank.

Everything a tenant or customer wrote is data, never markup or template code: placeholders are
substituted by name only (no ``str.format`` attribute access), every value is HTML-escaped in
the HTML part, and the subject line loses control characters (no header injection).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from chalicelib.config import get_settings
from chalicelib.domain.followups import (
    FollowUpKind,
    MessageKind,
    SubjectKind,
    message_kind,
    survey_metric,
)
from chalicelib.domain.survey_tokens import SurveyGrant, expiry
from chalicelib.i18n.followups import COMMON, DETAIL_LABELS, KIND_TEXTS
from chalicelib.i18n.formats import locale_of
from chalicelib.i18n.surveys import QUESTIONS, SCALE_LABELS
from chalicelib.i18n.surveys import fill as fill_company
from chalicelib.notify.email import CONTROL_CHARACTERS
from chalicelib.notify.errors import DeliveryFailed
from chalicelib.observability import logger
from chalicelib.schemas.followups import MessageTemplate
from chalicelib.schemas.messages import (
    PLACEHOLDER,
    MessageContext,
    MessageError,
    MissingValue,
    build_context,
    check_template,
    details,
    fill,
)

SUBJECT_MAX = 200


class MessageUndeliverable(DeliveryFailed):
    """The message's context cannot be completed (its subject is gone, a value was never
    recorded): the follow-up fails at once, visibly, instead of sending a blank."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, retryable=False)


@dataclass(frozen=True)
class EmailMessage:
    """A rendered email: subject, plain text, HTML and extra headers."""

    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SurveyText:
    """The survey a survey email asks: the tenant's question and scale labels in the locale."""

    survey_id: str | None
    question: str
    low_label: str
    high_label: str


@dataclass(frozen=True)
class Recipient:
    """Who the message goes to and in which words."""

    tenant_id: str
    customer_id: str
    name: str | None
    email: str
    locale: str
    company: str


def header_safe(text: str) -> str:
    """One line without control characters, at most :data:`SUBJECT_MAX` characters."""
    return CONTROL_CHARACTERS.sub(" ", text).strip()[:SUBJECT_MAX]


def unsubscribe_url(tenant_id: str, customer_id: str, scope: str, followup_id: str) -> str:
    """The public unsubscribe link (``api/unsubscribe.py``) for one customer and scope."""
    from urllib.parse import quote

    from chalicelib.services.unsubscribe import unsubscribe_token

    token = unsubscribe_token(tenant_id, customer_id, scope, followup_id)
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/widget/v1/unsubscribe/{quote(token, safe='')}"


# --- the context: captured at planning, completed at sending ------------------------------------


@dataclass(frozen=True)
class Source:
    """What a follow-up says about its message: whom, about what, and what its rule captured."""

    tenant_id: str
    customer_id: str
    subject_kind: SubjectKind
    subject_id: str
    data: Mapping[str, Any]
    now: datetime


def _record(source: Source, kind: str, record_id: Any) -> dict[str, Any]:
    from chalicelib.store import service as store

    item = store.get_record(source.tenant_id, kind, str(record_id)) if record_id else None
    if item is None:
        raise MessageUndeliverable(f"the {kind} {record_id} of this message no longer exists")
    return dict(item.data)


def _subject_record(source: Source, kind: SubjectKind, record_kind: str) -> dict[str, Any]:
    if source.subject_kind is not kind:
        raise MessageUndeliverable(
            f"this message needs a {kind.value} subject, not a {source.subject_kind.value}"
        )
    return _record(source, record_kind, source.subject_id)


def _day(value: Any) -> date | None:
    """A calendar date from stored data (ISO date, or the date of an RFC 3339 instant)."""
    if not value:
        return None
    text = str(value)
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).date()


def _product_name(source: Source, product_id: Any) -> str | None:
    return str(_record(source, "product", product_id)["name"]) if product_id else None


def _ticket_subject(source: Source) -> dict[str, Any]:
    subject = source.data.get("subject")
    if not subject:
        from chalicelib.store.tickets import get_ticket

        ticket = (
            get_ticket(source.tenant_id, source.subject_id)
            if source.subject_kind is SubjectKind.TICKET
            else None
        )
        if ticket is None:
            raise MessageUndeliverable("the ticket of this message no longer exists")
        subject = ticket.subject
    return {"ticket_subject": subject}


def _visit(source: Source) -> dict[str, Any]:
    data = source.data
    if data.get("visit_date") and (data.get("visit_kind") or data.get("kind")):
        return {
            "visit_kind": data.get("visit_kind") or data.get("kind"),
            "visit_date": _day(data["visit_date"]),
            "product_name": data.get("product_name")
            or _product_name(source, data.get("product_id")),
            "technician": data.get("technician") or None,
        }
    visit = _subject_record(source, SubjectKind.APPOINTMENT, "appointment")
    return {
        "visit_kind": visit["kind"],
        "visit_date": _day(visit.get("completed_at") or visit["starts_at"]),
        "product_name": data.get("product_name") or _product_name(source, visit.get("product_id")),
        "technician": visit.get("technician") or None,
    }


def _action(source: Source, action: str, subject_id: str) -> str:
    from chalicelib.services.action_links import action_url

    return action_url(source.tenant_id, source.customer_id, action, subject_id, source.now)


def _warranty_facts(source: Source, needed: tuple[str, ...]) -> dict[str, Any]:
    """The registration's values a reminder shows: what the rule captured, else read once
    (then ``"item"`` holds the registration)."""
    data = source.data
    if all(data.get(name) is not None for name in needed):
        return dict(data)
    from chalicelib.store import service as store

    if source.subject_kind is not SubjectKind.WARRANTY:
        raise MessageUndeliverable("this reminder needs a warranty registration as its subject")
    item = store.get_record(source.tenant_id, "warranty", source.subject_id)
    if item is None:
        raise MessageUndeliverable(f"the warranty {source.subject_id} no longer exists")
    registration = item.data
    return {
        "product_name": registration.get("product_name"),
        "serial_number": registration.get("serial_number"),
        "plan_names": [o["name"] for o in registration.get("plan_offers", [])],
        **{k: v for k, v in data.items() if v is not None},
        "item": item,
    }


def _warranty_expiry(source: Source) -> dict[str, Any]:
    facts = _warranty_facts(source, ("product_name", "plan_names", "ends_on"))
    ends = facts.get("ends_on")
    if ends is None and "item" in facts:
        from chalicelib.services.warranties import Loaded

        ends = Loaded(facts["item"], source.subject_id).registration().coverage_end.isoformat()
    return {
        "product_name": facts.get("product_name"),
        "serial_number": facts.get("serial_number") or None,
        "coverage_ends_on": _day(ends),
        "plan_names": facts.get("plan_names") or [],
        "action_url": _action(source, "extend_cover", source.subject_id),
    }


def _proof_of_purchase(source: Source) -> dict[str, Any]:
    facts = _warranty_facts(source, ("product_name", "deadline"))
    deadline = facts.get("deadline")
    if deadline is None and "item" in facts:
        from chalicelib.domain.coverage import registration_deadline

        registration = facts["item"].data
        within = (registration.get("terms") or {}).get("registration_required_within_days")
        found = registration_deadline(date.fromisoformat(registration["purchase_date"]), within)
        deadline = found.isoformat() if found else None
    return {
        "product_name": facts.get("product_name"),
        "serial_number": facts.get("serial_number") or None,
        "deadline": _day(deadline),
        "action_url": _action(source, "proof_of_purchase", source.subject_id),
    }


def _maintenance(source: Source) -> dict[str, Any]:
    data = dict(source.data)
    if not data.get("service_plan_id") and source.subject_kind is SubjectKind.APPOINTMENT:
        visit = _subject_record(source, SubjectKind.APPOINTMENT, "appointment")
        data.setdefault("planned_date", visit["starts_at"])
        data["service_plan_id"] = visit.get("service_plan_id")
    plan_id = data.get("service_plan_id")
    if not plan_id:
        raise MessageUndeliverable("a maintenance reminder needs its service plan")
    if not data.get("product_name"):
        plan = _record(source, "service_plan", plan_id)
        if plan.get("warranty_id"):
            registration = _record(source, "warranty", plan["warranty_id"])
            data["product_name"] = registration.get("product_name")
            data.setdefault("serial_number", registration.get("serial_number"))
        else:
            data["product_name"] = _product_name(source, plan.get("product_id"))
    return {
        "product_name": data.get("product_name"),
        "serial_number": data.get("serial_number") or None,
        "visit_date": _day(data.get("visit_date") or data.get("planned_date")),
        "action_url": _action(source, "book_visit", str(plan_id)),
    }


def _auto_close(source: Source) -> dict[str, Any]:
    return {
        **_ticket_subject(source),
        "closes_on": _day(source.data.get("closes_on") or source.data.get("closes_at")),
    }


def _nothing(source: Source) -> dict[str, Any]:
    return {}


def _custom(source: Source) -> dict[str, Any]:
    return {"subject": source.data.get("subject"), "message": source.data.get("message")}


_LOADERS: Mapping[MessageKind, Callable[[Source], dict[str, Any]]] = {
    MessageKind.TICKET_CSAT_SURVEY: _ticket_subject,
    MessageKind.TICKET_CES_SURVEY: _ticket_subject,
    MessageKind.VISIT_CSAT_SURVEY: _visit,
    MessageKind.VISIT_CES_SURVEY: _visit,
    MessageKind.APPOINTMENT_FOLLOW_UP: _visit,
    MessageKind.NPS_SURVEY: _nothing,
    MessageKind.WARRANTY_EXPIRY_REMINDER: _warranty_expiry,
    MessageKind.PROOF_OF_PURCHASE_REMINDER: _proof_of_purchase,
    MessageKind.MAINTENANCE_REMINDER: _maintenance,
    MessageKind.TICKET_AUTO_CLOSE_NOTICE: _auto_close,
    MessageKind.CUSTOM: _custom,
}


def message_context(message: MessageKind, source: Source, recipient: Recipient) -> MessageContext:
    """The complete, validated context of ``message`` for one follow-up.

    Raises :class:`MessageUndeliverable` when a value the kind needs is nowhere to be found.
    """
    values = {
        "company": recipient.company,
        "customer_name": (recipient.name or "").strip() or None,
        **_LOADERS[message](source),
    }
    if message is MessageKind.CUSTOM:
        if not values.get("subject"):
            default = KIND_TEXTS[locale_of(recipient.locale)]["custom"]["subject"]
            values["subject"] = default
        values = {**values, **_tenant_text(values, recipient)}
    try:
        context = build_context(message, values)
    except MessageError as exc:
        raise MessageUndeliverable(str(exc)) from exc
    if not isinstance(context, MessageContext):  # every follow-up kind's model is one
        raise MessageUndeliverable(f"{message.value} is not a follow-up message")
    return context


def _tenant_text(values: Mapping[str, Any], recipient: Recipient) -> dict[str, Any]:
    """A custom message's subject and text with ``{company}`` and ``{customer_name}`` filled
    (the placeholders custom wording has always had); other braces stay literal."""
    known = {"company": recipient.company, "customer_name": values.get("customer_name")}

    def one(text: Any) -> Any:
        if not isinstance(text, str):
            return text

        def value(match: Any) -> str:
            name = match.group(1)
            if name not in known:
                return str(match.group(0))
            if not known[name]:
                raise MessageUndeliverable(f"custom message: {{{name}}} has no value")
            return str(known[name])

        return PLACEHOLDER.sub(value, text)

    return {"subject": one(values.get("subject")), "message": one(values.get("message"))}


# --- wording -------------------------------------------------------------------------------------


def _tenant_wording(
    message: MessageKind, part: str, template: MessageTemplate | None
) -> str | None:
    """The tenant's wording of ``part``, unless it names a placeholder this kind cannot fill
    (settings saved before the check existed): then the built-in wording is used."""
    text = getattr(template, part, None) if template else None
    if not text:
        return None
    try:
        check_template(message, text, tenant_wording=True)
    except MessageError:
        logger.warning(
            "tenant wording ignored", extra={"message_kind": message.value, "part": part}
        )
        return None
    return str(text)


@dataclass(frozen=True)
class _Parts:
    """The localised pieces of one email, before they become text and HTML."""

    locale: str
    subject: str
    greeting: str
    intro: str
    details: list[tuple[str, str]]
    cta: str | None
    action: str | None
    question: str | None
    low: str | None
    high: str | None
    scores: dict[int, str]
    signature: str
    why: str
    common: dict[str, str]
    unsubscribe_surveys: str | None
    unsubscribe_all: str


def compose(
    message: MessageKind,
    context: MessageContext,
    locale: str,
    template: MessageTemplate | None = None,
) -> tuple[str, str, str, list[tuple[str, str]], str | None]:
    """The localised subject, greeting, intro, label lines and call to action of a message.

    Raises ``MissingValue``/``UnknownPlaceholder`` (``schemas.messages``) when a template names
    a value the context does not hold: a bug, never a blank.
    """
    chosen = locale_of(locale)
    texts = KIND_TEXTS[chosen][message.value]
    common = COMMON[chosen]
    if message is MessageKind.CUSTOM:
        subject_template = _tenant_wording(message, "subject", template) or "{subject}"
        intro_template = _tenant_wording(message, "intro", template) or "{message}"
    else:
        subject_template = _tenant_wording(message, "subject", template) or texts["subject"]
        intro_template = _tenant_wording(message, "intro", template) or texts["intro"]
    subject = header_safe(fill(subject_template, context, chosen))
    if not subject:
        raise MissingValue(f"{message.value}: the subject line is empty")
    intro = fill(intro_template, context, chosen)
    greeting = (
        fill(common["greeting"], context, chosen)
        if context.customer_name
        else common["greeting_anonymous"]
    )
    labels = DETAIL_LABELS[chosen]
    lines = [(labels[name], value) for name, value in details(context, chosen)]
    return subject, greeting, intro, lines, texts.get("cta")


def render_email(
    *,
    kind: FollowUpKind,
    followup_id: str,
    subject_kind: str,
    subject_id: str,
    data: dict[str, Any],
    recipient: Recipient,
    template: MessageTemplate | None,
    now: datetime,
    survey: SurveyText | None = None,
) -> EmailMessage:
    """The localised email for a follow-up, with its action link or one-click survey links.

    A survey email carries the survey's own question and scale labels (``survey``: the
    tenant's configured survey, else the built-in texts), one signed link per score, so one
    click answers, and the link to the survey page. A reminder carries the signed link of its
    action (extend the cover, book the visit, send the proof of purchase).
    """
    message = message_kind(kind, SubjectKind(subject_kind))
    source = Source(
        tenant_id=recipient.tenant_id,
        customer_id=recipient.customer_id,
        subject_kind=SubjectKind(subject_kind),
        subject_id=subject_id,
        data=data,
        now=now,
    )
    context = message_context(message, source, recipient)
    locale = locale_of(recipient.locale)
    try:
        subject, greeting, intro, lines, cta = compose(message, context, locale, template)
        common = COMMON[locale]
        signature = fill(common["signature"], context, locale)
        why = fill(common["why"], context, locale)
    except MessageError as exc:
        raise MessageUndeliverable(str(exc)) from exc
    links: dict[str, str] = {}
    scores: dict[int, str] = {}
    question = low = high = None
    metric = survey_metric(kind)
    if metric is not None:
        from chalicelib.services.survey_links import survey_links

        signed = survey_links(
            SurveyGrant(
                tenant_id=recipient.tenant_id,
                followup_id=followup_id,
                customer_id=recipient.customer_id,
                survey_kind=metric.value,
                subject_kind=subject_kind,
                subject_id=subject_id,
                expires_at=expiry(now),
                survey_id=survey.survey_id if survey else None,
            )
        )
        scores = signed.score_urls
        links["survey"] = signed.page_url
        if survey is not None:
            question, low, high = survey.question, survey.low_label, survey.high_label
        else:
            question = fill_company(QUESTIONS[metric.value][locale], recipient.company)
            low, high = SCALE_LABELS[metric.value][locale]
    action = getattr(context, "action_url", None)
    if action:
        links["action"] = action
    links["unsubscribe"] = unsubscribe_url(
        recipient.tenant_id, recipient.customer_id, "all", followup_id
    )
    if metric is not None:
        links["unsubscribe_surveys"] = unsubscribe_url(
            recipient.tenant_id, recipient.customer_id, "surveys", followup_id
        )
    parts = _Parts(
        locale=locale,
        subject=subject,
        greeting=greeting,
        intro=intro,
        details=lines,
        cta=cta if action else None,
        action=action,
        question=question,
        low=low,
        high=high,
        scores=scores,
        signature=signature,
        why=why,
        common=COMMON[locale],
        unsubscribe_surveys=links.get("unsubscribe_surveys"),
        unsubscribe_all=links["unsubscribe"],
    )
    headers = {
        # RFC 8058 one-click unsubscribe: mail clients POST to the URL.
        "List-Unsubscribe": f"<{links['unsubscribe']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return EmailMessage(
        subject=subject, text=_text(parts), html=_html(parts), headers=headers, links=links
    )


def _score_label(parts: _Parts, score: int) -> str:
    if score == min(parts.scores):
        return f" ({parts.low})"
    if score == max(parts.scores):
        return f" ({parts.high})"
    return ""


def _text(parts: _Parts) -> str:
    lines = [parts.greeting, ""]
    if parts.intro:
        lines += [parts.intro, ""]
    if parts.details:
        lines += [f"{label}: {value}" for label, value in parts.details]
        lines.append("")
    if parts.scores:
        lines += [parts.question or "", parts.common["click_score"], ""]
        lines += [f"{s}{_score_label(parts, s)}: {url}" for s, url in parts.scores.items()]
        lines.append("")
    elif parts.action and parts.cta:
        lines += [f"{parts.cta}: {parts.action}", ""]
    lines += [parts.signature, "", "--", parts.why]
    if parts.unsubscribe_surveys:
        lines.append(f"{parts.common['unsubscribe_surveys']}: {parts.unsubscribe_surveys}")
    lines.append(f"{parts.common['unsubscribe_all']}: {parts.unsubscribe_all}")
    return "\n".join(lines)


def _html(parts: _Parts) -> str:
    e = html.escape
    body = [f"<p>{e(parts.greeting)}</p>"]
    if parts.intro:
        body.append(f"<p>{e(parts.intro).replace(chr(10), '<br>')}</p>")
    if parts.details:
        rows = "".join(
            f'<tr><th style="text-align:left;padding-right:12px">{e(label)}</th>'
            f"<td>{e(value)}</td></tr>"
            for label, value in parts.details
        )
        body.append(f"<table>{rows}</table>")
    if parts.scores:
        buttons = "".join(
            f'<a href="{e(url)}" style="display:inline-block;padding:8px 12px;margin:2px;'
            f'border:1px solid #1f6feb;border-radius:4px;text-decoration:none">{score}</a>'
            for score, url in parts.scores.items()
        )
        body.append(f"<p><strong>{e(parts.question or '')}</strong></p>")
        body.append(f"<p>{buttons}</p>")
        body.append(
            f'<p style="color:#555">{e(parts.low or "")} … {e(parts.high or "")}. '
            f"{e(parts.common['click_score'])}</p>"
        )
    elif parts.action and parts.cta:
        body.append(f'<p><a href="{e(parts.action)}">{e(parts.cta)}</a></p>')
    signature = e(parts.signature).replace("\n", "<br>")
    body.append(f"<p>{signature}</p>")
    footer = [e(parts.why)]
    if parts.unsubscribe_surveys:
        footer.append(
            f'<a href="{e(parts.unsubscribe_surveys)}">{e(parts.common["unsubscribe_surveys"])}</a>'
        )
    footer.append(f'<a href="{e(parts.unsubscribe_all)}">{e(parts.common["unsubscribe_all"])}</a>')
    body.append(f'<hr><p style="color:#777;font-size:12px">{" · ".join(footer)}</p>')
    return (
        f'<!doctype html><html lang="{parts.locale}"><head><meta charset="utf-8">'
        f"<title>{e(parts.subject)}</title></head><body>{''.join(body)}</body></html>"
    )
