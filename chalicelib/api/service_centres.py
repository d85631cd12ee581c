"""``/v1/service-centres``: authorised service centres and claim routing."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.common import ListQuery
from chalicelib.schemas.service import (
    Centre,
    CentreCreate,
    CentreList,
    CentreRouteQuery,
    CentreUpdate,
)
from chalicelib.services import service_centres

bp = Blueprint(__name__)
TAG = "service-centres"


@operation(
    bp,
    "POST",
    "/v1/service-centres",
    summary="Add a service centre",
    tag=TAG,
    scope="service:write",
    body=CentreCreate,
    response=Centre,
    status=201,
    idempotent=True,
)
def create_centre(call: Call) -> Centre:
    """Regions, products and categories served decide claim routing."""
    return service_centres.create_centre(call.tenant_id, call.body)


@operation(
    bp,
    "GET",
    "/v1/service-centres",
    summary="List service centres",
    tag=TAG,
    scope="service:read",
    query=ListQuery,
    response=CentreList,
)
def list_centres(call: Call) -> CentreList:
    """In creation order."""
    return service_centres.list_centres(call.tenant_id, call.query.limit, call.query.cursor)


@operation(
    bp,
    "GET",
    "/v1/service-centres/route",
    summary="Find the centre serving a product in a region",
    tag=TAG,
    scope="service:read",
    query=CentreRouteQuery,
    response=Centre,
)
def route_centre(call: Call) -> Centre:
    """A centre naming the product beats one serving its category; 404 when none serves it."""
    return service_centres.route_for_product(call.tenant_id, call.query)


@operation(
    bp,
    "GET",
    "/v1/service-centres/{centre_id}",
    summary="Get a service centre",
    tag=TAG,
    scope="service:read",
    response=Centre,
)
def get_centre(call: Call, centre_id: str) -> Centre:
    """The ETag header carries the version."""
    return service_centres.get_centre(call.tenant_id, centre_id)


@operation(
    bp,
    "PATCH",
    "/v1/service-centres/{centre_id}",
    summary="Update a service centre",
    tag=TAG,
    scope="service:write",
    body=CentreUpdate,
    response=Centre,
    conditional=True,
)
def update_centre(call: Call, centre_id: str) -> Centre:
    """Deactivate with ``active: false``: routing skips it."""
    return service_centres.update_centre(call.tenant_id, centre_id, call.body, call.if_match)
