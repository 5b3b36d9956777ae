"""ShareExchange: limit orders that rest, cross at the resting price with price-time priority,
fill partially, cancel exactly, prevent self-trades, stop at the match limit, and halt with the
project (cancels still work)."""

import brownie
import pytest
from helpers import (
    BUY,
    CANCELLED,
    FILLED,
    OPEN,
    SELL,
    err,
    plain,
    set_next_timestamp,
)

USDC = 10**6


@pytest.fixture
def deal(building_project):
    """Building (trading open); alice 60 shares, bob 40; carol and dave hold none."""
    return building_project()


def order_of(exchange, order_id):
    """(maker, side, status, project, price, amount, remaining, next, prev)."""
    return plain(exchange.order(order_id))


def book(exchange, deal, side, levels=10):
    prices, amounts = exchange.depth(deal.project, side, levels)
    return list(zip(plain(prices), plain(amounts), strict=True))


def trades(tx):
    """[(maker order, taker order, maker, taker, taker side, price, amount)] of every Trade."""
    if "Trade" not in tx.events:
        return []
    fields = ("makerOrderId", "takerOrderId", "maker", "taker", "takerSide", "price", "amount")
    return [plain(tuple(t[f] for f in fields)) for t in tx.events["Trade"]]


# --------------------------------------------------------------------------------- resting


def test_sell_order_rests_and_locks_the_shares_in_the_sellers_balance(deal, exchange, place, alice):
    tx = place(deal, alice, SELL, 12 * USDC, 10)
    assert tx.return_value == 1
    assert order_of(exchange, 1) == plain(
        (alice, SELL, OPEN, deal.project, 12 * USDC, 10, 10, 0, 0)
    )
    assert deal.project.lockedShares(alice) == 10
    assert deal.project.balanceOf(alice) == 60
    assert deal.project.balanceOf(exchange) == 0
    assert exchange.bestPrice(deal.project, SELL) == 12 * USDC


def test_buy_order_rests_and_escrows_price_times_amount(deal, usdc, exchange, place, carol):
    place(deal, carol, BUY, 12 * USDC, 10)
    assert order_of(exchange, 1) == plain((carol, BUY, OPEN, deal.project, 12 * USDC, 10, 10, 0, 0))
    assert usdc.balanceOf(exchange) == 120 * USDC
    assert usdc.balanceOf(carol) == 0
    assert exchange.bestPrice(deal.project, BUY) == 12 * USDC


def test_order_placed_event_describes_the_order(deal, place, alice):
    tx = place(deal, alice, SELL, 12 * USDC, 10)
    assert plain(tx.events["OrderPlaced"].values()) == plain(
        (1, deal.project, alice, SELL, 12 * USDC, 10)
    )


def test_order_ids_start_at_one_and_count_up(deal, exchange, place, alice, carol):
    assert exchange.nextOrderId() == 1
    assert place(deal, alice, SELL, 12 * USDC, 1).return_value == 1
    assert place(deal, carol, BUY, 10 * USDC, 1).return_value == 2
    assert exchange.nextOrderId() == 3


def test_orders_that_do_not_cross_rest_on_both_sides(deal, exchange, place, alice, carol):
    place(deal, alice, SELL, 12 * USDC, 10)
    place(deal, carol, BUY, 11 * USDC, 10)
    assert book(exchange, deal, SELL) == [(12 * USDC, 10)]
    assert book(exchange, deal, BUY) == [(11 * USDC, 10)]


def test_depth_lists_ask_levels_from_the_lowest_with_their_totals(
    deal, exchange, place, alice, bob
):
    for maker, price, amount in [(alice, 13, 5), (bob, 11, 3), (alice, 12, 4), (bob, 11, 2)]:
        place(deal, maker, SELL, price * USDC, amount)
    assert book(exchange, deal, SELL) == [(11 * USDC, 5), (12 * USDC, 4), (13 * USDC, 5)]


def test_depth_lists_bid_levels_from_the_highest_with_their_totals(
    deal, exchange, place, carol, dave
):
    for maker, price, amount in [(carol, 9, 5), (dave, 11, 3), (carol, 10, 4), (dave, 11, 2)]:
        place(deal, maker, BUY, price * USDC, amount)
    assert book(exchange, deal, BUY) == [(11 * USDC, 5), (10 * USDC, 4), (9 * USDC, 5)]


def test_depth_stops_at_max_levels(deal, exchange, place, alice):
    for price in (13, 11, 12):
        place(deal, alice, SELL, price * USDC, 1)
    assert book(exchange, deal, SELL, levels=2) == [(11 * USDC, 1), (12 * USDC, 1)]


def test_empty_book_has_no_best_price_and_no_depth(deal, exchange):
    assert exchange.bestPrice(deal.project, BUY) == 0
    assert book(exchange, deal, SELL) == []


# -------------------------------------------------------------------------------- crossing


def test_buy_crosses_a_resting_sell_at_the_resting_price(deal, usdc, exchange, place, alice, carol):
    place(deal, alice, SELL, 12 * USDC, 10)
    tx = place(deal, carol, BUY, 15 * USDC, 10)  # funded with 150 USDC
    assert trades(tx) == [plain((1, 2, alice, carol, BUY, 12 * USDC, 10))]
    assert [usdc.balanceOf(carol), usdc.balanceOf(alice), usdc.balanceOf(exchange)] == [
        30 * USDC,
        120 * USDC,
        0,
    ]
    assert [deal.project.balanceOf(carol), deal.project.balanceOf(alice)] == [10, 50]
    assert deal.project.lockedShares(alice) == 0
    assert [order_of(exchange, 1)[2], order_of(exchange, 2)[2]] == [FILLED, FILLED]


def test_sell_crosses_a_resting_buy_at_the_resting_price(deal, usdc, exchange, place, alice, carol):
    place(deal, carol, BUY, 12 * USDC, 10)
    tx = place(deal, alice, SELL, 8 * USDC, 10)
    assert trades(tx) == [plain((1, 2, carol, alice, SELL, 12 * USDC, 10))]
    assert [usdc.balanceOf(alice), usdc.balanceOf(carol), usdc.balanceOf(exchange)] == [
        120 * USDC,
        0,
        0,
    ]
    assert [deal.project.balanceOf(carol), deal.project.balanceOf(alice)] == [10, 50]
    assert deal.project.lockedShares(alice) == 0


def test_buy_takes_the_lowest_asks_first(deal, usdc, exchange, place, alice, bob, carol):
    place(deal, alice, SELL, 13 * USDC, 5)  # 1
    place(deal, bob, SELL, 11 * USDC, 5)  # 2
    place(deal, alice, SELL, 12 * USDC, 5)  # 3
    tx = place(deal, carol, BUY, 13 * USDC, 12)  # funded 156
    assert [(t[0], t[5], t[6]) for t in trades(tx)] == [
        (2, 11 * USDC, 5),
        (3, 12 * USDC, 5),
        (1, 13 * USDC, 2),
    ]
    assert usdc.balanceOf(carol) == 156 * USDC - (55 + 60 + 26) * USDC
    assert book(exchange, deal, SELL) == [(13 * USDC, 3)]


def test_sell_takes_the_highest_bids_first(deal, usdc, exchange, place, alice, carol, dave):
    place(deal, carol, BUY, 10 * USDC, 5)  # 1
    place(deal, dave, BUY, 12 * USDC, 5)  # 2
    tx = place(deal, alice, SELL, 9 * USDC, 7)
    assert [(t[0], t[5], t[6]) for t in trades(tx)] == [(2, 12 * USDC, 5), (1, 10 * USDC, 2)]
    assert usdc.balanceOf(alice) == 80 * USDC
    assert usdc.balanceOf(exchange) == 30 * USDC  # carol's 3 left at 10


def test_orders_at_one_price_fill_oldest_first(deal, place, alice, bob, carol):
    place(deal, alice, SELL, 12 * USDC, 5)  # 1
    place(deal, bob, SELL, 12 * USDC, 5)  # 2
    tx = place(deal, carol, BUY, 12 * USDC, 7)
    assert [(t[0], t[2], t[6]) for t in trades(tx)] == [(1, alice.address, 5), (2, bob.address, 2)]


def test_a_replaced_order_queues_behind_the_orders_already_resting(
    deal, exchange, place, alice, bob, carol
):
    place(deal, alice, SELL, 12 * USDC, 5)  # 1
    place(deal, bob, SELL, 12 * USDC, 5)  # 2
    exchange.cancelOrder(1, {"from": alice})
    place(deal, alice, SELL, 12 * USDC, 5)  # 3
    tx = place(deal, carol, BUY, 12 * USDC, 5)
    assert [(t[0], t[6]) for t in trades(tx)] == [(2, 5)]


def test_a_buy_below_the_best_ask_does_not_trade(deal, exchange, place, alice, carol):
    place(deal, alice, SELL, 12 * USDC, 5)
    tx = place(deal, carol, BUY, 12 * USDC - 1, 5)
    assert trades(tx) == []
    assert exchange.bestPrice(deal.project, BUY) == 12 * USDC - 1


# --------------------------------------------------------------------------- partial fills


def test_partial_fill_leaves_the_rest_of_the_resting_order(deal, exchange, place, alice, carol):
    place(deal, alice, SELL, 12 * USDC, 10)
    place(deal, carol, BUY, 12 * USDC, 4)
    assert order_of(exchange, 1)[2] == OPEN
    assert order_of(exchange, 1)[6] == 6
    assert book(exchange, deal, SELL) == [(12 * USDC, 6)]
    assert deal.project.lockedShares(alice) == 6


def test_partial_fill_rests_the_rest_of_the_incoming_order_at_its_limit(
    deal, usdc, exchange, place, alice, carol
):
    place(deal, alice, SELL, 10 * USDC, 4)
    place(deal, carol, BUY, 12 * USDC, 10)  # funded 120: pays 4 x 10, escrows 6 x 12
    assert order_of(exchange, 2)[2] == OPEN
    assert order_of(exchange, 2)[6] == 6
    assert usdc.balanceOf(exchange) == 72 * USDC
    assert usdc.balanceOf(carol) == 8 * USDC
    assert book(exchange, deal, BUY) == [(12 * USDC, 6)]


def test_incoming_sell_that_fills_partly_rests_its_rest_locked(deal, exchange, place, alice, carol):
    place(deal, carol, BUY, 12 * USDC, 4)
    place(deal, alice, SELL, 12 * USDC, 10)
    assert order_of(exchange, 2)[6] == 6
    assert deal.project.lockedShares(alice) == 6
    assert deal.project.balanceOf(alice) == 56


# ---------------------------------------------------------------------------------- cancel


def test_cancel_buy_returns_exactly_the_escrow_left_after_a_partial_fill(
    deal, usdc, exchange, place, alice, carol
):
    place(deal, carol, BUY, 12 * USDC, 10)
    place(deal, alice, SELL, 12 * USDC, 3)
    tx = exchange.cancelOrder(1, {"from": carol})
    assert usdc.balanceOf(carol) == 84 * USDC
    assert usdc.balanceOf(exchange) == 0
    assert plain(tx.events["OrderCancelled"].values()) == plain((1, deal.project, carol, 7))
    assert order_of(exchange, 1)[2:7:4] == (CANCELLED, 0)


def test_cancel_sell_unlocks_exactly_the_shares_left_after_a_partial_fill(
    deal, exchange, place, alice, carol
):
    place(deal, alice, SELL, 12 * USDC, 10)
    place(deal, carol, BUY, 12 * USDC, 3)
    tx = exchange.cancelOrder(1, {"from": alice})
    assert deal.project.lockedShares(alice) == 0
    assert deal.project.balanceOf(alice) == 57
    assert tx.events["OrderCancelled"]["remaining"] == 7


def test_cancel_of_the_only_order_empties_the_book(deal, exchange, place, alice):
    place(deal, alice, SELL, 12 * USDC, 10)
    exchange.cancelOrder(1, {"from": alice})
    assert exchange.bestPrice(deal.project, SELL) == 0
    assert book(exchange, deal, SELL) == []


def test_cancel_of_a_middle_level_relinks_its_neighbours(deal, exchange, place, alice, carol):
    for price in (11, 12, 13):
        place(deal, alice, SELL, price * USDC, 1)
    exchange.cancelOrder(2, {"from": alice})
    assert book(exchange, deal, SELL) == [(11 * USDC, 1), (13 * USDC, 1)]
    tx = place(deal, carol, BUY, 13 * USDC, 2)
    assert [t[0] for t in trades(tx)] == [1, 3]


def test_cancel_of_a_middle_order_keeps_the_queue_order(deal, exchange, place, alice, bob, carol):
    place(deal, alice, SELL, 12 * USDC, 1)  # 1
    place(deal, bob, SELL, 12 * USDC, 1)  # 2
    place(deal, alice, SELL, 12 * USDC, 1)  # 3
    exchange.cancelOrder(2, {"from": bob})
    tx = place(deal, carol, BUY, 12 * USDC, 2)
    assert [t[0] for t in trades(tx)] == [1, 3]


def test_cancel_by_another_account_reverts(deal, exchange, place, alice, bob):
    place(deal, alice, SELL, 12 * USDC, 10)
    with brownie.reverts(err("NotMaker", bob, 1)):
        exchange.cancelOrder(1, {"from": bob})


def test_cancel_of_an_unknown_order_reverts(deal, exchange, alice):
    with brownie.reverts(err("UnknownOrder", 99)):
        exchange.cancelOrder(99, {"from": alice})


def test_cancel_of_a_filled_order_reverts(deal, exchange, place, alice, carol):
    place(deal, alice, SELL, 12 * USDC, 10)
    place(deal, carol, BUY, 12 * USDC, 10)
    with brownie.reverts(err("OrderNotOpen", 1)):
        exchange.cancelOrder(1, {"from": alice})


def test_cancel_twice_reverts(deal, exchange, place, alice):
    place(deal, alice, SELL, 12 * USDC, 10)
    exchange.cancelOrder(1, {"from": alice})
    with brownie.reverts(err("OrderNotOpen", 1)):
        exchange.cancelOrder(1, {"from": alice})


# ------------------------------------------------------------------------------ self-trade


def test_self_trade_cancels_the_resting_order_and_rests_the_incoming_one(
    deal, usdc, exchange, place, alice
):
    place(deal, alice, SELL, 12 * USDC, 5)
    tx = place(deal, alice, BUY, 12 * USDC, 5)
    assert trades(tx) == []
    assert plain(tx.events["OrderCancelled"].values()) == plain((1, deal.project, alice, 5))
    assert deal.project.lockedShares(alice) == 0
    assert order_of(exchange, 2)[2] == OPEN
    assert usdc.balanceOf(exchange) == 60 * USDC


def test_self_trade_prevention_then_matches_the_next_maker(deal, exchange, place, alice, bob):
    place(deal, alice, SELL, 11 * USDC, 5)  # 1
    place(deal, bob, SELL, 12 * USDC, 5)  # 2
    tx = place(deal, alice, BUY, 12 * USDC, 5)
    assert order_of(exchange, 1)[2] == CANCELLED
    assert [(t[0], t[5], t[6]) for t in trades(tx)] == [(2, 12 * USDC, 5)]
    assert deal.project.balanceOf(alice) == 65


def test_self_trade_of_an_incoming_sell_returns_the_resting_buys_escrow(
    deal, usdc, exchange, place, alice
):
    place(deal, alice, BUY, 12 * USDC, 5)
    place(deal, alice, SELL, 12 * USDC, 5)
    assert usdc.balanceOf(alice) == 60 * USDC
    assert usdc.balanceOf(exchange) == 0
    assert order_of(exchange, 2)[2] == OPEN


# ----------------------------------------------------------------------------- match limit


def test_match_limit_stops_matching_and_cancels_the_rest_of_a_crossing_order(
    deal, usdc, exchange, place, alice, bob, carol
):
    for maker in (alice, bob, alice):
        place(deal, maker, SELL, 12 * USDC, 1)
    tx = place(deal, carol, BUY, 12 * USDC, 3, max_matches=2)
    assert len(trades(tx)) == 2
    assert plain(tx.events["OrderCancelled"].values()) == plain((4, deal.project, carol, 1))
    assert order_of(exchange, 4)[2] == CANCELLED
    assert usdc.balanceOf(carol) == 12 * USDC
    assert usdc.balanceOf(exchange) == 0
    assert book(exchange, deal, SELL) == [(12 * USDC, 1)]


def test_match_limit_cancels_the_rest_of_a_crossing_sell_and_unlocks_it(
    deal, exchange, place, alice, carol, dave
):
    place(deal, carol, BUY, 12 * USDC, 1)
    place(deal, dave, BUY, 12 * USDC, 1)
    place(deal, alice, SELL, 12 * USDC, 5, max_matches=1)
    assert deal.project.lockedShares(alice) == 0
    assert deal.project.balanceOf(alice) == 59
    assert book(exchange, deal, BUY) == [(12 * USDC, 1)]


def test_match_limit_rests_the_rest_when_the_book_no_longer_crosses(
    deal, usdc, exchange, place, alice, carol
):
    place(deal, alice, SELL, 12 * USDC, 2)
    place(deal, carol, BUY, 12 * USDC, 5, max_matches=1)
    assert order_of(exchange, 2)[2] == OPEN
    assert usdc.balanceOf(exchange) == 36 * USDC


def test_self_trade_cancellations_count_against_the_match_limit(deal, exchange, place, alice, bob):
    place(deal, alice, SELL, 11 * USDC, 1)  # 1
    place(deal, bob, SELL, 12 * USDC, 1)  # 2
    tx = place(deal, alice, BUY, 12 * USDC, 1, max_matches=1)
    assert trades(tx) == []
    assert [order_of(exchange, i)[2] for i in (1, 2, 3)] == [CANCELLED, OPEN, CANCELLED]


@pytest.mark.parametrize("max_matches", [0, 101])
def test_match_limit_outside_one_to_a_hundred_reverts(deal, exchange, alice, max_matches):
    with brownie.reverts(err("InvalidMatchLimit", max_matches)):
        exchange.placeOrder(deal.project, SELL, 12 * USDC, 1, max_matches, {"from": alice})


def test_match_limit_of_a_hundred_is_accepted(deal, exchange, alice):
    exchange.placeOrder(deal.project, SELL, 12 * USDC, 1, 100, {"from": alice})
    assert order_of(exchange, 1)[2] == OPEN


# --------------------------------------------------------------------------- invalid input


@pytest.mark.parametrize(
    "price,amount",
    [(0, 5), (12 * USDC, 0), (2**128, 1), (1, 2**128)],
    ids=["zero price", "zero amount", "price over 128 bits", "amount over 128 bits"],
)
def test_invalid_order_reverts(deal, exchange, alice, price, amount):
    with brownie.reverts(err("InvalidOrder", price, amount)):
        exchange.placeOrder(deal.project, SELL, price, amount, 1, {"from": alice})


def test_order_on_an_unknown_project_reverts(deal, usdc, exchange, alice):
    with brownie.reverts(err("UnknownProject", usdc)):
        exchange.placeOrder(usdc, SELL, 12 * USDC, 1, 1, {"from": alice})


def test_sell_of_more_than_the_unlocked_shares_reverts(deal, place, alice):
    place(deal, alice, SELL, 12 * USDC, 50)
    with brownie.reverts(err("InsufficientUnlockedShares", alice, 60, 50, 11)):
        place(deal, alice, SELL, 13 * USDC, 11)


def test_sell_without_shares_reverts(deal, exchange, carol):
    with brownie.reverts(err("InsufficientUnlockedShares", carol, 0, 0, 1)):
        exchange.placeOrder(deal.project, SELL, 12 * USDC, 1, 1, {"from": carol})


def test_resting_buy_without_allowance_reverts(deal, exchange, carol):
    with brownie.reverts(err("ERC20InsufficientAllowance", exchange, 0, 120 * USDC)):
        exchange.placeOrder(deal.project, BUY, 12 * USDC, 10, 1, {"from": carol})


def test_locked_shares_can_not_be_transferred(deal, place, alice, carol):
    place(deal, alice, SELL, 12 * USDC, 50)
    with brownie.reverts(err("InsufficientUnlockedShares", alice, 60, 50, 11)):
        deal.project.transfer(carol, 11, {"from": alice})


def test_unlocked_shares_move_while_others_are_locked(deal, place, alice, carol):
    place(deal, alice, SELL, 12 * USDC, 50)
    deal.project.transfer(carol, 10, {"from": alice})
    assert deal.project.balanceOf(carol) == 10


@pytest.mark.parametrize("hook", ["lockShares", "unlockShares", "transferLockedShares"])
def test_share_hooks_refuse_anyone_but_the_exchange(deal, alice, outsider, hook):
    args = (alice, outsider, 1) if hook == "transferLockedShares" else (alice, 1)
    with brownie.reverts(err("NotExchange", outsider)):
        getattr(deal.project, hook)(*args, {"from": outsider})


# ---------------------------------------------------------------------------------- halting


def test_trading_is_halted_during_the_raise(create_project, exchange, alice):
    deal = create_project()
    with brownie.reverts(err("TradingHalted", deal.project)):
        exchange.placeOrder(deal.project, BUY, 12 * USDC, 1, 1, {"from": alice})


def test_trading_is_halted_after_a_failed_raise(create_project, exchange, alice):
    deal = create_project()
    set_next_timestamp(deal.deadline)
    deal.project.finalizeRaise({"from": alice})
    with brownie.reverts(err("TradingHalted", deal.project)):
        exchange.placeOrder(deal.project, BUY, 12 * USDC, 1, 1, {"from": alice})


def test_trading_is_halted_after_wind_down(deal, exchange, admin, alice):
    deal.project.windDown({"from": admin})
    with brownie.reverts(err("TradingHalted", deal.project)):
        exchange.placeOrder(deal.project, SELL, 12 * USDC, 1, 1, {"from": alice})


def test_cancel_of_a_buy_after_wind_down_returns_the_escrow(
    deal, usdc, exchange, place, admin, carol
):
    place(deal, carol, BUY, 12 * USDC, 10)
    deal.project.windDown({"from": admin})
    exchange.cancelOrder(1, {"from": carol})
    assert usdc.balanceOf(carol) == 120 * USDC
    assert usdc.balanceOf(exchange) == 0


def test_cancel_of_a_sell_after_wind_down_unlocks_the_shares(deal, exchange, place, admin, alice):
    place(deal, alice, SELL, 12 * USDC, 10)
    deal.project.windDown({"from": admin})
    exchange.cancelOrder(1, {"from": alice})
    assert deal.project.lockedShares(alice) == 0


def test_trading_stays_open_in_operation(operating_project, exchange, place, alice, carol):
    deal = operating_project()
    place(deal, alice, SELL, 12 * USDC, 10)
    place(deal, carol, BUY, 12 * USDC, 10)
    assert deal.project.balanceOf(carol) == 10


# ---------------------------------------------------------------------- revenue and assets


def test_revenue_deposited_while_a_sell_order_rests_goes_to_the_seller(
    operating_project, exchange, place, deposit, alice
):
    deal = operating_project()
    place(deal, alice, SELL, 12 * USDC, 60)
    deposit(deal, 1000 * USDC)
    assert deal.project.claimableRevenue(alice) == 600 * USDC
    assert deal.project.claimableRevenue(exchange) == 0


def test_seller_keeps_revenue_earned_before_the_fill(
    operating_project, place, deposit, alice, carol
):
    deal = operating_project()
    place(deal, alice, SELL, 12 * USDC, 60)
    deposit(deal, 1000 * USDC)
    place(deal, carol, BUY, 12 * USDC, 60)
    deposit(deal, 1000 * USDC)
    assert deal.project.claimableRevenue(alice) == 600 * USDC
    assert deal.project.claimableRevenue(carol) == 600 * USDC


def test_trade_with_an_18_decimal_asset_is_exact(
    building_project, dai, exchange, place, alice, carol
):
    deal = building_project(asset=dai)
    place(deal, alice, SELL, 125 * 10**17, 10)
    place(deal, carol, BUY, 13 * 10**18, 10)
    assert dai.balanceOf(alice) == 125 * 10**18
    assert dai.balanceOf(carol) == 5 * 10**18
    assert dai.balanceOf(exchange) == 0
