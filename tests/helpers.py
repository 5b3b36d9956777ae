"""Constants and plain helpers shared by the contract tests (fixtures live in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from brownie import web3

DAY = 24 * 60 * 60
HOUR = 60 * 60
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
ZERO_HASH = b"\x00" * 32
EVIDENCE_HASH = b"\xee" * 32
METADATA_HASH = b"\x11" * 32

# Enum values as the indexer stores them (types/*.sol).
FUNDING, FAILED, BUILDING, OPERATING, WOUND_DOWN = range(5)
PENDING, SUBMITTED, APPROVED, REJECTED = range(4)
BUY, SELL = 0, 1
OPEN, FILLED, CANCELLED = range(3)
(
    ENERGY_KWH,
    ENERGY_SAVED_KWH,
    STORAGE_THROUGHPUT_KWH,
    UPTIME_BPS,
    REVENUE,
    CO2_AVOIDED_KG,
    JOBS_FTE,
) = range(7)
ALL_METRICS_MASK = (1 << 7) - 1

MAX_MATCHES = 100
GRACE = 30 * DAY
DEFAULT_MILESTONES = (
    ("Permits", 2000, 30 * DAY),
    ("Construction", 5000, 90 * DAY),
    ("Commissioning", 3000, 120 * DAY),
)


def now() -> int:
    """Timestamp of the latest block (brownie's chain.time() drifts from anvil's clock)."""
    return web3.eth.get_block("latest").timestamp


def _rpc(method: str, params: list) -> Any:
    response = web3.provider.make_request(method, params)
    if "error" in response:
        raise RuntimeError(f"{method}{params}: {response['error']}")
    return response.get("result")


def set_next_timestamp(timestamp: int) -> None:
    """The next mined block (the next transaction) gets exactly `timestamp`."""
    _rpc("evm_setNextBlockTimestamp", [int(timestamp)])


def mine_at(timestamp: int) -> None:
    """Mines an empty block at exactly `timestamp`."""
    set_next_timestamp(timestamp)
    _rpc("evm_mine", [])


def err(name: str, *args: Any) -> str:
    """The revert string brownie shows for custom error `name(args...)`."""
    # Brownie prints "Name: " (with the separator) for an error without arguments.
    return f"{name}: " + ", ".join(_fmt(a) for a in args)


def _fmt(value: Any) -> str:
    if hasattr(value, "address"):
        return value.address.lower()
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return value.lower()
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def project_info(
    *,
    name: str = "Greensboro Solar",
    symbol: str = "GSO",
    kind: int = 0,
    goals: int = 1,
    location: str = "Greensboro, NC",
    metadata_uri: str = "ipfs://spec",
    metadata_hash: bytes = METADATA_HASH,
    capacity_kw: int = 500,
    metrics_mask: int = ALL_METRICS_MASK,
) -> tuple:
    """A ProjectInfo tuple in field order."""
    return (
        name,
        symbol,
        kind,
        goals,
        location,
        metadata_uri,
        metadata_hash,
        capacity_kw,
        metrics_mask,
    )


@dataclass
class Deal:
    """What create_project made, with the numbers tests compute from."""

    project: Any
    asset: Any
    price: int
    goal: int
    cap: int
    deadline: int
    milestones: list  # [(name, bps, dueDate)]
    tx: Any = None  # the createProject transaction

    @property
    def goal_shares(self) -> int:
        return self.goal // self.price

    @property
    def cap_shares(self) -> int:
        return self.cap // self.price


def balances(token: Any, *holders: Any) -> list:
    return [token.balanceOf(h) for h in holders]


def plain(value: Any) -> Any:
    """Brownie return values (and fixtures) as plain Python values, so tuples compare with ==
    (brownie's ReturnValue refuses to compare some members with plain ints and strings)."""
    if hasattr(value, "address") and not isinstance(value, (str, bytes)):
        return str(value.address)
    if isinstance(value, (list, tuple)):
        return tuple(plain(v) for v in value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, str):
        return str(value)
    return value
