"""Texts of the customer action pages (extend the cover, book the visit, send the proof of
purchase) and of the requests they open, in every shipped locale.

Style (see docs/i18n.md): formal address with a capital "Jūs" in Lithuanian and Latvian; user
data (product names, plan names, notes) only where the nominative is right, after a colon or as
a label's value; no greeting with a name; "mėn." / "mēn." so that no number has to agree with a
noun.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

LOCALES: tuple[str, ...] = ("en", "lt", "lv")
FALLBACK_LOCALE = "en"

TEXTS: Mapping[str, Mapping[str, str]] = {
    # --- page titles -------------------------------------------------------------------------
    "title_extend_cover": {
        "en": "Extend your warranty",
        "lt": "Garantijos pratęsimas",
        "lv": "Garantijas pagarināšana",
    },
    "title_book_visit": {
        "en": "Your maintenance visit",
        "lt": "Techninės priežiūros vizitas",
        "lv": "Tehniskās apkopes vizīte",
    },
    "title_proof_of_purchase": {
        "en": "Proof of purchase",
        "lt": "Pirkimo įrodymas",
        "lv": "Pirkuma apliecinājums",
    },
    "title_error": {"en": "Link", "lt": "Nuoroda", "lv": "Saite"},
    # --- labels ------------------------------------------------------------------------------
    "product": {"en": "Product", "lt": "Gaminys", "lv": "Produkts"},
    "serial_number": {"en": "Serial number", "lt": "Serijos numeris", "lv": "Sērijas numurs"},
    "purchase_date": {"en": "Purchase date", "lt": "Pirkimo data", "lv": "Pirkuma datums"},
    "cover_ends_on": {
        "en": "Covered until",
        "lt": "Garantija galioja iki",
        "lv": "Garantija ir spēkā līdz",
    },
    "cover_ended_on": {
        "en": "Cover ended on",
        "lt": "Garantija baigėsi",
        "lv": "Garantija beidzās",
    },
    # --- extend the cover --------------------------------------------------------------------
    "choose_plan": {
        "en": "Choose an extended plan:",
        "lt": "Pasirinkite garantijos pratęsimo planą:",
        "lv": "Izvēlieties garantijas pagarinājuma plānu:",
    },
    "plan_line": {
        "en": "{name}: {months} months, {price} {currency}",
        "lt": "{name}: {months} mėn., {price} {currency}",
        "lv": "{name}: {months} mēn., {price} {currency}",
    },
    "plan_period": {
        "en": "Cover from {start} to {end}",
        "lt": "Galiotų nuo {start} iki {end}",
        "lv": "Būtu spēkā no {start} līdz {end}",
    },
    "request_extension": {
        "en": "Request this extension",
        "lt": "Pateikti užklausą",
        "lv": "Nosūtīt pieprasījumu",
    },
    "no_plans": {
        "en": "No extended plan can be bought for this product now.",
        "lt": "Šiuo metu šiam gaminiui garantijos pratęsimo įsigyti negalima.",
        "lv": "Pašlaik šim produktam garantijas pagarinājumu iegādāties nevar.",
    },
    "void": {
        "en": "The warranty of this product is void.",
        "lt": "Šio gaminio garantija nebegalioja.",
        "lv": "Šī produkta garantija vairs nav spēkā.",
    },
    "extend_done": {
        "en": "Thank you! We have received your request and will contact you about the extension.",
        "lt": "Ačiū! Gavome Jūsų užklausą ir susisieksime su Jumis dėl garantijos pratęsimo.",
        "lv": (
            "Paldies! Esam saņēmuši Jūsu pieprasījumu un sazināsimies ar Jums par garantijas "
            "pagarināšanu."
        ),
    },
    "extend_subject": {
        "en": "Warranty extension request: {product}",
        "lt": "Garantijos pratęsimo užklausa: {product}",
        "lv": "Garantijas pagarinājuma pieprasījums: {product}",
    },
    "extend_description": {
        "en": (
            "Plan: {plan} ({months} months, {price} {currency}).\nCover: {start} to {end}.\n"
            "Serial number: {serial}.\nSent from the link in the reminder email."
        ),
        "lt": (
            "Planas: {plan} ({months} mėn., {price} {currency}).\nGaliojimas: nuo {start} iki "
            "{end}.\nSerijos numeris: {serial}.\nUžklausa pateikta per priminimo laiško nuorodą."
        ),
        "lv": (
            "Plāns: {plan} ({months} mēn., {price} {currency}).\nDarbības laiks: no {start} līdz "
            "{end}.\nSērijas numurs: {serial}.\nNosūtīts, izmantojot atgādinājuma e-pasta saiti."
        ),
    },
    # --- book the visit ----------------------------------------------------------------------
    "visit_number": {"en": "Visit no.", "lt": "Vizito Nr.", "lv": "Vizītes Nr."},
    "planned_date": {"en": "Planned date", "lt": "Numatyta data", "lv": "Plānotais datums"},
    "visit_booked": {
        "en": "Booked for",
        "lt": "Užregistruota",
        "lv": "Pieteikta",
    },
    "confirm_date": {
        "en": "The date suits me",
        "lt": "Ši data man tinka",
        "lv": "Šis datums man der",
    },
    "propose_date": {
        "en": "I would like another date",
        "lt": "Norėčiau kitos datos",
        "lv": "Vēlos citu datumu",
    },
    "preferred_date": {
        "en": "Preferred date",
        "lt": "Pageidaujama data",
        "lv": "Vēlamais datums",
    },
    "note": {
        "en": "Note (optional)",
        "lt": "Pastaba (neprivaloma)",
        "lv": "Piezīme (nav obligāta)",
    },
    "send": {"en": "Send", "lt": "Siųsti", "lv": "Nosūtīt"},
    "no_visit": {
        "en": "This plan has no upcoming visit.",
        "lt": "Šiame plane artėjančių vizitų nėra.",
        "lv": "Šajā plānā nav gaidāmu vizīšu.",
    },
    "visit_confirmed": {
        "en": "Thank you! We have noted that the date suits you.",
        "lt": "Ačiū! Pažymėjome, kad data Jums tinka.",
        "lv": "Paldies! Esam atzīmējuši, ka datums Jums der.",
    },
    "visit_proposed": {
        "en": "Thank you! We have received the date you proposed and will confirm the visit.",
        "lt": "Ačiū! Gavome Jūsų pasiūlytą datą ir patvirtinsime vizitą.",
        "lv": "Paldies! Esam saņēmuši Jūsu ierosināto datumu un apstiprināsim vizīti.",
    },
    "visit_subject": {
        "en": "Maintenance visit: {product}",
        "lt": "Techninės priežiūros vizitas: {product}",
        "lv": "Tehniskās apkopes vizīte: {product}",
    },
    "visit_confirm_description": {
        "en": "The customer confirmed the visit date.\nVisit no.: {number}.\nDate: {planned}.",
        "lt": "Klientas patvirtino vizito datą.\nVizito Nr.: {number}.\nData: {planned}.",
        "lv": "Klients apstiprināja vizītes datumu.\nVizītes Nr.: {number}.\nDatums: {planned}.",
    },
    "visit_propose_description": {
        "en": (
            "The customer asks for another date.\nVisit no.: {number}.\nPlanned date: "
            "{planned}.\nPreferred date: {proposed}."
        ),
        "lt": (
            "Klientas prašo kitos datos.\nVizito Nr.: {number}.\nNumatyta data: {planned}.\n"
            "Pageidaujama data: {proposed}."
        ),
        "lv": (
            "Klients lūdz citu datumu.\nVizītes Nr.: {number}.\nPlānotais datums: {planned}.\n"
            "Vēlamais datums: {proposed}."
        ),
    },
    "note_line": {"en": "Note: {note}", "lt": "Pastaba: {note}", "lv": "Piezīme: {note}"},
    "plan_line_ref": {
        "en": "Service plan: {plan_id}",
        "lt": "Priežiūros planas: {plan_id}",
        "lv": "Apkopes plāns: {plan_id}",
    },
    # --- proof of purchase -------------------------------------------------------------------
    "upload_intro": {
        "en": "Please upload your receipt or invoice (PDF, JPEG or PNG, up to {mb} MB).",
        "lt": "Įkelkite pirkimo čekį arba sąskaitą faktūrą (PDF, JPEG arba PNG, iki {mb} MB).",
        "lv": (
            "Lūdzu, augšupielādējiet pirkuma čeku vai rēķinu (PDF, JPEG vai PNG, līdz {mb} MB)."
        ),
    },
    "receipt_file": {"en": "Receipt", "lt": "Čekis arba sąskaita", "lv": "Čeks vai rēķins"},
    "upload": {"en": "Upload", "lt": "Įkelti", "lv": "Augšupielādēt"},
    "proof_on_file": {
        "en": "We already have your proof of purchase. You may upload a new one to replace it.",
        "lt": "Jūsų pirkimo įrodymą jau turime. Galite įkelti naują, kuris pakeis ankstesnį.",
        "lv": (
            "Jūsu pirkuma apliecinājums mums jau ir. Varat augšupielādēt jaunu, kas aizstās "
            "iepriekšējo."
        ),
    },
    "proof_done": {
        "en": "Thank you! We have received your proof of purchase; the registration is complete.",
        "lt": "Ačiū! Gavome Jūsų pirkimo įrodymą, gaminio registracija baigta.",
        "lv": "Paldies! Esam saņēmuši Jūsu pirkuma apliecinājumu, reģistrācija ir pabeigta.",
    },
    "valid_until": {
        "en": "This link is valid until {date}.",
        "lt": "Ši nuoroda galioja iki {date}.",
        "lv": "Šī saite ir derīga līdz {date}.",
    },
}

# Problems shown on the pages, by problem ``code`` (never the English ``detail``).
PROBLEMS: Mapping[str, Mapping[str, str]] = {
    "invalid_action_link": {
        "en": "This link is not valid. Please use the link from your email.",
        "lt": "Ši nuoroda netinkama. Naudokite nuorodą iš el. laiško.",
        "lv": "Šī saite nav derīga. Lūdzu, izmantojiet saiti no e-pasta.",
    },
    "action_link_expired": {
        "en": "This link has expired. Please contact us.",
        "lt": "Ši nuoroda nebegalioja. Susisiekite su mumis.",
        "lv": "Šī saite vairs nav derīga. Lūdzu, sazinieties ar mums.",
    },
    "action_link_closed": {
        "en": "This page is no longer available.",
        "lt": "Šis puslapis nebepasiekiamas.",
        "lv": "Šī lapa vairs nav pieejama.",
    },
    "action_subject_not_found": {
        "en": "We could not find what this link refers to. Please contact us.",
        "lt": "Neradome to, į ką nurodo ši nuoroda. Susisiekite su mumis.",
        "lv": "Neizdevās atrast to, uz ko norāda šī saite. Lūdzu, sazinieties ar mums.",
    },
    "plan_required": {
        "en": "Please choose a plan.",
        "lt": "Pasirinkite planą.",
        "lv": "Lūdzu, izvēlieties plānu.",
    },
    "plan_not_available": {
        "en": "This plan can no longer be chosen. Please choose another one or contact us.",
        "lt": "Šio plano pasirinkti nebegalima. Pasirinkite kitą arba susisiekite su mumis.",
        "lv": "Šo plānu vairs nevar izvēlēties. Lūdzu, izvēlieties citu vai sazinieties ar mums.",
    },
    "warranty_void": {
        "en": "The warranty of this product is void.",
        "lt": "Šio gaminio garantija nebegalioja.",
        "lv": "Šī produkta garantija vairs nav spēkā.",
    },
    "decision_required": {
        "en": "Please tell us whether the date suits you.",
        "lt": "Nurodykite, ar data Jums tinka.",
        "lv": "Lūdzu, norādiet, vai datums Jums der.",
    },
    "proposed_date_required": {
        "en": "Please enter the date you would prefer.",
        "lt": "Įrašykite pageidaujamą datą.",
        "lv": "Lūdzu, ievadiet vēlamo datumu.",
    },
    "proposed_date_in_past": {
        "en": "The preferred date must be in the future.",
        "lt": "Pageidaujama data turi būti ateityje.",
        "lv": "Vēlamajam datumam jābūt nākotnē.",
    },
    "no_upcoming_visit": {
        "en": "This plan has no upcoming visit.",
        "lt": "Šiame plane artėjančių vizitų nėra.",
        "lv": "Šajā plānā nav gaidāmu vizīšu.",
    },
    "receipt_missing": {
        "en": "We did not receive a file. Please choose your receipt and upload it again.",
        "lt": "Failo negavome. Pasirinkite čekį ir įkelkite jį dar kartą.",
        "lv": "Fails netika saņemts. Lūdzu, izvēlieties čeku un augšupielādējiet to vēlreiz.",
    },
    "receipt_too_large": {
        "en": "The file is too large. Please upload a smaller one.",
        "lt": "Failas per didelis. Įkelkite mažesnį failą.",
        "lv": "Fails ir pārāk liels. Lūdzu, augšupielādējiet mazāku failu.",
    },
    "receipt_type_not_allowed": {
        "en": "Please upload a PDF, JPEG or PNG file.",
        "lt": "Įkelkite PDF, JPEG arba PNG failą.",
        "lv": "Lūdzu, augšupielādējiet PDF, JPEG vai PNG failu.",
    },
    "action_not_supported": {
        "en": "This link does not take this request.",
        "lt": "Per šią nuorodą tokios užklausos pateikti negalima.",
        "lv": "Ar šo saiti šādu pieprasījumu nosūtīt nevar.",
    },
    "validation_failed": {
        "en": "Please check the form: a field is missing or too long.",
        "lt": "Patikrinkite formą: kurio nors lauko trūksta arba jis per ilgas.",
        "lv": "Lūdzu, pārbaudiet veidlapu: kāds lauks nav aizpildīts vai ir pārāk garš.",
    },
    "error": {
        "en": "Something went wrong. Please try again.",
        "lt": "Įvyko klaida. Bandykite dar kartą.",
        "lv": "Radās kļūda. Lūdzu, mēģiniet vēlreiz.",
    },
}


def pick_locale(*candidates: str | None) -> str:
    """The first supported locale among ``candidates`` (customer's, tenant's...), else English."""
    for candidate in candidates:
        if candidate:
            short = candidate.strip().lower().replace("_", "-").split("-", 1)[0]
            if short in LOCALES:
                return short
    return FALLBACK_LOCALE


def text(key: str, locale: str, /, **values: object) -> str:
    """One page string in ``locale`` with ``{placeholders}`` filled (all of them required)."""
    texts = TEXTS[key]
    template = texts.get(locale) or texts[FALLBACK_LOCALE]
    return template.format(**values) if values else template


def problem(code: str, locale: str) -> str:
    """A problem shown to the customer, by its stable code (a generic text for other codes)."""
    texts = PROBLEMS.get(code) or PROBLEMS["error"]
    return texts.get(locale) or texts[FALLBACK_LOCALE]


def format_date(day: date, locale: str) -> str:
    """A date as each language writes it: 2026-03-14 (lt), 14.03.2026. (lv), 14 March 2026."""
    if locale == "lt":
        return day.isoformat()
    if locale == "lv":
        return f"{day.day:02d}.{day.month:02d}.{day.year}."
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
