"""Database schema of the indexer, shared read-only with the API.

SQLAlchemy Core tables on SQLite by default; the types are chosen so the same schema runs on
PostgreSQL (migrations with Alembic come later; ``create_schema`` stands in for them now).

Raw on-chain integers that may exceed 2**63 (uint256 amounts and prices, uint64 times chosen by
users) use ``BigUInt``. Counters the chain itself assigns in sequence (block numbers, log
indexes, order and project ids) use plain integers.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Dialect,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError
from sqlalchemy.types import TypeDecorator, TypeEngine

from backend.common.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///data/infrax.db"
UINT256_MAX = 2**256 - 1
_DIGITS = 78  # len(str(2**256 - 1))


class BigUInt(TypeDecorator[int]):
    """An unsigned integer up to 2**256 - 1, read and written as a Python ``int``.

    PostgreSQL stores NUMERIC(78, 0). SQLite has no such type (its integers stop at 2**63 and
    NUMERIC falls back to floats), so values are stored as zero-padded 78-digit strings: exact,
    and string order equals numeric order, so ORDER BY, MIN and MAX still work. Arithmetic is
    done in Python.
    """

    impl = String(_DIGITS)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(_DIGITS, 0))
        return dialect.type_descriptor(String(_DIGITS))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        number = int(value)
        if not 0 <= number <= UINT256_MAX:
            raise ValueError(f"{number} is not a uint256")
        if dialect.name == "postgresql":
            return Decimal(number)
        return f"{number:0{_DIGITS}d}"

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(value)


def _address(name: str, **kwargs: Any) -> Column[Any]:
    return Column(name, String(42), **kwargs)


def _hash(name: str, **kwargs: Any) -> Column[Any]:
    return Column(name, String(66), **kwargs)


metadata = MetaData()

# Facts about the deployment the database was built from (chain id, contract addresses, the
# default funding asset); lets the indexer refuse a database of another deployment and lets the
# API format amounts without an RPC connection.
meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# ERC-20 funding assets seen in projects: symbol and decimals for formatting amounts.
assets = Table(
    "assets",
    metadata,
    _address("address", primary_key=True),
    Column("symbol", String(64), nullable=False),
    Column("decimals", Integer, nullable=False),
)

# The last block fully indexed; written in the same transaction as the data it covers.
checkpoint = Table(
    "checkpoint",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1: a single row
    Column("block_number", BigInteger, nullable=False),
    _hash("block_hash", nullable=False),
)

# Blocks that carry indexed events: hashes for reorg detection later, timestamps for trades and
# readings. (The checkpoint row holds the hash of the last indexed block.)
blocks = Table(
    "blocks",
    metadata,
    Column("number", BigInteger, primary_key=True),
    _hash("hash", nullable=False, unique=True),
    _hash("parent_hash", nullable=False),
    Column("timestamp", BigInteger, nullable=False),
)

# Every decoded log, applied to the projections exactly once (keyed by block hash, log index).
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("block_number", BigInteger, nullable=False),
    _hash("block_hash", nullable=False),
    _hash("tx_hash", nullable=False),
    Column("log_index", Integer, nullable=False),
    _address("address", nullable=False),
    Column("contract", String(32), nullable=False),
    Column("name", String(64), nullable=False),
    Column("args", Text, nullable=False),  # JSON, as decode.normalize_args produces it
    UniqueConstraint("block_hash", "log_index", name="uq_events_block_log"),
    Index("ix_events_block", "block_number", "log_index"),
)

projects = Table(
    "projects",
    metadata,
    _address("address", primary_key=True),  # also the share token
    Column("project_id", BigInteger, nullable=False, unique=True),
    _address("sponsor", nullable=False),
    Column("name", Text, nullable=False),
    Column("symbol", Text, nullable=False),
    Column("kind", Integer, nullable=False),  # ProjectKind
    Column("goals", Integer, nullable=False),  # bit set of GOAL_*
    Column("location", Text, nullable=False),
    Column("metadata_uri", Text, nullable=False),
    _hash("metadata_hash", nullable=False),
    Column("capacity_kw", BigInteger, nullable=False),
    Column("metrics_mask", Integer, nullable=False),
    _address("implementor", nullable=False),
    _address("operator", nullable=False),
    _address("verifier", nullable=False),
    _address("funding_asset", nullable=False),
    Column("price", BigUInt, nullable=False),
    Column("goal", BigUInt, nullable=False),
    Column("cap", BigUInt, nullable=False),
    Column("deadline", BigUInt, nullable=False),
    Column("phase", Integer, nullable=False),  # Phase
    Column("raised", BigUInt, nullable=False),
    Column("released", BigUInt, nullable=False),
    Column("total_revenue", BigUInt, nullable=False),
    Column("revenue_claimed", BigUInt, nullable=False),
    Column("wind_down_pool", BigUInt, nullable=False),
    _address("wound_down_by"),
    Column("created_block", BigInteger, nullable=False),
    _hash("created_tx", nullable=False),
)


def _project_fk(**kwargs: Any) -> Column[Any]:
    return Column("project", String(42), ForeignKey("projects.address"), nullable=False, **kwargs)


milestones = Table(
    "milestones",
    metadata,
    _project_fk(primary_key=True),
    Column("index", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("tranche_bps", Integer, nullable=False),
    Column("due_date", BigUInt, nullable=False),
    Column("status", Integer, nullable=False),  # MilestoneStatus
    Column("evidence_uri", Text),
    _hash("evidence_hash"),
    Column("rejection_reason", Text),
    Column("tranche_paid", BigUInt, nullable=False),
)

# Every rejection of a milestone, oldest first: the record of why evidence was sent back, which
# the milestone row (current state) drops on resubmission.
milestone_rejections = Table(
    "milestone_rejections",
    metadata,
    _project_fk(primary_key=True),
    Column("index", Integer, primary_key=True),
    Column("block_number", BigInteger, primary_key=True),
    Column("log_index", Integer, primary_key=True),
    Column("reason", Text, nullable=False),
    Column("timestamp", BigInteger, nullable=False),
)

# One row per (project, account) that ever held shares or invested.
holders = Table(
    "holders",
    metadata,
    _project_fk(primary_key=True),
    _address("holder", primary_key=True),
    Column("balance", BigUInt, nullable=False),  # shares, from Transfer events
    Column("contributed", BigUInt, nullable=False),  # paid in and not refunded
    Column("refunded", BigUInt, nullable=False),
    Column("revenue_claimed", BigUInt, nullable=False),
    Column("wind_down_claimed", BigUInt, nullable=False),
)

readings = Table(
    "readings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _project_fk(),
    Column("metric", Integer, nullable=False),  # Metric
    Column("period", BigUInt, nullable=False),
    Column("value", BigUInt, nullable=False),
    _address("reporter", nullable=False),
    Column("block_number", BigInteger, nullable=False),
    Column("log_index", Integer, nullable=False),
    _hash("tx_hash", nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Index("ix_readings_project_period", "project", "period", "metric"),
)

# Order status: 0 open, 1 filled, 2 cancelled (OrderStatus). amount = filled + cancelled +
# remaining at all times.
orders = Table(
    "orders",
    metadata,
    Column("order_id", BigInteger, primary_key=True, autoincrement=False),
    _project_fk(),
    _address("maker", nullable=False),
    Column("side", Integer, nullable=False),  # Side: 0 buy, 1 sell
    Column("price", BigUInt, nullable=False),
    Column("amount", BigUInt, nullable=False),
    Column("remaining", BigUInt, nullable=False),
    Column("filled", BigUInt, nullable=False),
    Column("cancelled", BigUInt, nullable=False),
    Column("status", Integer, nullable=False),
    Column("placed_block", BigInteger, nullable=False),
    Column("placed_log_index", Integer, nullable=False),
    _hash("tx_hash", nullable=False),
    Index("ix_orders_project_status", "project", "status"),
)

trades = Table(
    "trades",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _project_fk(),
    Column("maker_order_id", BigInteger, nullable=False),
    Column("taker_order_id", BigInteger, nullable=False),
    _address("maker", nullable=False),
    _address("taker", nullable=False),
    Column("taker_side", Integer, nullable=False),
    Column("price", BigUInt, nullable=False),
    Column("amount", BigUInt, nullable=False),
    Column("block_number", BigInteger, nullable=False),
    Column("log_index", Integer, nullable=False),
    _hash("tx_hash", nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Index("ix_trades_project_block", "project", "block_number", "log_index"),
)


def sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite URL (``:memory:`` for an in-memory one); None for another database
    or a bad URL (make_engine reports that one)."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return None
    if url.get_backend_name() != "sqlite":
        return None
    return Path(url.database or ":memory:")


def make_engine(database_url: str) -> Engine:
    """An engine for ``database_url``; for SQLite files, creates the file's folder (not a chain
    of them) and turns on WAL so the API can read while the indexer writes."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise ConfigError(
            f"not a database URL: {database_url!r} (expected e.g. {DEFAULT_DATABASE_URL})"
        ) from None
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"database {backend!r} is not supported: use sqlite (e.g. {DEFAULT_DATABASE_URL}) "
            "or postgresql"
        )
    if backend == "postgresql":
        try:
            return create_engine(url, pool_pre_ping=True)
        except ImportError:
            raise ConfigError(
                f"no driver for {url.drivername}: PostgreSQL is not set up by `make`; install "
                "one (pip install 'psycopg[binary]', URL postgresql+psycopg://...) or use sqlite"
            ) from None
    if url.database and url.database != ":memory:":
        folder = Path(url.database).parent
        if not folder.parent.is_dir():  # one missing level (data/) is made; more is a typo
            raise ConfigError(
                f"cannot use the database {database_url}: the folder {folder.parent} does not exist"
            )
        folder.mkdir(exist_ok=True)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite opens transactions only before writes, so a reader's SELECTs would each see
        # a different state; let SQLAlchemy's begin emit BEGIN instead (its documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if url.database and url.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def create_schema(engine: Engine) -> None:
    """Creates missing tables (Alembic migrations replace this when the schema first changes).
    The first use of the database: an unreachable server or a file that is not a database is
    reported here as a ConfigError."""
    try:
        metadata.create_all(engine)
    except DatabaseError as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise ConfigError(f"cannot use the database {where}: {exc.orig}") from None
