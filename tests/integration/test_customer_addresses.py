"""Customer addresses and region matching (issue 16, defect 9), through the public API.

Before: centres matched a region by exact lower-cased text (``Riga`` found no centre serving
``Rīga``), customers had no address, and a claim without a typed-in region was routed to
whichever centre came first by name.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.scan import all_items

VILNIUS_HOME = {
    "street": "Gedimino pr. 9-12",
    "city": "Vilnius",
    "postal_code": "01103",
    "country": "LT",
    "region": "vilniaus m. sav.",
}


def call(api: Api, tenant: TenantKeys, method: str, path: str, body: Any = None, **kw: Any) -> Any:
    return api.request(method, path, key=tenant.admin_key, json_body=body, **kw)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.body
    return body_of(response)


def problem(response: Any, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.body
    body: dict[str, Any] = body_of(response)
    return body


def new_customer(api: Api, tenant: TenantKeys, **fields: Any) -> dict[str, Any]:
    return ok(call(api, tenant, "POST", "/v1/customers", {"name": "Ona", **fields}), 201)


def new_centre(api: Api, tenant: TenantKeys, name: str, country: str, regions: list[str]) -> Any:
    body = {
        "name": name,
        "address": f"{name} street 1",
        "country": country,
        "regions": regions,
        "categories": ["laundry"],
    }
    return call(api, tenant, "POST", "/v1/service-centres", body)


def new_product(api: Api, tenant: TenantKeys) -> dict[str, Any]:
    body = {
        "sku": "WM-ADDR",
        "name": "Washing machine",
        "category": "laundry",
        "warranty": {"months": 24, "covers": ["parts", "labour"]},
    }
    return ok(call(api, tenant, "POST", "/v1/products", body), 201)


def routed(api: Api, tenant: TenantKeys, product_id: str, **query: str) -> Any:
    params = "&".join(f"{k}={v}" for k, v in {"product_id": product_id, **query}.items())
    return call(api, tenant, "GET", f"/v1/service-centres/route?{params}")


def test_address_is_created_read_listed_replaced_and_removed(
    api: Api, tenant_a: TenantKeys
) -> None:
    made = new_customer(api, tenant_a, email="ona@example.lt", address=VILNIUS_HOME)
    address = made["address"]
    # The region name became its ISO 3166-2 code; the postal code its written form.
    assert address == {
        "street": "Gedimino pr. 9-12",
        "city": "Vilnius",
        "postal_code": "LT-01103",
        "country": "LT",
        "region": "LT-57",
        "region_names": {
            "en": "Vilnius City Municipality",
            "lt": "Vilniaus miesto savivaldybė",
            "lv": "Viļņas pilsētas pašvaldība",
        },
    }
    assert ok(call(api, tenant_a, "GET", f"/v1/customers/{made['id']}"))["address"] == address
    listed = ok(call(api, tenant_a, "GET", "/v1/customers"))["items"]
    assert [c["address"] for c in listed] == [address]
    found = ok(call(api, tenant_a, "GET", "/v1/customers?email=ona@example.lt"))["items"]
    assert found[0]["address"] == address

    # An update replaces the whole address (nothing of the Vilnius one is left).
    moved = ok(
        call(
            api,
            tenant_a,
            "PATCH",
            f"/v1/customers/{made['id']}",
            {"version": 1, "address": {"country": "lv", "region": "RĪGA", "postal_code": "1050"}},
        )
    )
    assert moved["address"] == {
        "street": None,
        "city": None,
        "postal_code": "LV-1050",
        "country": "LV",
        "region": "LV-RIX",
        "region_names": {"en": "Riga", "lt": "Ryga", "lv": "Rīga"},
    }
    # Other fields leave the address alone; null removes it.
    renamed = ok(
        call(api, tenant_a, "PATCH", f"/v1/customers/{made['id']}", {"version": 2, "name": "O."})
    )
    assert renamed["address"] == moved["address"]
    cleared = ok(
        call(api, tenant_a, "PATCH", f"/v1/customers/{made['id']}", {"version": 3, "address": None})
    )
    assert cleared["address"] is None
    # A customer created without an address has none.
    assert new_customer(api, tenant_a)["address"] is None


@pytest.mark.parametrize(
    ("address", "code", "field"),
    [
        ({"country": "LT", "postal_code": "1234"}, "invalid_postal_code", "address.postal_code"),
        (
            {"country": "LT", "postal_code": "LV-12345"},
            "invalid_postal_code",
            "address.postal_code",
        ),
        (
            {"country": "LV", "postal_code": "LV-12345"},
            "invalid_postal_code",
            "address.postal_code",
        ),
        ({"country": "LV", "postal_code": "LT-1234"}, "invalid_postal_code", "address.postal_code"),
        ({"country": "EE", "postal_code": "1011"}, "invalid_postal_code", "address.postal_code"),
        ({"country": "DE", "postal_code": "10115!"}, "invalid_postal_code", "address.postal_code"),
        ({"country": "XX"}, "unknown_country", "address.country"),
        ({"country": "LT", "region": "LV-RIX"}, "region_country_mismatch", "address.region"),
        ({"country": "LT", "region": "Riga"}, "unknown_region", "address.region"),
        ({"country": "LV", "region": "LV-999"}, "unknown_region", "address.region"),
        ({"country": "DE", "region": "Bayern"}, "unknown_region", "address.region"),
    ],
)
def test_bad_address_parts_are_422_with_their_code(
    api: Api, tenant_a: TenantKeys, address: dict[str, str], code: str, field: str
) -> None:
    body = problem(call(api, tenant_a, "POST", "/v1/customers", {"name": "X", "address": address}))
    assert body["code"] == code
    assert [e["field"] for e in body["errors"]] == [field]
    assert ok(call(api, tenant_a, "GET", "/v1/customers"))["items"] == []


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ({"country": "EE", "postal_code": "10115", "region": "harjumaa"}, ("10115", "EE-37")),
        ({"country": "LT", "postal_code": "lt 44280", "region": "lt-ku"}, ("LT-44280", "LT-KU")),
        ({"country": "DE", "postal_code": "10115", "region": "de-be"}, ("10115", "DE-BE")),
    ],
)
def test_good_addresses_are_stored_in_their_written_form(
    api: Api, tenant_a: TenantKeys, address: dict[str, str], stored: tuple[str, str]
) -> None:
    made = new_customer(api, tenant_a, address=address)["address"]
    assert (made["postal_code"], made["region"]) == stored


def test_region_matching_ignores_case_and_diacritics(api: Api, tenant_a: TenantKeys) -> None:
    product = new_product(api, tenant_a)
    riga = ok(new_centre(api, tenant_a, "Riga service", "LV", ["Rīga"]), 201)
    for asked in ("Riga", "RĪGA", "rīga", "LV-RIX", "lv-rix", "Ryga"):
        assert ok(routed(api, tenant_a, product["id"], region=asked))["id"] == riga["id"], asked
    assert routed(api, tenant_a, product["id"], region="Jelgava").status_code == 404
    # Stored as the ISO 3166-2 code, whatever spelling created it.
    assert riga["regions"] == ["LV-RIX"]


def test_vilnius_matches_the_city_then_the_county(api: Api, tenant_a: TenantKeys) -> None:
    product = new_product(api, tenant_a)
    county = ok(new_centre(api, tenant_a, "A county centre", "LT", ["Vilniaus apskritis"]), 201)
    city = ok(new_centre(api, tenant_a, "B city centre", "LT", ["Vilnius"]), 201)
    district = ok(new_centre(api, tenant_a, "C district", "LT", ["Vilniaus r. sav."]), 201)
    assert (county["regions"], city["regions"], district["regions"]) == (
        ["LT-VL"],
        ["LT-57"],
        ["LT-58"],
    )
    # "Vilnius" is the city municipality: its own centre first, though named later.
    assert ok(routed(api, tenant_a, product["id"], region="vilnius"))["id"] == city["id"]
    # Trakai lies in Vilnius County: the county's centre serves it.
    assert ok(routed(api, tenant_a, product["id"], region="Trakai"))["id"] == county["id"]
    # The county asked for: the centre serving the whole county beats one serving a part.
    assert ok(routed(api, tenant_a, product["id"], region="LT-VL"))["id"] == county["id"]
    assert ok(routed(api, tenant_a, product["id"], region="LT-58"))["id"] == district["id"]
    # Kaunas is in another county: no centre (and no country fallback unless asked for).
    assert routed(api, tenant_a, product["id"], region="Kaunas").status_code == 404
    fallback = routed(api, tenant_a, product["id"], region="Kaunas", country="LT")
    assert ok(fallback)["id"] == county["id"]


def test_centre_regions_are_validated_against_its_country(api: Api, tenant_a: TenantKeys) -> None:
    assert problem(new_centre(api, tenant_a, "X", "LT", ["Atlantis"]))["code"] == "unknown_region"
    mismatch = problem(new_centre(api, tenant_a, "X", "LT", ["Vilnius", "LV-RIX"]))
    assert mismatch["code"] == "region_country_mismatch"
    assert [e["field"] for e in mismatch["errors"]] == ["regions.1"]
    made = ok(new_centre(api, tenant_a, "Tallinn", "EE", ["Tallinn", "EE-37", "Tartumaa"]), 201)
    assert made["regions"] == ["EE-37", "EE-79"]
    # Moving a centre to another country needs that country's regions.
    path = f"/v1/service-centres/{made['id']}"
    moved = problem(call(api, tenant_a, "PATCH", path, {"version": 1, "country": "LV"}))
    assert moved["code"] == "region_country_mismatch"
    moved = ok(
        call(api, tenant_a, "PATCH", path, {"version": 1, "country": "LV", "regions": ["Valka"]})
    )
    assert moved["regions"] == ["LV-101"]


def test_centres_stored_with_region_names_keep_working(api: Api, tenant_a: TenantKeys) -> None:
    """Centres written before regions were codes: migrated on read, codes on next update."""
    from chalicelib.domain.ids import new_id
    from chalicelib.store import service as store

    product = new_product(api, tenant_a)
    data = {
        "name": "Old Riga centre",
        "address": "Brīvības iela 1, Rīga",
        "country": "LV",
        "regions": ["riga", "Pārdaugava"],
        "product_ids": [],
        "categories": ["laundry"],
        "email": None,
        "phone": None,
        "maintenance_discount_percent": 0,
        "active": True,
    }
    centre_id = new_id()
    store.save_new(store.new_record(tenant_a.tenant_id, "centre", centre_id, data), what="centre")

    read = ok(call(api, tenant_a, "GET", f"/v1/service-centres/{centre_id}"))
    assert (read["regions"], read["legacy_regions"]) == (["LV-RIX"], ["Pārdaugava"])
    assert ok(routed(api, tenant_a, product["id"], region="Rīga"))["id"] == centre_id
    assert ok(routed(api, tenant_a, product["id"], region="PARDAUGAVA"))["id"] == centre_id

    ok(
        call(
            api, tenant_a, "PATCH", f"/v1/service-centres/{centre_id}", {"version": 1, "name": "R"}
        )
    )
    stored = store.get_record(tenant_a.tenant_id, "centre", centre_id)
    assert stored is not None
    assert stored.data["regions"] == ["LV-RIX", "Pārdaugava"]


def test_claim_without_region_goes_to_a_centre_in_the_customers_region(
    api: Api, tenant_a: TenantKeys
) -> None:
    product = new_product(api, tenant_a)
    # Named so that "first by name" (the old routing without a region) picks the wrong one.
    vilnius = ok(new_centre(api, tenant_a, "A Vilnius service", "LT", ["LT-57"]), 201)
    riga = ok(new_centre(api, tenant_a, "B Riga service", "LV", ["LV-RIX"]), 201)
    jurmala = ok(new_centre(api, tenant_a, "C Latvia service", "LV", ["LV-JUR"]), 201)

    def claim_for(customer: dict[str, Any], serial: str, **extra: Any) -> Any:
        registration = ok(
            call(
                api,
                tenant_a,
                "POST",
                "/v1/warranties",
                {
                    "product_id": product["id"],
                    "customer_id": customer["id"],
                    "serial_number": serial,
                    "purchase_date": "2026-11-01",
                },
            ),
            201,
        )
        path = f"/v1/warranties/{registration['id']}/claims"
        return ok(call(api, tenant_a, "POST", path, {"description": "Leaks", **extra}), 201)

    in_riga = new_customer(
        api, tenant_a, address={"country": "LV", "region": "LV-RIX", "city": "Rīga"}
    )
    assert claim_for(in_riga, "SN-R")["service_centre_id"] == riga["id"]
    # An explicit region still wins over the address.
    assert claim_for(in_riga, "SN-R2", region="Vilnius")["service_centre_id"] == vilnius["id"]
    # Country only: a centre of that country (first by name among them).
    in_latvia = new_customer(api, tenant_a, address={"country": "LV", "city": "Valmiera"})
    assert claim_for(in_latvia, "SN-L")["service_centre_id"] == riga["id"]
    in_estonia = new_customer(api, tenant_a, address={"country": "EE", "region": "EE-37"})
    assert claim_for(in_estonia, "SN-E")["service_centre_id"] is None
    assert jurmala["id"] not in {riga["id"], vilnius["id"]}


def test_export_carries_the_address_and_erasure_removes_it(api: Api, tenant_a: TenantKeys) -> None:
    created = call(
        api,
        tenant_a,
        "POST",
        "/v1/customers",
        {"name": "Ona", "email": "ona@example.lt", "address": VILNIUS_HOME},
        headers={"Idempotency-Key": "address-export-1"},
    )
    made = ok(created, 201)
    exported = ok(call(api, tenant_a, "GET", f"/v1/customers/{made['id']}/export"))
    assert exported["sections"]["customer"]["address"]["street"] == "Gedimino pr. 9-12"
    assert exported["sections"]["customer"]["address"]["region"] == "LT-57"

    ok(call(api, tenant_a, "POST", f"/v1/customers/{made['id']}/erase"))
    # Nowhere: not the record, not the stored replay of the create that carried it.
    leftovers = [i for items in all_items().values() for i in items if "Gedimino" in str(i)]
    assert leftovers == []


def test_visit_addresses_are_exported_and_erased_with_the_customer(
    api: Api, tenant_a: TenantKeys
) -> None:
    """A visit's address is where the customer lives: it is theirs to export and to erase."""
    made = new_customer(api, tenant_a, email="ruta@example.lt", address=VILNIUS_HOME)
    visit = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/appointments",
            {
                "kind": "installation",
                "customer_id": made["id"],
                "starts_at": "2027-01-04T09:00:00+02:00",
                "ends_at": "2027-01-04T11:00:00+02:00",
                "address": "Žirmūnų g. 70-5, Vilnius",
                "notes": "Door code 4455, ask for Rūta",
            },
        ),
        201,
    )
    exported = ok(call(api, tenant_a, "GET", f"/v1/customers/{made['id']}/export"))
    visits = exported["sections"]["appointments"]
    assert [(v["id"], v["address"]) for v in visits] == [(visit["id"], "Žirmūnų g. 70-5, Vilnius")]

    erased = ok(call(api, tenant_a, "POST", f"/v1/customers/{made['id']}/erase"))
    assert erased["erased"]["appointments"] == 1
    kept = ok(call(api, tenant_a, "GET", f"/v1/appointments/{visit['id']}"))
    assert (kept["address"], kept["signed_off_by"]) == (None, None)
    assert kept["notes"] == "[erased at the customer's request]"
    assert kept["status"] == "scheduled"  # the visit itself stays in the service history
    leftovers = [
        i
        for items in all_items().values()
        for i in items
        if "Žirmūnų" in str(i) or "4455" in str(i) or "Gedimino" in str(i)
    ]
    assert leftovers == []


def test_signed_in_widget_customer_gives_their_address_when_registering(
    api: Api, tenant_a: TenantKeys
) -> None:
    """The widget's registration form is where a customer gives their details: the address
    they give there is theirs (signed-in only) and routes their later claims."""
    from tests.support.widget import SHOP, sign_identity, widget_headers

    key = ok(
        call(api, tenant_a, "POST", "/v1/widget-keys", {"name": "Shop", "allowed_origins": [SHOP]}),
        201,
    )["key"]
    secret = ok(call(api, tenant_a, "POST", "/v1/widget-secrets", {"name": "s"}), 201)
    product = new_product(api, tenant_a)
    riga = ok(new_centre(api, tenant_a, "Z Riga service", "LV", ["LV-RIX"]), 201)
    ok(new_centre(api, tenant_a, "A Vilnius service", "LT", ["LT-57"]), 201)
    token = sign_identity(secret["secret"], secret["kid"], sub="cust-janis", email="j@example.lv")
    janis = widget_headers(key, token=token)

    def register(serial: str, **extra: Any) -> Any:
        body = {"product_id": product["id"], "serial_number": serial, "purchase_date": "2026-11-20"}
        return api.request(
            "POST", "/widget/v1/registrations", headers=janis, json_body={**body, **extra}
        )

    bad = problem(register("SN-W0", address={"country": "LV", "postal_code": "12345"}))
    assert bad["code"] == "invalid_postal_code"
    ok(register("SN-W1", address={"country": "LV", "city": "Rīga", "region": "Riga"}), 201)
    found = ok(call(api, tenant_a, "GET", "/v1/customers?email=j@example.lv"))["items"]
    assert [c["address"]["region"] for c in found] == ["LV-RIX"]
    assert ok(call(api, tenant_a, "GET", "/v1/warranties?serial=SN-W0"))["items"] == []

    # Without an address the one on file stays; a claim on the unit is routed by it.
    ok(register("SN-W2"), 201)
    registration = ok(call(api, tenant_a, "GET", "/v1/warranties?serial=SN-W2"))["items"][0]
    path = f"/v1/warranties/{registration['id']}/claims"
    claim = ok(call(api, tenant_a, "POST", path, {"description": "Noisy"}), 201)
    assert claim["service_centre_id"] == riga["id"]
    # Anonymous visitors give no address to anyone's record.
    anonymous = widget_headers(key)
    body = {"product_id": product["id"], "serial_number": "SN-W3", "purchase_date": "2026-11-20"}
    body["address"] = {"country": "LT"}
    refused = api.request("POST", "/widget/v1/registrations", headers=anonymous, json_body=body)
    assert refused.status_code == 401
