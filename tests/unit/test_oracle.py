"""MetricsOracle: reporters managed by the admin or the project's sponsor; readings only for
declared metrics, in aligned periods that have ended, strictly newer per (project, metric), with
counters that never decrease and energy and uptime within physical limits."""

import brownie
import pytest
from helpers import (
    CO2_AVOIDED_KG,
    ENERGY_KWH,
    ENERGY_SAVED_KWH,
    HOUR,
    JOBS_FTE,
    REVENUE,
    STORAGE_THROUGHPUT_KWH,
    UPTIME_BPS,
    err,
    now,
    plain,
    set_next_timestamp,
)

CAPACITY_KW = 500  # create_project's default: at most 500_000 Wh per hour


@pytest.fixture
def deal(create_project):
    return create_project()


@pytest.fixture
def authorised(deal, oracle, admin, reporter):
    oracle.setReporter(deal.project, reporter, True, {"from": admin})
    return deal


@pytest.fixture
def period():
    """Start of an aligned period that ended ten hours ago."""
    return (now() // HOUR - 10) * HOUR


def post(oracle, by, *readings):
    return oracle.postReadings(list(readings), {"from": by})


def latest(oracle, deal, metric):
    """(value, period, postedAt)"""
    return plain(oracle.latestReading(deal.project, metric))


# ------------------------------------------------------------------------------ reporters


def test_admin_authorises_a_reporter_and_emits(deal, oracle, admin, reporter):
    tx = oracle.setReporter(deal.project, reporter, True, {"from": admin})
    assert oracle.isReporter(deal.project, reporter) is True
    assert plain(tx.events["ReporterSet"].values()) == plain((deal.project, reporter, True))


def test_sponsor_authorises_a_reporter(deal, oracle, sponsor, reporter):
    oracle.setReporter(deal.project, reporter, True, {"from": sponsor})
    assert oracle.isReporter(deal.project, reporter) is True


def test_deauthorised_reporter_can_no_longer_post(authorised, oracle, sponsor, reporter, period):
    oracle.setReporter(authorised.project, reporter, False, {"from": sponsor})
    assert oracle.isReporter(authorised.project, reporter) is False
    with brownie.reverts(err("NotReporter", reporter, authorised.project)):
        post(oracle, reporter, (authorised.project, ENERGY_KWH, period, 1))


@pytest.mark.parametrize(
    "who", ["implementor", "operator", "verifier", "reporter", "outsider", "alice"]
)
def test_others_can_not_manage_reporters(request, deal, oracle, reporter, who):
    caller = request.getfixturevalue(who)
    with brownie.reverts(err("NotProjectManager", caller, deal.project)):
        oracle.setReporter(deal.project, reporter, True, {"from": caller})


def test_reporter_for_an_unknown_project_reverts(oracle, usdc, admin, reporter):
    with brownie.reverts(err("UnknownProject", usdc)):
        oracle.setReporter(usdc, reporter, True, {"from": admin})


def test_reporters_are_authorised_per_project(authorised, create_project, oracle, reporter, period):
    other = create_project(symbol="OTH")
    with brownie.reverts(err("NotReporter", reporter, other.project)):
        post(oracle, reporter, (other.project, ENERGY_KWH, period, 1))


def test_period_seconds_is_the_constructor_value(oracle):
    assert oracle.periodSeconds() == HOUR


# ---------------------------------------------------------------------------------- posting


def test_oracle_with_a_zero_period_is_refused(MetricsOracle, factory, admin):
    with brownie.reverts(err("ZeroPeriod")):
        MetricsOracle.deploy(factory, 0, {"from": admin})


def test_post_stores_the_latest_reading_and_emits(authorised, oracle, reporter, period):
    tx = post(oracle, reporter, (authorised.project, ENERGY_KWH, period, 123_456))
    assert latest(oracle, authorised, ENERGY_KWH) == (123_456, period, tx.timestamp)
    assert plain(tx.events["ReadingPosted"].values()) == plain(
        (authorised.project, ENERGY_KWH, period, 123_456, reporter)
    )


def test_latest_reading_is_zero_before_the_first(deal, oracle):
    assert latest(oracle, deal, ENERGY_KWH) == (0, 0, 0)


def test_a_batch_posts_every_reading(authorised, oracle, reporter, period):
    p = authorised.project
    tx = post(
        oracle,
        reporter,
        (p, ENERGY_KWH, period, 10),
        (p, UPTIME_BPS, period, 9_900),
        (p, JOBS_FTE, period, 250),
    )
    assert len(tx.events["ReadingPosted"]) == 3
    assert [latest(oracle, authorised, m)[0] for m in (ENERGY_KWH, UPTIME_BPS, JOBS_FTE)] == [
        10,
        9_900,
        250,
    ]


def test_empty_batch_reverts(oracle, reporter):
    with brownie.reverts(err("EmptyBatch")):
        post(oracle, reporter)


def test_post_by_a_non_reporter_reverts(authorised, oracle, outsider, period):
    with brownie.reverts(err("NotReporter", outsider, authorised.project)):
        post(oracle, outsider, (authorised.project, ENERGY_KWH, period, 1))


@pytest.mark.parametrize("metric", [7, 255])
def test_unknown_metric_reverts(authorised, oracle, reporter, period, metric):
    with brownie.reverts(err("UnknownMetric", metric)):
        post(oracle, reporter, (authorised.project, metric, period, 1))


def test_metric_not_declared_by_the_project_reverts(
    create_project, oracle, admin, reporter, period
):
    deal = create_project(metrics_mask=1 << ENERGY_KWH)
    oracle.setReporter(deal.project, reporter, True, {"from": admin})
    with brownie.reverts(err("MetricNotDeclared", deal.project, UPTIME_BPS)):
        post(oracle, reporter, (deal.project, UPTIME_BPS, period, 1))


def test_declared_metric_of_a_narrow_mask_is_accepted(
    create_project, oracle, admin, reporter, period
):
    deal = create_project(metrics_mask=1 << UPTIME_BPS)
    oracle.setReporter(deal.project, reporter, True, {"from": admin})
    post(oracle, reporter, (deal.project, UPTIME_BPS, period, 1))
    assert latest(oracle, deal, UPTIME_BPS)[0] == 1


def test_unaligned_period_reverts(authorised, oracle, reporter, period):
    with brownie.reverts(err("PeriodNotAligned", period + 1, HOUR)):
        post(oracle, reporter, (authorised.project, ENERGY_KWH, period + 1, 1))


def test_period_ending_within_the_clock_skew_is_accepted(authorised, oracle, reporter):
    start = (now() // HOUR + 2) * HOUR
    set_next_timestamp(start + HOUR - 300)
    post(oracle, reporter, (authorised.project, ENERGY_KWH, start, 1))
    assert latest(oracle, authorised, ENERGY_KWH)[1] == start


def test_period_ending_beyond_the_clock_skew_reverts(authorised, oracle, reporter):
    start = (now() // HOUR + 2) * HOUR
    set_next_timestamp(start + HOUR - 301)
    with brownie.reverts(err("PeriodNotEnded", start, start + HOUR)):
        post(oracle, reporter, (authorised.project, ENERGY_KWH, start, 1))


# ------------------------------------------------------------------ ordering and retries


def test_same_period_again_reverts(authorised, oracle, reporter, period):
    post(oracle, reporter, (authorised.project, ENERGY_KWH, period, 1))
    with brownie.reverts(
        err("PeriodAlreadyReported", authorised.project, ENERGY_KWH, period, period)
    ):
        post(oracle, reporter, (authorised.project, ENERGY_KWH, period, 2))


def test_older_period_reverts(authorised, oracle, reporter, period):
    post(oracle, reporter, (authorised.project, ENERGY_KWH, period, 1))
    with brownie.reverts(
        err("PeriodAlreadyReported", authorised.project, ENERGY_KWH, period - HOUR, period)
    ):
        post(oracle, reporter, (authorised.project, ENERGY_KWH, period - HOUR, 1))


def test_retried_batch_is_refused_with_the_named_error_and_counts_nothing_twice(
    authorised, oracle, reporter, period
):
    p = authorised.project
    batch = [(p, ENERGY_KWH, period, 1_000), (p, UPTIME_BPS, period, 9_500)]
    first = post(oracle, reporter, *batch)
    with brownie.reverts(err("PeriodAlreadyReported", p, ENERGY_KWH, period, period)):
        post(oracle, reporter, *batch)
    assert latest(oracle, authorised, ENERGY_KWH) == (1_000, period, first.timestamp)
    assert latest(oracle, authorised, UPTIME_BPS) == (9_500, period, first.timestamp)


def test_a_batch_with_one_bad_reading_posts_nothing(authorised, oracle, reporter, period):
    p = authorised.project
    with brownie.reverts(err("ValueImplausible", UPTIME_BPS, 10_001, 10_000)):
        post(oracle, reporter, (p, ENERGY_KWH, period, 1_000), (p, UPTIME_BPS, period, 10_001))
    assert latest(oracle, authorised, ENERGY_KWH) == (0, 0, 0)


def test_a_batch_may_carry_successive_periods_of_one_metric(authorised, oracle, reporter, period):
    p = authorised.project
    post(oracle, reporter, (p, ENERGY_KWH, period, 1), (p, ENERGY_KWH, period + HOUR, 2))
    assert latest(oracle, authorised, ENERGY_KWH)[:2] == (2, period + HOUR)


def test_periods_are_tracked_per_metric(authorised, oracle, reporter, period):
    p = authorised.project
    post(oracle, reporter, (p, ENERGY_KWH, period + HOUR, 1))
    post(oracle, reporter, (p, UPTIME_BPS, period, 1))
    assert latest(oracle, authorised, UPTIME_BPS)[1] == period


def test_periods_are_tracked_per_project(
    authorised, create_project, oracle, admin, reporter, period
):
    other = create_project(symbol="OTH")
    oracle.setReporter(other.project, reporter, True, {"from": admin})
    post(oracle, reporter, (authorised.project, ENERGY_KWH, period + HOUR, 1))
    post(oracle, reporter, (other.project, ENERGY_KWH, period, 1))
    assert latest(oracle, other, ENERGY_KWH)[1] == period


# ------------------------------------------------------------------------- plausibility


@pytest.mark.parametrize(
    "metric", [ENERGY_KWH, ENERGY_SAVED_KWH, STORAGE_THROUGHPUT_KWH, CO2_AVOIDED_KG]
)
def test_counter_that_decreases_reverts(authorised, oracle, reporter, period, metric):
    if metric == CO2_AVOIDED_KG:  # bounded by the energy reported before it
        post(oracle, reporter, (authorised.project, ENERGY_KWH, period, 1_000))
    post(oracle, reporter, (authorised.project, metric, period, 1_000))
    with brownie.reverts(err("CounterDecreased", metric, 999, 1_000)):
        post(oracle, reporter, (authorised.project, metric, period + HOUR, 999))


def test_counter_may_stay_unchanged(authorised, oracle, reporter, period):
    post(oracle, reporter, (authorised.project, ENERGY_KWH, period, 1_000))
    post(oracle, reporter, (authorised.project, ENERGY_KWH, period + HOUR, 1_000))
    assert latest(oracle, authorised, ENERGY_KWH)[:2] == (1_000, period + HOUR)


@pytest.mark.parametrize("metric", [ENERGY_KWH, STORAGE_THROUGHPUT_KWH])
def test_energy_up_to_capacity_times_elapsed_time_is_accepted(
    authorised, oracle, reporter, period, metric
):
    post(oracle, reporter, (authorised.project, metric, period, 7))
    post(oracle, reporter, (authorised.project, metric, period + HOUR, 7 + CAPACITY_KW * 1000))
    assert latest(oracle, authorised, metric)[0] == 500_007


@pytest.mark.parametrize("metric", [ENERGY_KWH, STORAGE_THROUGHPUT_KWH])
def test_energy_beyond_capacity_times_elapsed_time_reverts(
    authorised, oracle, reporter, period, metric
):
    post(oracle, reporter, (authorised.project, metric, period, 7))
    with brownie.reverts(err("ValueImplausible", metric, 500_001, 500_000)):
        post(oracle, reporter, (authorised.project, metric, period + HOUR, 7 + 500_001))


def test_energy_limit_grows_with_the_time_since_the_last_reading(
    authorised, oracle, reporter, period
):
    post(oracle, reporter, (authorised.project, ENERGY_KWH, period, 0))
    with brownie.reverts(err("ValueImplausible", ENERGY_KWH, 1_500_001, 1_500_000)):
        post(oracle, reporter, (authorised.project, ENERGY_KWH, period + 3 * HOUR, 1_500_001))
    post(oracle, reporter, (authorised.project, ENERGY_KWH, period + 3 * HOUR, 1_500_000))


def test_energy_limit_follows_the_projects_capacity(
    create_project, oracle, admin, reporter, period
):
    deal = create_project(capacity_kw=3)
    oracle.setReporter(deal.project, reporter, True, {"from": admin})
    post(oracle, reporter, (deal.project, ENERGY_KWH, period, 0))
    with brownie.reverts(err("ValueImplausible", ENERGY_KWH, 3_001, 3_000)):
        post(oracle, reporter, (deal.project, ENERGY_KWH, period + HOUR, 3_001))


@pytest.mark.parametrize("metric", [ENERGY_KWH, STORAGE_THROUGHPUT_KWH])
def test_first_energy_reading_counts_from_zero_and_is_held_to_one_period(
    authorised, oracle, reporter, period, metric
):
    # CAPACITY_KW x one hour, in Wh: the counter starts with the first period reported.
    with brownie.reverts(err("ValueImplausible", metric, 500_001, 500_000)):
        post(oracle, reporter, (authorised.project, metric, period, 500_001))
    post(oracle, reporter, (authorised.project, metric, period, 500_000))
    assert latest(oracle, authorised, metric)[0] == 500_000


def test_co2_avoided_is_at_most_two_kg_per_kwh_reported(authorised, oracle, reporter, period):
    energy = (authorised.project, ENERGY_KWH, period, 1_000)  # 1 kWh
    with brownie.reverts(err("ValueImplausible", CO2_AVOIDED_KG, 2_001, 2_000)):
        post(oracle, reporter, energy, (authorised.project, CO2_AVOIDED_KG, period, 2_001))
    post(oracle, reporter, energy, (authorised.project, CO2_AVOIDED_KG, period, 2_000))
    assert latest(oracle, authorised, CO2_AVOIDED_KG)[0] == 2_000


def test_co2_avoided_may_follow_from_energy_saved(authorised, oracle, reporter, period):
    post(oracle, reporter, (authorised.project, ENERGY_SAVED_KWH, period, 500))
    with brownie.reverts(err("ValueImplausible", CO2_AVOIDED_KG, 2**128 - 1, 1_000)):
        post(oracle, reporter, (authorised.project, CO2_AVOIDED_KG, period, 2**128 - 1))
    post(oracle, reporter, (authorised.project, CO2_AVOIDED_KG, period, 1_000))


def test_co2_avoided_without_energy_reverts(authorised, oracle, reporter, period):
    with brownie.reverts(err("ValueImplausible", CO2_AVOIDED_KG, 1, 0)):
        post(oracle, reporter, (authorised.project, CO2_AVOIDED_KG, period, 1))


def test_energy_saved_is_not_bounded_by_capacity(authorised, oracle, reporter, period):
    post(oracle, reporter, (authorised.project, ENERGY_SAVED_KWH, period, 0))
    post(oracle, reporter, (authorised.project, ENERGY_SAVED_KWH, period + HOUR, 10**12))
    assert latest(oracle, authorised, ENERGY_SAVED_KWH)[0] == 10**12


def test_uptime_of_the_whole_period_is_accepted(authorised, oracle, reporter, period):
    post(oracle, reporter, (authorised.project, UPTIME_BPS, period, 10_000))
    assert latest(oracle, authorised, UPTIME_BPS)[0] == 10_000


def test_uptime_above_the_whole_period_reverts(authorised, oracle, reporter, period):
    with brownie.reverts(err("ValueImplausible", UPTIME_BPS, 10_001, 10_000)):
        post(oracle, reporter, (authorised.project, UPTIME_BPS, period, 10_001))


@pytest.mark.parametrize("metric", [UPTIME_BPS, JOBS_FTE, REVENUE])
def test_gauges_and_per_period_values_may_go_down(authorised, oracle, reporter, period, metric):
    post(oracle, reporter, (authorised.project, metric, period, 9_000))
    post(oracle, reporter, (authorised.project, metric, period + HOUR, 8_000))
    assert latest(oracle, authorised, metric)[0] == 8_000
