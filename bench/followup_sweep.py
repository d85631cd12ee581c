"""The follow-up sweep at scale: items per second against raw Query + UpdateItem, calls per
follow-up, and peak memory for 10,000 and 100,000 due items.

All in-process against moto. ``N`` due follow-ups across 100 tenants are written with batch
writes. The **floor** is raw boto3 doing the least any sweep must do: Query every shard of the
due index page by page and claim each item with one conditional UpdateItem (the same
expression the store uses). The floor claims with a lease that has already run out, so the
app's sweep right after sees the same ``N`` items due (the expired-lease branch of the same
condition) and does the same DynamoDB work, plus its own: tokens, the SQS batches, the report.
Memory: ``tracemalloc`` peak during one app sweep over the re-armed items, above what was
allocated before it started (moto's own table is allocated before). ``BENCH_SWEEP_LARGE``
sets the large size (default 100,000; 0 skips it).
"""

from __future__ import annotations

import os
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.harness import Row, Section, use_fake_aws

TENANTS = 100
SMALL = 2_000
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


def _floor_sweep(now: datetime, lease_until: datetime) -> int:
    """Raw boto3: Query each shard page by page, claim every entry; returns claims made."""
    from chalicelib.config import get_settings
    from chalicelib.domain.followups import sweep_shard_keys
    from chalicelib.store import followups as store
    from chalicelib.store.clients import aws_client

    client = aws_client("dynamodb")
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


def run() -> Section:
    """Sweep throughput against its floor, calls per follow-up, peak memory at two sizes."""
    use_fake_aws()
    os.environ["FOLLOWUP_SWEEP_PAGE_SIZE"] = str(PAGE)
    small = int(os.environ.get("BENCH_SWEEP_ITEMS", str(SMALL)))
    from botocore.handlers import BUILTIN_HANDLERS
    from moto import mock_aws

    counter = _Counter()
    BUILTIN_HANDLERS.append(("before-call.*.*", counter))
    section = Section("Follow-up sweep")
    section.text = (
        f"{small:,} due follow-ups across {TENANTS} tenants, in-process against moto, pages of "
        f"{PAGE}. Floor: raw boto3 Query of every due-index shard plus one conditional "
        "UpdateItem per item (the claim), on the same moto and the same items; the app's sweep "
        "adds claim tokens, lease times and SQS batches of 10. Calls are counted per follow-up "
        f"(worker: {WORKER_SAMPLE} custom follow-ups on the event channel). Peak memory: "
        "tracemalloc over one sweep with the store and queue faked (entries allocated before "
        "tracing), i.e. the sweep's own working set, for 10,000 and 100,000 due items."
    )
    with mock_aws():
        from chalicelib.config import reset_settings
        from chalicelib.notify import work_queue
        from scripts.provision import provision

        reset_settings()
        work_queue.reset()
        provision()
        timed = _timed(small, counter)
        claims_s = timed["app_s"] - timed["enqueue_s"]
        section.rows.append(
            Row(
                "sweep throughput (whole sweep)",
                small / timed["app_s"],
                "items/s",
                floor=small / timed["floor_s"],
                note="floor: raw Query + UpdateItem",
            )
        )
        section.rows.append(
            Row(
                "sweep time per item without the SQS sends",
                claims_s / small * 1000,
                "ms",
                floor=timed["floor_s"] / small * 1000,
                target=1.5,
            )
        )
        section.rows.append(
            Row(
                "SQS send time per item",
                timed["enqueue_s"] / small * 1000,
                "ms",
                note="moto SQS: grows with the queued messages",
            )
        )
        section.rows.append(
            Row("sweep DynamoDB calls per follow-up", timed["dynamodb_calls"] / small, "calls")
        )
        section.rows.append(
            Row("sweep SQS calls per follow-up", timed["sqs_calls"] / small, "calls")
        )
        dynamo, other = _worker_calls(counter)
        section.rows.append(Row("worker DynamoDB calls per follow-up", dynamo, "calls"))
        section.rows.append(
            Row("worker other AWS calls per follow-up", other, "calls", note="EventBridge")
        )
    ten = _peak_memory(10_000)
    hundred = _peak_memory(100_000)
    section.rows.append(Row("sweep peak memory, 10,000 due", ten / 1e3, "kB"))
    section.rows.append(
        Row(
            "sweep peak memory, 100,000 due",
            hundred / 1e3,
            "kB",
            floor=ten / 1e3,
            target=1.5,
            note="vs 10,000: bounded by the page",
        )
    )
    return section
