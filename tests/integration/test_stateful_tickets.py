"""Stateful property test of the ticket lifecycle: random sequences of API calls, clock
advances and sweep runs against an in-memory model, invariants checked after every step.

Each example onboards a fresh tenant and offboards it at teardown (the sweep sees every
tenant's due items, so none may outlive its example); a fake clock that starts at a drawn
instant and only moves forward drives the services. The model predicts
every answer of the API (status machine incl. the reopen window, versions, closed tickets,
message effects); the sweep is the one actor the model does not predict step by step, so after
each sweep the model accepts only the changes the sweep may make (pending → solved,
solved → closed, system notices) and checks them against the same rules.

Invariants after every step, for every ticket of the example's tenant:

- status and version as the model says; only allowed transitions were ever observed;
- SLA clocks monotone: elapsed (policy and business calendars) never decreases, a breach or a
  completion of the first response once recorded never changes, ``first_response_at`` is
  written once; solved/closed tickets have no running clock; pending tickets have every open
  clock paused (no due time, no time accrued while they stay pending — a clock that has
  breached keeps showing ``breached``, the documented display, so the figures are checked);
- counters equal recomputation: ``message_count`` = the messages listed, ``reopen_count`` =
  the reopens made; the tenant's report (created, solved, closed, reopened, tickets per status)
  equals the model's tallies, and after a sweep its SLA met/breached counts equal the outcomes
  shown on the tickets.

``STATEFUL_EXAMPLES`` / ``STATEFUL_STEPS`` scale the run, ``STATEFUL_RANDOM=1`` draws a new
seed (derandomized by default, so ``make test`` runs the same sequences every time).
"""

from __future__ import annotations

import json
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from chalicelib.domain.tickets import Status, allowed_transitions
from tests.integration.conftest import Api, TenantKeys
from tests.integration.test_stateful_customers import (
    EXAMPLES,
    RUNS,
    Counter,
    machine_settings,
)
from tests.support.clocks import patch_ticket_clock

VILNIUS = ZoneInfo("Europe/Vilnius")
START = datetime(2026, 3, 2, 9, 0, tzinfo=VILNIUS)
REOPEN_WINDOW = timedelta(days=7)  # the tenant default (reopen_window_days)
# Where an example starts: Monday 09:00 local, Monday 18:00 (after hours), Friday 17:00
# (a weekend ahead), Saturday 09:00 (a weekend).
STARTS = st.sampled_from([0, 9 * 60, 4 * 24 * 60 + 8 * 60, 5 * 24 * 60])
# Steps of the clock: none (a repeat sweep), a minute to several days, so SLA warnings,
# breaches, the auto-close notices and the reopen window all come into reach in a few steps.
ADVANCES = st.sampled_from([0, 1, 20, 50, 90, 240, 1_440, 3_000, 4_400, 11_000])
STATUSES = st.sampled_from([s.value for s in Status])
PRIORITIES = st.sampled_from(["low", "normal", "high", "urgent"])
AUTOMATIC = {("pending", "solved"), ("solved", "closed")}  # what the sweep may do


@dataclass
class FakeClock:
    """Moves forward within an example; each example sets its own start."""

    now: datetime = START

    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)


@dataclass
class TicketModel:
    """What the model believes about one ticket."""

    status: str = "new"
    version: int = 1
    reopens: int = 0
    solved_at: datetime | None = None
    api_messages: int = 0
    first_response_at: str | None = None
    seen_status: str | None = None  # the status at the last look (pauses are checked across)
    # Last observed SLA figures per metric (monotonicity baseline).
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    patch_ticket_clock(monkeypatch, lambda: fake.now.astimezone(UTC))
    return fake


@pytest.fixture
def quiet_reactions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Events are not the subject here: no bus, no in-process subscribers."""
    from chalicelib.services import reactions

    monkeypatch.setattr(reactions, "publish", len)  # "published" every event of the batch
    monkeypatch.setattr(reactions, "SUBSCRIBERS", ())


def _json(response: Any) -> Any:
    return json.loads(response.body) if response.body else None


def _code(response: Any) -> str | None:
    body = _json(response)
    return body.get("code") if isinstance(body, dict) else None


def tickets_machine(
    api: Api, onboard: Callable[..., TenantKeys], clock: FakeClock, counter: Counter
) -> type:
    """Build the ticket lifecycle machine bound to one API client and one fake clock."""

    class Tickets(RuleBasedStateMachine):
        ids = Bundle("ticket_ids")

        def __init__(self) -> None:
            super().__init__()
            self.model: dict[str, TicketModel] = {}
            self.tally: Tally[str] = Tally()  # solved / closed / reopened transitions
            counter.examples += 1

        @initialize(target=ids, start=STARTS, priority=PRIORITIES)
        def tenant(self, start: int, priority: str) -> str:
            """A fresh tenant with one ticket, so every rule has something to act on.

            The clock starts where the draw says (replaying an example replays its times), and
            teardown offboards the tenant, so the sweep never sees another example's tickets.
            """
            clock.now = START + timedelta(minutes=start)
            self.start_day = clock.now.astimezone(UTC).date()
            self.keys = onboard(f"Lifecycle {counter.examples}")
            return self._create(priority)

        def teardown(self) -> None:
            from chalicelib.services.tenants import offboard

            if hasattr(self, "keys"):
                while not offboard(self.keys.tenant_id).completed:
                    pass

        def call(self, method: str, path: str, body: Any = None) -> Any:
            counter.steps += 1
            return api.request(method, path, key=self.keys.admin_key, json_body=body)

        # --- rules ---------------------------------------------------------------------------

        @rule(target=ids, priority=PRIORITIES)
        def create(self, priority: str) -> str:
            return self._create(priority)

        def _create(self, priority: str) -> str:
            body = {
                "subject": "Boiler",
                "description": "No heat",
                "customer_email": "ona@x.lt",
                "priority": priority,
            }
            r = self.call("POST", "/v1/tickets", body)
            assert r.status_code == 201, r.body
            ticket = _json(r)
            assert (ticket["status"], ticket["version"], ticket["message_count"]) == ("new", 1, 0)
            self.model[ticket["id"]] = TicketModel()
            counter.saw("create")
            return str(ticket["id"])

        @rule(tid=ids, wanted=STATUSES, stale=st.booleans())
        def change_status(self, tid: str, wanted: str, stale: bool) -> None:
            t = self.model[tid]
            if wanted == t.status:  # no no-op steps: ask for the next status instead
                order = [s.value for s in Status]
                wanted = order[(order.index(wanted) + 1) % len(order)]
            stale = stale and t.version > 1
            version = t.version - 1 if stale else t.version
            r = self.call("PATCH", f"/v1/tickets/{tid}", {"status": wanted, "version": version})
            if stale:
                assert (r.status_code, _code(r)) == (409, "version_conflict"), r.body
                counter.saw("status:stale")
                return
            expected = self._refusal(t, wanted)
            if expected is not None:
                assert (r.status_code, _code(r)) == (409, expected), r.body
                counter.saw(f"status:{expected}")
                return
            assert r.status_code == 200, r.body
            self._moved(t, wanted)
            t.version += 1
            assert _json(r)["version"] == t.version
            counter.saw(f"status:{wanted}")

        @rule(
            tid=ids,
            kind=st.sampled_from(["agent", "customer"]),
            visibility=st.sampled_from(["public", "public", "internal"]),
        )
        def add_message(self, tid: str, kind: str, visibility: str) -> None:
            t = self.model[tid]
            body = {"body": "Hello", "visibility": visibility, "author": {"kind": kind}}
            r = self.call("POST", f"/v1/tickets/{tid}/messages", body)
            if kind == "customer" and visibility == "internal":
                assert (r.status_code, _code(r)) == (422, "invalid_visibility"), r.body
                return
            if t.status == "closed":
                assert (r.status_code, _code(r)) == (409, "ticket_closed"), r.body
                counter.saw("message:closed")
                return
            target = t.status
            if visibility == "public":
                if kind == "customer" and t.status in ("pending", "on_hold", "solved"):
                    target = "open"
                if kind == "agent" and t.status == "new":
                    target = "open"
            if target != t.status:
                refusal = self._refusal(t, target)
                if refusal is not None:
                    assert (r.status_code, _code(r)) == (409, refusal), r.body
                    counter.saw(f"message:{refusal}")
                    return
            assert r.status_code == 201, r.body
            if target != t.status:
                self._moved(t, target)
                counter.saw(f"message:moved_to_{target}")
            t.api_messages += 1
            t.version += 1
            counter.saw(f"message:{kind}:{visibility}")

        @rule(minutes=ADVANCES, then_sweep=st.booleans())
        def time_passes(self, minutes: int, then_sweep: bool) -> None:
            """The clock moves on (0: not at all); the sweep may run (a repeat at the same
            instant must find nothing left to do)."""
            clock.advance(minutes)
            if then_sweep:
                self._sweep()

        def _sweep(self) -> None:
            from chalicelib.services.ticket_jobs import sweep

            sweep(clock.now.astimezone(UTC))
            counter.saw("sweep")
            for tid, t in self.model.items():
                ticket = self._get(tid)
                if ticket["status"] != t.status:
                    assert (t.status, ticket["status"]) in AUTOMATIC, (tid, t.status, ticket)
                    self._moved(t, ticket["status"])
                    counter.saw(f"sweep:{ticket['status']}")
                # The sweep's writes (notices, auto-changes) are versioned like any other.
                assert ticket["version"] >= t.version
                t.version = ticket["version"]
            self._check_sla_report()

        # --- model ---------------------------------------------------------------------------

        def _refusal(self, t: TicketModel, wanted: str) -> str | None:
            """The code the API must answer for ``t.status → wanted`` now (None: allowed)."""
            if t.status == "closed":
                return "ticket_closed"
            if Status(wanted) not in allowed_transitions(Status(t.status)):
                return "invalid_transition"
            if t.status == "solved" and wanted == "open":
                assert t.solved_at is not None
                if clock.now - t.solved_at > REOPEN_WINDOW:
                    return "reopen_window_expired"
            return None

        def _moved(self, t: TicketModel, to: str) -> None:
            assert Status(to) in allowed_transitions(Status(t.status)), (t.status, to)
            if t.status == "solved" and to == "open":
                t.reopens += 1
                self.tally["reopened"] += 1
                t.solved_at = None
            if to in ("solved", "closed"):
                self.tally[to] += 1
            if to == "solved":
                t.solved_at = clock.now
            t.status = to

        def _get(self, tid: str) -> dict[str, Any]:
            r = self.call("GET", f"/v1/tickets/{tid}")
            assert r.status_code == 200, r.body
            return dict(_json(r))

        def _messages(self, tid: str) -> int:
            count, cursor = 0, None
            while True:
                path = f"/v1/tickets/{tid}/messages?limit=50" + (
                    f"&cursor={cursor}" if cursor else ""
                )
                page = _json(self.call("GET", path))
                count += len(page["items"])
                cursor = page["next_cursor"]
                if not cursor:
                    return count

        def _report(self) -> dict[str, Any]:
            end = self.start_day + timedelta(days=365)
            r = self.call("GET", f"/v1/reports/tickets?from={self.start_day}&to={end}")
            assert r.status_code == 200, r.body
            return dict(_json(r))

        def _check_sla_report(self) -> None:
            """Right after a sweep every crossing up to now is recorded: the report's SLA
            outcomes equal the outcomes shown on the tickets."""
            outcomes: Tally[str] = Tally()
            for tid in self.model:
                for target in self._get(tid)["sla"]["targets"]:
                    if target["breached_at"]:
                        outcomes[f"{target['metric']}:breached"] += 1
                    elif target["completed_at"] and target["target_minutes"] is not None:
                        outcomes[f"{target['metric']}:met"] += 1
            sla = self._report()["sla"]
            for metric in ("first_response", "next_response", "resolution"):
                shown = (outcomes[f"{metric}:met"], outcomes[f"{metric}:breached"])
                assert (sla[metric]["met"], sla[metric]["breached"]) == shown, (metric, sla)

        # --- invariants ----------------------------------------------------------------------

        @invariant()
        def tickets_match_the_model(self) -> None:
            if not hasattr(self, "keys"):
                return
            for tid, t in self.model.items():
                ticket = self._get(tid)
                assert ticket["status"] == t.status, (tid, ticket["status"], t.status)
                assert ticket["version"] == t.version, (tid, ticket["version"], t.version)
                assert ticket["reopen_count"] == t.reopens
                # Messages: the API's plus any system notice of the sweep, all listed.
                assert ticket["message_count"] == self._messages(tid) >= t.api_messages
                if t.first_response_at is not None:
                    assert ticket["first_response_at"] == t.first_response_at
                t.first_response_at = ticket["first_response_at"]
                self._clocks_monotone(t, ticket)

        def _clocks_monotone(self, t: TicketModel, ticket: dict[str, Any]) -> None:
            targets = {x["metric"]: x for x in ticket["sla"]["targets"]}
            if ticket["status"] in ("solved", "closed"):
                assert all(x["status"] not in ("running", "paused") for x in targets.values())
            if ticket["status"] == "pending":
                # Every open clock is paused. One that has breached shows ``breached`` whether
                # it runs or not (the documented display), so the pause shows in the figures:
                # no due time, and no time accrued since the last look if the ticket was
                # pending then too.
                for metric, clock_now in targets.items():
                    if clock_now["completed_at"] is not None:
                        continue
                    assert clock_now["status"] in ("paused", "breached"), clock_now
                    assert clock_now["due_at"] is None, clock_now
                    before = t.seen.get(metric)
                    if t.seen_status == "pending" and before is not None:
                        for figure in ("elapsed_minutes", "business_elapsed_minutes"):
                            assert clock_now[figure] == before[figure], (figure, before, clock_now)
            t.seen_status = ticket["status"]
            for metric, now in targets.items():
                before = t.seen.get(metric)
                restarted = (
                    metric == "next_response"
                    and before is not None
                    and before["completed_at"] is not None
                    and now["completed_at"] is None
                )
                if before is not None and not restarted:
                    assert now["elapsed_minutes"] >= before["elapsed_minutes"], (metric, now)
                    assert now["business_elapsed_minutes"] >= before["business_elapsed_minutes"]
                    if before["breached_at"] is not None:
                        assert now["breached_at"] == before["breached_at"], (metric, now)
                    if metric == "first_response" and before["completed_at"] is not None:
                        assert now["completed_at"] == before["completed_at"]
                t.seen[metric] = now

        @invariant()
        def report_counters_equal_recomputation(self) -> None:
            if not hasattr(self, "keys"):
                return
            report = self._report()
            assert report["created"] == len(self.model)
            assert report["current_by_status"] == dict(
                sorted(Tally(t.status for t in self.model.values()).items())
            )
            for name in ("solved", "closed", "reopened"):
                assert report[name] == self.tally[name], (name, report[name], self.tally)

    return Tickets


def test_ticket_lifecycle_state_machine(
    api: Api,
    onboard: Callable[..., TenantKeys],
    clock: FakeClock,
    quiet_reactions: None,
) -> None:
    from scripts.provision import provision

    provision()  # the sweep's notices go through SES
    counter = Counter()
    machine = tickets_machine(api, onboard, clock, counter)
    run_state_machine_as_test(machine, settings=machine_settings())
    RUNS["tickets"] = counter.examples
    assert counter.examples >= min(EXAMPLES, 10)
    for outcome in (
        "status:solved",
        "status:invalid_transition",
        "status:stale",
        "message:agent:public",
        "message:moved_to_open",
        "sweep",
    ):
        assert counter.outcomes.get(outcome, 0) > 0, (outcome, counter.outcomes)
