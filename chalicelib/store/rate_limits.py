"""Rate-limit counters: one item per (tenant, limit, subject, window), expired by TTL.

| pattern                 | how                                                                |
|-------------------------|--------------------------------------------------------------------|
| count one request       | UpdateItem ``<tenant>#RATE#<limit>#<subject>`` / ``<window start>``: |
|                         | ``ADD hits 1``, ``SET expires_at`` once, ReturnValues UPDATED_NEW  |

The increment and the read of the new value are one atomic call, so concurrent requests can
never both see "one left". Each subject has its own partition, so a busy key does not heat the
partition of another tenant's counters. Items delete themselves (``expires_at``, TTL) a window
after their window ends; reads never depend on TTL having run.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute

from chalicelib.store.base import TableMeta, TenantModel, key

TTL_ATTRIBUTE = "expires_at"


class RateLimitsTable(TenantModel):
    """Table definition: counters keyed by tenant, limit and subject; sort key = window."""

    class Meta(metaclass=TableMeta):
        base_name = "rate-limits"


class CounterItem(RateLimitsTable):
    """Requests counted in one window."""

    hits = NumberAttribute(default=0)
    expires_at = NumberAttribute()


def count_hit(tenant_id: str, limit_name: str, subject: str, window: int, expires_at: int) -> int:
    """Add one hit to a window's counter and return the new total (one UpdateItem)."""
    item = CounterItem(pk=key(tenant_id, "RATE", limit_name, subject), sk=str(window))
    item.update(
        actions=[
            CounterItem.hits.add(1),
            CounterItem.tenant_id.set(tenant_id),
            CounterItem.expires_at.set(CounterItem.expires_at | expires_at),
        ]
    )
    return int(item.hits)
