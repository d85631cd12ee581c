"""Follow-up email wording in every shipped locale (en, lt, lv).

One entry per message kind (``domain.followups.MessageKind``); the placeholders a text may name
are the fields of the kind's context model (``chalicelib/schemas/messages.py``), and rendering
fails on any other or on one without a value. Style rules and the glossary: ``docs/i18n.md``
(formal address, capitalised "Jūs" in lt and lv, no names in lt/lv greetings, user data only as
a label value, after a colon or as a quoted title after its generic noun, never inflected).

Tenants override ``subject`` and ``intro`` per rule and locale in the ``followups`` settings
section, with the placeholders that always hold a value (checked when the settings are saved).
"""

from __future__ import annotations

# Per message kind: subject line, intro paragraph and, for kinds with an action link, its
# call to action. Survey questions and scale labels come from ``i18n/surveys.py`` (or the
# tenant's survey).
KIND_TEXTS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "ticket_csat_survey": {
            "subject": "How did we do? Your request: {ticket_subject}",
            "intro": "We recently resolved your request “{ticket_subject}”. "
            "Your answer helps us improve.",
        },
        "visit_csat_survey": {
            "subject": "How was our visit?",
            "intro": "Thank you for choosing our service. Please rate the visit: "
            "it takes a moment.",
        },
        "nps_survey": {
            "subject": "Would you recommend {company}?",
            "intro": "Thank you for choosing {company}. One question, one click.",
        },
        "ticket_ces_survey": {
            "subject": "Was it easy to get help? Your request: {ticket_subject}",
            "intro": "Your request “{ticket_subject}” is now closed.",
        },
        "visit_ces_survey": {
            "subject": "Was it easy to arrange our visit?",
            "intro": "Thank you for choosing our service. Please tell us how easy it was.",
        },
        "warranty_expiry_reminder": {
            "subject": "Your warranty ends on {coverage_ends_on}: {product_name}",
            "intro": "The warranty on your product ends soon. "
            "You can extend your cover before it ends.",
            "cta": "Extend your cover",
        },
        "proof_of_purchase_reminder": {
            "subject": "Send us your proof of purchase: {product_name}",
            "intro": "Your product is registered. To complete the warranty registration, "
            "please send us your proof of purchase (a receipt or an invoice) by the date below.",
            "cta": "Send your proof of purchase",
        },
        "maintenance_reminder": {
            "subject": "Maintenance is due: {product_name}",
            "intro": "The scheduled maintenance of your product is coming up. "
            "Book the visit at a time that suits you.",
            "cta": "Book your visit",
        },
        "appointment_follow_up": {
            "subject": "After our visit",
            "intro": "We hope everything works as it should after our visit. "
            "If you have any questions, just reply to this email.",
        },
        "ticket_auto_close_notice": {
            "subject": "Your request will be closed: {ticket_subject}",
            "intro": "We have not heard from you about your request “{ticket_subject}”. "
            "If you still need help, please reply before it is closed.",
        },
        "custom": {"subject": "A message from {company}", "intro": "{message}"},
    },
    "lt": {
        "ticket_csat_survey": {
            "subject": "Įvertinkite mūsų pagalbą. Užklausa: {ticket_subject}",
            "intro": "Neseniai išsprendėme Jūsų užklausą „{ticket_subject}“. "
            "Jūsų atsakymas padės mums dirbti geriau.",
        },
        "visit_csat_survey": {
            "subject": "Kaip vertinate mūsų vizitą?",
            "intro": "Dėkojame, kad pasirinkote mūsų paslaugas. Įvertinkite vizitą: "
            "tai užtruks tik akimirką.",
        },
        "nps_survey": {
            "subject": "Ar rekomenduotumėte mus kitiems?",
            "intro": "Dėkojame, kad renkatės mus. Vienas klausimas, vienas paspaudimas.",
        },
        "ticket_ces_survey": {
            "subject": "Ar buvo lengva gauti pagalbą? Užklausa: {ticket_subject}",
            "intro": "Jūsų užklausa „{ticket_subject}“ uždaryta.",
        },
        "visit_ces_survey": {
            "subject": "Ar buvo lengva susitarti dėl vizito?",
            "intro": "Dėkojame, kad pasirinkote mūsų paslaugas. Papasakokite, ar viskas "
            "vyko sklandžiai.",
        },
        "warranty_expiry_reminder": {
            "subject": "Garantija baigiasi: {product_name}",
            "intro": "Jūsų gaminio garantija netrukus baigsis. Ją galite pratęsti, "
            "kol ji dar galioja.",
            "cta": "Pratęsti garantiją",
        },
        "proof_of_purchase_reminder": {
            "subject": "Atsiųskite pirkimo dokumentą: {product_name}",
            "intro": "Jūsų gaminys užregistruotas. Kad garantijos registracija būtų baigta, "
            "iki toliau nurodytos datos atsiųskite mums pirkimo dokumentą (kasos čekį arba "
            "sąskaitą faktūrą).",
            "cta": "Atsiųsti pirkimo dokumentą",
        },
        "maintenance_reminder": {
            "subject": "Laikas techninei priežiūrai: {product_name}",
            "intro": "Artėja planinė Jūsų gaminio techninė priežiūra. "
            "Užsisakykite vizitą Jums patogiu laiku.",
            "cta": "Užsisakyti vizitą",
        },
        "appointment_follow_up": {
            "subject": "Po mūsų vizito",
            "intro": "Tikimės, kad po mūsų vizito viskas veikia kaip reikiant. "
            "Jei kyla klausimų, tiesiog atsakykite į šį laišką.",
        },
        "ticket_auto_close_notice": {
            "subject": "Jūsų užklausa bus uždaryta: {ticket_subject}",
            "intro": "Negavome Jūsų atsakymo dėl užklausos „{ticket_subject}“. "
            "Jei pagalbos dar reikia, atsakykite, kol užklausa neuždaryta.",
        },
        "custom": {"subject": "{company}: pranešimas Jums", "intro": "{message}"},
    },
    "lv": {
        "ticket_csat_survey": {
            "subject": "Novērtējiet mūsu palīdzību. Pieprasījums: {ticket_subject}",
            "intro": "Nesen atrisinājām Jūsu pieprasījumu “{ticket_subject}”. "
            "Jūsu atbilde palīdzēs mums strādāt labāk.",
        },
        "visit_csat_survey": {
            "subject": "Kā vērtējat mūsu vizīti?",
            "intro": "Paldies, ka izvēlējāties mūsu pakalpojumus. Lūdzu, novērtējiet vizīti: "
            "tas aizņems tikai mirkli.",
        },
        "nps_survey": {
            "subject": "Vai Jūs ieteiktu mūs citiem?",
            "intro": "Paldies, ka izvēlaties mūs. Viens jautājums, viens klikšķis.",
        },
        "ticket_ces_survey": {
            "subject": "Vai bija viegli saņemt palīdzību? Pieprasījums: {ticket_subject}",
            "intro": "Jūsu pieprasījums “{ticket_subject}” ir slēgts.",
        },
        "visit_ces_survey": {
            "subject": "Vai bija viegli vienoties par vizīti?",
            "intro": "Paldies, ka izvēlējāties mūsu pakalpojumus. Lūdzu, pastāstiet, vai viss "
            "noritēja bez sarežģījumiem.",
        },
        "warranty_expiry_reminder": {
            "subject": "Garantija beidzas: {product_name}",
            "intro": "Jūsu produkta garantija drīz beigsies. To varat pagarināt, "
            "kamēr tā vēl ir spēkā.",
            "cta": "Pagarināt garantiju",
        },
        "proof_of_purchase_reminder": {
            "subject": "Iesūtiet pirkumu apliecinošu dokumentu: {product_name}",
            "intro": "Jūsu produkts ir reģistrēts. Lai pabeigtu garantijas reģistrāciju, "
            "lūdzu, līdz tālāk norādītajam datumam iesūtiet pirkumu apliecinošu dokumentu "
            "(čeku vai rēķinu).",
            "cta": "Iesūtīt pirkumu apliecinošu dokumentu",
        },
        "maintenance_reminder": {
            "subject": "Laiks apkopei: {product_name}",
            "intro": "Tuvojas Jūsu produkta plānotā apkope. Piesakiet vizīti Jums ērtā laikā.",
            "cta": "Pieteikt vizīti",
        },
        "appointment_follow_up": {
            "subject": "Pēc mūsu vizītes",
            "intro": "Ceram, ka pēc mūsu vizītes viss darbojas, kā nākas. "
            "Ja Jums ir jautājumi, vienkārši atbildiet uz šo vēstuli.",
        },
        "ticket_auto_close_notice": {
            "subject": "Jūsu pieprasījums tiks slēgts: {ticket_subject}",
            "intro": "Neesam saņēmuši Jūsu atbildi par pieprasījumu “{ticket_subject}”. "
            "Ja palīdzība vēl ir vajadzīga, lūdzu, atbildiet, pirms tas tiek slēgts.",
        },
        "custom": {"subject": "{company}: ziņa Jums", "intro": "{message}"},
    },
}

# Label lines of the values a message shows (the value stands after the colon, in the
# nominative, whatever it is).
DETAIL_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "product_name": "Product",
        "serial_number": "Serial number",
        "coverage_ends_on": "Warranty valid until",
        "plan_names": "Extended warranty plans",
        "deadline": "Send by",
        "visit_date": "Visit date",
        "visit_kind": "Visit",
        "technician": "Technician",
        "closes_on": "Closes on",
    },
    "lt": {
        "product_name": "Gaminys",
        "serial_number": "Serijos numeris",
        "coverage_ends_on": "Garantija galioja iki",
        "plan_names": "Garantijos pratęsimo planai",
        "deadline": "Atsiųsti iki",
        "visit_date": "Vizito data",
        "visit_kind": "Vizitas",
        "technician": "Meistras",
        "closes_on": "Uždarymo data",
    },
    "lv": {
        "product_name": "Produkts",
        "serial_number": "Sērijas numurs",
        "coverage_ends_on": "Garantija ir spēkā līdz",
        "plan_names": "Garantijas pagarinājuma plāni",
        "deadline": "Iesūtīt līdz",
        "visit_date": "Vizītes datums",
        "visit_kind": "Vizīte",
        "technician": "Tehniķis",
        "closes_on": "Slēgšanas datums",
    },
}

# Shared parts of every email.
COMMON: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Hello {customer_name},",
        "greeting_anonymous": "Hello,",
        "click_score": "Choose a score: one click is enough.",
        "signature": "Kind regards,\n{company}",
        "unsubscribe_surveys": "Stop receiving surveys",
        "unsubscribe_all": "Unsubscribe from all messages",
        "why": "You are receiving this email because you are a customer of {company}.",
    },
    # Lithuanian and Latvian greet without a name: a vocative cannot be derived from data.
    "lt": {
        "greeting": "Sveiki,",
        "greeting_anonymous": "Sveiki,",
        "click_score": "Pasirinkite įvertinimą: užtenka vieno paspaudimo.",
        "signature": "Pagarbiai\n{company}",
        "unsubscribe_surveys": "Nebegauti apklausų",
        "unsubscribe_all": "Atsisakyti visų laiškų",
        "why": "Šį laišką gavote, nes naudojatės mūsų paslaugomis.",
    },
    "lv": {
        "greeting": "Labdien!",
        "greeting_anonymous": "Labdien!",
        "click_score": "Izvēlieties vērtējumu: pietiek ar vienu klikšķi.",
        "signature": "Ar cieņu\n{company}",
        "unsubscribe_surveys": "Vairs nesaņemt aptaujas",
        "unsubscribe_all": "Atteikties no visām vēstulēm",
        "why": "Jūs saņēmāt šo vēstuli, jo izmantojat mūsu pakalpojumus.",
    },
}

DEFAULT_LOCALE = "en"

# The unsubscribe page behind the link in every follow-up email. The company stands after a
# colon (lt and lv would need its genitive in the sentence).
UNSUBSCRIBE_PAGE: dict[str, dict[str, str]] = {
    "en": {
        "title": "Unsubscribe",
        "ask_surveys": "Stop receiving surveys from {company}?",
        "ask_all": "Stop receiving all messages from {company}?",
        "button": "Unsubscribe",
        "done_surveys": "Done: {company} will send you no more surveys.",
        "done_all": "Done: {company} will send you no more messages like this one.",
        "invalid": "This unsubscribe link is not valid. Please use the link from your email.",
    },
    "lt": {
        "title": "Prenumeratos atsisakymas",
        "ask_surveys": "Nebegauti apklausų iš šio siuntėjo: {company}?",
        "ask_all": "Nebegauti jokių laiškų iš šio siuntėjo: {company}?",
        "button": "Atsisakyti",
        "done_surveys": "Atlikta. Apklausų iš šio siuntėjo nebegausite: {company}.",
        "done_all": "Atlikta. Tokių laiškų iš šio siuntėjo nebegausite: {company}.",
        "invalid": "Ši atsisakymo nuoroda negalioja. Naudokite nuorodą iš laiško.",
    },
    "lv": {
        "title": "Atteikšanās",
        "ask_surveys": "Vairs nesaņemt aptaujas no šī sūtītāja: {company}?",
        "ask_all": "Vairs nesaņemt nekādas vēstules no šī sūtītāja: {company}?",
        "button": "Atteikties",
        "done_surveys": "Gatavs. Aptaujas no šī sūtītāja vairs nesaņemsiet: {company}.",
        "done_all": "Gatavs. Šādas vēstules no šī sūtītāja vairs nesaņemsiet: {company}.",
        "invalid": "Šī atteikšanās saite nav derīga. Lūdzu, izmantojiet saiti no vēstules.",
    },
}
