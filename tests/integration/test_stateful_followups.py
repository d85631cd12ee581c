"""Stateful property test of the follow-up engine: random sequences of API calls, clock
advances, sweeps and worker deliveries (duplicates, crashes, outages) against an in-memory
model, invariants checked after every step and once more after draining at teardown.

Each example onboards a fresh tenant with three customers (two with marketing consent — a
custom follow-up is marketing — and one without), a webhook endpoint on loopback and a tight
contact budget (2 messages a day, deferral up to 12 h, quiet hours off), and offboards it at
teardown (the sweep sees every tenant's due items). The clock starts at the same instant in
every example. Follow-ups go out through the real sweep (``app.followups_sweep``), the real
SQS queue (moto) and the real worker (``app.followups_worker``); deliveries are captured at
the channels: SES (moto) behind a recording ``send_message``, EventBridge (moto) behind a
recording ``publish``, and an HTTP receiver for the signed webhooks.

Steps: create (customer, channel, due time), cancel and reschedule (a stale version → 409
``version_conflict``; a follow-up past ``scheduled`` → 409 ``invalid_transition``), clock
advances (past the claim lease too), sweeps, deliveries of queued messages (once, or the same
message twice in one batch), a replay of an old message, a worker crash after the delivery
gate and before the send (the message is redelivered and must be stale; the claim comes back
after its lease), and channel outages (retries with backoff, then ``failed`` at the limit).

The model predicts every outcome: which follow-ups a sweep claims (due, or claimed with an
expired lease), and for each message whether it is stale, skipped (no marketing consent, the
contact budget exhausted beyond the deferral limit, claimed too often), deferred by the budget
(to the instant the oldest counted send leaves the window), retried, failed or sent.

Invariants after every step: each follow-up's status, attempts, reason and due time as the
model says; statuses only ever moved along scheduled → claimed → sent | skipped | cancelled |
failed (claimed → scheduled on a retry or deferral, scheduled → cancelled); each follow-up
delivered at most once, and exactly once when ``sent``; per customer, never more than the
budget's messages inside any window. At teardown the engine is drained (a channel still
down stays down): nothing is left scheduled or claimed, and every follow-up that was not
cancelled was sent, skipped with a reason or failed after the retry limit — none lost.

``STATEFUL_EXAMPLES`` / ``STATEFUL_STEPS`` scale the run, ``STATEFUL_RANDOM=1`` draws a new
seed (derandomized by default).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from chalicelib.domain.followups import FollowUpStatus, allowed_transitions
from tests.integration.conftest import Api, TenantKeys
from tests.integration.test_stateful_customers import (
    EXAMPLES,
    RUNS,
    Counter,
    machine_settings,
)
from tests.support.clocks import patch_engine_clock
from tests.support.followups import Clock, Engine
from tests.support.webhooks import Receiver

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
MAX_ATTEMPTS = 3
LEASE = timedelta(seconds=900)  # the default claim lease
MAX_MESSAGES = 2
WINDOW = timedelta(days=1)
MAX_DEFERRAL = timedelta(hours=12)
CHANNELS = ("email", "event", "webhook")
OPEN = ("scheduled", "claimed")
# Due times relative to now, and clock steps: now, minutes, past the lease, hours, a day.
DUE_IN = st.sampled_from([0, 0, 5, 30, 180])
ADVANCES = st.sampled_from([0, 1, 10, 16, 60, 360, 1_440])
DELIVERIES = st.sampled_from(["once", "once", "twice", "none"])


class Crash(BaseException):
    """The worker process dies (not an Exception: nothing in the worker may catch it)."""


@dataclass
class Captured:
    """Deliveries accepted by a channel: follow-up id → instants accepted."""

    at: dict[str, list[datetime]] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # email reference → follow-up id
    down: set[str] = field(default_factory=set)
    crash: bool = False

    def add(self, followup_id: str, when: datetime) -> None:
        self.at.setdefault(followup_id, []).append(when)


@dataclass
class FollowUpModel:
    """What the model believes about one follow-up."""

    customer: int
    channel: str
    status: str = "scheduled"
    due: datetime = START
    version: int = 1
    attempts: int = 0
    claims: int = 0
    reason: str | None = None
    token: str | None = None
    lease: datetime | None = None
    started: bool = False  # the delivery gate passed under the current claim
    history: list[str] = field(default_factory=lambda: ["scheduled"])


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(START)
    patch_engine_clock(monkeypatch, fake)
    return fake


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch, clock: Clock) -> Iterator[Captured]:
    """Recording channels (the real SES and EventBridge of moto behind them), the engine's
    settings for this test, and the webhook receiver."""
    from chalicelib.config import reset_settings
    from chalicelib.notify import email, events
    from chalicelib.notify.errors import DeliveryFailed
    from chalicelib.services import followup_delivery

    found = Captured()
    real_send, real_publish, real_deliver = (
        email.send_message,
        events.publish,
        followup_delivery.deliver,
    )

    def send_message(to: str, subject: str, text: str, *args: Any, **kwargs: Any) -> str:
        if "email" in found.down:
            raise DeliveryFailed("SES throttled")
        reference = real_send(to, subject, text, *args, **kwargs)
        found.add(found.refs[text.split("ref:", 1)[1].split(maxsplit=1)[0]], clock.now)
        return str(reference)

    def publish(batch: Any) -> int:
        batch = list(batch)
        due = [e for e in batch if e.name == "followup.due"]
        if due and "event" in found.down:
            return 0
        sent = int(real_publish(batch))
        for e in due:
            found.add(e.data["followup_id"], clock.now)
        return sent

    def deliver(*args: Any, **kwargs: Any) -> str:
        if found.crash:
            raise Crash
        return str(real_deliver(*args, **kwargs))

    monkeypatch.setattr(email, "send_message", send_message)
    monkeypatch.setattr(events, "publish", publish)
    monkeypatch.setattr(followup_delivery, "deliver", deliver)
    monkeypatch.setenv("FOLLOWUP_MAX_ATTEMPTS", str(MAX_ATTEMPTS))
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    reset_settings()
    yield found
    reset_settings()


def _json(response: Any) -> Any:
    return json.loads(response.body) if response.body else None


def _code(response: Any) -> str | None:
    body = _json(response)
    return body.get("code") if isinstance(body, dict) else None


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def followups_machine(
    api: Api,
    *,
    onboard: Callable[..., TenantKeys],
    clock: Clock,
    captured: Captured,
    receiver: Receiver,
    counter: Counter,
) -> type:
    """Build the follow-up engine machine bound to one API client, clock and capture."""
    engine = Engine(clock)

    class FollowUps(RuleBasedStateMachine):
        ids = Bundle("followup_ids")

        def __init__(self) -> None:
            super().__init__()
            self.model: dict[str, FollowUpModel] = {}
            self.old_messages: list[dict[str, Any]] = []
            self.sends: dict[int, dict[str, datetime]] = {0: {}, 1: {}, 2: {}}
            counter.examples += 1

        @initialize(target=ids, channel=st.sampled_from(CHANNELS))
        def tenant(self, channel: str) -> str:
            """A fresh tenant, its customers and webhook, and a first follow-up due now."""
            clock.now = START
            captured.down.clear()
            captured.crash = False
            captured.refs.clear()
            self.keys = onboard(f"Follow-ups {counter.examples}")
            settings = _json(self.call("GET", "/v1/settings/followups"))
            values = dict(settings["values"])
            values["budget"] = {
                **values["budget"],
                "max_messages": MAX_MESSAGES,
                "window_days": WINDOW.days,
                "max_deferral_hours": int(MAX_DEFERRAL.total_seconds() // 3600),
                "quiet_hours_enabled": False,
            }
            if settings["version"]:
                values["version"] = settings["version"]
            r = self.call("PUT", "/v1/settings/followups", values)
            assert r.status_code == 200, r.body
            self.customers = []
            for n, consent in enumerate((True, True, False)):
                body = {"name": f"C{n}", "email": f"c{n}@example.com", "marketing_consent": consent}
                r = self.call("POST", "/v1/customers", body)
                assert r.status_code == 201, r.body
                self.customers.append((_json(r)["id"], consent))
            r = self.call("POST", "/v1/webhooks", {"url": receiver.url})
            assert r.status_code == 201, r.body
            self.webhook_id = _json(r)["id"]
            # Planned while customer 1 consented, due now; they withdraw consent before it goes.
            planned = self.create(1, channel, 0)
            self.toggle_consent(1)
            return planned

        def teardown(self) -> None:
            from chalicelib.services.tenants import offboard

            if not hasattr(self, "keys"):
                return
            try:
                self._drain()
            finally:
                while left := self._receive():  # nothing of this example stays on the queue
                    for m in left:
                        self._ack(m)
                while not offboard(self.keys.tenant_id).completed:
                    pass

        def call(self, method: str, path: str, body: Any = None) -> Any:
            counter.steps += 1
            return api.request(method, path, key=self.keys.admin_key, json_body=body)

        # --- rules ---------------------------------------------------------------------------

        @rule(target=ids, customer=st.integers(0, 2), channel=st.sampled_from(CHANNELS), due=DUE_IN)
        def create(self, customer: int, channel: str, due: int) -> str:
            ref = f"r{len(self.model)}"
            due_at = clock.now + timedelta(minutes=due)
            body: dict[str, Any] = {
                "customer_id": self.customers[customer][0],
                "channel": channel,
                "due_at": due_at.isoformat(),
                "subject": "Filter",
                "message": f"Time to change the filter. ref:{ref} .",
            }
            if channel == "webhook":
                body["webhook_id"] = self.webhook_id
            r = self.call("POST", "/v1/followups", body)
            if not self.customers[customer][1]:
                # What the engine would skip when due is refused when planned.
                assert (r.status_code, _code(r)) == (422, "no_marketing_consent"), r.body
                counter.saw("create:no_marketing_consent")
                return multiple()
            assert r.status_code == 201, r.body
            made = _json(r)
            assert (made["status"], made["version"], made["attempts"]) == ("scheduled", 1, 0)
            self.model[made["id"]] = FollowUpModel(customer=customer, channel=channel, due=due_at)
            captured.refs[ref] = made["id"]
            counter.saw(f"create:{channel}")
            return str(made["id"])

        @rule(customer=st.integers(0, 1))
        def toggle_consent(self, customer: int) -> None:
            """The customer withdraws (or gives again) their marketing consent; what is already
            planned for them is skipped when due while they do not consent."""
            customer_id, consent = self.customers[customer]
            current = _json(self.call("GET", f"/v1/customers/{customer_id}"))
            r = self.call(
                "PATCH",
                f"/v1/customers/{customer_id}",
                {"marketing_consent": not consent, "version": current["version"]},
            )
            assert r.status_code == 200, r.body
            self.customers[customer] = (customer_id, not consent)
            counter.saw("consent:toggled")

        @rule(fid=ids, stale=st.booleans())
        def cancel(self, fid: str, stale: bool) -> None:
            f = self.model[fid]
            stale = stale and f.version > 1
            version = f.version - 1 if stale else f.version
            r = self.call("POST", f"/v1/followups/{fid}/cancel", {"version": version})
            if stale:
                assert (r.status_code, _code(r)) == (409, "version_conflict"), r.body
                counter.saw("cancel:stale")
            elif f.status not in OPEN or f.started:
                assert (r.status_code, _code(r)) == (409, "invalid_transition"), r.body
                counter.saw("cancel:refused")
            else:
                assert r.status_code == 200, r.body
                counter.saw(f"cancel:{f.status}")
                self._moved(f, "cancelled", reason="cancelled_by_user")

        @rule(fid=ids, stale=st.booleans(), minutes=st.sampled_from([0, 20, 90]))
        def reschedule(self, fid: str, stale: bool, minutes: int) -> None:
            f = self.model[fid]
            stale = stale and f.version > 1
            version = f.version - 1 if stale else f.version
            due_at = clock.now + timedelta(minutes=minutes)
            body = {"due_at": due_at.isoformat(), "version": version}
            r = self.call("POST", f"/v1/followups/{fid}/reschedule", body)
            if stale:
                assert (r.status_code, _code(r)) == (409, "version_conflict"), r.body
                counter.saw("reschedule:stale")
            elif f.status != "scheduled":
                assert (r.status_code, _code(r)) == (409, "invalid_transition"), r.body
                counter.saw("reschedule:refused")
            else:
                assert r.status_code == 200, r.body
                f.due, f.reason = due_at, None
                counter.saw("reschedule:ok")

        @rule(minutes=ADVANCES, sweep=st.booleans(), deliver=DELIVERIES)
        def tick(self, minutes: int, sweep: bool, deliver: str) -> None:
            """Time passes; the sweep may run; the worker may run on what is queued (each
            message once, or the same message twice in one batch)."""
            clock.now += timedelta(minutes=minutes)
            if sweep:
                self._sweep()
            if deliver != "none":
                for m in self._receive():
                    self._process(m, twice=deliver == "twice")
                counter.saw(f"deliver:{deliver}")

        @rule()
        def replay_old_message(self) -> None:
            """A message handled before comes back (at-least-once delivery): no effect."""
            if not self.old_messages:
                return
            m = self.old_messages.pop(0)
            f, expected = self._expect(m)
            assert engine.deliver([m], delete=False) == []
            self._apply(m, f, expected)
            self.old_messages.append(m)
            counter.saw("replay")

        @rule()
        def crash_after_the_gate(self) -> None:
            """The worker dies after passing the delivery gate, before the channel is called:
            Lambda does not acknowledge the message, which comes back and must be stale."""
            got = self._receive()
            if not got:
                return
            m = got[0]
            f, expected = self._expect(m)
            captured.crash = True
            try:
                engine.deliver([m], delete=False)
            except Crash:
                assert expected == "deliver", expected
                assert f is not None
                f.attempts += 1
                f.started = True
                self.sends[f.customer][self._fid(m)] = clock.now
                counter.saw("crash")
                return
            finally:
                captured.crash = False
            self._apply(m, f, expected)  # decided before the channel: the crash never came
            self._ack(m)

        @rule(channel=st.sampled_from(CHANNELS), down=st.booleans())
        def outage(self, channel: str, down: bool) -> None:
            (captured.down.add if down else captured.down.discard)(channel)
            counter.saw("outage:down" if down else "outage:up")

        # --- engine and model ----------------------------------------------------------------

        def _receive(self) -> list[dict[str, Any]]:
            return engine.receive()

        def _ack(self, message: dict[str, Any]) -> None:
            from chalicelib.notify import work_queue
            from chalicelib.store.clients import aws_client

            aws_client("sqs").delete_message(
                QueueUrl=work_queue.queue_url(), ReceiptHandle=message["ReceiptHandle"]
            )

        @staticmethod
        def _fid(message: dict[str, Any]) -> str:
            return str(json.loads(message["Body"])["f"])

        def _sweep(self) -> None:
            from chalicelib import context
            from chalicelib.store import followups as store

            expected = {
                fid
                for fid, f in self.model.items()
                if (f.status == "scheduled" and f.due <= clock.now)
                or (f.status == "claimed" and f.lease is not None and f.lease <= clock.now)
            }
            report = engine.sweep()
            assert report["claimed"] == len(expected), (report, expected)
            with context.serving_tenant(self.keys.tenant_id):
                for fid in expected:
                    f = self.model[fid]
                    if f.status == "claimed":
                        counter.saw("sweep:reclaimed")
                    item = store.get_followup(self.keys.tenant_id, fid)
                    assert item is not None
                    self._moved(f, "claimed", reason=f.reason)
                    f.token, f.lease, f.started = item.claim_token, clock.now + LEASE, False
                    f.claims += 1
            counter.saw("sweep")

        def _expect(self, message: dict[str, Any]) -> tuple[FollowUpModel | None, str]:
            """What the worker must do with this message now."""
            body = json.loads(message["Body"])
            f = self.model.get(body["f"])
            if f is None or f.status != "claimed" or f.token != body["c"] or f.started:
                return f, "stale"
            if f.claims > MAX_ATTEMPTS + 3:
                return f, "abandoned"
            if not self.customers[f.customer][1]:
                return f, "no_marketing_consent"
            counted = self._counted(f.customer, self._fid(message), clock.now)
            if len(counted) >= MAX_MESSAGES:
                free_at = counted[-MAX_MESSAGES] + WINDOW
                if free_at - clock.now > MAX_DEFERRAL:
                    return f, "budget_exhausted"
                return f, "budget_window"
            return f, "deliver"

        def _counted(self, customer: int, fid: str, now: datetime) -> list[datetime]:
            """The customer's sends inside the window, oldest first — not counting a slot this
            follow-up itself took in an attempt that crashed (the same slot, taken again)."""
            sends = self.sends[customer]
            return sorted(t for other, t in sends.items() if other != fid and now < t + WINDOW)

        def _process(self, message: dict[str, Any], *, twice: bool) -> None:
            f, expected = self._expect(message)
            failed = engine.deliver([message, message] if twice else [message])
            assert failed == [], failed
            self._apply(message, f, expected)
            self.old_messages.append(message)

        def _apply(self, message: dict[str, Any], f: FollowUpModel | None, expected: str) -> None:
            counter.saw(f"worker:{expected}")
            if f is None or expected == "stale":
                return
            fid = self._fid(message)
            if expected == "abandoned":
                self._moved(f, "failed", reason="abandoned")
            elif expected in ("no_marketing_consent", "budget_exhausted"):
                self._moved(f, "skipped", reason=expected)
            elif expected == "budget_window":
                counted = self._counted(f.customer, fid, clock.now)
                self._moved(f, "scheduled", reason="budget_window")
                f.due = counted[-MAX_MESSAGES] + WINDOW
            elif f.channel in captured.down:
                f.attempts += 1
                self.sends[f.customer].pop(fid, None)  # the slot is released
                counter.saw("channel:down")
                if f.attempts >= MAX_ATTEMPTS:
                    self._moved(f, "failed", reason="delivery_failed")
                    counter.saw("worker:failed")
                else:
                    self._moved(f, "scheduled", reason="retry")
                    f.due = self._api(fid)["due_at"]  # backoff with jitter: read, checked below
                    assert f.due > clock.now
            else:
                f.attempts += 1
                self._moved(f, "sent", reason=None)
                self.sends[f.customer][fid] = clock.now

        def _moved(self, f: FollowUpModel, to: str, *, reason: str | None) -> None:
            if to != f.status:
                allowed = allowed_transitions(FollowUpStatus(f.status))
                assert FollowUpStatus(to) in allowed, (f.status, to)
            f.status, f.reason = to, reason
            if to not in OPEN:
                f.token = f.lease = None
            f.history.append(to)

        def _api(self, fid: str) -> dict[str, Any]:
            r = self.call("GET", f"/v1/followups/{fid}")
            assert r.status_code == 200, r.body
            found = dict(_json(r))
            found["due_at"] = _instant(found["due_at"])
            return found

        def _listed(self) -> dict[str, dict[str, Any]]:
            found: dict[str, dict[str, Any]] = {}
            cursor = None
            while True:
                path = "/v1/followups?limit=100" + (f"&cursor={cursor}" if cursor else "")
                r = self.call("GET", path)
                assert r.status_code == 200, r.body
                page = _json(r)
                for item in page["items"]:
                    item["due_at"] = _instant(item["due_at"])
                    found[item["id"]] = item
                cursor = page["next_cursor"]
                if not cursor:
                    return found

        def _drain(self) -> None:
            """Time moves on until nothing is open (a channel still down stays down: its
            follow-ups must end failed after the retry limit); then nothing is lost."""
            for _ in range(60):
                pending = [f for f in self.model.values() if f.status in OPEN]
                if not pending:
                    break
                wake = min(
                    (f.lease or clock.now) if f.status == "claimed" else f.due for f in pending
                )
                clock.now = max(clock.now, wake)
                self._sweep()
                for m in self._receive():
                    self._process(m, twice=False)
                self.engine_matches_the_model()
            listed = self._listed()
            for fid, f in self.model.items():
                item = listed[fid]
                assert item["status"] in ("sent", "skipped", "cancelled", "failed"), item
                if item["status"] == "skipped":
                    assert item["reason"], item
                if item["status"] == "failed":
                    assert item["reason"] == "abandoned" or item["attempts"] == MAX_ATTEMPTS
                if item["status"] == "cancelled":
                    assert f.history[-1] == "cancelled"
                    assert f.reason == "cancelled_by_user"
                assert len(captured.at.get(fid, [])) == (item["status"] == "sent"), item

        # --- invariants ----------------------------------------------------------------------

        @invariant()
        def engine_matches_the_model(self) -> None:
            if not hasattr(self, "keys"):
                return
            listed = self._listed()
            assert set(listed) == set(self.model)
            for fid, f in self.model.items():
                item = listed[fid]
                shown = (item["status"], item["attempts"], item["reason"])
                assert shown == (f.status, f.attempts, f.reason), (fid, shown, f)
                if f.status == "scheduled":
                    assert item["due_at"] == f.due, (fid, item["due_at"], f.due)
                f.version = item["version"]
                # Delivered at most once; exactly once when sent.
                delivered = len(captured.at.get(fid, []))
                assert delivered == (f.status == "sent"), (fid, delivered, f.status)

        @invariant()
        def budget_never_exceeded(self) -> None:
            per_customer: dict[int, list[datetime]] = {}
            for fid, times in captured.at.items():
                f = self.model.get(fid)
                if f is not None:
                    per_customer.setdefault(f.customer, []).extend(times)
            for times in per_customer.values():
                times.sort()
                for i, first in enumerate(times):
                    inside = [t for t in times[i:] if t < first + WINDOW]
                    assert len(inside) <= MAX_MESSAGES, times

    return FollowUps


@pytest.fixture
def receiver(captured: Captured, clock: Clock) -> Iterator[Receiver]:
    def answer(body: bytes) -> int:
        # 503 while the channel is down; otherwise the delivery is accepted now.
        if "webhook" in captured.down:
            return 503
        captured.add(json.loads(body)["data"]["followup_id"], clock.now)
        return 200

    r = Receiver(answer)
    yield r
    r.close()


def test_followup_engine_state_machine(
    api: Api,
    onboard: Callable[..., TenantKeys],
    clock: Clock,
    captured: Captured,
    receiver: Receiver,
) -> None:
    from scripts.provision import provision

    provision()
    counter = Counter()
    machine = followups_machine(
        api, onboard=onboard, clock=clock, captured=captured, receiver=receiver, counter=counter
    )
    run_state_machine_as_test(machine, settings=machine_settings())
    RUNS["followups"] = counter.examples
    assert counter.examples >= min(EXAMPLES, 10)
    for outcome in (
        "worker:deliver",
        "worker:stale",
        "worker:no_marketing_consent",
        "create:no_marketing_consent",
        "cancel:stale",
        "reschedule:ok",
        "sweep",
    ):
        assert counter.outcomes.get(outcome, 0) > 0, (outcome, counter.outcomes)
