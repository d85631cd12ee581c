"""The survey page a customer sees after clicking a score in a survey email.

A small, self-contained, localised HTML page in the tenant's brand colour (inline CSS and one
inline script under a strict Content-Security-Policy, no external resources). The GET that
serves it records nothing: email security scanners fetch every link of a message, and a score
must not be recorded by a robot.

It works without JavaScript: the scale is a plain HTML form whose buttons post the score (and
the comment typed so far) to the same URL, which answers with this page again, showing the
recorded answer or a problem in the customer's language (by problem ``code``, never the English
``detail``). With JavaScript the page does the same by ``fetch`` and records the score of the
clicked email link at once (one click). The JSON API under the same URL serves clients that
render their own page.
"""

from __future__ import annotations

import html
import json
import re
import secrets
from urllib.parse import quote

from chalice.app import Response

from chalicelib.api.problems import status_for
from chalicelib.domain.errors import DomainError
from chalicelib.i18n import surveys as texts
from chalicelib.schemas.feedback import PublicSurvey

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f6f7f9;
color:#1f2328;margin:0;padding:24px}
main{max-width:640px;margin:0 auto;background:#fff;border-radius:12px;padding:24px;
box-shadow:0 1px 3px rgba(0,0,0,.12);border-top:6px solid var(--brand)}
h1{font-size:1.25rem;margin:0 0 16px}.company{color:#57606a;font-size:.9rem;margin:0 0 8px}
.scale{display:flex;flex-wrap:wrap;gap:6px;margin:12px 0 4px;border:0;padding:0}
.scale legend{font-size:.9rem;color:#57606a;margin-bottom:6px;padding:0}
.scale button{min-width:44px;min-height:44px;border:1px solid #d0d7de;border-radius:8px;
background:#fff;color:#1f2328;font-size:1rem;cursor:pointer}
.scale button[aria-pressed=true]{background:var(--brand);color:var(--on-brand);
border-color:var(--brand)}
.scale button:focus-visible,.send:focus-visible{outline:3px solid var(--brand);outline-offset:2px}
.labels{display:flex;justify-content:space-between;color:#57606a;font-size:.8rem}
textarea{width:100%;box-sizing:border-box;min-height:96px;margin:12px 0;padding:8px;
border:1px solid #d0d7de;border-radius:8px;font:inherit}
.send{background:var(--brand);color:var(--on-brand);border:0;border-radius:8px;padding:10px 18px;
font-size:1rem;cursor:pointer}.status{margin:12px 0;min-height:1.2em}
.problem{color:#b42318}.muted{color:#57606a;font-size:.85rem}
.link{background:none;border:0;color:#57606a;text-decoration:underline;cursor:pointer;
padding:0;font-size:.8rem;margin-top:24px}
[hidden]{display:none}
"""

# Progressive enhancement of the forms below: the same posts by fetch, without reloading, and
# the score of the clicked email link recorded at once.
_SCRIPT = """
(function(){
var cfg=JSON.parse(document.getElementById('cfg').textContent);
var url=window.location.pathname;var status=document.getElementById('status');
var box=document.getElementById('comment-form');var sendButton=document.getElementById('send');
var buttons=document.querySelectorAll('.scale button');
var current=cfg.answered;
function mark(score){buttons.forEach(function(b){b.setAttribute('aria-pressed',
String(Number(b.value)===score));});}
function problem(body){return (body&&body.code&&cfg.problems[body.code])||cfg.t.error;}
function post(path,body,done){fetch(path,{method:'POST',headers:{'Content-Type':'application/json',
'Accept':'application/json'},body:JSON.stringify(body),credentials:'omit'}).then(function(r){
return r.json().then(function(j){return {ok:r.ok,body:j};});}).then(function(res){
status.classList.toggle('problem',!res.ok);if(res.ok){done(res.body);}
else{status.textContent=problem(res.body);}}).catch(function(){
status.classList.add('problem');status.textContent=cfg.t.error;});}
function record(score){mark(score);post(url,{score:score},function(b){current=b.score;
status.textContent=b.message+' '+cfg.t.can_change;if(box){box.hidden=false;}});}
buttons.forEach(function(b){b.addEventListener('click',function(e){e.preventDefault();
if(cfg.editable){record(Number(b.value));}});});
if(sendButton){sendButton.addEventListener('click',function(e){e.preventDefault();
var body={comment:document.getElementById('comment').value};
if(current!==null){body.score=current;}post(url,body,function(){box.hidden=true;
status.textContent=cfg.t.thanks;});});}
var un=document.getElementById('unsubscribe');if(un){un.addEventListener('click',function(e){
e.preventDefault();post(url+'/unsubscribe',{},function(j){un.hidden=true;
status.textContent=j.message||cfg.t.unsubscribed;});});}
if(cfg.answered!==null){mark(cfg.answered);}
else{if(box){box.hidden=true;}if(cfg.selected!==null&&cfg.editable){record(cfg.selected);}}
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
DEFAULT_BRAND = "#1f6feb"
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def wants_html(accept: str | None) -> bool:
    """Whether the client prefers an HTML page to JSON (a browser following an email link)."""
    if not accept:
        return False
    accept = accept.lower()
    if "text/html" not in accept:
        return False
    html_at, json_at = accept.find("text/html"), accept.find("application/json")
    return json_at < 0 or html_at < json_at


def is_form_post(headers: dict[str, str]) -> bool:
    """Whether the request is an HTML form post (the page without JavaScript)."""
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return content_type == "application/x-www-form-urlencoded"


def brand_colours(colour: str | None) -> tuple[str, str]:
    """The brand colour (``#rrggbb``, else the default) and a readable text colour on it.

    The text is white or near-black, whichever contrasts more (WCAG relative luminance), so a
    pale brand colour still gives legible buttons.
    """
    brand = colour if colour and _HEX_COLOUR.match(colour) else DEFAULT_BRAND

    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(brand[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    # Contrast with white: 1.05 / (L + 0.05); with #1f2328 (L ~ 0.016): (L + 0.05) / 0.066.
    on_brand = "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.066 else "#1f2328"
    return brand.lower(), on_brand


def page(
    locale: str,
    title: str,
    body: str,
    *,
    brand: str | None = None,
    script: str | None = None,
    nonce: str | None = None,
) -> str:
    """A complete customer page: localised, branded, self-contained (survey and action pages)."""
    colour, on_colour = brand_colours(brand)
    script_tag = f'<script nonce="{nonce}">{script}</script>' if script and nonce else ""
    return (
        f'<!doctype html><html lang="{html.escape(locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex,nofollow">'
        f"<title>{html.escape(title)}</title>"
        f"<style>:root{{--brand:{colour};--on-brand:{on_colour}}}{_CSS}</style></head>"
        f"<body><main>{body}</main>{script_tag}</body></html>"
    )


def html_response(
    status: int, document: str, nonce: str | None = None, form_action: str = "'self'"
) -> Response:
    """An HTML page under the strict CSP: no external resources, forms post to this site only."""
    script_src = f"'nonce-{nonce}'" if nonce else "'none'"
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src {script_src}; connect-src 'self'; form-action {form_action}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    headers: dict[str, str | list[str]] = {
        **_HEADERS_BASE,
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": csp,
    }
    return Response(body=document, status_code=status, headers=headers)


def survey_html(
    survey: PublicSurvey,
    token: str,
    *,
    notice: str | None = None,
    problem_code: str | None = None,
    status: int = 200,
) -> Response:
    """The survey page: question, scale and comment field as a form that posts without JS.

    ``notice`` (an answer recorded) or ``problem_code`` (a refused post, shown localised) is
    what the page says after a form post.
    """
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
        "problems": {code: texts.problem_text(code, locale) for code in texts.PROBLEMS},
    }
    # Relative to /widget/v1/feedback/<token>: the same URL without the ?score= query (also
    # behind a stage prefix such as /api).
    action = html.escape(quote(token, safe=""))
    marked = answered if answered is not None else survey.selected_score
    buttons = "".join(
        f'<button type="submit" name="score" value="{score}" data-score="{score}" '
        f'aria-pressed="{"true" if score == marked else "false"}"'
        f"{'' if editable else ' disabled'}>{score}</button>"
        for score in range(survey.scale.low, survey.scale.high + 1)
    )
    closed_note = (
        f'<p class="status">{html.escape(texts.page_text("answered", locale))}</p>'
        if not editable
        else ""
    )
    selected_note = (
        f'<noscript><p class="muted">{html.escape(texts.form_text("selected", locale))}</p>'
        "</noscript>"
        if survey.selected_score is not None and answered is None and editable
        else ""
    )
    comment_form = ""
    if survey.comment_enabled and survey.comment_question and editable:
        existing = html.escape(survey.answer.comment or "") if survey.answer else ""
        # Without JS "Send" posts the comment with the score already given, else the one of
        # the clicked email link (shown marked), else none (then the page asks for one).
        send_value = answered if answered is not None else survey.selected_score
        send_score = f' name="score" value="{send_value}"' if send_value is not None else ""
        comment_form = (
            '<div id="comment-form">'
            f'<label for="comment">{html.escape(survey.comment_question)}</label>'
            f'<textarea id="comment" name="comment" maxlength="2000" placeholder="'
            f'{html.escape(texts.page_text("comment_placeholder", locale))}">{existing}</textarea>'
            f'<button id="send" class="send" type="submit"{send_score}>'
            f"{html.escape(texts.page_text('send', locale))}</button></div>"
        )
    unsubscribe = (
        ""
        if survey.unsubscribed
        else (
            f'<form method="post" action="{action}/unsubscribe">'
            f'<button id="unsubscribe" class="link" type="submit">'
            f"{html.escape(texts.page_text('unsubscribe', locale))}</button></form>"
        )
    )
    if problem_code is not None:
        said = html.escape(texts.problem_text(problem_code, locale))
        status_line = f'<p id="status" class="status problem" role="alert">{said}</p>'
    else:
        said = html.escape(notice or "")
        status_line = f'<p id="status" class="status" role="status" aria-live="polite">{said}</p>'
    body = (
        f'<p class="company">{html.escape(survey.company)}</p>'
        f"<h1>{html.escape(survey.question)}</h1>"
        f'<form id="answer-form" method="post" action="{action}">'
        f'<fieldset class="scale"><legend>{html.escape(texts.form_text("choose", locale))}'
        f"</legend>{buttons}</fieldset>"
        f'<div class="labels"><span>{html.escape(survey.scale.low_label)}</span>'
        f"<span>{html.escape(survey.scale.high_label)}</span></div>"
        f"{selected_note}{closed_note}{status_line}{comment_form}</form>{unsubscribe}"
        # JSON inside <script type=application/json>: '<' is escaped so no text can end it.
        '<script id="cfg" type="application/json">'
        + json.dumps(config).replace("<", "\\u003c")
        + "</script>"
    )
    nonce = secrets.token_urlsafe(16)
    document = page(
        locale,
        texts.page_text("title", locale),
        body,
        brand=survey.brand_color,
        script=_SCRIPT,
        nonce=nonce,
    )
    return html_response(status, document, nonce)


def message_html(locale: str, message: str, brand: str | None = None) -> Response:
    """A page that only says ``message`` (unsubscribed through the form, without JS)."""
    document = page(
        locale,
        texts.page_text("title", locale),
        f"<h1>{html.escape(message)}</h1>",
        brand=brand,
    )
    return html_response(200, document)


def error_html(error: DomainError, locale: str) -> Response:
    """A localised page for a link that cannot be used (forged, expired, closed)."""
    message = html.escape(texts.problem_text(error.code, locale))
    document = page(
        locale,
        texts.page_text("title", locale),
        f'<h1>{message}</h1><p class="muted">{html.escape(error.code)}</p>',
    )
    return html_response(status_for(error), document)
