"""The registry of tables: every model that defines a table's keys and indexes.

Local stack, tests and the CDK app all derive their tables from this list (one source of truth).
"""

from __future__ import annotations

from pynamodb.models import Model

from chalicelib.store.customers import CustomersTable
from chalicelib.store.feedback import FeedbackTable
from chalicelib.store.followups import TTL_ATTRIBUTE as FOLLOWUPS_TTL
from chalicelib.store.followups import FollowUpsTable
from chalicelib.store.idempotency import TTL_ATTRIBUTE, IdempotencyTable
from chalicelib.store.rate_limits import TTL_ATTRIBUTE as RATE_LIMIT_TTL
from chalicelib.store.rate_limits import RateLimitsTable
from chalicelib.store.service import ServiceTable
from chalicelib.store.tenants import TenantsTable
from chalicelib.store.tickets import TicketsTable

# Tenant tables are emptied in this order by offboarding; the tenants table goes last so the
# tenant record (and its refused keys) stays visible until everything else is gone.
TABLE_MODELS: list[type[Model]] = [
    CustomersTable,
    RateLimitsTable,
    TicketsTable,
    FeedbackTable,
    ServiceTable,
    FollowUpsTable,
    TenantsTable,
]
ALL_TABLE_MODELS: list[type[Model]] = [*TABLE_MODELS, IdempotencyTable]
TTL_ATTRIBUTES: dict[type[Model], str] = {
    IdempotencyTable: TTL_ATTRIBUTE,
    RateLimitsTable: RATE_LIMIT_TTL,
    FollowUpsTable: FOLLOWUPS_TTL,
}


def ensure_tables() -> None:
    """Create every table that does not exist yet (local stack and tests; infra in AWS)."""
    from chalicelib.store.clients import aws_client

    client = aws_client("dynamodb")
    for model in ALL_TABLE_MODELS:
        if model.exists():
            continue
        model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
        ttl = TTL_ATTRIBUTES.get(model)
        if ttl:
            client.update_time_to_live(
                TableName=model.Meta.table_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl},
            )
