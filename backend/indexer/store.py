"""Raw ingestion records: events, blocks, the checkpoint, deployment meta and assets.

Every function takes an open connection and runs inside the caller's transaction, so a batch's
events, projections and checkpoint commit together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from backend.common.chain import Deployment
from backend.common.errors import ConfigError, InfraxError
from backend.indexer import db
from backend.indexer.decode import DecodedEvent


class ReorgDetected(InfraxError):
    """The chain no longer contains a block the database was built from. Rolling back to the
    fork point is not implemented yet, so the message says how to start over."""

    RECOVERY = (
        "; rolling back is not implemented yet: index into a fresh database (delete the SQLite "
        "file or pass another --database-url) to rebuild from the chain as it is now"
    )

    def __init__(self, problem: str) -> None:
        super().__init__(problem + self.RECOVERY)


@dataclass(frozen=True)
class BlockHeader:
    number: int
    hash: str
    parent_hash: str
    timestamp: int


@dataclass(frozen=True)
class Checkpoint:
    block_number: int
    block_hash: str


def _insert_ignore(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """Inserts a row unless it violates a unique key; True when inserted."""
    name = conn.dialect.name
    if name == "sqlite":
        stmt: Any = sqlite.insert(table).values(values).on_conflict_do_nothing()
    elif name == "postgresql":
        stmt = postgresql.insert(table).values(values).on_conflict_do_nothing()
    else:
        raise ConfigError(f"database dialect {name!r} is not supported (sqlite, postgresql)")
    return bool(conn.execute(stmt).rowcount)


def insert_event(conn: Connection, event: DecodedEvent) -> bool:
    """Stores a decoded event; False when it is already stored (so it was applied before)."""
    return _insert_ignore(
        conn,
        db.events,
        {
            "block_number": event.block_number,
            "block_hash": event.block_hash,
            "tx_hash": event.tx_hash,
            "log_index": event.log_index,
            "address": event.address,
            "contract": event.contract,
            "name": event.name,
            "args": json.dumps(event.args, sort_keys=True),
        },
    )


def load_events(conn: Connection) -> list[DecodedEvent]:
    """Every stored event in chain order (to rebuild projections or compare runs)."""
    rows = conn.execute(
        select(db.events).order_by(db.events.c.block_number, db.events.c.log_index)
    ).mappings()
    return [
        DecodedEvent(
            block_number=r["block_number"],
            block_hash=r["block_hash"],
            tx_hash=r["tx_hash"],
            log_index=r["log_index"],
            address=r["address"],
            contract=r["contract"],
            name=r["name"],
            args=json.loads(r["args"]),
        )
        for r in rows
    ]


def save_block(conn: Connection, block: BlockHeader) -> None:
    existing = conn.execute(
        select(db.blocks.c.hash).where(db.blocks.c.number == block.number)
    ).scalar_one_or_none()
    if existing is None:
        conn.execute(
            db.blocks.insert().values(
                number=block.number,
                hash=block.hash,
                parent_hash=block.parent_hash,
                timestamp=block.timestamp,
            )
        )
    elif existing != block.hash:
        # Reorg handling comes with its own issue; until then never mix two forks silently.
        raise ReorgDetected(
            f"block {block.number} changed hash: stored {existing}, chain {block.hash}"
        )


def read_checkpoint(conn: Connection) -> Checkpoint | None:
    row = conn.execute(select(db.checkpoint).where(db.checkpoint.c.id == 1)).mappings().first()
    return None if row is None else Checkpoint(row["block_number"], row["block_hash"])


def write_checkpoint(conn: Connection, block: BlockHeader) -> None:
    """Moves the checkpoint forward to ``block`` (never backward: re-indexing an old range
    leaves it where it is)."""
    current = read_checkpoint(conn)
    if current is None:
        conn.execute(
            db.checkpoint.insert().values(id=1, block_number=block.number, block_hash=block.hash)
        )
    elif block.number > current.block_number:
        conn.execute(
            db.checkpoint.update()
            .where(db.checkpoint.c.id == 1)
            .values(block_number=block.number, block_hash=block.hash)
        )


def read_meta(conn: Connection) -> dict[str, str]:
    return {r.key: r.value for r in conn.execute(select(db.meta))}


def deployment_meta(deployment: Deployment) -> dict[str, str]:
    """The meta rows describing ``deployment``."""
    asset = deployment.funding_asset
    return {
        "network": deployment.network,
        "chain_id": str(deployment.chain_id),
        "deployment_block": str(deployment.deployment_block),
        "factory": deployment.factory,
        "oracle": deployment.oracle,
        "exchange": deployment.exchange,
        "funding_asset": asset.address,
        "funding_asset_symbol": asset.symbol,
        "funding_asset_decimals": str(asset.decimals),
    }


# These identify a deployment; the rest of the meta may be refreshed.
_IDENTITY_KEYS = ("chain_id", "factory", "oracle", "exchange")


def ensure_meta(conn: Connection, deployment: Deployment) -> None:
    """Records the deployment in a new database, or checks that an existing database was built
    from the same deployment (mixing two would corrupt every projection)."""
    wanted = deployment_meta(deployment)
    stored = read_meta(conn)
    for key in _IDENTITY_KEYS:
        if key in stored and stored[key] != wanted[key]:
            raise ConfigError(
                f"the database was indexed from another deployment ({key} {stored[key]}, "
                f"deployment file says {wanted[key]}): use a new database URL"
            )
    for key, value in wanted.items():
        if key not in stored:
            conn.execute(db.meta.insert().values(key=key, value=value))
        elif stored[key] != value:
            conn.execute(db.meta.update().where(db.meta.c.key == key).values(value=value))
    save_asset(
        conn,
        deployment.funding_asset.address,
        deployment.funding_asset.symbol,
        deployment.funding_asset.decimals,
    )


def known_assets(conn: Connection) -> set[str]:
    return set(conn.execute(select(db.assets.c.address)).scalars())


def save_asset(conn: Connection, address: str, symbol: str, decimals: int) -> None:
    _insert_ignore(conn, db.assets, {"address": address, "symbol": symbol, "decimals": decimals})


def project_addresses(conn: Connection) -> set[str]:
    return set(conn.execute(select(db.projects.c.address)).scalars())
