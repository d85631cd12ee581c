"""Every warranty, claim, service-plan and appointment event the code emits is documented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["warranties.py", "claims.py", "service_plans.py", "appointments.py"]
PREFIXES = ("warranty.", "claim.", "service_plan.", "appointment.")


def _emitted() -> set[str]:
    names: set[str] = set()
    for source in SOURCES:
        text = (ROOT / "chalicelib" / "services" / source).read_text()
        names |= {n for n in re.findall(r'"([a-z_]+\.[a-z_]+)"', text) if n.startswith(PREFIXES)}
        # f"appointment.{target.value}": every appointment outcome.
        if 'f"appointment.{target.value}"' in text:
            names |= {"appointment.completed", "appointment.no_show", "appointment.cancelled"}
    return names


def test_every_emitted_event_is_in_the_events_page() -> None:
    documented = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", (ROOT / "docs" / "events.md").read_text()))
    emitted = _emitted()
    assert {"warranty.registered", "claim.submitted", "appointment.scheduled"} <= emitted
    assert emitted <= documented, sorted(emitted - documented)
