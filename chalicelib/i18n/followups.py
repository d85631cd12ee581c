"""Follow-up email wording in every shipped locale (en, lt, lv).

Placeholders: ``{customer_name}``, ``{company}``, ``{subject}`` (the ticket subject, product
name... whatever the rule put in the follow-up's ``data["subject"]``), ``{date}``. Tenants
override ``subject`` and ``intro`` per rule and locale in the ``followups`` settings section.
"""

from __future__ import annotations

# Per kind: subject line, intro paragraph, the survey question (surveys only) and the
# call to action of the link.
KIND_TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "csat_survey": {
            "subject": "How did we do? {subject}",
            "intro": "We recently helped you with “{subject}”.",
            "question": "How satisfied are you with the support you received?",
            "cta": "Rate us",
            "low": "Very dissatisfied",
            "high": "Very satisfied",
        },
        "nps_survey": {
            "subject": "Would you recommend {company}?",
            "intro": "Thank you for being a customer of {company}.",
            "question": "How likely are you to recommend us to a friend or colleague?",
            "cta": "Answer",
            "low": "Not at all likely",
            "high": "Extremely likely",
        },
        "ces_survey": {
            "subject": "Was it easy to get help? {subject}",
            "intro": "Your request “{subject}” is now closed.",
            "question": "How easy was it to get your issue resolved?",
            "cta": "Answer",
            "low": "Very difficult",
            "high": "Very easy",
        },
        "warranty_expiry_reminder": {
            "subject": "Your warranty for {subject} ends on {date}",
            "intro": "The warranty for {subject} ends on {date}. Extend your cover before then.",
            "cta": "See your options",
        },
        "registration_reminder": {
            "subject": "Register {subject} to activate your warranty",
            "intro": "Register {subject} so that we can help you quickly if anything goes wrong.",
            "cta": "Register now",
        },
        "maintenance_reminder": {
            "subject": "Maintenance is due: {subject}",
            "intro": "It is time for the scheduled maintenance of {subject} ({date}).",
            "cta": "Book a visit",
        },
        "appointment_follow_up": {
            "subject": "After your service visit: {subject}",
            "intro": "We hope your service visit for {subject} went well.",
            "cta": "Tell us",
        },
        "ticket_auto_close_notice": {
            "subject": "Your request will be closed: {subject}",
            "intro": "We have not heard from you about “{subject}”. It will close on {date}.",
            "cta": "Reply",
        },
        "custom": {"subject": "A message from {company}", "intro": "", "cta": "Open"},
    },
    "lt": {
        "csat_survey": {
            "subject": "Kaip mums sekėsi? {subject}",
            "intro": "Neseniai padėjome jums dėl „{subject}“.",
            "question": "Ar esate patenkinti gauta pagalba?",
            "cta": "Įvertinkite",
            "low": "Visiškai nepatenkintas",
            "high": "Labai patenkintas",
        },
        "nps_survey": {
            "subject": "Ar rekomenduotumėte {company}?",
            "intro": "Dėkojame, kad esate {company} klientas.",
            "question": "Kaip tikėtina, kad rekomenduotumėte mus draugui ar kolegai?",
            "cta": "Atsakyti",
            "low": "Visiškai netikėtina",
            "high": "Labai tikėtina",
        },
        "ces_survey": {
            "subject": "Ar buvo lengva gauti pagalbą? {subject}",
            "intro": "Jūsų užklausa „{subject}“ uždaryta.",
            "question": "Kaip lengva buvo išspręsti jūsų klausimą?",
            "cta": "Atsakyti",
            "low": "Labai sunku",
            "high": "Labai lengva",
        },
        "warranty_expiry_reminder": {
            "subject": "{subject} garantija baigiasi {date}",
            "intro": "{subject} garantija baigiasi {date}. Pratęskite ją iki tol.",
            "cta": "Peržiūrėti galimybes",
        },
        "registration_reminder": {
            "subject": "Užregistruokite {subject} ir aktyvuokite garantiją",
            "intro": (
                "Užregistruokite {subject}, kad galėtume greitai padėti, jei kas nors sugestų."
            ),
            "cta": "Registruoti",
        },
        "maintenance_reminder": {
            "subject": "Laikas techninei priežiūrai: {subject}",
            "intro": "Atėjo laikas planinei {subject} priežiūrai ({date}).",
            "cta": "Užsisakyti vizitą",
        },
        "appointment_follow_up": {
            "subject": "Po serviso vizito: {subject}",
            "intro": "Tikimės, kad {subject} serviso vizitas pavyko.",
            "cta": "Papasakokite",
        },
        "ticket_auto_close_notice": {
            "subject": "Jūsų užklausa bus uždaryta: {subject}",
            "intro": "Negavome jūsų atsakymo dėl „{subject}“. Ji bus uždaryta {date}.",
            "cta": "Atsakyti",
        },
        "custom": {"subject": "Žinutė nuo {company}", "intro": "", "cta": "Atidaryti"},
    },
    "lv": {
        "csat_survey": {
            "subject": "Kā mums veicās? {subject}",
            "intro": "Nesen palīdzējām jums ar “{subject}”.",
            "question": "Cik apmierināts esat ar saņemto atbalstu?",
            "cta": "Novērtējiet",
            "low": "Ļoti neapmierināts",
            "high": "Ļoti apmierināts",
        },
        "nps_survey": {
            "subject": "Vai ieteiktu {company}?",
            "intro": "Paldies, ka esat {company} klients.",
            "question": "Cik ticams, ka jūs mūs ieteiktu draugam vai kolēģim?",
            "cta": "Atbildēt",
            "low": "Nemaz nav ticams",
            "high": "Ļoti ticams",
        },
        "ces_survey": {
            "subject": "Vai bija viegli saņemt palīdzību? {subject}",
            "intro": "Jūsu pieprasījums “{subject}” ir slēgts.",
            "question": "Cik viegli bija atrisināt jūsu jautājumu?",
            "cta": "Atbildēt",
            "low": "Ļoti grūti",
            "high": "Ļoti viegli",
        },
        "warranty_expiry_reminder": {
            "subject": "{subject} garantija beidzas {date}",
            "intro": "{subject} garantija beidzas {date}. Pagariniet to līdz tam.",
            "cta": "Skatīt iespējas",
        },
        "registration_reminder": {
            "subject": "Reģistrējiet {subject}, lai aktivizētu garantiju",
            "intro": "Reģistrējiet {subject}, lai mēs varētu ātri palīdzēt, ja kas saplīst.",
            "cta": "Reģistrēt",
        },
        "maintenance_reminder": {
            "subject": "Laiks apkopei: {subject}",
            "intro": "Ir pienācis laiks {subject} plānotajai apkopei ({date}).",
            "cta": "Pieteikt vizīti",
        },
        "appointment_follow_up": {
            "subject": "Pēc servisa vizītes: {subject}",
            "intro": "Ceram, ka {subject} servisa vizīte noritēja labi.",
            "cta": "Pastāstiet",
        },
        "ticket_auto_close_notice": {
            "subject": "Jūsu pieprasījums tiks slēgts: {subject}",
            "intro": "Neesam saņēmuši jūsu atbildi par “{subject}”. Tas tiks slēgts {date}.",
            "cta": "Atbildēt",
        },
        "custom": {"subject": "Ziņa no {company}", "intro": "", "cta": "Atvērt"},
    },
}

# Shared parts of every email.
COMMON: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Hello {customer_name},",
        "greeting_anonymous": "Hello,",
        "click_score": "Click a score to answer; it takes one click.",
        "signature": "Kind regards,\n{company}",
        "unsubscribe_surveys": "Stop receiving surveys",
        "unsubscribe_all": "Unsubscribe from all messages",
        "why": "You receive this because you are a customer of {company}.",
    },
    "lt": {
        "greeting": "Sveiki, {customer_name},",
        "greeting_anonymous": "Sveiki,",
        "click_score": "Paspauskite įvertinimą: tereikia vieno paspaudimo.",
        "signature": "Pagarbiai\n{company}",
        "unsubscribe_surveys": "Nebegauti apklausų",
        "unsubscribe_all": "Atsisakyti visų pranešimų",
        "why": "Gaunate šį laišką, nes esate {company} klientas.",
    },
    "lv": {
        "greeting": "Labdien, {customer_name}!",
        "greeting_anonymous": "Labdien!",
        "click_score": "Noklikšķiniet uz vērtējuma: pietiek ar vienu klikšķi.",
        "signature": "Ar cieņu\n{company}",
        "unsubscribe_surveys": "Vairs nesaņemt aptaujas",
        "unsubscribe_all": "Atteikties no visām ziņām",
        "why": "Jūs saņemat šo vēstuli, jo esat {company} klients.",
    },
}

DEFAULT_LOCALE = "en"

# The unsubscribe page behind the link in every follow-up email.
UNSUBSCRIBE_PAGE: dict[str, dict[str, str]] = {
    "en": {
        "title": "Unsubscribe",
        "ask_surveys": "Stop receiving surveys from {company}?",
        "ask_all": "Stop receiving all messages from {company}?",
        "button": "Unsubscribe",
        "done_surveys": "Done: {company} will send you no more surveys.",
        "done_all": "Done: {company} will send you no more messages like this one.",
        "invalid": "This unsubscribe link is not valid. Use the link from your email.",
    },
    "lt": {
        "title": "Prenumeratos atsisakymas",
        "ask_surveys": "Nebegauti {company} apklausų?",
        "ask_all": "Nebegauti jokių {company} pranešimų?",
        "button": "Atsisakyti",
        "done_surveys": "Atlikta: {company} nebesiųs jums apklausų.",
        "done_all": "Atlikta: {company} nebesiųs jums tokių pranešimų.",
        "invalid": "Ši atsisakymo nuoroda negalioja. Naudokite nuorodą iš laiško.",
    },
    "lv": {
        "title": "Atteikšanās",
        "ask_surveys": "Vairs nesaņemt {company} aptaujas?",
        "ask_all": "Vairs nesaņemt nekādas {company} ziņas?",
        "button": "Atteikties",
        "done_surveys": "Gatavs: {company} jums vairs nesūtīs aptaujas.",
        "done_all": "Gatavs: {company} jums vairs nesūtīs šādas ziņas.",
        "invalid": "Šī atteikšanās saite nav derīga. Izmantojiet saiti no vēstules.",
    },
}
