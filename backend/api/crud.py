"""Queries over the indexer's database: keyword-only functions returning rows with raw
integers. Formatting for humans happens in the routes; unknown entities raise NotFound."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, and_, func, or_, select

from backend.common.errors import NotFound
from backend.indexer import db, store

ORDER_OPEN = 0


@dataclass(frozen=True)
class AssetInfo:
    address: str
    symbol: str
    decimals: int


def indexed_block(*, conn: Connection) -> store.Checkpoint | None:
    return store.read_checkpoint(conn)


def asset_info(*, conn: Connection, address: str) -> AssetInfo:
    """Symbol and decimals of a funding asset; an asset whose metadata the indexer could not
    read shows in raw units (decimals 0) rather than with a guessed scale."""
    row = conn.execute(select(db.assets).where(db.assets.c.address == address)).mappings().first()
    if row is None:
        return AssetInfo(address=address, symbol="", decimals=0)
    return AssetInfo(address=address, symbol=row["symbol"], decimals=row["decimals"])


def list_projects(*, conn: Connection) -> list[RowMapping]:
    return list(conn.execute(select(db.projects).order_by(db.projects.c.project_id)).mappings())


def get_project(*, conn: Connection, address: str) -> RowMapping:
    row = (
        conn.execute(select(db.projects).where(db.projects.c.address == address)).mappings().first()
    )
    if row is None:
        raise NotFound(f"no project {address}")
    return row


def list_milestones(*, conn: Connection, project: str) -> list[RowMapping]:
    m = db.milestones
    return list(
        conn.execute(select(m).where(m.c.project == project).order_by(m.c["index"])).mappings()
    )


def list_rejections(*, conn: Connection, project: str) -> list[RowMapping]:
    """Every rejection of the project's milestones, by milestone, oldest first."""
    r = db.milestone_rejections
    return list(
        conn.execute(
            select(r)
            .where(r.c.project == project)
            .order_by(r.c["index"], r.c.block_number, r.c.log_index)
        ).mappings()
    )


def count_holders(*, conn: Connection, project: str) -> int:
    h = db.holders
    return int(
        conn.execute(
            select(func.count()).select_from(h).where(h.c.project == project, h.c.balance > 0)
        ).scalar_one()
    )


def total_refunded(*, conn: Connection, project: str) -> int:
    """What investors reclaimed after a failed raise (the contract's `raised` keeps its total)."""
    h = db.holders
    # Summed here: amounts are stored as strings on SQLite (see db.BigUInt).
    rows = conn.execute(select(h.c.refunded).where(h.c.project == project, h.c.refunded > 0))
    return sum(rows.scalars())


def latest_readings(*, conn: Connection, project: str) -> list[RowMapping]:
    """The newest reading (highest period) of each metric of ``project``, by metric id."""
    r = db.readings
    newest = (
        select(r.c.metric, func.max(r.c.period).label("period"))
        .where(r.c.project == project)
        .group_by(r.c.metric)
        .subquery()
    )
    stmt = (
        select(r)
        .join(newest, and_(r.c.metric == newest.c.metric, r.c.period == newest.c.period))
        .where(r.c.project == project)
        .order_by(r.c.metric)
    )
    return list(conn.execute(stmt).mappings())


def list_readings(
    *,
    conn: Connection,
    project: str,
    metrics: Sequence[int] | None,
    limit: int,
    after: tuple[int, int] | None = None,
) -> list[RowMapping]:
    """Readings newest first: by period descending, then metric id ascending; only of
    ``metrics`` when given; only those after the reading ``after`` = (period, metric id) in
    that order when given (one reading per project, metric and period: the chain refuses more)."""
    r = db.readings
    stmt = select(r).where(r.c.project == project)
    if metrics is not None:
        stmt = stmt.where(r.c.metric.in_(metrics))
    if after is not None:
        period, metric = after
        stmt = stmt.where(or_(r.c.period < period, and_(r.c.period == period, r.c.metric > metric)))
    stmt = stmt.order_by(
        r.c.period.desc(), r.c.metric, r.c.block_number.desc(), r.c.log_index.desc()
    ).limit(limit)
    return list(conn.execute(stmt).mappings())


def open_orders(*, conn: Connection, project: str) -> list[RowMapping]:
    o = db.orders
    return list(
        conn.execute(
            select(o).where(o.c.project == project, o.c.status == ORDER_OPEN).order_by(o.c.order_id)
        ).mappings()
    )


def list_trades(*, conn: Connection, project: str, limit: int) -> list[RowMapping]:
    """Trades newest first (chain order reversed)."""
    t = db.trades
    return list(
        conn.execute(
            select(t)
            .where(t.c.project == project)
            .order_by(t.c.block_number.desc(), t.c.log_index.desc())
            .limit(limit)
        ).mappings()
    )
