"""The sweep: claim every due follow-up of every tenant and hand it to the worker queue.

Runs every minute (``app.py``). For each shard of the due index it pages through the items due
at the sweep's start time, claims each with one conditional UpdateItem (scheduled and due, or
claimed with an expired lease) and sends the claimed ids to SQS in batches of ten. Claiming
moves the item in the index to its lease expiry, so a claim whose worker never finishes comes
back to a later sweep by itself. Two sweeps running at once are harmless: only one claim of an
item succeeds. Shards are swept side by side (``FOLLOWUP_SWEEP_CONCURRENCY`` threads, each
holding one page: memory is bounded by pages, not by due items), and each stops before the time
budget runs out; the next sweep continues.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.config import get_settings
from chalicelib.domain.followups import lease_expiry, sweep_shard_keys
from chalicelib.domain.ids import new_id
from chalicelib.notify import work_queue
from chalicelib.store import followups as store
from chalicelib.store.base import utcnow


@dataclass
class SweepReport:
    """What one sweep did."""

    shards: int = 0
    pages: int = 0
    seen: int = 0
    claimed: int = 0
    enqueued: int = 0
    complete: bool = True
    # How late the most overdue item this sweep claimed was (seconds), for the lag metric.
    lag_seconds: float | None = None


def sweep(
    now: datetime | None = None,
    *,
    time_left: Callable[[], float] | None = None,
    page_size: int | None = None,
) -> SweepReport:
    """Claim and enqueue everything due at ``now``; ``time_left`` (seconds) bounds the run."""
    settings = get_settings()
    now = now or utcnow()
    size = page_size or settings.followup_sweep_page_size
    lease = timedelta(seconds=settings.followup_lease_seconds)
    started = time.monotonic()

    def out_of_time() -> bool:
        if time_left is not None:
            return time_left() < 5.0
        return time.monotonic() - started > settings.followup_sweep_budget_seconds

    # Start at a different shard every minute: when there are more shards than threads, a sweep
    # that runs out of time must not always spend it on the same first shards.
    all_shards = sweep_shard_keys(settings.followup_shards, store.DUE_PREFIX)
    offset = int(now.timestamp() // 60) % len(all_shards)
    shards = all_shards[offset:] + all_shards[:offset]

    def one_shard(shard: str) -> SweepReport:
        return _sweep_shard(shard, now, size, lease, out_of_time)

    workers = min(settings.followup_sweep_concurrency, len(shards))
    if workers == 1:
        reports = [one_shard(shard) for shard in shards]
    else:
        # Claims are independent round trips; the shards' pages are swept side by side.
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sweep") as pool:
            reports = list(pool.map(one_shard, shards))
    total = SweepReport()
    for part in reports:
        total.shards += part.shards
        total.pages += part.pages
        total.seen += part.seen
        total.claimed += part.claimed
        total.enqueued += part.enqueued
        total.complete = total.complete and part.complete
        if part.lag_seconds is not None:
            total.lag_seconds = max(total.lag_seconds or 0.0, part.lag_seconds)
    return total


def _sweep_shard(
    shard: str,
    now: datetime,
    size: int,
    lease: timedelta,
    out_of_time: Callable[[], bool],
) -> SweepReport:
    """Page through one shard's due entries, claim each, enqueue the claimed page."""
    report = SweepReport()
    if out_of_time():
        report.complete = False  # not started: the next sweep (a minute later) takes it
        return report
    report.shards = 1
    start_key = None
    while True:
        entries, start_key = store.query_due(shard, now, start_key, size)
        report.pages += 1
        report.seen += len(entries)
        messages = []
        lease_until = lease_expiry(utcnow(), lease)
        for entry in entries:
            token = new_id()
            if store.claim(
                entry.tenant_id,
                entry.followup_id,
                now=now,
                lease_until=lease_until,
                token=token,
                due_shard=shard,
            ):
                messages.append({"t": entry.tenant_id, "f": entry.followup_id, "c": token})
                if entry.due_at is not None:
                    lag = (now - entry.due_at).total_seconds()
                    report.lag_seconds = max(report.lag_seconds or 0.0, lag)
        report.claimed += len(messages)
        report.enqueued += work_queue.enqueue(messages)
        if start_key is None:
            return report
        if out_of_time():
            # Due work is left in this shard: the next sweep continues.
            report.complete = False
            return report
