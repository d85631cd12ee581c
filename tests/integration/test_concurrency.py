"""Concurrency: many writers at once, every write either applied or refused, none lost.

Threads call the app in-process (as the local server does: ``current_request`` per thread) and
moto stands in for DynamoDB. DynamoDB executes each request atomically; moto, in-process, does
not promise that across threads, so ``atomic_dynamodb`` serialises moto's request handling —
each API call atomic, exactly the guarantee the code relies on, and no more (reads and writes of
different requests still interleave freely).

Covered automatically: every *conditional* operation (``If-Match``/``version``) of the route
table, with the resources made by ``tests/support/resources.py``. Writers read the version, write
with it, and on 409 read again and retry; at the end the version went up by exactly the number
of 2xx answers, and every version number was handed out exactly once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from chalicelib.api.lazy_routes import load_all
from chalicelib.api.routing import OPERATIONS, Operation
from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.resources import CONCURRENT_CHANGES, Maker, example_body, make
from tests.support.scan import all_items, scan_table
from tests.support.world import path_params

load_all()
# Powertools Metrics is one object per process (a Lambda serves one request at a time): threads
# flushing it concurrently make it warn about empty flushes. Irrelevant to what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics:UserWarning")
WRITERS = 4
WRITES_EACH = 3
CONDITIONAL_OPS = [op for op in OPERATIONS if op.conditional and op.auth == "secret"]
_READABLE = {(op.method, op.path) for op in OPERATIONS}


def _is_action(op: Operation) -> bool:
    """A state transition on a resource (``POST .../void``): not repeatable, and its version is
    the version of the resource it acts on (the parent path)."""
    return ("GET", op.path) not in _READABLE and op.path.rsplit("/", 1)[1][:1] != "{"


@pytest.fixture
def threaded_api(api: Api) -> Iterator[Api]:
    """The app made safe to call from threads, and moto made atomic per request."""
    from chalice.local import CustomLocalChalice, LocalChalice
    from moto.dynamodb.responses import DynamoHandler

    import app as app_module

    app = app_module.app
    original_class = app.__class__
    CustomLocalChalice.__bases__ = (LocalChalice, original_class)
    app.__class__ = CustomLocalChalice
    lock = threading.Lock()
    original_call = DynamoHandler.call_action

    def atomic_call(self: Any) -> Any:
        with lock:
            return original_call(self)

    DynamoHandler.call_action = atomic_call  # type: ignore[method-assign]
    try:
        yield api
    finally:
        DynamoHandler.call_action = original_call  # type: ignore[method-assign]
        app.__class__ = original_class


def _maker(api: Api, tenant: TenantKeys) -> Maker:
    return Maker(
        api=api,
        tenant_id=tenant.tenant_id,
        admin_key=tenant.admin_key,
        widget_key=tenant.widget_key,
        marker="CONC",
    )


def _path(op: Operation, maker: Maker) -> str:
    path = op.path
    for param in path_params(op):
        path = path.replace("{" + param + "}", make(maker, param, op.path))
    return path


def _version(api: Api, path: str, key: str) -> int:
    response = api.request("GET", path, key=key)
    assert response.status_code == 200, f"GET {path} (to read the version): {response.body!r}"
    return int(body_of(response)["version"])


def _changes(op: Operation) -> Callable[[int, int], dict[str, Any]]:
    if op.name in CONCURRENT_CHANGES:
        return CONCURRENT_CHANGES[op.name]
    base = example_body(op) or {}
    return lambda writer, n: dict(base)


@pytest.mark.parametrize(
    "op",
    [op for op in CONDITIONAL_OPS if not _is_action(op)],
    ids=lambda op: f"{op.method} {op.path}",
)
def test_concurrent_versioned_writes_are_applied_or_refused_never_lost(
    threaded_api: Api, tenant_a: TenantKeys, op: Operation
) -> None:
    api, key = threaded_api, tenant_a.admin_key
    path = _path(op, _maker(api, tenant_a))
    start = _version(api, path, key)
    changes = _changes(op)
    statuses: list[int] = []
    granted: list[int] = []
    guard = threading.Lock()

    def writer(number: int) -> None:
        done = 0
        while done < WRITES_EACH:
            version = _version(api, path, key)
            headers = {"If-Match": f'"{version}"'} if version else {}
            response = api.request(
                op.method, path, key=key, json_body=changes(number, done), headers=headers
            )
            with guard:
                statuses.append(response.status_code)
            if response.status_code == 409:
                assert body_of(response)["code"] == "version_conflict", response.body
                continue
            if response.status_code == 428 and not version:
                # Read "never written" and sent no version, but another writer created it
                # meanwhile: now the version is required. Read again and retry.
                continue
            assert response.status_code == 200, response.body
            with guard:
                granted.append(int(body_of(response)["version"]))
            done += 1

    with ThreadPoolExecutor(WRITERS) as pool:
        for future in [pool.submit(writer, n) for n in range(WRITERS)]:
            future.result()

    total = WRITERS * WRITES_EACH
    end = _version(api, path, key)
    assert set(statuses) <= {200, 409, 428}
    assert end == start + total, (
        f"{op.name}: version went {start}→{end} for {total} successful writes; if the example "
        f"body changes nothing, add CONCURRENT_CHANGES['{op.name}'] in tests/support/resources.py"
    )
    assert sorted(granted) == list(range(start + 1, end + 1)), "a version was granted twice"


@pytest.mark.parametrize(
    "op",
    [op for op in CONDITIONAL_OPS if _is_action(op)],
    ids=lambda op: f"{op.method} {op.path}",
)
def test_racing_actions_on_one_version_apply_exactly_once(
    threaded_api: Api, tenant_a: TenantKeys, op: Operation
) -> None:
    """Writers that all read the same version race one transition: one wins, the rest get 409
    (a stale version, or a state the transition no longer applies to) and the resource moved
    exactly one version on."""
    api, key = threaded_api, tenant_a.admin_key
    path = _path(op, _maker(api, tenant_a))
    resource = path.rsplit("/", 1)[0]
    start = _version(api, resource, key)
    body = example_body(op) or {}

    def attempt(_: int) -> tuple[int, dict[str, Any]]:
        response = api.request(
            op.method, path, key=key, json_body=dict(body), headers={"If-Match": f'"{start}"'}
        )
        return response.status_code, body_of(response)

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(attempt, range(WRITERS)))
    won = [b for status, b in results if status in (200, 201)]
    # Losers get 409: a stale version, or the transition no longer applies (already void).
    assert len(won) == 1, results
    assert all(status == 409 for status, b in results if b not in won), results
    assert _version(api, resource, key) == start + 1


def _create_customer_once(
    api: Api, tenant: TenantKeys, body: dict[str, Any], idempotency_key: str
) -> tuple[int, dict[str, Any]]:
    """POST the customer with ``idempotency_key``, retrying while the first request with that
    key is still running (409 ``idempotency_in_progress``, ``Retry-After: 1``), as a client
    would; the final status and body."""
    while True:
        r = api.request(
            "POST",
            "/v1/customers",
            key=tenant.admin_key,
            json_body=body,
            headers={"Idempotency-Key": idempotency_key},
        )
        if r.status_code == 409 and body_of(r)["code"] == "idempotency_in_progress":
            assert r.headers["Retry-After"] == "1"
            continue
        return r.status_code, body_of(r)


def test_concurrent_creates_with_one_idempotency_key_make_one_item(
    threaded_api: Api, tenant_a: TenantKeys
) -> None:
    body = {"name": "Ona", "email": "ona@concurrent.lt"}

    def create(_: int) -> tuple[int, dict[str, Any]]:
        return _create_customer_once(threaded_api, tenant_a, body, "same-key")

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(create, range(WRITERS * 2)))
    assert {status for status, _ in results} == {201}, results
    assert len({created["id"] for _, created in results}) == 1
    stored = [
        i
        for i in scan_table(_customers_table())
        if i["pk"]["S"] == f"{tenant_a.tenant_id}#CUSTOMER"
    ]
    assert len(stored) == 1


def test_the_first_concurrent_idempotent_creates_of_a_container_make_one_item(
    threaded_api: Api, tenant_a: TenantKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Powertools marks its persistence layer configured before it sets the key and validation
    # expressions. Widen that window (as a busy machine does): a thread slipping through it
    # saved a record without the payload hash, and its twin got a 422 for the same body.
    import time

    from aws_lambda_powertools.utilities.idempotency.persistence.base import (
        BasePersistenceLayer,
    )

    from chalicelib.store.idempotency import persistence_layer

    real_configure = BasePersistenceLayer.configure

    def slow_configure(self: Any, config: Any, *args: Any, **kwargs: Any) -> None:
        if not self.configured:
            self.configured = True
            time.sleep(0.2)
            self.configured = False
        real_configure(self, config, *args, **kwargs)

    monkeypatch.setattr(BasePersistenceLayer, "configure", slow_configure)
    persistence_layer.cache_clear()  # a fresh container
    body = {"name": "Ona", "email": "ona@first.lt"}
    start = threading.Barrier(WRITERS)

    def create(_: int) -> tuple[int, dict[str, Any]]:
        start.wait()
        return _create_customer_once(threaded_api, tenant_a, body, "first-key")

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(create, range(WRITERS)))
    assert {status for status, _ in results} == {201}, results
    assert len({created["id"] for _, created in results}) == 1


def test_concurrent_creates_of_one_email_make_one_customer(
    threaded_api: Api, tenant_a: TenantKeys
) -> None:
    api = threaded_api

    def create(n: int) -> Any:
        return api.request(
            "POST",
            "/v1/customers",
            key=tenant_a.admin_key,
            json_body={"name": f"Writer {n}", "email": "same@concurrent.lt"},
        )

    with ThreadPoolExecutor(WRITERS) as pool:
        responses = list(pool.map(create, range(WRITERS * 2)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (len(responses) - 1)
    assert {json.loads(r.body)["code"] for r in responses if r.status_code == 409} == {
        "email_taken"
    }
    items = all_items()[_customers_table()]
    guards = [i for i in items if i["pk"]["S"].endswith("#CUSTOMER_EMAIL")]
    assert len(guards) == 1


def _customers_table() -> str:
    from chalicelib.store.customers import CustomersTable

    return CustomersTable.Meta.table_name
