"""The follow-up sweep at scale: items per second against raw Query + UpdateItem, calls per
follow-up, and peak memory, for 10,000 and 100,000 due items across 100 tenants.

Two parts. **Against moto** (``BENCH_SWEEP_ITEMS``, default 1,000 due items, one thread): the
real semantics end to end, the time per item against its floor, the calls per follow-up of the
sweep and of the worker. **At 10,000 and 100,000 items** the DynamoDB and SQS server side is
``bench/standin.py`` (moto's GSI Query walks the whole table per page, so 100,000 items would
take hours there); the sweep and its floor run their real client side against it, first with
no latency (the client's CPU cost per item, one thread, against the floor), then with a modelled
round trip per call (``BENCH_SWEEP_LATENCY_MS``, default 5) and the deployed concurrency (16
shards side by side), which is what a sweep Lambda actually sees. The **floor** is raw boto3
doing the least any sweep must do: Query every shard of the due index page by page and claim
each item with one conditional UpdateItem, one call at a time. Memory: ``tracemalloc`` peak of
one sweep over 10,000 and 100,000 entries served a page at a time (entries allocated before
tracing), i.e. the sweep's own working set. ``BENCH_SWEEP_LARGE`` sets the large size (default
100,000).
"""

from __future__ import annotations

import os
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.harness import Row, Section, use_fake_aws

TENANTS = 100
SMALL = 1_000
LARGE = 100_000
MEDIUM = 10_000
PAGE = 100
WORKER_SAMPLE = 200


def _unlimited() -> float:
    """A time budget that never runs out: the benchmark measures one whole sweep."""
    return float("inf")


def _check(condition: bool, detail: str) -> None:
    """Stop the benchmark when a run did not do what it measures."""
    if not condition:
        raise RuntimeError(detail)


def _seed(total: int, due_at: datetime) -> None:
    """``total`` scheduled follow-ups due at ``due_at`` across :data:`TENANTS` (batch writes)."""
    from chalicelib.domain.ids import new_id
    from chalicelib.services.followups import due_shard
    from chalicelib.store import followups as store

    tenants = [new_id() for _ in range(TENANTS)]
    with store.FollowUpItem.batch_write() as batch:
        for n in range(total):
            tenant_id, followup_id = tenants[n % TENANTS], new_id()
            item = store.FollowUpItem(
                pk=store.followup_pk(tenant_id, followup_id),
                sk=store.FOLLOWUP_SK,
                tenant_id=tenant_id,
                followup_id=followup_id,
                kind="custom",
                subject_kind="customer",
                subject_id=followup_id,
                customer_id=followup_id,
                channel="event",
                status="scheduled",
                due_at=due_at,
                data={},
                attempts=0,
                claims=0,
                created_at=due_at,
                updated_at=due_at,
                version=1,
            )
            store.set_index_keys(item, due_shard(followup_id), due_at)
            batch.save(item)


def _floor_sweep(now: datetime, lease_until: datetime, client: Any = None) -> int:
    """Raw boto3: Query each shard page by page, claim every entry; returns claims made."""
    from chalicelib.config import get_settings
    from chalicelib.domain.followups import sweep_shard_keys
    from chalicelib.store import followups as store
    from chalicelib.store.clients import aws_client

    client = client or aws_client("dynamodb")
    table = store.FollowUpsTable.Meta.table_name
    now_text, lease_text = store.iso(now), store.iso(lease_until)
    pynamo_now = store._pynamo_time(now)
    pynamo_lease = store._pynamo_time(lease_until)
    claimed = 0
    for shard in sweep_shard_keys(get_settings().followup_shards, store.DUE_PREFIX):
        start_key: Any = None
        while True:
            params: dict[str, Any] = {
                "TableName": table,
                "IndexName": "due",
                "KeyConditionExpression": "due_pk = :shard AND due_sk <= :until",
                "ExpressionAttributeValues": {
                    ":shard": {"S": shard},
                    ":until": {"S": now_text + "~"},
                },
                "ProjectionExpression": "tenant_id, followup_id, due_sk",
                "Limit": PAGE,
            }
            if start_key:
                params["ExclusiveStartKey"] = start_key
            page = client.query(**params)
            for raw in page.get("Items", []):
                tenant_id, followup_id = raw["tenant_id"]["S"], raw["followup_id"]["S"]
                try:
                    client.update_item(
                        TableName=table,
                        Key={
                            "pk": {"S": store.followup_pk(tenant_id, followup_id)},
                            "sk": {"S": store.FOLLOWUP_SK},
                        },
                        UpdateExpression=(
                            "SET #status = :claimed, claim_token = :token, "
                            "lease_expires_at = :lease, due_pk = :shard, due_sk = :due_sk, "
                            "gsi1pk = :gsi1, updated_at = :now, "
                            "claims = if_not_exists(claims, :zero) + :one, "
                            "version = version + :one REMOVE delivery_started_at"
                        ),
                        ConditionExpression=(
                            "(#status = :scheduled AND due_sk <= :due_limit) OR "
                            "(#status = :claimed AND lease_expires_at <= :now)"
                        ),
                        ExpressionAttributeNames={"#status": "status"},
                        ExpressionAttributeValues={
                            ":claimed": {"S": "claimed"},
                            ":scheduled": {"S": "scheduled"},
                            ":token": {"S": "floor"},
                            ":lease": {"S": pynamo_lease},
                            ":shard": {"S": shard},
                            ":due_sk": {"S": f"{lease_text}#{followup_id}"},
                            ":due_limit": {"S": now_text + "~"},
                            ":gsi1": {"S": store.status_key(tenant_id, "claimed")},
                            ":now": {"S": pynamo_now},
                            ":zero": {"N": "0"},
                            ":one": {"N": "1"},
                        },
                    )
                    claimed += 1
                except client.exceptions.ConditionalCheckFailedException:
                    pass
            start_key = page.get("LastEvaluatedKey")
            if not start_key:
                break
    return claimed


class _Counter:
    """Counts AWS calls by service while armed (a botocore hook, like tests/support)."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.armed = False

    def __call__(self, model: Any, **_: Any) -> None:
        if self.armed:
            service = model.service_model.service_name
            self.calls[service] = self.calls.get(service, 0) + 1


def _purge_queue() -> None:
    from chalicelib.notify import work_queue
    from chalicelib.store.clients import aws_client

    aws_client("sqs").purge_queue(QueueUrl=work_queue.queue_url())


def _timed(total: int, counter: _Counter) -> dict[str, float]:
    """Seed ``total`` due items; time the floor, then the app's sweep over the same items."""
    from chalicelib.services.followup_sweep import sweep

    # A day ahead of the real clock: the app sweep takes its lease from the real time.
    base = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    _seed(total, base - timedelta(minutes=1))
    start = time.perf_counter()
    floor_claims = _floor_sweep(base, lease_until=base + timedelta(seconds=1))
    floor_s = time.perf_counter() - start
    _check(floor_claims == total, f"floor claimed {floor_claims} of {total}")
    from chalicelib.services import followup_sweep

    # Time the SQS sends apart: moto's SQS computes queue attributes on every send, so its cost
    # grows with the messages already queued; the floor has no queue to compare with.
    real_enqueue = followup_sweep.work_queue.enqueue
    enqueue_s = [0.0]

    def timed_enqueue(messages: Any) -> int:
        began = time.perf_counter()
        try:
            return real_enqueue(messages)
        finally:
            enqueue_s[0] += time.perf_counter() - began

    followup_sweep.work_queue.enqueue = timed_enqueue
    counter.calls.clear()
    counter.armed = True
    start = time.perf_counter()
    try:
        report = sweep(base + timedelta(minutes=1), page_size=PAGE, time_left=_unlimited)
    finally:
        followup_sweep.work_queue.enqueue = real_enqueue
    app_s = time.perf_counter() - start
    counter.armed = False
    _check(report.claimed == total and report.complete, f"sweep: {report}")
    _purge_queue()
    return {
        "floor_s": floor_s,
        "app_s": app_s,
        "enqueue_s": enqueue_s[0],
        "dynamodb_calls": float(counter.calls.get("dynamodb", 0)),
        "sqs_calls": float(counter.calls.get("sqs", 0)),
    }


def _peak_memory(total: int) -> float:
    """Bytes the sweep allocates at its peak over ``total`` due items (store and queue faked).

    The due entries live in a list made before tracing starts, served a page at a time like the
    index; claims always succeed and enqueued messages are counted, not kept. What is traced is
    the sweep's own working set: it must not grow with ``total``.
    """
    from chalicelib.services import followup_sweep
    from chalicelib.store import followups as store

    entries = [store.DueEntry(f"T{n % TENANTS:03d}", f"F{n:07d}") for n in range(total)]
    shards = max(1, int(os.environ.get("FOLLOWUP_SHARDS", "16")))
    per_shard = [entries[s::shards] for s in range(shards)]
    enqueued = [0]

    def query_due(shard: str, until: datetime, start: Any, limit: int) -> Any:
        rows = per_shard[int(shard.split("#")[1]) % shards]
        offset = int(start or 0)
        page = rows[offset : offset + limit]
        nxt = offset + limit if offset + limit < len(rows) else None
        return page, nxt

    def claim(*args: Any, **kwargs: Any) -> bool:
        return True

    def enqueue(messages: Any) -> int:
        enqueued[0] += len(messages)
        return len(messages)

    real = (store.query_due, store.claim, followup_sweep.work_queue.enqueue)
    store.query_due, store.claim = query_due, claim  # type: ignore[assignment]
    followup_sweep.work_queue.enqueue = enqueue
    try:
        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        report = followup_sweep.sweep(datetime.now(UTC), page_size=PAGE, time_left=_unlimited)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        store.query_due, store.claim, followup_sweep.work_queue.enqueue = real
    _check(report.claimed == total and enqueued[0] == total, f"memory sweep: {report}")
    return float(peak - before)


def _worker_calls(counter: _Counter) -> tuple[float, float]:
    """DynamoDB and other AWS calls per follow-up of the worker (event channel, sample)."""
    import json

    from chalicelib import context
    from chalicelib.domain.followups import Channel
    from chalicelib.jobs.followups import work
    from chalicelib.notify import work_queue
    from chalicelib.schemas.customers import CustomerCreate
    from chalicelib.schemas.followups import FollowUpCreate, FollowUpSettings
    from chalicelib.schemas.tenants import TenantCreate
    from chalicelib.services import customers, followups, tenants
    from chalicelib.services.followup_sweep import sweep
    from chalicelib.services.settings import put_section
    from chalicelib.store.clients import aws_client

    created = tenants.onboard(TenantCreate(name="Bench Co", time_zone="UTC"))
    tenant_id = created.tenant.id
    now = datetime.now(UTC)
    with context.serving_tenant(tenant_id):
        settings = FollowUpSettings.model_validate(
            {"budget": {"quiet_hours_enabled": False, "max_messages": 50}}
        )
        put_section(tenant_id, "followups", settings, None)
        for n in range(WORKER_SAMPLE):
            customer = customers.create_customer(
                tenant_id,
                CustomerCreate(name=f"C{n}", email=f"c{n}@example.com", marketing_consent=True),
            )
            followups.create_followup(
                tenant_id,
                FollowUpCreate(customer_id=customer.id, due_at=now, channel=Channel.EVENT),
            )
    sweep(now + timedelta(seconds=1), page_size=PAGE)
    sqs = aws_client("sqs")
    url = work_queue.queue_url()
    counter.calls.clear()
    handled = 0
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            break
        records = {"Records": [{"messageId": m["MessageId"], "body": m["Body"]} for m in got]}
        counter.armed = True
        result = work(records, None)
        counter.armed = False
        _check(not result["batchItemFailures"], json.dumps(result))
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)
            ],
        )
        handled += len(got)
    _check(handled == WORKER_SAMPLE, f"worker handled {handled}")
    dynamo = counter.calls.get("dynamodb", 0) / handled
    other = (sum(counter.calls.values()) - counter.calls.get("dynamodb", 0)) / handled
    return dynamo, other


def _standin_index(total: int, due_at: datetime) -> Any:
    """``total`` due entries across :data:`TENANTS`, in the shards the app would write them."""
    from bench.standin import DueIndex
    from chalicelib.domain.ids import new_id
    from chalicelib.services.followups import due_shard
    from chalicelib.store import followups as store

    index = DueIndex()
    tenants = [new_id() for _ in range(TENANTS)]
    due_text = store.iso(due_at)
    for n in range(total):
        tenant_id, followup_id = tenants[n % TENANTS], new_id()
        index.add(
            due_shard(followup_id),
            f"{due_text}#{followup_id}",
            store.followup_pk(tenant_id, followup_id),
            tenant_id,
            followup_id,
        )
    index.sort()
    return index


def _standin_floor(total: int, latency: float, now: datetime) -> tuple[float, dict[str, int]]:
    """Seconds for raw boto3 (its own plain client) to Query and claim ``total`` items."""
    import boto3

    from bench.standin import StandIn

    standin = StandIn(_standin_index(total, now - timedelta(minutes=1)), latency)
    plain = boto3.client("dynamodb")  # no app hooks: the floor is bare boto3
    standin.install(plain)
    try:
        start = time.perf_counter()
        claimed = _floor_sweep(now, lease_until=now + timedelta(minutes=15), client=plain)
        elapsed = time.perf_counter() - start
    finally:
        standin.uninstall(plain)
    _check(claimed == total, f"floor claimed {claimed} of {total}")
    return elapsed, standin.calls


def _standin_app(
    total: int, latency: float, threads: int, now: datetime
) -> tuple[float, dict[str, int]]:
    """Seconds for the app's sweep (``threads`` shards at once) over ``total`` due items."""
    from bench.standin import StandIn
    from chalicelib.config import reset_settings
    from chalicelib.services.followup_sweep import sweep
    from chalicelib.store.clients import aws_client

    os.environ["FOLLOWUP_SWEEP_CONCURRENCY"] = str(threads)
    reset_settings()
    standin = StandIn(_standin_index(total, now - timedelta(minutes=1)), latency)
    clients = [aws_client("dynamodb"), aws_client("sqs")]
    for client in clients:
        standin.install(client)
    try:
        start = time.perf_counter()
        report = sweep(now, page_size=PAGE, time_left=_unlimited)
        elapsed = time.perf_counter() - start
    finally:
        for client in clients:
            standin.uninstall(client)
    _check(report.claimed == total == report.enqueued and report.complete, f"sweep: {report}")
    return elapsed, standin.calls


def _at_scale(section: Section, sizes: tuple[int, ...], latency: float) -> None:
    """Rows of the stand-in runs: CPU per item against the floor, then with a round trip."""
    from chalicelib.config import get_settings

    now = datetime.now(UTC).replace(microsecond=0)
    deployed = get_settings().followup_sweep_concurrency
    for total in sizes:
        floor_s, _ = _standin_floor(total, 0.0, now)
        app_s, calls = _standin_app(total, 0.0, 1, now)
        section.rows.append(
            Row(
                f"{total:,} due: client time per item, no latency, one thread",
                app_s / total * 1e6,
                "µs",
                floor=floor_s / total * 1e6,
                target=1.5,
                note="floor: raw Query + UpdateItem",
            )
        )
        per_item = sum(calls.values()) / total
        section.rows.append(
            Row(
                f"{total:,} due: AWS calls per follow-up",
                per_item,
                "calls",
                note=", ".join(f"{name} {count:,}" for name, count in sorted(calls.items())),
            )
        )
        app_s, _ = _standin_app(total, latency, deployed, now)
        row_floor = None
        if total <= MEDIUM:
            # One call at a time: the serial floor with latency is N round trips (skipped for
            # the large size, where it alone would take minutes).
            row_floor, _ = _standin_floor(total, latency, now)
        section.rows.append(
            Row(
                f"{total:,} due: throughput, {latency * 1000:g} ms per call, "
                f"{deployed} shards at once",
                total / app_s,
                "items/s",
                floor=total / row_floor if row_floor else None,
                note=(
                    f"all {total:,} dispatched in {app_s:.1f} s"
                    + ("; floor: raw calls one at a time" if row_floor else "")
                ),
            )
        )


def run() -> Section:
    """Sweep against its floor on moto, then at 10,000 and 100,000 items; calls; memory."""
    use_fake_aws()
    os.environ["FOLLOWUP_SWEEP_PAGE_SIZE"] = str(PAGE)
    small = int(os.environ.get("BENCH_SWEEP_ITEMS", str(SMALL)))
    large = int(os.environ.get("BENCH_SWEEP_LARGE", str(LARGE)))
    latency = float(os.environ.get("BENCH_SWEEP_LATENCY_MS", "5")) / 1000
    from botocore.handlers import BUILTIN_HANDLERS
    from moto import mock_aws

    from chalicelib.config import reset_settings
    from chalicelib.store.clients import reset_clients

    counter = _Counter()
    BUILTIN_HANDLERS.append(("before-call.*.*", counter))
    section = Section("Follow-up sweep")
    section.text = (
        f"Due follow-ups across {TENANTS} tenants, pages of {PAGE}, {TENANTS} tenants' items "
        "interleaved in every shard. Floor: raw boto3 Query of every due-index shard plus one "
        "conditional UpdateItem per item (the claim), one call at a time, over the same items; "
        "the app's sweep adds claim tokens, lease times, the tenancy guard and SQS batches of "
        f"10. **On moto** ({small:,} items, one thread): the real semantics end to end, and the "
        f"calls per follow-up of the sweep and of the worker ({WORKER_SAMPLE} custom follow-ups "
        "on the event channel). **At 10,000 and "
        f"{large:,}** the server side is an in-memory stand-in (`bench/standin.py`: moto's GSI "
        "Query walks the whole table for every page, so these sizes would take hours there and "
        "measure moto): first without latency, one thread (what the client side costs per "
        f"item), then with a modelled {latency * 1000:g} ms round trip per call and the "
        "deployed concurrency, which is what a sweep Lambda sees. Peak memory: tracemalloc over "
        "one sweep with entries served a page at a time (allocated before tracing), the "
        "sweep's own working set with all its threads."
    )
    # Against moto, threads only contend for the one CPU moto runs on: compare one to one.
    os.environ["FOLLOWUP_SWEEP_CONCURRENCY"] = "1"
    with mock_aws():
        from chalicelib.notify import work_queue
        from scripts.provision import provision

        reset_settings()
        reset_clients()
        work_queue.reset()
        provision()
        timed = _timed(small, counter)
        claims_s = timed["app_s"] - timed["enqueue_s"]
        section.rows.append(
            Row(
                f"moto, {small:,} due: sweep time per item without the SQS sends",
                claims_s / small * 1000,
                "ms",
                floor=timed["floor_s"] / small * 1000,
                # moto's server side dominates both and varies between the two runs; the app's
                # own overhead is judged on the stand-in rows below.
                note="floor: raw Query + UpdateItem",
            )
        )
        section.rows.append(
            Row(
                f"moto, {small:,} due: SQS send time per item",
                timed["enqueue_s"] / small * 1000,
                "ms",
                note="moto's SQS: grows with the messages queued",
            )
        )
        section.rows.append(
            Row(
                "sweep DynamoDB calls per follow-up",
                timed["dynamodb_calls"] / small,
                "calls",
                note="1 claim + 1 Query per page of 100 per shard",
            )
        )
        section.rows.append(
            Row("sweep SQS calls per follow-up", timed["sqs_calls"] / small, "calls")
        )
        dynamo, other = _worker_calls(counter)
        section.rows.append(Row("worker DynamoDB calls per follow-up", dynamo, "calls"))
        section.rows.append(
            Row("worker other AWS calls per follow-up", other, "calls", note="EventBridge")
        )
    os.environ.pop("FOLLOWUP_SWEEP_CONCURRENCY")
    os.environ["FOLLOWUPS_QUEUE_URL"] = "https://sqs.eu-west-1.amazonaws.com/1/aftersales-bench"
    reset_settings()
    reset_clients()
    try:
        _at_scale(section, (MEDIUM, large), latency)
    finally:
        os.environ.pop("FOLLOWUPS_QUEUE_URL")
        os.environ.pop("FOLLOWUP_SWEEP_CONCURRENCY", None)
        reset_settings()
        reset_clients()
    ten = _peak_memory(MEDIUM)
    hundred = _peak_memory(large)
    section.rows.append(Row(f"sweep peak memory, {MEDIUM:,} due", ten / 1e3, "kB"))
    section.rows.append(
        Row(
            f"sweep peak memory, {large:,} due",
            hundred / 1e3,
            "kB",
            floor=ten / 1e3,
            target=1.5,
            note=f"vs {MEDIUM:,}: bounded by the pages in flight",
        )
    )
    return section
