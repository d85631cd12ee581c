"""Origin allow-list rules: normalisation, wildcards only when enabled, directory candidates."""

from __future__ import annotations

import pytest

from chalicelib.domain.widget_origins import (
    OriginError,
    directory_candidates,
    normalise_allowed,
    normalise_origin,
    origin_allowed,
)


def test_normalisation() -> None:
    assert normalise_origin("HTTPS://Shop.Example.COM:443") == "https://shop.example.com"
    assert normalise_origin("http://localhost:80") == "http://localhost"
    assert normalise_origin("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    for bad in (
        "null",
        "",
        "https://",
        "https://a.com/",
        "https://a.com/x",
        "ftp://a.com",
        "https://*.a.com",
        "https://a.com:0",
        "https://a.com:99999",
        "https://a b.com",
    ):
        with pytest.raises(OriginError):
            normalise_origin(bad)


def test_allow_list_entries() -> None:
    assert normalise_allowed("https://*.Example.com", allow_subdomains=True) == (
        "https://*.example.com"
    )
    with pytest.raises(OriginError):
        normalise_allowed("https://*.example.com", allow_subdomains=False)
    for bad in ("https://*.com", "http://*.localhost", "https://*.127.0.0.1"):
        with pytest.raises(OriginError):
            normalise_allowed(bad, allow_subdomains=True)
    with pytest.raises(OriginError):
        normalise_allowed("http://shop.example.com", allow_subdomains=False)
    assert normalise_allowed("http://[::1]:3000", allow_subdomains=False) == "http://[::1]:3000"


def test_matching() -> None:
    allowed = ["https://shop.example.com", "https://*.brand.example"]
    assert origin_allowed("https://shop.example.com", allowed, allow_subdomains=False)
    assert not origin_allowed("https://eu.shop.example.com", allowed, allow_subdomains=False)
    assert not origin_allowed("https://a.brand.example", allowed, allow_subdomains=False)
    assert origin_allowed("https://a.brand.example", allowed, allow_subdomains=True)
    assert origin_allowed("https://x.y.brand.example", allowed, allow_subdomains=True)
    assert origin_allowed("https://x.y.z.brand.example", allowed, allow_subdomains=True)
    assert not origin_allowed("https://w.x.y.z.brand.example", allowed, allow_subdomains=True)
    assert not origin_allowed("https://brand.example", allowed, allow_subdomains=True)
    assert not origin_allowed("https://evilbrand.example", allowed, allow_subdomains=True)
    assert not origin_allowed("http://a.brand.example", allowed, allow_subdomains=True)
    assert not origin_allowed("https://a.brand.example:8443", allowed, allow_subdomains=True)
    assert not origin_allowed("garbage", allowed, allow_subdomains=True)


def test_directory_candidates() -> None:
    assert directory_candidates("https://a.b.example.com") == [
        "https://a.b.example.com",
        "https://*.b.example.com",
        "https://*.example.com",
    ]
    assert directory_candidates("http://127.0.0.1:8000") == ["http://127.0.0.1:8000"]
    deep = directory_candidates("https://a.b.c.d.e.f.example.com")
    assert len(deep) == 4
    assert deep[1] == "https://*.b.c.d.e.f.example.com"
