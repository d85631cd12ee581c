"""Driving the follow-up engine in tests: a settable clock, the real handlers, the real queue.

``Engine.tick(now)`` fires the ``followups_sweep`` schedule handler with an EventBridge event and
then drains the SQS queue into the ``followups_worker`` handler with real SQS records, deleting
only the records the handler did not report as failed, as Lambda's event source mapping does.
"""

from __future__ import annotations

import email
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from typing import Any

REGION = "eu-west-1"


class FakeContext:
    """The bits of a Lambda context the handlers read."""

    function_name = "test"
    memory_limit_in_mb = 512
    aws_request_id = "test-request"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:test"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


class CountdownContext(FakeContext):
    """A Lambda context whose remaining time drops by ``step_ms`` at every look: a sweep that
    checks its time after each page runs a known number of pages (no wall clock involved)."""

    def __init__(self, start_ms: int, step_ms: int) -> None:
        self.left = start_ms
        self.step = step_ms

    def get_remaining_time_in_millis(self) -> int:
        self.left -= self.step
        return self.left


@dataclass
class Clock:
    """A settable clock patched into the engine's modules."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 10, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


def scheduled_event() -> dict[str, Any]:
    """An EventBridge scheduled event as Lambda receives it."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": ["arn:aws:events:eu-west-1:123456789012:rule/followups_sweep"],
        "detail": {},
    }


def sqs_records(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """SQS records as Lambda's event source mapping delivers them."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:aftersales-followups",
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


@dataclass
class Engine:
    """The sweep and the worker, fired through the app's own handlers."""

    clock: Clock

    def sweep(self, context: Any = None) -> dict[str, Any]:
        import app

        result: dict[str, Any] = app.followups_sweep(scheduled_event(), context or FakeContext())
        return result

    def receive(self, limit: int = 10) -> list[dict[str, Any]]:
        from chalicelib.notify import work_queue
        from chalicelib.store.clients import aws_client

        got: list[dict[str, Any]] = (
            aws_client("sqs")
            .receive_message(
                QueueUrl=work_queue.queue_url(),
                MaxNumberOfMessages=limit,
                WaitTimeSeconds=0,
                VisibilityTimeout=0,
            )
            .get("Messages", [])
        )
        return got

    def deliver(self, messages: list[dict[str, Any]], *, delete: bool = True) -> list[str]:
        """Run the worker on these messages; returns the ids it reported as failed."""
        import app
        from chalicelib.notify import work_queue
        from chalicelib.store.clients import aws_client

        result = app.followups_worker(sqs_records(messages), FakeContext())
        failed = [f["itemIdentifier"] for f in result["batchItemFailures"]]
        if delete:
            for m in messages:
                if m["MessageId"] not in failed:
                    aws_client("sqs").delete_message(
                        QueueUrl=work_queue.queue_url(), ReceiptHandle=m["ReceiptHandle"]
                    )
        return failed

    def drain(self) -> int:
        """Deliver everything queued; returns how many messages were handled."""
        handled = 0
        for _ in range(10_000):
            got = self.receive()
            if not got:
                return handled
            self.deliver(got)
            handled += len(got)
        raise AssertionError("queue did not drain")

    def tick(self) -> int:
        """One minute of the engine: sweep, then drain the queue."""
        self.sweep()
        return self.drain()


def sent_emails() -> list[Message]:
    """Every email sent through moto SES, parsed."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    found = []
    for message in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages:
        raw = getattr(message, "raw_data", None)
        if raw:
            # Parsed from bytes: a str-parsed 8bit part decodes non-ASCII text as escapes.
            found.append(email.message_from_bytes(raw.encode("utf-8")))
    return found


def text_of(message: Message) -> str:
    """The plain-text part of an email."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


def html_of(message: Message) -> str:
    """The HTML part of an email."""
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no html part")


def dead_letters() -> list[dict[str, Any]]:
    """Messages parked on the follow-up dead-letter queue."""
    from chalicelib.notify import work_queue
    from chalicelib.store.clients import aws_client

    got = aws_client("sqs").receive_message(
        QueueUrl=work_queue.dead_letter_url(), MaxNumberOfMessages=10, WaitTimeSeconds=0
    )
    return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def seed_due(tenants: int, per_tenant: int, due_at: datetime, channel: str = "event") -> int:
    """Batch-write tenants, one consenting customer per follow-up, and due follow-ups.

    Everything is written with BatchWriteItem (25 items a call) so 10,000 follow-ups take
    seconds; the items are exactly what ``services.followups.schedule`` would have stored.
    """
    from chalicelib.domain.ids import new_id
    from chalicelib.services.followups import due_shard
    from chalicelib.store import followups as store
    from chalicelib.store.base import utcnow
    from chalicelib.store.customers import CustomerItem
    from chalicelib.store.tenants import new_tenant_item

    now = utcnow()
    made = 0
    with store.FollowUpItem.batch_write() as followups, CustomerItem.batch_write() as customers:
        for t in range(tenants):
            tenant_id = new_id()
            new_tenant_item(
                tenant_id, name=f"Tenant {t}", plan="growth", default_locale="en", time_zone="UTC"
            ).save()
            for _ in range(per_tenant):
                customer_id, followup_id = new_id(), new_id()
                customers.save(
                    CustomerItem(
                        pk=f"{tenant_id}#CUSTOMER",
                        sk=customer_id,
                        tenant_id=tenant_id,
                        customer_id=customer_id,
                        name="Customer",
                        email=f"{customer_id.lower()}@example.com",
                        marketing_consent=True,
                        contact_consent=True,
                        created_at=now,
                        updated_at=now,
                        version=1,
                    )
                )
                item = store.FollowUpItem(
                    pk=store.followup_pk(tenant_id, followup_id),
                    sk=store.FOLLOWUP_SK,
                    tenant_id=tenant_id,
                    followup_id=followup_id,
                    kind="custom",
                    subject_kind="customer",
                    subject_id=customer_id,
                    customer_id=customer_id,
                    channel=channel,
                    status="scheduled",
                    due_at=due_at,
                    data={"subject": "Seeded"},
                    attempts=0,
                    claims=0,
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
                store.set_index_keys(item, due_shard(followup_id), due_at)
                followups.save(item)
                made += 1
    return made


def new_customer(api: Any, tenant: Any, **fields: Any) -> dict[str, Any]:
    """A customer of ``tenant`` made through the API (Alex, consenting to messages)."""
    body = {"name": "Alex", "email": "alex@example.com", "marketing_consent": True, **fields}
    r = api.request("POST", "/v1/customers", key=tenant.admin_key, json_body=body)
    assert r.status_code == 201, r.body
    return dict(json.loads(r.body))


def plan_followup(api: Any, tenant: Any, due: datetime, **fields: Any) -> dict[str, Any]:
    """A custom follow-up due at ``due``, created through the API; for a new customer unless
    ``customer_id`` is given."""
    body = {"due_at": due.isoformat(), "subject": "Filter", "message": "Change it.", **fields}
    if "customer_id" not in body:
        body["customer_id"] = new_customer(api, tenant)["id"]
    r = api.request("POST", "/v1/followups", key=tenant.admin_key, json_body=body)
    assert r.status_code == 201, r.body
    return dict(json.loads(r.body))
