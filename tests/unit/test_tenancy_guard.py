from __future__ import annotations

import pytest

from chalicelib import context
from chalicelib.store.tenancy_guard import TenancyViolation, check_call

T = "TENANTA"


def s(value: str) -> dict[str, str]:
    return {"S": value}


def test_scan_is_always_refused() -> None:
    with pytest.raises(TenancyViolation):
        check_call("Scan", {"TableName": "x"})


def test_calls_outside_a_tenant_are_not_checked() -> None:
    check_call("GetItem", {"Key": {"pk": s("OTHER")}})


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("GetItem", {"Key": {"pk": s(T), "sk": s("TENANT")}}),
        (
            "PutItem",
            {"Item": {"pk": s(f"{T}#CUSTOMER"), "gsi1pk": s(f"{T}#EMAIL#a"), "tenant_id": s(T)}},
        ),
        (
            "Query",
            {
                "KeyConditionExpression": "#0 = :0",
                "ExpressionAttributeNames": {"#0": "pk"},
                "ExpressionAttributeValues": {":0": s(f"{T}#CUSTOMER")},
            },
        ),
        (
            "UpdateItem",
            {
                "Key": {"pk": s(T)},
                "UpdateExpression": "SET #a = :a",
                "ExpressionAttributeNames": {"#a": "gsi1pk"},
                "ExpressionAttributeValues": {":a": s(f"{T}#X")},
            },
        ),
        (
            "TransactWriteItems",
            {
                "TransactItems": [
                    {"Put": {"Item": {"pk": s(f"{T}#A")}}},
                    {"Delete": {"Key": {"pk": s(f"{T}#B")}}},
                ]
            },
        ),
        ("BatchGetItem", {"RequestItems": {"t": {"Keys": [{"pk": s(T)}]}}}),
        # A tenant's write maintains the sharded due index on its own item.
        ("PutItem", {"Item": {"pk": s(f"{T}#TICKET#1"), "due_pk": s("due#7")}}),
        (
            "UpdateItem",
            {
                "Key": {"pk": s(f"{T}#TICKET#1")},
                "UpdateExpression": "SET due_pk = :d REMOVE x",
                "ExpressionAttributeValues": {":d": s("sla#12")},
            },
        ),
    ],
)
def test_own_keys_pass(operation: str, params: dict) -> None:
    with context.serving_tenant(T):
        check_call(operation, params)


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("GetItem", {"Key": {"pk": s("TENANTB"), "sk": s("TENANT")}}),
        ("GetItem", {"Key": {"pk": s(T + "X#CUSTOMER")}}),  # a prefix is not enough
        ("PutItem", {"Item": {"pk": s(f"{T}#C"), "tenant_id": s("TENANTB")}}),
        ("PutItem", {"Item": {"pk": s(f"{T}#C"), "dir_pk": s("TENANT")}}),  # platform index
        ("PutItem", {"Item": {"pk": s(f"{T}#C"), "due_pk": s("TENANTB#due")}}),  # not a shard
        ("PutItem", {"Item": {"pk": s("TENANTB#C"), "due_pk": s("due#1")}}),  # foreign item
        (
            "Query",  # reading the cross-tenant due index is for platform jobs only
            {
                "IndexName": "due",
                "KeyConditionExpression": "due_pk = :d",
                "ExpressionAttributeValues": {":d": s("due#1")},
            },
        ),
        (
            "Query",
            {
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": s("TENANTB#CUSTOMER")},
            },
        ),
        (
            "Query",
            {
                "IndexName": "directory",
                "KeyConditionExpression": "#d = :d",
                "ExpressionAttributeNames": {"#d": "dir_pk"},
                "ExpressionAttributeValues": {":d": s("TENANT")},
            },
        ),
        (
            "UpdateItem",
            {
                "Key": {"pk": s(T)},
                "UpdateExpression": "SET gsi1pk = :a",
                "ExpressionAttributeValues": {":a": s("TENANTB#X")},
            },
        ),
        (
            "TransactWriteItems",
            {
                "TransactItems": [
                    {"Put": {"Item": {"pk": s(f"{T}#A")}}},
                    {"ConditionCheck": {"Key": {"pk": s("TENANTB#B")}}},
                ]
            },
        ),
        (
            "BatchWriteItem",
            {"RequestItems": {"t": [{"DeleteRequest": {"Key": {"pk": s("TENANTB")}}}]}},
        ),
        ("BatchGetItem", {"RequestItems": {"t": {"Keys": [{"pk": s(T)}, {"pk": s("TENANTB")}]}}}),
    ],
)
def test_foreign_keys_fail(operation: str, params: dict) -> None:
    with context.serving_tenant(T), pytest.raises(TenancyViolation):
        check_call(operation, params)
