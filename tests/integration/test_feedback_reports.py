"""Reports from counters: equal to a brute-force recount of the stored responses, correct under
edits, bounded in cost, grouped by agent and product, never mixing tenants."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from chalicelib.domain.scores import (
    Metric,
    ces_report,
    counters_from_scores,
    csat_report,
    nps_report,
)
from tests.integration.conftest import Api, TenantKeys, body_of
from tests.integration.feedback_support import answer, new_customer, survey_link
from tests.support.dynamo_calls import recording
from tests.support.products import product_id
from tests.support.scan import scan_table


def stored_responses(tenant_id: str) -> list[dict[str, Any]]:
    """Every stored response of a tenant, read past the guard (the brute-force side)."""
    return [i for i in scan_table("test-feedback") if i["pk"]["S"] == f"{tenant_id}#RESPONSE"]


def brute_force(items: list[dict[str, Any]], key: str | None = None) -> dict[Any, dict[str, Any]]:
    """Figures per group (or one group ``None``) recomputed from raw responses."""
    scores: dict[Any, dict[Metric, list[int]]] = defaultdict(lambda: defaultdict(list))
    for item in items:
        group = item[key]["S"] if key and key in item and "S" in item[key] else None
        if key and group is None:
            continue
        scores[group][Metric(item["kind"]["S"])].append(int(item["score"]["N"]))
    out = {}
    for group, by_metric in scores.items():
        out[group] = {
            "csat": csat_report(counters_from_scores(Metric.CSAT, by_metric[Metric.CSAT])),
            "nps": nps_report(counters_from_scores(Metric.NPS, by_metric[Metric.NPS])),
            "ces": ces_report(counters_from_scores(Metric.CES, by_metric[Metric.CES])),
        }
    return out


def assert_figures(reported: dict[str, Any], expected: dict[str, Any]) -> None:
    csat, nps, ces = expected["csat"], expected["nps"], expected["ces"]
    assert reported["csat"]["responses"] == csat.responses
    assert reported["csat"]["satisfied_pct"] == csat.satisfied_pct
    assert reported["csat"]["average"] == csat.average
    assert reported["nps"]["responses"] == nps.responses
    assert (
        reported["nps"]["promoters"],
        reported["nps"]["passives"],
        reported["nps"]["detractors"],
    ) == (nps.promoters, nps.passives, nps.detractors)
    assert reported["nps"]["nps"] == nps.nps
    assert reported["ces"]["responses"] == ces.responses
    assert reported["ces"]["average"] == ces.average
    assert reported["ces"]["low_effort_pct"] == ces.low_effort_pct


def open_ticket(api: Api, tenant: TenantKeys, customer_id: str, agent: str, product: str) -> str:
    response = api.request(
        "POST",
        "/v1/tickets",
        key=tenant.admin_key,
        json_body={
            "subject": "Broken",
            "description": "It broke",
            "customer_id": customer_id,
            "assignee": agent,
            "product_id": product_id(api, tenant, product),
        },
    )
    assert response.status_code == 201, response.body
    return str(body_of(response)["id"])


def report(api: Api, tenant: TenantKeys, query: str = "") -> dict[str, Any]:
    response = api.request("GET", f"/v1/reports/feedback{query}", key=tenant.admin_key)
    assert response.status_code == 200, response.body
    return dict(body_of(response))


def no_closed_loop(api: Api, tenant: TenantKeys) -> None:
    # Keep this test about counters: low scores would otherwise open tickets.
    response = api.request(
        "PUT",
        "/v1/settings/feedback",
        key=tenant.admin_key,
        json_body={"closed_loop": {"enabled": False}},
    )
    assert response.status_code == 200, response.body


def test_report_equals_brute_force_recount_under_edits(api: Api, tenant_a: TenantKeys) -> None:
    no_closed_loop(api, tenant_a)
    rnd = random.Random(6)
    customer = new_customer(api, tenant_a)
    tickets = [
        open_ticket(api, tenant_a, customer, agent, product)
        for agent, product in (("ana", "P-1"), ("ben", "P-1"), ("ana", "P-2"))
    ]
    kinds = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}
    for n in range(24):
        kind = list(kinds)[n % 3]
        low, high = kinds[kind]
        subject = {"subject_kind": "ticket", "subject_id": tickets[n % 3]} if n % 4 else {}
        page, _ = survey_link(tenant_a.tenant_id, customer, kind=kind, **subject)
        assert answer(api, page, score=rnd.randint(low, high)).status_code == 200
        for _ in range(rnd.randint(0, 1)):  # changed answers within the window
            assert answer(api, page, score=rnd.randint(low, high)).status_code == 200

    items = stored_responses(tenant_a.tenant_id)
    assert len(items) == 24
    totals = report(api, tenant_a)["totals"]
    assert_figures(totals, brute_force(items)[None])

    products = {product_id(api, tenant_a, "P-1"), product_id(api, tenant_a, "P-2")}
    for group_by, attribute in (("agent", "agent"), ("product", "product_id")):
        grouped = report(api, tenant_a, f"?group_by={group_by}")
        expected = brute_force(items, attribute)
        assert (
            {g["key"] for g in grouped["groups"]}
            == set(expected)
            == ({"ana", "ben"} if group_by == "agent" else products)
        )
        for group in grouped["groups"]:
            assert_figures(group, expected[group["key"]])
        assert_figures(grouped["totals"], brute_force(items)[None])

    for granularity in ("day", "week", "month"):
        by = report(api, tenant_a, f"?granularity={granularity}")
        assert sum(b["nps"]["responses"] for b in by["buckets"]) == totals["nps"]["responses"]
        assert sum(b["csat"]["responses"] for b in by["buckets"]) == totals["csat"]["responses"]


def test_report_cost_does_not_grow_with_responses(api: Api, tenant_a: TenantKeys) -> None:
    no_closed_loop(api, tenant_a)
    customer = new_customer(api, tenant_a)

    def answer_many(n: int) -> None:
        for i in range(n):
            page, _ = survey_link(tenant_a.tenant_id, customer, kind="nps")
            assert answer(api, page, score=i % 11).status_code == 200

    costs = []
    for batch in (2, 25):
        answer_many(batch)
        for query in ("?from=2020-01-01&to=2030-12-31&granularity=month", "?group_by=agent"):
            with recording() as calls:
                report(api, tenant_a, query)
            costs.append((query, calls.count, calls.calls))
    # Same query, 2 then 27 responses: the same number of DynamoDB calls.
    assert costs[0][1] == costs[2][1]
    assert costs[1][1] == costs[3][1]
    # Auth (1 BatchGetItem) + 1 Query of the counters; + tenant for the default range, + 1
    # Query of the group rows.
    assert costs[0][1] <= 3, costs[0][2]
    assert costs[1][1] <= 4, costs[1][2]
    assert "Scan" not in {c for _, _, calls in costs for c in calls}
    assert report(api, tenant_a)["totals"]["nps"]["responses"] == 27


def test_response_rate_counts_surveys_sent(api: Api, tenant_a: TenantKeys) -> None:
    from chalicelib.services.feedback import record_survey_sent
    from chalicelib.store.base import utcnow

    customer = new_customer(api, tenant_a)
    for _ in range(4):
        record_survey_sent(tenant_a.tenant_id, "csat", utcnow())
    page, _ = survey_link(tenant_a.tenant_id, customer, kind="csat")
    assert answer(api, page, score=5).status_code == 200
    figures = report(api, tenant_a, "?kind=csat")["totals"]
    assert figures["csat"]["sent"] == 4
    assert figures["csat"]["response_rate_pct"] == 25.0
    assert figures["nps"] is None


def test_reports_never_mix_tenants(api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys) -> None:
    a_customer = new_customer(api, tenant_a)
    b_customer = new_customer(api, tenant_b)
    page_a, _ = survey_link(tenant_a.tenant_id, a_customer, kind="nps")
    page_b, _ = survey_link(tenant_b.tenant_id, b_customer, kind="nps")
    assert answer(api, page_a, score=10).status_code == 200
    assert answer(api, page_b, score=0).status_code == 200
    assert answer(api, page_b, score=1).status_code == 200
    a = report(api, tenant_a)["totals"]["nps"]
    b = report(api, tenant_b)["totals"]["nps"]
    assert (a["responses"], a["promoters"], a["nps"]) == (1, 1, 100.0)
    assert (b["responses"], b["detractors"], b["nps"]) == (1, 1, -100.0)


def test_report_query_validation(api: Api, tenant_a: TenantKeys) -> None:
    for query in (
        "?from=2024-02-02&to=2024-02-01",
        "?granularity=year",
        "?group_by=customer",
        "?from=yesterday",
        "?date_from=2024-01-01",
        "?from=2000-01-01&to=2030-01-01&granularity=day",
    ):
        response = api.request("GET", f"/v1/reports/feedback{query}", key=tenant_a.admin_key)
        assert 400 <= response.status_code < 500, (query, response.body)
