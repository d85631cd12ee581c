"""Warranties & service table: products, registrations, plans, claims, centres, visits.

Item layout:

| item                   | pk                            | sk                  |
|------------------------|-------------------------------|---------------------|
| product                | ``<t>#PRODUCT``               | ``<product id>``    |
| SKU guard              | ``<t>#PRODUCT_SKU``           | ``<SKU upper>``     |
| registration           | ``<t>#WARRANTY#<id>``         | ``WARRANTY``        |
| claim                  | ``<t>#WARRANTY#<id>``         | ``CLAIM#<claim id>``|
| serial (guard + find)  | ``<t>#SERIAL#<serial upper>`` | ``<product id>``    |
| service centre         | ``<t>#CENTRE``                | ``<centre id>``     |
| service plan           | ``<t>#SPLAN#<id>``            | ``SPLAN``           |
| plan guard (1 per reg.)| ``<t>#SPLAN_FOR``             | ``<warranty id>``   |
| appointment            | ``<t>#APPT#<id>``             | ``APPT``            |

Access patterns:

| pattern                              | how                                                   |
|--------------------------------------|-------------------------------------------------------|
| product by id / list / SKU unique    | GetItem / Query ``<t>#PRODUCT`` / guard in the create |
|                                      | transaction                                           |
| registration with its plans         | GetItem ``<t>#WARRANTY#<id>`` (coverage = 1 call)     |
| claims of a registration             | Query ``<t>#WARRANTY#<id>``, sk begins ``CLAIM#``     |
| find by serial (any product)         | Query ``<t>#SERIAL#<serial>`` then GetItem each match |
|                                      | (2 calls for one match)                               |
| serial unique per product            | the serial item, written in the registration's        |
|                                      | transaction with ``attribute_not_exists``             |
| registrations / plans / appointments | Query ``by_customer`` (``gsi1pk =                     |
| of a customer                        | <t>#CUSTOMER#<id>#<KIND>``, newest first)             |
| all registrations / claims / plans / | Query ``by_kind`` (``gsi2pk = <t>#<KIND>``, range     |
| appointments (date-ranged)           | ``gsi2sk`` = created time or visit start)             |
| registrations of a product           | Query ``by_product`` (``gsi3pk = <t>#PRODUCT#<id>``)  |
| service plans by next visit to book  | Query ``by_kind`` (``gsi2pk = <t>#SERVICE_PLAN``,     |
|                                      | ``gsi2sk = <next planned date>#<id>``; done or        |
|                                      | cancelled plans sort last at ``9999-12-31``)          |
| appointments in a time range         | Query ``by_kind`` (``gsi2pk = <t>#APPOINTMENT``,      |
|                                      | ``gsi2sk = <starts_at>#<id>``), ``between``           |
| a technician's appointments          | Query ``by_product`` (generic third index:            |
|                                      | ``gsi3pk = <t>#TECHNICIAN#<name lower>``, by start)   |
| appointments of one visit kind       | Query ``by_facet`` (``gsi4pk =                        |
|                                      | <t>#APPOINTMENT#KIND#<KIND>``, ``gsi4sk =             |
|                                      | <starts_at>#<id>``), ``between`` for a time range     |
| appointment filters (status, centre, | filter expressions on the top-level ``status``,       |
| technician, visit kind)              | ``centre_id``, ``technician``, ``visit_kind`` copies  |
|                                      | of ``data`` (on a customer's or technician's list)    |
| one active plan per registration     | guard item ``<t>#SPLAN_FOR`` / warranty id, written   |
|                                      | with the plan, deleted when it is cancelled           |
| centres                              | Query ``<t>#CENTRE`` (routing filters in memory: a    |
|                                      | tenant has tens of centres, not millions)             |

A registration item holds its extended plans (a handful at most), so the coverage check and a
claim's decision read one item; buying a plan is a write conditional on the registration's
version, so two purchases cannot take the same period. The registration carries a snapshot of
the product's warranty terms: changing a product later does not rewrite promises already made.
Claims live in the registration's partition.
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


class ByCustomerIndex(GlobalSecondaryIndex["ServiceTable"]):
    """A customer's registrations, plans and appointments, newest first."""

    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ByKindIndex(GlobalSecondaryIndex["ServiceTable"]):
    """All items of one kind of a tenant, by time (created, or a visit's start)."""

    class Meta:
        index_name = "by_kind"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class ByProductIndex(GlobalSecondaryIndex["ServiceTable"]):
    """Registrations of one product; appointments of one technician (a generic third index
    whose name predates its second use)."""

    class Meta:
        index_name = "by_product"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class ByFacetIndex(GlobalSecondaryIndex["ServiceTable"]):
    """Records of one kind with one value of a field, by time: appointments of one visit kind
    (delivery, installation, ...) by start."""

    class Meta:
        index_name = "by_facet"
        projection = AllProjection()

    gsi4pk = UnicodeAttribute(hash_key=True)
    gsi4sk = UnicodeAttribute(range_key=True)


class ServiceTable(TenantModel):
    """Table definition: keys and indexes of the warranties & service table."""

    class Meta(metaclass=TableMeta):
        base_name = "service"

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)
    by_customer = ByCustomerIndex()
    by_kind = ByKindIndex()
    by_product = ByProductIndex()
    by_facet = ByFacetIndex()


class ServiceItem(VersionedMixin, ServiceTable):
    """Any versioned record of this context; ``kind`` says which, ``data`` holds its fields.

    The records are documents validated by pydantic in the service layer; storing them as one
    JSON attribute keeps this table's schema to its keys and indexes.
    """

    kind = UnicodeAttribute()
    record_id = UnicodeAttribute()
    data = JSONAttribute()
    # Copied from ``data`` so lists can filter on them (claims, appointments, plans).
    status = UnicodeAttribute(null=True)
    centre_id = UnicodeAttribute(null=True)
    technician = UnicodeAttribute(null=True)
    visit_kind = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class SerialItem(ServiceTable):
    """A serial number registered for a product (uniqueness guard and lookup)."""

    warranty_id = UnicodeAttribute()
    active = BooleanAttribute(default=True)


class SkuItem(ServiceTable):
    """A SKU taken by a product."""

    product_id = UnicodeAttribute()


class PlanGuardItem(ServiceTable):
    """The active service plan of a registration (at most one)."""

    plan_id = UnicodeAttribute()


# --- keys ----------------------------------------------------------------------------------

PARTITIONS = {
    "product": ("PRODUCT", None),
    "centre": ("CENTRE", None),
    "warranty": ("WARRANTY", "WARRANTY"),
    "service_plan": ("SPLAN", "SPLAN"),
    "appointment": ("APPT", "APPT"),
}


def record_key(
    tenant_id: str, kind: str, record_id: str, parent_id: str | None = None
) -> tuple[str, str]:
    """(pk, sk) of a record."""
    if kind == "claim":
        if parent_id is None:
            raise ValueError(f"a {kind} lives in its registration's partition")
        return key(tenant_id, "WARRANTY", parent_id), f"{kind.upper()}#{record_id}"
    prefix, sort = PARTITIONS[kind]
    if sort is None:
        return key(tenant_id, prefix), record_id
    return key(tenant_id, prefix, record_id), sort


def serial_key(tenant_id: str, serial: str) -> str:
    """Partition of a serial number's registrations (serials compare case-insensitively)."""
    return key(tenant_id, "SERIAL", serial.strip().upper())


def customer_index_key(tenant_id: str, customer_id: str, kind: str) -> str:
    """``by_customer`` partition of a customer's records of one kind."""
    return key(tenant_id, "CUSTOMER", customer_id, kind.upper())


def kind_index_key(tenant_id: str, kind: str) -> str:
    """``by_kind`` partition of every record of one kind."""
    return key(tenant_id, kind.upper())


def product_index_key(tenant_id: str, product_id: str) -> str:
    """``by_product`` partition of a product's registrations."""
    return key(tenant_id, "PRODUCT", product_id)


def visit_kind_index_key(tenant_id: str, visit_kind: str) -> str:
    """``by_facet`` partition of the appointments of one visit kind."""
    return key(tenant_id, "APPOINTMENT", "KIND", visit_kind.upper())


# --- transactions --------------------------------------------------------------------------


def _connection() -> Connection:
    return ServiceItem._get_connection().connection


class Transaction:
    """TransactWrite whose cancellation reasons become domain errors, by per-item label.

    Labels: ``new`` (the record must not exist), ``version`` (stale version), ``sku``,
    ``serial`` (taken), anything else re-raises.
    """

    def __init__(self, what: str) -> None:
        self._tx = TransactWrite(connection=_connection())
        # PynamoDB sends condition checks, then deletes, then puts, then updates, whatever
        # order they were added in; cancellation reasons follow that order.
        self._delete_labels: list[str] = []
        self._save_labels: list[str] = []
        self.what = what

    @property
    def labels(self) -> list[str]:
        """Item labels in the order the items are sent (deletes, then puts)."""
        return [*self._delete_labels, *self._save_labels]

    def __enter__(self) -> Transaction:
        self._tx.__enter__()
        return self

    def save(self, item: Any, label: str, condition: Any = None) -> None:
        """Put ``item`` under ``condition``."""
        self._save_labels.append(label)
        self._tx.save(item, condition=condition)

    def delete(self, item: Any, label: str, condition: Any = None) -> None:
        """Delete ``item`` under ``condition``."""
        self._delete_labels.append(label)
        self._tx.delete(item, condition=condition)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            self._tx.__exit__(exc_type, exc, tb)
        except TransactWriteError as error:
            for label, code in zip(self.labels, cancellation_codes(error), strict=False):
                if code != CONDITION_FAILED:
                    continue
                if label == "version":
                    raise VersionConflict(
                        f"the {self.what} was changed by someone else; fetch it and retry "
                        "with its version"
                    ) from error
                if label == "sku":
                    raise Conflict(
                        "another product already has this SKU", code="sku_taken"
                    ) from error
                if label.startswith("version:"):
                    raise VersionConflict(
                        f"the {label.removeprefix('version:')} was changed at the same time; retry"
                    ) from error
                if label == "plan_guard":
                    raise Conflict(
                        "this registration already has an active service plan",
                        code="service_plan_exists",
                    ) from error
                if label == "serial":
                    raise Conflict(
                        "this serial number is already registered for this product",
                        code="serial_taken",
                    ) from error
                if label == "new":
                    raise Conflict(f"the {self.what} already exists", code="duplicate") from error
            raise


def new_record(
    tenant_id: str,
    kind: str,
    record_id: str,
    data: dict[str, Any],
    *,
    parent_id: str | None = None,
    indexes: dict[str, Any] | None = None,
) -> ServiceItem:
    """An unsaved record at version 1."""
    pk, sk = record_key(tenant_id, kind, record_id, parent_id)
    now = utcnow()
    item = ServiceItem(
        pk=pk,
        sk=sk,
        tenant_id=tenant_id,
        kind=kind,
        record_id=record_id,
        data=data,
        created_at=now,
        updated_at=now,
        version=1,
        **(indexes or {}),
    )
    sync_filters(item)
    return item


def sync_filters(item: ServiceItem) -> None:
    """Copy the filterable fields of ``data`` to their top-level attributes."""
    item.status = item.data.get("status")
    item.centre_id = item.data.get("service_centre_id")
    technician = item.data.get("technician")
    item.technician = technician.lower() if technician else None
    item.visit_kind = item.data.get("kind") if item.kind == "appointment" else None


def save_new(item: ServiceItem, *, extra: list[tuple[Any, str]] | None = None, what: str) -> None:
    """Create ``item`` (must not exist) and any guard items, atomically."""
    with Transaction(what) as tx:
        tx.save(item, "new", ServiceItem.pk.does_not_exist())
        for guard, label in extra or []:
            tx.save(guard, label, ServiceTable.pk.does_not_exist())


def save_version(
    item: ServiceItem,
    expected_version: int,
    *,
    extra_saves: list[tuple[Any, str]] | None = None,
    extra_deletes: list[tuple[Any, str]] | None = None,
    what: str,
) -> ServiceItem:
    """Write ``item`` as the next version if the stored one is still ``expected_version``."""
    item.version = expected_version + 1
    item.updated_at = utcnow()
    sync_filters(item)
    with Transaction(what) as tx:
        tx.save(item, "version", ServiceItem.version == expected_version)
        for guard, label in extra_saves or []:
            tx.save(guard, label, ServiceTable.pk.does_not_exist())
        for guard, label in extra_deletes or []:
            tx.delete(guard, label)
    return item


def write_together(
    *,
    new: list[tuple[ServiceItem, str]] | None = None,
    versioned: list[tuple[ServiceItem, int, str]] | None = None,
    guards: list[tuple[Any, str]] | None = None,
    deletes: list[tuple[Any, str]] | None = None,
    what: str,
) -> None:
    """One transaction over several records: new ones (must not exist), next versions of
    existing ones (each conditional on its expected version; a stale one is a 409 naming it),
    new guard items (must not exist) and deleted guard items."""
    with Transaction(what) as tx:
        for item, label in new or []:
            tx.save(item, label, ServiceItem.pk.does_not_exist())
        for item, expected, name in versioned or []:
            item.version = expected + 1
            item.updated_at = utcnow()
            sync_filters(item)
            label = "version" if name == what else f"version:{name}"
            tx.save(item, label, ServiceItem.version == expected)
        for guard, label in guards or []:
            tx.save(guard, label, ServiceTable.pk.does_not_exist())
        for guard, label in deletes or []:
            tx.delete(guard, label)


def plan_guard(tenant_id: str, warranty_id: str, plan_id: str) -> PlanGuardItem:
    """The item that keeps a registration to one active service plan."""
    return PlanGuardItem(
        pk=key(tenant_id, "SPLAN_FOR"),
        sk=warranty_id,
        tenant_id=tenant_id,
        plan_id=plan_id,
    )


def active_plan_id(tenant_id: str, warranty_id: str) -> str | None:
    """The id of the registration's active service plan (its guard item), or None."""
    try:
        guard = PlanGuardItem.get(key(tenant_id, "SPLAN_FOR"), warranty_id, consistent_read=True)
    except PlanGuardItem.DoesNotExist:
        return None
    return str(guard.plan_id)


def copy(item: ServiceItem) -> ServiceItem:
    """A detached copy to modify (the original stays the "before" for audit and errors)."""
    return ServiceItem.from_raw_data(item.serialize())


def sku_guard(tenant_id: str, sku: str, product_id: str) -> SkuItem:
    """The guard item that makes a SKU unique per tenant."""
    return SkuItem(
        pk=key(tenant_id, "PRODUCT_SKU"),
        sk=sku.strip().upper(),
        tenant_id=tenant_id,
        product_id=product_id,
    )


def serial_item(tenant_id: str, serial: str, product_id: str, warranty_id: str) -> SerialItem:
    """The item that makes (product, serial) unique and finds registrations by serial."""
    return SerialItem(
        pk=serial_key(tenant_id, serial),
        sk=product_id,
        tenant_id=tenant_id,
        warranty_id=warranty_id,
    )


# --- reads ---------------------------------------------------------------------------------


def get_record(
    tenant_id: str, kind: str, record_id: str, parent_id: str | None = None
) -> ServiceItem | None:
    """One record, or None (another tenant's id is simply not found: keys carry the tenant)."""
    pk, sk = record_key(tenant_id, kind, record_id, parent_id)
    try:
        item = ServiceItem.get(pk, sk, consistent_read=True)
    except ServiceItem.DoesNotExist:
        return None
    return item if item.kind == kind else None


def warranty_partition(tenant_id: str, warranty_id: str) -> list[ServiceItem]:
    """The registration with all its plans and claims: one strongly consistent Query."""
    return list(ServiceItem.query(key(tenant_id, "WARRANTY", warranty_id), consistent_read=True))


def serial_matches(tenant_id: str, serial: str) -> list[SerialItem]:
    """Every product's registration of this serial (usually one)."""
    return list(SerialItem.query(serial_key(tenant_id, serial), consistent_read=True, limit=100))


def list_partition(
    tenant_id: str, kind: str, limit: int, start_key: StartKey | None
) -> Page[ServiceItem]:
    """A page of a single-partition collection (products, centres), by id."""
    pk, _ = record_key(tenant_id, kind, "")
    return query_page(ServiceItem, pk, limit=limit, start_key=start_key)


def all_in_partition(tenant_id: str, kind: str, cap: int = 1000) -> list[ServiceItem]:
    """Every record of a small collection (centres, for routing)."""
    pk, _ = record_key(tenant_id, kind, "")
    return list(ServiceItem.query(pk, limit=cap))


def list_index(
    index: str,
    hash_key: str,
    limit: int,
    start_key: StartKey | None,
    *,
    range_condition: Any = None,
    filter_condition: Any = None,
    newest_first: bool = True,
) -> Page[ServiceItem]:
    """A page of one index partition."""
    source = {
        "by_customer": ServiceTable.by_customer,
        "by_kind": ServiceTable.by_kind,
        "by_product": ServiceTable.by_product,
        "by_facet": ServiceTable.by_facet,
    }[index]
    return query_page(
        source,
        hash_key,
        limit=limit,
        start_key=start_key,
        range_key_condition=range_condition,
        filter_condition=filter_condition,
        newest_first=newest_first,
        model=ServiceItem,
    )


_RANGE_KEYS = {
    "by_customer": ServiceTable.gsi1sk,
    "by_kind": ServiceTable.gsi2sk,
    "by_product": ServiceTable.gsi3sk,
    "by_facet": ServiceTable.gsi4sk,
}


def range_between(index: str, low: str, high: str) -> Any:
    """A range-key condition ``low <= sk <= high`` on ``index``."""
    return _RANGE_KEYS[index].between(low, high)


def range_from(index: str, low: str) -> Any:
    """A range-key condition ``sk >= low`` on ``index``."""
    return _RANGE_KEYS[index] >= low


def range_to(index: str, high: str) -> Any:
    """A range-key condition ``sk <= high`` on ``index``."""
    return _RANGE_KEYS[index] <= high


def equals_filters(**values: str | None) -> Any:
    """AND of equality filters on the top-level copies (``status``, ``centre_id``,
    ``technician``, ``visit_kind``); None when no value is given."""
    attributes = {
        "status": ServiceItem.status,
        "centre_id": ServiceItem.centre_id,
        "technician": ServiceItem.technician,
        "visit_kind": ServiceItem.visit_kind,
    }
    condition = None
    for name, value in values.items():
        if value is None:
            continue
        term = attributes[name] == value
        condition = term if condition is None else condition & term
    return condition


def get_many(tenant_id: str, kind: str, record_ids: list[str]) -> list[ServiceItem]:
    """Several records of one kind (one BatchGetItem per 100), in no particular order."""
    keys = [record_key(tenant_id, kind, record_id) for record_id in record_ids]
    return [i for i in ServiceItem.batch_get(keys, consistent_read=True) if i.kind == kind]


def list_claims(
    tenant_id: str, warranty_id: str, limit: int, start_key: StartKey | None, *, status: str | None
) -> Page[ServiceItem]:
    """A registration's claims, newest first (one Query of its partition)."""
    return query_page(
        ServiceItem,
        key(tenant_id, "WARRANTY", warranty_id),
        limit=limit,
        start_key=start_key,
        range_key_condition=ServiceItem.sk.startswith("CLAIM#"),
        filter_condition=(ServiceItem.status == status) if status else None,
        newest_first=True,
    )


def kind_filter(kind: str) -> Any:
    """Filter to one record kind (index partitions are per kind already; defence in depth)."""
    return ServiceItem.kind == kind
