"""Tenant lifecycle (platform operator): onboard, read, suspend, reactivate, offboard."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.config import get_settings
from chalicelib.domain.api_keys import (
    ADMIN,
    format_publishable_key,
    format_secret_key,
    hash_secret,
    new_secret,
)
from chalicelib.domain.errors import Conflict, NotFound, VersionConflict
from chalicelib.domain.ids import is_id, new_id
from chalicelib.schemas.tenants import (
    ApiKeyWithSecret,
    OffboardingReport,
    Tenant,
    TenantCreate,
    TenantCreated,
    TenantList,
    WidgetKey,
)
from chalicelib.services import auth
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.store import tenants as store
from chalicelib.store.errors import is_condition_failure
from chalicelib.store.settings import SettingsItem

PLATFORM_OWNER = "platform"


def to_tenant(item: store.TenantItem) -> Tenant:
    """Response model of a tenant record."""
    return Tenant(
        id=item.tenant_id,
        name=item.name,
        plan=item.plan,  # type: ignore[arg-type]
        default_locale=item.default_locale,  # type: ignore[arg-type]
        time_zone=item.time_zone,
        status=item.status,  # type: ignore[arg-type]
        status_reason=item.status_reason,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version),
    )


def onboard(request: TenantCreate) -> TenantCreated:
    """Create a tenant with a first admin key and a widget key, atomically."""
    tenant_id, admin_key_id, widget_key_id = new_id(), new_id(), new_id()
    secret = new_secret()
    tenant = store.new_tenant_item(
        tenant_id,
        name=request.name,
        plan=request.plan,
        default_locale=request.default_locale,
        time_zone=request.time_zone,
    )
    api_key = store.new_api_key_item(
        tenant_id,
        admin_key_id,
        name="Admin key",
        scopes=[ADMIN],
        secret_hash=hash_secret(secret),
        hint=secret[-4:],
    )
    from chalicelib.services.widget_keys import normalise_origins
    from chalicelib.store.widget import directory_items

    widget_key = store.new_widget_key_item(
        tenant_id,
        widget_key_id,
        name="Default widget key",
        allowed_origins=normalise_origins(
            request.widget_origins, allow_subdomains=False, field="widget_origins"
        ),
    )
    hours = _starting_business_hours(tenant_id, request.time_zone)
    with TransactWrite(connection=store.TenantItem._get_connection().connection) as tx:
        tx.save(tenant, condition=store.TenantItem.pk.does_not_exist())
        tx.save(api_key, condition=store.ApiKeyItem.pk.does_not_exist())
        tx.save(widget_key, condition=store.WidgetKeyItem.pk.does_not_exist())
        for entry in directory_items(widget_key):
            tx.save(entry)
        if hours is not None:
            tx.save(hours)
    return TenantCreated(
        tenant=to_tenant(tenant),
        admin_api_key=ApiKeyWithSecret(
            id=admin_key_id,
            name=api_key.name,
            scopes=sorted(api_key.scopes),
            hint=api_key.hint,
            created_at=api_key.created_at,
            revoked_at=None,
            secret=format_secret_key(tenant_id, admin_key_id, secret),
        ),
        widget_key=WidgetKey(
            id=widget_key_id,
            key=format_publishable_key(tenant_id, widget_key_id),
            allowed_origins=[str(o) for o in widget_key.allowed_origins],
            created_at=widget_key.created_at,
        ),
    )


def _starting_business_hours(tenant_id: str, time_zone: str) -> SettingsItem | None:
    """The ``business_hours`` section a tenant starts with: its country's public holidays.

    A tenant in Vilnius, Riga or Tallinn would otherwise start with no holiday calendar and its
    SLA clocks would run on national holidays until someone noticed. Other tenants keep the
    defaults (no section stored). It is stored at version 0, the version of defaults: the
    tenant's first change needs no version, as for any section it never changed.
    """
    from chalicelib.domain.holidays import preset_for
    from chalicelib.schemas.ticket_settings import BusinessHoursSettings
    from chalicelib.store.base import utcnow
    from chalicelib.store.settings import PREFIX

    preset = preset_for(time_zone=time_zone)
    if preset is None:
        return None
    values = BusinessHoursSettings.model_validate({"holiday_presets": [preset]})
    return SettingsItem(
        pk=tenant_id,
        sk=PREFIX + "business_hours",
        tenant_id=tenant_id,
        section="business_hours",
        data=values.model_dump(mode="json"),
        updated_at=utcnow(),
        version=0,
    )


def _not_found(tenant_id: str) -> NotFound:
    return NotFound(f"no tenant with id {tenant_id}", code="tenant_not_found")


def get_tenant(tenant_id: str) -> Tenant:
    """One tenant, or 404."""
    item = store.get_tenant(tenant_id) if is_id(tenant_id) else None
    if item is None:
        raise _not_found(tenant_id)
    return to_tenant(item)


def list_tenants(limit: int | None, cursor: str | None) -> TenantList:
    """One page of all tenants."""
    size, start = page_request(PLATFORM_OWNER, "tenants", limit, cursor)
    page = store.list_tenants(size, start)
    return TenantList(
        items=[to_tenant(i) for i in page.items],
        next_cursor=next_cursor(PLATFORM_OWNER, "tenants", page),
    )


def _change_status(
    tenant_id: str, status: str, reason: str | None, allowed_from: set[str]
) -> Tenant:
    current = get_tenant(tenant_id)
    if current.status not in allowed_from:
        raise Conflict(
            f"a tenant in status '{current.status}' cannot become '{status}'",
            code="invalid_transition",
        )
    try:
        store.set_tenant_status(tenant_id, status, reason, expected_version=current.version)
    except UpdateError as exc:
        if is_condition_failure(exc):
            raise VersionConflict("the tenant changed meanwhile; retry") from exc
        raise
    auth.forget_key(tenant_id)
    return get_tenant(tenant_id)


def suspend(tenant_id: str, reason: str | None) -> Tenant:
    """Suspend: every key of the tenant is refused with 403 ``tenant_suspended``."""
    return _change_status(tenant_id, "suspended", reason, {"active", "suspended"})


def reactivate(tenant_id: str) -> Tenant:
    """Lift a suspension."""
    return _change_status(tenant_id, "active", None, {"suspended", "active"})


def offboard(tenant_id: str) -> OffboardingReport:
    """Delete every item of the tenant in every table; call again until ``completed``.

    The tenant is first marked ``offboarding`` so its keys stop working at once; its record is
    deleted last.
    """
    from chalicelib.store.offboarding import delete_tenant_data

    if not is_id(tenant_id):
        raise _not_found(tenant_id)
    item = store.get_tenant(tenant_id)
    if item is None:
        raise _not_found(tenant_id)
    if item.status != "offboarding":
        store.set_tenant_status(tenant_id, "offboarding", "offboarding requested")
        auth.forget_key(tenant_id)
    deleted, completed = delete_tenant_data(
        tenant_id, get_settings().offboarding_time_budget_seconds
    )
    return OffboardingReport(tenant_id=tenant_id, completed=completed, deleted=deleted)
