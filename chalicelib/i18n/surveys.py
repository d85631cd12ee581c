"""Survey texts shipped with the product: questions, scale labels and survey page strings.

English, Lithuanian and Latvian are built in. A tenant overrides the question and comment
question per locale in its survey configuration; everything else comes from here. ``{company}``
in a text is replaced by the tenant's name.
"""

from __future__ import annotations

from collections.abc import Mapping

LOCALES: tuple[str, ...] = ("en", "lt", "lv")
FALLBACK_LOCALE = "en"

QUESTIONS: Mapping[str, Mapping[str, str]] = {
    "csat": {
        "en": "How satisfied are you with the support you received from {company}?",
        "lt": "Kaip vertinate mūsų suteiktą pagalbą?",
        "lv": "Kā Jūs vērtējat mūsu sniegto atbalstu?",
    },
    "nps": {
        "en": "How likely are you to recommend {company} to a friend or colleague?",
        "lt": "Kiek tikėtina, kad rekomenduotumėte mus draugui ar kolegai?",
        "lv": "Cik ticams, ka Jūs ieteiktu mūs draugam vai kolēģim?",
    },
    "ces": {
        "en": "How much effort did you personally have to put in to get your request handled?",
        "lt": "Kiek pastangų Jums teko įdėti, kad Jūsų užklausa būtų išspręsta?",
        "lv": ("Cik daudz pūļu Jums bija jāpieliek, lai Jūsu pieprasījums tiktu atrisināts?"),
    },
}

COMMENT_QUESTION: Mapping[str, str] = {
    "en": "What is the main reason for your score?",
    "lt": "Kokia pagrindinė Jūsų įvertinimo priežastis?",
    "lv": "Kāds ir galvenais Jūsu vērtējuma iemesls?",
}

SCALE_LABELS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "csat": {
        "en": ("Very dissatisfied", "Very satisfied"),
        "lt": ("Labai blogai", "Puikiai"),
        "lv": ("Ļoti slikti", "Izcili"),
    },
    "nps": {
        "en": ("Not at all likely", "Extremely likely"),
        "lt": ("Visai netikėtina", "Labai tikėtina"),
        "lv": ("Nemaz nav ticams", "Ļoti ticams"),
    },
    "ces": {
        "en": ("Very low effort", "Very high effort"),
        "lt": ("Labai mažai pastangų", "Labai daug pastangų"),
        "lv": ("Ļoti maz pūļu", "Ļoti daudz pūļu"),
    },
}

PAGE: Mapping[str, Mapping[str, str]] = {
    "title": {"en": "Your feedback", "lt": "Jūsų nuomonė", "lv": "Jūsu atsauksme"},
    "recorded": {
        "en": "Thank you! Your answer has been recorded.",
        "lt": "Ačiū! Jūsų atsakymą gavome.",
        "lv": "Paldies! Jūsu atbilde ir reģistrēta.",
    },
    "can_change": {
        "en": "You can still change your answer for a short while.",
        "lt": "Savo atsakymą dar kurį laiką galite pakeisti.",
        "lv": "Savu atbildi vēl kādu laiku varat mainīt.",
    },
    "comment_placeholder": {
        "en": "Your comment (optional)",
        "lt": "Jūsų komentaras (neprivaloma)",
        "lv": "Jūsu komentārs (nav obligāts)",
    },
    "send": {"en": "Send", "lt": "Siųsti", "lv": "Sūtīt"},
    "thanks": {
        "en": "Thank you for your feedback!",
        "lt": "Dėkojame už Jūsų nuomonę!",
        "lv": "Paldies par Jūsu atsauksmi!",
    },
    "answered": {
        "en": "This survey has already been answered. Thank you!",
        "lt": "Į šią apklausą jau atsakėte. Ačiū!",
        "lv": "Uz šo aptauju jau ir atbildēts. Paldies!",
    },
    "expired": {
        "en": "This survey link has expired.",
        "lt": "Šios apklausos nuoroda nebegalioja.",
        "lv": "Šīs aptaujas saite vairs nav derīga.",
    },
    "invalid": {
        "en": "This survey link is not valid. Please use the link from your email.",
        "lt": "Ši apklausos nuoroda negalioja. Naudokite nuorodą iš laiško.",
        "lv": "Šī aptaujas saite nav derīga. Lūdzu, izmantojiet saiti no vēstules.",
    },
    "error": {
        "en": "Something went wrong. Please try again.",
        "lt": "Įvyko klaida. Bandykite dar kartą.",
        "lv": "Radās kļūda. Lūdzu, mēģiniet vēlreiz.",
    },
    "unsubscribe": {
        "en": "Do not send me surveys",
        "lt": "Nebesiųskite man apklausų",
        "lv": "Nesūtiet man aptaujas",
    },
    "unsubscribed": {
        "en": "You will not receive further surveys.",
        "lt": "Daugiau apklausų negausite.",
        "lv": "Jūs vairs nesaņemsiet aptaujas.",
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


def accept_language_locales(header: str | None) -> list[str]:
    """Locales named by an ``Accept-Language`` header, most preferred first."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def page_text(name: str, locale: str) -> str:
    """One survey page string in ``locale``."""
    texts = PAGE[name]
    return texts.get(locale) or texts[FALLBACK_LOCALE]


def fill(text: str, company: str) -> str:
    """Replace ``{company}`` (the only placeholder) without interpreting other braces."""
    return text.replace("{company}", company)


# Problems shown on the survey page, by problem ``code`` (never the English ``detail``).
PROBLEMS: Mapping[str, Mapping[str, str]] = {
    "invalid_survey_link": {
        "en": "This survey link is not valid. Please use the link from your email.",
        "lt": "Ši apklausos nuoroda netinkama. Naudokite nuorodą iš el. laiško.",
        "lv": "Šī aptaujas saite nav derīga. Lūdzu, izmantojiet saiti no e-pasta.",
    },
    "survey_link_expired": {
        "en": "This survey link has expired.",
        "lt": "Šios apklausos nuoroda nebegalioja.",
        "lv": "Šīs aptaujas saite vairs nav derīga.",
    },
    "survey_closed": {
        "en": "This survey is no longer available.",
        "lt": "Ši apklausa nebevyksta.",
        "lv": "Šī aptauja vairs nav pieejama.",
    },
    "survey_already_answered": {
        "en": "This survey has already been answered and can no longer be changed.",
        "lt": "Į šią apklausą jau atsakyta, atsakymo pakeisti nebegalima.",
        "lv": "Uz šo aptauju jau ir atbildēts, un atbildi vairs nevar mainīt.",
    },
    "score_required": {
        "en": "Please choose a score first.",
        "lt": "Pirmiausia pasirinkite įvertinimą.",
        "lv": "Lūdzu, vispirms izvēlieties vērtējumu.",
    },
    "score_out_of_range": {
        "en": "Please choose one of the scores shown.",
        "lt": "Pasirinkite vieną iš pateiktų įvertinimų.",
        "lv": "Lūdzu, izvēlieties vienu no piedāvātajiem vērtējumiem.",
    },
    "comments_disabled": {
        "en": "Comments are not collected in this survey.",
        "lt": "Šioje apklausoje komentarai nerenkami.",
        "lv": "Šajā aptaujā komentāri netiek vākti.",
    },
    "validation_failed": {
        "en": "Please check your answer: the comment may be too long.",
        "lt": "Patikrinkite atsakymą: komentaras gali būti per ilgas.",
        "lv": "Lūdzu, pārbaudiet atbildi: komentārs var būt pārāk garš.",
    },
    "rate_limited": {
        "en": "Too many attempts. Please try again a little later.",
        "lt": "Per daug bandymų. Pabandykite šiek tiek vėliau.",
        "lv": "Pārāk daudz mēģinājumu. Lūdzu, mēģiniet nedaudz vēlāk.",
    },
}

# Survey page strings of the form that works without JavaScript.
FORM_TEXTS: Mapping[str, Mapping[str, str]] = {
    "choose": {
        "en": "Choose your score:",
        "lt": "Pasirinkite įvertinimą:",
        "lv": "Izvēlieties vērtējumu:",
    },
    "selected": {
        "en": (
            "Your choice from the email is marked: send it (with a comment if you like) or "
            "choose another score."
        ),
        "lt": (
            "Pažymėtas el. laiške pasirinktas įvertinimas: išsiųskite jį (jei norite, su "
            "komentaru) arba pasirinkite kitą."
        ),
        "lv": (
            "Atzīmēts e-pastā izvēlētais vērtējums: nosūtiet to (ja vēlaties, ar komentāru) vai "
            "izvēlieties citu."
        ),
    },
}


def problem_text(code: str, locale: str) -> str:
    """A problem shown to the customer, by its stable code (generic text for other codes)."""
    texts = PROBLEMS.get(code)
    if texts is None:
        return page_text("error", locale)
    return texts.get(locale) or texts[FALLBACK_LOCALE]


def form_text(name: str, locale: str) -> str:
    """One string of the survey page's no-JavaScript form in ``locale``."""
    texts = FORM_TEXTS[name]
    return texts.get(locale) or texts[FALLBACK_LOCALE]
