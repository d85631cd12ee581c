"""The sweep claims the shards side by side: its throughput is not one round trip at a time."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.conftest import Api
from tests.support.dynamo_calls import recording
from tests.support.followups import seed_due

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def sweep_settings(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    from chalicelib.config import reset_settings
    from scripts.provision import provision

    monkeypatch.setenv("FOLLOWUP_SHARDS", "8")
    monkeypatch.setenv("FOLLOWUP_SWEEP_PAGE_SIZE", "5")
    reset_settings()
    provision()
    yield monkeypatch
    reset_settings()


def _with_concurrency(monkeypatch: pytest.MonkeyPatch, threads: int) -> None:
    from chalicelib.config import reset_settings

    monkeypatch.setenv("FOLLOWUP_SWEEP_CONCURRENCY", str(threads))
    reset_settings()


def test_claims_of_different_shards_are_in_flight_at_the_same_time(
    sweep_settings: pytest.MonkeyPatch,
) -> None:
    from chalicelib.services import followup_sweep
    from chalicelib.store import followups as store

    _with_concurrency(sweep_settings, 4)
    seed_due(20, 4, NOW - timedelta(minutes=1))
    # Four claims must be waiting together before any may finish: a sweep that claims one
    # item at a time breaks the barrier (it times out) instead of passing it.
    barrier = threading.Barrier(4, timeout=20)
    real_claim = store.claim
    threads: set[str] = set()
    first_claims = iter(range(4))
    lock = threading.Lock()

    def claim(*args: Any, **kwargs: Any) -> bool:
        with lock:
            threads.add(threading.current_thread().name)
            waits = next(first_claims, None) is not None
        if waits:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
        return bool(real_claim(*args, **kwargs))

    sweep_settings.setattr(store, "claim", claim)
    report = followup_sweep.sweep(NOW, time_left=lambda: 60.0)
    assert not barrier.broken, "claims ran one at a time"
    assert (report.claimed, report.enqueued, report.complete) == (80, 80, True)
    assert len(threads) == 4


def test_concurrent_and_serial_sweeps_make_the_same_calls_and_claims(
    sweep_settings: pytest.MonkeyPatch,
) -> None:
    from chalicelib.notify import work_queue
    from chalicelib.services import followup_sweep

    seed_due(10, 6, NOW - timedelta(minutes=1))
    clock = [NOW]
    sweep_settings.setattr(followup_sweep, "utcnow", lambda: clock[0])
    _with_concurrency(sweep_settings, 1)
    with recording() as serial_log:
        serial = followup_sweep.sweep(NOW, time_left=lambda: 60.0)
    # The same 60 items again, once their 15-minute leases have run out.
    later = clock[0] = NOW + timedelta(minutes=20)
    work_queue.reset()
    _with_concurrency(sweep_settings, 8)
    with recording() as parallel_log:
        parallel = followup_sweep.sweep(later, time_left=lambda: 60.0)
    assert serial.claimed == parallel.claimed == 60
    assert (serial.shards, serial.pages) == (parallel.shards, parallel.pages)
    assert sorted(serial_log.calls) == sorted(parallel_log.calls)


def test_out_of_time_shards_are_left_for_the_next_sweep(
    sweep_settings: pytest.MonkeyPatch,
) -> None:
    from chalicelib.services import followup_sweep

    _with_concurrency(sweep_settings, 4)
    seed_due(10, 6, NOW - timedelta(minutes=1))
    report = followup_sweep.sweep(NOW, time_left=lambda: 1.0)  # under the 5 s reserve
    assert (report.claimed, report.shards, report.complete) == (0, 0, False)
    report = followup_sweep.sweep(NOW, time_left=lambda: 60.0)
    assert (report.claimed, report.complete) == (60, True)


def test_the_shared_clients_pool_has_a_connection_for_every_sweep_thread(
    sweep_settings: pytest.MonkeyPatch,
) -> None:
    from chalicelib.config import Settings
    from chalicelib.store.clients import platform_client

    bounds = Settings.model_fields["followup_sweep_concurrency"].metadata
    most = max(bound.le for bound in bounds if hasattr(bound, "le"))
    for service in ("dynamodb", "sqs"):
        assert platform_client(service).meta.config.max_pool_connections >= most
