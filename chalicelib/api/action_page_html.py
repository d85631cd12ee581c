"""HTML of the customer action pages: plain forms, no JavaScript, the tenant's brand colour.

Pages share the survey page's frame (``survey_page.page``): self-contained, localised, under a
strict Content-Security-Policy with no script at all. Forms post to this site, except the
proof-of-purchase form, which posts the file straight to S3 (its origin is the only other
``form-action`` allowed); S3 then redirects the browser back to the receipt check.
"""

from __future__ import annotations

import html
from datetime import date
from urllib.parse import quote, urlsplit

from chalice.app import Response

from chalicelib.api.problems import status_for
from chalicelib.api.survey_page import html_response, page
from chalicelib.domain.errors import DomainError
from chalicelib.i18n import action_pages as texts
from chalicelib.schemas.action_pages import (
    ActionPage,
    ActionResult,
    ExtendCoverView,
    ProofView,
    VisitView,
)


def _e(value: object) -> str:
    return html.escape(str(value))


def _row(label: str, value: str) -> str:
    return f"<p><b>{_e(label)}:</b> {_e(value)}</p>"


def _date(day: date, locale: str) -> str:
    return texts.format_date(day, locale)


def _extend(view: ExtendCoverView, locale: str, action: str) -> str:
    t = texts.text
    parts = [
        _row(t("product", locale), view.product_name),
        _row(t("serial_number", locale), view.serial_number),
    ]
    if view.status == "void":
        return "".join([*parts, f'<p class="status">{_e(t("void", locale))}</p>'])
    if view.cover_ends_on is not None:
        label = (
            "cover_ends_on" if view.covered or view.status == "not_started" else "cover_ended_on"
        )
        parts.append(_row(t(label, locale), _date(view.cover_ends_on, locale)))
    if not view.plans:
        parts.append(f'<p class="status">{_e(t("no_plans", locale))}</p>')
        return "".join(parts)
    options = "".join(
        '<p><label><input type="radio" name="plan_code" required value="'
        f'{_e(plan.code)}"{" checked" if len(view.plans) == 1 else ""}> '
        + _e(
            t(
                "plan_line",
                locale,
                name=plan.name,
                months=plan.months,
                price=plan.price,
                currency=plan.currency,
            )
        )
        + '<br><span class="muted">'
        + _e(
            t(
                "plan_period",
                locale,
                start=_date(plan.starts_on, locale),
                end=_date(plan.ends_on, locale),
            )
        )
        + "</span></label></p>"
        for plan in view.plans
    )
    parts.append(
        f'<form method="post" action="{action}"><fieldset class="plans"><legend>'
        f"{_e(t('choose_plan', locale))}</legend>{options}</fieldset>"
        f'<button class="send" type="submit">{_e(t("request_extension", locale))}</button>'
        "</form>"
    )
    return "".join(parts)


def _visit(view: VisitView, locale: str, action: str) -> str:
    t = texts.text
    parts = [_row(t("product", locale), view.product_name)] if view.product_name else []
    if view.visit_number is None or view.planned_date is None:
        return "".join([*parts, f'<p class="status">{_e(t("no_visit", locale))}</p>'])
    parts += [
        _row(t("visit_number", locale), str(view.visit_number)),
        _row(t("planned_date", locale), _date(view.planned_date, locale)),
        f'<form method="post" action="{action}">'
        f'<p><label><input type="radio" name="decision" value="confirm" required checked> '
        f"{_e(t('confirm_date', locale))}</label></p>"
        f'<p><label><input type="radio" name="decision" value="propose"> '
        f"{_e(t('propose_date', locale))}</label></p>"
        f'<p><label for="proposed_date">{_e(t("preferred_date", locale))}</label><br>'
        '<input id="proposed_date" type="date" name="proposed_date"></p>'
        f'<label for="note">{_e(t("note", locale))}</label>'
        '<textarea id="note" name="note" maxlength="1000"></textarea>'
        f'<button class="send" type="submit">{_e(t("send", locale))}</button></form>',
    ]
    return "".join(parts)


def _proof(view: ProofView, locale: str) -> str:
    t = texts.text
    hidden = "".join(
        f'<input type="hidden" name="{_e(name)}" value="{_e(value)}">'
        for name, value in view.upload.fields.items()
    )
    accept = ",".join([".pdf", ".jpg", ".jpeg", ".png", *view.upload.content_types])
    mb = view.upload.max_bytes // (1024 * 1024)
    on_file = (
        f'<p class="muted">{_e(t("proof_on_file", locale))}</p>'
        if view.has_proof_of_purchase
        else ""
    )
    return (
        _row(t("product", locale), view.product_name)
        + _row(t("serial_number", locale), view.serial_number)
        + _row(t("purchase_date", locale), _date(view.purchase_date, locale))
        + on_file
        + f"<p>{_e(t('upload_intro', locale, mb=mb))}</p>"
        # S3 reads the policy fields first and the file last.
        + f'<form method="post" action="{_e(view.upload.url)}" enctype="multipart/form-data">'
        + hidden
        + f'<p><label for="file">{_e(t("receipt_file", locale))}</label><br>'
        + f'<input id="file" type="file" name="file" required accept="{_e(accept)}"></p>'
        + f'<button class="send" type="submit">{_e(t("upload", locale))}</button></form>'
    )


def _frame(locale: str, company: str, title: str, body: str) -> str:
    return f'<p class="company">{_e(company)}</p><h1>{_e(title)}</h1>{body}'


def action_html(shown: ActionPage, token: str, *, problem_code: str | None = None) -> Response:
    """The page of an action link (``problem_code``: a refused post, said in the language)."""
    locale = shown.locale
    # Relative to /widget/v1/actions/<token>: the page's own URL (also behind a stage prefix).
    action = _e(quote(token, safe=""))
    form_action = "'self'"
    if shown.extend_cover is not None:
        body = _extend(shown.extend_cover, locale, action)
    elif shown.book_visit is not None:
        body = _visit(shown.book_visit, locale, action)
    elif shown.proof_of_purchase is not None:
        body = _proof(shown.proof_of_purchase, locale)
        target = urlsplit(shown.proof_of_purchase.upload.url)
        form_action = f"'self' {target.scheme}://{target.netloc}"
    else:  # pragma: no cover - every action has a view
        body = ""
    said = (
        f'<p class="status problem" role="alert">{_e(texts.problem(problem_code, locale))}</p>'
        if problem_code
        else ""
    )
    footer = (
        f'<p class="muted">'
        f"{_e(texts.text('valid_until', locale, date=_date(shown.expires_at.date(), locale)))}</p>"
    )
    title = texts.text(f"title_{shown.action}", locale)
    document = page(
        locale,
        title,
        _frame(locale, shown.company, title, said + body + footer),
        brand=shown.brand_color,
    )
    status = 200
    return html_response(status, document, form_action=form_action)


def refused_html(shown: ActionPage, token: str, error: DomainError) -> Response:
    """The page again, saying in the customer's language why the post was refused."""
    response = action_html(shown, token, problem_code=error.code)
    response.status_code = status_for(error)
    return response


def result_html(result: ActionResult, shown: ActionPage) -> Response:
    """The confirmation after a request or an upload."""
    locale = shown.locale
    title = texts.text(f"title_{shown.action}", locale)
    body = f'<p class="status" role="status">{_e(result.message)}</p>'
    document = page(
        locale, title, _frame(locale, shown.company, title, body), brand=shown.brand_color
    )
    return html_response(200, document)


def error_html(error: DomainError, locale: str) -> Response:
    """A localised page for a link that cannot be used (forged, expired, not this customer's)."""
    message = texts.problem(error.code, locale)
    document = page(
        locale,
        texts.text("title_error", locale),
        f'<h1>{_e(message)}</h1><p class="muted">{_e(error.code)}</p>',
    )
    return html_response(status_for(error), document)
