"""Customer- and team-facing texts of ticket automation, in English, Lithuanian and Latvian."""

from __future__ import annotations

from typing import Any

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "solve_subject": 'Your request "{subject}" will be marked as solved',
        "solve_body": (
            'We have not heard back from you about "{subject}". If we do not hear from you '
            "by {when}, we will mark the request as solved. Just reply if you still need help."
        ),
        "close_subject": 'Your request "{subject}" will be closed',
        "close_body": (
            'Your request "{subject}" was solved. It will be closed on {when}; after that it '
            "can no longer be reopened. Reply before then if the problem is back."
        ),
        "alert_subject": 'SLA {kind}: ticket "{subject}" ({metric})',
        "alert_body": (
            'Ticket {ticket_id} "{subject}" ({priority}) {verb} its {metric} target of '
            "{target} minutes at {at}.\nAssignee: {assignee}"
        ),
    },
    "lt": {
        "solve_subject": "Jūsų užklausa „{subject}“ bus pažymėta kaip išspręsta",
        "solve_body": (
            "Negavome jūsų atsakymo dėl „{subject}“. Jei iki {when} neatsakysite, užklausą "
            "pažymėsime kaip išspręstą. Jei pagalbos vis dar reikia, tiesiog atsakykite."
        ),
        "close_subject": "Jūsų užklausa „{subject}“ bus uždaryta",
        "close_body": (
            "Jūsų užklausa „{subject}“ išspręsta. Ji bus uždaryta {when}, po to jos nebebus "
            "galima atnaujinti. Jei problema pasikartojo, atsakykite iki tol."
        ),
    },
    "lv": {
        "solve_subject": "Jūsu pieprasījums “{subject}” tiks atzīmēts kā atrisināts",
        "solve_body": (
            "Mēs neesam saņēmuši jūsu atbildi par “{subject}”. Ja līdz {when} neatbildēsiet, "
            "pieprasījums tiks atzīmēts kā atrisināts. Ja palīdzība joprojām vajadzīga, atbildiet."
        ),
        "close_subject": "Jūsu pieprasījums “{subject}” tiks slēgts",
        "close_body": (
            "Jūsu pieprasījums “{subject}” ir atrisināts. Tas tiks slēgts {when}; pēc tam to "
            "vairs nevarēs atvērt atkārtoti. Ja problēma atkārtojas, atbildiet līdz tam."
        ),
    },
}


def text(locale: str | None, key: str, **values: Any) -> str:
    """A formatted text in ``locale`` (English when the locale or the key is missing)."""
    table = _TEXTS.get(locale or "en", _TEXTS["en"])
    template = table.get(key) or _TEXTS["en"][key]
    return template.format(**values)
