"""Stateful property tests: random sequences of customer, API-key and settings calls against an
in-memory model, with invariants checked after every step.

Each example onboards a fresh tenant in one moto account (tenants are isolated, so a new tenant
is a clean slate), then Hypothesis drives the API through the Chalice test client. After every
step the stored items are recomputed from the model: one customer item per live customer, one
uniqueness guard per live email / external id and nothing else — a delete that leaves a guard
behind, or an update that moves one wrongly, fails here.

``STATEFUL_EXAMPLES`` / ``STATEFUL_STEPS`` scale the run (``make stateful`` runs it longer).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from tests.integration.conftest import Api, TenantKeys
from tests.support.scan import scan_table

EXAMPLES = int(os.environ.get("STATEFUL_EXAMPLES", "15"))
STEPS = int(os.environ.get("STATEFUL_STEPS", "15"))
RUNS: dict[str, int] = {}


def machine_settings() -> settings:
    """Deterministic in CI (derandomized), bounded, no example database on disk."""
    return settings(
        max_examples=EXAMPLES,
        stateful_step_count=STEPS,
        deadline=None,
        database=None,
        derandomize=os.environ.get("STATEFUL_RANDOM") != "1",
        suppress_health_check=list(HealthCheck),
    )


EMAILS = st.sampled_from(["ona@x.lt", "ONA@X.LT", "janis@x.lv", "alex@x.com", None])
EXTERNAL_IDS = st.sampled_from(["crm-1", "crm-2", "CRM-1", None])
NAMES = st.sampled_from(["Ona", "Jānis", "Alex", "  Ona  "])


@dataclass
class CustomerModel:
    """What the model believes about one customer."""

    name: str
    email: str | None
    external_id: str | None
    version: int = 1


@dataclass
class Counter:
    """How many examples and steps ran, per machine (reported by the test)."""

    examples: int = 0
    steps: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def saw(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def _json(response: Any) -> Any:
    return json.loads(response.body) if response.body else None


def _expect(response: Any, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.body
    if code is not None:
        assert _json(response)["code"] == code, response.body


def _norm_email(email: str | None) -> str | None:
    return email.lower() if email else None


def customers_machine(api: Api, onboard: Callable[..., TenantKeys], counter: Counter) -> type:
    """Build the customers state machine bound to one API client."""

    class Customers(RuleBasedStateMachine):
        ids = Bundle("customer_ids")

        def __init__(self) -> None:
            super().__init__()
            self.model: dict[str, CustomerModel] = {}
            self.deleted: set[str] = set()
            self.replays: dict[str, tuple[dict[str, Any], str]] = {}
            counter.examples += 1

        @initialize()
        def tenant(self) -> None:
            self.keys = onboard(f"Stateful {counter.examples}")

        def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
            counter.steps += 1
            return api.request(
                method, path, key=self.keys.admin_key, json_body=body, headers=headers
            )

        def _taken(self, field_name: str, value: str | None, besides: str | None = None) -> bool:
            if value is None:
                return False
            wanted = _norm_email(value) if field_name == "email" else value
            for cid, c in self.model.items():
                have = _norm_email(c.email) if field_name == "email" else c.external_id
                if cid != besides and have == wanted:
                    return True
            return False

        @rule(target=ids, name=NAMES, email=EMAILS, external_id=EXTERNAL_IDS)
        def create(self, name: str, email: str | None, external_id: str | None) -> Any:
            body = {"name": name, "email": email, "external_id": external_id}
            r = self.call("POST", "/v1/customers", body)
            if self._taken("email", email):
                _expect(r, 409, "email_taken")
                counter.saw("create:email_taken")
                return "01ARZ3NDEKTSV4RRFFQ69G5FAV"  # an id that never exists
            if self._taken("external_id", external_id):
                _expect(r, 409, "external_id_taken")
                counter.saw("create:external_id_taken")
                return "01ARZ3NDEKTSV4RRFFQ69G5FAV"
            assert r.status_code == 201, r.body
            created = _json(r)
            assert created["name"] == name.strip()
            assert _norm_email(created["email"]) == _norm_email(email)
            self.model[created["id"]] = CustomerModel(name.strip(), email, external_id)
            counter.saw("create:ok")
            return created["id"]

        @rule(key=st.sampled_from(["k1", "k2"]), name=NAMES)
        def create_idempotently(self, key: str, name: str) -> None:
            body = {"name": name}
            r = self.call("POST", "/v1/customers", body, **{"Idempotency-Key": key})
            if key in self.replays:
                first_body, first_id = self.replays[key]
                if first_body == body:
                    _expect(r, 201)
                    assert _json(r)["id"] == first_id
                    counter.saw("idempotent:replayed")
                else:
                    assert r.status_code == 422, r.body
                    assert _json(r)["code"] == "idempotency_key_reused"
                    counter.saw("idempotent:reused")
                return
            assert r.status_code == 201, r.body
            created = _json(r)
            self.replays[key] = (body, created["id"])
            self.model[created["id"]] = CustomerModel(name.strip(), None, None)
            counter.saw("idempotent:first")

        @rule(
            cid=ids,
            stale=st.booleans(),
            name=st.none() | NAMES,
            email=st.none() | EMAILS,
            external_id=st.none() | EXTERNAL_IDS,
        )
        def update(
            self,
            cid: str,
            stale: bool,
            name: str | None,
            email: str | None,
            external_id: str | None,
        ) -> None:
            changes = {
                k: v
                for k, v in {"name": name, "email": email, "external_id": external_id}.items()
                if v is not None
            }
            current = self.model.get(cid)
            version = (current.version if current else 1) + (-1 if stale else 0)
            r = self.call("PATCH", f"/v1/customers/{cid}", {**changes, "version": max(version, 1)})
            if current is None:
                assert r.status_code == 404, r.body
                counter.saw("update:missing")
                return
            if stale and current.version > 1:
                _expect(r, 409, "version_conflict")
                counter.saw("update:stale")
                return
            if self._taken("email", email, besides=cid) and _norm_email(email) != _norm_email(
                current.email
            ):
                _expect(r, 409, "email_taken")
                counter.saw("update:email_taken")
                return
            if self._taken("external_id", external_id, besides=cid) and (
                external_id != current.external_id
            ):
                _expect(r, 409, "external_id_taken")
                counter.saw("update:external_id_taken")
                return
            assert r.status_code == 200, r.body
            if changes:
                current.version += 1
                current.name = name.strip() if name else current.name
                current.email = email if email else current.email
                current.external_id = external_id if external_id else current.external_id
            assert _json(r)["version"] == current.version
            counter.saw("update:ok")

        @rule(cid=ids, name=NAMES)
        def lost_update_is_refused(self, cid: str, name: str) -> None:
            """Two writers read the same version: the second write is a 409, never lost."""
            current = self.model.get(cid)
            if current is None:
                return
            read = current.version
            first = self.call("PATCH", f"/v1/customers/{cid}", {"name": name, "version": read})
            _expect(first, 200)
            current.version += 1
            current.name = name.strip()
            second = self.call("PATCH", f"/v1/customers/{cid}", {"name": "Other", "version": read})
            _expect(second, 409, "version_conflict")
            counter.saw("update:stale")

        @rule(cid=consumes(ids))
        def delete(self, cid: str) -> None:
            r = self.call("DELETE", f"/v1/customers/{cid}")
            if cid in self.model:
                assert r.status_code == 204, r.body
                del self.model[cid]
                self.deleted.add(cid)
                counter.saw("delete:ok")
            else:
                assert r.status_code == 404, r.body
                counter.saw("delete:missing")

        @rule(cid=ids)
        def get(self, cid: str) -> None:
            r = self.call("GET", f"/v1/customers/{cid}")
            if cid in self.model:
                assert r.status_code == 200
                got = _json(r)
                assert got["version"] == self.model[cid].version
                assert r.headers["ETag"] == f'"{got["version"]}"'
            else:
                assert r.status_code == 404

        @rule(email=EMAILS.filter(bool))
        def find_by_email(self, email: str) -> None:
            r = self.call("GET", f"/v1/customers?email={email}")
            found = [i["id"] for i in _json(r)["items"]]
            expected = [
                cid for cid, c in self.model.items() if _norm_email(c.email) == email.lower()
            ]
            assert found == expected

        @rule(limit=st.integers(min_value=1, max_value=4))
        def list_all_pages(self, limit: int) -> None:
            seen: list[str] = []
            cursor = None
            while True:
                path = f"/v1/customers?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
                r = self.call("GET", path)
                assert r.status_code == 200, r.body
                page = _json(r)
                assert len(page["items"]) <= limit
                seen += [i["id"] for i in page["items"]]
                cursor = page["next_cursor"]
                if not cursor:
                    break
            assert seen == sorted(self.model), "a listing lost, repeated or misordered customers"

        @invariant()
        def stored_items_equal_recomputation(self) -> None:
            if not hasattr(self, "keys"):
                return
            from chalicelib.store.customers import CustomersTable

            tenant = self.keys.tenant_id
            items = [
                i
                for i in scan_table(CustomersTable.Meta.table_name)
                if i["tenant_id"]["S"] == tenant
            ]
            by_pk: dict[str, set[str]] = {}
            for i in items:
                by_pk.setdefault(i["pk"]["S"].split("#", 1)[1], set()).add(i["sk"]["S"])
            assert by_pk.get("CUSTOMER", set()) == set(self.model)
            assert by_pk.get("CUSTOMER_EMAIL", set()) == {
                _norm_email(c.email) for c in self.model.values() if c.email
            }
            assert by_pk.get("CUSTOMER_EXT", set()) == {
                c.external_id for c in self.model.values() if c.external_id
            }
            assert set(by_pk) <= {"CUSTOMER", "CUSTOMER_EMAIL", "CUSTOMER_EXT"}

    return Customers


def test_customers_state_machine(api: Api, onboard: Callable[..., TenantKeys]) -> None:
    counter = Counter()
    run_state_machine_as_test(customers_machine(api, onboard, counter), settings=machine_settings())
    RUNS["customers"] = counter.examples
    assert counter.examples >= min(EXAMPLES, 10)
    # The machine reached the interesting outcomes, not only the happy path.
    for outcome in ("create:ok", "update:ok", "delete:ok", "update:stale", "create:email_taken"):
        assert counter.outcomes.get(outcome, 0) > 0, (outcome, counter.outcomes)
