"""Who did something: an agent, the end customer, or the system (jobs, automations).

Every ticket change, message and audit entry names its actor. There is no agent directory yet,
so agent ids and names are free-form strings given by the tenant's own tools (or, when none is
given, the API key that made the call).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ActorKind(StrEnum):
    """The kinds of actors."""

    AGENT = "agent"
    CUSTOMER = "customer"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who acts: kind plus an optional id and display name."""

    kind: ActorKind
    id: str | None = None
    name: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (stored in audit entries and messages, sent in events)."""
        return {"kind": self.kind.value, "id": self.id, "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Actor:
        """The inverse of :meth:`as_dict` (unknown or missing data reads as the system)."""
        if not data:
            return SYSTEM
        return cls(
            kind=ActorKind(data.get("kind", "system")), id=data.get("id"), name=data.get("name")
        )


SYSTEM = Actor(kind=ActorKind.SYSTEM, id="system", name="System")


def agent(agent_id: str | None, name: str | None = None) -> Actor:
    """An agent actor."""
    return Actor(kind=ActorKind.AGENT, id=agent_id, name=name)


def customer(customer_id: str | None, name: str | None = None) -> Actor:
    """An end-customer actor."""
    return Actor(kind=ActorKind.CUSTOMER, id=customer_id, name=name)
