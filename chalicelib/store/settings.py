"""Tenant settings: one versioned JSON document per section, in the tenants table.

| pattern              | how                                                    |
|----------------------|--------------------------------------------------------|
| one section          | GetItem ``<tenant>`` / ``SETTINGS#<section>``          |
| all sections         | Query ``<tenant>``, sk begins_with ``SETTINGS#`` (1 call) |
| write a section      | PutItem conditional on the version read (or absence)   |
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError

from chalicelib.domain.errors import VersionConflict
from chalicelib.store.base import VersionedMixin, utcnow
from chalicelib.store.errors import is_condition_failure
from chalicelib.store.tenants import TenantsTable

PREFIX = "SETTINGS#"


class SettingsItem(VersionedMixin, TenantsTable):
    """One settings section of a tenant."""

    section = UnicodeAttribute()
    data = JSONAttribute()
    updated_at = UTCDateTimeAttribute()


def get_section(tenant_id: str, section: str) -> SettingsItem | None:
    """A stored section, or None when the tenant never changed it (defaults apply)."""
    try:
        return SettingsItem.get(tenant_id, PREFIX + section, consistent_read=True)
    except SettingsItem.DoesNotExist:
        return None


def all_sections(tenant_id: str) -> dict[str, SettingsItem]:
    """Every stored section of a tenant, in one Query."""
    found = SettingsItem.query(tenant_id, SettingsItem.sk.startswith(PREFIX), consistent_read=True)
    return {item.section: item for item in found}


def put_section(
    tenant_id: str, section: str, data: dict[str, Any], expected_version: int | None
) -> SettingsItem:
    """Store a section; ``expected_version`` None means "only if never stored"."""
    item = SettingsItem(
        pk=tenant_id,
        sk=PREFIX + section,
        tenant_id=tenant_id,
        section=section,
        data=data,
        updated_at=utcnow(),
        version=(expected_version or 0) + 1,
    )
    condition = (
        SettingsItem.pk.does_not_exist()
        if expected_version is None
        else SettingsItem.version == expected_version
    )
    try:
        item.save(condition=condition)
    except PutError as exc:
        if is_condition_failure(exc):
            raise VersionConflict(
                f"the {section} settings changed meanwhile; fetch them and retry"
            ) from exc
        raise
    return item
