"""DynamoDB calls and items per request for every route, with the budget and the reason.

The measurement is the one the test suite asserts (``tests/support/route_costs.py`` drives
every catalogued route once as a tenant with data; ``tests/integration/test_route_budgets.py``
compares it with ``tests/support/route_budgets.py``). Here it is published: a route whose
measured cost differs from its budget is marked, so the report never silently disagrees with
the tests.
"""

from __future__ import annotations

import os
from collections import Counter

from bench.harness import Section, use_fake_aws


def _calls(calls: tuple[str, ...]) -> str:
    if not calls:
        return "—"
    counted = Counter(calls)
    return ", ".join(f"{n} x {name}" if n > 1 else name for name, n in counted.items())


def run() -> Section:
    """Drive every route against moto and tabulate its cost next to its budget."""
    use_fake_aws()
    from tests.support import dynamo_calls
    from tests.support.world import PLATFORM_KEY

    os.environ["PLATFORM_API_KEY"] = PLATFORM_KEY  # the key the shared factories onboard with
    dynamo_calls.install()
    from chalice.test import Client
    from moto import mock_aws

    from tests.integration.conftest import Api, reset_caches
    from tests.support.route_budgets import BUDGETS
    from tests.support.route_costs import measure_routes

    with mock_aws():
        reset_caches()
        from scripts.provision import provision

        provision()
        import app

        with Client(app.app, stage_name="bench") as client:
            measured = measure_routes(Api(client))
        reset_caches()
    section = Section("DynamoDB cost per route")
    lines = [
        "Every route of the catalog, driven once by a tenant that has one of every resource, in "
        "a warm container (a cold one adds one BatchGetItem for the API key, or one Query for a "
        "widget key, to its first request). Deterministic: the same figures are asserted as "
        "budgets by `tests/integration/test_route_budgets.py` from the table in "
        "`tests/support/route_budgets.py`, the single source of the reasons below. *Read*: "
        "items returned (GetItem, BatchGetItem) or examined (Query) — what read capacity is "
        "billed on; *written*: items named by write calls. Lists read one page whatever the "
        "collection's size (proved at 100,000 items by "
        "`tests/integration/test_list_costs_at_scale.py`).",
        "",
        "| route | DynamoDB calls | read | written | why |",
        "|---|---|---:|---:|---|",
    ]
    over = []
    for route, got in measured.items():
        budget = BUDGETS.get(route)
        why = budget.why if budget else "**no budget**"
        if budget and not budget.admits(got.calls, got.items_read, got.items_written):
            expected = f"{budget.calls}, read {budget.read_text()}, written {budget.written}"
            why = f"**differs from its budget** ({expected})"
            over.append(route)
        # A bounded figure (report counters) is published as its bound: the measured value
        # depends on random ids, and a report that changed with every run would say nothing.
        shown_read = budget.read_text() if budget and budget.read_at_most else got.items_read
        lines.append(
            f"| `{route}` | {_calls(got.calls)} | {shown_read} | {got.items_written} | {why} |"
        )
    section.text = "\n".join(lines)
    section.extra = {
        "routes": {
            route: {
                "calls": list(got.calls),
                "items_read": got.items_read,
                "items_written": got.items_written,
            }
            for route, got in measured.items()
        },
        "differs_from_budget": over,
    }
    return section
