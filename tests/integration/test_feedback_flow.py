"""Survey links end to end: show, one-click answer, edit window, reuse, forgery, expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.integration.feedback_support import answer, new_customer, survey_link
from tests.support.scan import scan_table


def feedback_items() -> list[dict[str, Any]]:
    return scan_table("test-feedback")


def responses() -> list[dict[str, Any]]:
    return [i for i in feedback_items() if i["pk"]["S"].endswith("#RESPONSE")]


def test_email_link_records_a_response(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a, locale="lv")
    page, scores = survey_link(tenant_a.tenant_id, customer, kind="nps")

    shown = api.request("GET", scores[9])
    assert shown.status_code == 200, shown.body
    survey = body_of(shown)
    assert survey["kind"] == "nps"
    assert survey["locale"] == "lv"
    assert "ieteiktu" in survey["question"]
    assert survey["selected_score"] == 9
    assert survey["scale"] == {
        "low": 0,
        "high": 10,
        "low_label": "Nemaz nav ticams",
        "high_label": "Ļoti ticams",
    }
    assert survey["answer"] is None
    assert responses() == []  # a GET records nothing

    recorded = answer(api, page, score=9)
    assert recorded.status_code == 200, recorded.body
    assert body_of(recorded)["status"] == "recorded"
    stored = responses()
    assert len(stored) == 1
    assert stored[0]["score"]["N"] == "9"
    assert stored[0]["tenant_id"]["S"] == tenant_a.tenant_id

    listed = body_of(api.request("GET", "/v1/feedback", key=tenant_a.admin_key))
    assert [(i["score"], i["customer_id"], i["kind"]) for i in listed["items"]] == [
        (9, customer, "nps")
    ]


def test_html_page_for_browsers_records_nothing_by_itself(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a)
    _, scores = survey_link(tenant_a.tenant_id, customer, kind="csat")
    page = api.request(
        "GET", scores[2], headers={"Accept": "text/html,application/xhtml+xml;q=0.9"}
    )
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Referrer-Policy" in page.headers
    assert "script-src 'nonce-" in page.headers["Content-Security-Policy"]
    text = page.body.decode() if isinstance(page.body, bytes) else page.body
    assert "Kaip vertinate mūsų suteiktą pagalbą?" in text  # tenant A's default locale is lt
    assert '"selected": 2' in text
    assert responses() == []


def test_second_answer_within_window_updates_instead_of_counting_twice(
    api: Api, tenant_a: TenantKeys
) -> None:
    customer = new_customer(api, tenant_a)
    page, _ = survey_link(tenant_a.tenant_id, customer, kind="csat")
    assert answer(api, page, score=2).status_code == 200
    second = answer(api, page, score=4, comment="Actually fine")
    assert second.status_code == 200, second.body
    assert body_of(second)["status"] == "updated"
    stored = responses()
    assert len(stored) == 1
    assert stored[0]["score"]["N"] == "4"
    assert stored[0]["comment"]["S"] == "Actually fine"
    report = body_of(api.request("GET", "/v1/reports/feedback?kind=csat", key=tenant_a.admin_key))
    assert report["totals"]["csat"]["responses"] == 1
    assert report["totals"]["csat"]["average"] == 4.0
    assert report["totals"]["csat"]["satisfied"] == 1


def test_answer_after_the_window_is_refused(
    api: Api, tenant_a: TenantKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.services import feedback

    customer = new_customer(api, tenant_a)
    page, _ = survey_link(tenant_a.tenant_id, customer, kind="nps")
    assert answer(api, page, score=3).status_code == 200
    real_now = feedback.utcnow
    monkeypatch.setattr(feedback, "utcnow", lambda: real_now() + timedelta(minutes=31))
    late = answer(api, page, score=10)
    assert late.status_code == 409
    assert body_of(late)["code"] == "survey_already_answered"
    assert responses()[0]["score"]["N"] == "3"


def test_forged_and_expired_links(api: Api, tenant_a: TenantKeys) -> None:
    customer = new_customer(api, tenant_a)
    page, _ = survey_link(tenant_a.tenant_id, customer)
    token = page.rsplit("/", 1)[1]
    forged = page[: -len(token)] + token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for method in ("GET", "POST"):
        response = api.request(method, forged, json_body={"score": 5} if method == "POST" else None)
        assert response.status_code == 400, response.body
        assert body_of(response)["code"] == "invalid_survey_link"
    expired, _ = survey_link(tenant_a.tenant_id, customer, valid_for=timedelta(seconds=-1))
    response = answer(api, expired, score=5)
    assert response.status_code == 410
    assert body_of(response)["code"] == "survey_link_expired"
    assert responses() == []


@pytest.mark.parametrize(
    "body",
    [
        {"score": 11},
        {"score": -1},
        {"score": "3"},
        {"score": 3.5},
        {"score": True},
        {},
        {"comment": "only a comment on a first answer"},
        {"score": 5, "extra": 1},
        {"score": 5, "comment": "x" * 2001},
    ],
)
def test_bad_answers_store_nothing(api: Api, tenant_a: TenantKeys, body: dict[str, Any]) -> None:
    customer = new_customer(api, tenant_a)
    page, _ = survey_link(tenant_a.tenant_id, customer, kind="csat")
    response = answer(api, page, **body)
    assert 400 <= response.status_code < 500, response.body
    assert feedback_items() == []


def test_public_endpoint_costs(api: Api, tenant_a: TenantKeys) -> None:
    from tests.support.dynamo_calls import recording

    customer = new_customer(api, tenant_a)
    page, scores = survey_link(tenant_a.tenant_id, customer, kind="csat")
    with recording() as shown:
        assert api.request("GET", scores[5]).status_code == 200
    assert shown.calls == ["BatchGetItem"]
    with recording() as first:
        assert answer(api, page, score=5).status_code == 200
    # State (1 batch read) + the response and its 3 counters in one transaction; no ticket
    # subject, so no attribution read; 5 is no closed-loop score.
    assert first.calls == ["BatchGetItem", "TransactWriteItems"]
    with recording() as edit:
        assert answer(api, page, score=4).status_code == 200
    assert edit.calls == ["BatchGetItem", "TransactWriteItems"]
    with recording() as same:
        assert answer(api, page, score=4).status_code == 200
    assert same.calls == ["BatchGetItem"]  # nothing changed, nothing written


def test_events_are_emitted(
    api: Api, tenant_a: TenantKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.services import reactions

    seen: list[Any] = []
    monkeypatch.setattr(reactions, "publish", seen.extend)
    customer = new_customer(api, tenant_a)
    page, _ = survey_link(tenant_a.tenant_id, customer, kind="ces")
    answer(api, page, score=2)
    answer(api, page, score=3, comment="ok")
    feedback_events = [e for e in seen if e.name.startswith("feedback.")]
    assert [(e.name, e.data["score"], e.data["previous_score"]) for e in feedback_events] == [
        ("feedback.received", 2, None),
        ("feedback.updated", 3, 2),
    ]
    assert all(e.tenant_id == tenant_a.tenant_id for e in feedback_events)
