"""Auto-close with notice (pure): when a quiet ticket is solved or closed by the system.

- A **pending** ticket (waiting on the customer) with no customer reply for ``M`` days is
  solved; a **solved** ticket is closed ``N`` days after it was solved.
- The customer is told first: a notice goes out ``notice`` before the action, and the action
  never happens sooner than ``notice`` after the notice was actually sent (a sweep that runs
  late, or a notice that could only go out late, pushes the action back instead of surprising
  the customer).
- Any status change or customer reply resets the plan (the service clears the state).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    """What the automation does to the ticket."""

    SOLVE = "solve"
    CLOSE = "close"


class Step(StrEnum):
    """What is due now."""

    NOTICE = "notice"
    ACT = "act"


@dataclass(frozen=True)
class Plan:
    """The planned action and when it is due (before the notice rule)."""

    action: Action
    act_at: datetime
    notice_at: datetime


@dataclass(frozen=True)
class Rules:
    """The tenant's auto-close settings."""

    solve_pending_after: timedelta | None
    close_solved_after: timedelta | None
    notice: timedelta


def plan(
    status: str,
    *,
    status_changed_at: datetime | None,
    solved_at: datetime | None,
    rules: Rules,
) -> Plan | None:
    """The automation planned for a ticket in ``status`` (None: nothing)."""
    if status == "pending" and rules.solve_pending_after and status_changed_at:
        act_at = status_changed_at + rules.solve_pending_after
        return Plan(Action.SOLVE, act_at, act_at - rules.notice)
    if status == "solved" and rules.close_solved_after and solved_at:
        act_at = solved_at + rules.close_solved_after
        return Plan(Action.CLOSE, act_at, act_at - rules.notice)
    return None


@dataclass(frozen=True)
class Progress:
    """What was done for the current plan: when its notice went out (and for which action)."""

    notice_sent_at: datetime | None = None
    action: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Stored form."""
        return {
            "notice_sent_at": self.notice_sent_at.isoformat() if self.notice_sent_at else None,
            "action": self.action,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Progress:
        """Inverse of :meth:`as_dict`."""
        if not data:
            return cls()
        sent = data.get("notice_sent_at")
        return cls(datetime.fromisoformat(sent) if sent else None, data.get("action"))


def next_step(
    planned: Plan | None, progress: Progress, *, rules: Rules, now: datetime
) -> tuple[Step | None, datetime | None]:
    """(what to do now, or None; when to look again, or None)."""
    if planned is None:
        return None, None
    if progress.notice_sent_at is None or progress.action != planned.action.value:
        if now >= planned.notice_at:
            return Step.NOTICE, None
        return None, planned.notice_at
    act_at = max(planned.act_at, progress.notice_sent_at + rules.notice)
    if now >= act_at:
        return Step.ACT, None
    return None, act_at


def closes_at(planned: Plan, *, notice_sent_at: datetime, rules: Rules) -> datetime:
    """When the action will happen, given a notice sent at ``notice_sent_at``."""
    return max(planned.act_at, notice_sent_at + rules.notice)
