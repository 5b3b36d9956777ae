"""API services without HTTP or a database: unit formatting and order-book aggregation."""

from __future__ import annotations

import pytest

from backend.api.services.orderbook import BUY, SELL, OrderBook, PriceLevel, RestingOrder, aggregate
from backend.api.services.units import format_units
from backend.common.vocabulary import goal_names, metric_decimals, metric_names


@pytest.mark.parametrize(
    ("raw", "decimals", "text"),
    [
        (12_500_000, 6, "12.5"),
        (12_000_000, 6, "12"),
        (1, 6, "0.000001"),
        (0, 6, "0"),
        (10_000_001, 6, "10.000001"),
        (1_234_567, 3, "1234.567"),
        (1_234_500, 3, "1234.5"),
        (42, 0, "42"),
        (
            2**256 - 1,
            18,
            "115792089237316195423570985008687907853269984665640564039457.584007913129639935",
        ),
        (10**18, 18, "1"),
        (-1_500_000, 6, "-1.5"),
    ],
)
def test_format_units_is_exact_and_canonical(raw: int, decimals: int, text: str) -> None:
    assert format_units(raw, decimals) == text


def test_format_units_refuses_negative_decimals() -> None:
    with pytest.raises(ValueError, match="decimals"):
        format_units(1, -1)


def test_aggregate_sums_levels_best_first() -> None:
    book = aggregate(
        [
            RestingOrder(BUY, 12_000_000, 5),
            RestingOrder(SELL, 13_000_000, 10),
            RestingOrder(BUY, 12_500_000, 3),
            RestingOrder(SELL, 12_750_000, 4),
            RestingOrder(BUY, 12_000_000, 7),
            RestingOrder(SELL, 13_000_000, 1),
            RestingOrder(BUY, 11_000_000, 1),
        ]
    )
    assert book == OrderBook(
        bids=[PriceLevel(12_500_000, 3), PriceLevel(12_000_000, 12), PriceLevel(11_000_000, 1)],
        asks=[PriceLevel(12_750_000, 4), PriceLevel(13_000_000, 11)],
    )


def test_aggregate_skips_orders_with_nothing_left() -> None:
    book = aggregate([RestingOrder(BUY, 5, 0), RestingOrder(SELL, 6, 0), RestingOrder(SELL, 7, 2)])
    assert book == OrderBook(bids=[], asks=[PriceLevel(7, 2)])


def test_aggregate_limits_levels_per_side() -> None:
    orders = [RestingOrder(BUY, p, 1) for p in (1, 2, 3)] + [
        RestingOrder(SELL, p, 1) for p in (4, 5, 6)
    ]
    book = aggregate(orders, max_levels=2)
    assert [lv.price for lv in book.bids] == [3, 2]
    assert [lv.price for lv in book.asks] == [4, 5]


def test_aggregate_of_nothing_is_an_empty_book() -> None:
    assert aggregate([]) == OrderBook(bids=[], asks=[])


def test_goal_and_metric_bit_sets_name_their_members() -> None:
    assert goal_names(0b1010) == ["jobs", "infrastructure"]
    assert metric_names(0b1011001) == ["ENERGY_KWH", "UPTIME_BPS", "REVENUE", "JOBS_FTE"]


def test_revenue_readings_use_the_funding_asset_decimals() -> None:
    assert [metric_decimals(m, 6) for m in range(7)] == [3, 3, 3, 0, 6, 3, 2]
    assert metric_decimals(4, 18) == 18
