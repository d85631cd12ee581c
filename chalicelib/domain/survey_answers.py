"""Answering a survey invitation: single use with a short edit window, and report counters.

One invitation (follow-up) gets at most one response. The first answer creates it; another
answer within the edit window (a customer who clicked 3, then 4, or adds a comment) *changes*
that response and moves the report counters by the difference; after the window the response
is final and further answers are refused with 409 ``survey_already_answered``.

Counters are kept per dimension (every response, per agent, per product) and per report
bucket (day, week, month in the tenant's time zone). A response remembers the buckets it was
counted in, so an edit hours later (across midnight) still corrects the same buckets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import Conflict
from chalicelib.domain.scores import (
    SCALES,
    CounterDelta,
    Counters,
    Granularity,
    Metric,
    bucket_keys,
    edit_delta,
    response_delta,
)

DEFAULT_EDIT_WINDOW = timedelta(minutes=30)
ALL = "all"
AGENT = "agent"
PRODUCT = "product"
DIMENSIONS: tuple[str, ...] = (ALL, AGENT, PRODUCT)
# The value of the single row of the ``all`` dimension.
ALL_VALUE = "*"


class AnswerAction(StrEnum):
    """What an incoming answer does."""

    CREATE = "create"
    UPDATE = "update"


def decide_answer(
    answered_at: datetime | None, now: datetime, window: timedelta = DEFAULT_EDIT_WINDOW
) -> AnswerAction:
    """Create a response, update the existing one, or refuse (409 ``survey_already_answered``).

    ``answered_at`` is the time of the first answer (None when there is none yet). The window
    runs from the first answer, so repeated edits cannot keep a response open forever.
    """
    if answered_at is None:
        return AnswerAction.CREATE
    if now < answered_at + window:
        return AnswerAction.UPDATE
    raise Conflict(
        "this survey has already been answered and can no longer be changed",
        code="survey_already_answered",
    )


def editable_until(answered_at: datetime, window: timedelta = DEFAULT_EDIT_WINDOW) -> datetime:
    """The last instant (exclusive) at which a response may still be changed."""
    return answered_at + window


# --- counters as stored attributes -----------------------------------------------------------


def counter_attributes(metric: Metric, delta: CounterDelta) -> dict[str, int]:
    """A delta as increments of stored attributes: ``<kind>_n``, ``<kind>_sum``, ``<kind>_s<k>``."""
    prefix = metric.value
    changes: dict[str, int] = {}
    if delta.responses:
        changes[f"{prefix}_n"] = delta.responses
    if delta.total:
        changes[f"{prefix}_sum"] = delta.total
    for score, amount in delta.by_score.items():
        if amount:
            changes[f"{prefix}_s{score}"] = amount
    return changes


def sent_attribute(metric: Metric) -> str:
    """The stored attribute counting surveys of ``metric`` sent."""
    return f"{metric.value}_sent"


def counters_of(metric: Metric, stored: Mapping[str, object]) -> Counters:
    """The counters of ``metric`` held by one stored counter item (missing attributes are 0)."""
    prefix = metric.value

    def number(name: str) -> int:
        value = stored.get(name, 0)
        return value if isinstance(value, int) else 0

    by_score = {
        score: number(f"{prefix}_s{score}")
        for score in SCALES[metric].values()
        if number(f"{prefix}_s{score}")
    }
    return Counters(
        responses=number(f"{prefix}_n"), total=number(f"{prefix}_sum"), by_score=by_score
    )


def add_counters(left: Counters, right: Counters) -> Counters:
    """The counters of two buckets together."""
    by_score = dict(left.by_score)
    for score, n in right.by_score.items():
        by_score[score] = by_score.get(score, 0) + n
    return Counters(
        responses=left.responses + right.responses,
        total=left.total + right.total,
        by_score={s: n for s, n in sorted(by_score.items()) if n},
    )


# --- which counter items a response touches --------------------------------------------------


@dataclass(frozen=True)
class CounterTarget:
    """One counter item: a dimension row in one bucket."""

    dimension: str
    granularity: Granularity
    bucket: str
    value: str

    @property
    def sort_key(self) -> str:
        """The item's sort key: ``<granularity>#<bucket>#<value>``."""
        return f"{self.granularity.value}#{self.bucket}#{self.value}"


def response_buckets(answered_at: datetime, tz: ZoneInfo) -> dict[str, str]:
    """The bucket keys of a response answered at ``answered_at`` (stored with the response)."""
    return {g.value: k for g, k in bucket_keys(answered_at, tz).items()}


def counter_targets(
    buckets: Mapping[str, str], *, agent: str | None, product: str | None
) -> list[CounterTarget]:
    """Every counter item a response in ``buckets`` with this agent and product counts in."""
    rows: list[tuple[str, str]] = [(ALL, ALL_VALUE)]
    if agent:
        rows.append((AGENT, agent))
    if product:
        rows.append((PRODUCT, product))
    return [
        CounterTarget(dimension, Granularity(granularity), bucket, value)
        for dimension, value in rows
        for granularity, bucket in sorted(buckets.items())
    ]


def first_answer_delta(metric: Metric, score: int) -> dict[str, int]:
    """Stored-attribute increments for a new response."""
    return counter_attributes(metric, response_delta(metric, score))


def change_delta(metric: Metric, old_score: int, new_score: int) -> dict[str, int]:
    """Stored-attribute increments for a response whose score changed (empty if unchanged)."""
    return counter_attributes(metric, edit_delta(metric, old_score, new_score))
