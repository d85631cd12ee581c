"""``/widget/v1/actions/{token}``: the pages behind the links of reminder emails.

No API or widget key: the signed token (``services/action_links.py``) is the credential and
the only source of the tenant. GET shows the page (JSON for the widget, HTML for a browser)
and records nothing; POST sends the customer's choice (JSON, or the page's HTML form, which
gets a page back); ``/receipt`` is where S3 redirects the browser after the proof-of-purchase
upload.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api import action_page_html as pages
from chalicelib.api.routing import Call, operation
from chalicelib.api.survey_page import is_form_post, wants_html
from chalicelib.domain.errors import DomainError
from chalicelib.schemas.action_pages import (
    ActionPage,
    ActionPageQuery,
    ActionRequest,
    ActionResult,
    ReceiptQuery,
)
from chalicelib.services import customer_actions

bp = Blueprint(__name__)
TAG = "action links"


def _page_or_error(token: str, lang: str | None, language: str | None) -> ActionPage | Response:
    try:
        return customer_actions.show(token, lang, language)
    except DomainError as error:
        return pages.error_html(error, customer_actions.error_locale(token, lang, language))


@operation(
    bp,
    "GET",
    "/widget/v1/actions/{token}",
    summary="Show an action page (extend the cover, book the visit, send the proof of purchase)",
    tag=TAG,
    auth="none",
    query=ActionPageQuery,
    response=ActionPage,
)
def show_action(call: Call, token: str) -> ActionPage | Response:
    """``Accept: text/html`` gets the page as HTML (plain forms, no JavaScript)."""
    language = call.headers.get("accept-language")
    if not wants_html(call.headers.get("accept")):
        return customer_actions.show(token, call.query.lang, language)
    shown = _page_or_error(token, call.query.lang, language)
    return shown if isinstance(shown, Response) else pages.action_html(shown, token)


def _refused_form(error: DomainError, headers: dict[str, str], token: str) -> Response:
    """A refused form post: the page again, saying why in the customer's language."""
    language = headers.get("accept-language")
    shown = _page_or_error(token, None, language)
    if isinstance(shown, Response):
        return shown
    return pages.refused_html(shown, token, error)


@operation(
    bp,
    "POST",
    "/widget/v1/actions/{token}",
    summary="Send the customer's choice (a plan to extend the cover, or a visit date)",
    tag=TAG,
    auth="none",
    body=ActionRequest,
    response=ActionResult,
    form=True,
    form_problem=_refused_form,
)
def submit_action(call: Call, token: str) -> ActionResult | Response:
    """Opens a request ticket for the tenant; a form post gets the confirmation page."""
    language = call.headers.get("accept-language")
    result = customer_actions.submit(token, call.body, language)
    if not is_form_post(call.headers):
        return result
    return pages.result_html(result, customer_actions.show(token, None, language))


@operation(
    bp,
    "GET",
    "/widget/v1/actions/{token}/receipt",
    summary="Attach the uploaded proof of purchase (where S3 redirects after the upload)",
    tag=TAG,
    auth="none",
    query=ReceiptQuery,
    response=ActionResult,
)
def receive_receipt(call: Call, token: str) -> ActionResult | Response:
    """Checks the uploaded file (type, size, folder) and attaches it to the registration."""
    language = call.headers.get("accept-language")
    if not wants_html(call.headers.get("accept")):
        return customer_actions.receive_receipt(token, call.query, language)
    try:
        result = customer_actions.receive_receipt(token, call.query, language)
    except DomainError as error:
        shown = _page_or_error(token, call.query.lang, language)
        if isinstance(shown, Response):
            return shown
        return pages.refused_html(shown, token, error)
    shown = _page_or_error(token, call.query.lang, language)
    if isinstance(shown, Response):
        return shown
    return pages.result_html(result, shown)
