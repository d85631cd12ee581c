"""Authorised service centres, and routing a product to the centre that serves it.

Regions are ISO 3166-2 codes (``chalicelib.domain.regions`` holds the codes, their names and
the matching rules). Centres stored before that kept free-text names: they are migrated on
read (a name that is a known subdivision becomes its code; any other name is kept as a
*legacy region*, still matched as folded text) and written back as codes on their next update.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.domain import regions
from chalicelib.domain.errors import FieldError, Invalid, NotFound, PreconditionRequired
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


def stored_regions(data: dict[str, Any]) -> tuple[list[str], list[str]]:
    """A stored centre's regions as (ISO 3166-2 codes, legacy names): the migration on read
    of centres whose regions were stored as names."""
    codes: list[str] = []
    legacy: list[str] = []
    for text in data.get("regions", []):
        found = regions.resolve(text, data.get("country"))
        if not found:
            legacy.append(text)
        codes.extend(code for code in found if code not in codes)
    return codes, legacy


def _region_codes(country: str, given: Sequence[str]) -> list[str]:
    """Requested regions as the codes of ``country``'s subdivisions (422 on any bad one)."""
    codes: list[str] = []
    for index, text in enumerate(given):
        code = regions.region_code(country, text, field=f"regions.{index}")
        if code not in codes:
            codes.append(code)
    return codes


def to_centre(item: store.ServiceItem) -> Centre:
    """The API view of a stored centre (regions as codes, see :func:`stored_regions`)."""
    codes, legacy = stored_regions(item.data)
    return Centre.model_validate(
        {
            **item.data,
            "regions": codes,
            "legacy_regions": legacy,
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
    """Add an authorised service centre; its regions are stored as ISO 3166-2 codes."""
    data = request.model_dump(mode="json")
    data["regions"] = _region_codes(request.country, request.regions)
    item = store.new_record(tenant_id, "centre", new_id(), data)
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
    updated.data["regions"] = _updated_regions(current.data, updated.data["country"], changes)
    store.save_version(updated, expected, what="service centre")
    return to_centre(updated)


def _updated_regions(stored: dict[str, Any], country: str, changes: dict[str, Any]) -> list[str]:
    """The regions an update stores: the requested ones as codes, else the stored ones
    migrated to codes (legacy names kept), which must still lie in the centre's country."""
    if changes.get("regions") is not None:
        return _region_codes(country, changes["regions"])
    codes, legacy = stored_regions(stored)
    for index, code in enumerate(codes):
        if code[:2] != country:
            detail = f"region {code} is not in {country}: send the regions of the new country"
            raise Invalid(
                detail,
                code="region_country_mismatch",
                errors=[FieldError(f"regions.{index}", detail)],
            )
    return [*codes, *legacy]


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


def _place_fit(data: dict[str, Any], wanted: Sequence[str], region_text: str | None) -> int:
    """How well a centre's regions fit the wanted place: 3 same region, 2 the centre serves
    its county, 1 the place is a county holding one of the centre's municipalities, 0 none
    (see ``chalicelib.domain.regions``). Legacy names match the folded text exactly."""
    codes, legacy = stored_regions(data)
    best = regions.fit(codes, wanted)
    if best < 3 and region_text and legacy:
        folded = regions.fold(region_text)
        if any(regions.fold(name) == folded for name in legacy):
            best = 3
    return best


def route(
    tenant_id: str,
    product_id: str,
    category: str | None,
    *,
    region: str | None = None,
    country: str | None = None,
) -> Centre | None:
    """The active centre serving the product (or its category) in the region, if any.

    ``region`` is an ISO 3166-2 code or a name (compared without case or diacritics); a
    centre serving that region beats one serving its county, which beats one serving a
    municipality of the county asked for, which beats (when ``country`` is given) any centre
    of the country. Then a centre naming the product beats one serving its category, and the
    first by name wins (deterministic). One Query of the centres.
    """
    wanted = regions.resolve(region, country) if region else ()
    best: tuple[int, int, str, store.ServiceItem] | None = None
    for item in store.all_in_partition(tenant_id, "centre"):
        data = item.data
        if not data.get("active", True):
            continue
        fit = _score(data, product_id, category)
        if fit is None:
            continue
        place = _place_fit(data, wanted, region) + 1 if region else 0
        if place <= 1:
            if country and data.get("country") == country:
                place = 1
            elif region or country:
                continue
        rank = (-place, -fit, data["name"].lower(), item)
        if best is None or rank[:3] < best[:3]:
            best = rank
    return to_centre(best[3]) if best else None


def customer_place(customer: Any) -> tuple[str | None, str | None]:
    """The (region code, country) of a customer's address, for routing their claims;
    (None, None) when the customer has no address (or no longer exists)."""
    address = (customer.address if customer else None) or {}
    return address.get("region"), address.get("country")


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
