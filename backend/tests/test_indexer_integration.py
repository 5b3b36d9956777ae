"""End to end on a real anvil: deploy the compiled contracts with web3.py, act out every role,
index, and check the database and the API against the chain's own views."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from web3 import Web3
from web3.contract import Contract

from backend.api.app import create_app
from backend.api.services.units import format_units
from backend.api.settings import ApiSettings
from backend.common.chain import BUILD_DIR, ROOT, Deployment, load_deployment
from backend.common.vocabulary import MILESTONE_STATUSES, PHASES
from backend.demo import anvil
from backend.indexer import db
from backend.indexer.db import create_schema, make_engine
from backend.indexer.ingest import Indexer
from backend.indexer.source import Web3Source
from backend.indexer.writer_lock import writing

pytestmark = pytest.mark.chain

DAY = 86_400
USDC = 10**6
BUY, SELL = 0, 1
MAX_UINT = 2**256 - 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def rpc_url() -> Iterator[str]:
    with anvil(_free_port()) as url:
        yield url


@dataclass
class Chain:
    w3: Web3
    deployment: Deployment
    deployment_file: Path
    usdc: Contract
    factory: Contract
    exchange: Contract
    oracle: Contract
    projects: dict[str, Contract]  # by symbol
    accounts: list[str]


def _artifact(name: str) -> dict[str, Any]:
    return dict(json.loads((BUILD_DIR / f"{name}.json").read_text()))


def _send(w3: Web3, call: Any, sender: str) -> Any:
    receipt = w3.eth.wait_for_transaction_receipt(call.transact({"from": sender}))
    assert receipt["status"] == 1
    return receipt


def _deploy(w3: Web3, name: str, sender: str, *args: Any) -> tuple[Contract, int]:
    art = _artifact(name)
    factory = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
    receipt = _send(w3, factory.constructor(*args), sender)
    contract = w3.eth.contract(address=receipt["contractAddress"], abi=art["abi"])
    return contract, int(receipt["blockNumber"])


def _advance(w3: Web3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def chain(rpc_url: str, tmp_path_factory: pytest.TempPathFactory) -> Chain:
    """Three projects: SUN raises to its cap, trades and operates; WND fails and refunds; BAT is
    wound down and claimed."""
    w3 = Web3(Web3.HTTPProvider(rpc_url))
    a = list(w3.eth.accounts)
    admin, sponsor, implementor, operator, verifier = a[0], a[1], a[2], a[3], a[4]
    inv1, inv2, inv3, inv4, reporter = a[5], a[6], a[7], a[8], a[9]

    usdc, first_block = _deploy(w3, "TestStablecoin", admin, "Test USD", "USDC", 6)
    factory, _ = _deploy(w3, "ProjectFactory", admin, admin)
    exchange, _ = _deploy(w3, "ShareExchange", admin, factory.address)
    oracle, _ = _deploy(w3, "MetricsOracle", admin, factory.address, 3600)
    _send(w3, factory.functions.setExchange(exchange.address), admin)
    _send(w3, factory.functions.registerSponsor(sponsor, "Sunrise Co-op"), admin)

    now = int(w3.eth.get_block("latest")["timestamp"])
    project_abi = _artifact("Project")["abi"]
    projects: dict[str, Contract] = {}

    def create(
        symbol: str,
        kind: int,
        price: int,
        goal: int,
        cap: int,
        deadline: int,
        milestones: list[tuple[str, int, int]],
    ) -> Contract:
        info = (
            f"{symbol} project",
            symbol,
            kind,
            0b0011,
            "Leeds, UK",
            f"ipfs://{symbol}",
            b"\xab" * 32,
            500,
            0b1011001,
        )
        roles = (sponsor, implementor, operator, verifier)
        terms = (usdc.address, price, goal, cap, deadline)
        _send(w3, factory.functions.createProject(info, roles, terms, milestones), sponsor)
        address = factory.functions.projectAt(len(projects)).call()
        projects[symbol] = w3.eth.contract(address=address, abi=project_abi)
        return projects[symbol]

    sun = create(
        "SUN",
        0,
        10 * USDC,
        1_000 * USDC,
        2_000 * USDC,
        now + 30 * DAY,
        [("Permits", 2_500, now + 40 * DAY), ("Commissioning", 7_500, now + 60 * DAY)],
    )
    wnd = create(
        "WND",
        1,
        5 * USDC,
        800 * USDC,
        1_000 * USDC,
        now + 10 * DAY,
        [("Turbines", 10_000, now + 20 * DAY)],
    )
    bat = create(
        "BAT",
        2,
        1 * USDC,
        100 * USDC,
        100 * USDC,
        now + 30 * DAY,
        [("Racks", 5_000, now + 40 * DAY), ("Grid", 5_000, now + 50 * DAY)],
    )

    for who in (inv1, inv2, inv3, inv4, operator):
        _send(w3, usdc.functions.mint(who, 1_000_000 * USDC), who)
        for spender in (sun, wnd, bat, exchange):
            _send(w3, usdc.functions.approve(spender.address, MAX_UINT), who)

    # Raises: SUN reaches its cap; WND misses its goal and refunds; BAT fills and winds down.
    _send(w3, sun.functions.invest(80), inv1)
    _send(w3, sun.functions.invest(70), inv2)
    _send(w3, sun.functions.invest(50), inv3)
    _send(w3, wnd.functions.invest(20), inv1)
    _send(w3, wnd.functions.invest(4), inv2)
    _send(w3, bat.functions.invest(60), inv4)
    _send(w3, bat.functions.invest(40), inv1)
    _advance(w3, 11 * DAY)
    _send(w3, wnd.functions.refund(), inv1)
    _send(w3, bat.functions.windDown(), sponsor)
    _send(w3, bat.functions.claimWindDown(), inv4)

    # Milestone 0 of SUN: rejected once, then approved.
    _send(w3, sun.functions.submitMilestone(0, "ipfs://permits-v1", b"\x01" * 32), implementor)
    _send(w3, sun.functions.rejectMilestone(0, "unsigned permit"), verifier)
    _send(w3, sun.functions.submitMilestone(0, "ipfs://permits-v2", b"\x02" * 32), implementor)
    _send(w3, sun.functions.approveMilestone(0), verifier)

    # Trading SUN shares.
    def place(who: str, side: int, price: int, amount: int, max_matches: int = 10) -> None:
        _send(w3, exchange.functions.placeOrder(sun.address, side, price, amount, max_matches), who)

    place(inv1, SELL, 12_500_000, 30)  # 1 rests
    place(inv1, SELL, 13 * USDC, 10)  # 2 rests
    place(inv2, BUY, 12 * USDC, 5)  # 3 rests
    place(inv3, BUY, 12_500_000, 10)  # 4 fills against 1 at once
    place(inv3, BUY, 13 * USDC, 25, max_matches=1)  # 5: 20 traded, the crossing rest cancelled
    place(inv2, SELL, 11 * USDC, 3)  # 6 cancels inv2's own bid 3, then rests
    place(inv3, BUY, 10 * USDC, 2)  # 7 rests
    place(inv3, BUY, 9 * USDC, 1)  # 8 rests ...
    _send(w3, exchange.functions.cancelOrder(8), inv3)  # ... and is cancelled
    place(inv1, SELL, 11 * USDC, 1)  # 9 rests behind 6 at the same level
    place(inv4, BUY, 11 * USDC, 2)  # 10 takes 6 (older) for 2, not 9

    # Operation: the last milestone, revenue, readings.
    _send(w3, sun.functions.submitMilestone(1, "ipfs://commissioning", b"\x03" * 32), implementor)
    _send(w3, sun.functions.approveMilestone(1), verifier)
    _send(w3, sun.functions.depositRevenue(100 * USDC), operator)
    _send(w3, sun.functions.claimRevenue(), inv1)
    _send(w3, oracle.functions.setReporter(sun.address, reporter, True), sponsor)
    period = (int(w3.eth.get_block("latest")["timestamp"]) // 3600 - 2) * 3600
    _send(
        w3,
        oracle.functions.postReadings(
            [(sun.address, 0, period, 500_000), (sun.address, 3, period, 9_950)]
        ),
        reporter,
    )
    _send(
        w3,
        oracle.functions.postReadings(
            [
                (sun.address, 0, period + 3600, 987_654),
                (sun.address, 4, period + 3600, 12_340_000),
                (sun.address, 6, period + 3600, 350),
            ]
        ),
        reporter,
    )

    deployment_file = tmp_path_factory.mktemp("deployments") / "anvil.json"
    deployment_file.write_text(
        json.dumps(
            {
                "network": "anvil",
                "chain_id": w3.eth.chain_id,
                "deployment_block": first_block,
                "deployment_block_hash": w3.eth.get_block(first_block)["hash"].to_0x_hex(),
                "contracts": {
                    "ProjectFactory": factory.address,
                    "MetricsOracle": oracle.address,
                    "ShareExchange": exchange.address,
                },
                "funding_asset": {"address": usdc.address, "symbol": "USDC", "decimals": 6},
            }
        )
    )
    return Chain(
        w3,
        load_deployment(deployment_file),
        deployment_file,
        usdc,
        factory,
        exchange,
        oracle,
        projects,
        list(a),
    )


def _engine(tmp_path: Path, name: str) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    create_schema(engine)
    return engine


def _indexer(chain: Chain, engine: Engine, batch_size: int = 2000) -> Indexer:
    return Indexer(
        source=Web3Source(chain.w3),
        deployment=chain.deployment,
        engine=engine,
        batch_size=batch_size,
    )


def _fingerprint(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            t.name: sorted(
                tuple(v for k, v in r.items() if k != "id")
                for r in conn.execute(select(t)).mappings()
            )
            for t in db.metadata.sorted_tables
        }


@pytest.fixture(scope="module")
def indexed(chain: Chain, tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, str]:
    path = tmp_path_factory.mktemp("db") / "infrax.db"
    engine = make_engine(f"sqlite:///{path}")
    _indexer(chain, engine, batch_size=7).sync()
    return engine, f"sqlite:///{path}"


@pytest.fixture(scope="module")
def api(indexed: tuple[Engine, str]) -> Iterator[TestClient]:
    with TestClient(create_app(ApiSettings(database_url=indexed[1]))) as client:
        yield client


def _usdc(raw: int) -> str:
    return format_units(raw, 6)


def test_projects_match_the_chain(chain: Chain, api: TestClient) -> None:
    listed = {p["symbol"]: p for p in api.get("/api/projects").json()}
    assert sorted(listed) == ["BAT", "SUN", "WND"]
    for symbol, project in chain.projects.items():
        body = api.get(f"/api/projects/{project.address.lower()}").json()
        assert body["share_token"] == project.address
        assert body["phase"] == PHASES[project.functions.phase().call()]
        assert body["raised"] == _usdc(project.functions.raised().call())
        assert body["released"] == _usdc(project.functions.released().call())
        assert body["total_revenue"] == _usdc(project.functions.totalRevenue().call())
        assert body["wind_down_pool"] == _usdc(project.functions.windDownPool().call())
        count = project.functions.milestoneCount().call()
        assert [m["status"] for m in body["milestones"]] == [
            MILESTONE_STATUSES[project.functions.milestone(i).call()[3]] for i in range(count)
        ]
        assert listed[symbol]["phase"] == body["phase"]
    assert [listed[s]["phase"] for s in ("SUN", "WND", "BAT")] == [
        "operating",
        "failed",
        "wound_down",
    ]


def test_holders_match_balances_and_contributions(
    chain: Chain, indexed: tuple[Engine, str], api: TestClient
) -> None:
    engine, _ = indexed
    with engine.connect() as conn:
        rows = {(r.project, r.holder): r for r in conn.execute(select(db.holders))}
    for project in chain.projects.values():
        holders = 0
        for account in chain.accounts:
            balance = project.functions.balanceOf(account).call()
            holders += balance > 0
            row = rows.get((project.address, account))
            assert (row.balance if row else 0) == balance
            assert (row.contributed if row else 0) == project.functions.contributionOf(
                account
            ).call()
        assert api.get(f"/api/projects/{project.address}").json()["holders_count"] == holders


def test_orders_match_the_exchange(chain: Chain, indexed: tuple[Engine, str]) -> None:
    engine, _ = indexed
    with engine.connect() as conn:
        rows = {r.order_id: r for r in conn.execute(select(db.orders))}
    count = chain.exchange.functions.nextOrderId().call() - 1
    assert sorted(rows) == list(range(1, count + 1))
    for order_id, row in rows.items():
        maker, side, status, project, price, amount, remaining, _, _ = (
            chain.exchange.functions.order(order_id).call()
        )
        assert (
            row.maker,
            row.side,
            row.status,
            row.project,
            row.price,
            row.amount,
            row.remaining,
        ) == (maker, side, status, project, price, amount, remaining)
        assert row.filled + row.cancelled + row.remaining == row.amount


def test_orderbook_equals_the_exchange_depth(chain: Chain, api: TestClient) -> None:
    sun = chain.projects["SUN"].address
    body = api.get(f"/api/markets/{sun}/orderbook").json()
    for side, key in ((BUY, "bids"), (SELL, "asks")):
        prices, amounts = chain.exchange.functions.depth(sun, side, 100).call()
        assert body[key] == [[_usdc(p), str(a)] for p, a in zip(prices, amounts, strict=True)]
    assert body["trading_open"] is chain.projects["SUN"].functions.tradingOpen().call() is True
    assert body == {
        "share_token": sun,
        "trading_open": True,
        "bids": [["10", "2"]],
        "asks": [["11", "2"], ["13", "10"]],
    }


def test_trades_match_the_logs(chain: Chain, api: TestClient) -> None:
    sun = chain.projects["SUN"].address
    body = api.get(f"/api/markets/{sun}/trades").json()
    a = chain.accounts
    inv1, inv2, inv3, inv4 = a[5], a[6], a[7], a[8]
    assert [
        (
            t["maker_order_id"],
            t["taker_order_id"],
            t["maker"],
            t["taker"],
            t["taker_side"],
            t["price"],
            t["amount"],
        )
        for t in body
    ] == [
        (6, 10, inv2, inv4, "buy", "11", "2"),
        (1, 5, inv1, inv3, "buy", "12.5", "20"),
        (1, 4, inv1, inv3, "buy", "12.5", "10"),
    ]
    for t in body:
        block = chain.w3.eth.get_block(t["block_number"])
        assert t["timestamp"] == block["timestamp"]


def test_latest_metrics_match_the_oracle(chain: Chain, api: TestClient) -> None:
    sun = chain.projects["SUN"].address
    latest = api.get(f"/api/projects/{sun}").json()["latest_metrics"]
    for metric, name in ((0, "ENERGY_KWH"), (3, "UPTIME_BPS"), (4, "REVENUE"), (6, "JOBS_FTE")):
        value, period, _ = chain.oracle.functions.latestReading(sun, metric).call()
        assert (latest[name]["raw_value"], latest[name]["period"]) == (str(value), period)
    assert {k: v["value"] for k, v in latest.items()} == {
        "ENERGY_KWH": "987.654",
        "UPTIME_BPS": "9950",
        "REVENUE": "12.34",
        "JOBS_FTE": "3.5",
    }
    readings = api.get(f"/api/projects/{sun}/metrics").json()
    assert [r["metric"] for r in readings] == [
        "ENERGY_KWH",
        "REVENUE",
        "JOBS_FTE",
        "ENERGY_KWH",
        "UPTIME_BPS",
    ]


def test_health_reports_the_head(chain: Chain, api: TestClient) -> None:
    head = chain.w3.eth.get_block("latest")
    assert api.get("/api/health").json() == {
        "status": "ok",
        "indexed_block": head["number"],
        "indexed_block_hash": "0x" + bytes(head["hash"]).hex(),
    }


def test_resumed_indexing_equals_one_clean_run(
    chain: Chain, indexed: tuple[Engine, str], tmp_path: Path
) -> None:
    engine = _engine(tmp_path, "resumed.db")
    head = chain.w3.eth.block_number
    middle = (chain.deployment.deployment_block + head) // 2
    _indexer(chain, engine, batch_size=3).sync(to_block=middle)
    checkpoint = _indexer(chain, engine).checkpoint()
    assert checkpoint is not None and checkpoint.block_number == middle
    _indexer(chain, engine, batch_size=3).sync()  # a new instance, as after a restart
    assert _fingerprint(engine) == _fingerprint(indexed[0])


def test_reindexing_the_same_blocks_changes_nothing(
    chain: Chain, indexed: tuple[Engine, str]
) -> None:
    engine, _ = indexed
    before = _fingerprint(engine)
    indexer = _indexer(chain, engine)
    assert indexer.index_range(chain.deployment.deployment_block, chain.w3.eth.block_number) == 0
    assert indexer.sync() == 0
    assert _fingerprint(engine) == before


def _index_once(chain: Chain, rpc_url: str, url: str, *extra: str, expect: int = 0) -> str:
    """Runs ``python -m backend.indexer --once``; returns what it logged (its exit code must be
    `expect`)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backend.indexer",
            "--deployment",
            str(chain.deployment_file),
            "--rpc-url",
            rpc_url,
            "--database-url",
            url,
            "--once",
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == expect, result.stderr
    return result.stderr


def test_cli_once_indexes_the_same_data(
    chain: Chain, rpc_url: str, indexed: tuple[Engine, str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    head = chain.w3.eth.block_number
    assert f"indexed to block {head}" in _index_once(chain, rpc_url, url)
    assert _fingerprint(make_engine(url)) == _fingerprint(indexed[0])


def test_cli_once_says_when_the_chain_is_not_deep_enough_yet(
    chain: Chain, rpc_url: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'shallow.db'}"
    logged = _index_once(chain, rpc_url, url, "--confirmations", "100000")
    first = chain.deployment.deployment_block
    assert (
        f"nothing to index yet: the chain is not 100000 confirmations past the deployment "
        f"block {first}" in logged
    )


def test_cli_refuses_a_database_another_indexer_writes(
    chain: Chain, rpc_url: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    with writing(url):  # as an indexer daemon running on it would
        refused = _index_once(chain, rpc_url, url, expect=2)
    assert refused.strip().splitlines() == [
        f"error: another indexer (pid {os.getpid()}) is writing {url}, and keeps it up to date: "
        "stop it first, or index into another --database-url"
    ]
    assert _indexer(chain, make_engine(url)).checkpoint() is None  # nothing was written
    assert "indexed to block" in _index_once(chain, rpc_url, url)  # free again once it stops
