"""Due follow-ups of 100 tenants: all sent by repeated time-limited sweeps, no Scan, pages bounded.

Every follow-up goes the whole way (sweep claim, SQS, worker, EventBridge), about ten moto
calls each, so the suite runs 300 of them here (seconds), not 10,000 (minutes against moto).
The sweep's behaviour at 10,000 and 100,000 due items (throughput against raw Query +
UpdateItem, calls per follow-up, memory bounded by the page) is measured by ``make bench``
(bench/followup_sweep.py).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.conftest import Api
from tests.support.clocks import patch_engine_clock
from tests.support.dynamo_calls import recording
from tests.support.followups import Clock, CountdownContext, Engine, seed_due
from tests.support.scan import scan_table

TENANTS = 100
PER_TENANT = 3
PAGE = 50
PAGES_PER_SWEEP = 4


@pytest.fixture
def engine(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    from chalicelib.config import reset_settings
    from scripts.provision import provision

    monkeypatch.setenv("FOLLOWUP_SWEEP_PAGE_SIZE", str(PAGE))
    reset_settings()
    provision()
    clock = Clock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    patch_engine_clock(monkeypatch, clock)
    yield Engine(clock)
    reset_settings()


def test_due_followups_of_a_hundred_tenants_are_all_sent_by_repeated_sweeps(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.notify import work_queue
    from chalicelib.store.followups import FollowUpsTable

    due = engine.clock.now - timedelta(minutes=1)
    assert seed_due(TENANTS, PER_TENANT, due) == TENANTS * PER_TENANT
    batches: list[int] = []
    real_enqueue = work_queue.enqueue

    def counting_enqueue(messages: Any) -> int:
        batches.append(len(messages))
        return int(real_enqueue(messages))

    monkeypatch.setattr(work_queue, "enqueue", counting_enqueue)
    total = TENANTS * PER_TENANT
    sweeps = claimed = 0
    with recording() as log:
        while claimed < total:
            sweeps += 1
            # Each sweep has time for about PAGES_PER_SWEEP pages (a countdown, not a clock), so
            # one sweep cannot take everything and repeated sweeps must share the work.
            report = engine.sweep(CountdownContext(5_000 + PAGES_PER_SWEEP * 1_000, 1_000))
            claimed += report["claimed"]
            engine.drain()
            engine.clock.now += timedelta(minutes=1)
            assert sweeps < 500
        final = engine.sweep()  # a sweep with all the time it needs finds nothing left
    assert (final["complete"], final["claimed"]) == (True, 0)
    assert "Scan" not in log.calls
    assert sweeps > 2  # the budget forced several sweeps to share the work
    # Memory is bounded by the page: the sweep never holds more than one page of ids.
    assert max(batches) <= PAGE
    items = [i for i in scan_table(FollowUpsTable.Meta.table_name) if i["sk"]["S"] == "FOLLOWUP"]
    statuses = Counter(i["status"]["S"] for i in items)
    assert statuses == {"sent": TENANTS * PER_TENANT}
    assert not any("due_pk" in i for i in items)  # the sparse index is empty again
    assert len({i["tenant_id"]["S"] for i in items}) == TENANTS
    assert all(json.loads(i["attempts"]["N"]) == 1 for i in items)
