"""Unsubscribe links: a signed token per customer and scope, honoured by the contact budget.

Every follow-up email carries one (``List-Unsubscribe`` header with RFC 8058 one-click POST,
and links in the footer). The token is sealed with a key derived for this purpose only and
names tenant, customer, scope (``surveys`` or ``all``) and the follow-up it came in; it does
not expire (a customer may unsubscribe from an old email). The tenant comes from the verified
token only.

Where the choice is recorded:

- ``surveys``: the feedback side's opt-out list — the one record every survey sender, the
  survey page and the tenant's ``/v1/feedback`` opt-out API read and change;
- ``all``: the customer's contact history in the follow-ups table (``all_unsubscribed``),
  which the contact budget reads as "no contact consent".

GET only shows what the link would do (mail scanners fetch every link); POST records it.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib import context
from chalicelib.domain.errors import BadRequest, Gone
from chalicelib.domain.sealed import seal, unseal
from chalicelib.i18n.followups import UNSUBSCRIBE_PAGE
from chalicelib.i18n.surveys import accept_language_locales, pick_locale
from chalicelib.schemas.unsubscribe import UnsubscribeState
from chalicelib.services.signing import derived_key
from chalicelib.store.base import utcnow

PURPOSE = "unsubscribe"
SCOPES = ("surveys", "all")


def unsubscribe_token(tenant_id: str, customer_id: str, scope: str, followup_id: str) -> str:
    """A signed token that unsubscribes one customer from ``scope``."""
    if scope not in SCOPES:
        raise ValueError(f"unknown unsubscribe scope {scope!r}")
    payload = {"t": tenant_id, "c": customer_id, "s": scope, "f": followup_id}
    return seal(derived_key(PURPOSE), PURPOSE, payload)


@dataclass(frozen=True)
class UnsubscribeGrant:
    """A verified unsubscribe token."""

    tenant_id: str
    customer_id: str
    scope: str
    followup_id: str


def read_token(token: str) -> UnsubscribeGrant:
    """Verify ``token``; 400 ``invalid_unsubscribe_link`` when forged or malformed."""
    payload = unseal(derived_key(PURPOSE), PURPOSE, token) if 0 < len(token) <= 2048 else None
    if (
        payload is None
        or payload.get("s") not in SCOPES
        or not all(isinstance(payload.get(k), str) and payload.get(k) for k in ("t", "c", "f"))
    ):
        raise BadRequest(
            "this unsubscribe link is not valid; use the link from your email",
            code="invalid_unsubscribe_link",
        )
    return UnsubscribeGrant(
        tenant_id=str(payload["t"]),
        customer_id=str(payload["c"]),
        scope=str(payload["s"]),
        followup_id=str(payload["f"]),
    )


def _open(token: str, accept_language: str | None) -> tuple[UnsubscribeGrant, str, str]:
    """Verify, bind the tenant, and find company name and locale."""
    from chalicelib.store.customers import get_customer
    from chalicelib.store.tenants import get_tenant

    grant = read_token(token)
    # From here on the tenancy guard holds every DynamoDB call to the token's tenant.
    context.bind_tenant(grant.tenant_id)
    tenant = get_tenant(grant.tenant_id)
    if tenant is None or tenant.status == "offboarding":
        raise Gone("this link is no longer valid", code="unsubscribe_link_closed")
    customer = get_customer(grant.tenant_id, grant.customer_id)
    locale = pick_locale(
        customer.locale if customer else None,
        *accept_language_locales(accept_language),
        tenant.default_locale,
    )
    return grant, tenant.name, locale


def _state(grant: UnsubscribeGrant, company: str, locale: str, done: bool) -> UnsubscribeState:
    texts = UNSUBSCRIBE_PAGE.get(locale) or UNSUBSCRIBE_PAGE["en"]
    name = ("done_" if done else "ask_") + grant.scope
    return UnsubscribeState(
        scope=grant.scope,  # type: ignore[arg-type]
        company=company,
        locale=locale,  # type: ignore[arg-type]
        unsubscribed=done,
        message=texts[name].replace("{company}", company),
    )


def show(token: str, accept_language: str | None = None) -> UnsubscribeState:
    """What the link would do, already done or not (records nothing)."""
    grant, company, locale = _open(token, accept_language)
    return _state(grant, company, locale, done=is_unsubscribed(grant))


def is_unsubscribed(grant: UnsubscribeGrant) -> bool:
    """Whether the link's choice is recorded already."""
    if grant.scope == "surveys":
        from chalicelib.services.feedback import is_opted_out

        return is_opted_out(grant.tenant_id, grant.customer_id)
    from chalicelib.store import followups as store

    contact = store.get_contact(grant.tenant_id, grant.customer_id)
    return bool(contact and contact.all_unsubscribed)


def confirm(token: str, accept_language: str | None = None) -> UnsubscribeState:
    """Record the choice (idempotent: a second click changes nothing)."""
    grant, company, locale = _open(token, accept_language)
    if grant.scope == "surveys":
        from chalicelib.store import feedback as feedback_store

        feedback_store.put_optout(
            feedback_store.OptOutItem(
                pk=feedback_store.optout_pk(grant.tenant_id),
                sk=grant.customer_id,
                tenant_id=grant.tenant_id,
                customer_id=grant.customer_id,
                created_at=utcnow(),
                source="email_link",
            )
        )
    else:
        from chalicelib.store import followups as store

        store.update_contact_flags(grant.tenant_id, grant.customer_id, all_unsubscribed=True)
    from chalicelib.observability import logger

    logger.info("customer unsubscribed", extra={"scope": grant.scope})
    return _state(grant, company, locale, done=True)


def invalid_message(locale: str) -> str:
    """The page text for a link that cannot be used."""
    return (UNSUBSCRIBE_PAGE.get(locale) or UNSUBSCRIBE_PAGE["en"])["invalid"]
