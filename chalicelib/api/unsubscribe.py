"""``/widget/v1/unsubscribe/{token}``: the public unsubscribe link of every follow-up email.

No key: the signed token is the credential and the only source of the tenant. GET shows what
the link does (a browser gets a page with one button; mail scanners fetching links change
nothing); POST records it — also as RFC 8058 one-click (``List-Unsubscribe=One-Click`` form
data, which mail clients send).
"""

from __future__ import annotations

import html
import secrets

from chalice.app import Blueprint, Response

from chalicelib.api import survey_page
from chalicelib.api.problems import status_for
from chalicelib.api.routing import Call, operation
from chalicelib.domain.errors import DomainError
from chalicelib.i18n.followups import UNSUBSCRIBE_PAGE
from chalicelib.i18n.surveys import accept_language_locales, pick_locale
from chalicelib.schemas.unsubscribe import UnsubscribeState
from chalicelib.services import unsubscribe

bp = Blueprint(__name__)
TAG = "unsubscribe links"
PATH = "/widget/v1/unsubscribe/{token}"


@operation(
    bp,
    "GET",
    PATH,
    summary="Show what an unsubscribe link does",
    tag=TAG,
    auth="none",
    response=UnsubscribeState,
)
def show_unsubscribe(call: Call, token: str) -> UnsubscribeState | Response:
    """Records nothing; ``Accept: text/html`` gets a page with the confirm button."""
    language = call.headers.get("accept-language")
    if not survey_page.wants_html(call.headers.get("accept")):
        return unsubscribe.show(token, language)
    try:
        return _page(unsubscribe.show(token, language))
    except DomainError as error:
        return _error_page(error, language)


@operation(
    bp,
    "POST",
    PATH,
    summary="Unsubscribe (one click)",
    tag=TAG,
    auth="none",
    response=UnsubscribeState,
    form=True,
)
def confirm_unsubscribe(call: Call, token: str) -> UnsubscribeState | Response:
    """Idempotent; a JSON, empty or form body (RFC 8058 one-click) all do the same."""
    language = call.headers.get("accept-language")
    if not survey_page.wants_html(call.headers.get("accept")):
        return unsubscribe.confirm(token, language)
    try:
        return _page(unsubscribe.confirm(token, language))
    except DomainError as error:
        return _error_page(error, language)


def _document(locale: str, body: str) -> str:
    title = html.escape(UNSUBSCRIBE_PAGE.get(locale, UNSUBSCRIBE_PAGE["en"])["title"])
    return (
        f'<!doctype html><html lang="{html.escape(locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex,nofollow">'
        f"<title>{title}</title><style>{survey_page._CSS}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def _response(status: int, document: str) -> Response:
    headers: dict[str, str | list[str]] = {
        **survey_page._HEADERS_BASE,
        "Content-Type": "text/html; charset=utf-8",
        # No script at all: the button is a plain form posting back to this URL.
        "Content-Security-Policy": (
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'"
        ),
    }
    return Response(body=document, status_code=status, headers=headers)


def _page(state: UnsubscribeState) -> Response:
    texts = UNSUBSCRIBE_PAGE.get(state.locale, UNSUBSCRIBE_PAGE["en"])
    body = f"<h1>{html.escape(texts['title'])}</h1><p>{html.escape(state.message)}</p>"
    if not state.unsubscribed:
        # A relative action: the form posts to this same URL (token included).
        nonce = secrets.token_hex(4)  # distinct field name: nothing reads form fields
        body += (
            '<form method="post" action="">'
            f'<input type="hidden" name="confirm{nonce}" value="1">'
            f'<button type="submit">{html.escape(texts["button"])}</button></form>'
        )
    return _response(200, _document(state.locale, body))


def _error_page(error: DomainError, language: str | None) -> Response:
    locale = pick_locale(*accept_language_locales(language))
    body = f"<p>{html.escape(unsubscribe.invalid_message(locale))}</p>"
    return _response(status_for(error), _document(locale, body))
