"""Milestones: strictly in order, evidence by the implementor, approval or rejection by the
verifier, exact tranches (rounded down, the last takes the rest), the last starts operation."""

import brownie
import pytest
from helpers import (
    APPROVED,
    BUILDING,
    DAY,
    EVIDENCE_HASH,
    FAILED,
    FUNDING,
    OPERATING,
    PENDING,
    REJECTED,
    SUBMITTED,
    WOUND_DOWN,
    ZERO_HASH,
    err,
    plain,
    set_next_timestamp,
)

URI = "ipfs://evidence/0"


@pytest.fixture(params=["usdc", "dai"])
def asset(request, usdc, dai):
    return {"usdc": usdc, "dai": dai}[request.param]


@pytest.fixture
def deal(building_project):
    """Building, raise at cap: 1000 USDC (alice 60, bob 40); tranches 20% / 50% / 30%."""
    return building_project()


def submit(deal, index, by, uri=URI, evidence_hash=EVIDENCE_HASH):
    return deal.project.submitMilestone(index, uri, evidence_hash, {"from": by})


# ------------------------------------------------------------------------------- submit


def test_submit_records_evidence_and_emits(deal, implementor):
    tx = submit(deal, 0, implementor)
    name, bps, due = deal.milestones[0]
    assert plain(deal.project.milestone(0)) == (name, bps, due, SUBMITTED, URI, EVIDENCE_HASH)
    assert plain(tx.events["MilestoneSubmitted"].values()) == (0, URI, EVIDENCE_HASH)


def test_submit_out_of_order_reverts(deal, implementor):
    with brownie.reverts(err("MilestoneOutOfOrder", 0, 1)):
        submit(deal, 1, implementor)


def test_submit_beyond_the_last_milestone_reverts(deal, implementor):
    with brownie.reverts(err("MilestoneOutOfOrder", 0, 3)):
        submit(deal, 3, implementor)


def test_submit_with_empty_evidence_uri_reverts(deal, implementor):
    with brownie.reverts(err("EmptyField", "evidenceURI")):
        submit(deal, 0, implementor, uri="")


def test_submit_accepts_a_zero_evidence_hash(deal, implementor):
    submit(deal, 0, implementor, evidence_hash=ZERO_HASH)
    assert deal.project.milestone(0)[3] == SUBMITTED


def test_submit_while_already_submitted_reverts(deal, implementor):
    submit(deal, 0, implementor)
    with brownie.reverts(err("MilestoneNotSubmittable", 0)):
        submit(deal, 0, implementor)


def test_submit_an_approved_milestone_again_reverts(deal, implementor, verifier):
    submit(deal, 0, implementor)
    deal.project.approveMilestone(0, {"from": verifier})
    with brownie.reverts(err("MilestoneOutOfOrder", 1, 0)):
        submit(deal, 0, implementor)


def test_submit_during_the_raise_reverts(create_project, implementor):
    deal = create_project()
    with brownie.reverts(err("WrongPhase", FUNDING)):
        submit(deal, 0, implementor)


def test_submit_after_a_failed_raise_reverts(create_project, implementor, outsider):
    deal = create_project()
    set_next_timestamp(deal.deadline)
    deal.project.finalizeRaise({"from": outsider})
    with brownie.reverts(err("WrongPhase", FAILED)):
        submit(deal, 0, implementor)


def test_submit_after_wind_down_reverts(deal, implementor, admin):
    deal.project.windDown({"from": admin})
    with brownie.reverts(err("WrongPhase", WOUND_DOWN)):
        submit(deal, 0, implementor)


# ------------------------------------------------------------------------------ approve


def test_approve_pays_the_tranche_to_the_implementor_and_emits(deal, usdc, implementor, verifier):
    submit(deal, 0, implementor)
    tx = deal.project.approveMilestone(0, {"from": verifier})
    assert usdc.balanceOf(implementor) == 200_000_000
    assert usdc.balanceOf(deal.project) == 800_000_000
    assert deal.project.released() == 200_000_000
    assert deal.project.nextMilestone() == 1
    assert deal.project.milestone(0)[3] == APPROVED
    assert plain(tx.events["MilestoneApproved"].values()) == (0, 200_000_000)


def test_approve_unsubmitted_milestone_reverts(deal, verifier):
    with brownie.reverts(err("MilestoneNotSubmitted", 0)):
        deal.project.approveMilestone(0, {"from": verifier})


def test_approve_out_of_order_reverts(deal, implementor, verifier):
    submit(deal, 0, implementor)
    with brownie.reverts(err("MilestoneOutOfOrder", 0, 1)):
        deal.project.approveMilestone(1, {"from": verifier})


def test_approve_the_same_milestone_twice_reverts(deal, implementor, verifier):
    submit(deal, 0, implementor)
    deal.project.approveMilestone(0, {"from": verifier})
    with brownie.reverts(err("MilestoneOutOfOrder", 1, 0)):
        deal.project.approveMilestone(0, {"from": verifier})


def test_approve_during_the_raise_reverts(create_project, verifier):
    deal = create_project()
    with brownie.reverts(err("WrongPhase", FUNDING)):
        deal.project.approveMilestone(0, {"from": verifier})


def test_approve_after_wind_down_reverts(deal, implementor, verifier, admin):
    submit(deal, 0, implementor)
    deal.project.windDown({"from": admin})
    with brownie.reverts(err("WrongPhase", WOUND_DOWN)):
        deal.project.approveMilestone(0, {"from": verifier})


def test_approving_the_last_milestone_starts_operation(deal, approve_all, implementor, verifier):
    for i in range(2):
        submit(deal, i, implementor)
        deal.project.approveMilestone(i, {"from": verifier})
    submit(deal, 2, implementor)
    tx = deal.project.approveMilestone(2, {"from": verifier})
    assert plain(tx.events["PhaseChanged"].values()) == (BUILDING, OPERATING)
    assert deal.project.phase() == OPERATING
    assert deal.project.nextMilestone() == 3
    assert deal.project.tradingOpen() is True


def test_submit_after_operation_started_reverts(deal, approve_all, implementor):
    approve_all(deal)
    with brownie.reverts(err("WrongPhase", OPERATING)):
        submit(deal, 3, implementor)


def test_approve_after_a_late_submission_still_pays(deal, usdc, implementor, verifier):
    set_next_timestamp(deal.milestones[0][2] + 10 * DAY)
    submit(deal, 0, implementor)
    deal.project.approveMilestone(0, {"from": verifier})
    assert usdc.balanceOf(implementor) == 200_000_000


# ------------------------------------------------------------------------------- reject


def test_reject_marks_rejected_pays_nothing_and_emits(deal, usdc, implementor, verifier):
    submit(deal, 0, implementor)
    tx = deal.project.rejectMilestone(0, "meter photos missing", {"from": verifier})
    assert deal.project.milestone(0)[3] == REJECTED
    assert usdc.balanceOf(implementor) == 0
    assert usdc.balanceOf(deal.project) == 1_000_000_000
    assert deal.project.released() == 0
    assert deal.project.nextMilestone() == 0
    assert plain(tx.events["MilestoneRejected"].values()) == (0, "meter photos missing")


def test_reject_unsubmitted_milestone_reverts(deal, verifier):
    with brownie.reverts(err("MilestoneNotSubmitted", 0)):
        deal.project.rejectMilestone(0, "nothing here", {"from": verifier})


def test_reject_out_of_order_reverts(deal, implementor, verifier):
    submit(deal, 0, implementor)
    with brownie.reverts(err("MilestoneOutOfOrder", 0, 1)):
        deal.project.rejectMilestone(1, "no", {"from": verifier})


def test_approve_a_rejected_milestone_without_resubmission_reverts(deal, implementor, verifier):
    submit(deal, 0, implementor)
    deal.project.rejectMilestone(0, "no", {"from": verifier})
    with brownie.reverts(err("MilestoneNotSubmitted", 0)):
        deal.project.approveMilestone(0, {"from": verifier})


def test_reject_twice_without_resubmission_reverts(deal, implementor, verifier):
    submit(deal, 0, implementor)
    deal.project.rejectMilestone(0, "no", {"from": verifier})
    with brownie.reverts(err("MilestoneNotSubmitted", 0)):
        deal.project.rejectMilestone(0, "still no", {"from": verifier})


def test_resubmit_after_rejection_replaces_the_evidence(deal, implementor, verifier):
    submit(deal, 0, implementor)
    deal.project.rejectMilestone(0, "no", {"from": verifier})
    submit(deal, 0, implementor, uri="ipfs://evidence/0-v2", evidence_hash=b"\x22" * 32)
    name, bps, due = deal.milestones[0]
    assert plain(deal.project.milestone(0)) == (
        name,
        bps,
        due,
        SUBMITTED,
        "ipfs://evidence/0-v2",
        b"\x22" * 32,
    )


def test_resubmitted_milestone_can_be_approved_and_pays_once(deal, usdc, implementor, verifier):
    submit(deal, 0, implementor)
    deal.project.rejectMilestone(0, "no", {"from": verifier})
    submit(deal, 0, implementor)
    deal.project.approveMilestone(0, {"from": verifier})
    assert usdc.balanceOf(implementor) == 200_000_000
    assert deal.project.released() == 200_000_000


# -------------------------------------------------------------------------------- roles

ACTIONS = {
    "submit": ("implementor", lambda deal, by: submit(deal, 0, by)),
    "approve": ("verifier", lambda deal, by: deal.project.approveMilestone(0, {"from": by})),
    "reject": ("verifier", lambda deal, by: deal.project.rejectMilestone(0, "no", {"from": by})),
}
CALLERS = [
    "admin",
    "sponsor",
    "implementor",
    "operator",
    "verifier",
    "reporter",
    "outsider",
    "alice",
]
UNAUTHORIZED = [
    (action, caller)
    for action, (role, _) in ACTIONS.items()
    for caller in CALLERS
    if caller != role
]


@pytest.mark.parametrize("action,caller", UNAUTHORIZED)
def test_milestone_action_by_the_wrong_role_reverts(request, deal, implementor, action, caller):
    role, act = ACTIONS[action]
    if action != "submit":
        submit(deal, 0, implementor)
    account = request.getfixturevalue(caller)
    with brownie.reverts(err("Unauthorized", account, role)):
        act(deal, account)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_milestone_action_by_its_role_succeeds(request, deal, implementor, action):
    role, act = ACTIONS[action]
    if action != "submit":
        submit(deal, 0, implementor)
    act(deal, request.getfixturevalue(role))
    assert (
        deal.project.milestone(0)[3]
        == {"submit": SUBMITTED, "approve": APPROVED, "reject": REJECTED}[action]
    )


# ----------------------------------------------------------------------- exact tranches


def test_tranches_pay_exact_shares_of_the_raise(building_project, approve_all, asset, implementor):
    deal = building_project(asset=asset)
    unit = 10 ** asset.decimals()
    paid = []
    for i in range(3):
        before = asset.balanceOf(implementor)
        deal.project.submitMilestone(i, URI, EVIDENCE_HASH, {"from": implementor})
        deal.project.approveMilestone(i, {"from": deal.project.roles()[3]})
        paid.append(asset.balanceOf(implementor) - before)
    assert paid == [200 * unit, 500 * unit, 300 * unit]
    assert asset.balanceOf(deal.project) == 0
    assert deal.project.released() == deal.project.raised() == 1000 * unit


def test_tranches_round_down_and_the_last_takes_the_remainder(
    building_project, usdc, implementor, verifier
):
    # 700 units raised; 33.33% of it is 233.31 -> 233, twice; the last gets 700 - 466 = 234.
    deal = building_project(
        price=7,
        goal=350,
        cap=700,
        milestones=[("A", 3333, DAY), ("B", 3333, 2 * DAY), ("C", 3334, 3 * DAY)],
    )
    paid = []
    for i in range(3):
        before = usdc.balanceOf(implementor)
        submit(deal, i, implementor)
        tx = deal.project.approveMilestone(i, {"from": verifier})
        paid.append(usdc.balanceOf(implementor) - before)
        assert tx.events["MilestoneApproved"]["tranche"] == paid[-1]
    assert paid == [233, 233, 234]
    assert usdc.balanceOf(deal.project) == 0


def test_tranches_are_shares_of_what_was_raised_not_of_the_cap(
    create_project, invest, usdc, implementor, verifier, alice
):
    deal = create_project()
    invest(deal, alice, 73)
    set_next_timestamp(deal.deadline)
    deal.project.finalizeRaise({"from": alice})
    submit(deal, 0, implementor)
    deal.project.approveMilestone(0, {"from": verifier})
    assert usdc.balanceOf(implementor) == 146_000_000  # 20% of 730 USDC


def test_a_zero_bps_milestone_pays_nothing_and_advances(
    building_project, usdc, implementor, verifier
):
    deal = building_project(milestones=[("Survey", 0, DAY), ("Build", 10_000, 2 * DAY)])
    submit(deal, 0, implementor)
    tx = deal.project.approveMilestone(0, {"from": verifier})
    assert tx.events["MilestoneApproved"]["tranche"] == 0
    assert usdc.balanceOf(implementor) == 0
    assert deal.project.nextMilestone() == 1


def test_a_single_milestone_releases_the_whole_raise_and_starts_operation(
    building_project, usdc, implementor, verifier
):
    deal = building_project(milestones=[("Everything", 10_000, DAY)])
    submit(deal, 0, implementor)
    deal.project.approveMilestone(0, {"from": verifier})
    assert usdc.balanceOf(implementor) == 1_000_000_000
    assert deal.project.phase() == OPERATING


def test_milestones_are_pending_until_submitted(deal):
    assert [deal.project.milestone(i)[3] for i in range(3)] == [PENDING, PENDING, PENDING]
