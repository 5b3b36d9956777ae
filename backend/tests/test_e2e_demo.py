"""End to end: the demo's whole scenario on a real anvil (deploy and story through brownie,
oracle readings from the real weather models, indexing), without serving; then the API's
answers are compared with what the chain says.
"""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from web3 import Web3
from web3.contract import Contract

from backend.common.chain import ROOT, abi
from backend.common.errors import ConfigError
from backend.demo import DEMO_GENESIS, DemoRun, anvil, play, post_oracle_readings
from backend.oracle.config import OracleConfig, ProjectConfig, load_config
from backend.oracle.readings import Reading
from backend.oracle.service import PostingError, Reporter

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from backend.api.app import create_app

pytestmark = [pytest.mark.chain, pytest.mark.e2e]

PHASES = ["funding", "failed", "building", "operating", "wound_down"]
METRICS = {"ENERGY_KWH": (0, 3), "UPTIME_BPS": (3, 0), "CO2_AVOIDED_KG": (5, 3)}
PORT = 8546  # brownie's `development` network (brownie-config.yaml)


class Played:
    def __init__(self, run: DemoRun, w3: Web3, client: TestClient) -> None:
        self.run, self.w3, self.client = run, w3, client
        d = run.deployment
        self.factory = w3.eth.contract(address=d.factory, abi=abi("ProjectFactory"))
        self.exchange = w3.eth.contract(address=d.exchange, abi=abi("ShareExchange"))
        self.oracle = w3.eth.contract(address=d.oracle, abi=abi("MetricsOracle"))
        self.decimals = d.funding_asset.decimals
        count = self.factory.functions.projectCount().call()
        self.projects: dict[str, Contract] = {}
        for i in range(count):
            p = w3.eth.contract(
                address=self.factory.functions.projectAt(i).call(), abi=abi("Project")
            )
            self.projects[p.functions.symbol().call()] = p

    def money(self, raw: int) -> Decimal:
        return Decimal(raw) / Decimal(10) ** self.decimals

    def logs(self, contract: Contract, event: str) -> list[Any]:
        return list(
            getattr(contract.events, event)().get_logs(
                from_block=self.run.deployment.deployment_block
            )
        )


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    data_dir = tmp_path_factory.mktemp("demo")
    with anvil(PORT, DEMO_GENESIS) as rpc_url:
        run = play("development", rpc_url, data_dir)
        with TestClient(create_app(database_url=run.database_url)) as client:
            yield Played(run, Web3(Web3.HTTPProvider(rpc_url)), client)


def test_scenario_has_three_kinds_and_eight_investors(played):
    kinds = {p["kind"] for p in played.client.get("/api/projects").json()}
    assert {"solar", "wind", "storage"} <= kinds
    investors = {
        log["args"]["investor"]
        for p in played.projects.values()
        for log in played.logs(p, "Invested")
    }
    assert len(investors) >= 8


def test_phases_and_raises_equal_the_chain(played):
    api = {p["symbol"]: p for p in played.client.get("/api/projects").json()}
    assert set(api) == set(played.projects)
    for symbol, p in played.projects.items():
        assert api[symbol]["phase"] == PHASES[p.functions.phase().call()]
        assert Decimal(api[symbol]["raised"]) == played.money(p.functions.raised().call())
        assert Decimal(api[symbol]["goal"]) == played.money(p.functions.terms().call()[2])
    assert {s: api[s]["phase"] for s in api} == {
        "GSO-SOLAR": "operating",
        "SPT-WIND": "operating",
        "DUR-STORE": "failed",
    }


def test_failed_raise_refunded_every_investor_exactly(played):
    storage = played.projects["DUR-STORE"]
    paid = Counter()
    for log in played.logs(storage, "Invested"):
        paid[log["args"]["investor"]] += log["args"]["amount"]
    refunded = {
        log["args"]["investor"]: log["args"]["amount"] for log in played.logs(storage, "Refunded")
    }
    assert refunded == dict(paid)
    assert storage.functions.totalSupply().call() == 0
    asset = played.w3.eth.contract(
        address=played.run.deployment.funding_asset.address, abi=abi("IERC20")
    )
    assert asset.functions.balanceOf(storage.address).call() == 0
    # The API tells the money went back: `raised` keeps its total, as the contract's does.
    api = played.client.get(f"/api/projects/{storage.address}").json()
    assert Decimal(api["refunded"]) == Decimal(api["raised"]) == played.money(sum(paid.values()))
    assert api["holders_count"] == 0


def test_milestones_were_approved_in_order_and_paid_the_whole_raise(played):
    for symbol in ("GSO-SOLAR", "SPT-WIND"):
        p = played.projects[symbol]
        detail = played.client.get(f"/api/projects/{p.address}").json()
        assert [m["status"] for m in detail["milestones"]] == ["approved"] * len(
            detail["milestones"]
        )
        approved = [log["args"]["index"] for log in played.logs(p, "MilestoneApproved")]
        assert approved == list(range(len(detail["milestones"])))
        paid = sum(log["args"]["tranche"] for log in played.logs(p, "MilestoneApproved"))
        assert paid == p.functions.raised().call() == p.functions.released().call()
        assert Decimal(detail["released"]) == played.money(paid)
        rejected = [
            (log["args"]["index"], log["args"]["reason"], log["blockNumber"])
            for log in played.logs(p, "MilestoneRejected")
        ]
        assert [
            (m["index"], r["reason"], r["block_number"])
            for m in detail["milestones"]
            for r in m["rejections"]
        ] == rejected
        assert len(rejected) == (1 if symbol == "SPT-WIND" else 0)  # the story rejects once


@pytest.mark.parametrize("symbol", ["GSO-SOLAR", "SPT-WIND", "DUR-STORE"])
def test_order_book_equals_the_chain(played, symbol):
    p = played.projects[symbol]
    book = played.client.get(f"/api/markets/{p.address}/orderbook").json()
    for side, key in ((0, "bids"), (1, "asks")):
        prices, amounts = played.exchange.functions.depth(p.address, side, 1000).call()
        assert [(Decimal(px), int(n)) for px, n in book[key]] == [
            (played.money(px), n) for px, n in zip(prices, amounts, strict=False)
        ]
    assert book["trading_open"] is p.functions.tradingOpen().call()
    assert book["trading_open"] is (symbol != "DUR-STORE")  # its raise failed


def test_orders_filled_partly_and_cancelled(played):
    placed = played.logs(played.exchange, "OrderPlaced")
    cancelled = played.logs(played.exchange, "OrderCancelled")
    assert len(placed) >= 20
    assert len(cancelled) >= 1
    traded = Counter()
    for log in played.logs(played.exchange, "Trade"):
        traded[log["args"]["makerOrderId"]] += log["args"]["amount"]
        traded[log["args"]["takerOrderId"]] += log["args"]["amount"]
    amounts = {log["args"]["orderId"]: log["args"]["amount"] for log in placed}
    assert any(traded[o] == a for o, a in amounts.items())  # filled fully
    assert any(0 < traded[o] < a for o, a in amounts.items())  # filled partly


@pytest.mark.parametrize("symbol", ["GSO-SOLAR", "SPT-WIND"])
def test_trades_equal_the_chain_newest_first(played, symbol):
    p = played.projects[symbol]
    api = played.client.get(f"/api/markets/{p.address}/trades", params={"limit": 1000}).json()
    chain = [
        log for log in played.logs(played.exchange, "Trade") if log["args"]["project"] == p.address
    ]
    chain.sort(key=lambda log: (log["blockNumber"], log["logIndex"]), reverse=True)
    assert len(api) == len(chain) > 0
    for a, c in zip(api, chain, strict=False):
        assert (Decimal(a["price"]), int(a["amount"]), a["maker"], a["taker"]) == (
            played.money(c["args"]["price"]),
            c["args"]["amount"],
            c["args"]["maker"],
            c["args"]["taker"],
        )
        assert (a["maker_order_id"], a["taker_order_id"]) == (
            c["args"]["makerOrderId"],
            c["args"]["takerOrderId"],
        )


@pytest.mark.parametrize("symbol", ["GSO-SOLAR", "SPT-WIND"])
def test_metrics_equal_the_chain(played, symbol):
    p = played.projects[symbol]
    detail = played.client.get(f"/api/projects/{p.address}").json()
    for name, (metric, decimals) in METRICS.items():
        value, period, _ = played.oracle.functions.latestReading(p.address, metric).call()
        latest = detail["latest_metrics"][name]
        assert (int(latest["raw_value"]), latest["period"]) == (value, period)
        assert Decimal(latest["value"]) == Decimal(value) / Decimal(10) ** decimals
    readings = played.client.get(
        f"/api/projects/{p.address}/metrics", params={"metric": "ENERGY_KWH", "limit": 1000}
    ).json()
    posted = [
        log
        for log in played.logs(played.oracle, "ReadingPosted")
        if log["args"]["project"] == p.address and log["args"]["metric"] == 0
    ]
    newest = sorted(posted, key=lambda log: log["args"]["period"], reverse=True)[:1000]
    assert [(r["period"], int(r["raw_value"])) for r in readings] == [
        (log["args"]["period"], log["args"]["value"]) for log in newest
    ]


def test_oracle_posted_at_least_seven_days_of_hourly_readings(played):
    for symbol in ("GSO-SOLAR", "SPT-WIND"):
        p = played.projects[symbol]
        periods = sorted(
            log["args"]["period"]
            for log in played.logs(played.oracle, "ReadingPosted")
            if log["args"]["project"] == p.address and log["args"]["metric"] == 0
        )
        assert len(periods) >= 7 * 24
        assert periods == list(range(periods[0], periods[-1] + 3600, 3600))  # none missing


def test_revenue_claims_were_pro_rata(played):
    for symbol in ("GSO-SOLAR", "SPT-WIND"):
        p = played.projects[symbol]
        (deposit,) = played.logs(p, "RevenueDeposited")
        claims = played.logs(p, "RevenueClaimed")
        assert len(claims) >= 1
        for claim in claims:
            holder, block = claim["args"]["holder"], claim["blockNumber"]
            shares = p.functions.balanceOf(holder).call(block_identifier=block)
            supply = p.functions.totalSupply().call(block_identifier=block)
            # revenue per share is kept x 2^128 and rounded down, then the claim is rounded down
            per_share = deposit["args"]["amount"] * 2**128 // supply
            assert claim["args"]["amount"] == per_share * shares // 2**128


def test_oracle_refuses_a_project_listed_twice(played):
    config = load_config(ROOT / "config" / "oracle-demo.yaml")
    solar = config.projects[0]
    address = played.projects[solar.project].address
    config = config.model_copy(
        update={
            "rpc_url": played.run.rpc_url,
            "deployment": played.run.deployment_path,
            "projects": [solar, solar.model_copy(update={"project": address.lower()})],
        }
    )
    with pytest.raises(ConfigError, match=f"project {address} is listed twice"):
        Reporter(config)


def _demo_config_with_solar_source(played, source: dict, **changes: Any) -> OracleConfig:
    config = load_config(ROOT / "config" / "oracle-demo.yaml")
    solar = config.projects[0]
    # Validated afresh so the new source is parsed into its model, as a config file would be.
    project = ProjectConfig.model_validate(
        {**solar.model_dump(exclude={"source"}), "source": source, **changes}
    )
    return config.model_copy(
        update={
            "rpc_url": played.run.rpc_url,
            "deployment": played.run.deployment_path,
            "projects": [project],
        }
    )


def test_oracle_refuses_a_model_of_another_kind_of_plant(played):
    config = _demo_config_with_solar_source(played, {"type": "wind"})
    with pytest.raises(
        ConfigError,
        match="GSO-SOLAR is a solar project on chain, but its source in the config models a "
        "wind plant",
    ):
        Reporter(config)


def test_oracle_refuses_a_model_of_another_size(played):
    config = _demo_config_with_solar_source(played, {"type": "solar", "capacity_kw": 50000})
    with pytest.raises(
        ConfigError,
        match="source of GSO-SOLAR models 50000 kW, but the project's nameplate capacity on "
        "chain is 5000 kW",
    ):
        Reporter(config)


def test_oracle_refuses_a_project_that_does_not_declare_its_metrics(played):
    config = _demo_config_with_solar_source(
        played, {"type": "solar", "capacity_kw": 2000}, project="DUR-STORE"
    )
    with pytest.raises(
        ConfigError,
        match="DUR-STORE does not declare ENERGY_KWH, CO2_AVOIDED_KG, which this oracle reports",
    ):
        Reporter(config)


def test_oracle_takes_a_symbol_in_any_case(played):
    config = _demo_config_with_solar_source(
        played, {"type": "solar", "capacity_kw": 5000}, project="gso-solar"
    )
    assert Reporter(config).feeds[0].address == played.projects["GSO-SOLAR"].address


def test_oracle_refuses_a_start_before_the_plant_operated(played):
    reporter = Reporter(
        _demo_config_with_solar_source(
            played, {"type": "solar", "capacity_kw": 5000}, start=DEMO_GENESIS
        )
    )
    solar = played.projects["GSO-SOLAR"].address
    before = played.oracle.functions.latestReading(solar, 0).call()
    with pytest.raises(PostingError, match=f"start {DEMO_GENESIS} is before the project entered"):
        reporter.post_due()
    assert played.oracle.functions.latestReading(solar, 0).call() == before


def test_oracle_restart_posts_nothing_twice(played):
    """Runs last in this module: it moves chain time on."""
    deployment_path = played.run.deployment_path
    assert post_oracle_readings(played.run.rpc_url, deployment_path) == 0  # a restart: nothing due
    played.w3.provider.make_request("evm_increaseTime", [3 * 3600])
    played.w3.provider.make_request("evm_mine", [])
    posted = post_oracle_readings(played.run.rpc_url, deployment_path)
    assert posted == 2 * 3  # 3 hours x 2 projects
    # A batch that repeats a posted period is refused by name and changes nothing.
    config = load_config(ROOT / "config" / "oracle-demo.yaml").model_copy(
        update={"rpc_url": played.run.rpc_url, "deployment": deployment_path}
    )
    reporter = Reporter(config)
    solar = played.projects["GSO-SOLAR"].address
    value, period, _ = played.oracle.functions.latestReading(solar, 0).call()
    with pytest.raises(PostingError, match="PeriodAlreadyReported"):
        reporter._send([Reading(solar, 0, period, value)])
    # A value beyond the chain's uint128 is refused before anything is sent.
    with pytest.raises(PostingError, match="the batch cannot be encoded for the chain"):
        reporter._send([Reading(solar, 0, period + 3600, 2**128)])
    assert tuple(played.oracle.functions.latestReading(solar, 0).call())[:2] == (value, period)


def test_a_project_the_chain_refuses_does_not_hold_up_the_others(played):
    """Runs after the restart test: it revokes the solar farm's reporter."""
    config = load_config(ROOT / "config" / "oracle-demo.yaml").model_copy(
        update={"rpc_url": played.run.rpc_url, "deployment": played.run.deployment_path}
    )
    reporter = Reporter(config)
    solar, wind = played.projects["GSO-SOLAR"].address, played.projects["SPT-WIND"].address
    sponsor = played.w3.eth.accounts[1]
    played.oracle.functions.setReporter(solar, reporter.account.address, False).transact(
        {"from": sponsor}
    )
    solar_before = played.oracle.functions.latestReading(solar, 0).call()[1]
    wind_before = played.oracle.functions.latestReading(wind, 0).call()[1]
    played.w3.provider.make_request("evm_increaseTime", [2 * 3600])
    played.w3.provider.make_request("evm_mine", [])
    with pytest.raises(
        PostingError,
        match="posted 2 period.s., but GSO-SOLAR: oracle refused the batch: NotReporter",
    ):
        reporter.post_due()
    assert played.oracle.functions.latestReading(solar, 0).call()[1] == solar_before
    assert played.oracle.functions.latestReading(wind, 0).call()[1] == wind_before + 2 * 3600


def test_a_wound_down_project_is_named_once_not_on_every_poll(played, caplog):
    """Runs last: it winds the wind farm down."""
    config = load_config(ROOT / "config" / "oracle-demo.yaml")
    wind_only = [p for p in config.projects if p.project == "SPT-WIND"]
    reporter = Reporter(
        config.model_copy(
            update={
                "rpc_url": played.run.rpc_url,
                "deployment": played.run.deployment_path,
                "projects": wind_only,
            }
        )
    )
    wind = played.w3.eth.contract(address=played.projects["SPT-WIND"].address, abi=abi("Project"))
    wind.functions.windDown().transact({"from": played.w3.eth.accounts[1]})  # the sponsor
    caplog.set_level(logging.INFO, logger="infrax.oracle")
    assert [reporter.post_due() for _ in range(3)] == [0, 0, 0]
    idle = [r.getMessage() for r in caplog.records if "nothing to report" in r.getMessage()]
    assert idle == ["SPT-WIND is wound down, not operating: nothing to report"]
