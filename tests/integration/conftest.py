"""Integration fixtures: moto for every AWS service, tables from the models, the Chalice client."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

PLATFORM = {"Authorization": "Bearer test-platform-key", "Content-Type": "application/json"}


def reset_caches() -> None:
    """Forget everything cached per container, as a fresh Lambda would."""
    from chalicelib.api import cors
    from chalicelib.api.openapi import openapi_document
    from chalicelib.config import reset_settings
    from chalicelib.notify import work_queue
    from chalicelib.services import auth, widget_auth
    from chalicelib.services.signing import reset_keys
    from chalicelib.store.clients import reset_clients
    from chalicelib.store.idempotency import persistence_layer

    reset_settings()
    reset_clients()
    reset_keys()
    auth.clear_cache()
    widget_auth.clear_cache()
    cors.clear_cache()
    persistence_layer.cache_clear()
    openapi_document.cache_clear()
    work_queue.reset()


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh, empty moto account with every table created from the models."""
    with mock_aws():
        reset_caches()
        from scripts.provision import provision

        provision()  # tables, buckets, bus, SES identity: what a stage has
        yield
        reset_caches()


@dataclass
class Api:
    """Thin JSON helper over the Chalice test client."""

    client: Client

    def request(
        self,
        method: str,
        path: str,
        *,
        key: str | None = None,
        json_body: Any = None,
        body: str | bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        all_headers = {"Content-Type": "application/json"}
        if key is not None:
            all_headers["Authorization"] = f"Bearer {key}"
        all_headers.update(headers or {})
        if json_body is not None:
            body = json.dumps(json_body)
        payload = body.encode() if isinstance(body, str) else body or b""
        return self.client.http.request(method, path, headers=all_headers, body=payload)


@pytest.fixture
def api(aws: None) -> Iterator[Api]:
    """The app behind the Chalice test client."""
    from app import app

    with Client(app, stage_name="test") as client:
        yield Api(client)


@dataclass
class TenantKeys:
    """An onboarded tenant and its keys."""

    tenant_id: str
    admin_key: str
    widget_key: str
    body: dict[str, Any]


@pytest.fixture
def onboard(api: Api) -> Callable[..., TenantKeys]:
    """Create tenants through the platform API."""

    def create(name: str = "Acme", **fields: Any) -> TenantKeys:
        response = api.request(
            "POST",
            "/platform/tenants",
            headers={"Authorization": PLATFORM["Authorization"]},
            json_body={"name": name, **fields},
        )
        assert response.status_code == 201, response.body
        body = json.loads(response.body)
        return TenantKeys(
            tenant_id=body["tenant"]["id"],
            admin_key=body["admin_api_key"]["secret"],
            widget_key=body["widget_key"]["key"],
            body=body,
        )

    return create


@pytest.fixture
def tenant_a(onboard: Callable[..., TenantKeys]) -> TenantKeys:
    """Tenant A."""
    return onboard("Tenant A", default_locale="lt", time_zone="Europe/Vilnius")


@pytest.fixture
def tenant_b(onboard: Callable[..., TenantKeys]) -> TenantKeys:
    """Tenant B."""
    return onboard("Tenant B", default_locale="lv", time_zone="Europe/Riga")


def body_of(response: Any) -> Any:
    """The JSON body of a test-client response."""
    return json.loads(response.body) if response.body else None
