"""Order-book aggregation: open orders to price levels, best first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

BUY, SELL = 0, 1  # Side


@dataclass(frozen=True)
class RestingOrder:
    side: int  # 0 buy, 1 sell
    price: int  # funding-asset units per share
    remaining: int  # shares


@dataclass(frozen=True)
class PriceLevel:
    price: int
    amount: int  # shares resting at this price


@dataclass(frozen=True)
class OrderBook:
    bids: list[PriceLevel]  # highest price first
    asks: list[PriceLevel]  # lowest price first


def aggregate(orders: Iterable[RestingOrder], *, max_levels: int | None = None) -> OrderBook:
    """Sums the remaining shares of open orders per side and price; orders with nothing left
    are skipped, so a level never shows zero shares."""
    totals: dict[int, dict[int, int]] = {BUY: defaultdict(int), SELL: defaultdict(int)}
    for order in orders:
        if order.remaining > 0 and order.side in totals:
            totals[order.side][order.price] += order.remaining

    def levels(side: int, best_first_descending: bool) -> list[PriceLevel]:
        prices = sorted(totals[side], reverse=best_first_descending)[:max_levels]
        return [PriceLevel(p, totals[side][p]) for p in prices]

    return OrderBook(bids=levels(BUY, True), asks=levels(SELL, False))
