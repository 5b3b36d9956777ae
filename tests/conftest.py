"""Shared fixtures of the contract tests: accounts by role, deployed core contracts, a project
factory fixture and funding helpers. Constants and plain helpers are in helpers.py.

Run from the project root:
    export PATH=$PWD/node_modules/.bin:$PATH SOLCX_BINARY_PATH=$PWD/.solc
    .venv-brownie/bin/brownie test tests/ --network development
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from helpers import (
    BUILDING,
    BUY,
    DAY,
    DEFAULT_MILESTONES,
    EVIDENCE_HASH,
    HOUR,
    MAX_MATCHES,
    OPERATING,
    ZERO_ADDRESS,
    Deal,
    now,
    project_info,
)

from scripts.common import configure_test_chain
from scripts.receipt_lag import tolerate_receipt_lag

# The test chain: its own anvil on 8546 (the demo chain uses 8545) with 20 accounts, shared with
# the scripts. Brownie launches anvil after collection, so this runs in time.
configure_test_chain()
# A mined transaction is not taken for a dropped one while anvil's receipt lags its nonce.
tolerate_receipt_lag()

# ------------------------------------------------------------------ chain isolation and time


def pytest_configure(config):
    # Noise from brownie internals, not from the code under test.
    config.addinivalue_line("filterwarnings", "ignore:rpc\\.\\w+ should not be called directly")


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    """Every test starts from the state right after the module-scoped fixtures."""


# ---------------------------------------------------------------------------------- accounts


@pytest.fixture(scope="session")
def admin(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def sponsor(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def implementor(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def operator(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def verifier(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def reporter(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def outsider(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def other_sponsor(accounts):
    return accounts[7]


@pytest.fixture(scope="session")
def investors(accounts):
    """Eight investors, accounts 8..15."""
    return list(accounts[8:16])


@pytest.fixture(scope="session")
def alice(investors):
    return investors[0]


@pytest.fixture(scope="session")
def bob(investors):
    return investors[1]


@pytest.fixture(scope="session")
def carol(investors):
    return investors[2]


@pytest.fixture(scope="session")
def dave(investors):
    return investors[3]


# ---------------------------------------------------------------------------- core contracts


@pytest.fixture(scope="module")
def usdc(module_isolation, TestStablecoin, admin):
    """The default funding asset: 6 decimals."""
    return TestStablecoin.deploy("Test USD Coin", "tUSDC", 6, {"from": admin})


@pytest.fixture(scope="module")
def dai(module_isolation, TestStablecoin, admin):
    """An 18-decimal funding asset."""
    return TestStablecoin.deploy("Test Dai", "tDAI", 18, {"from": admin})


@pytest.fixture(scope="module")
def fee_token(module_isolation, FeeOnTransferToken, admin):
    """Burns 1% of every transfer."""
    return FeeOnTransferToken.deploy({"from": admin})


@pytest.fixture(scope="module")
def factory(module_isolation, ProjectFactory, admin, sponsor):
    f = ProjectFactory.deploy(admin, {"from": admin})
    f.registerSponsor(sponsor, "Sunrise Sponsor", {"from": admin})
    return f


@pytest.fixture(scope="module")
def exchange(module_isolation, ShareExchange, factory, admin):
    ex = ShareExchange.deploy(factory, {"from": admin})
    factory.setExchange(ex, {"from": admin})
    return ex


@pytest.fixture(scope="module")
def oracle(module_isolation, MetricsOracle, factory, admin):
    return MetricsOracle.deploy(factory, HOUR, {"from": admin})


# -------------------------------------------------------------------------- project helpers


@pytest.fixture
def create_project(factory, exchange, usdc, sponsor, implementor, operator, verifier, Project):
    """create_project(goal=..., cap=..., price=..., deadline_in=..., milestones=[(name, bps,
    due_after_deadline)], asset=...) -> Deal. Amounts are funding-asset units; default price is
    10 whole units of the asset per share, goal 50 shares, cap 100 shares. Symbols are unique on
    chain: the first default one is GSO, later ones GSO2, GSO3, ..."""
    made: list[Any] = []

    def _create(
        *,
        price: int | None = None,
        goal: int | None = None,
        cap: int | None = None,
        deadline_in: int = 7 * DAY,
        deadline: int | None = None,
        milestones: Sequence[tuple] = DEFAULT_MILESTONES,
        asset: Any = None,
        creator: Any = None,
        roles: tuple | None = None,
        info: tuple | None = None,
        **info_overrides: Any,
    ) -> Deal:
        asset = asset or usdc
        price = 10 * 10 ** asset.decimals() if price is None else price
        goal = 50 * price if goal is None else goal
        cap = 100 * price if cap is None else cap
        deadline = now() + deadline_in if deadline is None else deadline
        specs = [(m[0], m[1], deadline + m[2]) for m in milestones]
        creator = creator or sponsor
        roles = roles or (ZERO_ADDRESS, implementor, operator, verifier)
        if info is None and "symbol" not in info_overrides and made:
            info_overrides["symbol"] = f"GSO{len(made) + 1}"
        info = info or project_info(**info_overrides)
        tx = factory.createProject(
            info, roles, (asset, price, goal, cap, deadline), specs, {"from": creator}
        )
        project = Project.at(tx.return_value)
        made.append(project)
        return Deal(project, asset, price, goal, cap, deadline, specs, tx)

    return _create


@pytest.fixture
def fund(usdc):
    """fund(account, amount, spender, asset=usdc): mints `amount` and approves `spender` for it."""

    def _fund(account: Any, amount: int, spender: Any, asset: Any = None) -> None:
        asset = asset or usdc
        asset.mint(account, amount, {"from": account})
        asset.approve(spender, asset.allowance(account, spender) + amount, {"from": account})

    return _fund


@pytest.fixture
def invest(fund):
    """invest(deal, investor, shares): funds exactly the cost and invests."""

    def _invest(deal: Deal, investor: Any, shares: int) -> Any:
        fund(investor, shares * deal.price, deal.project, deal.asset)
        return deal.project.invest(shares, {"from": investor})

    return _invest


@pytest.fixture
def approve_all(implementor, verifier):
    """approve_all(deal): submits and approves every remaining milestone in order."""

    def _approve_all(deal: Deal) -> None:
        project = deal.project
        for i in range(project.nextMilestone(), project.milestoneCount()):
            project.submitMilestone(i, f"ipfs://evidence/{i}", EVIDENCE_HASH, {"from": implementor})
            project.approveMilestone(i, {"from": verifier})

    return _approve_all


@pytest.fixture
def building_project(create_project, invest, alice, bob):
    """A project whose raise hit its cap (Building): alice 60 shares, bob 40, price 10 USDC."""

    def _make(holdings: Sequence[tuple] | None = None, **kwargs: Any) -> Deal:
        deal = create_project(**kwargs)
        for investor, shares in holdings or ((alice, 60), (bob, 40)):
            invest(deal, investor, shares)
        assert deal.project.phase() == BUILDING
        return deal

    return _make


@pytest.fixture
def operating_project(building_project, approve_all):
    """A project with every milestone approved (Operating): alice 60 shares, bob 40."""

    def _make(holdings: Sequence[tuple] | None = None, **kwargs: Any) -> Deal:
        deal = building_project(holdings, **kwargs)
        approve_all(deal)
        assert deal.project.phase() == OPERATING
        return deal

    return _make


@pytest.fixture
def deposit(fund, operator):
    """deposit(deal, amount, by=operator): funds and deposits revenue."""

    def _deposit(deal: Deal, amount: int, by: Any = None) -> Any:
        by = by or operator
        fund(by, amount, deal.project, deal.asset)
        return deal.project.depositRevenue(amount, {"from": by})

    return _deposit


@pytest.fixture
def place(fund, exchange):
    """place(deal, maker, side, price, amount, max_matches=100): funds a buy with price x amount
    first (approval of exactly that) and places the order. Returns the transaction."""

    def _place(
        deal: Deal, maker: Any, side: int, price: int, amount: int, max_matches: int = MAX_MATCHES
    ) -> Any:
        if side == BUY:
            fund(maker, price * amount, exchange, deal.asset)
        return exchange.placeOrder(deal.project, side, price, amount, max_matches, {"from": maker})

    return _place
