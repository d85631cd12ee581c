"""``/platform/tenants``: the operator onboards, suspends and offboards tenants."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.tenants import (
    OffboardingReport,
    StatusChange,
    Tenant,
    TenantCreate,
    TenantCreated,
    TenantList,
    TenantListQuery,
)
from chalicelib.services import tenants

bp = Blueprint(__name__)
TAG = "platform"


@operation(
    bp,
    "POST",
    "/platform/tenants",
    summary="Onboard a tenant",
    tag=TAG,
    auth="platform",
    body=TenantCreate,
    response=TenantCreated,
    status=201,
    idempotent=True,
)
def create_tenant(call: Call) -> TenantCreated:
    """Creates the tenant, its first admin API key and a publishable widget key (shown once)."""
    return tenants.onboard(call.body)


@operation(
    bp,
    "GET",
    "/platform/tenants",
    summary="List tenants",
    tag=TAG,
    auth="platform",
    query=TenantListQuery,
    response=TenantList,
)
def list_tenants(call: Call) -> TenantList:
    """Oldest first."""
    return tenants.list_tenants(call.query.limit, call.query.cursor)


@operation(
    bp,
    "GET",
    "/platform/tenants/{tenant_id}",
    summary="Get a tenant",
    tag=TAG,
    auth="platform",
    response=Tenant,
)
def get_tenant(call: Call, tenant_id: str) -> Tenant:
    """One tenant."""
    return tenants.get_tenant(tenant_id)


@operation(
    bp,
    "POST",
    "/platform/tenants/{tenant_id}/suspend",
    summary="Suspend a tenant",
    tag=TAG,
    auth="platform",
    body=StatusChange,
    response=Tenant,
)
def suspend_tenant(call: Call, tenant_id: str) -> Tenant:
    """Every key of the tenant is refused with 403 ``tenant_suspended`` until reactivated."""
    return tenants.suspend(tenant_id, call.body.reason)


@operation(
    bp,
    "POST",
    "/platform/tenants/{tenant_id}/reactivate",
    summary="Reactivate a tenant",
    tag=TAG,
    auth="platform",
    response=Tenant,
)
def reactivate_tenant(call: Call, tenant_id: str) -> Tenant:
    """Lifts a suspension."""
    return tenants.reactivate(tenant_id)


@operation(
    bp,
    "DELETE",
    "/platform/tenants/{tenant_id}",
    summary="Offboard a tenant",
    tag=TAG,
    auth="platform",
    response=OffboardingReport,
)
def offboard_tenant(call: Call, tenant_id: str) -> OffboardingReport:
    """Deletes every item of the tenant in every table. If ``completed`` is false the time
    budget ran out: call again to continue (it is safe to repeat)."""
    return tenants.offboard(tenant_id)
