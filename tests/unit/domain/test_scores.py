"""Score maths: scales, counter deltas, CSAT / NPS / CES figures, closed loop, report buckets."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import Invalid
from chalicelib.domain.scores import (
    MAX_BUCKETS,
    SCALES,
    ClosedLoopThresholds,
    CounterDelta,
    Counters,
    Granularity,
    Metric,
    apply_delta,
    bucket_key,
    bucket_keys,
    bucket_keys_between,
    ces_report,
    counters_from_scores,
    csat_report,
    edit_delta,
    needs_closed_loop,
    nps_report,
    removal_delta,
    response_delta,
    response_rate_pct,
    validate_score,
)


@pytest.mark.parametrize(
    ("metric", "low", "high"),
    [(Metric.CSAT, 1, 5), (Metric.NPS, 0, 10), (Metric.CES, 1, 7)],
)
def test_scales_accept_exactly_their_range(metric: Metric, low: int, high: int) -> None:
    assert list(SCALES[metric].values()) == list(range(low, high + 1))
    for score in range(low, high + 1):
        assert validate_score(metric, score) == score
    for bad in (low - 1, high + 1):
        with pytest.raises(Invalid) as info:
            validate_score(metric, bad)
        assert info.value.code == "score_out_of_range"


@pytest.mark.parametrize("bad", [True, False, 3.0, "3", None])
def test_non_integers_are_not_scores(bad: object) -> None:
    with pytest.raises(Invalid):
        validate_score(Metric.CSAT, bad)  # type: ignore[arg-type]


# --- NPS -------------------------------------------------------------------------------------


def test_nps_with_no_responses_is_none_not_zero() -> None:
    report = nps_report(Counters())
    assert report.responses == 0
    assert report.nps is None
    assert report.promoters_pct is None
    assert (report.promoters, report.passives, report.detractors) == (0, 0, 0)


def test_nps_all_passives_is_zero() -> None:
    report = nps_report(counters_from_scores(Metric.NPS, [7, 8, 7, 8, 8]))
    assert report.nps == 0.0
    assert report.passives == 5
    assert report.passives_pct == 100.0
    assert report.promoters_pct == 0.0


def test_nps_all_promoters_and_all_detractors() -> None:
    assert nps_report(counters_from_scores(Metric.NPS, [9, 10])).nps == 100.0
    assert nps_report(counters_from_scores(Metric.NPS, [0, 6, 3])).nps == -100.0


def test_nps_boundaries() -> None:
    report = nps_report(counters_from_scores(Metric.NPS, [6, 7, 8, 9]))
    assert (report.detractors, report.passives, report.promoters) == (1, 2, 1)
    assert report.nps == 0.0


def test_nps_is_rounded_once_from_raw_counts() -> None:
    # 1 promoter, 0 detractors out of 3: 33.333... -> 33.3; shares 33.3 / 66.7 / 0.0.
    report = nps_report(counters_from_scores(Metric.NPS, [10, 7, 8]))
    assert report.nps == 33.3
    # 2 promoters, 1 detractor, 3 passives out of 6: (2 - 1) / 6 = 16.666... -> 16.7
    report = nps_report(counters_from_scores(Metric.NPS, [9, 9, 0, 7, 7, 7]))
    assert report.nps == 16.7
    assert report.promoters_pct == 33.3
    assert report.detractors_pct == 16.7


# --- CSAT / CES ------------------------------------------------------------------------------


def test_csat_satisfied_is_four_or_five() -> None:
    report = csat_report(counters_from_scores(Metric.CSAT, [1, 2, 3, 4, 5]))
    assert report.satisfied == 2
    assert report.satisfied_pct == 40.0
    assert report.average == 3.0
    empty = csat_report(Counters())
    assert (empty.satisfied_pct, empty.average) == (None, None)


def test_csat_average_rounds_to_two_decimals() -> None:
    assert csat_report(counters_from_scores(Metric.CSAT, [5, 4, 4])).average == 4.33


def test_ces_average_and_low_effort() -> None:
    report = ces_report(counters_from_scores(Metric.CES, [1, 2, 3, 4, 7]))
    assert report.average == 3.4
    assert report.low_effort == 3
    assert report.low_effort_pct == 60.0
    assert ces_report(counters_from_scores(Metric.CES, [4]), low_effort_max=4).low_effort == 1
    assert ces_report(Counters()).average is None


# --- response rate ---------------------------------------------------------------------------


def test_response_rate() -> None:
    assert response_rate_pct(0, 0) is None
    assert response_rate_pct(1, 3) == 33.3
    assert response_rate_pct(5, 3) == 100.0  # answers from sends of an earlier bucket
    with pytest.raises(Invalid):
        response_rate_pct(-1, 3)


# --- counters under edits --------------------------------------------------------------------


def test_edit_delta_moves_one_response_between_scores() -> None:
    counters = apply_delta(Counters(), response_delta(Metric.NPS, 3))
    counters = apply_delta(counters, edit_delta(Metric.NPS, 3, 9))
    assert counters == Counters(responses=1, total=9, by_score={9: 1})
    assert nps_report(counters).promoters == 1
    assert nps_report(counters).detractors == 0


def test_unchanged_score_is_an_empty_delta() -> None:
    assert edit_delta(Metric.CSAT, 4, 4) == CounterDelta()


def test_removal_undoes_a_response() -> None:
    counters = counters_from_scores(Metric.CES, [2, 5])
    counters = apply_delta(counters, removal_delta(Metric.CES, 5))
    assert counters == counters_from_scores(Metric.CES, [2])


def test_deltas_reject_scores_off_the_scale() -> None:
    with pytest.raises(Invalid):
        edit_delta(Metric.CSAT, 3, 6)
    with pytest.raises(Invalid):
        response_delta(Metric.NPS, 11)


@given(
    st.sampled_from(list(Metric)),
    st.lists(st.tuples(st.integers(0, 10), st.lists(st.integers(0, 10), max_size=3)), max_size=30),
    st.randoms(use_true_random=False),
)
def test_counters_under_edits_equal_a_recount_of_final_scores(
    metric: Metric, histories: list[tuple[int, list[int]]], rnd: random.Random
) -> None:
    """Apply create + edit deltas of many responses in a shuffled order: the counters equal the
    counters recomputed from the final scores (deltas commute; edits never double-count)."""
    scale = SCALES[metric]

    def clamp(score: int) -> int:
        return scale.low + score % (scale.high - scale.low + 1)

    deltas: list[CounterDelta] = []
    finals: list[int] = []
    for first, edits in histories:
        score = clamp(first)
        deltas.append(response_delta(metric, score))
        for edit in edits:
            new = clamp(edit)
            deltas.append(edit_delta(metric, score, new))
            score = new
        finals.append(score)
    rnd.shuffle(deltas)
    counters = Counters()
    for delta in deltas:
        counters = apply_delta(counters, delta)
    assert counters == counters_from_scores(metric, finals)
    assert counters.responses == len(finals)
    assert counters.total == sum(finals)


# --- closed loop -----------------------------------------------------------------------------


def test_closed_loop_defaults() -> None:
    assert [s for s in range(11) if needs_closed_loop(Metric.NPS, s)] == list(range(7))
    assert [s for s in range(1, 6) if needs_closed_loop(Metric.CSAT, s)] == [1, 2]
    assert [s for s in range(1, 8) if needs_closed_loop(Metric.CES, s)] == [5, 6, 7]


def test_closed_loop_thresholds_are_configurable() -> None:
    strict = ClosedLoopThresholds(nps_max=4, csat_max=3, ces_min=6)
    assert not needs_closed_loop(Metric.NPS, 5, strict)
    assert needs_closed_loop(Metric.CSAT, 3, strict)
    assert not needs_closed_loop(Metric.CES, 5, strict)
    with pytest.raises(Invalid):
        needs_closed_loop(Metric.CSAT, 0)


# --- buckets ---------------------------------------------------------------------------------


def test_bucket_keys_are_local_dates() -> None:
    # 23:30 UTC on 31 March is already 1 April in Vilnius (UTC+3 in summer).
    instant = datetime(2024, 3, 31, 23, 30, tzinfo=UTC)
    vilnius = ZoneInfo("Europe/Vilnius")
    assert bucket_keys(instant, vilnius) == {
        Granularity.DAY: "2024-04-01",
        Granularity.WEEK: "2024-W14",
        Granularity.MONTH: "2024-04",
    }
    assert bucket_key(instant, Granularity.DAY, ZoneInfo("UTC")) == "2024-03-31"


def test_iso_week_year_differs_from_calendar_year_at_new_year() -> None:
    assert bucket_key(
        datetime(2024, 12, 30, 12, tzinfo=UTC), Granularity.WEEK, ZoneInfo("UTC")
    ) == ("2025-W01")
    assert bucket_key(datetime(2021, 1, 1, 12, tzinfo=UTC), Granularity.WEEK, ZoneInfo("UTC")) == (
        "2020-W53"
    )


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        bucket_key(datetime(2024, 1, 1), Granularity.DAY, ZoneInfo("UTC"))


def test_bucket_keys_between() -> None:
    assert bucket_keys_between(date(2024, 2, 27), date(2024, 3, 2), Granularity.DAY) == [
        "2024-02-27",
        "2024-02-28",
        "2024-02-29",
        "2024-03-01",
        "2024-03-02",
    ]
    assert bucket_keys_between(date(2024, 12, 25), date(2025, 1, 8), Granularity.WEEK) == [
        "2024-W52",
        "2025-W01",
        "2025-W02",
    ]
    assert bucket_keys_between(date(2024, 11, 30), date(2025, 2, 1), Granularity.MONTH) == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
    assert bucket_keys_between(date(2024, 5, 5), date(2024, 5, 5), Granularity.MONTH) == ["2024-05"]


def test_bucket_ranges_are_bounded() -> None:
    with pytest.raises(Invalid) as info:
        bucket_keys_between(date(2024, 2, 2), date(2024, 2, 1), Granularity.DAY)
    assert info.value.code == "invalid_range"
    start = date(2020, 1, 1)
    keys = bucket_keys_between(
        start, date.fromordinal(start.toordinal() + MAX_BUCKETS - 1), Granularity.DAY
    )
    assert len(keys) == MAX_BUCKETS
    with pytest.raises(Invalid):
        bucket_keys_between(
            start, date.fromordinal(start.toordinal() + MAX_BUCKETS), Granularity.DAY
        )


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)), st.integers(0, 400))
def test_every_day_of_a_range_falls_in_one_of_its_buckets(first: date, span: int) -> None:
    last = date.fromordinal(first.toordinal() + span)
    for granularity in Granularity:
        keys = bucket_keys_between(first, last, granularity)
        assert keys == sorted(keys)
        assert len(set(keys)) == len(keys)
        for day in (first, last, date.fromordinal(first.toordinal() + span // 2)):
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
            assert bucket_key(noon, granularity, ZoneInfo("UTC")) in keys
