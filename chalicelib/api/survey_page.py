"""The survey page a customer sees after clicking a score in a survey email.

A small, self-contained, localised HTML page (inline CSS and one inline script under a strict
Content-Security-Policy, no external resources). The GET that serves it records nothing:
email security scanners fetch every link of a message, and a score must not be recorded by a
robot. The page's script POSTs the score from the link to the same URL, then offers the
comment field. Answering needs JavaScript (a ``<noscript>`` note says so); the JSON API under
the same URL serves clients that render their own page.
"""

from __future__ import annotations

import html
import json
import secrets

from chalice.app import Response

from chalicelib.api.problems import status_for
from chalicelib.domain.errors import DomainError
from chalicelib.i18n import surveys as texts
from chalicelib.schemas.feedback import PublicSurvey

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f6f7f9;
color:#1f2328;margin:0;padding:24px}
main{max-width:640px;margin:0 auto;background:#fff;border-radius:12px;padding:24px;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.25rem;margin:0 0 16px}.company{color:#57606a;font-size:.9rem;margin:0 0 8px}
.scale{display:flex;flex-wrap:wrap;gap:6px;margin:12px 0 4px}
.scale button{min-width:44px;min-height:44px;border:1px solid #d0d7de;border-radius:8px;
background:#fff;font-size:1rem;cursor:pointer}
.scale button[aria-pressed=true]{background:#1f6feb;color:#fff;border-color:#1f6feb}
.labels{display:flex;justify-content:space-between;color:#57606a;font-size:.8rem}
textarea{width:100%;box-sizing:border-box;min-height:96px;margin:12px 0;padding:8px;
border:1px solid #d0d7de;border-radius:8px;font:inherit}
.send{background:#1f6feb;color:#fff;border:0;border-radius:8px;padding:10px 18px;
font-size:1rem;cursor:pointer}.status{margin:12px 0;min-height:1.2em}
.muted{color:#57606a;font-size:.85rem}.link{background:none;border:0;color:#57606a;
text-decoration:underline;cursor:pointer;padding:0;font-size:.8rem;margin-top:24px}
[hidden]{display:none}
"""

_SCRIPT = """
(function(){
var cfg=JSON.parse(document.getElementById('cfg').textContent);
var url=window.location.pathname;var status=document.getElementById('status');
var form=document.getElementById('comment-form');
var buttons=document.querySelectorAll('.scale button');
var current=cfg.answered;
function mark(score){buttons.forEach(function(b){b.setAttribute('aria-pressed',
String(Number(b.dataset.score)===score));});}
function send(body,done){fetch(url,{method:'POST',headers:{'Content-Type':'application/json'},
body:JSON.stringify(body),credentials:'omit'}).then(function(r){return r.json().then(
function(j){return {ok:r.ok,body:j};});}).then(function(res){if(res.ok){done(res.body);}
else{status.textContent=(res.body&&res.body.detail)||cfg.t.error;}}).catch(function(){
status.textContent=cfg.t.error;});}
function record(score){mark(score);send({score:score},function(b){current=b.score;
status.textContent=b.message+' '+cfg.t.can_change;if(cfg.comment){form.hidden=false;}});}
buttons.forEach(function(b){b.addEventListener('click',function(){
if(cfg.editable){record(Number(b.dataset.score));}});});
if(form){form.addEventListener('submit',function(e){e.preventDefault();
var text=document.getElementById('comment').value;var body={comment:text};
if(current!==null){body.score=current;}send(body,function(){form.hidden=true;
status.textContent=cfg.t.thanks;});});}
var un=document.getElementById('unsubscribe');if(un){un.addEventListener('click',function(){
fetch(url+'/unsubscribe',{method:'POST',headers:{'Content-Type':'application/json'},
body:'{}',credentials:'omit'}).then(function(r){return r.json();}).then(function(j){
un.hidden=true;status.textContent=j.message||cfg.t.unsubscribed;});});}
if(cfg.answered!==null){mark(cfg.answered);if(cfg.editable&&cfg.comment){form.hidden=false;}}
else if(cfg.selected!==null&&cfg.editable){record(cfg.selected);}
})();
"""

_HEADERS_BASE = {
    "Cache-Control": "no-store",
    # The token is in the URL: never leak it to another site through the Referer header.
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def wants_html(accept: str | None) -> bool:
    """Whether the client prefers an HTML page to JSON (a browser following an email link)."""
    if not accept:
        return False
    accept = accept.lower()
    if "text/html" not in accept:
        return False
    html_at, json_at = accept.find("text/html"), accept.find("application/json")
    return json_at < 0 or html_at < json_at


def _page(locale: str, title: str, body: str, script: str | None, nonce: str) -> str:
    script_tag = f'<script nonce="{nonce}">{script}</script>' if script else ""
    return (
        f'<!doctype html><html lang="{html.escape(locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex,nofollow">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>"
        f"<body><main>{body}</main>{script_tag}</body></html>"
    )


def _response(status: int, document: str, nonce: str) -> Response:
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'nonce-{nonce}'; connect-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    headers: dict[str, str | list[str]] = {
        **_HEADERS_BASE,
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": csp,
    }
    return Response(body=document, status_code=status, headers=headers)


def survey_html(survey: PublicSurvey) -> Response:
    """The survey page: question, scale, (after a score) the comment field."""
    locale = survey.locale
    t = {
        name: texts.page_text(name, locale)
        for name in ("error", "can_change", "thanks", "unsubscribed")
    }
    answered = survey.answer.score if survey.answer else None
    editable = survey.answer.editable if survey.answer else True
    config = {
        "selected": survey.selected_score,
        "answered": answered,
        "editable": editable,
        "comment": survey.comment_enabled,
        "t": t,
    }
    buttons = "".join(
        f'<button type="button" data-score="{score}" aria-pressed="false"'
        f"{'' if editable else ' disabled'}>{score}</button>"
        for score in range(survey.scale.low, survey.scale.high + 1)
    )
    closed_note = (
        f'<p class="status">{html.escape(texts.page_text("answered", locale))}</p>'
        if not editable
        else ""
    )
    comment_form = ""
    if survey.comment_enabled and survey.comment_question and editable:
        existing = html.escape(survey.answer.comment or "") if survey.answer else ""
        comment_form = (
            '<form id="comment-form" hidden>'
            f'<label for="comment">{html.escape(survey.comment_question)}</label>'
            f'<textarea id="comment" maxlength="2000" placeholder="'
            f'{html.escape(texts.page_text("comment_placeholder", locale))}">{existing}</textarea>'
            f'<button class="send" type="submit">{html.escape(texts.page_text("send", locale))}'
            "</button></form>"
        )
    unsubscribe = (
        ""
        if survey.unsubscribed
        else (
            f'<button id="unsubscribe" class="link" type="button">'
            f"{html.escape(texts.page_text('unsubscribe', locale))}</button>"
        )
    )
    body = (
        f'<p class="company">{html.escape(survey.company)}</p>'
        f"<h1>{html.escape(survey.question)}</h1>"
        f'<div class="scale" role="group">{buttons}</div>'
        f'<div class="labels"><span>{html.escape(survey.scale.low_label)}</span>'
        f"<span>{html.escape(survey.scale.high_label)}</span></div>"
        f"<noscript><p>{html.escape(texts.page_text('error', locale))}</p></noscript>"
        f'{closed_note}<p id="status" class="status" role="status" aria-live="polite"></p>'
        f"{comment_form}{unsubscribe}"
        # JSON inside <script type=application/json>: '<' is escaped so no text can end it.
        '<script id="cfg" type="application/json">'
        + json.dumps(config).replace("<", "\\u003c")
        + "</script>"
    )
    nonce = secrets.token_urlsafe(16)
    document = _page(locale, texts.page_text("title", locale), body, _SCRIPT, nonce)
    return _response(200, document, nonce)


def error_html(error: DomainError, locale: str) -> Response:
    """A localised page for a link that cannot be used (forged, expired, closed)."""
    name = {
        "invalid_survey_link": "invalid",
        "survey_link_expired": "expired",
        "survey_closed": "expired",
        "survey_already_answered": "answered",
    }.get(error.code, "error")
    message = html.escape(texts.page_text(name, locale))
    nonce = secrets.token_urlsafe(16)
    document = _page(
        locale,
        texts.page_text("title", locale),
        f'<h1>{message}</h1><p class="muted">{html.escape(error.code)}</p>',
        None,
        nonce,
    )
    return _response(status_for(error), document, nonce)
