"""Region rules: the shipped ISO 3166-2 data, name folding, resolution, fit and postal codes."""

from __future__ import annotations

from collections import Counter

import pytest

from chalicelib.domain import regions
from chalicelib.domain.errors import Invalid


def units(country: str, kind: str | None = None) -> list[regions.Subdivision]:
    return [
        u
        for u in regions.subdivisions().values()
        if u.country == country and (kind is None or u.kind == kind)
    ]


def test_lithuania_has_its_10_counties_and_60_municipalities_each_in_a_county() -> None:
    counties = {u.code for u in units("LT", regions.COUNTY)}
    names = ("AL", "KL", "KU", "MR", "PN", "SA", "TA", "TE", "UT", "VL")
    assert counties == {f"LT-{c}" for c in names}
    municipalities = [u for u in units("LT") if u.kind != regions.COUNTY]
    assert sorted(u.code for u in municipalities) == [f"LT-{n:02d}" for n in range(1, 61)]
    assert all(u.parent in counties for u in municipalities)
    per_county = Counter(u.parent for u in municipalities)
    assert per_county == {
        "LT-AL": 5, "LT-KU": 8, "LT-KL": 7, "LT-MR": 5, "LT-PN": 6,
        "LT-SA": 7, "LT-TA": 4, "LT-TE": 4, "LT-UT": 6, "LT-VL": 8,
    }  # fmt: skip
    assert all(u.names["lt"].endswith("savivaldybė") for u in municipalities)
    assert all(u.names["lt"].endswith("apskritis") for u in units("LT", regions.COUNTY))
    vilnius = regions.subdivision("LT-57")
    assert vilnius is not None
    assert vilnius.names == {
        "en": "Vilnius City Municipality",
        "lt": "Vilniaus miesto savivaldybė",
        "lv": "Viļņas pilsētas pašvaldība",
    }


def test_latvia_has_the_state_cities_and_municipalities_of_the_2021_reform() -> None:
    cities = {u.code: u.names["lv"] for u in units("LV", regions.STATE_CITY)}
    assert cities == {
        "LV-DGV": "Daugavpils", "LV-JEL": "Jelgava", "LV-JUR": "Jūrmala",
        "LV-LPX": "Liepāja", "LV-REZ": "Rēzekne", "LV-RIX": "Rīga", "LV-VEN": "Ventspils",
    }  # fmt: skip
    novadi = units("LV", regions.MUNICIPALITY)
    assert len(novadi) == 36
    assert all(u.names["lv"].endswith(" novads") for u in novadi)
    assert regions.subdivision("LV-011") is not None
    assert regions.subdivision("LV-011").names["lv"] == "Ādažu novads"  # type: ignore[union-attr]
    # Municipalities merged away by the reform are gone.
    assert regions.subdivision("LV-JKB") is None
    assert regions.subdivision("LV-VMR") is None


def test_estonia_has_its_15_counties() -> None:
    assert len(units("EE", regions.COUNTY)) == 15
    assert len(units("EE")) == 15


def test_every_subdivision_is_named_in_en_lt_and_lv_without_clashes() -> None:
    for unit in regions.subdivisions().values():
        assert set(unit.names) == {"en", "lt", "lv"}
        assert all(name.strip() == name and name for name in unit.names.values()), unit.code
    # No folded name or alias stands for two subdivisions of one country.
    for name, codes in regions._by_name().items():
        assert len({c[:2] for c in codes}) == len(codes), (name, codes)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Rīga", "riga"),
        ("RĪGA", "riga"),
        ("  Šiaulių   m. sav. ", "siauliu m sav"),
        ("Ķekavas novads", "kekavas novads"),
        ("Võru", "voru"),
        ("Ida-Virumaa", "ida virumaa"),
    ],
)
def test_fold_ignores_case_diacritics_punctuation_and_spacing(text: str, folded: str) -> None:
    assert regions.fold(text) == folded


@pytest.mark.parametrize(
    ("text", "country", "codes"),
    [
        ("Riga", None, ("LV-RIX",)),
        ("rīga", "LV", ("LV-RIX",)),
        ("Ryga", None, ("LV-RIX",)),
        ("lv-rix", None, ("LV-RIX",)),
        ("Riga", "LT", ()),
        ("Vilnius", None, ("LT-57",)),
        ("Viļņa", None, ("LT-57",)),
        ("Vilniaus rajono savivaldybė", None, ("LT-58",)),
        ("Vilniaus r. sav.", "LT", ("LT-58",)),
        ("vilnius county", None, ("LT-VL",)),
        ("Jelgava", None, ("LV-JEL",)),
        ("Jelgavas novads", None, ("LV-041",)),
        ("Valmiera", None, ("LV-113",)),
        ("Tallinn", None, ("EE-37",)),
        ("LT-99", None, ()),
        ("DE-BY", None, ("DE-BY",)),
        ("DE-BY", "LT", ()),
        ("Atlantis", None, ()),
    ],
)
def test_resolve_a_code_or_a_name(text: str, country: str | None, codes: tuple[str, ...]) -> None:
    assert regions.resolve(text, country) == codes


def test_fit_prefers_the_region_then_its_county_then_a_part_of_the_county() -> None:
    assert regions.fit(["LT-57"], ["LT-57"]) == 3
    assert regions.fit(["LT-VL"], ["LT-57"]) == 2
    assert regions.fit(["LT-57"], ["LT-VL"]) == 1
    assert regions.fit(["LT-58"], ["LT-57"]) == 0
    assert regions.fit(["LT-KU"], ["LT-57"]) == 0
    assert regions.fit([], ["LT-57"]) == 0
    assert regions.fit(["LV-RIX"], []) == 0


@pytest.mark.parametrize(
    ("country", "given", "stored"),
    [
        ("LT", "01103", "LT-01103"),
        ("LT", "lt-01103", "LT-01103"),
        ("LT", "LT 01103", "LT-01103"),
        ("LV", "1050", "LV-1050"),
        ("LV", "LV-1050", "LV-1050"),
        ("EE", "10115", "10115"),
        ("GB", "sw1a 1aa", "SW1A 1AA"),
    ],
)
def test_postal_codes_are_stored_in_their_written_form(
    country: str, given: str, stored: str
) -> None:
    assert regions.postal_code(country, given) == stored


@pytest.mark.parametrize(
    ("country", "given"),
    [("LT", "1234"), ("LT", "LV-12345"), ("LV", "12345"), ("LV", "LT-1050"), ("EE", "EE-10115")],
)
def test_bad_postal_codes_are_invalid_postal_code(country: str, given: str) -> None:
    with pytest.raises(Invalid) as raised:
        regions.postal_code(country, given, field="address.postal_code")
    assert raised.value.code == "invalid_postal_code"
    assert raised.value.errors[0].field == "address.postal_code"


@pytest.mark.parametrize(
    ("country", "given", "code"),
    [
        ("LT", "LV-RIX", "region_country_mismatch"),
        ("LT", "Riga", "unknown_region"),
        ("LT", "LT-61", "unknown_region"),
        ("PL", "Mazowieckie", "unknown_region"),
    ],
)
def test_bad_regions_say_why(country: str, given: str, code: str) -> None:
    with pytest.raises(Invalid) as raised:
        regions.region_code(country, given)
    assert raised.value.code == code


def test_countries_are_iso_3166_1_alpha_2() -> None:
    assert len(regions.COUNTRIES) == 249
    assert regions.check_country(" lt ") == "LT"
    with pytest.raises(Invalid) as raised:
        regions.check_country("UK")
    assert raised.value.code == "unknown_country"
