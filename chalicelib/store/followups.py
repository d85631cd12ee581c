"""Follow-ups table: planned outreach, dedupe guards and per-customer contact history.

Items (every partition key begins with the tenant id):

| item              | pk                              | sk                 |
|-------------------|---------------------------------|--------------------|
| follow-up         | ``<tenant>#FU#<followup id>``   | ``FOLLOWUP``       |
| dedupe guard      | ``<tenant>#FU_DEDUPE``          | ``<dedupe key>``   |
| contact history   | ``<tenant>#CONTACT``            | ``<customer id>``  |

One partition per follow-up (not one per tenant) so a tenant with a burst of follow-ups does not
concentrate its claims on one partition.

Access patterns:

| pattern                       | how                                                       |
|-------------------------------|-----------------------------------------------------------|
| get by id                     | GetItem ``<tenant>#FU#<id>`` / ``FOLLOWUP``                |
| list by status (+ due range)  | Query ``by_status``: ``<tenant>#FU#S#<status>``, ``lsk``   |
| list by kind (+ due range)    | Query ``by_kind``: ``<tenant>#FU#K#<kind>``, ``lsk``       |
| list all (+ due range)        | Query ``by_due``: ``<tenant>#FU#ALL``, ``lsk``             |
| open follow-ups of a subject  | Query ``by_subject``: ``<tenant>#FU#SUBJ#<kind>#<id>``     |
| follow-ups of a customer      | Query ``by_customer``: ``<tenant>#FU#C#<customer id>``     |
| sweep: due now, all tenants   | Query ``due`` per shard: ``due#<n>``, ``due_sk <= now``    |
| dedupe a rule firing twice    | guard Put (attribute_not_exists) in the create transaction |
| contact budget of a customer  | GetItem + version-conditional write of the history item   |

``lsk`` is ``<due at>#<id>``: lists sort by due time and a due range is a key condition.

The ``due`` index is **platform-owned, sparse and write-sharded**: only scheduled items (at
their due time) and claimed items (at their lease expiry, so an abandoned claim comes back by
itself) carry ``due_pk``/``due_sk``. Terminal items drop both attributes and leave the index,
so the sweep reads only work. ``due_pk`` is ``due#<n>`` with ``n`` a stable hash of the id
modulo the shard count: one time-ordered partition would take every write of every tenant
(a hot partition); ``n`` partitions spread them, and the sweep queries all ``n``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict, VersionConflict
from chalicelib.store.base import TableMeta, TenantModel, VersionedMixin, key, utcnow
from chalicelib.store.errors import cancellation_codes, is_condition_failure
from chalicelib.store.paging import Page, StartKey, query_page

FOLLOWUP_SK = "FOLLOWUP"
DUE_PREFIX = "due"
TTL_ATTRIBUTE = "expires_at"
CONDITION_FAILED = "ConditionalCheckFailed"


class ByStatusIndex(GlobalSecondaryIndex["FollowUpsTable"]):
    """A tenant's follow-ups in one status, by due time."""

    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    lsk = UnicodeAttribute(range_key=True)


class ByKindIndex(GlobalSecondaryIndex["FollowUpsTable"]):
    """A tenant's follow-ups of one kind, by due time."""

    class Meta:
        index_name = "by_kind"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    lsk = UnicodeAttribute(range_key=True)


class ByDueIndex(GlobalSecondaryIndex["FollowUpsTable"]):
    """All of a tenant's follow-ups, by due time."""

    class Meta:
        index_name = "by_due"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    lsk = UnicodeAttribute(range_key=True)


class BySubjectIndex(GlobalSecondaryIndex["FollowUpsTable"]):
    """A tenant's follow-ups about one subject (a ticket, a warranty...)."""

    class Meta:
        index_name = "by_subject"
        projection = AllProjection()

    gsi4pk = UnicodeAttribute(hash_key=True)
    lsk = UnicodeAttribute(range_key=True)


class ByCustomerIndex(GlobalSecondaryIndex["FollowUpsTable"]):
    """A tenant's follow-ups to one customer (data-subject export and erasure)."""

    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    gsi5pk = UnicodeAttribute(hash_key=True)
    lsk = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex["FollowUpsTable"]):
    """Platform-only, sparse, write-sharded: follow-ups to claim, by due time / lease expiry."""

    class Meta:
        index_name = "due"
        projection = IncludeProjection(["tenant_id", "followup_id"])

    due_pk = UnicodeAttribute(hash_key=True)
    due_sk = UnicodeAttribute(range_key=True)


class FollowUpsTable(TenantModel):
    """Table definition: keys and indexes of the follow-ups table."""

    class Meta(metaclass=TableMeta):
        base_name = "followups"

    gsi1pk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi5pk = UnicodeAttribute(null=True)
    lsk = UnicodeAttribute(null=True)
    due_pk = UnicodeAttribute(null=True)
    due_sk = UnicodeAttribute(null=True)
    by_status = ByStatusIndex()
    by_kind = ByKindIndex()
    by_due = ByDueIndex()
    by_subject = BySubjectIndex()
    by_customer = ByCustomerIndex()
    due = DueIndex()


class FollowUpItem(VersionedMixin, FollowUpsTable):
    """One follow-up."""

    followup_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    subject_kind = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    status = UnicodeAttribute()
    due_at = UTCDateTimeAttribute()
    rule = UnicodeAttribute(null=True)
    data = JSONAttribute(default=dict)
    dedupe_key = UnicodeAttribute(null=True)
    webhook_id = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    claims = NumberAttribute(default=0)
    claim_token = UnicodeAttribute(null=True)
    lease_expires_at = UTCDateTimeAttribute(null=True)
    delivery_started_at = UTCDateTimeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    delivery_ref = UnicodeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class DedupeItem(FollowUpsTable):
    """Guard: one follow-up per dedupe key (expires with the TTL)."""

    followup_id = UnicodeAttribute()
    expires_at = NumberAttribute(null=True)


class ContactItem(VersionedMixin, FollowUpsTable):
    """A customer's contact history (for the budget) and the unsubscribe-from-everything choice.

    The unsubscribe-from-surveys choice lives on the feedback side (its opt-out list), the one
    record every survey sender and the survey page read.
    """

    customer_id = UnicodeAttribute()
    # follow-up id -> RFC 3339 send time: the counted sends (trimmed to the window).
    sends = JSONAttribute(default=dict)
    last_survey_at = UTCDateTimeAttribute(null=True)
    last_survey_followup = UnicodeAttribute(null=True)
    prior_survey_at = UTCDateTimeAttribute(null=True)
    all_unsubscribed = BooleanAttribute(default=False)
    updated_at = UTCDateTimeAttribute(null=True)


# --- keys ----------------------------------------------------------------------------------


def followup_pk(tenant_id: str, followup_id: str) -> str:
    """Partition key of one follow-up."""
    return key(tenant_id, "FU", followup_id)


def iso(instant: datetime) -> str:
    """Sortable UTC text of an instant (milliseconds)."""
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def list_sort_key(due_at: datetime, followup_id: str) -> str:
    """``lsk``: lists sort by due time, ties by id."""
    return f"{iso(due_at)}#{followup_id}"


def status_key(tenant_id: str, status: str) -> str:
    """``by_status`` partition."""
    return key(tenant_id, "FU", "S", status)


def kind_key(tenant_id: str, kind: str) -> str:
    """``by_kind`` partition."""
    return key(tenant_id, "FU", "K", kind)


def all_key(tenant_id: str) -> str:
    """``by_due`` partition."""
    return key(tenant_id, "FU", "ALL")


def subject_key(tenant_id: str, subject_kind: str, subject_id: str) -> str:
    """``by_subject`` partition."""
    return key(tenant_id, "FU", "SUBJ", subject_kind, subject_id)


def customer_key(tenant_id: str, customer_id: str) -> str:
    """``by_customer`` partition."""
    return key(tenant_id, "FU", "C", customer_id)


def contact_pk(tenant_id: str) -> str:
    """Partition of the tenant's contact histories."""
    return key(tenant_id, "CONTACT")


def set_index_keys(item: FollowUpItem, due_shard: str | None, index_at: datetime | None) -> None:
    """Set the list keys from the item's fields and the sparse due keys (``None`` drops them)."""
    tenant_id = item.tenant_id
    item.gsi1pk = status_key(tenant_id, item.status)
    item.gsi2pk = kind_key(tenant_id, item.kind)
    item.gsi3pk = all_key(tenant_id)
    item.gsi4pk = subject_key(tenant_id, item.subject_kind, item.subject_id)
    item.gsi5pk = customer_key(tenant_id, item.customer_id)
    item.lsk = list_sort_key(item.due_at, item.followup_id)
    if due_shard is None or index_at is None:
        item.due_pk = None
        item.due_sk = None
    else:
        item.due_pk = due_shard
        item.due_sk = f"{iso(index_at)}#{item.followup_id}"


# --- reads ---------------------------------------------------------------------------------


def get_followup(tenant_id: str, followup_id: str) -> FollowUpItem | None:
    """One follow-up (consistent), or None (also for another tenant's id)."""
    try:
        return FollowUpItem.get(
            followup_pk(tenant_id, followup_id), FOLLOWUP_SK, consistent_read=True
        )
    except FollowUpItem.DoesNotExist:
        return None


def get_dedupe(tenant_id: str, dedupe_key: str) -> str | None:
    """The follow-up id a dedupe key already created, if any."""
    try:
        guard = DedupeItem.get(key(tenant_id, "FU_DEDUPE"), dedupe_key, consistent_read=True)
    except DedupeItem.DoesNotExist:
        return None
    return guard.followup_id


@dataclass(frozen=True)
class ListFilters:
    """What a list narrows to; at most one of status/kind picks the index, the other filters."""

    status: str | None = None
    kind: str | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None


def list_followups(
    tenant_id: str, filters: ListFilters, limit: int, start_key: StartKey | None
) -> Page[FollowUpItem]:
    """One page of follow-ups by due time, from the index that matches the filters."""
    if filters.status is not None:
        index: Any = FollowUpsTable.by_status
        hash_key = status_key(tenant_id, filters.status)
    elif filters.kind is not None:
        index = FollowUpsTable.by_kind
        hash_key = kind_key(tenant_id, filters.kind)
    else:
        index = FollowUpsTable.by_due
        hash_key = all_key(tenant_id)
    low = iso(filters.due_from) if filters.due_from else None
    # "~" sorts after every id character: an upper bound includes all ids at that instant.
    high = iso(filters.due_to) + "~" if filters.due_to else None
    range_condition: Condition | None = None
    if low and high:
        range_condition = FollowUpsTable.lsk.between(low, high)
    elif low:
        range_condition = FollowUpsTable.lsk >= low
    elif high:
        range_condition = FollowUpsTable.lsk <= high
    filter_condition = None
    if filters.status is not None and filters.kind is not None:
        filter_condition = FollowUpItem.kind == filters.kind
    return query_page(
        index,
        hash_key,
        limit=limit,
        start_key=start_key,
        range_key_condition=range_condition,
        filter_condition=filter_condition,
        model=FollowUpItem,
    )


def open_for_subject(tenant_id: str, subject_kind: str, subject_id: str) -> Iterator[FollowUpItem]:
    """Every scheduled or claimed follow-up about a subject (pages through the index)."""
    return FollowUpItem.query(
        subject_key(tenant_id, subject_kind, subject_id),
        filter_condition=FollowUpItem.status.is_in("scheduled", "claimed"),
        index_name="by_subject",
        page_size=100,
    )


@dataclass(frozen=True)
class DueEntry:
    """One entry of the due index: enough to claim the follow-up."""

    tenant_id: str
    followup_id: str
    # When it became due (its due time, or for an abandoned claim its lease expiry).
    due_at: datetime | None = None


def _due_of(sort_key: str) -> datetime | None:
    try:
        return datetime.strptime(sort_key.split("#", 1)[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=UTC
        )
    except ValueError:
        return None


def query_due(
    shard: str, until: datetime, start_key: StartKey | None, limit: int
) -> tuple[list[DueEntry], StartKey | None]:
    """Platform sweep: one page of entries of ``shard`` due at or before ``until``."""
    from chalicelib.store.clients import aws_client

    params: dict[str, Any] = {
        "TableName": FollowUpsTable.Meta.table_name,
        "IndexName": "due",
        "KeyConditionExpression": "due_pk = :shard AND due_sk <= :until",
        "ExpressionAttributeValues": {
            ":shard": {"S": shard},
            ":until": {"S": iso(until) + "~"},
        },
        "ProjectionExpression": "tenant_id, followup_id, due_sk",
        "Limit": limit,
    }
    if start_key:
        params["ExclusiveStartKey"] = start_key
    response = aws_client("dynamodb").query(**params)
    entries = [
        DueEntry(
            tenant_id=raw["tenant_id"]["S"],
            followup_id=raw["followup_id"]["S"],
            due_at=_due_of(raw.get("due_sk", {}).get("S", "")),
        )
        for raw in response.get("Items", [])
    ]
    return entries, response.get("LastEvaluatedKey")


# --- writes --------------------------------------------------------------------------------


def create_followup(item: FollowUpItem, dedupe_ttl: int | None) -> FollowUpItem:
    """Store a new follow-up; with a dedupe key, atomically with its guard.

    Raises ``Conflict(duplicate_followup)`` when the dedupe key was used already.
    """
    if item.dedupe_key is None:
        item.save(condition=FollowUpItem.pk.does_not_exist())
        return item
    guard = DedupeItem(
        pk=key(item.tenant_id, "FU_DEDUPE"),
        sk=item.dedupe_key,
        tenant_id=item.tenant_id,
        followup_id=item.followup_id,
        expires_at=dedupe_ttl,
    )
    try:
        with TransactWrite(connection=FollowUpItem._get_connection().connection) as tx:
            tx.save(guard, condition=DedupeItem.pk.does_not_exist())
            tx.save(item, condition=FollowUpItem.pk.does_not_exist())
    except TransactWriteError as exc:
        codes = cancellation_codes(exc)
        if codes and codes[0] == CONDITION_FAILED:
            raise Conflict(
                "a follow-up with this dedupe key exists already", code="duplicate_followup"
            ) from exc
        raise
    return item


def replace_followup(item: FollowUpItem, expected_version: int) -> FollowUpItem:
    """Write ``item`` (version already bumped) if the stored version is ``expected_version``."""
    try:
        item.save(condition=FollowUpItem.version == expected_version)
    except Exception as exc:
        if is_condition_failure(exc):
            raise VersionConflict(
                "the follow-up was changed meanwhile; fetch it and retry with its version"
            ) from exc
        raise
    return item


def claim(
    tenant_id: str,
    followup_id: str,
    *,
    now: datetime,
    lease_until: datetime,
    token: str,
    due_shard: str,
) -> bool:
    """Claim a due follow-up (or re-claim an expired claim); False if someone else has it.

    One conditional UpdateItem: scheduled and due, or claimed with an expired lease. The item
    stays in the due index at its lease expiry, so a crashed worker's claim comes back.
    """
    from chalicelib.store.clients import aws_client

    now_text = iso(now)
    lease_text = iso(lease_until)
    try:
        aws_client("dynamodb").update_item(
            TableName=FollowUpsTable.Meta.table_name,
            Key={"pk": {"S": followup_pk(tenant_id, followup_id)}, "sk": {"S": FOLLOWUP_SK}},
            UpdateExpression=(
                "SET #status = :claimed, claim_token = :token, lease_expires_at = :lease, "
                "due_pk = :shard, due_sk = :due_sk, gsi1pk = :gsi1, updated_at = :now, "
                "claims = if_not_exists(claims, :zero) + :one, version = version + :one "
                "REMOVE delivery_started_at"
            ),
            ConditionExpression=(
                "(#status = :scheduled AND due_sk <= :due_limit) OR "
                "(#status = :claimed AND lease_expires_at <= :now_utc)"
            ),
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":claimed": {"S": "claimed"},
                ":scheduled": {"S": "scheduled"},
                ":token": {"S": token},
                ":lease": {"S": _pynamo_time(lease_until)},
                ":shard": {"S": due_shard},
                ":due_sk": {"S": f"{lease_text}#{followup_id}"},
                ":due_limit": {"S": now_text + "~"},
                ":gsi1": {"S": status_key(tenant_id, "claimed")},
                ":now": {"S": _pynamo_time(now)},
                ":now_utc": {"S": _pynamo_time(now)},
                ":zero": {"N": "0"},
                ":one": {"N": "1"},
            },
        )
    except Exception as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def _pynamo_time(instant: datetime) -> str:
    """The text PynamoDB's UTCDateTimeAttribute stores (sortable for UTC instants)."""
    return UTCDateTimeAttribute().serialize(instant)


def transition(
    item: FollowUpItem,
    *,
    condition: Condition,
    changes: dict[str, Any],
    due_shard: str | None,
    index_at: datetime | None,
) -> bool:
    """Save ``item`` with ``changes`` if ``condition`` holds; False when it does not.

    Used by the worker (conditional on its claim token) and by cancel/reschedule (on the
    version). Index keys follow the new status.
    """
    previous_version = item.version
    for name, value in changes.items():
        setattr(item, name, value)
    item.version = previous_version + 1
    item.updated_at = utcnow()
    set_index_keys(item, due_shard, index_at)
    try:
        item.save(condition=condition)
    except Exception as exc:
        if is_condition_failure(exc):
            item.version = previous_version
            return False
        raise
    return True


# --- contact history -----------------------------------------------------------------------


def get_contact(tenant_id: str, customer_id: str) -> ContactItem | None:
    """The customer's contact history, or None when never contacted."""
    try:
        return ContactItem.get(contact_pk(tenant_id), customer_id, consistent_read=True)
    except ContactItem.DoesNotExist:
        return None


def new_contact(tenant_id: str, customer_id: str) -> ContactItem:
    """An empty history (version 0: not stored yet)."""
    return ContactItem(
        pk=contact_pk(tenant_id),
        sk=customer_id,
        tenant_id=tenant_id,
        customer_id=customer_id,
        sends={},
        version=0,
    )


def _contact_condition(contact: ContactItem, expected_version: int) -> Condition:
    if expected_version == 0:
        return ContactItem.pk.does_not_exist()
    return ContactItem.version == expected_version


def save_contact(contact: ContactItem, expected_version: int) -> bool:
    """Write the history if nobody changed it since it was read; False otherwise."""
    contact.version = expected_version + 1
    contact.updated_at = utcnow()
    try:
        contact.save(condition=_contact_condition(contact, expected_version))
    except Exception as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def start_delivery(item: FollowUpItem, token: str, started_at: datetime) -> bool:
    """Mark the delivery started, once per claim: the gate that absorbs duplicate messages.

    One conditional UpdateItem (claim token matches, still claimed, nothing started yet);
    False when another delivery of the same message got there first.
    """
    from chalicelib.store.clients import aws_client

    try:
        response = aws_client("dynamodb").update_item(
            TableName=FollowUpsTable.Meta.table_name,
            Key={"pk": {"S": item.pk}, "sk": {"S": FOLLOWUP_SK}},
            UpdateExpression=(
                "SET delivery_started_at = :started, updated_at = :started, "
                "attempts = if_not_exists(attempts, :zero) + :one, version = version + :one"
            ),
            ConditionExpression=(
                "claim_token = :token AND #status = :claimed "
                "AND attribute_not_exists(delivery_started_at)"
            ),
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":started": {"S": _pynamo_time(started_at)},
                ":token": {"S": token},
                ":claimed": {"S": "claimed"},
                ":zero": {"N": "0"},
                ":one": {"N": "1"},
            },
            ReturnValues="UPDATED_NEW",
        )
    except Exception as exc:
        if is_condition_failure(exc):
            return False
        raise
    new = response.get("Attributes", {})
    item.delivery_started_at = started_at
    item.attempts = int(new.get("attempts", {}).get("N", int(item.attempts or 0) + 1))
    item.version = int(new.get("version", {}).get("N", int(item.version) + 1))
    item.updated_at = started_at
    return True


def update_contact_flags(tenant_id: str, customer_id: str, **flags: bool) -> None:
    """Set unsubscribe flags on a customer's history (created when missing)."""
    actions = [getattr(ContactItem, name).set(value) for name, value in flags.items()]
    actions += [
        ContactItem.tenant_id.set(tenant_id),
        ContactItem.customer_id.set(customer_id),
        ContactItem.updated_at.set(utcnow()),
        ContactItem.version.add(1),
    ]
    ContactItem(pk=contact_pk(tenant_id), sk=customer_id).update(actions=actions)


# --- data-subject requests -----------------------------------------------------------------


def customer_followups(tenant_id: str, customer_id: str) -> Iterator[FollowUpItem]:
    """Every follow-up to a customer, any status (pages through the index)."""
    return FollowUpItem.query(
        customer_key(tenant_id, customer_id), index_name="by_customer", page_size=100
    )


def delete_followup(tenant_id: str, followup_id: str) -> None:
    """Remove a follow-up (a worker holding its claim then finds nothing and stops)."""
    FollowUpItem(followup_pk(tenant_id, followup_id), FOLLOWUP_SK).delete()


def delete_contact(tenant_id: str, customer_id: str) -> bool:
    """Remove a customer's contact history; False when there was none."""
    try:
        ContactItem(contact_pk(tenant_id), customer_id).delete(condition=ContactItem.pk.exists())
    except Exception as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True
