"""Texts of warranty claims and visits on their ticket, in English, Lithuanian and Latvian.

Customer-facing texts (the claim ticket's subject, the public notes of a claim's decisions) are
written in the customer's locale; notes for the team in the tenant's. Every template takes
named values only (a missing one is a ``KeyError``, never a blank), and user data (product
names, reasons, notes, names) stands where the nominative is right: after a colon, as a label.
Style and glossary: ``docs/i18n.md`` (formal plural address, capitalised "Jūs" in what is
addressed to the customer; dates and visit kinds through ``i18n/formats.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from chalicelib.i18n import formats

Locale = Literal["en", "lt", "lv"]
LOCALES: tuple[Locale, ...] = ("en", "lt", "lv")
FALLBACK: Locale = "en"

_SUBJECT: dict[Locale, str] = {
    "en": "Warranty claim: {product}, serial no. {serial}",
    "lt": "Garantinė pretenzija: {product}, serijos Nr. {serial}",
    "lv": "Garantijas pretenzija: {product}, sērijas Nr. {serial}",
}

# Public notes: what the customer should know about a decision on their claim.
_APPROVED_COVERED: dict[Locale, str] = {
    "en": (
        "Your warranty claim has been approved: the warranty covers this case. "
        "We will contact you shortly to arrange what happens next."
    ),
    "lt": (
        "Jūsų garantinė pretenzija patvirtinta: šiam atvejui taikoma garantija. "
        "Netrukus su Jumis susisieksime ir suderinsime tolesnius veiksmus."
    ),
    "lv": (
        "Jūsu garantijas pretenzija ir apstiprināta: uz šo gadījumu attiecas garantija. "
        "Drīzumā ar Jums sazināsimies, lai vienotos par turpmāko rīcību."
    ),
}
_APPROVED_CHARGEABLE: dict[Locale, str] = {
    "en": (
        "Your claim has been accepted. On the day you reported the fault the product was not "
        "under warranty, so the work will be charged. We will contact you shortly to arrange "
        "what happens next."
    ),
    "lt": (
        "Jūsų pretenzija priimta. Tą dieną, kai pranešėte apie gedimą, gaminiui garantija "
        "negaliojo, todėl darbai bus mokami. Netrukus su Jumis susisieksime ir suderinsime "
        "tolesnius veiksmus."
    ),
    "lv": (
        "Jūsu pretenzija ir pieņemta. Dienā, kad ziņojāt par bojājumu, produktam garantija "
        "nebija spēkā, tāpēc darbi tiks veikti par maksu. Drīzumā ar Jums sazināsimies, lai "
        "vienotos par turpmāko rīcību."
    ),
}
_REJECTED: dict[Locale, str] = {
    "en": (
        "We are sorry, but your warranty claim has been rejected.\nReason: {reason}\n"
        "If you have any questions, please write to us."
    ),
    "lt": (
        "Deja, Jūsų garantinė pretenzija atmesta.\nPriežastis: {reason}\n"
        "Jei turite klausimų, parašykite mums."
    ),
    "lv": (
        "Diemžēl Jūsu garantijas pretenzija ir noraidīta.\nIemesls: {reason}\n"
        "Ja Jums ir jautājumi, lūdzu, rakstiet mums."
    ),
}
_RESOLVED: dict[Locale, str] = {
    "en": "Your warranty claim has been dealt with: {outcome}. Thank you for your patience.",
    "lt": "Jūsų garantinė pretenzija išnagrinėta: {outcome}. Dėkojame už kantrybę.",
    "lv": "Jūsu garantijas pretenzija ir izskatīta: {outcome}. Paldies par pacietību.",
}
_OUTCOMES: dict[Locale, dict[str, str]] = {
    "en": {
        "repaired": "the product has been repaired",
        "replaced": "the product has been replaced with a new one",
        "refunded": "the amount you paid for the product will be refunded to you",
        "no_fault_found": "the inspection found no fault in the product",
    },
    "lt": {
        "repaired": "gaminys suremontuotas",
        "replaced": "gaminys pakeistas nauju",
        "refunded": "Jums bus grąžinta už gaminį sumokėta suma",
        "no_fault_found": "patikrinus gaminį, gedimo nenustatyta",
    },
    "lv": {
        "repaired": "produkts ir saremontēts",
        "replaced": "produkts ir apmainīts pret jaunu",
        "refunded": "Jums tiks atmaksāta par produktu samaksātā summa",
        "no_fault_found": "pārbaudē produktam bojājumi netika konstatēti",
    },
}

# Internal notes: the team's record of what happened to a linked claim or visit.
_CLAIM_INTERNAL: dict[Locale, dict[str, str]] = {
    "en": {
        "approved": "Claim {claim_id}: approved.",
        "in_repair": "Claim {claim_id}: in repair.",
        "resolved": "Claim {claim_id}: resolved.",
        "rejected": "Claim {claim_id}: rejected.",
        "cancelled": "Claim {claim_id}: cancelled. The ticket's status was left as it was.",
    },
    "lt": {
        "approved": "Pretenzija {claim_id}: patvirtinta.",
        "in_repair": "Pretenzija {claim_id}: remontuojama.",
        "resolved": "Pretenzija {claim_id}: išnagrinėta.",
        "rejected": "Pretenzija {claim_id}: atmesta.",
        "cancelled": "Pretenzija {claim_id}: atšaukta. Užklausos būsena nepakeista.",
    },
    "lv": {
        "approved": "Pretenzija {claim_id}: apstiprināta.",
        "in_repair": "Pretenzija {claim_id}: remontā.",
        "resolved": "Pretenzija {claim_id}: izskatīta.",
        "rejected": "Pretenzija {claim_id}: noraidīta.",
        "cancelled": "Pretenzija {claim_id}: atsaukta. Pieprasījuma statuss nav mainīts.",
    },
}
_VISIT: dict[Locale, dict[str, str]] = {
    "en": {
        "completed": "Visit completed.",
        "no_show": "Visit missed: nobody was there.",
        "cancelled": "Visit cancelled.",
        "kind": "Kind: {value}",
        "time": "Time: {value}",
        "outcome": "Outcome: {value}",
        "signed_off_by": "Signed off by: {value}",
        "reason": "Reason: {value}",
        "notes": "Notes: {value}",
    },
    "lt": {
        "completed": "Vizitas baigtas.",
        "no_show": "Vizitas neįvyko: kliento nebuvo.",
        "cancelled": "Vizitas atšauktas.",
        "kind": "Tipas: {value}",
        "time": "Laikas: {value}",
        "outcome": "Rezultatas: {value}",
        "signed_off_by": "Pasirašė: {value}",
        "reason": "Priežastis: {value}",
        "notes": "Pastabos: {value}",
    },
    "lv": {
        "completed": "Vizīte pabeigta.",
        "no_show": "Vizīte nenotika: klients nebija uz vietas.",
        "cancelled": "Vizīte atcelta.",
        "kind": "Veids: {value}",
        "time": "Laiks: {value}",
        "outcome": "Rezultāts: {value}",
        "signed_off_by": "Parakstīja: {value}",
        "reason": "Iemesls: {value}",
        "notes": "Piezīmes: {value}",
    },
}


def locale_of(*candidates: str | None) -> Locale:
    """The first candidate that is a shipped locale (customer's, then tenant's), else English."""
    for candidate in candidates:
        for locale in LOCALES:
            if candidate == locale:
                return locale
    return FALLBACK


def claim_ticket_subject(locale: Locale, *, product: str, serial: str) -> str:
    """The subject of the ticket a claim opens (the product and serial stand as labels)."""
    return _SUBJECT[locale].format(product=product, serial=serial)


def claim_public_note(
    locale: Locale,
    status: str,
    *,
    billing: str,
    reason: str | None = None,
    resolution: str | None = None,
) -> str:
    """The customer's note of a claim decision: approved (covered or chargeable), rejected
    (with the reason) or resolved (with the resolution)."""
    if status == "approved":
        table = _APPROVED_COVERED if billing == "covered" else _APPROVED_CHARGEABLE
        return table[locale]
    if status == "rejected":
        if not reason:
            raise KeyError("reason")
        return _REJECTED[locale].format(reason=reason)
    if status == "resolved":
        if not resolution:
            raise KeyError("resolution")
        return _RESOLVED[locale].format(outcome=_OUTCOMES[locale][resolution])
    raise KeyError(status)


def claim_internal_note(
    locale: Locale,
    status: str,
    *,
    claim_id: str,
    notes: str | None = None,
    reason: str | None = None,
) -> str:
    """The team's note of a claim's status change."""
    lines = [_CLAIM_INTERNAL[locale][status].format(claim_id=claim_id)]
    labels = _VISIT[locale]
    if reason:
        lines.append(labels["reason"].format(value=reason))
    if notes:
        lines.append(labels["notes"].format(value=notes))
    return "\n".join(lines)


def visit_note(
    locale: Locale,
    status: str,
    *,
    kind: str,
    starts: datetime,
    ends: datetime,
    outcome: str | None = None,
    signed_off_by: str | None = None,
    reason: str | None = None,
) -> str:
    """The team's note of a visit's outcome (completed, no-show, cancelled) on its ticket; the
    window (``starts`` .. ``ends``, already in the tenant's time zone) as ``locale`` writes it."""
    labels = _VISIT[locale]
    time = f"{formats.format_time(starts, locale)}\N{EN DASH}{ends:%H:%M}"
    lines = [
        labels[status],
        labels["kind"].format(value=formats.visit_kind(kind, locale)),
        labels["time"].format(value=time),
    ]
    for key, value in (
        ("outcome", outcome),
        ("signed_off_by", signed_off_by),
        ("reason", reason),
    ):
        if value:
            lines.append(labels[key].format(value=value))
    return "\n".join(lines)
