"""Two tenants with one of every resource each, made through the API (generated tests)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.api.routing import OPERATIONS, Operation
from tests.support.resources import (
    CREDENTIALS,
    NON_TENANT_AUTH,
    SEEDERS,
    Maker,
    Requester,
    factory_for,
    make,
)

PLATFORM_KEY = "test-platform-key"


def path_params(op: Operation) -> list[str]:
    """The path parameter names of an operation, in order."""
    import re

    return re.findall(r"{([a-z_]+)}", op.path)


def tenant_operations() -> list[Operation]:
    """Every operation a tenant credential can call (the matrix's domain)."""
    return [op for op in OPERATIONS if op.auth not in NON_TENANT_AUTH]


def onboard(api: Requester, name: str, marker: str) -> Maker:
    """Onboard a tenant through the platform API."""
    response = api.request(
        "POST",
        "/platform/tenants",
        headers={"Authorization": f"Bearer {PLATFORM_KEY}"},
        json_body={"name": name, "widget_origins": [f"https://{marker.lower()}.example.com"]},
    )
    assert response.status_code == 201, response.body
    body = json.loads(response.body)
    return Maker(
        api=api,
        tenant_id=body["tenant"]["id"],
        admin_key=body["admin_api_key"]["secret"],
        widget_key=body["widget_key"]["key"],
        marker=marker,
    )


@dataclass
class World:
    """Tenant A (the victim) and tenant B (the other tenant), each with every resource."""

    api: Requester
    a: Maker
    b: Maker

    def secrets_of_a(self) -> set[str]:
        """Strings that must never appear in anything served to B."""
        mine = {self.a.tenant_id, self.a.marker, self.a.marker.lower(), *self.a.made.values()}
        return mine - set(self.b.made.values())

    def request(
        self, op: Operation, path: str, maker: Maker, *, body: Any = None, **headers: str
    ) -> Any:
        """Call ``path`` with maker's credentials for ``op``'s auth kind."""
        all_headers = {**CREDENTIALS[op.auth](maker), **headers}
        return self.api.request(op.method, path, json_body=body, headers=all_headers)


def build_world(api: Requester) -> World:
    """Onboard A and B and make every resource that has a factory, for both."""
    world = World(
        api=api, a=onboard(api, "Tenant A", "ALPHAMARK"), b=onboard(api, "Tenant B", "BRAVOMARK")
    )
    for maker in (world.a, world.b):
        for op in tenant_operations():
            for param in path_params(op):
                if factory_for(op.path, param) is not None:
                    make(maker, param, op.path)
        for seed in SEEDERS:
            seed(maker)
    return world
