"""Feedback scores: CSAT, NPS and CES rules, counter-based aggregates and report buckets.

Aggregates are never recomputed from raw responses on a request path. Each report bucket
(a tenant, a metric, a day/week/month) keeps *counters*: the number of responses, the sum of
their scores and one count per score value. Counters only ever change by adding a
:class:`CounterDelta`, so DynamoDB can maintain them with a single atomic ``ADD`` update, and
deltas commute: applying the create/edit/delete deltas of a set of responses in any order gives
the counters of the final scores.

Scales:

- CSAT 1-5; "satisfied" is 4 or 5.
- NPS 0-10; promoters 9-10, passives 7-8, detractors 0-6; NPS = %promoters - %detractors.
- CES 1-7 where **1 is the least effort and 7 the most**; "low effort" is 1-3 by default and a
  score of 5 or more is a closed-loop trigger by default.

Percentages are 0-100 rounded to one decimal, averages are rounded to two decimals; a figure
that has no responses behind it is ``None``, never 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import Invalid


class Metric(StrEnum):
    """A survey metric."""

    CSAT = "csat"
    NPS = "nps"
    CES = "ces"


@dataclass(frozen=True)
class Scale:
    """The inclusive range of valid scores of a metric."""

    low: int
    high: int

    def values(self) -> range:
        """Every valid score, lowest first."""
        return range(self.low, self.high + 1)


SCALES: Mapping[Metric, Scale] = {
    Metric.CSAT: Scale(1, 5),
    Metric.NPS: Scale(0, 10),
    Metric.CES: Scale(1, 7),
}

CSAT_SATISFIED_MIN = 4
NPS_PROMOTER_MIN = 9
NPS_PASSIVE_MIN = 7
CES_LOW_EFFORT_MAX = 3


def validate_score(metric: Metric, score: int) -> int:
    """Return ``score`` if on the metric's scale, else raise ``Invalid(score_out_of_range)``."""
    scale = SCALES[metric]
    # bool is an int subclass; True must not pass as a score of 1.
    if (
        isinstance(score, bool)
        or not isinstance(score, int)
        or not (scale.low <= score <= scale.high)
    ):
        raise Invalid(
            f"A {metric.value.upper()} score must be an integer from {scale.low} to {scale.high}.",
            code="score_out_of_range",
        )
    return score


# --- counters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterDelta:
    """An atomic change to a bucket's counters: add each number to the stored one."""

    responses: int = 0
    total: int = 0
    by_score: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Counters:
    """The counters of one report bucket: response count, score sum, count per score value."""

    responses: int = 0
    total: int = 0
    by_score: Mapping[int, int] = field(default_factory=dict)

    def count(self, score: int) -> int:
        """How many responses gave exactly ``score``."""
        return self.by_score.get(score, 0)

    def count_between(self, low: int, high: int) -> int:
        """How many responses gave a score from ``low`` to ``high`` inclusive."""
        return sum(n for score, n in self.by_score.items() if low <= score <= high)


def response_delta(metric: Metric, score: int) -> CounterDelta:
    """The counter delta recording a new response with ``score``."""
    validate_score(metric, score)
    return CounterDelta(responses=1, total=score, by_score={score: 1})


def edit_delta(metric: Metric, old_score: int, new_score: int) -> CounterDelta:
    """The counter delta for a response whose score changed from ``old_score`` to ``new_score``.

    The response count is unchanged; an unchanged score gives an empty delta.
    """
    validate_score(metric, old_score)
    validate_score(metric, new_score)
    if old_score == new_score:
        return CounterDelta()
    return CounterDelta(
        responses=0, total=new_score - old_score, by_score={old_score: -1, new_score: 1}
    )


def removal_delta(metric: Metric, score: int) -> CounterDelta:
    """The counter delta for a response with ``score`` that is deleted (e.g. erasure requests)."""
    validate_score(metric, score)
    return CounterDelta(responses=-1, total=-score, by_score={score: -1})


def apply_delta(counters: Counters, delta: CounterDelta) -> Counters:
    """The counters after adding ``delta``: what the atomic ``ADD`` in the store computes."""
    by_score = Counter(counters.by_score)
    by_score.update(delta.by_score)
    return Counters(
        responses=counters.responses + delta.responses,
        total=counters.total + delta.total,
        # Zero entries are dropped so equal counters compare equal however they were reached.
        by_score={score: n for score, n in sorted(by_score.items()) if n != 0},
    )


def counters_from_scores(metric: Metric, scores: Iterable[int]) -> Counters:
    """Counters recomputed from a complete list of scores (backfills and reconciliation)."""
    counters = Counters()
    for score in scores:
        counters = apply_delta(counters, response_delta(metric, score))
    return counters


# --- report figures ------------------------------------------------------------------------


def _pct(part: int, whole: int) -> float | None:
    return None if whole <= 0 else round(100.0 * part / whole, 1)


def _avg(total: int, n: int) -> float | None:
    return None if n <= 0 else round(total / n, 2)


@dataclass(frozen=True)
class CsatReport:
    """CSAT figures of a bucket."""

    responses: int
    satisfied: int
    satisfied_pct: float | None
    average: float | None


@dataclass(frozen=True)
class NpsReport:
    """NPS figures of a bucket; ``nps`` runs from -100 to 100."""

    responses: int
    promoters: int
    passives: int
    detractors: int
    promoters_pct: float | None
    passives_pct: float | None
    detractors_pct: float | None
    nps: float | None


@dataclass(frozen=True)
class CesReport:
    """CES figures of a bucket (1 = least effort)."""

    responses: int
    low_effort: int
    low_effort_pct: float | None
    average: float | None


def csat_report(counters: Counters) -> CsatReport:
    """CSAT report: share of satisfied (4-5) responses and the average score."""
    satisfied = counters.count_between(CSAT_SATISFIED_MIN, SCALES[Metric.CSAT].high)
    return CsatReport(
        responses=counters.responses,
        satisfied=satisfied,
        satisfied_pct=_pct(satisfied, counters.responses),
        average=_avg(counters.total, counters.responses),
    )


def nps_report(counters: Counters) -> NpsReport:
    """NPS report: promoter/passive/detractor counts and shares, and the NPS itself.

    The NPS is computed from the raw counts and rounded once, so it is not the difference of
    the two rounded shares. No responses gives ``None``; only passives gives 0.
    """
    n = counters.responses
    promoters = counters.count_between(NPS_PROMOTER_MIN, SCALES[Metric.NPS].high)
    passives = counters.count_between(NPS_PASSIVE_MIN, NPS_PROMOTER_MIN - 1)
    detractors = counters.count_between(SCALES[Metric.NPS].low, NPS_PASSIVE_MIN - 1)
    return NpsReport(
        responses=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        promoters_pct=_pct(promoters, n),
        passives_pct=_pct(passives, n),
        detractors_pct=_pct(detractors, n),
        nps=None if n <= 0 else round(100.0 * (promoters - detractors) / n, 1),
    )


def ces_report(counters: Counters, *, low_effort_max: int = CES_LOW_EFFORT_MAX) -> CesReport:
    """CES report: the average score and the share of low-effort (1..``low_effort_max``) ones."""
    low_effort = counters.count_between(SCALES[Metric.CES].low, low_effort_max)
    return CesReport(
        responses=counters.responses,
        low_effort=low_effort,
        low_effort_pct=_pct(low_effort, counters.responses),
        average=_avg(counters.total, counters.responses),
    )


def response_rate_pct(answered: int, sent: int) -> float | None:
    """Answered surveys as a percentage of sent ones; ``None`` when nothing was sent.

    The two counters live in separate buckets (a survey sent on the 31st may be answered on
    the 1st), so a bucket can show more answers than sends: the rate is capped at 100.
    """
    if answered < 0 or sent < 0:
        raise Invalid("Counts cannot be negative.", code="negative_count")
    if sent == 0:
        return None
    return min(100.0, round(100.0 * answered / sent, 1))


# --- closed loop ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedLoopThresholds:
    """Which scores open a closed-loop follow-up (an agent calls the unhappy customer back)."""

    nps_max: int = NPS_PASSIVE_MIN - 1
    csat_max: int = 2
    ces_min: int = 5


def needs_closed_loop(
    metric: Metric, score: int, thresholds: ClosedLoopThresholds | None = None
) -> bool:
    """Whether ``score`` is a detractor / dissatisfied / high-effort answer.

    Defaults: NPS 0-6, CSAT 1-2, CES 5-7.
    """
    validate_score(metric, score)
    limits = thresholds or ClosedLoopThresholds()
    if metric is Metric.NPS:
        return score <= limits.nps_max
    if metric is Metric.CSAT:
        return score <= limits.csat_max
    return score >= limits.ces_min


# --- report buckets ------------------------------------------------------------------------


class Granularity(StrEnum):
    """The size of a report bucket."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")


def bucket_key(instant: datetime, granularity: Granularity, tz: ZoneInfo) -> str:
    """The bucket key of ``instant`` seen in ``tz``.

    Keys sort chronologically within a granularity: ``2024-03-31`` (day), ``2024-W13``
    (ISO week, whose year may differ from the calendar year around New Year), ``2024-03``.
    """
    _require_aware(instant)
    return _date_key(instant.astimezone(tz).date(), granularity)


def _date_key(day: date, granularity: Granularity) -> str:
    if granularity is Granularity.DAY:
        return day.isoformat()
    if granularity is Granularity.WEEK:
        iso = day.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"
    return f"{day.year:04d}-{day.month:02d}"


def bucket_keys(instant: datetime, tz: ZoneInfo) -> dict[Granularity, str]:
    """The keys of every granularity for ``instant``: one response updates all three buckets."""
    return {granularity: bucket_key(instant, granularity, tz) for granularity in Granularity}


MAX_BUCKETS = 1_000


def bucket_keys_between(first: date, last: date, granularity: Granularity) -> list[str]:
    """The distinct bucket keys covering the local dates ``first``..``last`` inclusive, in order.

    Raises ``Invalid(invalid_range)`` when ``last`` is before ``first`` or the range would need
    more than :data:`MAX_BUCKETS` buckets (a report must not fan out unboundedly).
    """
    if last < first:
        raise Invalid("The end of a range cannot be before its start.", code="invalid_range")
    keys: list[str] = []
    day = first
    while day <= last:
        key = _date_key(day, granularity)
        if not keys or keys[-1] != key:
            keys.append(key)
            if len(keys) > MAX_BUCKETS:
                raise Invalid(
                    f"A report covers at most {MAX_BUCKETS} {granularity.value}s.",
                    code="invalid_range",
                )
        day = _next_bucket_start(day, granularity)
    return keys


def _next_bucket_start(day: date, granularity: Granularity) -> date:
    if granularity is Granularity.DAY:
        return day + timedelta(days=1)
    if granularity is Granularity.WEEK:
        return day + timedelta(days=7 - day.weekday())
    if day.month == 12:
        return date(day.year + 1, 1, 1)
    return date(day.year, day.month + 1, 1)
