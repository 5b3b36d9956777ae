"""The raise: terms validated at creation, investment strictly before the deadline up to the cap,
finalisation, exact refunds of a failed raise, and when shares may move."""

import itertools

import brownie
import pytest
from helpers import (
    BUILDING,
    DAY,
    FAILED,
    FUNDING,
    ZERO_ADDRESS,
    err,
    now,
    plain,
    set_next_timestamp,
)


@pytest.fixture(params=["usdc", "dai"])
def asset(request, usdc, dai):
    """The funding asset with 6 and with 18 decimals. (Both are requested as arguments so they are
    deployed before the isolation snapshot; getfixturevalue would deploy them after it.)"""
    return {"usdc": usdc, "dai": dai}[request.param]


# ------------------------------------------------------------------- terms at creation


def _sixteen_milestones():
    return [(f"M{i}", 625, (i + 1) * DAY) for i in range(16)]


# (test id, create_project keyword arguments, expected error name, expected arguments as a
# function of (deal terms given), so the values are computed, not copied)
INVALID_TERMS = [
    ("empty name", {"name": ""}, lambda t: err("EmptyField", "name")),
    ("empty symbol", {"symbol": ""}, lambda t: err("InvalidSymbol", "")),  # factory checks first
    ("empty location", {"location": ""}, lambda t: err("EmptyField", "location")),
    ("empty metadata uri", {"metadata_uri": ""}, lambda t: err("EmptyField", "metadataURI")),
    ("no goals", {"goals": 0}, lambda t: err("InvalidGoals", 0)),
    ("unknown goal bit", {"goals": 16}, lambda t: err("InvalidGoals", 16)),
    ("known and unknown goal bits", {"goals": 0x1F}, lambda t: err("InvalidGoals", 0x1F)),
    ("zero price", {"price": 0, "goal": 10, "cap": 10}, lambda t: err("ZeroPrice")),
    ("zero goal", {"goal": 0}, lambda t: err("InvalidGoalOrCap", 0, t["cap"])),
    (
        "goal above cap",
        {"goal": 1_010_000_000},
        lambda t: err("InvalidGoalOrCap", 1_010_000_000, t["cap"]),
    ),
    (
        "goal not whole shares",
        {"goal": 500_000_001},
        lambda t: err("NotMultipleOfPrice", 500_000_001, t["price"]),
    ),
    (
        "cap not whole shares",
        {"cap": 999_999_999},
        lambda t: err("NotMultipleOfPrice", 999_999_999, t["price"]),
    ),
    ("no milestones", {"milestones": []}, lambda t: err("InvalidMilestoneCount", 0, 16)),
    (
        "seventeen milestones",
        {"milestones": _sixteen_milestones() + [("M16", 0, 17 * DAY)]},
        lambda t: err("InvalidMilestoneCount", 17, 16),
    ),
    (
        "tranches below whole",
        {"milestones": [("A", 5000, DAY), ("B", 4999, 2 * DAY)]},
        lambda t: err("TranchesDoNotSumToWhole", 9999),
    ),
    (
        "tranches above whole",
        {"milestones": [("A", 5000, DAY), ("B", 5001, 2 * DAY)]},
        lambda t: err("TranchesDoNotSumToWhole", 10001),
    ),
    (
        "empty milestone name",
        {"milestones": [("A", 5000, DAY), ("", 5000, 2 * DAY)]},
        lambda t: err("EmptyField", "milestone name"),
    ),
    (
        "first milestone due at the deadline",
        {"milestones": [("A", 10_000, 0)]},
        lambda t: err("MilestoneDueDateOutOfOrder", 0, t["deadline"]),
    ),
    (
        "milestone due with the one before",
        {"milestones": [("A", 5000, DAY), ("B", 5000, DAY)]},
        lambda t: err("MilestoneDueDateOutOfOrder", 1, t["deadline"] + DAY),
    ),
    (
        "milestone due before the one before",
        {"milestones": [("A", 5000, 2 * DAY), ("B", 5000, DAY)]},
        lambda t: err("MilestoneDueDateOutOfOrder", 1, t["deadline"] + DAY),
    ),
]


@pytest.mark.parametrize(
    "overrides,expected", [c[1:] for c in INVALID_TERMS], ids=[c[0] for c in INVALID_TERMS]
)
def test_create_project_with_invalid_terms_reverts_with_named_error(
    create_project, overrides, expected
):
    deadline = now() + 7 * DAY
    terms = {"price": 10_000_000, "cap": 1_000_000_000, "deadline": deadline, **overrides}
    with brownie.reverts(expected(terms)):
        create_project(deadline=deadline, **overrides)


@pytest.mark.parametrize("role_index,role", [(1, "implementor"), (2, "operator"), (3, "verifier")])
def test_create_project_with_zero_role_address_reverts(
    create_project, implementor, operator, verifier, role_index, role
):
    roles = [ZERO_ADDRESS, implementor, operator, verifier]
    roles[role_index] = ZERO_ADDRESS
    with brownie.reverts(err("ZeroAddress", role)):
        create_project(roles=tuple(roles))


@pytest.mark.parametrize("party", ["implementor", "sponsor"])
def test_create_project_with_verifier_not_independent_reverts(
    create_project, sponsor, implementor, operator, party
):
    verifier = {"implementor": implementor, "sponsor": sponsor}[party]
    with brownie.reverts(err("VerifierNotIndependent", verifier)):
        create_project(roles=(ZERO_ADDRESS, implementor, operator, verifier))


def test_create_project_with_funding_asset_without_code_reverts(create_project, outsider):
    with brownie.reverts(err("FundingAssetNotContract", outsider)):
        create_project(asset=outsider, price=10, goal=10, cap=10)


def test_create_project_with_deadline_at_block_time_reverts(create_project):
    t = now() + 100
    set_next_timestamp(t)
    with brownie.reverts(err("DeadlineNotInFuture", t, t)):
        create_project(deadline=t)


def test_create_project_with_deadline_one_second_ahead_succeeds(create_project):
    t = now() + 100
    set_next_timestamp(t)
    deal = create_project(deadline=t + 1)
    assert deal.project.terms()[4] == t + 1


def test_create_project_accepts_sixteen_milestones(create_project):
    deal = create_project(milestones=_sixteen_milestones())
    assert deal.project.milestoneCount() == 16


def test_create_project_accepts_goal_equal_to_cap(create_project):
    deal = create_project(goal=1_000_000_000, cap=1_000_000_000)
    assert plain(deal.project.terms())[2:4] == (1_000_000_000, 1_000_000_000)


# ---------------------------------------------------------------------------------- invest


def test_invest_takes_exactly_price_times_shares_and_mints_shares(
    create_project, fund, asset, alice
):
    deal = create_project(asset=asset)
    cost = 7 * deal.price
    fund(alice, cost + 5, deal.project, asset)
    tx = deal.project.invest(7, {"from": alice})
    assert asset.balanceOf(alice) == 5
    assert asset.balanceOf(deal.project) == cost
    assert deal.project.balanceOf(alice) == 7
    assert deal.project.totalSupply() == 7
    assert deal.project.raised() == cost
    assert deal.project.contributionOf(alice) == cost
    assert plain(tx.events["Invested"].values()) == plain([alice, 7, cost])


def test_invest_costs_whole_asset_units_with_18_decimals(create_project, dai, invest, alice):
    deal = create_project(asset=dai)
    invest(deal, alice, 3)
    assert dai.balanceOf(deal.project) == 30 * 10**18


def test_repeated_investments_add_up(create_project, invest, alice):
    deal = create_project()
    invest(deal, alice, 3)
    invest(deal, alice, 4)
    assert deal.project.balanceOf(alice) == 7
    assert deal.project.contributionOf(alice) == 7 * deal.price
    assert deal.project.raised() == 7 * deal.price


def test_invest_one_second_before_deadline_succeeds(create_project, fund, alice):
    deal = create_project()
    fund(alice, deal.price, deal.project)
    set_next_timestamp(deal.deadline - 1)
    deal.project.invest(1, {"from": alice})
    assert deal.project.balanceOf(alice) == 1


def test_invest_at_deadline_reverts(create_project, fund, alice):
    deal = create_project()
    fund(alice, deal.price, deal.project)
    set_next_timestamp(deal.deadline)
    with brownie.reverts(err("RaiseClosed", deal.deadline)):
        deal.project.invest(1, {"from": alice})


def test_invest_zero_shares_reverts(create_project, alice):
    deal = create_project()
    with brownie.reverts(err("ZeroAmount")):
        deal.project.invest(0, {"from": alice})


def test_invest_beyond_cap_reverts_with_shares_left(create_project, invest, fund, alice, bob):
    deal = create_project()
    invest(deal, alice, 60)
    fund(bob, 41 * deal.price, deal.project)
    with brownie.reverts(err("CapExceeded", 40)):
        deal.project.invest(41, {"from": bob})


@pytest.mark.parametrize("shares", [2**200, 2**255, 2**256 - 1])
def test_invest_of_an_absurd_amount_reverts_by_name_not_by_overflow(create_project, alice, shares):
    deal = create_project()
    with brownie.reverts(err("CapExceeded", 100)):
        deal.project.invest(shares, {"from": alice})


def test_invest_without_allowance_reverts(create_project, usdc, alice):
    deal = create_project()
    usdc.mint(alice, deal.price, {"from": alice})
    with brownie.reverts(err("ERC20InsufficientAllowance", deal.project, 0, deal.price)):
        deal.project.invest(1, {"from": alice})


def test_invest_without_balance_reverts(create_project, usdc, alice):
    deal = create_project()
    usdc.approve(deal.project, deal.price, {"from": alice})
    with brownie.reverts(err("ERC20InsufficientBalance", alice, 0, deal.price)):
        deal.project.invest(1, {"from": alice})


def test_reaching_the_cap_moves_to_building_at_once(create_project, invest, alice, bob):
    deal = create_project()
    invest(deal, alice, 60)
    tx = invest(deal, bob, 40)
    assert plain(tx.events["PhaseChanged"].values()) == plain([FUNDING, BUILDING])
    assert deal.project.phase() == BUILDING
    assert deal.project.raised() == deal.cap
    assert now() < deal.deadline


def test_invest_after_the_cap_is_reached_reverts(create_project, invest, fund, alice, carol):
    deal = create_project()
    invest(deal, alice, 100)
    fund(carol, deal.price, deal.project)
    with brownie.reverts(err("WrongPhase", BUILDING)):
        deal.project.invest(1, {"from": carol})


def test_invest_with_fee_on_transfer_asset_reverts(create_project, fee_token, fund, alice):
    deal = create_project(asset=fee_token)
    fund(alice, deal.price, deal.project, fee_token)
    with brownie.reverts(
        err("UnexpectedAmountReceived", deal.price, deal.price - deal.price // 100)
    ):
        deal.project.invest(1, {"from": alice})


# ---------------------------------------------------------------------------- finalise


def test_finalize_one_second_before_deadline_reverts(create_project, invest, alice):
    deal = create_project()
    invest(deal, alice, 50)
    set_next_timestamp(deal.deadline - 1)
    with brownie.reverts(err("RaiseStillOpen", deal.deadline)):
        deal.project.finalizeRaise({"from": alice})


def test_finalize_at_deadline_with_goal_met_moves_to_building(
    create_project, invest, alice, outsider
):
    deal = create_project()
    invest(deal, alice, 50)
    set_next_timestamp(deal.deadline)
    tx = deal.project.finalizeRaise({"from": outsider})
    assert plain(tx.events["PhaseChanged"].values()) == plain([FUNDING, BUILDING])
    assert deal.project.phase() == BUILDING
    assert deal.project.tradingOpen() is True


def test_finalize_with_one_share_short_of_goal_moves_to_failed(
    create_project, invest, alice, outsider
):
    deal = create_project()
    invest(deal, alice, 49)
    set_next_timestamp(deal.deadline)
    tx = deal.project.finalizeRaise({"from": outsider})
    assert plain(tx.events["PhaseChanged"].values()) == plain([FUNDING, FAILED])
    assert deal.project.phase() == FAILED
    assert deal.project.tradingOpen() is False


def test_finalize_without_any_investment_moves_to_failed(create_project, outsider):
    deal = create_project()
    set_next_timestamp(deal.deadline)
    deal.project.finalizeRaise({"from": outsider})
    assert deal.project.phase() == FAILED


def test_finalize_twice_reverts(create_project, outsider):
    deal = create_project()
    set_next_timestamp(deal.deadline)
    deal.project.finalizeRaise({"from": outsider})
    with brownie.reverts(err("WrongPhase", FAILED)):
        deal.project.finalizeRaise({"from": outsider})


def test_finalize_after_cap_reached_reverts(create_project, invest, alice):
    deal = create_project()
    invest(deal, alice, 100)
    with brownie.reverts(err("WrongPhase", BUILDING)):
        deal.project.finalizeRaise({"from": alice})


def test_raised_between_goal_and_cap_stays_in_escrow_after_finalize(
    create_project, invest, usdc, alice
):
    deal = create_project()
    invest(deal, alice, 73)
    set_next_timestamp(deal.deadline)
    deal.project.finalizeRaise({"from": alice})
    assert deal.project.raised() == 73 * deal.price
    assert usdc.balanceOf(deal.project) == 73 * deal.price


# ----------------------------------------------------------------------------------- refund


def test_refund_before_deadline_reverts(create_project, invest, alice):
    deal = create_project()
    invest(deal, alice, 10)
    set_next_timestamp(deal.deadline - 1)
    with brownie.reverts(err("WrongPhase", FUNDING)):
        deal.project.refund({"from": alice})


def test_refund_at_deadline_finalises_and_pays_exactly(create_project, invest, asset, alice):
    deal = create_project(asset=asset)
    invest(deal, alice, 10)
    set_next_timestamp(deal.deadline)
    tx = deal.project.refund({"from": alice})
    assert deal.project.phase() == FAILED
    assert plain(tx.events["PhaseChanged"].values()) == plain([FUNDING, FAILED])
    assert plain(tx.events["Refunded"].values()) == plain([alice, 10, 10 * deal.price])
    assert asset.balanceOf(alice) == 10 * deal.price
    assert asset.balanceOf(deal.project) == 0


def test_refund_burns_the_refunded_shares(create_project, invest, alice, bob):
    deal = create_project()
    invest(deal, alice, 10)
    invest(deal, bob, 5)
    set_next_timestamp(deal.deadline)
    deal.project.refund({"from": alice})
    assert deal.project.balanceOf(alice) == 0
    assert deal.project.totalSupply() == 5
    assert deal.project.contributionOf(alice) == 0


def test_refund_keeps_raised_as_the_total_paid_in(create_project, invest, alice):
    deal = create_project()
    invest(deal, alice, 10)
    set_next_timestamp(deal.deadline)
    deal.project.refund({"from": alice})
    assert deal.project.raised() == 10 * deal.price


@pytest.mark.parametrize(
    "order", list(itertools.permutations(range(3))), ids=lambda o: "-".join(map(str, o))
)
def test_refunds_in_any_order_pay_each_exactly_and_leave_nothing(
    create_project, invest, usdc, investors, order
):
    deal = create_project()
    stakes = [(investors[0], 11), (investors[1], 23), (investors[2], 15)]  # 49 shares: goal missed
    for investor, shares in stakes:
        invest(deal, investor, shares)
    set_next_timestamp(deal.deadline + 1)
    for i in order:
        investor, shares = stakes[i]
        deal.project.refund({"from": investor})
        assert usdc.balanceOf(investor) == shares * deal.price
    assert usdc.balanceOf(deal.project) == 0
    assert deal.project.totalSupply() == 0


def test_refund_long_after_the_deadline_still_pays(create_project, invest, usdc, alice):
    deal = create_project()
    invest(deal, alice, 10)
    set_next_timestamp(deal.deadline + 3 * 365 * DAY)
    deal.project.refund({"from": alice})
    assert usdc.balanceOf(alice) == 10 * deal.price


def test_refund_after_explicit_finalize_pays_exactly(create_project, invest, usdc, alice, outsider):
    deal = create_project()
    invest(deal, alice, 10)
    set_next_timestamp(deal.deadline)
    deal.project.finalizeRaise({"from": outsider})
    deal.project.refund({"from": alice})
    assert usdc.balanceOf(alice) == 10 * deal.price


def test_refund_twice_reverts(create_project, invest, alice):
    deal = create_project()
    invest(deal, alice, 10)
    set_next_timestamp(deal.deadline)
    deal.project.refund({"from": alice})
    with brownie.reverts(err("NothingToRefund", alice)):
        deal.project.refund({"from": alice})


def test_refund_to_non_investor_reverts(create_project, invest, alice, outsider):
    deal = create_project()
    invest(deal, alice, 10)
    set_next_timestamp(deal.deadline)
    with brownie.reverts(err("NothingToRefund", outsider)):
        deal.project.refund({"from": outsider})


def test_refund_when_goal_met_reverts_and_leaves_raise_unfinalised(create_project, invest, alice):
    deal = create_project()
    invest(deal, alice, 50)
    set_next_timestamp(deal.deadline)
    with brownie.reverts(err("WrongPhase", BUILDING)):
        deal.project.refund({"from": alice})
    assert deal.project.phase() == FUNDING


def test_refund_after_cap_reached_reverts(create_project, invest, alice):
    deal = create_project()
    invest(deal, alice, 100)
    with brownie.reverts(err("WrongPhase", BUILDING)):
        deal.project.refund({"from": alice})


# ---------------------------------------------------------------------------- share moves


def test_shares_can_not_move_during_the_raise(create_project, invest, alice, bob):
    deal = create_project()
    invest(deal, alice, 10)
    with brownie.reverts(err("SharesNotTransferable", FUNDING)):
        deal.project.transfer(bob, 1, {"from": alice})


def test_shares_can_not_move_by_transfer_from_during_the_raise(create_project, invest, alice, bob):
    deal = create_project()
    invest(deal, alice, 10)
    deal.project.approve(bob, 1, {"from": alice})
    with brownie.reverts(err("SharesNotTransferable", FUNDING)):
        deal.project.transferFrom(alice, bob, 1, {"from": bob})


def test_shares_can_not_move_after_a_failed_raise(create_project, invest, alice, bob, outsider):
    deal = create_project()
    invest(deal, alice, 10)
    set_next_timestamp(deal.deadline)
    deal.project.finalizeRaise({"from": outsider})
    with brownie.reverts(err("SharesNotTransferable", FAILED)):
        deal.project.transfer(bob, 1, {"from": alice})


def test_shares_move_once_the_raise_succeeded(building_project, alice, carol):
    deal = building_project()
    deal.project.transfer(carol, 15, {"from": alice})
    assert deal.project.balanceOf(alice) == 45
    assert deal.project.balanceOf(carol) == 15


def test_transfer_beyond_balance_reverts_with_the_erc20_error(building_project, alice, carol):
    deal = building_project()
    with brownie.reverts(err("ERC20InsufficientBalance", alice, 60, 61)):
        deal.project.transfer(carol, 61, {"from": alice})


def test_shares_can_not_be_sent_to_the_exchange_contracts(
    building_project, exchange, factory, usdc, alice
):
    # None could give them back, and revenue would accrue to them unclaimed.
    deal = building_project()
    for receiver in (deal.project, exchange, factory, usdc):
        with brownie.reverts(err("ERC20InvalidReceiver", receiver.address.lower())):
            deal.project.transfer(receiver, 1, {"from": alice})
        deal.project.approve(alice, 1, {"from": alice})
        with brownie.reverts(err("ERC20InvalidReceiver", receiver.address.lower())):
            deal.project.transferFrom(alice, receiver, 1, {"from": alice})
    assert deal.project.balanceOf(alice) == 60
