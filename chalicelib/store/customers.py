"""Customers table: a tenant's end customers.

Access patterns:

| pattern                    | how                                                         |
|----------------------------|-------------------------------------------------------------|
| get by id                  | GetItem ``<tenant>#CUSTOMER`` / ``<customer id>``           |
| list (oldest first)        | Query ``<tenant>#CUSTOMER``                                 |
| find by email              | Query index ``by_email``: ``<tenant>#EMAIL#<email lower>``  |
| find by external id        | Query index ``by_external_id``: ``<tenant>#EXT#<id>``        |
| unique email / external id | guard items ``<tenant>#CUSTOMER_EMAIL`` / ``..._EXT``,      |
|                            | written in the same transaction as the customer             |

Guard items make uniqueness exact (a GSI alone is eventually consistent and cannot refuse a
duplicate); the GSIs serve the lookups in one Query.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import Conflict, VersionConflict
from chalicelib.store.base import TableMeta, TenantModel, VersionedMixin, key, utcnow
from chalicelib.store.errors import cancellation_codes
from chalicelib.store.paging import Page, StartKey, query_page

CONDITION_FAILED = "ConditionalCheckFailed"


class EmailIndex(GlobalSecondaryIndex["CustomersTable"]):
    """Customers by lower-cased email (unique per tenant)."""

    class Meta:
        index_name = "by_email"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)


class ExternalIdIndex(GlobalSecondaryIndex["CustomersTable"]):
    """Customers by the tenant's own external id (unique per tenant)."""

    class Meta:
        index_name = "by_external_id"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)


class CustomersTable(TenantModel):
    """Table definition: keys and indexes of the customers table."""

    class Meta(metaclass=TableMeta):
        base_name = "customers"

    gsi1pk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    by_email = EmailIndex()
    by_external_id = ExternalIdIndex()


class CustomerItem(VersionedMixin, CustomersTable):
    """One end customer of a tenant."""

    customer_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    external_id = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)
    time_zone = UnicodeAttribute(null=True)
    marketing_consent = BooleanAttribute(default=False)
    contact_consent = BooleanAttribute(default=True)
    # Postal address (PII): street, city, postal_code, country (ISO 3166-1 alpha-2), region
    # (ISO 3166-2 code). One JSON value: written and erased with the record, never indexed.
    address = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class CustomerGuardItem(CustomersTable):
    """Uniqueness guard: one item per (tenant, email) or (tenant, external id)."""

    customer_id = UnicodeAttribute()


def _collection(tenant_id: str) -> str:
    return key(tenant_id, "CUSTOMER")


def collection_key(tenant_id: str) -> str:
    """The partition of a tenant's customer records (for batched reads by other contexts)."""
    return _collection(tenant_id)


def _email_guard(tenant_id: str, email: str) -> CustomerGuardItem:
    return CustomerGuardItem(
        pk=key(tenant_id, "CUSTOMER_EMAIL"), sk=email.lower(), tenant_id=tenant_id
    )


def _external_guard(tenant_id: str, external_id: str) -> CustomerGuardItem:
    return CustomerGuardItem(pk=key(tenant_id, "CUSTOMER_EXT"), sk=external_id, tenant_id=tenant_id)


def _index_keys(tenant_id: str, email: str | None, external_id: str | None) -> dict[str, Any]:
    return {
        "gsi1pk": key(tenant_id, "EMAIL", email.lower()) if email else None,
        "gsi2pk": key(tenant_id, "EXT", external_id) if external_id else None,
    }


def _raise_for_cancellation(
    exc: TransactWriteError, labels: list[str], tenant_id: str, customer_id: str
) -> None:
    for label, code in zip(labels, cancellation_codes(exc), strict=False):
        if code != CONDITION_FAILED:
            continue
        if label == "customer_exists":
            raise Conflict(f"customer {customer_id} already exists", code="duplicate") from exc
        if label == "customer_version":
            raise VersionConflict(
                "the customer was changed by someone else; fetch it and retry with its version"
            ) from exc
        if label == "email":
            raise Conflict("another customer already has this email", code="email_taken") from exc
        if label == "external_id":
            raise Conflict(
                "another customer already has this external_id", code="external_id_taken"
            ) from exc
    raise exc


def _connection() -> Connection:
    return CustomerItem._get_connection().connection


def create_customer(tenant_id: str, customer_id: str, **fields: Any) -> CustomerItem:
    """Store a new customer and its uniqueness guards atomically."""
    now = utcnow()
    email, external_id = fields.get("email"), fields.get("external_id")
    item = CustomerItem(
        pk=_collection(tenant_id),
        sk=customer_id,
        tenant_id=tenant_id,
        customer_id=customer_id,
        created_at=now,
        updated_at=now,
        version=1,
        **_index_keys(tenant_id, email, external_id),
        **fields,
    )
    tx = _transaction()
    tx.tenant_id, tx.customer_id = tenant_id, customer_id
    with tx:
        tx.save(item, condition=CustomerItem.pk.does_not_exist(), label="customer_exists")
        if email:
            guard = _email_guard(tenant_id, email)
            guard.customer_id = customer_id
            tx.save(guard, condition=CustomerGuardItem.pk.does_not_exist(), label="email")
        if external_id:
            guard = _external_guard(tenant_id, external_id)
            guard.customer_id = customer_id
            tx.save(guard, condition=CustomerGuardItem.pk.does_not_exist(), label="external_id")
    return item


class _transaction:
    """TransactWrite that turns cancellations into domain errors using per-item labels."""

    def __init__(self) -> None:
        self._tx = TransactWrite(connection=_connection())
        # PynamoDB sends deletes before puts, whatever order they were added in; the
        # cancellation reasons follow the order sent, so labels are kept per kind.
        self._delete_labels: list[str] = []
        self._save_labels: list[str] = []
        self.customer_id = ""
        self.tenant_id = ""

    @property
    def labels(self) -> list[str]:
        """Item labels in the order the items are sent (deletes, then puts)."""
        return [*self._delete_labels, *self._save_labels]

    def __enter__(self) -> _transaction:
        self._tx.__enter__()
        return self

    def save(self, item: Any, condition: Any = None, *, label: str) -> None:
        self._save_labels.append(label)
        self._tx.save(item, condition=condition)

    def delete(self, item: Any, condition: Any = None, *, label: str) -> None:
        self._delete_labels.append(label)
        self._tx.delete(item, condition=condition)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            self._tx.__exit__(exc_type, exc, tb)
        except TransactWriteError as error:
            _raise_for_cancellation(error, self.labels, self.tenant_id, self.customer_id)


def get_customer(tenant_id: str, customer_id: str) -> CustomerItem | None:
    """One customer, or None (also for other tenants' ids: the key includes the tenant)."""
    try:
        return CustomerItem.get(_collection(tenant_id), customer_id, consistent_read=True)
    except CustomerItem.DoesNotExist:
        return None


def list_customers(tenant_id: str, limit: int, start_key: StartKey | None) -> Page[CustomerItem]:
    """One page of customers, oldest first."""
    return query_page(CustomerItem, _collection(tenant_id), limit=limit, start_key=start_key)


def find_by_email(tenant_id: str, email: str) -> CustomerItem | None:
    """The customer with this email (case-insensitive), via the ``by_email`` index."""
    page = query_page(
        CustomersTable.by_email,
        key(tenant_id, "EMAIL", email.lower()),
        limit=1,
        model=CustomerItem,
    )
    return page.items[0] if page.items else None


def find_by_external_id(tenant_id: str, external_id: str) -> CustomerItem | None:
    """The customer with this external id, via the ``by_external_id`` index."""
    page = query_page(
        CustomersTable.by_external_id,
        key(tenant_id, "EXT", external_id),
        limit=1,
        model=CustomerItem,
    )
    return page.items[0] if page.items else None


def update_customer(
    current: CustomerItem, expected_version: int, changes: dict[str, Any]
) -> CustomerItem:
    """Apply ``changes`` if the stored version is still ``expected_version``.

    Email and external-id changes move their uniqueness guards in the same transaction.
    """
    tenant_id, customer_id = current.tenant_id, current.customer_id
    updated = CustomerItem.from_raw_data(current.serialize())
    for name, value in changes.items():
        setattr(updated, name, value)
    updated.version = expected_version + 1
    updated.updated_at = utcnow()
    for name, value in _index_keys(tenant_id, updated.email, updated.external_id).items():
        setattr(updated, name, value)
    tx = _transaction()
    tx.tenant_id, tx.customer_id = tenant_id, customer_id
    with tx:
        tx.save(
            updated, condition=CustomerItem.version == expected_version, label="customer_version"
        )
        for label, old, new in (
            ("email", current.email, updated.email),
            ("external_id", current.external_id, updated.external_id),
        ):
            _move_guard(tx, label, old=old, new=new, tenant_id=tenant_id, customer_id=customer_id)
    return updated


def _move_guard(
    tx: _transaction,
    label: str,
    *,
    old: str | None,
    new: str | None,
    tenant_id: str,
    customer_id: str,
) -> None:
    build = _email_guard if label == "email" else _external_guard
    old_norm = old.lower() if old and label == "email" else old
    new_norm = new.lower() if new and label == "email" else new
    if old_norm == new_norm:
        return
    if old:
        tx.delete(build(tenant_id, old), label=f"old_{label}")
    if new:
        guard = build(tenant_id, new)
        guard.customer_id = customer_id
        tx.save(guard, condition=CustomerGuardItem.pk.does_not_exist(), label=label)


def delete_customer(current: CustomerItem) -> None:
    """Delete a customer and its uniqueness guards (its personal data) atomically."""
    tx = _transaction()
    tx.tenant_id, tx.customer_id = current.tenant_id, current.customer_id
    with tx:
        tx.delete(
            current, condition=CustomerItem.version == current.version, label="customer_version"
        )
        if current.email:
            tx.delete(_email_guard(current.tenant_id, current.email), label="old_email")
        if current.external_id:
            tx.delete(
                _external_guard(current.tenant_id, current.external_id), label="old_external_id"
            )


__all__ = [
    "CustomerItem",
    "CustomersTable",
    "create_customer",
    "delete_customer",
    "find_by_email",
    "find_by_external_id",
    "get_customer",
    "list_customers",
    "update_customer",
]


def customer_id_by_guard(
    tenant_id: str, *, email: str | None = None, external_id: str | None = None
) -> str | None:
    """The id of the customer holding this email (or external id), by a consistent GetItem of
    its uniqueness guard (unlike the GSIs, never stale: used to resolve creation races)."""
    if email:
        guard = _email_guard(tenant_id, email)
    elif external_id:
        guard = _external_guard(tenant_id, external_id)
    else:
        return None
    try:
        found = CustomerGuardItem.get(guard.pk, guard.sk, consistent_read=True)
    except CustomerGuardItem.DoesNotExist:
        return None
    return found.customer_id


__all__ += ["collection_key", "customer_id_by_guard"]
