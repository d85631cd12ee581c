"""What a journey drives and what it reads: the public API, the scheduled jobs, the local outbox.

A journey is a customer's story told through the same doors a tenant, a customer and the
platform's schedules use: HTTP calls to the app (the Chalice test client), the scheduled
handlers fired with their real event shapes, and the messages the customer receives, read from
the local outbox (what ``make run`` shows at ``/outbox.json``). Time is one clock, moved here.

Every message a journey reads is checked for blanks and leftover placeholders, and recorded as
a sample for ``docs/messages.md`` (see :mod:`tests.journeys.samples`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from tests.support.followups import Clock, Engine, FakeContext, scheduled_event

PLATFORM = "Bearer test-platform-key"
# A Monday morning in March: the journeys' clock starts here, so every date a message prints
# is the same on every run (and in docs/messages.md).
START = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Person:
    """A customer of the journeys' tenant, with the address their region is taken from."""

    locale: str
    name: str
    email: str
    phone: str
    street: str
    city: str
    postal_code: str
    country: str
    region: str  # ISO 3166-2


PEOPLE: dict[str, Person] = {
    "lt": Person(
        locale="lt",
        name="Ona Petraitė",
        email="ona.petraite@example.lt",
        phone="+37060012345",
        street="Gedimino pr. 9",
        city="Vilnius",
        postal_code="LT-01103",
        country="LT",
        region="LT-57",
    ),
    "lv": Person(
        locale="lv",
        name="Jānis Bērziņš",
        email="janis.berzins@example.lv",
        phone="+37120012345",
        street="Brīvības iela 40",
        city="Rīga",
        postal_code="LV-1050",
        country="LV",
        region="LV-RIX",
    ),
    "en": Person(
        locale="en",
        name="Emma Clarke",
        email="emma.clarke@example.com",
        phone="+37060054321",
        street="Laisvės al. 60",
        city="Kaunas",
        postal_code="LT-44309",
        country="LT",
        region="LT-15",
    ),
}
LOCALES = ("lt", "lv", "en")

# What a rendered message must never contain: template syntax, and the traces a blank value
# leaves in each locale's wording (empty quotes, a space before punctuation, a dangling colon).
_LEFTOVERS = [
    re.compile(r"\{[a-z_]+\}"),
    re.compile(r"\{\{|\}\}|\$\{"),
    re.compile(r"„\s*“|“\s*”|\"\s*\"|«\s*»"),
    re.compile(r"[ \t][.,:;!?](?:\s|$)"),
    re.compile(r":[ \t]*(?:\n[ \t]*\n|\Z)"),  # a label with nothing after it
    re.compile(r"\b(?:None|null|undefined|nan)\b"),
    re.compile(r"\(\s*\)"),
    re.compile(r"[^\S\n]{2,}\S"),
]


def leftovers(text: str) -> list[str]:
    """The fragments of ``text`` that show a blank or an unfilled placeholder."""
    found = []
    for pattern in _LEFTOVERS:
        found += [m.group(0) for m in pattern.finditer(text)]
    return found


@dataclass
class Message:
    """One message from the local outbox."""

    channel: str
    to: list[str]
    subject: str
    text: str
    html: str
    headers: dict[str, str]
    raw: dict[str, Any]

    def links(self) -> list[str]:
        """Every URL in the plain-text part, in order."""
        return re.findall(r"https?://[^\s<>\"]+", self.text)

    def link_to(self, path_part: str) -> str:
        """The first link whose path contains ``path_part``."""
        for url in self.links():
            if path_part in urlsplit(url).path:
                return url
        raise AssertionError(f"no link with {path_part!r} in:\n{self.text}")


def external_id(person: Person) -> str:
    """The customer's id in the tenant's shop (the ``sub`` of their identity token)."""
    return f"shop-{person.locale}"


def _recipients(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [str(a).lower() for a in value.get("ToAddresses", [])]
    if isinstance(value, list):
        return [str(a).lower() for a in value]
    text = str(value)
    return [a.lower() for a in re.findall(r"[\w.+-]+@[\w.-]+", text)]


def outbox() -> list[Message]:
    """Every message the local outbox lists, oldest first."""
    from scripts.local_stack import _sent_emails

    found = []
    for entry in _sent_emails():
        found.append(
            Message(
                channel=str(entry.get("channel") or "email"),
                to=_recipients(entry.get("to")),
                subject=str(entry.get("subject") or ""),
                text=str(entry.get("text") or entry.get("body") or ""),
                html=str(entry.get("html") or ""),
                headers=dict(entry.get("headers") or {}),
                raw=entry,
            )
        )
    return found


@dataclass
class Response:
    """An HTTP answer: status, headers and the JSON body (or text)."""

    status: int
    headers: dict[str, str]
    body: Any
    text: str


@dataclass
class Journey:
    """One tenant, its customers, the clock and the outbox, driven through public doors."""

    client: Any
    clock_now: datetime = START
    tenant_id: str = ""
    admin_key: str = ""
    widget_key: str = ""
    origin: str = "https://shop.example.lt"
    read_count: dict[str, int] = field(default_factory=dict)
    seen: list[Message] = field(default_factory=list)
    widget_secret: tuple[str, str] | None = None
    serials: int = 1000

    # --- the clock ------------------------------------------------------------------------

    def now(self) -> datetime:
        """The journeys' one clock."""
        return self.clock_now

    def today(self) -> date:
        """The journeys' date (UTC)."""
        return self.clock_now.date()

    def advance(self, **delta: float) -> None:
        """Move time forward and run every minute's schedules once, as EventBridge would."""
        self.clock_now += timedelta(**delta)
        self.run_schedules()

    def run_schedules(self) -> None:
        """The ticket sweep and the follow-up sweep, then the follow-up worker until idle."""
        import app

        app.ticket_sweep(scheduled_event(), FakeContext())
        Engine(clock=Clock(self.clock_now)).tick()

    def next_serial(self) -> str:
        """A serial number for the next unit sold in this journey (the same on every run)."""
        self.serials += 1
        return f"SN-{self.serials}"

    # --- HTTP -----------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        key: str | None = None,
        headers: dict[str, str] | None = None,
        expect: int | None = None,
    ) -> Response:
        """One request; ``expect`` asserts the status."""
        all_headers = {"Content-Type": "application/json"}
        if key is not None:
            all_headers["Authorization"] = f"Bearer {key}"
        all_headers.update(headers or {})
        payload = json.dumps(body).encode() if body is not None else b""
        raw = self.client.http.request(method, path, headers=all_headers, body=payload)
        text = raw.body.decode() if isinstance(raw.body, bytes) else str(raw.body or "")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        response = Response(raw.status_code, dict(raw.headers), parsed, text)
        if expect is not None:
            assert response.status == expect, f"{method} {path} → {response.status}: {text}"
        return response

    def admin(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        """A tenant admin's call; returns the JSON body (asserting 2xx unless ``expect``)."""
        expect = kw.pop("expect", None)
        response = self.call(method, path, body, key=self.admin_key, expect=expect, **kw)
        if expect is None:
            assert 200 <= response.status < 300, (
                f"{method} {path} → {response.status}: {response.text}"
            )
        return response.body

    def widget(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        signed_in: Person | None = None,
        **kw: Any,
    ) -> Response:
        """A call from the widget on the tenant's site; ``signed_in``: as that customer, with an
        identity token the shop's server signs for this request."""
        headers = {"X-Widget-Key": self.widget_key, "Origin": self.origin}
        if signed_in is not None:
            headers["Authorization"] = f"Bearer {self.identity(signed_in)}"
        headers.update(kw.pop("headers", {}))
        return self.call(method, path, body, headers=headers, **kw)

    def follow(self, url: str, method: str = "GET", body: Any = None, **kw: Any) -> Response:
        """Open a link from a message (its path and query on this app)."""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.call(method, path, body, **kw)

    # --- the tenant -----------------------------------------------------------------------

    def onboard(self, name: str = "Šaltis ir Karštis UAB") -> None:
        """A new tenant selling appliances in Lithuania (locale lt, Europe/Vilnius)."""
        response = self.call(
            "POST",
            "/platform/tenants",
            {
                "name": name,
                "default_locale": "lt",
                "time_zone": "Europe/Vilnius",
                "widget_origins": [self.origin],
            },
            headers={"Authorization": PLATFORM},
            expect=201,
        )
        self.tenant_id = response.body["tenant"]["id"]
        self.admin_key = response.body["admin_api_key"]["secret"]
        self.widget_key = response.body["widget_key"]["key"]

    def customer(self, person: Person, **extra: Any) -> dict[str, Any]:
        """The person as the tenant's customer, with address and consent to messages."""
        body = {
            "name": person.name,
            "email": person.email,
            "phone": person.phone,
            "locale": person.locale,
            "external_id": external_id(person),
            "marketing_consent": True,
            "address": {
                "street": person.street,
                "city": person.city,
                "postal_code": person.postal_code,
                "country": person.country,
                "region": person.region,
            },
            **extra,
        }
        return dict(self.admin("POST", "/v1/customers", body))

    def identity(self, person: Person) -> str:
        """A signed-in customer's identity token, as the tenant's site would sign it."""
        from tests.support.widget import sign_identity

        if not self.widget_secret:
            made = self.admin("POST", "/v1/widget-secrets", {"name": "shop"})
            self.widget_secret = (made["kid"], made["secret"])
        kid, secret = self.widget_secret
        return sign_identity(
            secret,
            kid,
            sub=external_id(person),
            email=person.email,
            name=person.name,
            issued=self.now().timestamp(),
        )

    # --- the outbox -----------------------------------------------------------------------

    def inbox(self, person: Person) -> list[Message]:
        """Messages to ``person`` that arrived since the last look; each one checked."""
        everything = [m for m in outbox() if person.email.lower() in m.to]
        start = self.read_count.get(person.email, 0)
        self.read_count[person.email] = len(everything)
        fresh = everything[start:]
        for message in fresh:
            check_message(message)
        self.seen += fresh
        return fresh

    def expect_one(self, person: Person) -> Message:
        """Exactly one new message to ``person``."""
        fresh = self.inbox(person)
        assert len(fresh) == 1, [m.subject for m in fresh]
        return fresh[0]

    def expect_none(self, person: Person) -> None:
        """No new message to ``person``."""
        fresh = self.inbox(person)
        assert not fresh, [m.subject for m in fresh]


def check_message(message: Message) -> None:
    """A message a customer may receive: a subject, a body, nothing blank or unfilled."""
    assert message.subject.strip(), message.raw
    assert message.text.strip() or message.html.strip(), message.raw
    for part, text in (("subject", message.subject), ("text", message.text)):
        bad = leftovers(text)
        assert not bad, f"{part} of {message.subject!r} has {bad}:\n{text}"


def iter_lines(text: str) -> Iterator[str]:
    """Non-empty lines of a message body."""
    return (line for line in text.splitlines() if line.strip())
