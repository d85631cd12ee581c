"""Products: what a tenant sells, with its warranty terms, extended plans and maintenance."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.errors import NotFound, PreconditionRequired
from chalicelib.domain.ids import new_id
from chalicelib.schemas.warranties import (
    Product,
    ProductCreate,
    ProductList,
    ProductUpdate,
)
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.store import service as store


def to_product(item: store.ServiceItem) -> Product:
    """The API view of a stored product."""
    return Product.model_validate(
        {
            **item.data,
            "id": item.record_id,
            "created_at": item.created_at,
            "updated_at": item.updated_at,
            "version": item.version,
        }
    )


def load_product(tenant_id: str, product_id: str) -> store.ServiceItem:
    """The stored product, or 404."""
    item = store.get_record(tenant_id, "product", product_id)
    if item is None:
        raise NotFound(f"product {product_id} not found", code="product_not_found")
    return item


def create_product(tenant_id: str, request: ProductCreate) -> Product:
    """Create a product; its SKU is unique per tenant (409 ``sku_taken``)."""
    product_id = new_id()
    data = request.model_dump(mode="json")
    item = store.new_record(tenant_id, "product", product_id, data)
    store.save_new(
        item, extra=[(store.sku_guard(tenant_id, request.sku, product_id), "sku")], what="product"
    )
    return to_product(item)


def get_product(tenant_id: str, product_id: str) -> Product:
    """One product."""
    return to_product(load_product(tenant_id, product_id))


def update_product(
    tenant_id: str, product_id: str, request: ProductUpdate, if_match: int | None
) -> Product:
    """Change a product (conditional on its version). Existing registrations keep the terms
    they were sold with."""
    current = load_product(tenant_id, product_id)
    expected = request.version or if_match
    if expected is None:
        raise PreconditionRequired("send the product's version (or If-Match) to update it")
    changes: dict[str, Any] = request.model_dump(
        mode="json", exclude_unset=True, exclude={"version"}
    )
    updated = store.copy(current)
    updated.data = {**current.data, **{k: v for k, v in changes.items() if v is not None}}
    saves, deletes = [], []
    old_sku, new_sku = current.data["sku"], updated.data["sku"]
    if old_sku.upper() != new_sku.upper():
        saves.append((store.sku_guard(tenant_id, new_sku, product_id), "sku"))
        deletes.append((store.sku_guard(tenant_id, old_sku, product_id), "old_sku"))
    store.save_version(updated, expected, extra_saves=saves, extra_deletes=deletes, what="product")
    return to_product(updated)


def list_products(tenant_id: str, limit: int | None, cursor: str | None) -> ProductList:
    """A page of products (by id, i.e. creation order)."""
    size, start = page_request(tenant_id, "products", limit, cursor)
    page = store.list_partition(tenant_id, "product", size, start)
    return ProductList(
        items=[to_product(i) for i in page.items],
        next_cursor=next_cursor(tenant_id, "products", page),
    )
