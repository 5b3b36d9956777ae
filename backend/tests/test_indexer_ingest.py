"""The ingestion loop over a fake chain: discovery, batching, resume, idempotency, safety."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    ALICE,
    BOB,
    EXCHANGE_ADDRESS,
    FACTORY_ADDRESS,
    ORACLE_ADDRESS,
    REPORTER,
    USDC_UNIT,
    ZERO,
    addr,
    block_hash_of,
    encode_log,
    project_created_args,
)
from sqlalchemy import Engine, select

from backend.common.chain import Deployment
from backend.common.errors import ConfigError
from backend.indexer import db
from backend.indexer.db import create_schema, make_engine
from backend.indexer.decode import EXCHANGE, FACTORY, ORACLE, PROJECT
from backend.indexer.ingest import Indexer
from backend.indexer.source import BlockMissing
from backend.indexer.store import BlockHeader, ReorgDetected

SUN = addr(0x5011)
WIND = addr(0x3113D)
EURO = addr(0xE0)
STRANGER = addr(0xBAD)
GENESIS_TIME = 1_700_000_000


class FakeChain:
    """A ChainSource over in-memory blocks and logs; `fail_next` makes the next call fail."""

    def __init__(self, head: int, chain_id: int = 31337) -> None:
        self.id = chain_id
        self.fork = ""
        self.head_number = head
        self.raw_logs: list[dict[str, Any]] = []
        self.log_calls: list[tuple[tuple[str, ...], int, int]] = []
        self.fail_next: str | None = None
        self.assets = {EURO: ("EURC", 6)}

    def _maybe_fail(self, call: str) -> None:
        if self.fail_next == call:
            self.fail_next = None
            raise OSError(f"{call} failed")

    def chain_id(self) -> int:
        return self.id

    def head(self) -> int:
        self._maybe_fail("head")
        return self.head_number

    def block(self, number: int) -> BlockHeader:
        self._maybe_fail("block")
        if number > self.head_number:
            raise BlockMissing(f"no block {number}")
        return BlockHeader(
            number,
            block_hash_of(number, self.fork),
            block_hash_of(number - 1, self.fork),
            GENESIS_TIME + 12 * number,
        )

    def logs(self, addresses: Sequence[str], start: int, end: int) -> list[Mapping[str, Any]]:
        self._maybe_fail("logs")
        self.log_calls.append((tuple(addresses), start, end))
        return [
            r
            for r in self.raw_logs
            if r["address"] in addresses and start <= r["blockNumber"] <= end
        ]

    def erc20_metadata(self, address: str) -> tuple[str, int] | None:
        return self.assets.get(address)

    def emit(self, block: int, contract: str, name: str, address: str, /, **args: Any) -> None:
        index = sum(1 for r in self.raw_logs if r["blockNumber"] == block)
        self.raw_logs.append(
            encode_log(
                contract,
                name,
                address,
                args,
                block_number=block,
                log_index=index,
                block_hash=block_hash_of(block),
            )
        )


def _story() -> FakeChain:
    """Two projects over 12 blocks; SUN is created and invested in within block 3."""
    chain = FakeChain(head=12)
    chain.emit(2, FACTORY, "SponsorRegistered", FACTORY_ADDRESS, sponsor=ALICE, name="Ann")
    chain.emit(3, FACTORY, "ProjectCreated", FACTORY_ADDRESS, **project_created_args(SUN))
    chain.emit(3, PROJECT, "Transfer", SUN, **{"from": ZERO, "to": ALICE, "value": 150})
    chain.emit(3, PROJECT, "Invested", SUN, investor=ALICE, shares=150, amount=1_500 * USDC_UNIT)
    chain.emit(5, PROJECT, "Transfer", SUN, **{"from": ZERO, "to": BOB, "value": 50})
    chain.emit(5, PROJECT, "Invested", SUN, investor=BOB, shares=50, amount=500 * USDC_UNIT)
    chain.emit(5, PROJECT, "PhaseChanged", SUN, **{"from": 0, "to": 2})
    chain.emit(
        6,
        FACTORY,
        "ProjectCreated",
        FACTORY_ADDRESS,
        **project_created_args(WIND, project_id=1, symbol="WND", funding_asset=EURO),
    )
    chain.emit(
        7,
        EXCHANGE,
        "OrderPlaced",
        EXCHANGE_ADDRESS,
        orderId=1,
        project=SUN,
        maker=ALICE,
        side=1,
        price=12 * USDC_UNIT,
        amount=40,
    )
    chain.emit(
        8,
        EXCHANGE,
        "OrderPlaced",
        EXCHANGE_ADDRESS,
        orderId=2,
        project=SUN,
        maker=BOB,
        side=0,
        price=12 * USDC_UNIT,
        amount=15,
    )
    chain.emit(
        8,
        EXCHANGE,
        "Trade",
        EXCHANGE_ADDRESS,
        project=SUN,
        makerOrderId=1,
        takerOrderId=2,
        maker=ALICE,
        taker=BOB,
        takerSide=0,
        price=12 * USDC_UNIT,
        amount=15,
    )
    chain.emit(
        9,
        ORACLE,
        "ReadingPosted",
        ORACLE_ADDRESS,
        project=SUN,
        metric=0,
        period=3600,
        value=1_000,
        reporter=REPORTER,
    )
    chain.emit(10, PROJECT, "Transfer", STRANGER, **{"from": ZERO, "to": ALICE, "value": 9})
    chain.emit(11, PROJECT, "Invested", WIND, investor=ALICE, shares=1, amount=10 * USDC_UNIT)
    chain.emit(11, PROJECT, "Transfer", WIND, **{"from": ZERO, "to": ALICE, "value": 1})
    return chain


def _indexer(chain: FakeChain, engine: Engine, deployment: Deployment, **kwargs: Any) -> Indexer:
    return Indexer(source=chain, deployment=deployment, engine=engine, **kwargs)


def _fingerprint(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            t.name: sorted(
                tuple(v for k, v in r.items() if k != "id")
                for r in conn.execute(select(t)).mappings()
            )
            for t in db.metadata.sorted_tables
        }


def _fresh_engine(tmp_path: Path, name: str) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / name}")
    create_schema(engine)
    return engine


def test_sync_indexes_to_the_head_and_counts_applied_events(
    indexer_engine: Engine, indexer_deployment: Deployment
) -> None:
    indexer = _indexer(_story(), indexer_engine, indexer_deployment)

    assert indexer.sync() == 14  # every log but the stranger's
    cp = indexer.checkpoint()
    assert cp is not None and (cp.block_number, cp.block_hash) == (12, block_hash_of(12))
    with indexer_engine.connect() as conn:
        projects = dict(conn.execute(select(db.projects.c.address, db.projects.c.raised)).all())
        balances = conn.execute(
            select(db.holders.c.project, db.holders.c.holder, db.holders.c.balance)
        ).all()
        order1 = conn.execute(select(db.orders).where(db.orders.c.order_id == 1)).mappings().one()
    assert projects == {SUN: 2_000 * USDC_UNIT, WIND: 10 * USDC_UNIT}
    assert sorted(balances) == sorted([(SUN, ALICE, 150), (SUN, BOB, 50), (WIND, ALICE, 1)])
    assert (order1["remaining"], order1["status"]) == (25, 0)


def test_a_project_is_discovered_before_its_logs_of_the_same_range(
    indexer_engine: Engine, indexer_deployment: Deployment
) -> None:
    chain = _story()
    _indexer(chain, indexer_engine, indexer_deployment, batch_size=100).sync()
    # One range: the core contracts first, then the projects found in it.
    core = tuple(sorted((FACTORY_ADDRESS, ORACLE_ADDRESS, EXCHANGE_ADDRESS)))
    assert chain.log_calls == [(core, 1, 12), (tuple(sorted((SUN, WIND))), 1, 12)]


def test_one_block_batches_give_the_same_result_as_one_batch(
    tmp_path: Path, indexer_engine: Engine, indexer_deployment: Deployment
) -> None:
    _indexer(_story(), indexer_engine, indexer_deployment, batch_size=1000).sync()
    small = _fresh_engine(tmp_path, "small.db")
    _indexer(_story(), small, indexer_deployment, batch_size=1).sync()
    assert _fingerprint(small) == _fingerprint(indexer_engine)


def test_a_restarted_indexer_resumes_at_the_checkpoint(
    tmp_path: Path, indexer_engine: Engine, indexer_deployment: Deployment
) -> None:
    chain = _story()
    first = _indexer(chain, indexer_engine, indexer_deployment, batch_size=2)
    applied_before = first.sync(to_block=5)
    applied_after = _indexer(chain, indexer_engine, indexer_deployment, batch_size=2).sync()

    clean = _fresh_engine(tmp_path, "clean.db")
    assert applied_before + applied_after == _indexer(_story(), clean, indexer_deployment).sync()
    assert _fingerprint(indexer_engine) == _fingerprint(clean)


def test_reindexing_indexed_blocks_changes_nothing(
    indexer_engine: Engine, indexer_deployment: Deployment
) -> None:
    indexer = _indexer(_story(), indexer_engine, indexer_deployment)
    indexer.sync()
    before = _fingerprint(indexer_engine)

    assert indexer.index_range(1, 12) == 0
    assert indexer.index_range(3, 8) == 0
    assert indexer.sync() == 0
    assert _fingerprint(indexer_engine) == before


def test_a_failed_batch_leaves_no_trace_and_the_next_sync_completes(
    tmp_path: Path, indexer_engine: Engine, indexer_deployment: Deployment
) -> None:
    chain = _story()
    indexer = _indexer(chain, indexer_engine, indexer_deployment, batch_size=4)
    indexer.sync(to_block=4)
    chain.fail_next = "block"  # the next batch fails after fetching its logs
    with pytest.raises(OSError):
        indexer.sync()
    cp = indexer.checkpoint()
    assert cp is not None and cp.block_number == 4

    indexer.sync()
    clean = _fresh_engine(tmp_path, "clean.db")
    _indexer(_story(), clean, indexer_deployment).sync()
    assert _fingerprint(indexer_engine) == _fingerprint(clean)


def test_confirmation_depth_leaves_the_newest_blocks(
    indexer_engine: Engine, indexer_deployment: Deployment
) -> None:
    indexer = _indexer(_story(), indexer_engine, indexer_deployment, confirmations=4)
    indexer.sync()
    cp = indexer.checkpoint()
    assert cp is not None and cp.block_number == 8


def test_a_new_funding_asset_is_recorded_with_its_decimals(
    indexer_engine: Engine, indexer_deployment: Deployment
) -> None:
    _indexer(_story(), indexer_engine, indexer_deployment).sync()
    with indexer_engine.connect() as conn:
        assets = conn.execute(select(db.assets).order_by(db.assets.c.symbol)).all()
    assert [tuple(a) for a in assets] == [
        (EURO, "EURC", 6),
        (indexer_deployment.funding_asset.address, "USDC", 6),
    ]


def test_a_node_on_another_chain_is_refused(
    indexer_engine: Engine, indexer_deployment: Deployment
) -> None:
    with pytest.raises(ConfigError, match="chain id is 1 but the deployment is on chain 31337"):
        _indexer(FakeChain(head=1, chain_id=1), indexer_engine, indexer_deployment)


def test_a_database_of_another_deployment_is_refused(
    indexer_engine: Engine, indexer_deployment: Deployment
) -> None:
    other = Deployment(**{**indexer_deployment.__dict__, "factory": addr(0xF00)})
    with pytest.raises(ConfigError, match="another deployment"):
        _indexer(_story(), indexer_engine, other)


def test_a_changed_checkpoint_block_stops_indexing(
    indexer_engine: Engine, indexer_deployment: Deployment
) -> None:
    chain = _story()
    indexer = _indexer(chain, indexer_engine, indexer_deployment)
    indexer.sync(to_block=6)
    chain.fork = "b"
    with pytest.raises(ReorgDetected, match="indexed block 6 .* index into a fresh database"):
        indexer.sync()
    # The daemon stops too, instead of retrying a cycle that cannot succeed.
    with pytest.raises(ReorgDetected, match="indexed block 6"):
        indexer.run_forever(poll_seconds=0.01)


def test_a_vanished_checkpoint_block_stops_indexing(
    indexer_engine: Engine, indexer_deployment: Deployment
) -> None:
    chain = _story()
    indexer = _indexer(chain, indexer_engine, indexer_deployment)
    indexer.sync()
    chain.head_number = 3  # e.g. a restarted dev chain
    with pytest.raises(ReorgDetected, match="gone from the chain"):
        indexer.sync()


def test_run_forever_survives_a_failing_cycle(
    indexer_engine: Engine, indexer_deployment: Deployment, caplog: pytest.LogCaptureFixture
) -> None:
    chain = _story()
    chain.fail_next = "head"
    indexer = _indexer(chain, indexer_engine, indexer_deployment)
    stop = threading.Event()
    worker = threading.Thread(target=indexer.run_forever, args=(0.01, stop))
    worker.start()
    try:
        for _ in range(3000):  # up to 30 s: generous for a loaded machine
            cp = indexer.checkpoint()
            if cp is not None and cp.block_number == 12:
                break
            stop.wait(0.01)
    finally:
        stop.set()
        worker.join(timeout=5)
    cp = indexer.checkpoint()
    assert cp is not None and cp.block_number == 12
    # A node that does not answer is one line, without a traceback.
    assert "node unavailable (head failed); retrying in 0.0s" in caplog.text
    assert not any(record.exc_info for record in caplog.records)


def test_batch_size_must_be_positive(
    indexer_engine: Engine, indexer_deployment: Deployment
) -> None:
    with pytest.raises(ConfigError, match="batch size"):
        _indexer(_story(), indexer_engine, indexer_deployment, batch_size=0)
