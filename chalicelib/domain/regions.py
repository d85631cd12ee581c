"""ISO 3166 places: country codes, the subdivisions of Lithuania, Latvia and Estonia with
their names in en, lt and lv, postal-code rules, and how a region given as a code or as a
name is matched.

Shipped as data, never fetched at run time. The subdivisions are those of ISO 3166-2:

- **LT**: the 10 counties (``LT-AL`` … ``LT-VL``) and the 60 municipalities (``LT-01`` …
  ``LT-60``), each municipality inside its county;
- **LV**: the 7 state cities (``LV-RIX`` Rīga, ``LV-DGV`` Daugavpils …) and the municipalities
  (*novadi*) of the 2021 administrative reform (``LV-002`` … ``LV-113``);
- **EE**: the 15 counties (``EE-37`` … ``EE-87``).

Matching rules (one place, used by customer addresses, centre regions and centre routing):

1. A text shaped like an ISO 3166-2 code (``LV-RIX``, ``lt-57``) is that code.
2. Any other text is a *name*. Names are compared after folding: case, diacritics,
   punctuation and repeated spaces are ignored, so ``Riga``, ``RĪGA`` and ``rīga`` are equal.
   Every subdivision answers to its names in en, lt and lv, to its local official forms
   (``Vilniaus m. sav.``, ``Harjumaa``) and to the bare name of the town it is named after
   (``Vilnius``, ``Viļņa``, ``Sigulda``). Where a town is both a city unit and the seat of the
   surrounding district (Vilnius, Kaunas, Jelgava …) the bare name means the **city**:
   ``Vilnius`` is the Vilnius city municipality (``LT-57``), not the Vilnius district
   municipality (``LT-58``), which answers to its full names only.
3. A place *fits* a centre's region when the codes are equal (best), when the centre serves
   the county that contains the place (a centre for ``LT-VL`` serves a customer in ``LT-57``),
   or, weakest, when the place is a county and the centre serves a municipality inside it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from chalicelib.domain.errors import FieldError, Invalid

LOCALES: tuple[str, ...] = ("en", "lt", "lv")

# ISO 3166-1 alpha-2: every officially assigned code.
_ALPHA2 = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
    DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
    GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
    MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
    PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
    SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRIES: frozenset[str] = frozenset(_ALPHA2.split())

COUNTY = "county"
CITY_MUNICIPALITY = "city_municipality"
DISTRICT_MUNICIPALITY = "district_municipality"
MUNICIPALITY = "municipality"
STATE_CITY = "state_city"

_CODE = re.compile(r"^([A-Za-z]{2})-([A-Za-z0-9]{1,3})$")


@dataclass(frozen=True)
class Subdivision:
    """One ISO 3166-2 subdivision with its names and the county it belongs to."""

    code: str
    kind: str
    names: Mapping[str, str]
    parent: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def country(self) -> str:
        """The ISO 3166-1 alpha-2 code of its country."""
        return self.code[:2]

    def name(self, locale: str) -> str:
        """Its name in ``locale`` (en, lt or lv); English for any other locale."""
        return self.names.get(locale) or self.names["en"]


def _unit(
    code: str,
    kind: str,
    en: str,
    lt: str,
    lv: str,
    *,
    parent: str | None = None,
    aliases: tuple[str, ...] = (),
) -> Subdivision:
    return Subdivision(
        code=code,
        kind=kind,
        names=MappingProxyType({"en": en, "lt": lt, "lv": lv}),
        parent=parent,
        aliases=aliases,
    )


# --- Lithuania: counties (apskritys) ---------------------------------------------------------
_LT_COUNTIES: tuple[tuple[str, str, str, str], ...] = (
    ("LT-AL", "Alytus County", "Alytaus apskritis", "Alītes apriņķis"),
    ("LT-KL", "Klaipėda County", "Klaipėdos apskritis", "Klaipēdas apriņķis"),
    ("LT-KU", "Kaunas County", "Kauno apskritis", "Kauņas apriņķis"),
    ("LT-MR", "Marijampolė County", "Marijampolės apskritis", "Marijampoles apriņķis"),
    ("LT-PN", "Panevėžys County", "Panevėžio apskritis", "Paņevēžas apriņķis"),
    ("LT-SA", "Šiauliai County", "Šiaulių apskritis", "Šauļu apriņķis"),
    ("LT-TA", "Tauragė County", "Tauragės apskritis", "Tauraģes apriņķis"),
    ("LT-TE", "Telšiai County", "Telšių apskritis", "Telšu apriņķis"),
    ("LT-UT", "Utena County", "Utenos apskritis", "Utenas apriņķis"),
    ("LT-VL", "Vilnius County", "Vilniaus apskritis", "Viļņas apriņķis"),
)

# --- Lithuania: municipalities (savivaldybės) ------------------------------------------------
# (code, county, kind, en, lt, lv, the bare town names it answers to)
_C, _D, _M = CITY_MUNICIPALITY, DISTRICT_MUNICIPALITY, MUNICIPALITY
_LT_MUNICIPALITIES: tuple[tuple[str, str, str, str, str, str, tuple[str, ...]], ...] = (
    ("LT-01", "LT-SA", _D, "Akmenė District Municipality", "Akmenės rajono savivaldybė",
     "Akmenes rajona pašvaldība", ("Akmenė", "Naujoji Akmenė")),
    ("LT-02", "LT-AL", _C, "Alytus City Municipality", "Alytaus miesto savivaldybė",
     "Alītes pilsētas pašvaldība", ("Alytus", "Alīte")),
    ("LT-03", "LT-AL", _D, "Alytus District Municipality", "Alytaus rajono savivaldybė",
     "Alītes rajona pašvaldība", ()),
    ("LT-04", "LT-UT", _D, "Anykščiai District Municipality", "Anykščių rajono savivaldybė",
     "Anīkšču rajona pašvaldība", ("Anykščiai", "Anīkšči")),
    ("LT-05", "LT-KU", _M, "Birštonas Municipality", "Birštono savivaldybė",
     "Birštonas pašvaldība", ("Birštonas", "Birštona")),
    ("LT-06", "LT-PN", _D, "Biržai District Municipality", "Biržų rajono savivaldybė",
     "Biržu rajona pašvaldība", ("Biržai", "Birži")),
    ("LT-07", "LT-AL", _M, "Druskininkai Municipality", "Druskininkų savivaldybė",
     "Druskininku pašvaldība", ("Druskininkai", "Druskininki")),
    ("LT-08", "LT-VL", _M, "Elektrėnai Municipality", "Elektrėnų savivaldybė",
     "Elektrēnu pašvaldība", ("Elektrėnai", "Elektrēni")),
    ("LT-09", "LT-UT", _D, "Ignalina District Municipality", "Ignalinos rajono savivaldybė",
     "Ignalinas rajona pašvaldība", ("Ignalina",)),
    ("LT-10", "LT-KU", _D, "Jonava District Municipality", "Jonavos rajono savivaldybė",
     "Jonavas rajona pašvaldība", ("Jonava",)),
    ("LT-11", "LT-SA", _D, "Joniškis District Municipality", "Joniškio rajono savivaldybė",
     "Jonišķu rajona pašvaldība", ("Joniškis", "Jonišķi")),
    ("LT-12", "LT-TA", _D, "Jurbarkas District Municipality", "Jurbarko rajono savivaldybė",
     "Jurbarkas rajona pašvaldība", ("Jurbarkas", "Jurbarka")),
    ("LT-13", "LT-KU", _D, "Kaišiadorys District Municipality", "Kaišiadorių rajono savivaldybė",
     "Kaišadoru rajona pašvaldība", ("Kaišiadorys", "Kaišadori")),
    ("LT-14", "LT-MR", _M, "Kalvarija Municipality", "Kalvarijos savivaldybė",
     "Kalvarijas pašvaldība", ("Kalvarija",)),
    ("LT-15", "LT-KU", _C, "Kaunas City Municipality", "Kauno miesto savivaldybė",
     "Kauņas pilsētas pašvaldība", ("Kaunas", "Kauņa")),
    ("LT-16", "LT-KU", _D, "Kaunas District Municipality", "Kauno rajono savivaldybė",
     "Kauņas rajona pašvaldība", ()),
    ("LT-17", "LT-MR", _M, "Kazlų Rūda Municipality", "Kazlų Rūdos savivaldybė",
     "Kazlu Rūdas pašvaldība", ("Kazlų Rūda",)),
    ("LT-18", "LT-KU", _D, "Kėdainiai District Municipality", "Kėdainių rajono savivaldybė",
     "Ķēdaiņu rajona pašvaldība", ("Kėdainiai", "Ķēdaiņi")),
    ("LT-19", "LT-SA", _D, "Kelmė District Municipality", "Kelmės rajono savivaldybė",
     "Kelmes rajona pašvaldība", ("Kelmė",)),
    ("LT-20", "LT-KL", _C, "Klaipėda City Municipality", "Klaipėdos miesto savivaldybė",
     "Klaipēdas pilsētas pašvaldība", ("Klaipėda",)),
    ("LT-21", "LT-KL", _D, "Klaipėda District Municipality", "Klaipėdos rajono savivaldybė",
     "Klaipēdas rajona pašvaldība", ("Gargždai",)),
    ("LT-22", "LT-KL", _D, "Kretinga District Municipality", "Kretingos rajono savivaldybė",
     "Kretingas rajona pašvaldība", ("Kretinga",)),
    ("LT-23", "LT-PN", _D, "Kupiškis District Municipality", "Kupiškio rajono savivaldybė",
     "Kupišķu rajona pašvaldība", ("Kupiškis", "Kupišķi")),
    ("LT-24", "LT-AL", _D, "Lazdijai District Municipality", "Lazdijų rajono savivaldybė",
     "Lazdiju rajona pašvaldība", ("Lazdijai", "Lazdiji")),
    ("LT-25", "LT-MR", _M, "Marijampolė Municipality", "Marijampolės savivaldybė",
     "Marijampoles pašvaldība", ("Marijampolė",)),
    ("LT-26", "LT-TE", _D, "Mažeikiai District Municipality", "Mažeikių rajono savivaldybė",
     "Mažeiķu rajona pašvaldība", ("Mažeikiai", "Mažeiķi")),
    ("LT-27", "LT-UT", _D, "Molėtai District Municipality", "Molėtų rajono savivaldybė",
     "Molētu rajona pašvaldība", ("Molėtai", "Molēti")),
    ("LT-28", "LT-KL", _M, "Neringa Municipality", "Neringos savivaldybė",
     "Neringas pašvaldība", ("Neringa", "Nida")),
    ("LT-29", "LT-TA", _M, "Pagėgiai Municipality", "Pagėgių savivaldybė",
     "Pagēģu pašvaldība", ("Pagėgiai", "Pagēģi")),
    ("LT-30", "LT-SA", _D, "Pakruojis District Municipality", "Pakruojo rajono savivaldybė",
     "Pakrojas rajona pašvaldība", ("Pakruojis", "Pakroja")),
    ("LT-31", "LT-KL", _C, "Palanga City Municipality", "Palangos miesto savivaldybė",
     "Palangas pilsētas pašvaldība", ("Palanga",)),
    ("LT-32", "LT-PN", _C, "Panevėžys City Municipality", "Panevėžio miesto savivaldybė",
     "Paņevēžas pilsētas pašvaldība", ("Panevėžys", "Paņevēža")),
    ("LT-33", "LT-PN", _D, "Panevėžys District Municipality", "Panevėžio rajono savivaldybė",
     "Paņevēžas rajona pašvaldība", ()),
    ("LT-34", "LT-PN", _D, "Pasvalys District Municipality", "Pasvalio rajono savivaldybė",
     "Pasvales rajona pašvaldība", ("Pasvalys", "Pasvale")),
    ("LT-35", "LT-TE", _D, "Plungė District Municipality", "Plungės rajono savivaldybė",
     "Plunģes rajona pašvaldība", ("Plungė", "Plunģe")),
    ("LT-36", "LT-KU", _D, "Prienai District Municipality", "Prienų rajono savivaldybė",
     "Prienu rajona pašvaldība", ("Prienai", "Prieni")),
    ("LT-37", "LT-SA", _D, "Radviliškis District Municipality", "Radviliškio rajono savivaldybė",
     "Radvilišķu rajona pašvaldība", ("Radviliškis", "Radvilišķi")),
    ("LT-38", "LT-KU", _D, "Raseiniai District Municipality", "Raseinių rajono savivaldybė",
     "Raseiņu rajona pašvaldība", ("Raseiniai", "Raseiņi")),
    ("LT-39", "LT-TE", _M, "Rietavas Municipality", "Rietavo savivaldybė",
     "Rietavas pašvaldība", ("Rietavas", "Rietava")),
    ("LT-40", "LT-PN", _D, "Rokiškis District Municipality", "Rokiškio rajono savivaldybė",
     "Rokišķu rajona pašvaldība", ("Rokiškis", "Rokišķi")),
    ("LT-41", "LT-MR", _D, "Šakiai District Municipality", "Šakių rajono savivaldybė",
     "Šaķu rajona pašvaldība", ("Šakiai", "Šaķi")),
    ("LT-42", "LT-VL", _D, "Šalčininkai District Municipality", "Šalčininkų rajono savivaldybė",
     "Šalčininku rajona pašvaldība", ("Šalčininkai", "Šalčininki")),
    ("LT-43", "LT-SA", _C, "Šiauliai City Municipality", "Šiaulių miesto savivaldybė",
     "Šauļu pilsētas pašvaldība", ("Šiauliai", "Šauļi")),
    ("LT-44", "LT-SA", _D, "Šiauliai District Municipality", "Šiaulių rajono savivaldybė",
     "Šauļu rajona pašvaldība", ()),
    ("LT-45", "LT-TA", _D, "Šilalė District Municipality", "Šilalės rajono savivaldybė",
     "Šilales rajona pašvaldība", ("Šilalė",)),
    ("LT-46", "LT-KL", _D, "Šilutė District Municipality", "Šilutės rajono savivaldybė",
     "Šilutes rajona pašvaldība", ("Šilutė",)),
    ("LT-47", "LT-VL", _D, "Širvintos District Municipality", "Širvintų rajono savivaldybė",
     "Širvintu rajona pašvaldība", ("Širvintos", "Širvintas")),
    ("LT-48", "LT-KL", _D, "Skuodas District Municipality", "Skuodo rajono savivaldybė",
     "Skodas rajona pašvaldība", ("Skuodas", "Skoda")),
    ("LT-49", "LT-VL", _D, "Švenčionys District Municipality", "Švenčionių rajono savivaldybė",
     "Švenčoņu rajona pašvaldība", ("Švenčionys", "Švenčoņi")),
    ("LT-50", "LT-TA", _D, "Tauragė District Municipality", "Tauragės rajono savivaldybė",
     "Tauraģes rajona pašvaldība", ("Tauragė", "Tauraģe")),
    ("LT-51", "LT-TE", _D, "Telšiai District Municipality", "Telšių rajono savivaldybė",
     "Telšu rajona pašvaldība", ("Telšiai", "Telši")),
    ("LT-52", "LT-VL", _D, "Trakai District Municipality", "Trakų rajono savivaldybė",
     "Traķu rajona pašvaldība", ("Trakai", "Traķi")),
    ("LT-53", "LT-VL", _D, "Ukmergė District Municipality", "Ukmergės rajono savivaldybė",
     "Ukmerģes rajona pašvaldība", ("Ukmergė", "Ukmerģe")),
    ("LT-54", "LT-UT", _D, "Utena District Municipality", "Utenos rajono savivaldybė",
     "Utenas rajona pašvaldība", ("Utena",)),
    ("LT-55", "LT-AL", _D, "Varėna District Municipality", "Varėnos rajono savivaldybė",
     "Varēnas rajona pašvaldība", ("Varėna",)),
    ("LT-56", "LT-MR", _D, "Vilkaviškis District Municipality", "Vilkaviškio rajono savivaldybė",
     "Vilkavišķu rajona pašvaldība", ("Vilkaviškis", "Vilkavišķi")),
    ("LT-57", "LT-VL", _C, "Vilnius City Municipality", "Vilniaus miesto savivaldybė",
     "Viļņas pilsētas pašvaldība", ("Vilnius", "Viļņa")),
    ("LT-58", "LT-VL", _D, "Vilnius District Municipality", "Vilniaus rajono savivaldybė",
     "Viļņas rajona pašvaldība", ()),
    ("LT-59", "LT-UT", _M, "Visaginas Municipality", "Visagino savivaldybė",
     "Visaginas pašvaldība", ("Visaginas", "Visagina")),
    ("LT-60", "LT-UT", _D, "Zarasai District Municipality", "Zarasų rajono savivaldybė",
     "Zarasu rajona pašvaldība", ("Zarasai", "Zarasi")),
)  # fmt: skip

# --- Latvia: state cities (valstspilsētas) and municipalities (novadi), 2021 reform -----------
# (code, kind, en, lt, lv, the bare town names it answers to)
_S, _N = STATE_CITY, MUNICIPALITY
_LV_UNITS: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
    ("LV-DGV", _S, "Daugavpils", "Daugpilis", "Daugavpils", ()),
    ("LV-JEL", _S, "Jelgava", "Jelgava", "Jelgava", ()),
    ("LV-JUR", _S, "Jūrmala", "Jūrmala", "Jūrmala", ()),
    ("LV-LPX", _S, "Liepāja", "Liepoja", "Liepāja", ()),
    ("LV-REZ", _S, "Rēzekne", "Rėzeknė", "Rēzekne", ()),
    ("LV-RIX", _S, "Riga", "Ryga", "Rīga", ()),
    ("LV-VEN", _S, "Ventspils", "Ventspilis", "Ventspils", ()),
    ("LV-002", _N, "Aizkraukle Municipality", "Aizkrauklės savivaldybė", "Aizkraukles novads",
     ("Aizkraukle",)),
    ("LV-007", _N, "Alūksne Municipality", "Alūksnės savivaldybė", "Alūksnes novads",
     ("Alūksne",)),
    ("LV-011", _N, "Ādaži Municipality", "Adažių savivaldybė", "Ādažu novads",
     ("Ādaži", "Adažiai")),
    ("LV-015", _N, "Balvi Municipality", "Balvių savivaldybė", "Balvu novads",
     ("Balvi", "Balviai")),
    ("LV-016", _N, "Bauska Municipality", "Bauskės savivaldybė", "Bauskas novads",
     ("Bauska",)),
    ("LV-022", _N, "Cēsis Municipality", "Cėsių savivaldybė", "Cēsu novads",
     ("Cēsis", "Cėsys")),
    ("LV-026", _N, "Dobele Municipality", "Dobelės savivaldybė", "Dobeles novads",
     ("Dobele",)),
    ("LV-033", _N, "Gulbene Municipality", "Gulbenės savivaldybė", "Gulbenes novads",
     ("Gulbene",)),
    ("LV-041", _N, "Jelgava Municipality", "Jelgavos savivaldybė", "Jelgavas novads", ()),
    ("LV-042", _N, "Jēkabpils Municipality", "Jekabpilio savivaldybė", "Jēkabpils novads",
     ("Jēkabpils", "Jekabpilis")),
    ("LV-047", _N, "Krāslava Municipality", "Kraslavos savivaldybė", "Krāslavas novads",
     ("Krāslava",)),
    ("LV-050", _N, "Kuldīga Municipality", "Kuldygos savivaldybė", "Kuldīgas novads",
     ("Kuldīga", "Kuldyga")),
    ("LV-052", _N, "Ķekava Municipality", "Kekavos savivaldybė", "Ķekavas novads",
     ("Ķekava",)),
    ("LV-054", _N, "Limbaži Municipality", "Limbažių savivaldybė", "Limbažu novads",
     ("Limbaži", "Limbažiai")),
    ("LV-056", _N, "Līvāni Municipality", "Lyvanų savivaldybė", "Līvānu novads",
     ("Līvāni", "Lyvanai")),
    ("LV-058", _N, "Ludza Municipality", "Ludzos savivaldybė", "Ludzas novads", ("Ludza",)),
    ("LV-059", _N, "Madona Municipality", "Madonos savivaldybė", "Madonas novads",
     ("Madona",)),
    ("LV-062", _N, "Mārupe Municipality", "Marupės savivaldybė", "Mārupes novads",
     ("Mārupe",)),
    ("LV-067", _N, "Ogre Municipality", "Ogrės savivaldybė", "Ogres novads", ("Ogre",)),
    ("LV-068", _N, "Olaine Municipality", "Olainės savivaldybė", "Olaines novads",
     ("Olaine",)),
    ("LV-073", _N, "Preiļi Municipality", "Preilių savivaldybė", "Preiļu novads",
     ("Preiļi", "Preiliai")),
    ("LV-077", _N, "Rēzekne Municipality", "Rėzeknės savivaldybė", "Rēzeknes novads", ()),
    ("LV-080", _N, "Ropaži Municipality", "Ropažių savivaldybė", "Ropažu novads",
     ("Ropaži", "Ropažiai")),
    ("LV-087", _N, "Salaspils Municipality", "Salaspilio savivaldybė", "Salaspils novads",
     ("Salaspils", "Salaspilis")),
    ("LV-088", _N, "Saldus Municipality", "Saldaus savivaldybė", "Saldus novads", ("Saldus",)),
    ("LV-089", _N, "Saulkrasti Municipality", "Saulkrastų savivaldybė", "Saulkrastu novads",
     ("Saulkrasti", "Saulkrastai")),
    ("LV-091", _N, "Sigulda Municipality", "Siguldos savivaldybė", "Siguldas novads",
     ("Sigulda",)),
    ("LV-094", _N, "Smiltene Municipality", "Smiltenės savivaldybė", "Smiltenes novads",
     ("Smiltene",)),
    ("LV-097", _N, "Talsi Municipality", "Talsių savivaldybė", "Talsu novads",
     ("Talsi", "Talsiai")),
    ("LV-099", _N, "Tukums Municipality", "Tukumo savivaldybė", "Tukuma novads",
     ("Tukums", "Tukumas")),
    ("LV-101", _N, "Valka Municipality", "Valkos savivaldybė", "Valkas novads", ("Valka",)),
    ("LV-102", _N, "Varakļāni Municipality", "Varaklianų savivaldybė", "Varakļānu novads",
     ("Varakļāni", "Varaklianai")),
    ("LV-106", _N, "Ventspils Municipality", "Ventspilio savivaldybė", "Ventspils novads", ()),
    ("LV-111", _N, "Augšdaugava Municipality", "Augšdaugavos savivaldybė",
     "Augšdaugavas novads", ()),
    ("LV-112", _N, "Dienvidkurzeme Municipality", "Dienvidkurzemės savivaldybė",
     "Dienvidkurzemes novads", ("South Kurzeme Municipality",)),
    ("LV-113", _N, "Valmiera Municipality", "Valmieros savivaldybė", "Valmieras novads",
     ("Valmiera",)),
)  # fmt: skip

# --- Estonia: counties (maakonnad) ------------------------------------------------------------
# (code, en, lt, lv, Estonian forms and the towns that stand for the county)
_EE_COUNTIES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("EE-37", "Harju County", "Harju apskritis", "Harju apriņķis",
     ("Harjumaa", "Harju maakond", "Tallinn", "Tallina", "Talinas")),
    ("EE-39", "Hiiu County", "Hyjumos apskritis", "Hījumas apriņķis",
     ("Hiiumaa", "Hiiu maakond", "Kärdla")),
    ("EE-45", "Ida-Viru County", "Rytų Viru apskritis", "Austrumvirumas apriņķis",
     ("Ida-Virumaa", "Ida-Viru maakond", "Jõhvi", "Narva")),
    ("EE-50", "Jõgeva County", "Jegevos apskritis", "Jegevas apriņķis",
     ("Jõgevamaa", "Jõgeva maakond", "Jõgeva")),
    ("EE-52", "Järva County", "Jervos apskritis", "Jervas apriņķis",
     ("Järvamaa", "Järva maakond", "Paide")),
    ("EE-56", "Lääne County", "Lenės apskritis", "Lēnes apriņķis",
     ("Läänemaa", "Lääne maakond", "Haapsalu", "Hāpsalu")),
    ("EE-60", "Lääne-Viru County", "Vakarų Viru apskritis", "Rietumvirumas apriņķis",
     ("Lääne-Virumaa", "Lääne-Viru maakond", "Rakvere")),
    ("EE-64", "Põlva County", "Pelvos apskritis", "Pelvas apriņķis",
     ("Põlvamaa", "Põlva maakond", "Põlva")),
    ("EE-68", "Pärnu County", "Pernu apskritis", "Pērnavas apriņķis",
     ("Pärnumaa", "Pärnu maakond", "Pärnu", "Pērnava", "Pernu")),
    ("EE-71", "Rapla County", "Raplos apskritis", "Raplas apriņķis",
     ("Raplamaa", "Rapla maakond", "Rapla")),
    ("EE-74", "Saare County", "Saremos apskritis", "Sāremas apriņķis",
     ("Saaremaa", "Saare maakond", "Sāmsala", "Kuressaare", "Kuresāre")),
    ("EE-79", "Tartu County", "Tartu apskritis", "Tartu apriņķis",
     ("Tartumaa", "Tartu maakond", "Tartu", "Tērbata")),
    ("EE-81", "Valga County", "Valgos apskritis", "Valgas apriņķis",
     ("Valgamaa", "Valga maakond", "Valga")),
    ("EE-84", "Viljandi County", "Viljandžio apskritis", "Vīlandes apriņķis",
     ("Viljandimaa", "Viljandi maakond", "Viljandi", "Vīlande")),
    ("EE-87", "Võru County", "Veru apskritis", "Veru apriņķis",
     ("Võrumaa", "Võru maakond", "Võru")),
)  # fmt: skip

# Lithuanian address abbreviations of municipality names ("Vilniaus m. sav.").
_LT_SHORT = (
    (" miesto savivaldybė", (" m. sav.", " miestas", " miesto")),
    (" rajono savivaldybė", (" r. sav.", " rajonas", " rajono")),
    (" savivaldybė", (" sav.",)),
)


def _lt_short_forms(lt_name: str) -> tuple[str, ...]:
    for ending, shorts in _LT_SHORT:
        if lt_name.endswith(ending):
            stem = lt_name[: -len(ending)]
            return tuple(stem + short for short in shorts)
    return ()


@cache
def subdivisions() -> Mapping[str, Subdivision]:
    """Every shipped subdivision by code (built on first use: ``import app`` stays cheap)."""
    units: list[Subdivision] = [
        _unit(code, COUNTY, en, lt, lv) for code, en, lt, lv in _LT_COUNTIES
    ]
    for code, county, kind, en, lt, lv, towns in _LT_MUNICIPALITIES:
        units.append(
            _unit(code, kind, en, lt, lv, parent=county, aliases=towns + _lt_short_forms(lt))
        )
    for code, kind, en, lt, lv, towns in _LV_UNITS:
        units.append(_unit(code, kind, en, lt, lv, aliases=towns))
    for code, en, lt, lv, local in _EE_COUNTIES:
        units.append(_unit(code, COUNTY, en, lt, lv, aliases=local))
    return MappingProxyType({unit.code: unit for unit in units})


def countries_with_subdivisions() -> frozenset[str]:
    """Countries whose subdivisions (and their names) ship with the product."""
    return frozenset(unit.country for unit in subdivisions().values())


def fold(text: str) -> str:
    """A name reduced for comparison: no case, diacritics, punctuation or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", bare).split())


@cache
def _by_name() -> Mapping[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for unit in subdivisions().values():
        for name in {*unit.names.values(), *unit.aliases}:
            codes = index.setdefault(fold(name), [])
            if unit.code not in codes:
                codes.append(unit.code)
    return MappingProxyType({name: tuple(codes) for name, codes in index.items()})


def subdivision(code: str) -> Subdivision | None:
    """The shipped subdivision with this code (any case), or None."""
    return subdivisions().get(code.strip().upper())


def code_shape(text: str) -> str | None:
    """``text`` upper-cased when it is shaped like an ISO 3166-2 code (``LT-57``), else None."""
    stripped = text.strip()
    return stripped.upper() if _CODE.match(stripped) else None


def resolve(text: str, country: str | None = None) -> tuple[str, ...]:
    """The codes a region text stands for (see the module's rules), within ``country`` when
    given. A known code is itself; a code of a country whose subdivisions are not shipped is
    taken as it is; a name gives every subdivision answering to it (usually one)."""
    code = code_shape(text)
    if code is not None:
        if country and code[:2] != country:
            return ()
        if code in subdivisions() or code[:2] not in countries_with_subdivisions():
            return (code,)
        return ()
    found = _by_name().get(fold(text), ())
    return tuple(c for c in found if not country or c[:2] == country)


def fit(served: Iterable[str], wanted: Iterable[str]) -> int:
    """How well regions ``served`` (by a centre) cover the place ``wanted`` (codes).

    3: the same code; 2: the centre serves the county that contains the place; 1: the place
    is a county and the centre serves a municipality inside it; 0: no fit.
    """
    served_set = set(served)
    best = 0
    for code in wanted:
        if code in served_set:
            return 3
        unit = subdivisions().get(code)
        if unit is not None and unit.parent in served_set:
            best = max(best, 2)
        elif any(_parent(s) == code for s in served_set):
            best = max(best, 1)
    return best


def _parent(code: str) -> str | None:
    unit = subdivisions().get(code)
    return unit.parent if unit else None


# --- validation: countries, regions, postal codes --------------------------------------------

_POSTAL_RULES: dict[str, tuple[re.Pattern[str], str, str]] = {
    # country: (accepted input, how it is stored, what to tell the caller)
    "LT": (re.compile(r"^(?:LT[- ]?)?(\d{5})$"), "LT-{0}", "LT-12345 (five digits)"),
    "LV": (re.compile(r"^(?:LV[- ]?)?(\d{4})$"), "LV-{0}", "LV-1234 (four digits)"),
    "EE": (re.compile(r"^(\d{5})$"), "{0}", "12345 (five digits)"),
}
_POSTAL_ANY = re.compile(r"^[A-Z0-9](?:[A-Z0-9 -]{0,14}[A-Z0-9])?$")


def check_country(country: str, *, field: str = "country") -> str:
    """``country`` as an ISO 3166-1 alpha-2 code (upper case), or 422 ``unknown_country``."""
    code = country.strip().upper()
    if code not in COUNTRIES:
        raise Invalid(
            f"'{country}' is not an ISO 3166-1 alpha-2 country code (e.g. LT, LV, EE)",
            code="unknown_country",
            errors=[FieldError(field, "not an ISO 3166-1 alpha-2 country code")],
        )
    return code


def postal_code(country: str, value: str, *, field: str = "postal_code") -> str:
    """The postal code in its country's written form (``LT-01100``, ``LV-1050``, ``10115``),
    or 422 ``invalid_postal_code``."""
    compact = " ".join(value.strip().upper().split())
    rule = _POSTAL_RULES.get(country)
    if rule is not None:
        pattern, shape, example = rule
        found = pattern.match(compact)
        if found:
            return shape.format(found.group(1))
        detail = f"a postal code in {country} is written {example}"
    else:
        if _POSTAL_ANY.match(compact):
            return compact
        detail = "a postal code has 1 to 16 letters, digits, spaces or hyphens"
    raise Invalid(detail, code="invalid_postal_code", errors=[FieldError(field, detail)])


def region_code(country: str, value: str, *, field: str = "region") -> str:
    """The one ISO 3166-2 code of ``value`` (a code or a name) in ``country``, or 422:
    ``region_country_mismatch`` (a code of another country), ``unknown_region`` or
    ``ambiguous_region``."""
    code = code_shape(value)
    if code is not None and code[:2] != country:
        detail = f"region {code} is not in {country}"
        raise Invalid(detail, code="region_country_mismatch", errors=[FieldError(field, detail)])
    found = resolve(value, country)
    if len(found) == 1:
        return found[0]
    if found:
        detail = f"'{value}' names several regions of {country}: {', '.join(found)}; give the code"
        raise Invalid(detail, code="ambiguous_region", errors=[FieldError(field, detail)])
    if country in countries_with_subdivisions():
        detail = (
            f"'{value}' is not an ISO 3166-2 subdivision of {country} (e.g. {_example(country)})"
        )
    else:
        detail = (
            f"give the region as an ISO 3166-2 code ({country}-…); names are known for "
            f"{', '.join(sorted(countries_with_subdivisions()))} only"
        )
    raise Invalid(detail, code="unknown_region", errors=[FieldError(field, detail)])


def _example(country: str) -> str:
    return {"LT": "LT-57 or Vilnius", "LV": "LV-RIX or Rīga", "EE": "EE-37 or Harju County"}.get(
        country, f"{country}-01"
    )


def names(code: str) -> Mapping[str, str] | None:
    """The names of a shipped subdivision in en, lt and lv, or None for other codes."""
    unit = subdivisions().get(code)
    return dict(unit.names) if unit else None
