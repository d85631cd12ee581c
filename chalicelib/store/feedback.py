"""Feedback table: survey configurations, survey responses, opt-outs and report counters.

Item layout:

| item                | pk                              | sk                                    |
|---------------------|---------------------------------|---------------------------------------|
| survey              | ``<t>#SURVEY``                  | ``<survey id>``                       |
| active-survey guard | ``<t>#SURVEY_ACTIVE``           | ``<kind>`` (csat / nps / ces)         |
| response            | ``<t>#RESPONSE``                | ``<follow-up id>``                    |
| survey opt-out      | ``<t>#SURVEY_OPTOUT``           | ``<customer id>``                     |
| report counters     | ``<t>#FBSTATS#<dimension>``     | ``<granularity>#<bucket>#<value>``    |

Access patterns:

- get / list surveys: GetItem / Query ``<t>#SURVEY`` (a tenant has at most
  :data:`MAX_SURVEYS`).
- the active survey of a kind: GetItem of the guard, then of the survey. The guard makes
  "at most one active survey per kind" exact (written in the same transaction as the survey).
- a response by follow-up id (single use): GetItem ``<t>#RESPONSE`` / ``<follow-up id>``;
  the first answer is a Put conditional on ``attribute_not_exists(pk)``.
- list responses by answer time: Query ``by_time`` (``gsi1pk = <t>#RESPONSES``), or one kind /
  agent / product / customer: ``by_kind`` / ``by_agent`` / ``by_product`` / ``by_customer``
  (``gsi2pk``..``gsi5pk`` = ``<t>#RESPONSES#<FACET>#<value>``); all ranged by ``rsk``
  (``<answered_at>#<follow-up id>``) so a date range is a key condition; the score range and
  any second facet are FilterExpressions on the chosen index.
- is a customer opted out of surveys: GetItem ``<t>#SURVEY_OPTOUT`` / ``<customer id>``.
- a report: one Query of ``<t>#FBSTATS#<dimension>`` with sk between
  ``<granularity>#<first bucket>#`` and ``<granularity>#<last bucket>$`` — the cost depends on
  the number of buckets (and agents / products when grouped), never on the number of responses.

Counters: one item per (dimension value, granularity, bucket) holding, per metric, the number
of responses (``<kind>_n``), the sum of scores (``<kind>_sum``), one count per score
(``<kind>_s<score>``) and surveys sent (``<kind>_sent``). They only change through ``ADD`` in
the same ``TransactWriteItems`` as the response that caused the change, so a report is never
ahead of or behind the stored responses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.domain.errors import Conflict, Unavailable, VersionConflict
from chalicelib.store.base import TableMeta, TenantModel, VersionedMixin, key
from chalicelib.store.clients import aws_client
from chalicelib.store.paging import Page, StartKey, query_page

MAX_SURVEYS = 50
CONDITION_FAILED = "ConditionalCheckFailed"


class ByTime(GlobalSecondaryIndex["FeedbackTable"]):
    """Responses of every response, by answer time."""

    class Meta:
        index_name = "by_time"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    rsk = UnicodeAttribute(range_key=True)


class ByKind(GlobalSecondaryIndex["FeedbackTable"]):
    """Responses of one survey kind, by answer time."""

    class Meta:
        index_name = "by_kind"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    rsk = UnicodeAttribute(range_key=True)


class ByAgent(GlobalSecondaryIndex["FeedbackTable"]):
    """Responses of one agent, by answer time."""

    class Meta:
        index_name = "by_agent"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    rsk = UnicodeAttribute(range_key=True)


class ByProduct(GlobalSecondaryIndex["FeedbackTable"]):
    """Responses of one product, by answer time."""

    class Meta:
        index_name = "by_product"
        projection = AllProjection()

    gsi4pk = UnicodeAttribute(hash_key=True)
    rsk = UnicodeAttribute(range_key=True)


class ByCustomer(GlobalSecondaryIndex["FeedbackTable"]):
    """Responses of one customer, by answer time."""

    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    gsi5pk = UnicodeAttribute(hash_key=True)
    rsk = UnicodeAttribute(range_key=True)


class FeedbackTable(TenantModel):
    """Table definition: keys and indexes of the feedback table."""

    class Meta(metaclass=TableMeta):
        base_name = "feedback"

    gsi1pk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi5pk = UnicodeAttribute(null=True)
    rsk = UnicodeAttribute(null=True)
    by_time = ByTime()
    by_kind = ByKind()
    by_agent = ByAgent()
    by_product = ByProduct()
    by_customer = ByCustomer()


class SurveyItem(VersionedMixin, FeedbackTable):
    """One survey configuration."""

    survey_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    name = UnicodeAttribute()
    questions = JSONAttribute(default=dict)  # locale -> text (overrides of the built-ins)
    comment_enabled = BooleanAttribute(default=True)
    comment_questions = JSONAttribute(default=dict)
    active = BooleanAttribute(default=True)
    throttle_days = NumberAttribute(default=30)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class ActiveSurveyGuard(FeedbackTable):
    """Which survey is the active one of a kind (at most one per kind and tenant)."""

    survey_id = UnicodeAttribute()


class ResponseItem(VersionedMixin, FeedbackTable):
    """One answer to one survey invitation (keyed by the follow-up that sent it)."""

    followup_id = UnicodeAttribute()
    survey_id = UnicodeAttribute(null=True)
    kind = UnicodeAttribute()
    score = NumberAttribute()
    comment = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute()
    subject_kind = UnicodeAttribute()
    subject_id = UnicodeAttribute()
    agent = UnicodeAttribute(null=True)
    product_id = UnicodeAttribute(null=True)
    # The visit's kind when the survey followed an appointment (delivery, installation...).
    appointment_kind = UnicodeAttribute(null=True)
    channel = UnicodeAttribute(default="email")
    locale = UnicodeAttribute(null=True)
    # The report buckets this response was counted in: edits adjust these same buckets.
    buckets = JSONAttribute(default=dict)
    answered_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    edit_count = NumberAttribute(default=0)
    closed_loop_ticket_id = UnicodeAttribute(null=True)


class OptOutItem(FeedbackTable):
    """A customer who asked not to receive surveys."""

    customer_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    source = UnicodeAttribute(default="survey_link")


# --- keys ------------------------------------------------------------------------------------


def survey_pk(tenant_id: str) -> str:
    """Partition of a tenant's surveys."""
    return key(tenant_id, "SURVEY")


def active_pk(tenant_id: str) -> str:
    """Partition of a tenant's active-survey guards."""
    return key(tenant_id, "SURVEY_ACTIVE")


def response_pk(tenant_id: str) -> str:
    """Partition of a tenant's responses."""
    return key(tenant_id, "RESPONSE")


def optout_pk(tenant_id: str) -> str:
    """Partition of a tenant's survey opt-outs."""
    return key(tenant_id, "SURVEY_OPTOUT")


def stats_pk(tenant_id: str, dimension: str) -> str:
    """Partition of one dimension's report counters (``all``, ``agent``, ``product``)."""
    return key(tenant_id, "FBSTATS", dimension)


def responses_facet(tenant_id: str, facet: str | None = None, value: str | None = None) -> str:
    """The list-index partition of all responses, or of one facet value."""
    if facet is None:
        return key(tenant_id, "RESPONSES")
    return key(tenant_id, "RESPONSES", facet.upper(), value or "")


# --- surveys ---------------------------------------------------------------------------------


def get_survey(tenant_id: str, survey_id: str) -> SurveyItem | None:
    """One survey, or None."""
    try:
        return SurveyItem.get(survey_pk(tenant_id), survey_id, consistent_read=True)
    except SurveyItem.DoesNotExist:
        return None


def list_surveys(tenant_id: str, limit: int, start_key: StartKey | None) -> Page[SurveyItem]:
    """A page of surveys, oldest first."""
    return query_page(SurveyItem, survey_pk(tenant_id), limit=limit, start_key=start_key)


def count_surveys(tenant_id: str) -> int:
    """How many surveys the tenant has (one keys-only Query: they are few)."""
    return sum(1 for _ in SurveyItem.query(survey_pk(tenant_id), attributes_to_get=["pk", "sk"]))


def active_survey_id(tenant_id: str, kind: str) -> str | None:
    """The id of the active survey of ``kind``, or None."""
    try:
        guard = ActiveSurveyGuard.get(active_pk(tenant_id), kind, consistent_read=True)
    except ActiveSurveyGuard.DoesNotExist:
        return None
    return guard.survey_id


def _guard_item(tenant_id: str, kind: str, survey_id: str) -> dict[str, Any]:
    return {
        "pk": {"S": active_pk(tenant_id)},
        "sk": {"S": kind},
        "tenant_id": {"S": tenant_id},
        "survey_id": {"S": survey_id},
    }


def save_survey(
    item: SurveyItem, *, expected_version: int | None, was_active: bool | None
) -> SurveyItem:
    """Create (``expected_version`` None) or replace a survey, moving its active guard.

    A survey becoming active takes the kind's guard (refused with 409 ``active_survey_exists``
    when another survey holds it); one becoming inactive releases it.
    """
    table = FeedbackTable.Meta.table_name
    condition: dict[str, Any]
    if expected_version is None:
        condition = {"ConditionExpression": "attribute_not_exists(pk)"}
    else:
        condition = {
            "ConditionExpression": "#v = :v",
            "ExpressionAttributeNames": {"#v": "version"},
            "ExpressionAttributeValues": {":v": {"N": str(expected_version)}},
        }
    items: list[dict[str, Any]] = [
        {"Put": {"TableName": table, "Item": item.serialize(), **condition}}
    ]
    labels = ["survey"]
    if item.active and not was_active:
        items.append(
            {
                "Put": {
                    "TableName": table,
                    "Item": _guard_item(item.tenant_id, item.kind, item.survey_id),
                    "ConditionExpression": "attribute_not_exists(pk) OR survey_id = :me",
                    "ExpressionAttributeValues": {":me": {"S": item.survey_id}},
                }
            }
        )
        labels.append("guard")
    elif was_active and not item.active:
        items.append(_release_guard(item))
        labels.append("release")
    _transact(items, labels, what=f"survey {item.survey_id}")
    return item


def _release_guard(item: SurveyItem) -> dict[str, Any]:
    return {
        "Delete": {
            "TableName": FeedbackTable.Meta.table_name,
            "Key": {"pk": {"S": active_pk(item.tenant_id)}, "sk": {"S": item.kind}},
            "ConditionExpression": "attribute_not_exists(pk) OR survey_id = :me",
            "ExpressionAttributeValues": {":me": {"S": item.survey_id}},
        }
    }


def delete_survey(item: SurveyItem) -> None:
    """Delete a survey (conditional on its version) and release its guard if it holds it."""
    items: list[dict[str, Any]] = [
        {
            "Delete": {
                "TableName": FeedbackTable.Meta.table_name,
                "Key": {"pk": {"S": item.pk}, "sk": {"S": item.sk}},
                "ConditionExpression": "#v = :v",
                "ExpressionAttributeNames": {"#v": "version"},
                "ExpressionAttributeValues": {":v": {"N": str(int(item.version))}},
            }
        }
    ]
    labels = ["survey"]
    if item.active:
        items.append(_release_guard(item))
        labels.append("release")
    _transact(items, labels, what=f"survey {item.survey_id}")


# --- responses -------------------------------------------------------------------------------


def get_response(tenant_id: str, followup_id: str) -> ResponseItem | None:
    """The response to one invitation, or None (strongly consistent: single use relies on it)."""
    try:
        return ResponseItem.get(response_pk(tenant_id), followup_id, consistent_read=True)
    except ResponseItem.DoesNotExist:
        return None


def list_responses(
    tenant_id: str,
    *,
    index: str,
    hash_key: str,
    limit: int,
    start_key: StartKey | None,
    low: str | None,
    high: str | None,
    filter_condition: Any,
) -> Page[ResponseItem]:
    """A page of responses from one list index, newest first, ``rsk`` between low and high."""
    source = getattr(FeedbackTable, index)
    range_condition: Any = None
    if low is not None and high is not None:
        range_condition = FeedbackTable.rsk.between(low, high)
    elif low is not None:
        range_condition = FeedbackTable.rsk >= low
    elif high is not None:
        range_condition = FeedbackTable.rsk <= high
    return query_page(
        source,
        hash_key,
        limit=limit,
        start_key=start_key,
        range_key_condition=range_condition,
        filter_condition=filter_condition,
        newest_first=True,
        model=ResponseItem,
    )


@dataclass(frozen=True)
class CounterChange:
    """Atomic increments of one report counter item."""

    dimension: str
    sk: str
    deltas: dict[str, int]


def _counter_update(tenant_id: str, change: CounterChange) -> dict[str, Any]:
    names: dict[str, str] = {"#tenant": "tenant_id"}
    values: dict[str, Any] = {":tenant": {"S": tenant_id}}
    adds: list[str] = []
    for i, (name, amount) in enumerate(sorted(change.deltas.items())):
        names[f"#c{i}"] = name
        values[f":c{i}"] = {"N": str(amount)}
        adds.append(f"#c{i} :c{i}")
    return {
        "Update": {
            "TableName": FeedbackTable.Meta.table_name,
            "Key": {"pk": {"S": stats_pk(tenant_id, change.dimension)}, "sk": {"S": change.sk}},
            "UpdateExpression": "SET #tenant = :tenant ADD " + ", ".join(adds),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def save_response(
    item: ResponseItem, *, expected_version: int | None, counters: list[CounterChange]
) -> ResponseItem:
    """Write a response and its counter changes in one transaction.

    ``expected_version`` None: the first answer (refused with 409 ``survey_already_answered``
    when one exists); else the stored response must still be at that version (409
    ``version_conflict``).
    """
    condition: dict[str, Any]
    if expected_version is None:
        condition = {"ConditionExpression": "attribute_not_exists(pk)"}
    else:
        condition = {
            "ConditionExpression": "#v = :v",
            "ExpressionAttributeNames": {"#v": "version"},
            "ExpressionAttributeValues": {":v": {"N": str(expected_version)}},
        }
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": FeedbackTable.Meta.table_name,
                "Item": item.serialize(),
                **condition,
            }
        }
    ]
    items += [_counter_update(item.tenant_id, c) for c in counters if c.deltas]
    label = "first_answer" if expected_version is None else "response"
    _transact(items, [label], what=f"response {item.followup_id}")
    return item


def set_closed_loop_ticket(item: ResponseItem, ticket_id: str) -> None:
    """Remember the follow-up ticket opened for a response (once)."""
    item.update(
        actions=[ResponseItem.closed_loop_ticket_id.set(ticket_id)],
        condition=ResponseItem.closed_loop_ticket_id.does_not_exist(),
    )


def add_counters(tenant_id: str, counters: list[CounterChange]) -> None:
    """Apply counter changes on their own (surveys sent), atomically together."""
    items = [_counter_update(tenant_id, c) for c in counters if c.deltas]
    if items:
        _transact(items, ["counters"] * len(items), what="counters")


def report_counters(
    tenant_id: str, dimension: str, low_sk: str, high_sk: str
) -> Iterator[dict[str, Any]]:
    """Raw counter items of one dimension between two sort keys (one Query per 1 MB page)."""
    client = aws_client("dynamodb")
    params: dict[str, Any] = {
        "TableName": FeedbackTable.Meta.table_name,
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": {
            ":pk": {"S": stats_pk(tenant_id, dimension)},
            ":lo": {"S": low_sk},
            ":hi": {"S": high_sk},
        },
        "ConsistentRead": True,
    }
    while True:
        response = client.query(**params)
        for raw in response.get("Items", []):
            yield {
                name: int(value["N"]) if "N" in value else value.get("S")
                for name, value in raw.items()
            }
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        params["ExclusiveStartKey"] = last


# --- opt-outs --------------------------------------------------------------------------------


def get_optout(tenant_id: str, customer_id: str) -> OptOutItem | None:
    """The customer's survey opt-out, or None."""
    try:
        return OptOutItem.get(optout_pk(tenant_id), customer_id, consistent_read=True)
    except OptOutItem.DoesNotExist:
        return None


def put_optout(item: OptOutItem) -> None:
    """Record an opt-out (idempotent: a second one keeps the first time)."""
    from pynamodb.exceptions import PutError

    try:
        item.save(condition=OptOutItem.pk.does_not_exist())
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise


def delete_optout(tenant_id: str, customer_id: str) -> bool:
    """Remove an opt-out; False when there was none."""
    from pynamodb.exceptions import DeleteError

    item = OptOutItem(pk=optout_pk(tenant_id), sk=customer_id)
    try:
        item.delete(condition=OptOutItem.pk.exists())
    except DeleteError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def list_optouts(tenant_id: str, limit: int, start_key: StartKey | None) -> Page[OptOutItem]:
    """A page of opted-out customers."""
    return query_page(OptOutItem, optout_pk(tenant_id), limit=limit, start_key=start_key)


# --- transactions ----------------------------------------------------------------------------


def _transact(items: list[dict[str, Any]], labels: list[str], *, what: str) -> None:
    from botocore.exceptions import ClientError

    try:
        aws_client("dynamodb").transact_write_items(TransactItems=items)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") != "TransactionCanceledException":
            raise
        reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
        if "TransactionConflict" in reasons:
            raise Unavailable(
                f"{what} is being changed concurrently; retry", retry_after=1
            ) from exc
        for label, reason in zip(labels, reasons, strict=False):
            if reason != CONDITION_FAILED:
                continue
            if label == "first_answer":
                raise Conflict(
                    "this survey has already been answered", code="survey_already_answered"
                ) from exc
            if label == "guard":
                raise Conflict(
                    "another survey of this kind is active; deactivate it first",
                    code="active_survey_exists",
                ) from exc
            if label in ("survey", "response"):
                raise VersionConflict(
                    f"{what} was changed by someone else; fetch it and retry"
                ) from exc
        raise


# --- one read for a survey page --------------------------------------------------------------


@dataclass
class InvitationState:
    """Everything a survey page or answer needs, read in one BatchGetItem (two when the
    survey must be found through the active guard)."""

    tenant: Any
    settings: dict[str, Any] | None
    customer: Any
    survey: SurveyItem | None
    response: ResponseItem | None
    opted_out: bool
    # The tenant's ``general`` settings (brand colour of the survey page), None for defaults.
    general: dict[str, Any] | None = None


def load_invitation(
    tenant_id: str, *, followup_id: str, customer_id: str, kind: str, survey_id: str | None
) -> InvitationState:
    """Tenant, its feedback settings, the customer, the survey, the response and the opt-out."""
    from chalicelib.store.customers import CustomerItem, CustomersTable
    from chalicelib.store.settings import PREFIX as SETTINGS_PREFIX
    from chalicelib.store.settings import SettingsItem
    from chalicelib.store.tenants import TENANT_SK, TenantItem, TenantsTable

    tenants = TenantsTable.Meta.table_name
    customers = CustomersTable.Meta.table_name
    feedback = FeedbackTable.Meta.table_name
    survey_key = (survey_pk(tenant_id), survey_id) if survey_id else (active_pk(tenant_id), kind)
    wanted: dict[str, list[tuple[str, str]]] = {
        tenants: [
            (tenant_id, TENANT_SK),
            (tenant_id, SETTINGS_PREFIX + "feedback"),
            (tenant_id, SETTINGS_PREFIX + "general"),
        ],
        customers: [(key(tenant_id, "CUSTOMER"), customer_id)],
        feedback: [
            survey_key,
            (response_pk(tenant_id), followup_id),
            (optout_pk(tenant_id), customer_id),
        ],
    }
    found = _batch_get_many(wanted)
    tenant_raw = found.get((tenant_id, TENANT_SK))
    settings_raw = found.get((tenant_id, SETTINGS_PREFIX + "feedback"))
    general_raw = found.get((tenant_id, SETTINGS_PREFIX + "general"))
    customer_raw = found.get((key(tenant_id, "CUSTOMER"), customer_id))
    survey_raw = found.get(survey_key)
    response_raw = found.get((response_pk(tenant_id), followup_id))
    survey: SurveyItem | None = None
    if survey_raw is not None:
        if survey_id:
            survey = SurveyItem.from_raw_data(survey_raw)
        else:
            survey = get_survey(tenant_id, survey_raw["survey_id"]["S"])
    return InvitationState(
        tenant=TenantItem.from_raw_data(tenant_raw) if tenant_raw else None,
        settings=SettingsItem.from_raw_data(settings_raw).data if settings_raw else None,
        customer=CustomerItem.from_raw_data(customer_raw) if customer_raw else None,
        survey=survey,
        response=ResponseItem.from_raw_data(response_raw) if response_raw else None,
        opted_out=(optout_pk(tenant_id), customer_id) in found,
        general=SettingsItem.from_raw_data(general_raw).data if general_raw else None,
    )


def _batch_get_many(
    wanted: dict[str, list[tuple[str, str]]],
) -> dict[tuple[str, str], dict[str, Any]]:
    """Raw items by (pk, sk) from several tables in one BatchGetItem (retrying unprocessed)."""
    import time

    client = aws_client("dynamodb")
    request: dict[str, Any] = {
        table: {
            "Keys": [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in keys],
            "ConsistentRead": True,
        }
        for table, keys in wanted.items()
        if keys
    }
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for round_no in range(8):
        if round_no:
            time.sleep(min(0.05 * (2**round_no), 2.0))
        response = client.batch_get_item(RequestItems=request)
        for items in response.get("Responses", {}).values():
            for raw in items:
                found[(raw["pk"]["S"], raw["sk"]["S"])] = raw
        request = response.get("UnprocessedKeys") or {}
        if not request:
            return found
    raise RuntimeError("BatchGetItem left keys unprocessed")
