"""The tenant-isolation matrix, generated from the route table (``routing.OPERATIONS``).

For every operation a tenant credential can call:

- with a path parameter: tenant B's credential on tenant A's ids (and, for nested routes, on
  B's parent with A's child) → 404 problem, and no stored item changes at all;
- every read (list, report, single item) of B shows none of A's data — no A id, tenant id or
  marker text — including when a query filter names one of A's ids;
- every body field that names a resource by id (``customer_id``...) refuses A's id with a 4xx
  and stores nothing;
- every platform operation refuses a tenant's key, every tenant operation the platform key.

New routes are covered without editing this file: a path parameter needs a factory in
``tests/support/resources.py`` (the test fails and says so until it has one). The tenancy guard
is on throughout, so a repository call that even *names* A's keys while serving B fails as a 500.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

import app as app_module
from chalicelib.api.lazy_routes import load_all
from chalicelib.api.routing import OPERATIONS, Operation
from tests.integration.conftest import Api, reset_caches
from tests.support.resources import (
    CREDENTIALS,
    NON_TENANT_AUTH,
    REQUIRED_QUERIES,
    example_body,
    factory_for,
    make,
    missing_factory_message,
    path_values,
)
from tests.support.scan import all_items, tenant_items
from tests.support.world import PLATFORM_KEY, World, build_world, path_params, tenant_operations

load_all()  # import every blueprint module: that fills OPERATIONS

TENANT_OPS = tenant_operations()
ID_OPS = [op for op in TENANT_OPS if path_params(op)]
READ_OPS = [op for op in TENANT_OPS if op.method == "GET"]
PLATFORM_OPS = [op for op in OPERATIONS if op.auth == "platform"]


def _label(op: Operation) -> str:
    return f"{op.method} {op.path}"


def _owned(path: str, param: str) -> bool:
    found = factory_for(path, param)
    return found is not None and found.tenant_owned


def _id_fields(op: Operation) -> list[str]:
    if op.body is None:
        return []
    props = op.body.model_json_schema().get("properties", {})
    return [name for name in props if _owned("", name)]


BODY_ID_CASES = [(op, name) for op in TENANT_OPS for name in _id_fields(op)]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One moto account, two tenants, every resource of each (made once for the module)."""
    with mock_aws():
        reset_caches()
        from scripts.provision import provision

        provision()  # tables, buckets, bus, SES identity: what a stage has
        with Client(app_module.app, stage_name="test") as client:
            yield build_world(Api(client))
        reset_caches()


def _require_factories(op: Operation) -> None:
    for param in path_params(op):
        if factory_for(op.path, param) is None:
            pytest.fail(missing_factory_message(param, op))


def _path(op: Operation, values: dict[str, str]) -> str:
    path = op.path
    for param, value in values.items():
        path = path.replace("{" + param + "}", value)
    return path


def _headers(op: Operation) -> dict[str, str]:
    headers: dict[str, str] = {}
    if op.conditional:
        headers["If-Match"] = '"1"'
    if op.idempotent:
        headers["Idempotency-Key"] = f"matrix-{op.name}"
    return headers


def _leaks(world: World, body: bytes | str, allowed: set[str] | None = None) -> list[str]:
    text = body.decode() if isinstance(body, bytes) else body
    return sorted(s for s in world.secrets_of_a() - (allowed or set()) if s and s in text)


def test_every_path_parameter_has_a_factory() -> None:
    missing = sorted(
        {
            missing_factory_message(param, op)
            for op in ID_OPS
            for param in path_params(op)
            if factory_for(op.path, param) is None
        }
    )
    assert not missing, "\n".join(missing)


def test_every_auth_kind_is_classified() -> None:
    unknown = {op.auth for op in OPERATIONS} - set(CREDENTIALS) - NON_TENANT_AUTH
    assert not unknown, (
        f"auth kinds {sorted(unknown)} have no tenant credential: add them to CREDENTIALS (or "
        f"NON_TENANT_AUTH) in tests/support/resources.py"
    )


def _foreign_combinations(op: Operation) -> list[dict[str, str]]:
    """Which params take A's value: all of them, then each non-empty proper subset."""
    owned = [p for p in path_params(op) if _owned(op.path, p)]
    combos = []
    for size in range(len(owned), 0, -1):
        combos += [set(c) for c in itertools.combinations(owned, size)]
    return [{p: ("a" if p in combo else "b") for p in path_params(op)} for combo in combos]


@pytest.mark.parametrize("op", ID_OPS, ids=_label)
def test_foreign_ids_are_404_and_change_nothing(world: World, op: Operation) -> None:
    _require_factories(op)
    combos = _foreign_combinations(op)
    if not combos:
        pytest.skip(f"{_label(op)} has no tenant-owned path parameter")
    if op.method == "GET":
        # Control: the owner reads it, so the 404s below are about tenancy, not a bad id.
        own = world.request(op, _path(op, path_values(world.a, op)), world.a)
        assert own.status_code == 200, f"{_label(op)} as A on A's ids: {own.status_code}"
    for combo in combos:
        a_values, b_values = path_values(world.a, op), path_values(world.b, op)
        values = {p: (a_values if who == "a" else b_values)[p] for p, who in combo.items()}
        before = tenant_items(world.a.tenant_id)
        response = world.request(
            op, _path(op, values), world.b, body=example_body(op), **_headers(op)
        )
        assert response.status_code == 404, (
            f"{_label(op)} as B with {combo}: {response.status_code} {response.body!r}"
        )
        problem = json.loads(response.body)
        assert problem["status"] == 404
        assert response.headers["Content-Type"] == "application/problem+json"
        assert not _leaks(world, response.body, allowed=set(values.values()))
        assert tenant_items(world.a.tenant_id) == before, (
            f"{_label(op)} as B with {combo} changed A's stored items"
        )


@pytest.mark.parametrize("op", READ_OPS, ids=_label)
def test_reads_never_show_another_tenants_data(world: World, op: Operation) -> None:
    _require_factories(op)
    values = path_values(world.b, op)
    query = REQUIRED_QUERIES[op.name](world.b) if op.name in REQUIRED_QUERIES else {}
    required = _required_query(op) - set(query)
    assert not required, (
        f"{_label(op)} requires query parameters {sorted(required)}: add values to "
        f"REQUIRED_QUERIES['{op.name}'] in tests/support/resources.py"
    )
    path = _path(op, values)
    response = world.request(op, _with_query(path, query), world.b)
    assert response.status_code == 200, f"{_label(op)} as B: {response.status_code}"
    assert not _leaks(world, response.body), f"{_label(op)} shows A's data to B"
    # Filters that name a resource by id: A's id finds nothing of A's.
    for name in _query_id_params(op):
        foreign = make(world.a, name)
        response = world.request(op, _with_query(path, {**query, name: foreign}), world.b)
        assert response.status_code in (200, 400, 404, 422), response.body
        assert not _leaks(world, response.body, allowed={foreign}), (
            f"{_label(op)}?{name}=<A's id> shows A's data to B"
        )


@pytest.mark.parametrize(("op", "field"), BODY_ID_CASES, ids=lambda v: getattr(v, "name", v))
def test_foreign_ids_in_bodies_are_refused(world: World, op: Operation, field: str) -> None:
    _require_factories(op)
    values = path_values(world.b, op)
    body = {**(example_body(op, using=field) or {}), field: make(world.a, field)}
    before = tenant_items(world.a.tenant_id)
    response = world.request(op, _path(op, values), world.b, body=body, **_headers(op))
    assert 400 <= response.status_code < 500, (
        f"{_label(op)} as B with A's {field}: {response.status_code} {response.body!r}"
    )
    assert tenant_items(world.a.tenant_id) == before


@pytest.mark.parametrize("op", PLATFORM_OPS, ids=_label)
def test_platform_operations_refuse_tenant_keys(world: World, op: Operation) -> None:
    values = dict.fromkeys(path_params(op), world.a.tenant_id)
    before = all_items()
    response = world.api.request(
        op.method,
        _path(op, values),
        json_body=example_body(op),
        headers={"Authorization": f"Bearer {world.b.admin_key}"},
    )
    assert response.status_code == 401, response.body
    assert all_items() == before


@pytest.mark.parametrize("op", [op for op in TENANT_OPS if op.auth == "secret"], ids=_label)
def test_tenant_operations_refuse_the_platform_key(world: World, op: Operation) -> None:
    values = path_values(world.a, op)
    response = world.api.request(
        op.method,
        _path(op, values),
        json_body=example_body(op),
        headers={"Authorization": f"Bearer {PLATFORM_KEY}", **_headers(op)},
    )
    assert response.status_code == 401, response.body


def _required_query(op: Operation) -> set[str]:
    if op.query is None:
        return set()
    return set(op.query.model_json_schema().get("required", []))


def _query_id_params(op: Operation) -> list[str]:
    if op.query is None:
        return []
    names = op.query.model_json_schema().get("properties", {})
    return [n for n in names if _owned("", n)]


def _with_query(path: str, query: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    return f"{path}?{urlencode(query)}" if query else path
