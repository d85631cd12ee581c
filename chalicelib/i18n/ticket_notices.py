"""Customer- and team-facing texts of ticket automation, in English, Lithuanian and Latvian.

Each text belongs to a message kind with a typed context (``chalicelib/schemas/messages.py``):
:func:`text` validates the values against it and fails on a missing or unknown one.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.followups import MessageKind
from chalicelib.i18n.formats import locale_of

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "solve_subject": "Your request “{subject}” will be marked as solved",
        "solve_body": (
            "We have not heard back from you about your request “{subject}”. If we do not hear "
            "from you by {when}, we will mark it as solved. If you still need help, just reply."
        ),
        "close_subject": "Your request “{subject}” will be closed",
        "close_body": (
            "Your request “{subject}” has been solved. It will be closed on {when}; after that "
            "it can no longer be reopened. If the problem comes back, please reply before then."
        ),
        "alert_subject": "SLA {kind}: ticket “{subject}” ({metric})",
        "alert_body": (
            "Ticket {ticket_id} “{subject}” ({priority}) {verb} its {metric} target of "
            "{target} minutes at {at}.\nAssignee: {assignee}"
        ),
    },
    "lt": {
        "solve_subject": "Jūsų užklausa „{subject}“ bus pažymėta kaip išspręsta",
        "solve_body": (
            "Negavome Jūsų atsakymo dėl užklausos „{subject}“. Jei iki {when} neatsakysite, "
            "pažymėsime ją kaip išspręstą. Jei pagalbos dar reikia, tiesiog atsakykite."
        ),
        "close_subject": "Jūsų užklausa „{subject}“ bus uždaryta",
        "close_body": (
            "Jūsų užklausa „{subject}“ išspręsta. Ji bus uždaryta {when}, o po to jos nebebus "
            "galima atnaujinti. Jei problema pasikartojo, atsakykite iki tol."
        ),
    },
    "lv": {
        "solve_subject": "Jūsu pieprasījums “{subject}” tiks atzīmēts kā atrisināts",
        "solve_body": (
            "Neesam saņēmuši Jūsu atbildi par pieprasījumu “{subject}”. Ja neatbildēsiet līdz "
            "{when}, pieprasījums tiks atzīmēts kā atrisināts. Ja palīdzība vēl ir vajadzīga, "
            "vienkārši atbildiet."
        ),
        "close_subject": "Jūsu pieprasījums “{subject}” tiks slēgts",
        "close_body": (
            "Jūsu pieprasījums “{subject}” ir atrisināts. Tas tiks slēgts {when}; pēc tam to "
            "vairs nevarēs atsākt. Ja problēma atkārtojas, lūdzu, atbildiet līdz tam."
        ),
    },
}

# The message kind (and so the context model) of each text.
KINDS: dict[str, MessageKind] = {
    "solve_subject": MessageKind.TICKET_SOLVE_NOTICE,
    "solve_body": MessageKind.TICKET_SOLVE_NOTICE,
    "close_subject": MessageKind.TICKET_CLOSE_NOTICE,
    "close_body": MessageKind.TICKET_CLOSE_NOTICE,
    "alert_subject": MessageKind.SLA_ALERT,
    "alert_body": MessageKind.SLA_ALERT,
}


def text(locale: str | None, key: str, **values: Any) -> str:
    """The text ``key`` in ``locale`` (English when the locale has no such text), filled with
    ``values`` validated against the key's context model.

    Raises ``schemas.messages.MessageError`` when a value is missing, unknown or of the wrong
    type: a notice never goes out with a blank.
    """
    from chalicelib.schemas.messages import build_context, fill

    chosen = locale_of(locale)
    table = _TEXTS[chosen] if key in _TEXTS[chosen] else _TEXTS["en"]
    if table is _TEXTS["en"]:
        chosen = "en"
    kind = KINDS[key]
    return fill(table[key], build_context(kind, values), chosen)
