"""Every route's DynamoDB cost equals its budget (``tests/support/route_budgets.py``).

One tenant with one of every resource; every route of the generated catalog driven once
(``tests/support/route_costs.py``). A route without a budget fails with the line to add; a
route whose calls, items read or items written changed fails with old and new, so a cost
change is always a visible, reviewed edit of the budget table (which ``make bench`` also
publishes in ``docs/benchmarks.md``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice.test import Client
from moto import mock_aws

import app as app_module
from tests.integration.conftest import Api, reset_caches
from tests.support.route_budgets import BUDGETS, budget_line
from tests.support.route_costs import Measured, catalogued_routes, measure_routes

ROUTES = catalogued_routes()


@pytest.fixture(scope="module")
def measured() -> Iterator[dict[str, Measured]]:
    """Every route driven once against one moto account (measured once for the module)."""
    with mock_aws():
        reset_caches()
        from scripts.provision import provision

        provision()
        with Client(app_module.app, stage_name="test") as client:
            yield measure_routes(Api(client))
        reset_caches()


def test_every_route_has_a_budget() -> None:
    missing = [route for route in ROUTES if route not in BUDGETS]
    assert not missing, (
        "routes without a DynamoDB budget — run this test, then add to BUDGETS in "
        "tests/support/route_budgets.py a line per route with its measured cost (the "
        "test_route_costs_match_their_budgets failure prints it) and why each call is made:\n"
        + "\n".join(missing)
    )


def test_budgets_name_only_catalogued_routes() -> None:
    stale = sorted(set(BUDGETS) - set(ROUTES))
    assert not stale, f"budgets of routes that no longer exist (remove them): {stale}"


@pytest.mark.parametrize("route", ROUTES)
def test_route_costs_match_their_budgets(measured: dict[str, Measured], route: str) -> None:
    got = measured[route]
    line = budget_line(route, got.calls, got.items_read, got.items_written)
    budget = BUDGETS.get(route)
    assert budget is not None, (
        f"{route} has no DynamoDB budget. Add to BUDGETS in tests/support/route_budgets.py:\n"
        f"{line}\nand replace ... with why each call is made."
    )
    assert budget.admits(got.calls, got.items_read, got.items_written), (
        f"{route} changed its DynamoDB cost.\n"
        f"  budget:   calls={budget.calls} read={budget.read_text()} written={budget.written}\n"
        f"  measured: calls={got.calls} read={got.items_read} written={got.items_written}\n"
        f"If the change is intended, update its line in tests/support/route_budgets.py "
        f"(and its reason):\n{line}"
    )
