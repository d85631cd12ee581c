"""``/v1/api-keys``: a tenant admin manages secret API keys."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.common import ListQuery
from chalicelib.schemas.tenants import ApiKey, ApiKeyCreate, ApiKeyList, ApiKeyWithSecret
from chalicelib.services import api_keys

bp = Blueprint(__name__)
TAG = "api-keys"


@operation(
    bp,
    "POST",
    "/v1/api-keys",
    summary="Create an API key",
    tag=TAG,
    scope="admin",
    body=ApiKeyCreate,
    response=ApiKeyWithSecret,
    status=201,
    idempotent=True,
)
def create_api_key(call: Call) -> ApiKeyWithSecret:
    """The response carries the secret key this one time; store it safely."""
    return api_keys.create_api_key(call.tenant_id, call.body)


@operation(
    bp,
    "GET",
    "/v1/api-keys",
    summary="List API keys",
    tag=TAG,
    scope="admin",
    query=ListQuery,
    response=ApiKeyList,
)
def list_api_keys(call: Call) -> ApiKeyList:
    """Keys without their secrets."""
    return api_keys.list_api_keys(call.tenant_id, call.query.limit, call.query.cursor)


@operation(
    bp,
    "GET",
    "/v1/api-keys/{key_id}",
    summary="Get an API key",
    tag=TAG,
    scope="admin",
    response=ApiKey,
)
def get_api_key(call: Call, key_id: str) -> ApiKey:
    """One key, without its secret."""
    return api_keys.get_api_key(call.tenant_id, key_id)


@operation(
    bp,
    "DELETE",
    "/v1/api-keys/{key_id}",
    summary="Revoke an API key",
    tag=TAG,
    scope="admin",
    response=ApiKey,
)
def revoke_api_key(call: Call, key_id: str) -> ApiKey:
    """Refused immediately by this container and within 60 s (the auth cache) by all others.
    A key cannot revoke itself (409 ``api_key_in_use``)."""
    acting = call.principal.key_id if call.principal else None
    return api_keys.revoke_api_key(call.tenant_id, key_id, acting_key_id=acting)
