"""Feedback reports: CSAT, NPS, CES and response rates from counters, never from responses.

One Query reads the counter items of the range (one per bucket, or one per bucket and agent /
product when grouped; a response's agent is its ticket's assignee, or the technician of the
visit it followed, so a technician's installation and repair surveys count for them); the
figures are computed from those counters with the score maths of ``domain/scores.py``. The
cost depends on the number of buckets and groups, not on the number of responses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.domain import clock
from chalicelib.domain import survey_answers as answers
from chalicelib.domain.contact_budget import load_time_zone
from chalicelib.domain.errors import BadRequest
from chalicelib.domain.scores import (
    Counters,
    Granularity,
    Metric,
    bucket_keys_between,
    ces_report,
    csat_report,
    nps_report,
    response_rate_pct,
)
from chalicelib.schemas.feedback import (
    CesFigures,
    CsatFigures,
    FeedbackBucket,
    FeedbackFigures,
    FeedbackGroup,
    FeedbackReport,
    FeedbackReportQuery,
    NpsFigures,
)
from chalicelib.store import feedback as store

DEFAULT_DAYS = 30


class Tally:
    """Counters and sends of every metric for one bucket or group."""

    def __init__(self) -> None:
        self.counters: dict[Metric, Counters] = {m: Counters() for m in Metric}
        self.sent: dict[Metric, int] = dict.fromkeys(Metric, 0)

    def add(self, stored: Mapping[str, Any]) -> None:
        """Add one stored counter item."""
        for metric in Metric:
            self.counters[metric] = answers.add_counters(
                self.counters[metric], answers.counters_of(metric, stored)
            )
            sent = stored.get(answers.sent_attribute(metric), 0)
            self.sent[metric] += sent if isinstance(sent, int) else 0

    def figures(self, kinds: Iterable[Metric]) -> dict[str, Any]:
        """The report figures of the metrics asked for (the others are None)."""
        wanted = set(kinds)
        out: dict[str, Any] = {"csat": None, "nps": None, "ces": None}
        if Metric.CSAT in wanted:
            c = csat_report(self.counters[Metric.CSAT])
            out["csat"] = CsatFigures(
                responses=c.responses,
                satisfied=c.satisfied,
                satisfied_pct=c.satisfied_pct,
                average=c.average,
                **self._rate(Metric.CSAT),
            )
        if Metric.NPS in wanted:
            n = nps_report(self.counters[Metric.NPS])
            out["nps"] = NpsFigures(
                responses=n.responses,
                promoters=n.promoters,
                passives=n.passives,
                detractors=n.detractors,
                promoters_pct=n.promoters_pct,
                passives_pct=n.passives_pct,
                detractors_pct=n.detractors_pct,
                nps=n.nps,
                **self._rate(Metric.NPS),
            )
        if Metric.CES in wanted:
            e = ces_report(self.counters[Metric.CES])
            out["ces"] = CesFigures(
                responses=e.responses,
                low_effort=e.low_effort,
                low_effort_pct=e.low_effort_pct,
                average=e.average,
                **self._rate(Metric.CES),
            )
        return out

    def _rate(self, metric: Metric) -> dict[str, Any]:
        sent = self.sent[metric]
        answered = self.counters[metric].responses
        return {
            "sent": sent,
            "response_rate_pct": response_rate_pct(max(answered, 0), max(sent, 0)),
        }


def bucket_range(bucket: str, granularity: Granularity) -> tuple[date, date]:
    """The first and last local day of a bucket key."""
    if granularity is Granularity.DAY:
        day = date.fromisoformat(bucket)
        return day, day
    if granularity is Granularity.WEEK:
        iso_year, iso_week = bucket.split("-W")
        start = date.fromisocalendar(int(iso_year), int(iso_week), 1)
        return start, start + timedelta(days=6)
    year, month = (int(p) for p in bucket.split("-"))
    start = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return start, following - timedelta(days=1)


def _today(tenant_id: str) -> date:
    from chalicelib.store.tenants import get_tenant

    tenant = get_tenant(tenant_id)
    zone = load_time_zone(tenant.time_zone if tenant else None) or ZoneInfo("UTC")
    return clock.now().astimezone(zone).date()


def feedback_report(tenant_id: str, query: FeedbackReportQuery) -> FeedbackReport:
    """The report of ``query`` for the tenant (see module docstring for its cost)."""
    first, last = query.date_from, query.date_to
    if first is None or last is None:
        today = _today(tenant_id)
        last = last or today
        first = first or (last - timedelta(days=DEFAULT_DAYS - 1))
    if last < first:
        raise BadRequest("'to' is before 'from'", code="invalid_query")
    granularity = Granularity(query.granularity)
    keys = bucket_keys_between(first, last, granularity)
    kinds = [Metric(query.kind)] if query.kind else list(Metric)
    g = granularity.value
    low, high = f"{g}#{keys[0]}#", f"{g}#{keys[-1]}$"
    per_bucket: dict[str, Tally] = {k: Tally() for k in keys}
    for stored in store.report_counters(tenant_id, answers.ALL, low, high):
        _, bucket, _value = str(stored["sk"]).split("#", 2)
        if bucket in per_bucket:
            per_bucket[bucket].add(stored)
    groups: dict[str, Tally] = {}
    if query.group_by:
        # One more Query: a row per bucket and agent (or product) inside the range.
        for stored in store.report_counters(tenant_id, query.group_by, low, high):
            _, bucket, value = str(stored["sk"]).split("#", 2)
            if bucket in per_bucket:
                groups.setdefault(value, Tally()).add(stored)
    totals = Tally()
    for tally in per_bucket.values():
        for metric in Metric:
            totals.counters[metric] = answers.add_counters(
                totals.counters[metric], tally.counters[metric]
            )
            totals.sent[metric] += tally.sent[metric]
    buckets = []
    for bucket_key, tally in per_bucket.items():
        starts, ends = bucket_range(bucket_key, granularity)
        buckets.append(
            FeedbackBucket(
                bucket=bucket_key, starts_on=starts, ends_on=ends, **tally.figures(kinds)
            )
        )
    return FeedbackReport(
        date_from=first,
        date_to=last,
        covered_from=buckets[0].starts_on,
        covered_to=buckets[-1].ends_on,
        granularity=granularity.value,
        group_by=query.group_by,
        totals=FeedbackFigures(**totals.figures(kinds)),
        buckets=buckets,
        groups=(
            [FeedbackGroup(key=k, **groups[k].figures(kinds)) for k in sorted(groups)]
            if query.group_by
            else None
        ),
    )
