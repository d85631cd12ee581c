"""Fault injection: DynamoDB throttling, transaction conflicts and partial batch writes.

- A throttle that clears within botocore's retries is invisible to the client (retried with
  backoff, one item stored).
- For every operation of the route table, the n-th DynamoDB call of the request is failed for
  good (each n in turn, until the request makes no n-th call): the answer is a 503 problem with
  ``Retry-After`` and **no stored item changed** — a request never leaves half its writes behind.
  The same for a transaction cancelled by a conflict with another transaction.
- ``BatchWriteItem`` answering with ``UnprocessedItems`` is retried until everything is written
  (offboarding deletes every item).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

import app as app_module
from chalicelib.api.lazy_routes import load_all
from chalicelib.api.routing import OPERATIONS, Operation
from tests.integration.conftest import Api, TenantKeys, body_of, reset_caches
from tests.support import faults
from tests.support.resources import CREDENTIALS, NON_TENANT_AUTH, Maker, example_body, make
from tests.support.scan import all_items, snapshot_counts, tenant_item_counts, tenant_snapshot
from tests.support.world import onboard, path_params

load_all()
TENANT_OPS = [op for op in OPERATIONS if op.auth not in NON_TENANT_AUTH]
THROTTLE = "ProvisionedThroughputExceededException"
MAX_CALLS = 40


@pytest.fixture(scope="module")
def module_api() -> Iterator[Api]:
    """One moto account and app client for the module (each test onboards its own tenant)."""
    with mock_aws():
        reset_caches()
        from scripts.provision import provision

        provision()  # tables, buckets, bus, SES identity: what a stage has
        with Client(app_module.app, stage_name="test") as client:
            yield Api(client)
        reset_caches()


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore's retry backoff, recorded instead of slept."""
    import botocore.endpoint

    delays: list[float] = []
    monkeypatch.setattr(botocore.endpoint.time, "sleep", delays.append)
    return delays


def test_throttling_within_the_retry_budget_is_invisible(
    api: Api, tenant_a: TenantKeys, no_sleep: list[float]
) -> None:
    with faults.inject(THROTTLE, level="send", operations={"TransactWriteItems"}, times=2) as plan:
        r = api.request("POST", "/v1/customers", key=tenant_a.admin_key, json_body={"name": "A"})
    assert r.status_code == 201, r.body
    assert plan.hits == 2
    assert len(no_sleep) == 2
    assert all(d > 0 for d in no_sleep), "retries must back off"
    assert tenant_item_counts(tenant_a.tenant_id)["customers"] == 1


def test_throttling_beyond_retries_is_a_503_with_retry_after(
    api: Api, tenant_a: TenantKeys, no_sleep: list[float]
) -> None:
    before = all_items()
    with faults.inject(THROTTLE, level="send", operations={"TransactWriteItems"}) as plan:
        r = api.request("POST", "/v1/customers", key=tenant_a.admin_key, json_body={"name": "A"})
    assert plan.hits >= 2  # the first attempt and every retry
    assert r.status_code == 503
    assert r.headers["Retry-After"].isdigit()
    assert r.headers["Content-Type"] == "application/problem+json"
    assert body_of(r)["code"] == "temporarily_unavailable"
    assert all_items() == before


def test_a_transaction_conflict_is_a_503_not_a_500(api: Api, tenant_a: TenantKeys) -> None:
    """DynamoDB cancels a transaction that races another one (reason ``TransactionConflict``)."""
    before = all_items()
    with faults.inject(
        "TransactionCanceledException",
        operations={"TransactWriteItems"},
        cancellation_reasons=["TransactionConflict", "None"],
    ):
        r = api.request("POST", "/v1/customers", key=tenant_a.admin_key, json_body={"name": "A"})
    assert r.status_code == 503, r.body
    assert r.headers["Retry-After"].isdigit()
    assert all_items() == before


def _mutating(op: Operation) -> bool:
    return op.method in {"POST", "PUT", "PATCH", "DELETE"}


def _prepare(api: Api, op: Operation, maker: Any) -> tuple[str, dict[str, str]]:
    path = op.path
    for param in path_params(op):
        path = path.replace("{" + param + "}", make(maker, param, op.path))
    headers = {**CREDENTIALS[op.auth](maker)}
    if op.conditional:
        current = api.request("GET", path, headers=headers)
        version = body_of(current).get("version") if current.status_code == 200 else None
        if version:
            headers["If-Match"] = f'"{version}"'
    return path, headers


@pytest.mark.parametrize("op", TENANT_OPS, ids=lambda op: f"{op.method} {op.path}")
@pytest.mark.parametrize(
    ("code", "reasons"),
    [(THROTTLE, None), ("TransactionCanceledException", ["TransactionConflict"])],
    ids=["throttled", "transaction-conflict"],
)
def test_every_failed_call_of_every_operation_is_a_clean_503(
    module_api: Api, op: Operation, code: str, reasons: list[str] | None
) -> None:
    """Either nothing of the tenant changed (the tenancy guard keeps a request inside its
    tenant, so its snapshot is everything it could touch; rate-limit counters count attempts and
    are left out), or (find-or-create of a prerequisite, e.g. the customer of a
    ticket opened by email) only what a retry of the same request reuses: the retried request
    then ends with exactly the item counts of an undisturbed one — nothing duplicated."""
    api = module_api
    maker = _fresh(api, op)
    operations = {"TransactWriteItems"} if reasons else None
    undisturbed: tuple[int, dict[str, int]] | None = None
    failed_at: list[str] = []
    # A read has nothing to leave half-done: failing its first call shows the 503; a write is
    # failed at every call in turn.
    last = MAX_CALLS if _mutating(op) else 1
    for n in range(1, MAX_CALLS + 1):
        if n > last:
            break
        path, headers = _prepare(api, op, maker)  # also warms the key cache
        before = tenant_snapshot(maker.tenant_id)
        with faults.inject(
            code, operations=operations, nth=n, cancellation_reasons=reasons
        ) as plan:
            response = api.request(op.method, path, json_body=example_body(op), headers=headers)
        if not plan.hits:
            # The request made fewer than n such calls: it ran undisturbed.
            assert response.status_code < 500, response.body
            break
        failed = f"{op.method} {op.path} with call {n} ({plan.hit_operations[0]}) failed"
        failed_at.append(plan.hit_operations[0])
        assert response.status_code == 503, f"{failed}: {response.status_code} {response.body!r}"
        assert response.headers.get("Retry-After", "").isdigit(), failed
        assert json.loads(response.body)["code"] == "temporarily_unavailable", failed
        after = tenant_snapshot(maker.tenant_id)
        if after == before:
            continue
        retried = api.request(op.method, path, json_body=example_body(op), headers=headers)
        if undisturbed is None:
            undisturbed = _undisturbed(api, op)
        status, added = undisturbed
        # The retry ends as an undisturbed request does (a success, or the same refusal when the
        # example names nothing of the tenant's, e.g. an unknown product).
        assert retried.status_code == status, f"{failed}; the retry: {retried.body!r}"
        delta = _delta(snapshot_counts(tenant_snapshot(maker.tenant_id)), snapshot_counts(before))
        assert delta == added, (
            f"{failed}: it left a partial write that its retry did not complete cleanly "
            f"(items added per table {delta}, an undisturbed request adds {added})"
        )
        maker = _fresh(api, op)
    else:
        pytest.fail(f"{op.method} {op.path} made more than {MAX_CALLS} DynamoDB calls")
    if reasons is None and _mutating(op):
        assert failed_at, f"{op.method} {op.path} made no DynamoDB call"


def _fresh(api: Api, op: Operation) -> Maker:
    maker = onboard(api, f"Faults {op.name}", "FAULTS")
    for param in path_params(op):
        make(maker, param, op.path)
    return maker


def _delta(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {t: after[t] - before.get(t, 0) for t in after if after[t] != before.get(t, 0)}


def _undisturbed(api: Api, op: Operation) -> tuple[int, dict[str, int]]:
    """The status of the request run without faults and the items it adds per table."""
    maker = _fresh(api, op)
    path, headers = _prepare(api, op, maker)
    counts = snapshot_counts(tenant_snapshot(maker.tenant_id))
    response = api.request(op.method, path, json_body=example_body(op), headers=headers)
    assert response.status_code < 500, response.body
    return response.status_code, _delta(snapshot_counts(tenant_snapshot(maker.tenant_id)), counts)


def test_unprocessed_batch_writes_are_retried_until_done(
    api: Api, tenant_a: TenantKeys, no_sleep: list[float]
) -> None:
    """Offboarding deletes in batches; DynamoDB may leave part of each batch unprocessed."""
    from chalicelib.store.base import utcnow
    from chalicelib.store.customers import CustomerItem

    with CustomerItem.batch_write() as batch:
        for n in range(60):
            batch.save(
                CustomerItem(
                    pk=f"{tenant_a.tenant_id}#CUSTOMER",
                    sk=f"01ARZ3NDEKTSV4RRFFQ69G{n:04d}",
                    tenant_id=tenant_a.tenant_id,
                    customer_id=f"01ARZ3NDEKTSV4RRFFQ69G{n:04d}",
                    name="Bulk",
                    created_at=utcnow(),
                    updated_at=utcnow(),
                )
            )
    assert tenant_item_counts(tenant_a.tenant_id)["customers"] == 60
    with faults.unprocessed(per_call=7, rounds=4) as hold:
        r = api.request(
            "DELETE",
            f"/platform/tenants/{tenant_a.tenant_id}",
            headers={"Authorization": "Bearer test-platform-key"},
        )
    assert r.status_code == 200, r.body
    assert body_of(r)["completed"] is True
    assert len(hold.held) == 4, "the fault was not exercised"
    assert sum(tenant_item_counts(tenant_a.tenant_id).values()) == 0
