"""Create the AWS resources the app needs in a (moto) account: used by the local stack and tests.

Tables come from the PynamoDB models (``chalicelib.store.tables``); queues, the event bus and the
SES identity from ``chalicelib.store.resources``, the same definitions the CDK app reads.
"""

from __future__ import annotations

from chalicelib.config import get_settings
from chalicelib.store.clients import aws_client
from chalicelib.store.tables import ensure_tables


def provision() -> dict[str, str]:
    """Create tables, the event bus, the uploads bucket and the SES sender identity."""
    ensure_tables()
    settings = get_settings()
    created: dict[str, str] = {}
    if settings.event_bus_name != "default":
        events = aws_client("events")
        names = {b["Name"] for b in events.list_event_buses().get("EventBuses", [])}
        if settings.event_bus_name not in names:
            events.create_event_bus(Name=settings.event_bus_name)
        created["event_bus"] = settings.event_bus_name
    s3 = aws_client("s3")
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    region = s3.meta.region_name
    options = (
        {"CreateBucketConfiguration": {"LocationConstraint": region}}
        if region and region != "us-east-1"
        else {}
    )
    for name, bucket in (
        ("attachments_bucket", settings.attachments_bucket),
        ("uploads_bucket", settings.uploads_bucket),
    ):
        if bucket not in existing:
            s3.create_bucket(Bucket=bucket, **options)
        created[name] = bucket
    created.update(ensure_queues())
    aws_client("ses").verify_email_identity(EmailAddress=settings.ses_sender)
    created["ses_sender"] = settings.ses_sender
    return created


def ensure_queues() -> dict[str, str]:
    """The follow-up work queue and its dead-letter queue (redrive after 5 receives, as infra)."""
    import json

    settings = get_settings()
    sqs = aws_client("sqs")
    name = settings.followups_queue_name
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": "180",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}),
        },
    )["QueueUrl"]
    return {"followups_queue": url, "followups_dead_letter_queue": dlq_url}
