"""Reading and rewriting one end customer's items across tables (export and erasure).

Access patterns (all Query on existing indexes, no Scan):

| pattern                          | how                                                   |
|----------------------------------|-------------------------------------------------------|
| tickets of a customer            | tickets index ``by_customer`` (``gsi4pk``), all pages  |
| messages of a ticket             | Query ``<tenant>#TICKET#<id>``, sk begins_with MSG     |
| feedback responses of a customer | feedback index ``by_customer`` (``gsi5pk``), all pages |
| survey opt-out of a customer     | GetItem ``<tenant>#OPTOUT`` / ``<customer id>``        |

Rewrites are single-item UpdateItems conditioned on the version (or existence) read, so a
concurrent edit is never overwritten with stale data; each is idempotent (erasing an erased item
changes nothing), which makes an interrupted erasure safe to run again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.domain.errors import VersionConflict
from chalicelib.store import feedback as feedback_store
from chalicelib.store import tickets as tickets_store
from chalicelib.store.errors import is_condition_failure

PAGE = 100


def customer_tickets(tenant_id: str, customer_id: str) -> Iterator[tickets_store.TicketItem]:
    """Every ticket of the customer (any status)."""
    filters = tickets_store.ListFilters(customer_id=customer_id)
    start: Any = None
    while True:
        page = tickets_store.list_tickets(tenant_id, filters, PAGE, start)
        yield from page.items
        if page.next_key is None:
            return
        start = page.next_key


def ticket_messages(tenant_id: str, ticket_id: str) -> Iterator[tickets_store.MessageItem]:
    """Every message of a ticket, oldest first."""
    start: Any = None
    while True:
        page = tickets_store.list_messages(tenant_id, ticket_id, PAGE, start)
        yield from page.items
        if page.next_key is None:
            return
        start = page.next_key


def customer_responses(tenant_id: str, customer_id: str) -> Iterator[feedback_store.ResponseItem]:
    """Every feedback response still linked to the customer."""
    start: Any = None
    while True:
        page = feedback_store.list_responses(
            tenant_id,
            index="by_customer",
            hash_key=feedback_store.responses_facet(tenant_id, "customer", customer_id),
            limit=PAGE,
            start_key=start,
            low=None,
            high=None,
            filter_condition=None,
        )
        yield from page.items
        if page.next_key is None:
            return
        start = page.next_key


def optout(tenant_id: str, customer_id: str) -> feedback_store.OptOutItem | None:
    """The customer's survey opt-out, if any."""
    return feedback_store.get_optout(tenant_id, customer_id)


def _conditional(update: Any, what: str) -> None:
    try:
        update()
    except UpdateError as exc:
        if is_condition_failure(exc):
            raise VersionConflict(f"the {what} changed meanwhile; run the erasure again") from exc
        raise


def redact_ticket(item: tickets_store.TicketItem, text: str) -> None:
    """Replace the customer-written text of a ticket (subject, description)."""
    version = int(item.version)
    _conditional(
        lambda: item.update(
            actions=[
                tickets_store.TicketItem.subject.set(text),
                tickets_store.TicketItem.description.set(text),
                tickets_store.TicketItem.version.set(version + 1),
            ],
            condition=tickets_store.TicketItem.version == version,
        ),
        "ticket",
    )


def redact_message(item: tickets_store.MessageItem, text: str, author: dict[str, Any]) -> None:
    """Replace a message's body and its author's identifying details."""
    _conditional(
        lambda: item.update(
            actions=[
                tickets_store.MessageItem.body.set(text),
                tickets_store.MessageItem.author.set(author),
            ],
            condition=tickets_store.MessageItem.pk.exists(),
        ),
        "message",
    )


def detach_response(item: feedback_store.ResponseItem, placeholder: str) -> None:
    """Keep a response (score, comment, report buckets) but drop who gave it."""
    version = int(item.version)
    _conditional(
        lambda: item.update(
            actions=[
                feedback_store.ResponseItem.customer_id.set(placeholder),
                feedback_store.FeedbackTable.gsi5pk.remove(),
                feedback_store.ResponseItem.version.set(version + 1),
            ],
            condition=feedback_store.ResponseItem.version == version,
        ),
        "feedback response",
    )


def delete_optout(tenant_id: str, customer_id: str) -> bool:
    """Remove the customer's opt-out record (its id is personal data once erased)."""
    return feedback_store.delete_optout(tenant_id, customer_id)


def replays_mentioning(tenant_id: str, needles: list[str]) -> list[dict[str, Any]]:
    """Keys of the tenant's stored idempotent responses whose data mentions any needle.

    One Query on the tenant's idempotency partition (records live 24 hours at most).
    """
    from chalicelib.store.clients import aws_client
    from chalicelib.store.idempotency import IdempotencyTable, partition

    client = aws_client("dynamodb")
    params: dict[str, Any] = {
        "TableName": IdempotencyTable.Meta.table_name,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": partition(tenant_id)}},
    }
    found = []
    while True:
        response = client.query(**params)
        for item in response.get("Items", []):
            text = str(item)
            if any(needle and needle in text for needle in needles):
                found.append({"pk": item["pk"], "sk": item["sk"]})
        if "LastEvaluatedKey" not in response:
            return found
        params["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def delete_replays(keys: list[dict[str, Any]]) -> int:
    """Delete stored idempotent responses by key (retrying unprocessed items)."""
    from chalicelib.store.batch import batch_delete
    from chalicelib.store.idempotency import IdempotencyTable

    return batch_delete(IdempotencyTable.Meta.table_name, keys)
