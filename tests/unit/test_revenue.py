"""Revenue: deposited in Operating, claimed pro rata by the holders at the time of each deposit,
correct across transfers, still claimable after a wind-down."""

import brownie
import pytest
from helpers import BUILDING, WOUND_DOWN, err, plain

USDC = 10**6


@pytest.fixture
def deal(operating_project):
    """Operating; alice 60 shares, bob 40; the escrow fully released."""
    return operating_project()


# ------------------------------------------------------------------------------ deposit


def test_deposit_takes_the_amount_and_emits(deal, usdc, deposit, operator):
    tx = deposit(deal, 1000 * USDC)
    assert usdc.balanceOf(operator) == 0
    assert usdc.balanceOf(deal.project) == 1000 * USDC
    assert deal.project.totalRevenue() == 1000 * USDC
    assert plain(tx.events["RevenueDeposited"].values()) == plain((operator, 1000 * USDC))


def test_deposit_credits_holders_pro_rata(deal, deposit, alice, bob):
    deposit(deal, 1000 * USDC)
    assert deal.project.claimableRevenue(alice) == 600 * USDC
    assert deal.project.claimableRevenue(bob) == 400 * USDC


def test_anyone_may_deposit_revenue(deal, deposit, outsider, alice):
    deposit(deal, 1000 * USDC, by=outsider)
    assert deal.project.claimableRevenue(alice) == 600 * USDC


def test_deposit_while_building_reverts(building_project, fund, operator):
    deal = building_project()
    fund(operator, 1000 * USDC, deal.project)
    with brownie.reverts(err("WrongPhase", BUILDING)):
        deal.project.depositRevenue(1000 * USDC, {"from": operator})


def test_deposit_of_zero_reverts(deal, operator):
    with brownie.reverts(err("ZeroAmount")):
        deal.project.depositRevenue(0, {"from": operator})


def test_deposit_without_allowance_reverts(deal, usdc, operator):
    usdc.mint(operator, 10 * USDC, {"from": operator})
    with brownie.reverts(err("ERC20InsufficientAllowance", deal.project, 0, 10 * USDC)):
        deal.project.depositRevenue(10 * USDC, {"from": operator})


def test_deposit_after_wind_down_reverts(deal, fund, admin, operator):
    deal.project.windDown({"from": admin})
    fund(operator, 10 * USDC, deal.project)
    with brownie.reverts(err("WrongPhase", WOUND_DOWN)):
        deal.project.depositRevenue(10 * USDC, {"from": operator})


def test_nothing_is_claimable_before_the_first_deposit(deal, alice, bob):
    assert (deal.project.claimableRevenue(alice), deal.project.claimableRevenue(bob)) == (0, 0)


# -------------------------------------------------------------------------------- claim


def test_claim_pays_exactly_the_claimable_amount_and_emits(deal, usdc, deposit, alice):
    deposit(deal, 1000 * USDC)
    tx = deal.project.claimRevenue({"from": alice})
    assert usdc.balanceOf(alice) == 600 * USDC
    assert usdc.balanceOf(deal.project) == 400 * USDC
    assert deal.project.claimableRevenue(alice) == 0
    assert plain(tx.events["RevenueClaimed"].values()) == plain((alice, 600 * USDC))


def test_claim_twice_reverts(deal, deposit, alice):
    deposit(deal, 1000 * USDC)
    deal.project.claimRevenue({"from": alice})
    with brownie.reverts(err("NothingToClaim", alice)):
        deal.project.claimRevenue({"from": alice})


def test_claim_without_shares_reverts(deal, deposit, outsider):
    deposit(deal, 1000 * USDC)
    with brownie.reverts(err("NothingToClaim", outsider)):
        deal.project.claimRevenue({"from": outsider})


def test_claims_add_up_across_deposits(deal, usdc, deposit, alice, bob):
    deposit(deal, 1000 * USDC)
    deal.project.claimRevenue({"from": alice})
    deposit(deal, 500 * USDC)
    deal.project.claimRevenue({"from": alice})
    deal.project.claimRevenue({"from": bob})
    assert usdc.balanceOf(alice) == 900 * USDC
    assert usdc.balanceOf(bob) == 600 * USDC
    assert usdc.balanceOf(deal.project) == 0


def test_pro_rata_rounds_down_and_the_dust_stays_in_the_project(
    operating_project, usdc, deposit, alice, bob
):
    deal = operating_project(((alice, 1), (bob, 2)), goal=10 * USDC, cap=30 * USDC)
    deposit(deal, 100)  # 100 units over 3 shares: 33.3 and 66.6
    deal.project.claimRevenue({"from": alice})
    deal.project.claimRevenue({"from": bob})
    assert [usdc.balanceOf(alice), usdc.balanceOf(bob)] == [33, 66]
    assert usdc.balanceOf(deal.project) == 1


def test_revenue_is_exact_with_an_18_decimal_asset(operating_project, dai, deposit, alice, bob):
    deal = operating_project(asset=dai)
    deposit(deal, 1234 * 10**18 + 500)
    assert deal.project.claimableRevenue(alice) == 740_4 * 10**17 + 300
    assert deal.project.claimableRevenue(bob) == 493_6 * 10**17 + 200


# ------------------------------------------------------------------------ across transfers


def test_transfer_after_a_deposit_leaves_the_earned_revenue_with_the_sender(
    deal, deposit, alice, carol
):
    deposit(deal, 1000 * USDC)
    deal.project.transfer(carol, 30, {"from": alice})
    assert deal.project.claimableRevenue(alice) == 600 * USDC
    assert deal.project.claimableRevenue(carol) == 0


def test_receiver_of_shares_earns_from_later_deposits_only(deal, deposit, alice, bob, carol):
    deposit(deal, 1000 * USDC)
    deal.project.transfer(carol, 30, {"from": alice})
    deposit(deal, 1000 * USDC)
    assert deal.project.claimableRevenue(alice) == 900 * USDC
    assert deal.project.claimableRevenue(carol) == 300 * USDC
    assert deal.project.claimableRevenue(bob) == 800 * USDC


def test_sender_of_all_shares_can_still_claim_what_it_earned(deal, usdc, deposit, alice, carol):
    deposit(deal, 1000 * USDC)
    deal.project.transfer(carol, 60, {"from": alice})
    deal.project.claimRevenue({"from": alice})
    assert usdc.balanceOf(alice) == 600 * USDC
    assert deal.project.balanceOf(alice) == 0


def test_transfer_from_keeps_revenue_with_the_owner_at_deposit_time(deal, deposit, alice, carol):
    deposit(deal, 1000 * USDC)
    deal.project.approve(carol, 20, {"from": alice})
    deal.project.transferFrom(alice, carol, 20, {"from": carol})
    deposit(deal, 100 * USDC)
    assert deal.project.claimableRevenue(alice) == 640 * USDC
    assert deal.project.claimableRevenue(carol) == 20 * USDC


def test_self_transfer_changes_no_revenue(deal, deposit, alice):
    deposit(deal, 1000 * USDC)
    deal.project.transfer(alice, 60, {"from": alice})
    assert deal.project.claimableRevenue(alice) == 600 * USDC


def test_claim_after_claim_and_transfer_pays_only_the_new_part(deal, usdc, deposit, alice, carol):
    deposit(deal, 1000 * USDC)
    deal.project.claimRevenue({"from": alice})
    deal.project.transfer(carol, 60, {"from": alice})
    deposit(deal, 1000 * USDC)
    assert deal.project.claimableRevenue(alice) == 0
    deal.project.claimRevenue({"from": carol})
    assert usdc.balanceOf(carol) == 600 * USDC


def test_buyer_on_the_exchange_after_a_deposit_gets_nothing_of_it(
    deal, usdc, deposit, place, alice, carol
):
    deposit(deal, 1000 * USDC)
    place(deal, alice, 1, 12 * USDC, 30)  # sell
    place(deal, carol, 0, 12 * USDC, 30)  # buy, crosses
    assert deal.project.balanceOf(carol) == 30
    assert deal.project.claimableRevenue(carol) == 0
    assert deal.project.claimableRevenue(alice) == 600 * USDC


# ---------------------------------------------------------------------------- wind-down


def test_revenue_claim_still_works_after_wind_down(deal, usdc, deposit, admin, alice):
    deposit(deal, 1000 * USDC)
    deal.project.windDown({"from": admin})
    deal.project.claimRevenue({"from": alice})
    assert usdc.balanceOf(alice) == 600 * USDC


def test_revenue_claim_still_works_after_the_shares_were_burned_in_a_wind_down_claim(
    deal, usdc, deposit, admin, alice
):
    deposit(deal, 1000 * USDC)
    deal.project.windDown({"from": admin})
    deal.project.claimWindDown({"from": alice})
    assert deal.project.balanceOf(alice) == 0
    deal.project.claimRevenue({"from": alice})
    assert usdc.balanceOf(alice) == 600 * USDC


def test_wind_down_of_an_operating_project_keeps_unclaimed_revenue_out_of_the_pool(
    deal, usdc, deposit, admin, alice, bob
):
    deposit(deal, 1000 * USDC)
    deal.project.windDown({"from": admin})
    assert deal.project.windDownPool() == 0
    deal.project.claimWindDown({"from": alice})
    deal.project.claimWindDown({"from": bob})
    assert usdc.balanceOf(deal.project) == 1000 * USDC
    assert deal.project.claimableRevenue(alice) == 600 * USDC
    assert deal.project.claimableRevenue(bob) == 400 * USDC
