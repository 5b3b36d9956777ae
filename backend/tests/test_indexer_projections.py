"""Projections fed with decoded events directly (no chain): exact state after each story."""

from __future__ import annotations

from typing import Any

from conftest import (
    ALICE,
    BOB,
    CAROL,
    REPORTER,
    SPONSOR,
    USDC_UNIT,
    ZERO,
    EventFeed,
    addr,
)
from sqlalchemy import Engine, Table, select

from backend.indexer import db, store
from backend.indexer.db import create_schema, make_engine
from backend.indexer.decode import ORACLE, PROJECT
from backend.indexer.projections import apply_event

SUN = addr(0x5011)
OTHER = addr(0x07E2)
BUY, SELL = 0, 1
OPEN, FILLED, CANCELLED = 0, 1, 2


def _row(engine: Engine, table: Table, **where: Any) -> dict[str, Any]:
    with engine.connect() as conn:
        stmt = select(table).where(*(table.c[k] == v for k, v in where.items()))
        return dict(conn.execute(stmt).mappings().one())


def _rows(engine: Engine, table: Table, order_by: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table).order_by(table.c[order_by])).mappings()]


def _project(engine: Engine) -> dict[str, Any]:
    return _row(engine, db.projects, address=SUN)


def _holder(engine: Engine, holder: str) -> dict[str, Any]:
    return _row(engine, db.holders, project=SUN, holder=holder)


def test_project_created_inserts_project_in_funding_and_its_milestones(
    event_feed: EventFeed, indexer_engine: Engine
) -> None:
    ev = event_feed.create_project(SUN, project_id=7, kind=1, goals=0b1001)

    project = _project(indexer_engine)
    assert {
        k: project[k]
        for k in (
            "project_id",
            "sponsor",
            "name",
            "symbol",
            "kind",
            "goals",
            "phase",
            "price",
            "goal",
            "cap",
            "deadline",
            "raised",
            "created_block",
            "created_tx",
        )
    } == {
        "project_id": 7,
        "sponsor": SPONSOR,
        "name": "Sunfield",
        "symbol": "SUN",
        "kind": 1,
        "goals": 0b1001,
        "phase": 0,
        "price": 10 * USDC_UNIT,
        "goal": 1_000 * USDC_UNIT,
        "cap": 2_000 * USDC_UNIT,
        "deadline": 1_800_000_000,
        "raised": 0,
        "created_block": ev.block_number,
        "created_tx": ev.tx_hash,
    }
    assert [
        (m["index"], m["name"], m["tranche_bps"], m["due_date"], m["status"])
        for m in _rows(indexer_engine, db.milestones, "index")
    ] == [(0, "Permits", 2_500, 1_810_000_000, 0), (1, "Commissioning", 7_500, 1_820_000_000, 0)]


def test_investments_raise_and_reaching_the_cap_moves_to_building(
    event_feed: EventFeed, indexer_engine: Engine
) -> None:
    event_feed.create_project(SUN)
    event_feed.mine()
    event_feed.invest(SUN, ALICE, 120)
    event_feed.invest(SUN, BOB, 30)
    event_feed.invest(SUN, ALICE, 50)
    event_feed.phase(SUN, 0, 2)

    project = _project(indexer_engine)
    assert (project["raised"], project["phase"]) == (2_000 * USDC_UNIT, 2)
    alice, bob = _holder(indexer_engine, ALICE), _holder(indexer_engine, BOB)
    assert (alice["balance"], alice["contributed"]) == (170, 1_700 * USDC_UNIT)
    assert (bob["balance"], bob["contributed"]) == (30, 300 * USDC_UNIT)


def test_refund_burns_shares_and_keeps_the_raised_total(
    event_feed: EventFeed, indexer_engine: Engine
) -> None:
    event_feed.create_project(SUN)
    event_feed.invest(SUN, ALICE, 20)
    event_feed.invest(SUN, BOB, 5)
    event_feed.phase(SUN, 0, 1)
    event_feed.transfer(SUN, ALICE, ZERO, 20)
    event_feed.emit(PROJECT, "Refunded", SUN, investor=ALICE, shares=20, amount=200 * USDC_UNIT)

    project = _project(indexer_engine)
    assert (project["raised"], project["phase"]) == (250 * USDC_UNIT, 1)
    alice = _holder(indexer_engine, ALICE)
    assert (alice["balance"], alice["contributed"], alice["refunded"]) == (0, 0, 200 * USDC_UNIT)
    assert _holder(indexer_engine, BOB)["contributed"] == 50 * USDC_UNIT


def test_milestones_submit_reject_resubmit_approve(
    event_feed: EventFeed, indexer_engine: Engine
) -> None:
    event_feed.create_project(SUN)
    event_feed.invest(SUN, ALICE, 200)
    event_feed.phase(SUN, 0, 2)
    event_feed.submit_milestone(SUN, 0, "ipfs://v1", "01")
    event_feed.emit(PROJECT, "MilestoneRejected", SUN, index=0, reason="blurry photos")
    rejected = _row(indexer_engine, db.milestones, project=SUN, index=0)
    assert (rejected["status"], rejected["rejection_reason"]) == (3, "blurry photos")

    event_feed.submit_milestone(SUN, 0, "ipfs://v2", "02")
    resubmitted = _row(indexer_engine, db.milestones, project=SUN, index=0)
    assert (resubmitted["status"], resubmitted["rejection_reason"]) == (1, None)
    # ... while the rejection itself stays on record
    with indexer_engine.connect() as conn:
        history = conn.execute(select(db.milestone_rejections)).mappings().all()
    assert [(h["project"], h["index"], h["reason"]) for h in history] == [(SUN, 0, "blurry photos")]
    event_feed.emit(PROJECT, "MilestoneApproved", SUN, index=0, tranche=500 * USDC_UNIT)

    first = _row(indexer_engine, db.milestones, project=SUN, index=0)
    assert (
        first["status"],
        first["evidence_uri"],
        first["evidence_hash"],
        first["tranche_paid"],
        first["rejection_reason"],
    ) == (2, "ipfs://v2", "0x" + "02" * 32, 500 * USDC_UNIT, None)
    assert _row(indexer_engine, db.milestones, project=SUN, index=1)["status"] == 0
    assert _project(indexer_engine)["released"] == 500 * USDC_UNIT


def test_revenue_deposits_and_claims_are_totalled(
    event_feed: EventFeed, indexer_engine: Engine
) -> None:
    event_feed.create_project(SUN)
    event_feed.invest(SUN, ALICE, 200)
    event_feed.emit(PROJECT, "RevenueDeposited", SUN, **{"from": SPONSOR, "amount": 90_000_001})
    event_feed.emit(PROJECT, "RevenueDeposited", SUN, **{"from": SPONSOR, "amount": 9_999_999})
    event_feed.emit(PROJECT, "RevenueClaimed", SUN, holder=ALICE, amount=60_000_000)

    project = _project(indexer_engine)
    assert (project["total_revenue"], project["revenue_claimed"]) == (100_000_000, 60_000_000)
    assert _holder(indexer_engine, ALICE)["revenue_claimed"] == 60_000_000


def test_wind_down_pool_shrinks_with_each_claim(
    event_feed: EventFeed, indexer_engine: Engine
) -> None:
    event_feed.create_project(SUN)
    event_feed.invest(SUN, ALICE, 150)
    event_feed.invest(SUN, BOB, 50)
    event_feed.phase(SUN, 0, 2)
    event_feed.phase(SUN, 2, 4)
    event_feed.emit(PROJECT, "WoundDown", SUN, by=SPONSOR, pool=2_000 * USDC_UNIT)
    event_feed.transfer(SUN, BOB, ZERO, 50)
    event_feed.emit(PROJECT, "WindDownClaimed", SUN, holder=BOB, shares=50, amount=500 * USDC_UNIT)

    project = _project(indexer_engine)
    assert (project["phase"], project["wind_down_pool"], project["wound_down_by"]) == (
        4,
        1_500 * USDC_UNIT,
        SPONSOR,
    )
    bob = _holder(indexer_engine, BOB)
    assert (bob["balance"], bob["wind_down_claimed"]) == (0, 500 * USDC_UNIT)


def test_transfers_move_balances_between_holders(
    event_feed: EventFeed, indexer_engine: Engine
) -> None:
    event_feed.create_project(SUN)
    event_feed.invest(SUN, ALICE, 100)
    event_feed.transfer(SUN, ALICE, CAROL, 30)
    assert (
        _holder(indexer_engine, ALICE)["balance"],
        _holder(indexer_engine, CAROL)["balance"],
    ) == (70, 30)
    assert _holder(indexer_engine, CAROL)["contributed"] == 0


def test_reading_posted_is_stored_with_its_block_time(
    event_feed: EventFeed, indexer_engine: Engine
) -> None:
    event_feed.create_project(SUN)
    event_feed.mine(seconds=3600)
    event_feed.reading(SUN, 0, 1_700_000_000, 1_234_567)

    reading = _row(indexer_engine, db.readings, project=SUN)
    assert {
        k: reading[k]
        for k in ("metric", "period", "value", "reporter", "block_number", "timestamp")
    } == {
        "metric": 0,
        "period": 1_700_000_000,
        "value": 1_234_567,
        "reporter": REPORTER,
        "block_number": event_feed.block,
        "timestamp": event_feed.timestamp,
    }


def _book_story(feed: EventFeed) -> None:
    """Resting asks, a taker filled at once, a remainder cancelled by the match limit, and a
    self-trade that cancels the maker's own resting bid."""
    p = 10**6
    feed.create_project(SUN)
    feed.mine()
    feed.place(1, SUN, ALICE, SELL, 12_500_000, 30)  # rests
    feed.mine()
    feed.place(2, SUN, ALICE, SELL, 13 * p, 10)  # rests
    feed.mine()
    feed.place(3, SUN, BOB, BUY, 12 * p, 5)  # rests below the best ask
    feed.mine()
    feed.place(4, SUN, CAROL, BUY, 12_500_000, 10)  # fills at once
    feed.trade(SUN, 1, 4, ALICE, CAROL, BUY, 12_500_000, 10)
    feed.mine()
    feed.place(5, SUN, CAROL, BUY, 13 * p, 25)  # match limit 1: 20 traded, 5 cancelled
    feed.trade(SUN, 1, 5, ALICE, CAROL, BUY, 12_500_000, 20)
    feed.cancel(5, SUN, CAROL, 5)
    feed.mine()
    feed.place(6, SUN, BOB, SELL, 11 * p, 3)  # meets BOB's own bid: that bid is cancelled
    feed.cancel(3, SUN, BOB, 5)
    feed.mine()
    feed.place(7, SUN, CAROL, BUY, 10 * p, 8)  # rests
    feed.place(8, SUN, BOB, BUY, 10 * p, 2)  # rests at the same level
    feed.place(9, SUN, BOB, BUY, 9_999_999, 4)  # rests
    feed.cancel(9, SUN, BOB, 4)


def test_orders_end_in_their_final_state(event_feed: EventFeed, indexer_engine: Engine) -> None:
    _book_story(event_feed)
    orders = {o["order_id"]: o for o in _rows(indexer_engine, db.orders, "order_id")}
    final = {
        i: (o["status"], o["remaining"], o["filled"], o["cancelled"]) for i, o in orders.items()
    }
    assert final == {
        1: (FILLED, 0, 30, 0),
        2: (OPEN, 10, 0, 0),
        3: (CANCELLED, 0, 0, 5),
        4: (FILLED, 0, 10, 0),
        5: (CANCELLED, 0, 20, 5),
        6: (OPEN, 3, 0, 0),
        7: (OPEN, 8, 0, 0),
        8: (OPEN, 2, 0, 0),
        9: (CANCELLED, 0, 0, 4),
    }
    for o in orders.values():
        assert o["filled"] + o["cancelled"] + o["remaining"] == o["amount"]


def test_trades_record_price_amount_and_block_time(
    event_feed: EventFeed, indexer_engine: Engine
) -> None:
    _book_story(event_feed)
    trades = _rows(indexer_engine, db.trades, "id")
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
        for t in trades
    ] == [
        (1, 4, ALICE, CAROL, BUY, 12_500_000, 10),
        (1, 5, ALICE, CAROL, BUY, 12_500_000, 20),
    ]
    assert [t["timestamp"] for t in trades] == [1_700_000_000 + 4 * 12, 1_700_000_000 + 5 * 12]


def test_reapplying_an_event_changes_nothing(event_feed: EventFeed, indexer_engine: Engine) -> None:
    event_feed.create_project(SUN)
    event_feed.emit(PROJECT, "Transfer", SUN, **{"from": ZERO, "to": ALICE, "value": 40})
    invested = event_feed.emit(
        PROJECT, "Invested", SUN, investor=ALICE, shares=40, amount=400 * USDC_UNIT
    )

    assert event_feed.apply(invested) is False
    assert _project(indexer_engine)["raised"] == 400 * USDC_UNIT
    assert _holder(indexer_engine, ALICE)["contributed"] == 400 * USDC_UNIT


def test_events_of_unknown_projects_are_ignored(
    event_feed: EventFeed, indexer_engine: Engine
) -> None:
    event_feed.create_project(SUN)
    event_feed.invest(OTHER, ALICE, 10)
    event_feed.reading(OTHER, 0, 1_700_000_000, 5)
    event_feed.place(1, OTHER, ALICE, SELL, 10, 1)

    assert _rows(indexer_engine, db.holders, "holder") == []
    assert _rows(indexer_engine, db.readings, "id") == []
    assert _rows(indexer_engine, db.orders, "order_id") == []


def test_events_without_a_read_model_are_only_stored(
    event_feed: EventFeed, indexer_engine: Engine
) -> None:
    event_feed.create_project(SUN)
    event_feed.emit(
        ORACLE, "ReporterSet", addr(0x0AC1E), project=SUN, reporter=REPORTER, allowed=True
    )
    with indexer_engine.connect() as conn:
        names = [ev.name for ev in store.load_events(conn)]
    assert names == ["ProjectCreated", "ReporterSet"]


def _fingerprint(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection table's rows, without surrogate ids."""
    tables = (db.projects, db.milestones, db.holders, db.readings, db.orders, db.trades)
    with engine.connect() as conn:
        return {
            t.name: sorted(
                tuple(v for k, v in r.items() if k != "id")
                for r in conn.execute(select(t)).mappings()
            )
            for t in tables
        }


def test_projections_rebuild_from_the_events_table(
    event_feed: EventFeed, indexer_engine: Engine, tmp_path: Any
) -> None:
    _book_story(event_feed)
    event_feed.invest(SUN, ALICE, 3)
    event_feed.reading(SUN, 3, 1_700_003_600, 9_950)
    with indexer_engine.connect() as conn:
        stored = store.load_events(conn)

    rebuilt = make_engine(f"sqlite:///{tmp_path / 'rebuilt.db'}")
    create_schema(rebuilt)
    with rebuilt.begin() as conn:
        for ev in stored:
            store.insert_event(conn, ev)
            apply_event(conn, ev, event_feed.timestamp)
    original, copy = _fingerprint(indexer_engine), _fingerprint(rebuilt)
    # Trade and reading times come from blocks, which this rebuild does not have.
    for fp in (original, copy):
        fp["trades"] = [r[:-1] for r in fp["trades"]]
        fp["readings"] = [r[:-1] for r in fp["readings"]]
    assert copy == original
