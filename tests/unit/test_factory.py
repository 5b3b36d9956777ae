"""ProjectFactory: the sponsor registry, the one-time exchange setting and project creation."""

import brownie
import pytest
from helpers import (
    DAY,
    FUNDING,
    METADATA_HASH,
    PENDING,
    ZERO_ADDRESS,
    ZERO_HASH,
    err,
    plain,
    project_info,
)


@pytest.fixture
def fresh_factory(ProjectFactory, admin):
    """A factory with no sponsor and no exchange yet."""
    return ProjectFactory.deploy(admin, {"from": admin})


# ---------------------------------------------------------------------------------- admin


def test_admin_is_the_constructor_argument(fresh_factory, admin):
    assert fresh_factory.admin() == admin
    assert fresh_factory.owner() == admin


def test_admin_transfer_takes_effect_only_on_acceptance(fresh_factory, admin, outsider):
    fresh_factory.transferOwnership(outsider, {"from": admin})
    assert fresh_factory.admin() == admin
    fresh_factory.acceptOwnership({"from": outsider})
    assert fresh_factory.admin() == outsider


def test_project_implementation_is_deployed_with_the_factory(fresh_factory):
    assert len(fresh_factory.projectImplementation()) == 42
    assert brownie.web3.eth.get_code(fresh_factory.projectImplementation()) != b""


# -------------------------------------------------------------------------------- sponsors


def test_register_sponsor_marks_the_sponsor_and_emits(fresh_factory, admin, sponsor):
    tx = fresh_factory.registerSponsor(sponsor, "Sunrise", {"from": admin})
    assert fresh_factory.isSponsor(sponsor) is True
    assert tx.events["SponsorRegistered"]["sponsor"] == sponsor
    assert tx.events["SponsorRegistered"]["name"] == "Sunrise"


def test_register_sponsor_by_non_admin_reverts(fresh_factory, sponsor, outsider):
    with brownie.reverts(err("OwnableUnauthorizedAccount", outsider)):
        fresh_factory.registerSponsor(sponsor, "Sunrise", {"from": outsider})


def test_register_zero_address_sponsor_reverts(fresh_factory, admin):
    with brownie.reverts(err("ZeroAddress", "sponsor")):
        fresh_factory.registerSponsor(ZERO_ADDRESS, "Nobody", {"from": admin})


def test_register_sponsor_with_empty_name_reverts(fresh_factory, admin, sponsor):
    with brownie.reverts(err("EmptySponsorName")):
        fresh_factory.registerSponsor(sponsor, "", {"from": admin})


def test_register_sponsor_twice_reverts(factory, admin, sponsor):
    with brownie.reverts(err("SponsorAlreadyRegistered", sponsor)):
        factory.registerSponsor(sponsor, "Again", {"from": admin})


def test_remove_sponsor_unmarks_the_sponsor_and_emits(factory, admin, sponsor):
    tx = factory.removeSponsor(sponsor, {"from": admin})
    assert factory.isSponsor(sponsor) is False
    assert tx.events["SponsorRemoved"]["sponsor"] == sponsor


def test_remove_sponsor_by_non_admin_reverts(factory, sponsor, outsider):
    with brownie.reverts(err("OwnableUnauthorizedAccount", outsider)):
        factory.removeSponsor(sponsor, {"from": outsider})


def test_remove_unregistered_sponsor_reverts(factory, admin, outsider):
    with brownie.reverts(err("SponsorNotRegistered", outsider)):
        factory.removeSponsor(outsider, {"from": admin})


def test_removed_sponsor_can_not_create_projects(factory, admin, sponsor, create_project):
    factory.removeSponsor(sponsor, {"from": admin})
    with brownie.reverts(err("NotSponsor", sponsor)):
        create_project()


def test_projects_of_a_removed_sponsor_keep_accepting_investment(
    factory, admin, sponsor, create_project, invest, alice
):
    deal = create_project()
    factory.removeSponsor(sponsor, {"from": admin})
    invest(deal, alice, 3)
    assert deal.project.balanceOf(alice) == 3


def test_a_removed_sponsor_can_be_registered_again(factory, admin, sponsor):
    factory.removeSponsor(sponsor, {"from": admin})
    factory.registerSponsor(sponsor, "Sunrise again", {"from": admin})
    assert factory.isSponsor(sponsor) is True


# -------------------------------------------------------------------------------- exchange


def test_set_exchange_stores_it_and_emits(fresh_factory, admin, outsider):
    tx = fresh_factory.setExchange(outsider, {"from": admin})
    assert fresh_factory.exchange() == outsider
    assert tx.events["ExchangeSet"]["exchange"] == outsider


def test_set_exchange_a_second_time_reverts(factory, exchange, admin, outsider):
    with brownie.reverts(err("ExchangeAlreadySet", exchange)):
        factory.setExchange(outsider, {"from": admin})


def test_set_exchange_to_zero_reverts(fresh_factory, admin):
    with brownie.reverts(err("ZeroAddress", "exchange")):
        fresh_factory.setExchange(ZERO_ADDRESS, {"from": admin})


def test_set_exchange_by_non_admin_reverts(fresh_factory, outsider):
    with brownie.reverts(err("OwnableUnauthorizedAccount", outsider)):
        fresh_factory.setExchange(outsider, {"from": outsider})


# ------------------------------------------------------------------------ project creation


def test_create_project_by_non_sponsor_reverts(create_project, outsider):
    with brownie.reverts(err("NotSponsor", outsider)):
        create_project(creator=outsider)


def test_create_project_registers_the_project(factory, create_project):
    deal = create_project()
    assert factory.projectCount() == 1
    assert factory.projectAt(0) == deal.project
    assert factory.isProject(deal.project) is True


def test_project_at_an_unknown_id_reverts_naming_the_count(factory, create_project):
    create_project()
    with brownie.reverts(err("UnknownProjectId", 1, 1)):
        factory.projectAt(1)


def test_create_project_emits_everything_the_indexer_needs(
    create_project, usdc, sponsor, implementor, operator, verifier
):
    deal = create_project()
    event = deal.tx.events["ProjectCreated"]
    assert event["project"] == deal.project
    assert event["sponsor"] == sponsor
    assert event["projectId"] == 0
    assert plain(event["info"]) == project_info()
    assert plain(event["roles"]) == plain((sponsor, implementor, operator, verifier))
    assert plain(event["terms"]) == plain((usdc, deal.price, deal.goal, deal.cap, deal.deadline))
    assert plain(event["milestones"]) == plain(deal.milestones)


def test_project_ids_follow_creation_order(factory, create_project):
    first = create_project()
    second = create_project(symbol="GS2")
    assert second.tx.events["ProjectCreated"]["projectId"] == 1
    assert [factory.projectAt(0), factory.projectAt(1)] == [first.project, second.project]
    assert factory.projectCount() == 2


def test_projects_are_found_by_their_exact_symbol(factory, create_project):
    solar = create_project(symbol="GSO-SOLAR").project
    assert factory.projectBySymbol("GSO-SOLAR") == solar
    assert factory.projectBySymbol("gso-solar") == ZERO_ADDRESS
    assert factory.projectBySymbol("NONE") == ZERO_ADDRESS


def test_a_taken_symbol_reverts(create_project):
    first = create_project(symbol="GSO-SOLAR").project
    with brownie.reverts(err("SymbolTaken", "GSO-SOLAR", first)):
        create_project(symbol="GSO-SOLAR", name="Another")


@pytest.mark.parametrize(
    "symbol", ["", "gso", "GSO SOLAR", "-GSO", "GSO-", "A" * 17, "GSÖ", "GSO_1"]
)
def test_a_symbol_that_is_not_a_ticker_reverts(create_project, symbol):
    with brownie.reverts(err("InvalidSymbol", symbol)):
        create_project(symbol=symbol)


@pytest.mark.parametrize("symbol", ["A", "A" * 16, "GSO-SOLAR-2", "9-9"])
def test_tickers_of_every_allowed_shape_are_accepted(factory, create_project, symbol):
    project = create_project(symbol=symbol).project
    assert factory.projectBySymbol(symbol) == project


def test_create_project_makes_the_caller_sponsor_whatever_roles_say(
    create_project, sponsor, implementor, operator, verifier, outsider
):
    deal = create_project(roles=(outsider, implementor, operator, verifier))
    assert plain(deal.project.roles()) == plain((sponsor, implementor, operator, verifier))


def test_an_unknown_address_is_not_a_project(factory, usdc):
    assert factory.isProject(usdc) is False


def test_new_project_exposes_its_terms(create_project, usdc):
    deal = create_project()
    p = deal.project
    assert plain(p.terms()) == plain((usdc, 10_000_000, 500_000_000, 1_000_000_000, deal.deadline))
    assert p.price() == 10_000_000
    assert p.fundingAsset() == usdc
    assert p.phase() == FUNDING
    assert p.raised() == 0
    assert p.released() == 0
    assert p.nextMilestone() == 0
    assert p.tradingOpen() is False


def test_new_project_exposes_its_description(create_project):
    deal = create_project(capacity_kw=750, metrics_mask=0b1001)
    p = deal.project
    assert plain(p.projectInfo()) == (
        "Greensboro Solar",
        "GSO",
        0,
        1,
        "Greensboro, NC",
        "ipfs://spec",
        METADATA_HASH,
        750,
        0b1001,
    )
    assert p.capacityKw() == 750
    assert p.metricsMask() == 0b1001


def test_new_project_share_token_has_name_symbol_and_zero_decimals(create_project):
    p = create_project(name="Sandpoint Wind", symbol="SPW").project
    assert (p.name(), p.symbol(), p.decimals(), p.totalSupply()) == ("Sandpoint Wind", "SPW", 0, 0)


def test_new_project_keeps_its_milestones_pending(create_project):
    deal = create_project()
    p = deal.project
    assert p.milestoneCount() == 3
    for i, (name, bps, due) in enumerate(deal.milestones):
        assert plain(p.milestone(i)) == (name, bps, due, PENDING, "", ZERO_HASH)


def test_project_can_not_be_initialised_again(
    create_project, implementor, operator, verifier, usdc, sponsor
):
    deal = create_project()
    with brownie.reverts(err("InvalidInitialization")):
        deal.project.initialize(
            project_info(),
            (sponsor, implementor, operator, verifier),
            (usdc, 1, 1, 1, deal.deadline),
            [("M", 10_000, deal.deadline + DAY)],
            {"from": sponsor},
        )


def test_project_implementation_can_not_be_initialised(
    factory, Project, implementor, operator, verifier, usdc, sponsor
):
    implementation = Project.at(factory.projectImplementation())
    deadline = brownie.web3.eth.get_block("latest").timestamp + DAY
    with brownie.reverts(err("InvalidInitialization")):
        implementation.initialize(
            project_info(),
            (sponsor, implementor, operator, verifier),
            (usdc, 1, 1, 1, deadline),
            [("M", 10_000, deadline + DAY)],
            {"from": sponsor},
        )
