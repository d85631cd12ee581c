"""Messages as typed contracts: every template of every kind in every locale names only values
its context model defines, a missing value raises instead of leaving a blank, dates read as a
native writer writes them, and Lithuanian and Latvian never need user data inflected."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from chalicelib.domain.followups import FollowUpKind, MessageKind, SubjectKind, message_kind
from chalicelib.i18n import surveys, ticket_notices
from chalicelib.i18n.followups import COMMON, DETAIL_LABELS, KIND_TEXTS, UNSUBSCRIBE_PAGE
from chalicelib.i18n.formats import LOCALES, format_date, format_value
from chalicelib.schemas.messages import (
    CONTEXTS,
    MessageContext,
    MissingValue,
    UnknownPlaceholder,
    VisitContext,
    WarrantyExpiryContext,
    build_context,
    check_template,
    fill,
)
from chalicelib.services.followup_messages import compose

FOLLOW_UP_MESSAGES = sorted(
    {message_kind(k, s) for k in FollowUpKind for s in SubjectKind}, key=lambda m: m.value
)
LINK = "https://support.example.com/widget/v1/actions/token"


def expiry_context(**changes: object) -> WarrantyExpiryContext:
    values: dict[str, object] = {
        "company": "Šviesa",
        "customer_name": "Ona Petraitė",
        "product_name": "Šilumos siurblys Ūla-9",
        "serial_number": "SN-1",
        "coverage_ends_on": date(2027, 3, 3),
        "plan_names": ["Plus", "Premium"],
        "action_url": LINK,
        **changes,
    }
    return WarrantyExpiryContext.model_validate(values)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("message", FOLLOW_UP_MESSAGES, ids=lambda m: m.value)
def test_every_follow_up_message_has_wording_in_every_locale_within_its_contract(
    locale: str, message: MessageKind
) -> None:
    texts = KIND_TEXTS[locale][message.value]
    for part in ("subject", "intro"):
        check_template(message, texts[part])
    model = CONTEXTS[message]
    assert ("cta" in texts) == (model.ACTION is not None)
    for name in model.DETAILS:
        assert DETAIL_LABELS[locale][name]


def test_a_missing_value_raises_instead_of_leaving_a_blank() -> None:
    context = VisitContext(company="Šviesa", visit_kind="repair", visit_date=date(2027, 1, 5))
    with pytest.raises(MissingValue):
        fill("Technician: {technician}", context, "en")
    with pytest.raises(UnknownPlaceholder):
        fill("Your warranty for {subject} ends on {date}", context, "en")


def test_tenant_wording_that_names_an_unknown_value_falls_back_to_the_built_in_one() -> None:
    """Wording saved before placeholders were checked cannot blank a message either."""
    from chalicelib.schemas.followups import MessageTemplate

    subject, *_ = compose(
        MessageKind.WARRANTY_EXPIRY_REMINDER,
        expiry_context(),
        "lt",
        MessageTemplate(subject="Baigiasi {date}: {subject}"),
    )
    assert subject == "Garantija baigiasi: Šilumos siurblys Ūla-9"


def test_a_context_without_a_required_value_is_refused() -> None:
    from chalicelib.schemas.messages import InvalidContext

    with pytest.raises(InvalidContext, match="product_name"):
        build_context(
            MessageKind.WARRANTY_EXPIRY_REMINDER,
            {"company": "Šviesa", "coverage_ends_on": "2027-03-03", "action_url": LINK},
        )
    with pytest.raises(InvalidContext, match="product_name"):
        build_context(
            MessageKind.MAINTENANCE_REMINDER,
            {
                "company": "Šviesa",
                "product_name": "",
                "visit_date": "2027-03-03",
                "action_url": LINK,
            },
        )


@pytest.mark.parametrize(
    ("locale", "written"),
    [("en", "3 March 2027"), ("lt", "2027-03-03"), ("lv", "03.03.2027.")],
)
def test_dates_read_as_a_native_writer_writes_them(locale: str, written: str) -> None:
    assert format_date(date(2027, 3, 3), locale) == written


def test_times_and_visit_kinds_per_locale() -> None:
    moment = datetime(2027, 3, 3, 14, 5)
    assert format_value(moment, "en") == "3 March 2027, 14:05"
    assert format_value(moment, "lt") == "2027-03-03 14:05"
    assert format_value(moment, "lv") == "03.03.2027. plkst. 14:05"
    context = VisitContext(company="x", visit_kind="installation", visit_date=date(2027, 3, 3))
    assert fill("{visit_kind}", context, "lt") == "Montavimas"
    assert fill("{visit_kind}", context, "lv") == "Uzstādīšana"


@pytest.mark.parametrize("locale", LOCALES)
def test_a_reminder_shows_its_values_as_labels_and_its_action(locale: str) -> None:
    subject, greeting, intro, lines, cta = compose(
        MessageKind.WARRANTY_EXPIRY_REMINDER, expiry_context(), locale
    )
    assert "Šilumos siurblys Ūla-9" in subject
    labels = DETAIL_LABELS[locale]
    assert (labels["product_name"], "Šilumos siurblys Ūla-9") in lines
    assert (labels["coverage_ends_on"], format_date(date(2027, 3, 3), locale)) in lines
    assert (labels["plan_names"], "Plus, Premium") in lines
    assert cta == KIND_TEXTS[locale]["warranty_expiry_reminder"]["cta"]
    assert "{" not in subject + greeting + intro


def test_an_optional_detail_without_a_value_is_left_out() -> None:
    *_, lines, _ = compose(
        MessageKind.WARRANTY_EXPIRY_REMINDER, expiry_context(serial_number=None), "en"
    )
    assert [label for label, _ in lines] == [
        "Product",
        "Warranty valid until",
        "Extended warranty plans",
    ]


@pytest.mark.parametrize("locale", ["lt", "lv"])
def test_lithuanian_and_latvian_greet_without_a_name(locale: str) -> None:
    _, greeting, *_ = compose(MessageKind.WARRANTY_EXPIRY_REMINDER, expiry_context(), locale)
    assert greeting == {"lt": "Sveiki,", "lv": "Labdien!"}[locale]
    assert "{customer_name}" not in COMMON[locale]["greeting"]


# Where user data may stand in a Lithuanian or Latvian text: alone on a line (a signature),
# after a colon (a label, a subject line), before a colon at the start, or as a quoted title.
_NOMINATIVE_SLOTS = re.compile(r"(^|\n)\{\w+\}($|\n|:)|: \{\w+\}|„\{\w+\}“|“\{\w+\}”|\{company\}: ")


def _lt_lv_texts() -> list[tuple[str, str]]:
    found = []
    for locale in ("lt", "lv"):
        for kind, parts in KIND_TEXTS[locale].items():
            found += [(f"{locale} {kind}.{p}", t) for p, t in parts.items()]
        found += [(f"{locale} common.{p}", t) for p, t in COMMON[locale].items()]
        found += [(f"{locale} unsubscribe.{p}", t) for p, t in UNSUBSCRIBE_PAGE[locale].items()]
        found += [(f"{locale} question.{k}", q[locale]) for k, q in surveys.QUESTIONS.items()]
        found += [(f"{locale} notice.{k}", t) for k, t in ticket_notices._TEXTS[locale].items()]
    return found


@pytest.mark.parametrize(("where", "text"), _lt_lv_texts(), ids=lambda v: str(v)[:40])
def test_lithuanian_and_latvian_never_need_user_data_inflected(where: str, text: str) -> None:
    """Every placeholder holding a name (company, product, person, ticket subject) stands
    where the nominative is right; dates and numbers need no case."""
    for match in re.finditer(r"\{(\w+)\}", text):
        name = match.group(1)
        if name in {"when", "seconds", "message", "date"}:
            continue  # dates, numbers and the tenant's own text
        start, end = match.span()
        window = text[max(0, start - 2) : end + 2]
        assert _NOMINATIVE_SLOTS.search(window) or (text.strip() == match.group(0)), (
            f"{where}: {{{name}}} in {text!r}"
        )


def test_no_calques_and_no_gendered_scales() -> None:
    assert surveys.QUESTIONS["nps"]["lt"].startswith("Kiek tikėtina")
    for kind in ("csat", "nps", "ces"):
        for label in surveys.SCALE_LABELS[kind]["lt"] + surveys.SCALE_LABELS[kind]["lv"]:
            # Adjectives such as "patenkintas"/"apmierināts" would need the reader's gender.
            assert not re.search(r"(patenkint|apmierin)", label), label


def test_the_proof_of_purchase_reminder_does_not_ask_to_register() -> None:
    for locale in LOCALES:
        texts = KIND_TEXTS[locale]["proof_of_purchase_reminder"]
        words = " ".join(texts.values())
        for ask in ("Register ", "Užregistruokite", "Reģistrējiet"):
            assert ask not in words


def test_ticket_notices_are_typed_too() -> None:
    with pytest.raises(MissingValue):
        ticket_notices.text("lt", "close_body", subject="Nešildo")
    body = ticket_notices.text("lv", "close_body", subject="Nesilda", when=datetime(2027, 3, 3, 9))
    assert "“Nesilda”" in body
    assert "03.03.2027. plkst. 09:00" in body


def test_tenant_wording_may_name_only_values_that_are_always_there() -> None:
    check_template(MessageKind.VISIT_CSAT_SURVEY, "Vizitas {visit_date}", tenant_wording=True)
    with pytest.raises(UnknownPlaceholder):
        # A technician is not always recorded: a tenant's wording cannot rely on one.
        check_template(MessageKind.VISIT_CSAT_SURVEY, "{technician}", tenant_wording=True)
    with pytest.raises(UnknownPlaceholder):
        check_template(MessageKind.WARRANTY_EXPIRY_REMINDER, "{subject}", tenant_wording=True)
    assert issubclass(CONTEXTS[MessageKind.CUSTOM], MessageContext)


def test_the_widget_follow_up_link_email_is_typed_too() -> None:
    from chalicelib.i18n.widget import email_text

    with pytest.raises(MissingValue):
        email_text("lt", "body", subject="Nešildo")
    body = email_text("lt", "body", subject="Nešildo", url="https://shop.example/t/1")
    assert "užklausą „Nešildo“" in body
    assert "https://shop.example/t/1" in body
