"""Wind-down: who may trigger it on each side of the grace period, and the pro-rata pay-back of
the unreleased escrow (the last claimant takes the rest; locked shares must be unlocked first)."""

import brownie
import pytest
from helpers import (
    BUILDING,
    DAY,
    EVIDENCE_HASH,
    FAILED,
    FUNDING,
    GRACE,
    SELL,
    WOUND_DOWN,
    err,
    plain,
    set_next_timestamp,
)

USDC = 10**6
ANYONE_AFTER_MISSED = "admin, sponsor, or anyone after a missed milestone"


@pytest.fixture
def deal(building_project):
    """Building; 1000 USDC in escrow; alice 60 shares, bob 40; milestone 0 due 30 days after
    the deadline."""
    return building_project()


def approve(deal, index, implementor, verifier):
    deal.project.submitMilestone(index, "ipfs://e", EVIDENCE_HASH, {"from": implementor})
    deal.project.approveMilestone(index, {"from": verifier})


def due(deal, index):
    return deal.milestones[index][2]


# ----------------------------------------------------------------------------- triggers


@pytest.mark.parametrize("who", ["admin", "sponsor"])
def test_admin_or_sponsor_winds_down_a_building_project_at_any_time(request, deal, usdc, who):
    by = request.getfixturevalue(who)
    tx = deal.project.windDown({"from": by})
    assert deal.project.phase() == WOUND_DOWN
    assert deal.project.windDownPool() == 1000 * USDC
    assert plain(tx.events["PhaseChanged"].values()) == (BUILDING, WOUND_DOWN)
    assert plain(tx.events["WoundDown"].values()) == plain((by, 1000 * USDC))


@pytest.mark.parametrize("who", ["admin", "sponsor"])
def test_admin_or_sponsor_winds_down_an_operating_project_with_an_empty_pool(
    request, deal, approve_all, who
):
    approve_all(deal)
    deal.project.windDown({"from": request.getfixturevalue(who)})
    assert deal.project.phase() == WOUND_DOWN
    assert deal.project.windDownPool() == 0


def test_the_pool_is_the_escrow_not_yet_released(deal, usdc, admin, implementor, verifier):
    approve(deal, 0, implementor, verifier)
    deal.project.windDown({"from": admin})
    assert deal.project.windDownPool() == 800 * USDC
    assert usdc.balanceOf(deal.project) == 800 * USDC


def test_a_removed_sponsor_can_still_wind_down_its_project(deal, factory, admin, sponsor):
    factory.removeSponsor(sponsor, {"from": admin})
    deal.project.windDown({"from": sponsor})
    assert deal.project.phase() == WOUND_DOWN


OTHERS = ["implementor", "operator", "verifier", "reporter", "outsider", "alice"]


@pytest.mark.parametrize("who", OTHERS)
def test_others_can_not_wind_down_at_the_end_of_the_grace_period(request, deal, who):
    by = request.getfixturevalue(who)
    set_next_timestamp(due(deal, 0) + GRACE)
    with brownie.reverts(err("Unauthorized", by, ANYONE_AFTER_MISSED)):
        deal.project.windDown({"from": by})


@pytest.mark.parametrize("who", OTHERS)
def test_anyone_winds_down_once_the_next_milestone_is_overdue_beyond_grace(request, deal, who):
    by = request.getfixturevalue(who)
    set_next_timestamp(due(deal, 0) + GRACE + 1)
    tx = deal.project.windDown({"from": by})
    assert deal.project.phase() == WOUND_DOWN
    assert plain(tx.events["WoundDown"].values()) == plain((by, 1000 * USDC))


def test_grace_counts_from_the_next_milestone_not_an_approved_one(
    deal, implementor, verifier, outsider
):
    approve(deal, 0, implementor, verifier)
    set_next_timestamp(due(deal, 1) + GRACE)
    with brownie.reverts(err("Unauthorized", outsider, ANYONE_AFTER_MISSED)):
        deal.project.windDown({"from": outsider})


def test_grace_of_the_next_milestone_once_passed_lets_anyone_wind_down(
    deal, implementor, verifier, outsider
):
    approve(deal, 0, implementor, verifier)
    set_next_timestamp(due(deal, 1) + GRACE + 1)
    deal.project.windDown({"from": outsider})
    assert deal.project.windDownPool() == 800 * USDC


def test_a_submitted_but_unapproved_milestone_still_counts_as_overdue(deal, implementor, outsider):
    deal.project.submitMilestone(0, "ipfs://e", EVIDENCE_HASH, {"from": implementor})
    set_next_timestamp(due(deal, 0) + GRACE + 1)
    deal.project.windDown({"from": outsider})
    assert deal.project.phase() == WOUND_DOWN


def test_nobody_else_can_wind_down_an_operating_project_however_late(deal, approve_all, outsider):
    approve_all(deal)
    set_next_timestamp(due(deal, 2) + GRACE + 365 * DAY)
    with brownie.reverts(err("Unauthorized", outsider, ANYONE_AFTER_MISSED)):
        deal.project.windDown({"from": outsider})


def test_wind_down_during_the_raise_reverts(create_project, admin):
    deal = create_project()
    with brownie.reverts(err("WrongPhase", FUNDING)):
        deal.project.windDown({"from": admin})


def test_wind_down_of_a_failed_raise_reverts(create_project, admin):
    deal = create_project()
    set_next_timestamp(deal.deadline)
    deal.project.finalizeRaise({"from": admin})
    with brownie.reverts(err("WrongPhase", FAILED)):
        deal.project.windDown({"from": admin})


def test_wind_down_twice_reverts(deal, admin, sponsor):
    deal.project.windDown({"from": admin})
    with brownie.reverts(err("WrongPhase", WOUND_DOWN)):
        deal.project.windDown({"from": sponsor})


def test_shares_can_not_move_after_wind_down(deal, admin, alice, carol):
    deal.project.windDown({"from": admin})
    with brownie.reverts(err("SharesNotTransferable", WOUND_DOWN)):
        deal.project.transfer(carol, 1, {"from": alice})


# -------------------------------------------------------------------------------- claims


def test_claim_pays_the_pro_rata_part_burns_the_shares_and_emits(deal, usdc, admin, alice):
    deal.project.windDown({"from": admin})
    tx = deal.project.claimWindDown({"from": alice})
    assert usdc.balanceOf(alice) == 600 * USDC
    assert deal.project.balanceOf(alice) == 0
    assert deal.project.totalSupply() == 40
    assert deal.project.windDownPool() == 400 * USDC
    assert plain(tx.events["WindDownClaimed"].values()) == plain((alice, 60, 600 * USDC))


def test_claims_pay_back_the_whole_pool(deal, usdc, admin, alice, bob):
    deal.project.windDown({"from": admin})
    deal.project.claimWindDown({"from": bob})
    deal.project.claimWindDown({"from": alice})
    assert [usdc.balanceOf(alice), usdc.balanceOf(bob)] == [600 * USDC, 400 * USDC]
    assert usdc.balanceOf(deal.project) == 0
    assert deal.project.windDownPool() == 0
    assert deal.project.totalSupply() == 0


# Pool 467 units (700 raised, 233 released) over 33 / 33 / 34 shares: each claim is rounded down
# and the last claimant takes what is left, whatever the order.
@pytest.mark.parametrize(
    "order,expected",
    [
        (("alice", "bob", "carol"), (154, 154, 159)),  # 467*33/100; 313*33/67; rest
        (("carol", "alice", "bob"), (158, 154, 155)),  # 467*34/100; 309*33/66; rest
        (("bob", "carol", "alice"), (154, 158, 155)),  # 467*33/100; 313*34/67; rest
    ],
    ids=lambda v: "-".join(v) if isinstance(v[0], str) else "-".join(map(str, v)),
)
def test_claims_round_down_and_the_last_claimant_takes_the_rest(
    request,
    building_project,
    usdc,
    admin,
    implementor,
    verifier,
    alice,
    bob,
    carol,
    order,
    expected,
):
    deal = building_project(
        ((alice, 33), (bob, 33), (carol, 34)),
        price=7,
        goal=350,
        cap=700,
        milestones=[("A", 3333, DAY), ("B", 3333, 2 * DAY), ("C", 3334, 3 * DAY)],
    )
    approve(deal, 0, implementor, verifier)
    deal.project.windDown({"from": admin})
    assert deal.project.windDownPool() == 467
    paid = []
    for name in order:
        holder = request.getfixturevalue(name)
        deal.project.claimWindDown({"from": holder})
        paid.append(usdc.balanceOf(holder))
    assert tuple(paid) == expected
    assert sum(paid) == 467
    assert usdc.balanceOf(deal.project) == 0


def test_claims_are_exact_with_an_18_decimal_asset(building_project, dai, admin, alice, bob):
    deal = building_project(asset=dai)
    deal.project.windDown({"from": admin})
    deal.project.claimWindDown({"from": alice})
    deal.project.claimWindDown({"from": bob})
    assert [dai.balanceOf(alice), dai.balanceOf(bob)] == [600 * 10**18, 400 * 10**18]
    assert dai.balanceOf(deal.project) == 0


def test_claim_twice_reverts(deal, admin, alice):
    deal.project.windDown({"from": admin})
    deal.project.claimWindDown({"from": alice})
    with brownie.reverts(err("NothingToClaim", alice)):
        deal.project.claimWindDown({"from": alice})


def test_claim_without_shares_reverts(deal, admin, outsider):
    deal.project.windDown({"from": admin})
    with brownie.reverts(err("NothingToClaim", outsider)):
        deal.project.claimWindDown({"from": outsider})


def test_claim_before_wind_down_reverts(deal, alice):
    with brownie.reverts(err("WrongPhase", BUILDING)):
        deal.project.claimWindDown({"from": alice})


def test_claim_of_an_operating_wind_down_burns_shares_for_nothing(
    deal, usdc, approve_all, admin, alice
):
    approve_all(deal)
    deal.project.windDown({"from": admin})
    tx = deal.project.claimWindDown({"from": alice})
    assert plain(tx.events["WindDownClaimed"].values()) == plain((alice, 60, 0))
    assert usdc.balanceOf(alice) == 0
    assert deal.project.balanceOf(alice) == 0


def test_claim_with_shares_locked_in_a_sell_order_reverts(deal, exchange, admin, alice):
    exchange.placeOrder(deal.project, SELL, 12 * USDC, 10, 100, {"from": alice})
    deal.project.windDown({"from": admin})
    with brownie.reverts(err("SharesLocked", alice, 10)):
        deal.project.claimWindDown({"from": alice})


def test_claim_after_cancelling_the_sell_order_pays_for_all_shares(
    deal, usdc, exchange, admin, alice
):
    tx = exchange.placeOrder(deal.project, SELL, 12 * USDC, 10, 100, {"from": alice})
    deal.project.windDown({"from": admin})
    exchange.cancelOrder(tx.return_value, {"from": alice})
    deal.project.claimWindDown({"from": alice})
    assert usdc.balanceOf(alice) == 600 * USDC
    assert deal.project.balanceOf(alice) == 0


def test_shares_bought_before_wind_down_are_paid_back_to_the_buyer(
    deal, usdc, place, admin, alice, carol
):
    place(deal, alice, SELL, 12 * USDC, 10)
    place(deal, carol, 0, 12 * USDC, 10)
    deal.project.windDown({"from": admin})
    deal.project.claimWindDown({"from": carol})
    assert usdc.balanceOf(carol) == 100 * USDC
    assert usdc.balanceOf(alice) == 120 * USDC
