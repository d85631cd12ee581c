"""The survey page works without JavaScript, in the tenant's brand colour, with problems
shown by code in the customer's language (issue 16, defects 15 and 16).

A browser without JavaScript only has the HTML: its forms post
``application/x-www-form-urlencoded`` to the same URL and get the page back.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from chalicelib.i18n import surveys as texts
from tests.integration.conftest import Api, TenantKeys, body_of
from tests.integration.feedback_support import new_customer, survey_link

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
FORM = {**HTML, "Content-Type": "application/x-www-form-urlencoded"}


def _text(response: Any) -> str:
    body = response.body
    return body.decode() if isinstance(body, bytes) else str(body)


def _post_form(api: Api, path: str, **fields: str) -> Any:
    return api.request("POST", path.split("?", 1)[0], body=urlencode(fields), headers=FORM)


def _stored_answers(api: Api, tenant: TenantKeys, customer: str) -> list[tuple[Any, Any]]:
    listed = body_of(api.request("GET", "/v1/feedback", key=tenant.admin_key))["items"]
    return [(i["score"], i["comment"]) for i in listed if i["customer_id"] == customer]


def test_the_page_is_a_form_that_posts_the_score_without_javascript(
    api: Api, tenant_a: TenantKeys
) -> None:
    customer = new_customer(api, tenant_a, locale="lt")
    page, scores = survey_link(tenant_a.tenant_id, customer, kind="csat")
    shown = api.request("GET", scores[4], headers=HTML)
    assert shown.status_code == 200
    text = _text(shown)
    token = page.rsplit("/", 1)[1]
    # A real form: the action is the link without ?score=, every score a submit button.
    assert f'<form id="answer-form" method="post" action="{token}">' in text
    assert '<button type="submit" name="score" value="5"' in text
    assert 'name="comment"' in text
    assert "form-action 'self'" in shown.headers["Content-Security-Policy"]
    # The link's score is marked (and recorded only when the customer confirms it).
    assert re.search(r'value="4" data-score="4" aria-pressed="true"', text)
    assert _stored_answers(api, tenant_a, customer) == []

    posted = _post_form(api, page, score="4", comment="Greitai ir mandagiai")
    assert posted.status_code == 200, posted.body
    assert posted.headers["Content-Type"].startswith("text/html")
    answered = _text(posted)
    assert texts.page_text("recorded", "lt") in answered
    assert "Greitai ir mandagiai" in answered  # the comment stays editable
    assert _stored_answers(api, tenant_a, customer) == [(4, "Greitai ir mandagiai")]

    # The link's score is what "Send" posts when no other score is chosen.
    assert re.search(r'<button id="send" class="send" type="submit" name="score" value="4">', text)

    # Changing the score within the edit window: the same form again.
    changed = _post_form(api, page, score="5", comment="Puiku")
    assert changed.status_code == 200, changed.body
    assert _stored_answers(api, tenant_a, customer) == [(5, "Puiku")]


def test_form_problems_are_localised_by_code_not_raw_english(
    api: Api, tenant_a: TenantKeys
) -> None:
    customer = new_customer(api, tenant_a, locale="lv")
    page, _ = survey_link(tenant_a.tenant_id, customer, kind="nps")
    # "Send" before choosing a score: the first answer needs one.
    refused = _post_form(api, page, comment="Bez vērtējuma")
    assert refused.status_code in (400, 422), refused.body
    text = _text(refused)
    assert refused.headers["Content-Type"].startswith("text/html")
    assert "Lūdzu, vispirms izvēlieties vērtējumu." in text
    assert "send a score" not in text.lower()
    # A score outside the scale, typed into a hand-made form.
    wrong = _post_form(api, page, score="99")
    assert wrong.status_code in (400, 422)
    assert "Lūdzu" in _text(wrong)
    assert _stored_answers(api, tenant_a, customer) == []


def test_forged_links_show_a_localised_page(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a)
    page, _ = survey_link(tenant_a.tenant_id, customer)
    forged = page[:-3] + ("AAA" if not page.endswith("AAA") else "BBB")
    shown = api.request("GET", forged, headers={**HTML, "Accept-Language": "lt-LT,lt;q=0.9"})
    assert shown.status_code == 400
    assert "Ši apklausos nuoroda netinkama" in _text(shown)
    posted = api.request("POST", forged, body="score=3", headers={**FORM, "Accept-Language": "lv"})
    assert posted.status_code == 400
    assert "Šī aptaujas saite nav derīga" in _text(posted)


def test_unsubscribe_is_a_form_too(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a, locale="lt")
    page, _ = survey_link(tenant_a.tenant_id, customer)
    text = _text(api.request("GET", page, headers=HTML))
    token = page.rsplit("/", 1)[1]
    assert f'<form method="post" action="{token}/unsubscribe">' in text
    done = api.request("POST", page + "/unsubscribe", body="", headers=FORM)
    assert done.status_code == 200, done.body
    assert texts.page_text("unsubscribed", "lt") in _text(done)
    r = api.request("GET", f"/v1/customers/{customer}/export", key=tenant_a.admin_key)
    assert r.status_code == 200


def test_the_page_uses_the_tenants_brand_colour(api: Api, tenant_a: TenantKeys) -> None:
    r = api.request(
        "PUT", "/v1/settings/general", key=tenant_a.admin_key, json_body={"brand_color": "#FFD400"}
    )
    assert r.status_code == 200, r.body
    customer = new_customer(api, tenant_a)
    page, _ = survey_link(tenant_a.tenant_id, customer)
    text = _text(api.request("GET", page, headers=HTML))
    # A pale yellow brand gets dark text on its buttons.
    assert ":root{--brand:#ffd400;--on-brand:#1f2328}" in text
    assert "#1f6feb" not in text
    assert body_of(api.request("GET", page))["brand_color"] == "#FFD400"


def test_brand_colours_keep_text_readable() -> None:
    from chalicelib.api.survey_page import brand_colours

    assert brand_colours("#0B3D91") == ("#0b3d91", "#ffffff")
    assert brand_colours("#ffffff") == ("#ffffff", "#1f2328")
    assert brand_colours("red;}</style>") == ("#1f6feb", "#ffffff")
    assert brand_colours(None) == ("#1f6feb", "#ffffff")


def test_the_json_api_is_unchanged_for_scripts(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a)
    page, _ = survey_link(tenant_a.tenant_id, customer, kind="nps")
    r = api.request("POST", page, json_body={"score": 8})
    assert r.status_code == 200, r.body
    assert body_of(r)["status"] == "recorded"
    refused = api.request("POST", page, json_body={"score": "8"})
    assert refused.status_code == 422
