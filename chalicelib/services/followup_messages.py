"""Rendering a follow-up into an email: localised wording, survey and unsubscribe links.

Everything a tenant or customer wrote is data, never markup or template code: placeholders are
substituted by name only (no ``str.format`` attribute access), every value is HTML-escaped in
the HTML part, and the subject line loses control characters (no header injection).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.config import get_settings
from chalicelib.domain.followups import FollowUpKind, survey_metric
from chalicelib.domain.survey_tokens import SurveyGrant, expiry
from chalicelib.i18n.followups import COMMON, DEFAULT_LOCALE, KIND_TEXTS
from chalicelib.notify.email import CONTROL_CHARACTERS
from chalicelib.schemas.followups import MessageTemplate

_PLACEHOLDER = re.compile(r"\{(customer_name|company|subject|date)\}")
SUBJECT_MAX = 200


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


def fill(template: str, values: dict[str, str]) -> str:
    """Substitute the known placeholders by name; everything else stays literal."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), template)


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


@dataclass(frozen=True)
class _Parts:
    """The localised pieces of one email, before they become text and HTML."""

    locale: str
    subject: str
    greeting: str
    intro: str
    texts: dict[str, str]
    common: dict[str, str]
    values: dict[str, str]
    scores: dict[int, str]
    action: str | None
    unsubscribe_surveys: str | None
    unsubscribe_all: str


def _wording(
    kind: FollowUpKind,
    data: dict[str, Any],
    recipient: Recipient,
    template: MessageTemplate | None,
) -> tuple[str, dict[str, str], dict[str, str], dict[str, str], str, str, str]:
    locale = recipient.locale if recipient.locale in KIND_TEXTS else DEFAULT_LOCALE
    texts = KIND_TEXTS[locale].get(kind.value) or KIND_TEXTS[locale]["custom"]
    common = COMMON[locale]
    values = {
        "customer_name": recipient.name or "",
        "company": recipient.company,
        "subject": str(data.get("subject") or data.get("title") or ""),
        "date": str(data.get("date") or ""),
    }
    custom = kind is FollowUpKind.CUSTOM
    subject_template = (template.subject if template else None) or (
        str(data["subject"]) if custom and data.get("subject") else texts["subject"]
    )
    intro_template = (template.intro if template else None) or (
        str(data["message"]) if custom and data.get("message") else texts["intro"]
    )
    subject = header_safe(fill(subject_template, values)) or header_safe(
        fill(texts["subject"], values)
    )
    intro = fill(intro_template, values)
    greeting = fill(common["greeting"], values) if recipient.name else common["greeting_anonymous"]
    return locale, texts, common, values, subject or recipient.company, intro, greeting


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
    """The localised email for a follow-up, with one-click survey links where it is a survey.

    A survey email carries the survey's own question and scale labels (``survey``: the
    tenant's configured survey, else the built-in texts), one signed link per score, so one
    click answers, and the link to the survey page.
    """
    locale, texts, common, values, subject, intro, greeting = _wording(
        kind, data, recipient, template
    )
    if survey is not None:
        texts = {
            **texts,
            "question": survey.question,
            "low": survey.low_label,
            "high": survey.high_label,
        }
    links: dict[str, str] = {}
    scores: dict[int, str] = {}
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
    action = str(data["url"]) if metric is None and data.get("url") else None
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
        texts=texts,
        common=common,
        values=values,
        scores=scores,
        action=action,
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
        return f" ({parts.texts['low']})"
    if score == max(parts.scores):
        return f" ({parts.texts['high']})"
    return ""


def _text(parts: _Parts) -> str:
    lines = [parts.greeting, ""]
    if parts.intro:
        lines += [parts.intro, ""]
    if parts.scores:
        lines += [parts.texts["question"], parts.common["click_score"], ""]
        lines += [f"{s}{_score_label(parts, s)}: {url}" for s, url in parts.scores.items()]
        lines.append("")
    elif parts.action:
        lines += [f"{parts.texts['cta']}: {parts.action}", ""]
    lines += [
        fill(parts.common["signature"], parts.values),
        "",
        "--",
        fill(parts.common["why"], parts.values),
    ]
    if parts.unsubscribe_surveys:
        lines.append(f"{parts.common['unsubscribe_surveys']}: {parts.unsubscribe_surveys}")
    lines.append(f"{parts.common['unsubscribe_all']}: {parts.unsubscribe_all}")
    return "\n".join(lines)


def _html(parts: _Parts) -> str:
    e = html.escape
    body = [f"<p>{e(parts.greeting)}</p>"]
    if parts.intro:
        body.append(f"<p>{e(parts.intro)}</p>")
    if parts.scores:
        buttons = "".join(
            f'<a href="{e(url)}" style="display:inline-block;padding:8px 12px;margin:2px;'
            f'border:1px solid #1f6feb;border-radius:4px;text-decoration:none">{score}</a>'
            for score, url in parts.scores.items()
        )
        body.append(f"<p><strong>{e(parts.texts['question'])}</strong></p>")
        body.append(f"<p>{buttons}</p>")
        body.append(
            f'<p style="color:#555">{e(parts.texts["low"])} … {e(parts.texts["high"])}. '
            f"{e(parts.common['click_score'])}</p>"
        )
    elif parts.action:
        body.append(f'<p><a href="{e(parts.action)}">{e(parts.texts["cta"])}</a></p>')
    signature = e(fill(parts.common["signature"], parts.values)).replace("\n", "<br>")
    body.append(f"<p>{signature}</p>")
    footer = [e(fill(parts.common["why"], parts.values))]
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
