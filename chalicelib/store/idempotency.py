"""Idempotency records for creates (Powertools idempotency, tenant-partitioned).

Powertools' DynamoDB layer keys records by a hash of the request. We use its composite-key mode
and put the tenant first: pk ``<tenant>#IDEMPOTENCY``, sk ``<hash>``, so the records obey the
tenancy invariant and offboarding can find them with one Query. Records expire by TTL.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.context import current_tenant
from chalicelib.store.base import TableMeta, TenantScopedConnection
from chalicelib.store.clients import aws_client

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

PLATFORM_PARTITION = "platform"


class IdempotencyTable(TenantScopedConnection, Model):
    """Table definition (written by Powertools; the model exists for infra and offboarding)."""

    class Meta(metaclass=TableMeta):
        base_name = "idempotency"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    expiration = NumberAttribute(null=True)  # epoch seconds; the table's TTL attribute


TTL_ATTRIBUTE = "expiration"


def partition(tenant_id: str | None) -> str:
    """The idempotency partition of a tenant (or of the platform API)."""
    return f"{tenant_id or PLATFORM_PARTITION}#IDEMPOTENCY"


@functools.cache
def persistence_layer() -> DynamoDBPersistenceLayer:
    """The Powertools persistence layer, built on first use."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    class TenantPartitionedLayer(DynamoDBPersistenceLayer):
        # Powertools keeps the client it was built with; resolve it per call instead, so the
        # tenant path signs with the served tenant's credentials (see store/clients.py).
        @property
        def client(self) -> Any:
            return aws_client("dynamodb")

        @client.setter
        def client(self, value: Any) -> None:
            return

        def _get_key(self, idempotency_key: str) -> dict[str, dict[str, str]]:
            return {
                "pk": {"S": partition(current_tenant())},
                "sk": {"S": idempotency_key},
            }

    return TenantPartitionedLayer(
        table_name=IdempotencyTable.Meta.table_name,
        key_attr="pk",
        sort_key_attr="sk",
        expiry_attr=TTL_ATTRIBUTE,
        boto3_client=aws_client("dynamodb"),
    )
