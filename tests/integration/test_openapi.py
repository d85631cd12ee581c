"""The OpenAPI document is generated, valid 3.1, and covers every route of the app."""

from __future__ import annotations

from openapi_spec_validator import validate

from tests.integration.conftest import Api, body_of


def test_openapi_document_is_valid_and_complete(api: Api) -> None:
    from app import app

    r = api.request("GET", "/openapi.json")
    assert r.status_code == 200
    document = body_of(r)
    assert document["openapi"] == "3.1.0"
    validate(document)
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    routed = {(path, method) for path, entries in app.routes.items() for method in entries}
    assert documented == routed
    create = document["paths"]["/v1/customers"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "CustomerCreate"
    )
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    patch = document["paths"]["/v1/customers/{customer_id}"]["patch"]
    assert any(p["name"] == "If-Match" for p in patch["parameters"])
    schema = document["components"]["schemas"]["CustomerCreate"]
    assert schema["additionalProperties"] is False
