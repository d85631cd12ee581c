"""The journeys' tenant catalogue: its products, authorised centres and sold units, made through
the public API as a tenant admin would on their first day."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.journeys.harness import Journey, Person

# Brand and model names read the same in every language: what a customer sees on the unit.
FRIDGE = {
    "sku": "FX-600",
    "name": "Frostline FX-600",
    "category": "refrigerators",
    "warranty": {"months": 24, "starts_from": "delivery", "covers": ["parts", "labour"]},
    "extended_plans": [
        {
            "code": "plus3",
            "name": "Frostline Care +3",
            "months": 36,
            "price": "129.00",
            "currency": "EUR",
        }
    ],
    "maintenance_interval_months": 12,
}
BOILER = {
    "sku": "HB-24",
    "name": "Heatbox HB-24",
    "category": "boilers",
    "warranty": {"months": 24, "starts_from": "purchase", "covers": ["parts", "labour"]},
    "extended_plans": [
        {
            "code": "care2",
            "name": "Heatbox Care 2",
            "months": 24,
            "price": "89.00",
            "currency": "EUR",
        }
    ],
    "maintenance_interval_months": 12,
}

# One authorised centre in each customer's region (ISO 3166-2), besides a far one.
CENTRES = [
    ("Vilniaus servisas", "Konstitucijos pr. 7, Vilnius", "LT", ["LT-57"]),
    ("Kauno servisas", "Savanorių pr. 88, Kaunas", "LT", ["LT-15"]),
    ("Rīgas serviss", "Krasta iela 52, Rīga", "LV", ["LV-RIX"]),
    ("Klaipėdos servisas", "Taikos pr. 61, Klaipėda", "LT", ["LT-20"]),
]


def product(journey: Journey, spec: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A product of the tenant's catalogue."""
    return dict(journey.admin("POST", "/v1/products", {**spec, **changes}))


def centres(journey: Journey, product_ids: list[str], discount: int = 15) -> dict[str, str]:
    """The authorised centres, by region code → centre id."""
    made = {}
    for name, address, country, regions in CENTRES:
        centre = journey.admin(
            "POST",
            "/v1/service-centres",
            {
                "name": name,
                "address": address,
                "country": country,
                "regions": regions,
                "product_ids": product_ids,
                "maintenance_discount_percent": discount,
                "email": f"{regions[0].lower()}@servisas.example.lt",
            },
        )
        for region in regions:
            made[region] = centre["id"]
    return made


def receipt(journey: Journey) -> str:
    """A scanned receipt uploaded as the tenant's integration does it: ask for an upload URL,
    PUT the file there, and keep the reference."""
    import requests

    scan = b"%PDF-1.4 receipt"
    upload = journey.admin(
        "POST",
        "/v1/warranties/uploads",
        {"filename": "receipt.pdf", "content_type": "application/pdf", "size": len(scan)},
    )
    put = requests.put(upload["upload_url"], data=scan, headers=upload["headers"], timeout=10)
    assert put.status_code == 200, put.text
    return str(upload["reference"])


def register(
    journey: Journey,
    customer: dict[str, Any],
    product_id: str,
    purchased: date,
    delivered: date | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A sold unit registered for the customer (with the receipt unless told otherwise)."""
    body: dict[str, Any] = {
        "product_id": product_id,
        "customer_id": customer["id"],
        "serial_number": journey.next_serial(),
        "purchase_date": purchased.isoformat(),
        **extra,
    }
    if delivered:
        body["delivery_date"] = delivered.isoformat()
    if "proof_of_purchase" not in body:
        body["proof_of_purchase"] = receipt(journey)
    if body["proof_of_purchase"] is None:
        body.pop("proof_of_purchase")
    return dict(journey.admin("POST", "/v1/warranties", body))


def region_of(person: Person) -> str:
    """The customer's region code (ISO 3166-2), from their address."""
    return person.region
