"""DynamoDB tables derived from the PynamoDB models (the one source of truth for keys).

Every model in ``chalicelib.store.tables.ALL_TABLE_MODELS`` becomes one table, with exactly the
key schema, attribute definitions, global/local secondary indexes (and their projections) that
PynamoDB itself uses to create the table in the local stack and the tests
(``Model._get_schema()``), and the TTL attribute from ``TTL_ATTRIBUTES``. Adding a table or an
index to the code therefore adds it here with no edit in ``infra/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct
from pynamodb.models import Model

from infra.stages import Stage, camel

_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}


@dataclass(frozen=True)
class IndexSpec:
    """One secondary index as PynamoDB defines it."""

    name: str
    partition_key: tuple[str, str]
    sort_key: tuple[str, str] | None
    projection: str
    non_key_attributes: tuple[str, ...]
    local: bool


@dataclass(frozen=True)
class TableSpec:
    """One table as PynamoDB defines it (plain data: infra and docs read it)."""

    model: type[Model]
    base_name: str
    partition_key: tuple[str, str]
    sort_key: tuple[str, str] | None
    indexes: tuple[IndexSpec, ...]
    ttl_attribute: str | None

    def index_names(self) -> tuple[str, ...]:
        """Names of every secondary index."""
        return tuple(index.name for index in self.indexes)


def _keys(key_schema: Any, types: dict[str, str]) -> tuple[Any, Any]:
    hash_key = next(k["AttributeName"] for k in key_schema if k["KeyType"] == "HASH")
    range_key = next((k["AttributeName"] for k in key_schema if k["KeyType"] == "RANGE"), None)
    return (
        (hash_key, types[hash_key]),
        (range_key, types[range_key]) if range_key else None,
    )


def table_spec(model: type[Model], ttl_attribute: str | None = None) -> TableSpec:
    """Read a model's table definition the way PynamoDB's ``create_table`` does."""
    schema: Any = model._get_schema()
    types = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
    partition_key, sort_key = _keys(schema["key_schema"], types)
    indexes = []
    for local, key in ((False, "global_secondary_indexes"), (True, "local_secondary_indexes")):
        for index in schema.get(key, []):
            index_pk, index_sk = _keys(index["key_schema"], types)
            projection = index["projection"]
            indexes.append(
                IndexSpec(
                    name=index["index_name"],
                    partition_key=index_pk,
                    sort_key=index_sk,
                    projection=projection["ProjectionType"],
                    non_key_attributes=tuple(projection.get("NonKeyAttributes", ())),
                    local=local,
                )
            )
    return TableSpec(
        model=model,
        base_name=model.Meta.base_name,  # type: ignore[attr-defined]
        partition_key=partition_key,
        sort_key=sort_key,
        indexes=tuple(sorted(indexes, key=lambda i: i.name)),
        ttl_attribute=ttl_attribute,
    )


def table_specs() -> list[TableSpec]:
    """Every table of the application, from the registry in ``chalicelib.store.tables``."""
    from chalicelib.store.tables import ALL_TABLE_MODELS, TTL_ATTRIBUTES

    return [table_spec(model, TTL_ATTRIBUTES.get(model)) for model in ALL_TABLE_MODELS]


def _attribute(key: tuple[str, str]) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key[0], type=_TYPES[key[1]])


def build_table(scope: Construct, spec: TableSpec, stage: Stage) -> dynamodb.Table:
    """Create the table: on-demand, encrypted, PITR; deletion-protected and retained in prod."""
    construct_id = camel(spec.base_name) + "Table"
    table = dynamodb.Table(
        scope,
        construct_id,
        table_name=stage.table_prefix + spec.base_name,
        partition_key=_attribute(spec.partition_key),
        sort_key=_attribute(spec.sort_key) if spec.sort_key else None,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.AWS_MANAGED,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=stage.production,
        removal_policy=cdk.RemovalPolicy.RETAIN if stage.production else cdk.RemovalPolicy.DESTROY,
        time_to_live_attribute=spec.ttl_attribute,
    )
    for index in spec.indexes:
        non_key = list(index.non_key_attributes) or None
        if index.local:
            assert index.sort_key, f"local index {index.name} needs a sort key"
            table.add_local_secondary_index(
                index_name=index.name,
                sort_key=_attribute(index.sort_key),
                projection_type=_PROJECTIONS[index.projection],
                non_key_attributes=non_key,
            )
        else:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_attribute(index.partition_key),
                sort_key=_attribute(index.sort_key) if index.sort_key else None,
                projection_type=_PROJECTIONS[index.projection],
                non_key_attributes=non_key,
            )
    return table
