"""Lists and reports cost the same for a tenant with 125 items and one with 100,000.

Two tenants get one of every resource through the API (``tenant_with_data``); then their
customers, tickets, feedback responses, warranty registrations and appointments are multiplied
to 25 each (125 items) and to 20,000 each (100,000 items). The copies are the store's own
items — each one written through the API, read back raw and re-keyed with a fresh id, index
keys included — so every list index holds them exactly as it holds items created one by one.

The 125 items are loaded with the store's ``batch_put`` (BatchWriteItem). The 100,000 go
straight into moto's table (same raw items): through the SDK the fake spends about a
millisecond per item on request validation, serialisation and a quadratic size check, two
minutes for this test alone; the route costs measured below do not depend on how the items got
there, only that they are there, in the same shape.

Then every list and report route (every tenant GET without a path parameter) is driven for
both tenants, with ``limit=20`` so that both collections hold more than a page: DynamoDB calls
and items read must be identical. A list that read or counted the whole collection, or a
report computed from the items instead of counters, would differ. The lists by a facet that
has its own index (tickets by ``type``, appointments by ``kind``) are driven the same way with
the facet of the multiplied records: a filter applied after reading would read more at scale.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, get_args

import pytest
from chalice.test import Client
from moto import mock_aws

import app as app_module
from chalicelib.api.routing import all_operations
from chalicelib.schemas.service import VisitKindName
from chalicelib.schemas.tickets import TypeName
from chalicelib.services.ticket_reports import REPORT_SHARDS
from tests.integration.conftest import Api, reset_caches
from tests.support.resources import Maker
from tests.support.route_costs import Measured, measure_routes, route_key, tenant_with_data

SMALL, LARGE = 125, 100_000

# (table base name, which raw items are the collection's records, the record's id).
Selector = Callable[[str, dict[str, Any]], bool]
COLLECTIONS: list[tuple[str, Selector, Callable[[dict[str, Any]], str]]] = [
    ("customers", lambda t, i: i["pk"]["S"] == f"{t}#CUSTOMER", lambda i: i["sk"]["S"]),
    (
        "tickets",
        lambda t, i: i["pk"]["S"].startswith(f"{t}#TICKET#") and i["sk"]["S"] == "TICKET",
        lambda i: i["pk"]["S"].rsplit("#", 1)[1],
    ),
    ("feedback", lambda t, i: i["pk"]["S"] == f"{t}#RESPONSE", lambda i: i["sk"]["S"]),
    (
        "service",
        lambda t, i: i["pk"]["S"].startswith(f"{t}#WARRANTY#") and i["sk"]["S"] == "WARRANTY",
        lambda i: i["pk"]["S"].rsplit("#", 1)[1],
    ),
    (
        "service",
        lambda t, i: i["pk"]["S"].startswith(f"{t}#APPT#") and i["sk"]["S"] == "APPT",
        lambda i: i["pk"]["S"].rsplit("#", 1)[1],
    ),
]
# Filtered lists served by their own index: (measured key, route, query parameter, the
# multiplied collection, the parameter's value in one of its raw records, every value the
# parameter takes).
FACETED: list[tuple[str, str, str, int, Callable[[dict[str, Any]], str], tuple[str, ...]]] = [
    (
        "GET /v1/tickets?type",
        "GET /v1/tickets",
        "type",
        1,
        lambda i: i["ticket_type"]["S"],
        get_args(TypeName),
    ),
    (
        "GET /v1/appointments?kind",
        "GET /v1/appointments",
        "kind",
        4,
        lambda i: i["visit_kind"]["S"],
        get_args(VisitKindName),
    ),
]

LIST_ROUTES = {
    route_key(op.method, op.path)
    for op in all_operations()
    if op.method == "GET" and "{" not in op.path and op.auth in ("secret", "widget")
}


def _rekeyed(value: Any, old: str, new: str) -> Any:
    """``value`` (a raw DynamoDB item or attribute) with every occurrence of ``old`` → ``new``."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: _rekeyed(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_rekeyed(v, old, new) for v in value]
    return value


@contextlib.contextmanager
def unchecked_item_sizes() -> Iterator[None]:
    """Skip moto's per-attribute item-size re-check while bulk loading (it re-sums the whole item
    on every attribute, quadratic in the attribute count — most of the seeding time). The copies
    have exactly the size of the template item moto already accepted."""
    from moto.dynamodb.models import dynamo_type

    checked = dynamo_type.LimitedSizeDict.__setitem__
    dynamo_type.LimitedSizeDict.__setitem__ = dict.__setitem__  # type: ignore[assignment]
    try:
        yield
    finally:
        dynamo_type.LimitedSizeDict.__setitem__ = checked  # type: ignore[method-assign]


Loader = Callable[[str, Iterator[dict[str, Any]]], int]


def load_into_moto(table_name: str, items: Iterator[dict[str, Any]]) -> int:
    """Put raw items into moto's table directly (see the module docstring)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.store.clients import aws_client

    region = aws_client("dynamodb").meta.region_name
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].get_table(table_name)
    count = 0
    with unchecked_item_sizes():
        for item in items:
            table.put_item(item)
            count += 1
    return count


def grow(tenant_id: str, per_collection: int, load: Loader) -> int:
    """Multiply the tenant's records of each collection to ``per_collection``; returns the
    number of records the tenant then has in those collections."""
    from chalicelib.domain.ids import new_id
    from chalicelib.store.tables import TABLE_MODELS
    from tests.support.scan import tenant_items

    tables = {model.Meta.base_name: model.Meta.table_name for model in TABLE_MODELS}  # type: ignore[attr-defined]
    items = tenant_items(tenant_id)
    total = 0
    for base, is_record, id_of in COLLECTIONS:
        records = [i for i in items[tables[base]] if is_record(tenant_id, i)]
        assert records, f"no {base} records to copy for {tenant_id}"
        template = records[0]
        old = id_of(template)
        copies = (_rekeyed(template, old, new_id()) for _ in range(per_collection - len(records)))
        total += len(records) + load(tables[base], copies)
    return total


def _faceted(api: Api, maker: Maker) -> dict[str, Measured]:
    """The faceted lists, filtered by the value most of the collection's records have (the
    multiplied template's, so that more than a page matches) and by a value none has (a filter
    applied after reading would read the whole collection to find nothing)."""
    from collections import Counter

    from chalicelib.store.tables import TABLE_MODELS
    from tests.support.scan import tenant_items

    tables = {model.Meta.base_name: model.Meta.table_name for model in TABLE_MODELS}  # type: ignore[attr-defined]
    items = tenant_items(maker.tenant_id)
    found: dict[str, Measured] = {}
    for name, route, parameter, collection, value_of, every in FACETED:
        base, is_record, _ = COLLECTIONS[collection]
        records = [i for i in items[tables[base]] if is_record(maker.tenant_id, i)]
        counted = Counter(value_of(i) for i in records)
        absent = next(v for v in every if v not in counted)
        for key, value in ((name, counted.most_common(1)[0][0]), (f"{name}={absent}", absent)):
            page = {"limit": "20", parameter: value}
            found[key] = measure_routes(api, only={route}, main=maker, page=page)[route]
    return found


@pytest.fixture(scope="module")
def costs() -> Iterator[dict[int, dict[str, Measured]]]:
    """List and report costs of a 100-item tenant and of a 100,000-item tenant."""
    with mock_aws():
        reset_caches()
        from scripts.provision import provision

        provision()
        with Client(app_module.app, stage_name="test") as client:
            api = Api(client)
            tenants: dict[int, Maker] = {
                SMALL: tenant_with_data(api, "Small Co", "SMALLMARK"),
                LARGE: tenant_with_data(api, "Large Co", "LARGEMARK"),
            }
            from chalicelib.store.batch import batch_put

            loaders: dict[int, Loader] = {SMALL: batch_put, LARGE: load_into_moto}
            measured = {}
            for size, maker in tenants.items():
                assert grow(maker.tenant_id, size // len(COLLECTIONS), loaders[size]) == size
                measured[size] = measure_routes(
                    api, only=LIST_ROUTES, main=maker, page={"limit": "20"}
                )
                measured[size].update(_faceted(api, maker))
            yield measured
        reset_caches()


def test_the_large_tenant_really_has_more_than_a_page() -> None:
    # Guard against a vacuous comparison: the routes compared include the seeded lists.
    assert {"GET /v1/customers", "GET /v1/tickets", "GET /v1/feedback", "GET /v1/warranties"} <= (
        LIST_ROUTES
    )
    assert {"GET /v1/reports/tickets", "GET /v1/reports/feedback"} <= LIST_ROUTES


# Reports read counter items, not the items counted: one per counter shard per day in the
# range (every item here was created today) plus the present-time gauges. Which shards exist
# depends on the (random) ids of the tickets that touched them, so the two tenants are compared
# against that bound rather than with each other.
COUNTER_BOUND = {"GET /v1/reports/tickets": 2 * REPORT_SHARDS, "GET /v1/reports/feedback": 2}


@pytest.mark.parametrize("route", sorted(LIST_ROUTES))
def test_lists_and_reports_cost_the_same_at_100_and_100000_items(
    costs: dict[int, dict[str, Measured]], route: str
) -> None:
    small, large = costs[SMALL][route], costs[LARGE][route]
    assert large.calls == small.calls, (
        f"{route}: {small.calls} at {SMALL}, {large.calls} at {LARGE}"
    )
    if route in COUNTER_BOUND:
        assert max(small.items_read, large.items_read) <= COUNTER_BOUND[route], route
        return
    assert large.items_read == small.items_read, (
        f"{route}: reads {small.items_read} items at {SMALL} items, {large.items_read} at {LARGE}"
    )


@pytest.mark.parametrize("name", [name for name, *_ in FACETED])
@pytest.mark.parametrize("matching", [True, False], ids=["common value", "absent value"])
def test_lists_by_an_indexed_facet_cost_the_same_at_both_sizes(
    costs: dict[int, dict[str, Measured]], name: str, matching: bool
) -> None:
    if not matching:
        name = next(key for key in costs[SMALL] if key.startswith(f"{name}="))
    small, large = costs[SMALL][name], costs[LARGE][name]
    assert (large.calls, large.items_read) == (small.calls, small.items_read), (
        f"{name}: {small.calls} reading {small.items_read} at {SMALL}, "
        f"{large.calls} reading {large.items_read} at {LARGE}"
    )
    # The page's Query reads the page and the item telling there is more, nothing filtered out.
    assert large.calls[0] == "Query"


def test_a_full_page_is_read_from_the_large_collections(
    costs: dict[int, dict[str, Measured]],
) -> None:
    # Each seeded list reads one page (limit 20, plus the one item that shows there is a next
    # page) and no more, at either size.
    for route in ("GET /v1/customers", "GET /v1/warranties"):
        assert costs[LARGE][route].items_read <= 21, route
