"""``/v1/widget-keys`` and ``/v1/widget-secrets``: a tenant admin manages the widget's keys."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.common import ListQuery
from chalicelib.schemas.widget import (
    WidgetKeyCreate,
    WidgetKeyDetails,
    WidgetKeyList,
    WidgetKeyRotate,
    WidgetKeyUpdate,
    WidgetSecret,
    WidgetSecretCreate,
    WidgetSecretList,
    WidgetSecretWithValue,
)
from chalicelib.services import widget_keys, widget_secrets

bp = Blueprint(__name__)
TAG = "widget-keys"


@operation(
    bp,
    "POST",
    "/v1/widget-keys",
    summary="Create a widget key",
    tag=TAG,
    scope="admin",
    body=WidgetKeyCreate,
    response=WidgetKeyDetails,
    status=201,
    idempotent=True,
)
def create_widget_key(call: Call) -> WidgetKeyDetails:
    """A publishable key bound to the origins that may use it."""
    return widget_keys.create_widget_key(call.tenant_id, call.body)


@operation(
    bp,
    "GET",
    "/v1/widget-keys",
    summary="List widget keys",
    tag=TAG,
    scope="admin",
    query=ListQuery,
    response=WidgetKeyList,
)
def list_widget_keys(call: Call) -> WidgetKeyList:
    """Every key, active, expiring, expired or revoked."""
    return widget_keys.list_widget_keys(call.tenant_id, call.query.limit, call.query.cursor)


@operation(
    bp,
    "GET",
    "/v1/widget-keys/{key_id}",
    summary="Get a widget key",
    tag=TAG,
    scope="admin",
    response=WidgetKeyDetails,
)
def get_widget_key(call: Call, key_id: str) -> WidgetKeyDetails:
    """One key; the ETag carries its version."""
    return widget_keys.get_widget_key(call.tenant_id, key_id)


@operation(
    bp,
    "PATCH",
    "/v1/widget-keys/{key_id}",
    summary="Change a widget key",
    tag=TAG,
    scope="admin",
    body=WidgetKeyUpdate,
    response=WidgetKeyDetails,
    conditional=True,
)
def update_widget_key(call: Call, key_id: str) -> WidgetKeyDetails:
    """Origins, subdomain flag, features, name; conditional on the version."""
    return widget_keys.update_widget_key(call.tenant_id, key_id, call.body, call.if_match)


@operation(
    bp,
    "POST",
    "/v1/widget-keys/{key_id}/rotate",
    summary="Rotate a widget key",
    tag=TAG,
    scope="admin",
    body=WidgetKeyRotate,
    response=WidgetKeyDetails,
    status=201,
    idempotent=True,
)
def rotate_widget_key(call: Call, key_id: str) -> WidgetKeyDetails:
    """Returns the successor; the old key keeps working for the grace period, then expires."""
    return widget_keys.rotate_widget_key(call.tenant_id, key_id, call.body)


@operation(
    bp,
    "DELETE",
    "/v1/widget-keys/{key_id}",
    summary="Revoke a widget key",
    tag=TAG,
    scope="admin",
    response=WidgetKeyDetails,
)
def revoke_widget_key(call: Call, key_id: str) -> WidgetKeyDetails:
    """Refused at once by this container, within 60 s (the key cache) by all others."""
    return widget_keys.revoke_widget_key(call.tenant_id, key_id)


@operation(
    bp,
    "POST",
    "/v1/widget-secrets",
    summary="Create a widget identity secret",
    tag=TAG,
    scope="admin",
    body=WidgetSecretCreate,
    response=WidgetSecretWithValue,
    status=201,
    idempotent=True,
)
def create_widget_secret(call: Call) -> WidgetSecretWithValue:
    """The response carries the secret this one time; sign customer JWTs with it (HS256)."""
    return widget_secrets.create_secret(call.tenant_id, call.body)


@operation(
    bp,
    "GET",
    "/v1/widget-secrets",
    summary="List widget identity secrets",
    tag=TAG,
    scope="admin",
    query=ListQuery,
    response=WidgetSecretList,
)
def list_widget_secrets(call: Call) -> WidgetSecretList:
    """Secrets by kid, without their values."""
    return widget_secrets.list_secrets(call.tenant_id, call.query.limit, call.query.cursor)


@operation(
    bp,
    "GET",
    "/v1/widget-secrets/{kid}",
    summary="Get a widget identity secret",
    tag=TAG,
    scope="admin",
    response=WidgetSecret,
)
def get_widget_secret(call: Call, kid: str) -> WidgetSecret:
    """One secret's record, without its value."""
    return widget_secrets.get_secret(call.tenant_id, kid)


@operation(
    bp,
    "DELETE",
    "/v1/widget-secrets/{kid}",
    summary="Revoke a widget identity secret",
    tag=TAG,
    scope="admin",
    response=WidgetSecret,
)
def revoke_widget_secret(call: Call, kid: str) -> WidgetSecret:
    """Tokens signed with it are refused from now on."""
    return widget_secrets.revoke_secret(call.tenant_id, kid)
