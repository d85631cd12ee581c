"""The reference widget's interface strings in every shipped locale.

Served to the widget by ``GET /widget/v1/config`` (one source of truth; the script carries no
text of its own). Tenants override the greeting per locale in the ``widget`` settings section.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.followups import MessageKind
from chalicelib.i18n.formats import locale_of

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "launcher": "Help",
        "close": "Close",
        "greeting": "Hi! How can we help?",
        "tab_contact": "Contact us",
        "tab_tickets": "My requests",
        "tab_warranty": "Warranty",
        "name": "Your name",
        "email": "Email",
        "subject": "Subject",
        "message": "How can we help?",
        "serial_number": "Serial number (optional)",
        "send": "Send",
        "sending": "Sending…",
        "sent": (
            "Thank you! We have received your request. Check your email for a link to follow it."
        ),
        "sent_identified": "Thank you! We have received your request.",
        "no_tickets": "You have no requests yet.",
        "sign_in_needed": "Sign in on this site to see your requests.",
        "reply": "Reply",
        "back": "Back",
        "status_new": "New",
        "status_open": "Open",
        "status_pending": "Waiting for you",
        "status_on_hold": "On hold",
        "status_solved": "Solved",
        "status_closed": "Closed",
        "warranty_serial": "Serial number",
        "warranty_email": "Email used at registration",
        "warranty_check": "Check coverage",
        "warranty_covered": "Covered until {date}.",
        "warranty_not_covered": "This product's warranty ended on {date}.",
        "warranty_void": "This product's warranty is void since {date}.",
        "warranty_not_started": "The warranty has not started yet; it will run until {date}.",
        "warranty_unknown": "We could not find a registration for this serial number and email.",
        "error_generic": "Something went wrong. Please try again.",
        "error_rate_limited": "Too many attempts. Please try again in {seconds} seconds.",
        "error_invalid": "Please check the highlighted fields.",
        "you": "You",
        "agent": "Support",
        "my_products": "My products",
        "no_products": "No registered products yet.",
        "register_title": "Register a product",
        "product": "Product",
        "purchase_date": "Purchase date",
        "retailer": "Shop (optional)",
        "register": "Register",
        "registered": "Registered. Covered until {date}.",
    },
    "lt": {
        "launcher": "Pagalba",
        "close": "Uždaryti",
        "greeting": "Sveiki! Kuo galime padėti?",
        "tab_contact": "Susisiekti",
        "tab_tickets": "Mano užklausos",
        "tab_warranty": "Garantija",
        "name": "Jūsų vardas",
        "email": "El. paštas",
        "subject": "Tema",
        "message": "Kuo galime padėti?",
        "serial_number": "Serijos numeris (nebūtina)",
        "send": "Siųsti",
        "sending": "Siunčiama…",
        "sent": "Ačiū! Jūsų užklausą gavome. El. laiške rasite nuorodą, kuria galėsite ją sekti.",
        "sent_identified": "Ačiū! Jūsų užklausą gavome.",
        "no_tickets": "Užklausų dar neturite.",
        "sign_in_needed": "Prisijunkite šioje svetainėje, kad matytumėte savo užklausas.",
        "reply": "Atsakyti",
        "back": "Atgal",
        "status_new": "Nauja",
        "status_open": "Vykdoma",
        "status_pending": "Laukiama Jūsų atsakymo",
        "status_on_hold": "Sustabdyta",
        "status_solved": "Išspręsta",
        "status_closed": "Uždaryta",
        "warranty_serial": "Serijos numeris",
        "warranty_email": "Registracijos el. paštas",
        "warranty_check": "Tikrinti garantiją",
        "warranty_covered": "Garantija galioja iki {date}.",
        "warranty_not_covered": "Šio gaminio garantija baigėsi {date}.",
        "warranty_void": "Šio gaminio garantija negalioja nuo {date}.",
        "warranty_not_started": "Garantija dar neprasidėjo; ji galios iki {date}.",
        "warranty_unknown": "Neradome registracijos su šiuo serijos numeriu ir el. paštu.",
        "error_generic": "Įvyko klaida. Bandykite dar kartą.",
        "error_rate_limited": "Per daug bandymų. Bandykite dar kartą po {seconds} s.",
        "error_invalid": "Patikrinkite pažymėtus laukus.",
        "you": "Jūs",
        "agent": "Pagalbos tarnyba",
        "my_products": "Mano gaminiai",
        "no_products": "Užregistruotų gaminių dar nėra.",
        "register_title": "Užregistruoti gaminį",
        "product": "Gaminys",
        "purchase_date": "Pirkimo data",
        "retailer": "Parduotuvė (nebūtina)",
        "register": "Registruoti",
        "registered": "Užregistruota. Garantija galioja iki {date}.",
    },
    "lv": {
        "launcher": "Palīdzība",
        "close": "Aizvērt",
        "greeting": "Labdien! Kā varam palīdzēt?",
        "tab_contact": "Sazināties",
        "tab_tickets": "Mani pieprasījumi",
        "tab_warranty": "Garantija",
        "name": "Jūsu vārds",
        "email": "E-pasts",
        "subject": "Temats",
        "message": "Kā varam palīdzēt?",
        "serial_number": "Sērijas numurs (nav obligāti)",
        "send": "Sūtīt",
        "sending": "Sūta…",
        "sent": (
            "Paldies! Jūsu pieprasījums ir saņemts. E-pastā atradīsiet saiti, ar kuru varēsiet "
            "sekot tā gaitai."
        ),
        "sent_identified": "Paldies! Jūsu pieprasījums ir saņemts.",
        "no_tickets": "Jums vēl nav neviena pieprasījuma.",
        "sign_in_needed": "Piesakieties šajā vietnē, lai redzētu savus pieprasījumus.",
        "reply": "Atbildēt",
        "back": "Atpakaļ",
        "status_new": "Jauns",
        "status_open": "Tiek izskatīts",
        "status_pending": "Gaida Jūsu atbildi",
        "status_on_hold": "Apturēts",
        "status_solved": "Atrisināts",
        "status_closed": "Slēgts",
        "warranty_serial": "Sērijas numurs",
        "warranty_email": "Reģistrācijā norādītais e-pasts",
        "warranty_check": "Pārbaudīt garantiju",
        "warranty_covered": "Garantija ir spēkā līdz {date}.",
        "warranty_not_covered": "Šī produkta garantija beidzās {date}.",
        "warranty_void": "Šī produkta garantija nav spēkā kopš {date}.",
        "warranty_not_started": "Garantija vēl nav sākusies; tā būs spēkā līdz {date}.",
        "warranty_unknown": "Neatradām reģistrāciju ar šo sērijas numuru un e-pastu.",
        "error_generic": "Radās kļūda. Lūdzu, mēģiniet vēlreiz.",
        "error_rate_limited": "Pārāk daudz mēģinājumu. Mēģiniet vēlreiz pēc {seconds} s.",
        "error_invalid": "Lūdzu, pārbaudiet iezīmētos laukus.",
        "you": "Jūs",
        "agent": "Atbalsts",
        "my_products": "Mani produkti",
        "no_products": "Reģistrētu produktu vēl nav.",
        "register_title": "Reģistrēt produktu",
        "product": "Produkts",
        "purchase_date": "Pirkuma datums",
        "retailer": "Veikals (nav obligāti)",
        "register": "Reģistrēt",
        "registered": "Reģistrēts. Garantija ir spēkā līdz {date}.",
    },
}

# The follow-up link email sent to visitors who opened a ticket without signing in.
EMAILS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "We received your request: {subject}",
        "body": (
            "Thank you for contacting us. We received your request “{subject}” and will "
            "answer soon.\n\nFollow it and reply here:\n{url}\n\nKeep this link private: "
            "anyone with it can read this conversation."
        ),
    },
    "lt": {
        "subject": "Gavome Jūsų užklausą: {subject}",
        "body": (
            "Ačiū, kad susisiekėte. Gavome Jūsų užklausą „{subject}“ ir netrukus atsakysime."
            "\n\nJą sekti ir atsakyti galite čia:\n{url}\n\nŠios nuorodos niekam neperduokite: "
            "ją turintis asmuo gali skaityti šį pokalbį."
        ),
    },
    "lv": {
        "subject": "Esam saņēmuši Jūsu pieprasījumu: {subject}",
        "body": (
            "Paldies, ka sazinājāties. Esam saņēmuši Jūsu pieprasījumu “{subject}” un drīz "
            "atbildēsim.\n\nSekojiet tam un atbildiet šeit:\n{url}\n\nNevienam nenododiet šo "
            "saiti: ikviens, kam tā ir, var lasīt šo saraksti."
        ),
    },
}

# Problems the widget shows, by problem ``code`` (never the English ``detail``): merged into
# STRINGS as ``problem_<code>``; a code without a text falls back to the generic message.
PROBLEMS: dict[str, dict[str, str]] = {
    "en": {
        "serial_taken": "This serial number is already registered.",
        "registration_window_closed": (
            "The registration period for this product has ended. Please contact us."
        ),
        "purchase_in_future": "The purchase date cannot be in the future.",
        "delivery_before_purchase": "The delivery date cannot be before the purchase date.",
        "identity_required": "Please sign in on this site first.",
        "ticket_not_found": "We could not find this request.",
        "feature_disabled": "This feature is not available.",
        "origin_not_allowed": "The support widget is not available on this site.",
        "widget_key_revoked": "The support widget is not available on this site.",
        "tenant_unavailable": "The support widget is not available right now.",
        "identity_token_expired": "Your session has expired. Please sign in again.",
        "payload_too_large": "The message is too long.",
    },
    "lt": {
        "serial_taken": "Šis serijos numeris jau užregistruotas.",
        "registration_window_closed": (
            "Šio gaminio registracijos laikotarpis baigėsi. Susisiekite su mumis."
        ),
        "purchase_in_future": "Pirkimo data negali būti ateityje.",
        "delivery_before_purchase": "Pristatymo data negali būti ankstesnė už pirkimo datą.",
        "identity_required": "Pirmiausia prisijunkite šioje svetainėje.",
        "ticket_not_found": "Šios užklausos neradome.",
        "feature_disabled": "Ši funkcija neprieinama.",
        "origin_not_allowed": "Pagalbos langas šioje svetainėje neprieinamas.",
        "widget_key_revoked": "Pagalbos langas šioje svetainėje neprieinamas.",
        "tenant_unavailable": "Pagalbos langas šiuo metu neprieinamas.",
        "identity_token_expired": "Jūsų sesija baigėsi. Prisijunkite iš naujo.",
        "payload_too_large": "Žinutė per ilga.",
    },
    "lv": {
        "serial_taken": "Šis sērijas numurs jau ir reģistrēts.",
        "registration_window_closed": (
            "Šī produkta reģistrācijas termiņš ir beidzies. Lūdzu, sazinieties ar mums."
        ),
        "purchase_in_future": "Pirkuma datums nevar būt nākotnē.",
        "delivery_before_purchase": "Piegādes datums nevar būt agrāks par pirkuma datumu.",
        "identity_required": "Lūdzu, vispirms piesakieties šajā vietnē.",
        "ticket_not_found": "Šo pieprasījumu neizdevās atrast.",
        "feature_disabled": "Šī funkcija nav pieejama.",
        "origin_not_allowed": "Atbalsta logs šajā vietnē nav pieejams.",
        "widget_key_revoked": "Atbalsta logs šajā vietnē nav pieejams.",
        "tenant_unavailable": "Atbalsta logs pašlaik nav pieejams.",
        "identity_token_expired": "Jūsu sesija ir beigusies. Lūdzu, piesakieties vēlreiz.",
        "payload_too_large": "Ziņojums ir pārāk garš.",
    },
}
for _locale, _problems in PROBLEMS.items():
    STRINGS[_locale].update({f"problem_{code}": text for code, text in _problems.items()})


def email_text(locale: str | None, key: str, **values: Any) -> str:
    """The follow-up link email's ``subject`` or ``body`` in ``locale`` (English when not
    shipped), filled with ``values`` validated against its context model (a missing value
    raises ``schemas.messages.MessageError``, never leaves a blank)."""
    from chalicelib.schemas.messages import build_context, fill

    chosen = locale_of(locale)
    context = build_context(MessageKind.WIDGET_TICKET_LINK, values)
    return fill(EMAILS[chosen][key], context, chosen)
