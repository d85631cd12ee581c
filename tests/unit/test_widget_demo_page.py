"""The widget demo page of the local stack takes any tenant's publishable key (issue 16,
defect 16): it only used to work for the demo tenant."""

from __future__ import annotations

from scripts.widget_demo import DemoSite, chosen_key, render_page

SITE = DemoSite(
    host="127.0.0.1",
    port=8002,
    api="http://127.0.0.1:8000",
    outbox="http://127.0.0.1:8001/",
    tenant_name="Demo Appliances",
    widget_key="pk_01DEMO0000000000000000000_01DEMOKEY000000000000000000",
    kid="kid",
    secret="secret",
)
OTHER = "pk_01J0000000000000000000000A_01J0000000000000000000000B"


def test_the_demo_tenants_key_by_default_with_sign_in() -> None:
    page = render_page(SITE, chosen_key(SITE, "")).decode()
    assert f'data-key="{SITE.widget_key}"' in page
    assert "<p >" in page  # the sign-in paragraph is shown
    assert "Demo Appliances" in page


def test_any_tenants_key_from_the_query_anonymous_only() -> None:
    page = render_page(SITE, chosen_key(SITE, f"key={OTHER}")).decode()
    assert f'data-key="{OTHER}"' in page
    assert SITE.widget_key not in page
    assert "<p hidden>" in page  # no sign-in: the page holds no secret of that tenant
    assert "http://127.0.0.1:8002" in page  # the origin to allow is printed


def test_a_malformed_key_is_not_echoed() -> None:
    assert chosen_key(SITE, 'key="><script>alert(1)</script>') is None
    assert chosen_key(SITE, "key=sk_secret_key_value") is None
    page = render_page(SITE, chosen_key(SITE, "key=%22%3E%3Cscript%3E")).decode()
    assert "<script>alert" not in page
