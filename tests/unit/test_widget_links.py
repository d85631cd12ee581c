"""Follow-up link URLs and ticket link tokens."""

from __future__ import annotations

import time

import pytest

from chalicelib.domain.errors import Gone, NotFound
from chalicelib.domain.ticket_links import TicketGrant, sign_ticket_grant, verify_ticket_grant
from chalicelib.services.widget_tickets import _with_link_param

KEY = b"k" * 32


def test_link_parameter_replaces_an_earlier_one() -> None:
    url = _with_link_param("https://shop.example.com/help?lang=lt&aftersales_ticket=OLD#x", "N.E/W")
    assert url == "https://shop.example.com/help?lang=lt&aftersales_ticket=N.E%2FW"
    assert _with_link_param("https://shop.example.com/", "T") == (
        "https://shop.example.com/?aftersales_ticket=T"
    )


def test_ticket_grant_round_trip_and_refusals() -> None:
    grant = TicketGrant("T1", "K1", "C1", int(time.time()) + 60)
    token = sign_ticket_grant(KEY, grant)
    assert verify_ticket_grant(KEY, token, tenant_id="T1", now=time.time()) == grant
    with pytest.raises(NotFound):
        verify_ticket_grant(KEY, token, tenant_id="T2", now=time.time())
    with pytest.raises(NotFound):
        verify_ticket_grant(b"x" * 32, token, tenant_id="T1", now=time.time())
    with pytest.raises(NotFound):
        verify_ticket_grant(KEY, token + "x", tenant_id="T1", now=time.time())
    with pytest.raises(Gone):
        verify_ticket_grant(KEY, token, tenant_id="T1", now=time.time() + 120)
