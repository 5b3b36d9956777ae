"""Shared fixtures of the backend tests.

Indexer and API tests (test_indexer*.py, test_api*.py) build their databases from decoded
events through ``EventFeed`` (no chain), or from raw logs made by ``encode_log`` (the decoder
and ingestion without a node). The anvil-backed integration test has its own fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import pytest
from eth_abi.abi import encode as abi_encode
from eth_typing import ABIEvent, ChecksumAddress
from eth_utils.abi import collapse_if_tuple, event_abi_to_log_topic
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from sqlalchemy import Engine

from backend.common.chain import Deployment, FundingAssetInfo, abi
from backend.indexer import store
from backend.indexer.db import create_schema, make_engine
from backend.indexer.decode import EXCHANGE, FACTORY, ORACLE, PROJECT, DecodedEvent
from backend.indexer.projections import apply_event


def addr(n: int) -> ChecksumAddress:
    """A deterministic checksummed test address."""
    return to_checksum_address(f"0x{n:040x}")


USDC = addr(0xA55E7)
FACTORY_ADDRESS = addr(0xFAC)
ORACLE_ADDRESS = addr(0x0AC1E)
EXCHANGE_ADDRESS = addr(0xE8C)
SPONSOR, IMPLEMENTOR, OPERATOR, VERIFIER = addr(0x5B), addr(0x1B), addr(0x0B), addr(0x7B)
ALICE, BOB, CAROL, REPORTER = addr(0xA11CE), addr(0xB0B), addr(0xCA201), addr(0x2E9)
ZERO = addr(0)
USDC_UNIT = 10**6


@pytest.fixture
def indexer_deployment() -> Deployment:
    return Deployment(
        network="test",
        chain_id=31337,
        deployment_block=1,
        factory=FACTORY_ADDRESS,
        oracle=ORACLE_ADDRESS,
        exchange=EXCHANGE_ADDRESS,
        funding_asset=FundingAssetInfo(address=USDC, symbol="USDC", decimals=6),
        deployment_block_hash="0x" + "ab" * 32,
    )


@pytest.fixture
def indexer_db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'infrax.db'}"


@pytest.fixture
def indexer_engine(indexer_db_url: str, indexer_deployment: Deployment) -> Iterator[Engine]:
    """An indexer database with the test deployment's meta (USDC, 6 decimals)."""
    eng = make_engine(indexer_db_url)
    create_schema(eng)
    with eng.begin() as conn:
        store.ensure_meta(conn, indexer_deployment)
    yield eng
    eng.dispose()


def project_created_args(
    project: str,
    *,
    project_id: int = 0,
    name: str = "Sunfield",
    symbol: str = "SUN",
    kind: int = 0,
    goals: int = 0b0011,
    location: str = "Leeds, UK",
    capacity_kw: int = 500,
    metrics_mask: int = 0b1011001,
    funding_asset: str = USDC,
    price: int = 10 * USDC_UNIT,
    goal: int = 1_000 * USDC_UNIT,
    cap: int = 2_000 * USDC_UNIT,
    deadline: int = 1_800_000_000,
    milestones: tuple[tuple[str, int, int], ...] = (
        ("Permits", 2_500, 1_810_000_000),
        ("Commissioning", 7_500, 1_820_000_000),
    ),
) -> dict[str, Any]:
    """The arguments of a ProjectCreated event, as the decoder produces them."""
    return {
        "project": project,
        "sponsor": SPONSOR,
        "projectId": project_id,
        "info": {
            "name": name,
            "symbol": symbol,
            "kind": kind,
            "goals": goals,
            "location": location,
            "metadataURI": f"ipfs://{symbol.lower()}",
            "metadataHash": "0x" + "ab" * 32,
            "capacityKw": capacity_kw,
            "metricsMask": metrics_mask,
        },
        "roles": {
            "sponsor": SPONSOR,
            "implementor": IMPLEMENTOR,
            "operator": OPERATOR,
            "verifier": VERIFIER,
        },
        "terms": {
            "fundingAsset": funding_asset,
            "price": price,
            "goal": goal,
            "cap": cap,
            "deadline": deadline,
        },
        "milestones": [
            {"name": n, "trancheBps": bps, "dueDate": due} for n, bps, due in milestones
        ],
    }


class EventFeed:
    """Applies decoded events to a database the way the indexer does, one block per ``mine``
    and consecutive log indexes within it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.block = 10
        self.timestamp = 1_700_000_000
        self._log_index = 0
        self._tx = 0

    def mine(self, seconds: int = 12) -> None:
        self.block += 1
        self.timestamp += seconds
        self._log_index = 0

    def emit(self, contract: str, name: str, address: str, /, **args: Any) -> DecodedEvent:
        self._tx += 1
        ev = DecodedEvent(
            block_number=self.block,
            block_hash="0x" + keccak(text=f"block {self.block}").hex(),
            tx_hash="0x" + keccak(text=f"tx {self._tx}").hex(),
            log_index=self._log_index,
            address=address,
            contract=contract,
            name=name,
            args=args,
        )
        self._log_index += 1
        self.apply(ev)
        return ev

    def apply(self, ev: DecodedEvent) -> bool:
        """Stores and applies ``ev`` unless it was stored before; True when applied."""
        with self.engine.begin() as conn:
            if not store.insert_event(conn, ev):
                return False
            apply_event(conn, ev, self.timestamp)
            return True

    # ---- shorthands for the events the tests use most

    def create_project(self, project: str, **kwargs: Any) -> DecodedEvent:
        args = project_created_args(project, **kwargs)
        return self.emit(FACTORY, "ProjectCreated", FACTORY_ADDRESS, **args)

    def invest(self, project: str, investor: str, shares: int, price: int = 10 * USDC_UNIT) -> None:
        self.emit(PROJECT, "Transfer", project, **{"from": ZERO, "to": investor, "value": shares})
        self.emit(
            PROJECT, "Invested", project, investor=investor, shares=shares, amount=shares * price
        )

    def phase(self, project: str, old: int, new: int) -> None:
        self.emit(PROJECT, "PhaseChanged", project, **{"from": old, "to": new})

    def transfer(self, project: str, sender: str, to: str, value: int) -> None:
        self.emit(PROJECT, "Transfer", project, **{"from": sender, "to": to, "value": value})

    def submit_milestone(self, project: str, index: int, uri: str, hash_byte: str) -> None:
        """MilestoneSubmitted with evidence `uri` and the hash 0x<hash_byte * 32>."""
        self.emit(
            PROJECT,
            "MilestoneSubmitted",
            project,
            index=index,
            evidenceURI=uri,
            evidenceHash="0x" + hash_byte * 32,
        )

    def reading(self, project: str, metric: int, period: int, value: int) -> None:
        self.emit(
            ORACLE,
            "ReadingPosted",
            ORACLE_ADDRESS,
            project=project,
            metric=metric,
            period=period,
            value=value,
            reporter=REPORTER,
        )

    def place(
        self, order_id: int, project: str, maker: str, side: int, price: int, amount: int
    ) -> None:
        self.emit(
            EXCHANGE,
            "OrderPlaced",
            EXCHANGE_ADDRESS,
            orderId=order_id,
            project=project,
            maker=maker,
            side=side,
            price=price,
            amount=amount,
        )

    def trade(
        self,
        project: str,
        maker_order: int,
        taker_order: int,
        maker: str,
        taker: str,
        taker_side: int,
        price: int,
        amount: int,
    ) -> None:
        self.emit(
            EXCHANGE,
            "Trade",
            EXCHANGE_ADDRESS,
            project=project,
            makerOrderId=maker_order,
            takerOrderId=taker_order,
            maker=maker,
            taker=taker,
            takerSide=taker_side,
            price=price,
            amount=amount,
        )

    def cancel(self, order_id: int, project: str, maker: str, remaining: int) -> None:
        self.emit(
            EXCHANGE,
            "OrderCancelled",
            EXCHANGE_ADDRESS,
            orderId=order_id,
            project=project,
            maker=maker,
            remaining=remaining,
        )


@pytest.fixture
def event_feed(indexer_engine: Engine) -> EventFeed:
    return EventFeed(indexer_engine)


# ------------------------------------------------------------------ raw logs, by ABI


def _event_abi(contract: str, name: str) -> ABIEvent:
    entry = next(e for e in abi(contract) if e.get("type") == "event" and e["name"] == name)
    return cast(ABIEvent, entry)


def _to_abi_value(item: Mapping[str, Any], value: Any) -> Any:
    """The inverse of decode.normalize: JSON-style values to what eth_abi encodes."""
    typ = str(item["type"])
    if typ.endswith("]"):
        element = dict(item, type=typ[: typ.rindex("[")])
        return [_to_abi_value(element, v) for v in value]
    if typ == "tuple":
        return tuple(_to_abi_value(c, value[c["name"]]) for c in item["components"])
    if typ.startswith("bytes") and isinstance(value, str):
        return bytes.fromhex(value[2:])
    return value


def encode_log(
    contract: str,
    name: str,
    address: str,
    args: Mapping[str, Any],
    *,
    block_number: int,
    log_index: int,
    block_hash: str | None = None,
    tx_hash: str | None = None,
) -> dict[str, Any]:
    """A raw log as eth_getLogs returns it, for the event ``name`` of ``contract``."""
    entry = _event_abi(contract, name)
    topics = [bytes(event_abi_to_log_topic(entry))]
    data_types, data_values = [], []
    for item in entry["inputs"]:
        value = _to_abi_value(item, args[item["name"]])
        if item.get("indexed"):
            topics.append(abi_encode([collapse_if_tuple(item)], [value]))
        else:
            data_types.append(collapse_if_tuple(item))
            data_values.append(value)
    return {
        "address": address,
        "topics": topics,
        "data": abi_encode(data_types, data_values),
        "blockNumber": block_number,
        "blockHash": bytes.fromhex((block_hash or block_hash_of(block_number))[2:]),
        "transactionHash": bytes.fromhex(
            (tx_hash or "0x" + keccak(text=f"tx {block_number} {log_index}").hex())[2:]
        ),
        "logIndex": log_index,
    }


def block_hash_of(number: int, fork: str = "") -> str:
    return "0x" + keccak(text=f"block {number}{fork}").hex()
