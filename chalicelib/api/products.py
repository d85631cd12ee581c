"""``/v1/products``: what the tenant sells, with warranty terms and extended plans."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.common import ListQuery
from chalicelib.schemas.warranties import Product, ProductCreate, ProductList, ProductUpdate
from chalicelib.services import products

bp = Blueprint(__name__)
TAG = "products"


@operation(
    bp,
    "POST",
    "/v1/products",
    summary="Create a product",
    tag=TAG,
    scope="products:write",
    body=ProductCreate,
    response=Product,
    status=201,
    idempotent=True,
)
def create_product(call: Call) -> Product:
    """The SKU is unique per tenant (409 ``sku_taken``)."""
    return products.create_product(call.tenant_id, call.body)


@operation(
    bp,
    "GET",
    "/v1/products",
    summary="List products",
    tag=TAG,
    scope="products:read",
    query=ListQuery,
    response=ProductList,
)
def list_products(call: Call) -> ProductList:
    """In creation order."""
    return products.list_products(call.tenant_id, call.query.limit, call.query.cursor)


@operation(
    bp,
    "GET",
    "/v1/products/{product_id}",
    summary="Get a product",
    tag=TAG,
    scope="products:read",
    response=Product,
)
def get_product(call: Call, product_id: str) -> Product:
    """The ETag header carries the version."""
    return products.get_product(call.tenant_id, product_id)


@operation(
    bp,
    "PATCH",
    "/v1/products/{product_id}",
    summary="Update a product",
    tag=TAG,
    scope="products:write",
    body=ProductUpdate,
    response=Product,
    conditional=True,
)
def update_product(call: Call, product_id: str) -> Product:
    """Registrations keep the terms they were sold with."""
    return products.update_product(call.tenant_id, product_id, call.body, call.if_match)
