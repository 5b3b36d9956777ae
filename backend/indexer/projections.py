"""Applies decoded events to the read models (projects, milestones, holders, readings, orders,
trades). Pure database code: no chain access, so it is tested by feeding events directly.

Each handler runs once per event (the caller applies only newly stored events) inside the batch
transaction, in chain order. Events with no read model (Approval, Initialized, ReporterSet...)
stay in the ``events`` table only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Table, select

from backend.indexer import db
from backend.indexer.decode import EXCHANGE, FACTORY, ORACLE, PROJECT, DecodedEvent

log = logging.getLogger(__name__)

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

# Integer values of the contracts' enums that the projections themselves set.
PHASE_FUNDING = 0
MILESTONE_SUBMITTED, MILESTONE_APPROVED, MILESTONE_REJECTED = 1, 2, 3
MILESTONE_PENDING = 0
ORDER_OPEN, ORDER_FILLED, ORDER_CANCELLED = 0, 1, 2

Handler = Callable[[Connection, DecodedEvent, int], None]
_HANDLERS: dict[tuple[str, str], Handler] = {}


def _handles(contract: str, name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _HANDLERS[(contract, name)] = handler
        return handler

    return register


def apply_event(conn: Connection, event: DecodedEvent, timestamp: int) -> None:
    """Applies one event; ``timestamp`` is its block's time."""
    handler = _HANDLERS.get((event.contract, event.name))
    if handler is not None:
        handler(conn, event, timestamp)


# ------------------------------------------------------------------------------- helpers


def _project_known(conn: Connection, address: str) -> bool:
    found = conn.execute(
        select(db.projects.c.address).where(db.projects.c.address == address)
    ).first()
    if found is None:
        log.warning("event for unknown project %s ignored", address)
    return found is not None


def _add(conn: Connection, table: Table, where: dict[str, Any], **deltas: int) -> None:
    """Adds (or, with negative deltas, subtracts) to BigUInt columns of one row. Done in Python
    because SQLite stores those columns as strings."""
    condition = [table.c[k] == v for k, v in where.items()]
    row = conn.execute(select(*(table.c[c] for c in deltas)).where(*condition)).first()
    if row is None:
        log.warning("no %s row %s to update", table.name, where)
        return
    values = {}
    for (column, delta), current in zip(deltas.items(), row, strict=True):
        updated = current + delta
        if updated < 0:
            # The chain never lets this happen; clamp rather than stop indexing, and say so.
            log.error(
                "%s.%s of %s would go negative (%s %+d)", table.name, column, where, current, delta
            )
            updated = 0
        values[column] = updated
    conn.execute(table.update().where(*condition).values(values))


def _ensure_holder(conn: Connection, project: str, holder: str) -> dict[str, Any]:
    where = {"project": project, "holder": holder}
    exists = conn.execute(
        select(db.holders.c.holder).where(
            db.holders.c.project == project, db.holders.c.holder == holder
        )
    ).first()
    if exists is None:
        conn.execute(
            db.holders.insert().values(
                **where,
                balance=0,
                contributed=0,
                refunded=0,
                revenue_claimed=0,
                wind_down_claimed=0,
            )
        )
    return where


def _add_holder(conn: Connection, project: str, holder: str, **deltas: int) -> None:
    _add(conn, db.holders, _ensure_holder(conn, project, holder), **deltas)


def _update_milestone(conn: Connection, project: str, index: int, **values: Any) -> None:
    result = conn.execute(
        db.milestones.update()
        .where(db.milestones.c.project == project, db.milestones.c["index"] == index)
        .values(values)
    )
    if not result.rowcount:
        log.warning("no milestone %d of project %s", index, project)


# ------------------------------------------------------------------------------ factory


@_handles(FACTORY, "ProjectCreated")
def _project_created(conn: Connection, ev: DecodedEvent, _ts: int) -> None:
    a = ev.args
    info, roles, terms = a["info"], a["roles"], a["terms"]
    address = a["project"]
    if (
        conn.execute(select(db.projects.c.address).where(db.projects.c.address == address)).first()
        is not None
    ):
        log.warning("project %s created twice; second creation ignored", address)
        return
    conn.execute(
        db.projects.insert().values(
            address=address,
            project_id=a["projectId"],
            sponsor=a["sponsor"],
            name=info["name"],
            symbol=info["symbol"],
            kind=info["kind"],
            goals=info["goals"],
            location=info["location"],
            metadata_uri=info["metadataURI"],
            metadata_hash=info["metadataHash"],
            capacity_kw=info["capacityKw"],
            metrics_mask=info["metricsMask"],
            implementor=roles["implementor"],
            operator=roles["operator"],
            verifier=roles["verifier"],
            funding_asset=terms["fundingAsset"],
            price=terms["price"],
            goal=terms["goal"],
            cap=terms["cap"],
            deadline=terms["deadline"],
            phase=PHASE_FUNDING,  # the contract emits no PhaseChanged for its initial phase
            raised=0,
            released=0,
            total_revenue=0,
            revenue_claimed=0,
            wind_down_pool=0,
            wound_down_by=None,
            created_block=ev.block_number,
            created_tx=ev.tx_hash,
        )
    )
    for index, spec in enumerate(a["milestones"]):
        conn.execute(
            db.milestones.insert().values(
                project=address,
                index=index,
                name=spec["name"],
                tranche_bps=spec["trancheBps"],
                due_date=spec["dueDate"],
                status=MILESTONE_PENDING,
                evidence_uri=None,
                evidence_hash=None,
                rejection_reason=None,
                tranche_paid=0,
            )
        )


# ------------------------------------------------------------------------------ project


@_handles(PROJECT, "PhaseChanged")
def _phase_changed(conn: Connection, ev: DecodedEvent, _ts: int) -> None:
    if not _project_known(conn, ev.address):
        return
    stored = conn.execute(
        select(db.projects.c.phase).where(db.projects.c.address == ev.address)
    ).scalar_one()
    if stored != ev.args["from"]:
        log.warning(
            "project %s: phase change from %s but indexed phase is %s",
            ev.address,
            ev.args["from"],
            stored,
        )
    conn.execute(
        db.projects.update().where(db.projects.c.address == ev.address).values(phase=ev.args["to"])
    )


@_handles(PROJECT, "Invested")
def _invested(conn: Connection, ev: DecodedEvent, _ts: int) -> None:
    if not _project_known(conn, ev.address):
        return
    amount = ev.args["amount"]
    _add(conn, db.projects, {"address": ev.address}, raised=amount)
    _add_holder(conn, ev.address, ev.args["investor"], contributed=amount)


@_handles(PROJECT, "Refunded")
def _refunded(conn: Connection, ev: DecodedEvent, _ts: int) -> None:
    # The project's `raised` keeps its total after refunds, as the contract's does.
    if not _project_known(conn, ev.address):
        return
    amount = ev.args["amount"]
    _add_holder(conn, ev.address, ev.args["investor"], contributed=-amount, refunded=amount)


@_handles(PROJECT, "Transfer")
def _transfer(conn: Connection, ev: DecodedEvent, _ts: int) -> None:
    if not _project_known(conn, ev.address):
        return
    value = ev.args["value"]
    if ev.args["from"] != ZERO_ADDRESS:
        _add_holder(conn, ev.address, ev.args["from"], balance=-value)
    if ev.args["to"] != ZERO_ADDRESS:
        _add_holder(conn, ev.address, ev.args["to"], balance=value)


@_handles(PROJECT, "MilestoneSubmitted")
def _milestone_submitted(conn: Connection, ev: DecodedEvent, _ts: int) -> None:
    if _project_known(conn, ev.address):
        _update_milestone(
            conn,
            ev.address,
            ev.args["index"],
            status=MILESTONE_SUBMITTED,
            evidence_uri=ev.args["evidenceURI"],
            evidence_hash=ev.args["evidenceHash"],
            rejection_reason=None,  # a resubmission answers the last rejection
        )


@_handles(PROJECT, "MilestoneApproved")
def _milestone_approved(conn: Connection, ev: DecodedEvent, _ts: int) -> None:
    if not _project_known(conn, ev.address):
        return
    tranche = ev.args["tranche"]
    _update_milestone(
        conn, ev.address, ev.args["index"], status=MILESTONE_APPROVED, tranche_paid=tranche
    )
    _add(conn, db.projects, {"address": ev.address}, released=tranche)


@_handles(PROJECT, "MilestoneRejected")
def _milestone_rejected(conn: Connection, ev: DecodedEvent, ts: int) -> None:
    if _project_known(conn, ev.address):
        _update_milestone(
            conn,
            ev.address,
            ev.args["index"],
            status=MILESTONE_REJECTED,
            rejection_reason=ev.args["reason"],
        )
        conn.execute(
            db.milestone_rejections.insert().values(
                project=ev.address,
                index=ev.args["index"],
                block_number=ev.block_number,
                log_index=ev.log_index,
                reason=ev.args["reason"],
                timestamp=ts,
            )
        )


@_handles(PROJECT, "RevenueDeposited")
def _revenue_deposited(conn: Connection, ev: DecodedEvent, _ts: int) -> None:
    if _project_known(conn, ev.address):
        _add(conn, db.projects, {"address": ev.address}, total_revenue=ev.args["amount"])


@_handles(PROJECT, "RevenueClaimed")
def _revenue_claimed(conn: Connection, ev: DecodedEvent, _ts: int) -> None:
    if not _project_known(conn, ev.address):
        return
    amount = ev.args["amount"]
    _add(conn, db.projects, {"address": ev.address}, revenue_claimed=amount)
    _add_holder(conn, ev.address, ev.args["holder"], revenue_claimed=amount)


@_handles(PROJECT, "WoundDown")
def _wound_down(conn: Connection, ev: DecodedEvent, _ts: int) -> None:
    # The phase itself moves with the PhaseChanged event emitted just before this one.
    if _project_known(conn, ev.address):
        conn.execute(
            db.projects.update()
            .where(db.projects.c.address == ev.address)
            .values(wind_down_pool=ev.args["pool"], wound_down_by=ev.args["by"])
        )


@_handles(PROJECT, "WindDownClaimed")
def _wind_down_claimed(conn: Connection, ev: DecodedEvent, _ts: int) -> None:
    # The burned shares leave the holder's balance through the Transfer event.
    if not _project_known(conn, ev.address):
        return
    amount = ev.args["amount"]
    _add(conn, db.projects, {"address": ev.address}, wind_down_pool=-amount)
    _add_holder(conn, ev.address, ev.args["holder"], wind_down_claimed=amount)


# ------------------------------------------------------------------------------- oracle


@_handles(ORACLE, "ReadingPosted")
def _reading_posted(conn: Connection, ev: DecodedEvent, ts: int) -> None:
    a = ev.args
    if not _project_known(conn, a["project"]):
        return
    conn.execute(
        db.readings.insert().values(
            project=a["project"],
            metric=a["metric"],
            period=a["period"],
            value=a["value"],
            reporter=a["reporter"],
            block_number=ev.block_number,
            log_index=ev.log_index,
            tx_hash=ev.tx_hash,
            timestamp=ts,
        )
    )


# ----------------------------------------------------------------------------- exchange


@_handles(EXCHANGE, "OrderPlaced")
def _order_placed(conn: Connection, ev: DecodedEvent, _ts: int) -> None:
    # Rests as open; the Trade and OrderCancelled events of the same transaction, applied in
    # the same database transaction, take it to its final state.
    a = ev.args
    if not _project_known(conn, a["project"]):
        return
    conn.execute(
        db.orders.insert().values(
            order_id=a["orderId"],
            project=a["project"],
            maker=a["maker"],
            side=a["side"],
            price=a["price"],
            amount=a["amount"],
            remaining=a["amount"],
            filled=0,
            cancelled=0,
            status=ORDER_OPEN,
            placed_block=ev.block_number,
            placed_log_index=ev.log_index,
            tx_hash=ev.tx_hash,
        )
    )


def _fill(conn: Connection, order_id: int, amount: int) -> None:
    row = conn.execute(
        select(db.orders.c.remaining, db.orders.c.filled).where(db.orders.c.order_id == order_id)
    ).first()
    if row is None:
        log.warning("trade of unknown order %d", order_id)
        return
    if amount > row.remaining:
        log.error("order %d: trade of %d exceeds remaining %d", order_id, amount, row.remaining)
    remaining = max(row.remaining - amount, 0)
    conn.execute(
        db.orders.update()
        .where(db.orders.c.order_id == order_id)
        .values(
            remaining=remaining,
            filled=row.filled + amount,
            **({"status": ORDER_FILLED} if remaining == 0 else {}),
        )
    )


@_handles(EXCHANGE, "Trade")
def _trade(conn: Connection, ev: DecodedEvent, ts: int) -> None:
    a = ev.args
    if not _project_known(conn, a["project"]):
        return
    conn.execute(
        db.trades.insert().values(
            project=a["project"],
            maker_order_id=a["makerOrderId"],
            taker_order_id=a["takerOrderId"],
            maker=a["maker"],
            taker=a["taker"],
            taker_side=a["takerSide"],
            price=a["price"],
            amount=a["amount"],
            block_number=ev.block_number,
            log_index=ev.log_index,
            tx_hash=ev.tx_hash,
            timestamp=ts,
        )
    )
    _fill(conn, a["makerOrderId"], a["amount"])
    _fill(conn, a["takerOrderId"], a["amount"])


@_handles(EXCHANGE, "OrderCancelled")
def _order_cancelled(conn: Connection, ev: DecodedEvent, _ts: int) -> None:
    order_id, remaining = ev.args["orderId"], ev.args["remaining"]
    row = conn.execute(
        select(db.orders.c.remaining).where(db.orders.c.order_id == order_id)
    ).first()
    if row is None:
        log.warning("cancel of unknown order %d", order_id)
        return
    if row.remaining != remaining:
        log.error(
            "order %d: cancelled %d but indexed remaining is %d", order_id, remaining, row.remaining
        )
    conn.execute(
        db.orders.update()
        .where(db.orders.c.order_id == order_id)
        .values(remaining=0, cancelled=remaining, status=ORDER_CANCELLED)
    )
