"""The widget API's front door: key + origin, CORS, identity tokens, features, rate limits."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.dynamo_calls import recording
from tests.support.widget import SHOP, sign_identity, widget_headers

CONFIG = "/widget/v1/config"


@pytest.fixture
def shop_key(api: Api, tenant_a: TenantKeys) -> str:
    """A widget key of tenant A allowed on the shop's origin (and its subdomains)."""
    r = api.request(
        "POST",
        "/v1/widget-keys",
        key=tenant_a.admin_key,
        json_body={
            "name": "Shop",
            "allowed_origins": [SHOP, "https://*.shop.example.com"],
            "allow_subdomains": True,
        },
    )
    assert r.status_code == 201, r.body
    return str(body_of(r)["key"])


@pytest.fixture
def identity_secret(api: Api, tenant_a: TenantKeys) -> tuple[str, str]:
    """(kid, secret) of a tenant A identity secret."""
    r = api.request("POST", "/v1/widget-secrets", key=tenant_a.admin_key, json_body={"name": "w"})
    created = body_of(r)
    return created["kid"], created["secret"]


def test_allowed_origin_gets_cors_for_that_origin_only(api: Api, shop_key: str) -> None:
    r = api.request("GET", CONFIG, headers=widget_headers(shop_key))
    assert r.status_code == 200, r.body
    assert r.headers["Access-Control-Allow-Origin"] == SHOP
    assert r.headers["Vary"] == "Origin"
    assert "Retry-After" in r.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in r.headers
    config = body_of(r)
    assert config["tenant_name"] == "Tenant A"
    assert config["default_locale"] == "lt"
    assert set(config["strings"]) == {"en", "lt", "lv"}
    assert config["identified"] is False

    sub = "https://eu.shop.example.com"
    r = api.request("GET", CONFIG, headers=widget_headers(shop_key, origin=sub))
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == sub


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.com",
        "https://shop.example.com.evil.io",
        "http://shop.example.com",  # scheme matters
        "https://shop.example.com:8443",  # port matters
        "null",
        None,
    ],
)
def test_disallowed_origin_is_refused_without_cors(
    api: Api, shop_key: str, origin: str | None
) -> None:
    r = api.request("GET", CONFIG, headers=widget_headers(shop_key, origin=origin))
    assert r.status_code == 403
    assert body_of(r)["code"] == "origin_not_allowed"
    assert not any(h.lower().startswith("access-control-") for h in r.headers)
    assert r.headers["Vary"] == "Origin"


def test_wildcard_needs_the_subdomain_flag(api: Api, tenant_a: TenantKeys, shop_key: str) -> None:
    key_id = shop_key.rsplit("_", 1)[1]
    r = api.request(
        "PATCH",
        f"/v1/widget-keys/{key_id}",
        key=tenant_a.admin_key,
        json_body={"allow_subdomains": False, "version": 1},
    )
    assert r.status_code == 422  # the wildcard entry would no longer be allowed
    r = api.request(
        "PATCH",
        f"/v1/widget-keys/{key_id}",
        key=tenant_a.admin_key,
        json_body={"allow_subdomains": False, "allowed_origins": [SHOP], "version": 1},
    )
    assert r.status_code == 200
    sub = widget_headers(shop_key, origin="https://eu.shop.example.com")
    assert api.request("GET", CONFIG, headers=sub).status_code == 403


def test_missing_or_bad_keys(api: Api, shop_key: str, tenant_b: TenantKeys) -> None:
    r = api.request("GET", CONFIG, headers={"Origin": SHOP})
    assert (r.status_code, body_of(r)["code"]) == (401, "missing_widget_key")
    for bad in ("pk_nope", shop_key + "x", tenant_b.admin_key, tenant_b.widget_key):
        r = api.request("GET", CONFIG, headers=widget_headers(bad))
        assert r.status_code in (401, 403), bad
        assert "Access-Control-Allow-Origin" not in r.headers


def test_preflight_answers_only_allowed_origins(api: Api, shop_key: str) -> None:
    ask = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-widget-key"}
    r = api.request("OPTIONS", CONFIG, headers={"Origin": SHOP, **ask})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == SHOP
    assert "GET" in r.headers["Access-Control-Allow-Methods"]
    assert "x-widget-key" in r.headers["Access-Control-Allow-Headers"]
    assert "Origin" in r.headers["Vary"]
    r = api.request("OPTIONS", CONFIG, headers={"Origin": "https://a.b.shop.example.com", **ask})
    assert r.status_code == 204

    for origin in ("https://evil.example.com", "https://example.com", "garbage"):
        r = api.request("OPTIONS", CONFIG, headers={"Origin": origin, **ask})
        assert r.status_code == 403, origin
        assert "Access-Control-Allow-Origin" not in r.headers
    r = api.request(
        "OPTIONS", CONFIG, headers={"Origin": SHOP, "Access-Control-Request-Method": "DELETE"}
    )
    assert r.status_code == 403


def test_preflight_forgets_origins_of_revoked_keys(
    api: Api, tenant_a: TenantKeys, shop_key: str
) -> None:
    from chalicelib.api import cors

    key_id = shop_key.rsplit("_", 1)[1]
    api.request("DELETE", f"/v1/widget-keys/{key_id}", key=tenant_a.admin_key)
    cors.clear_cache()  # another container, or this one a minute later
    ask = {"Origin": SHOP, "Access-Control-Request-Method": "GET"}
    assert api.request("OPTIONS", CONFIG, headers=ask).status_code == 403


def test_valid_identity_token(api: Api, shop_key: str, identity_secret: tuple[str, str]) -> None:
    kid, secret = identity_secret
    token = sign_identity(secret, kid)
    r = api.request("GET", CONFIG, headers=widget_headers(shop_key, token=token))
    assert r.status_code == 200, r.body
    assert body_of(r)["identified"] is True


def _unsigned(claims: dict[str, object], header: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


def _bad_tokens(kid: str, secret: str, other_kid: str, other_secret: str) -> Iterator[str]:
    now = int(time.time())
    yield sign_identity("wsec_forged-secret-value-that-is-long-enough", kid)  # forged
    yield sign_identity(secret, kid, issued=now - 7200, lifetime=600)  # expired
    yield sign_identity(secret, "01HZZZZZZZZZZZZZZZZZZZZZZZ")  # unknown kid
    yield sign_identity(other_secret, other_kid)  # another tenant's kid and secret
    yield sign_identity(secret, kid, lifetime=7 * 86_400)  # lives too long
    yield sign_identity(secret, kid, issued=now + 3600)  # issued in the future
    yield sign_identity(secret, kid, algorithm="HS512")  # algorithm not pinned one
    yield _unsigned(
        {"sub": "x", "email": "a@b.lt", "iat": now, "exp": now + 60},
        {"alg": "none", "kid": kid, "typ": "JWT"},
    )
    yield sign_identity(secret, kid, email="not-an-email")
    yield sign_identity(secret, kid, sub="")
    yield "not.a.jwt"
    yield "x" * 5000


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_bad_identity_tokens_are_401_with_cors(
    api: Api,
    shop_key: str,
    identity_secret: tuple[str, str],
    tenant_b: TenantKeys,
) -> None:
    kid, secret = identity_secret
    r = api.request("POST", "/v1/widget-secrets", key=tenant_b.admin_key, json_body={"name": "b"})
    other_kid, other_secret = body_of(r)["kid"], body_of(r)["secret"]
    for token in _bad_tokens(kid, secret, other_kid, other_secret):
        r = api.request("GET", CONFIG, headers=widget_headers(shop_key, token=token))
        assert r.status_code == 401, (token[:40], r.body)
        assert r.headers["Access-Control-Allow-Origin"] == SHOP  # the widget can read why
        assert body_of(r)["code"] in {
            "invalid_identity_token",
            "identity_token_expired",
            "unknown_kid",
        }


def test_revoked_secret_is_refused(
    api: Api, tenant_a: TenantKeys, shop_key: str, identity_secret: tuple[str, str]
) -> None:
    kid, secret = identity_secret
    token = sign_identity(secret, kid)
    assert (
        api.request("GET", CONFIG, headers=widget_headers(shop_key, token=token)).status_code == 200
    )
    api.request("DELETE", f"/v1/widget-secrets/{kid}", key=tenant_a.admin_key)
    r = api.request("GET", CONFIG, headers=widget_headers(shop_key, token=token))
    assert (r.status_code, body_of(r)["code"]) == (401, "unknown_kid")


def test_suspended_tenant_and_disabled_feature(
    api: Api, tenant_a: TenantKeys, shop_key: str
) -> None:
    from tests.integration.conftest import PLATFORM

    r = api.request(
        "POST",
        "/v1/widget-keys",
        key=tenant_a.admin_key,
        json_body={"name": "t", "allowed_origins": [SHOP], "features": ["warranty"]},
    )
    assert body_of(r)["features"] == ["warranty"]
    api.request(
        "POST",
        f"/platform/tenants/{tenant_a.tenant_id}/suspend",
        headers={"Authorization": PLATFORM["Authorization"]},
        json_body={},
    )
    from chalicelib.services import widget_auth

    widget_auth.clear_cache()
    r = api.request("GET", CONFIG, headers=widget_headers(shop_key))
    assert (r.status_code, body_of(r)["code"]) == (403, "tenant_unavailable")


def test_rate_limit_per_client_is_429_with_retry_after(
    api: Api, shop_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.config import reset_settings

    monkeypatch.setenv("WIDGET_IP_REQUESTS_PER_MINUTE", "3")
    reset_settings()
    statuses = [api.request("GET", CONFIG, headers=widget_headers(shop_key)) for _ in range(5)]
    assert [r.status_code for r in statuses][:3] == [200, 200, 200]
    refused = statuses[3]
    if refused.status_code == 200:  # a minute boundary passed between requests: one more window
        refused = statuses[4]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert body_of(refused)["code"] == "rate_limited"
    assert refused.headers["Access-Control-Allow-Origin"] == SHOP


def test_rate_limit_per_key(api: Api, shop_key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.config import reset_settings

    monkeypatch.setenv("WIDGET_KEY_REQUESTS_PER_MINUTE", "2")
    reset_settings()
    codes = [
        api.request("GET", CONFIG, headers=widget_headers(shop_key)).status_code for _ in range(4)
    ]
    assert 429 in codes
    assert codes[:2] == [200, 200]


def test_request_costs(api: Api, shop_key: str, identity_secret: tuple[str, str]) -> None:
    kid, secret = identity_secret
    with recording() as cold:
        api.request("GET", CONFIG, headers=widget_headers(shop_key))
    # Key + tenant (1 BatchGet), 2 rate counters, then the config itself: tenant + settings.
    assert cold.calls.count("BatchGetItem") == 1
    assert cold.calls.count("UpdateItem") == 2
    with recording() as warm:
        api.request("GET", CONFIG, headers=widget_headers(shop_key))
    assert "BatchGetItem" not in warm.calls  # key cached for the container
    assert warm.calls.count("UpdateItem") == 2
    token = sign_identity(secret, kid)
    with recording() as identified:
        api.request("GET", CONFIG, headers=widget_headers(shop_key, token=token))
    assert identified.calls.count("BatchGetItem") == 1  # key + tenant + secret by kid, one call
    with recording() as preflight:
        for _ in range(3):
            api.request(
                "OPTIONS", CONFIG, headers={"Origin": SHOP, "Access-Control-Request-Method": "GET"}
            )
    assert preflight.count == 1  # one directory Query, then cached


def test_config_lists_features_the_key_enables_and_the_api_serves(
    api: Api, tenant_a: TenantKeys
) -> None:
    from chalicelib.api.routing import all_operations

    served = {op.feature for op in all_operations() if op.auth == "widget" and op.feature}
    r = api.request(
        "POST",
        "/v1/widget-keys",
        key=tenant_a.admin_key,
        json_body={"name": "t", "allowed_origins": [SHOP], "features": ["contact", "feedback"]},
    )
    config = body_of(api.request("GET", CONFIG, headers=widget_headers(body_of(r)["key"])))
    assert config["features"] == sorted({"contact", "feedback"} & served)
    assert "contact" in config["features"]


def test_token_endpoints_need_no_widget_key(api: Api, shop_key: str) -> None:
    """Survey links (the signed token is the credential) are not blocked by the key check."""
    r = api.request("GET", "/widget/v1/feedback/not-a-real-token", headers={"Origin": SHOP})
    assert r.status_code != 401
    assert body_of(r)["code"] not in {"missing_widget_key", "invalid_widget_key"}
    # Readable from origins some widget key allows, and only from those.
    assert r.headers["Access-Control-Allow-Origin"] == SHOP
    assert r.headers["Vary"] == "Origin"
    r = api.request(
        "GET", "/widget/v1/feedback/not-a-real-token", headers={"Origin": "https://x.io"}
    )
    assert "Access-Control-Allow-Origin" not in r.headers
    ask = {"Origin": SHOP, "Access-Control-Request-Method": "POST"}
    r = api.request("OPTIONS", "/widget/v1/feedback/some-token", headers=ask)
    assert r.status_code == 204
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
