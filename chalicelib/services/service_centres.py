"""Authorised service centres, and routing a product to the centre that serves it."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.errors import NotFound, PreconditionRequired
from chalicelib.domain.ids import new_id
from chalicelib.schemas.service import (
    Centre,
    CentreCreate,
    CentreList,
    CentreRouteQuery,
    CentreUpdate,
)
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.store import service as store


def to_centre(item: store.ServiceItem) -> Centre:
    """The API view of a stored centre."""
    return Centre.model_validate(
        {
            **item.data,
            "id": item.record_id,
            "created_at": item.created_at,
            "updated_at": item.updated_at,
            "version": item.version,
        }
    )


def load_centre(tenant_id: str, centre_id: str) -> store.ServiceItem:
    """A stored centre, or 404."""
    item = store.get_record(tenant_id, "centre", centre_id)
    if item is None:
        raise NotFound(f"service centre {centre_id} not found", code="service_centre_not_found")
    return item


def create_centre(tenant_id: str, request: CentreCreate) -> Centre:
    """Add an authorised service centre."""
    item = store.new_record(tenant_id, "centre", new_id(), request.model_dump(mode="json"))
    store.save_new(item, what="service centre")
    return to_centre(item)


def get_centre(tenant_id: str, centre_id: str) -> Centre:
    """One centre."""
    return to_centre(load_centre(tenant_id, centre_id))


def update_centre(
    tenant_id: str, centre_id: str, request: CentreUpdate, if_match: int | None
) -> Centre:
    """Change a centre (conditional on its version)."""
    current = load_centre(tenant_id, centre_id)
    expected = request.version or if_match
    if expected is None:
        raise PreconditionRequired("send the centre's version (or If-Match) to update it")
    changes = request.model_dump(mode="json", exclude_unset=True, exclude={"version"})
    updated = store.copy(current)
    updated.data = {**current.data, **{k: v for k, v in changes.items() if v is not None}}
    for nullable in ("email", "phone"):
        if nullable in changes and changes[nullable] is None:
            updated.data[nullable] = None
    store.save_version(updated, expected, what="service centre")
    return to_centre(updated)


def list_centres(tenant_id: str, limit: int | None, cursor: str | None) -> CentreList:
    """A page of centres."""
    size, start = page_request(tenant_id, "centres", limit, cursor)
    page = store.list_partition(tenant_id, "centre", size, start)
    return CentreList(
        items=[to_centre(i) for i in page.items],
        next_cursor=next_cursor(tenant_id, "centres", page),
    )


def _score(data: dict[str, Any], product_id: str, category: str | None) -> int | None:
    """How well a centre fits: 2 = serves this product, 1 = its category, None = neither."""
    if product_id in data.get("product_ids", []):
        return 2
    if category and category.lower() in {c.lower() for c in data.get("categories", [])}:
        return 1
    return None


def serves(item: store.ServiceItem, product_id: str, category: str | None) -> bool:
    """Whether a centre is authorised for a product: active, and naming the product or its
    category."""
    active = bool(item.data.get("active", True))
    return active and _score(item.data, product_id, category) is not None


def route(
    tenant_id: str,
    product_id: str,
    category: str | None,
    *,
    region: str | None = None,
    country: str | None = None,
) -> Centre | None:
    """The active centre serving the product (or its category) in the region, if any.

    A centre naming the product beats one serving its category; within a region match, then
    a country match, the first by name wins (deterministic). One Query of the centres.
    """
    best: tuple[int, int, str, store.ServiceItem] | None = None
    for item in store.all_in_partition(tenant_id, "centre"):
        data = item.data
        if not data.get("active", True):
            continue
        fit = _score(data, product_id, category)
        if fit is None:
            continue
        place = 0
        if region and region.lower() in {r.lower() for r in data.get("regions", [])}:
            place = 2
        elif country and data.get("country") == country:
            place = 1
        elif region or country:
            continue
        rank = (-place, -fit, data["name"].lower(), item)
        if best is None or rank[:3] < best[:3]:
            best = rank
    return to_centre(best[3]) if best else None


def route_for_product(tenant_id: str, query: CentreRouteQuery) -> Centre:
    """The centre :func:`route` picks for a product, or 404 ``no_centre``."""
    from chalicelib.services import products

    product = products.load_product(tenant_id, query.product_id)
    found = route(
        tenant_id,
        product.record_id,
        product.data.get("category"),
        region=query.region,
        country=query.country,
    )
    if found is None:
        raise NotFound("no authorised centre serves this product there", code="no_centre")
    return found
