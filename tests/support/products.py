"""Real products for tests that only need a product id to link (tickets, feedback)."""

from __future__ import annotations

import json
from typing import Any

_MADE: dict[tuple[str, str], str] = {}


def product_id(api: Any, tenant: Any, sku: str) -> str:
    """The id of the tenant's product with ``sku``, created (12-month warranty) on first use."""
    key = (tenant.tenant_id, sku)
    if key not in _MADE:
        response = api.request(
            "POST",
            "/v1/products",
            key=tenant.admin_key,
            json_body={"sku": sku, "name": f"Product {sku}", "warranty": {"months": 12}},
        )
        assert response.status_code == 201, response.body
        _MADE[key] = str(json.loads(response.body)["id"])
    return _MADE[key]
