"""Turns raw logs into named events with JSON-compatible arguments, by ABI.

The decoded arguments are what the projections consume and what the ``events`` table stores, so
the projections can later be rebuilt from the table alone (reorg rollback): addresses are
checksummed strings, bytes are 0x-hex strings, integers stay ints, tuples become dicts keyed by
component name and arrays become lists.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from eth_abi.abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_typing import ABIEvent
from eth_utils.abi import collapse_if_tuple, event_abi_to_log_topic
from eth_utils.address import to_checksum_address

from backend.common.chain import abi

log = logging.getLogger(__name__)

# The contracts whose events the indexer reads, by the name of their build artifact.
FACTORY = "ProjectFactory"
ORACLE = "MetricsOracle"
EXCHANGE = "ShareExchange"
PROJECT = "Project"
CONTRACTS = (FACTORY, ORACLE, EXCHANGE, PROJECT)

_ARRAY_SUFFIX = re.compile(r"\[\d*\]$")
# Indexed values of these types are logged as their keccak hash, not decodable.
_DYNAMIC_INDEXED = re.compile(r"^(string|bytes|tuple)$|\]$")


@dataclass(frozen=True)
class DecodedEvent:
    """One log of a known contract, decoded."""

    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int
    address: str
    contract: str  # which ABI decoded it: one of CONTRACTS
    name: str
    args: dict[str, Any]

    @property
    def position(self) -> tuple[int, int]:
        """Order of the event in the chain."""
        return (self.block_number, self.log_index)


@dataclass(frozen=True)
class _EventSpec:
    name: str
    indexed: tuple[dict[str, Any], ...]
    data: tuple[dict[str, Any], ...]
    data_types: tuple[str, ...]


def to_hex(value: Any) -> str:
    """0x-prefixed lower-case hex of bytes or of a hex string."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    text = str(value).lower()
    return text if text.startswith("0x") else "0x" + text


def _to_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    text = str(value)
    return bytes.fromhex(text[2:] if text.startswith("0x") else text)


def normalize(abi_input: Mapping[str, Any], value: Any) -> Any:
    """A decoded ABI value in JSON-compatible form (see the module docstring)."""
    typ = str(abi_input["type"])
    if _ARRAY_SUFFIX.search(typ):
        element = dict(abi_input, type=_ARRAY_SUFFIX.sub("", typ))
        return [normalize(element, item) for item in value]
    if typ == "tuple":
        components = abi_input["components"]
        return {c["name"]: normalize(c, v) for c, v in zip(components, value, strict=True)}
    if typ == "address":
        return to_checksum_address(value)
    if typ.startswith("bytes"):
        return to_hex(value)
    return value  # int, bool, str


class EventDecoder:
    """Decodes logs of the exchange's contracts; anything it does not know yields None."""

    def __init__(self, abis: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        self._specs: dict[str, dict[bytes, _EventSpec]] = {}
        for contract, entries in abis.items():
            by_topic: dict[bytes, _EventSpec] = {}
            for entry in entries:
                if entry.get("type") != "event" or entry.get("anonymous"):
                    continue
                inputs = list(entry["inputs"])
                data = tuple(i for i in inputs if not i.get("indexed"))
                by_topic[bytes(event_abi_to_log_topic(cast(ABIEvent, entry)))] = _EventSpec(
                    name=str(entry["name"]),
                    indexed=tuple(i for i in inputs if i.get("indexed")),
                    data=data,
                    data_types=tuple(collapse_if_tuple(dict(i)) for i in data),
                )
            self._specs[contract] = by_topic

    @classmethod
    def from_build(cls, contracts: Iterable[str] = CONTRACTS) -> EventDecoder:
        """A decoder over the compiled contracts' ABIs (build/contracts)."""
        return cls({name: abi(name) for name in contracts})

    def decode(self, raw: Mapping[str, Any], contract: str) -> DecodedEvent | None:
        """Decodes one log as an event of ``contract``; None for an unknown topic or a log that
        does not fit the ABI (e.g. an ERC-20 Transfer with other indexed fields)."""
        topics = [_to_bytes(t) for t in raw.get("topics") or ()]
        if not topics:
            return None
        spec = self._specs.get(contract, {}).get(topics[0])
        if spec is None:
            return None
        if len(topics) != 1 + len(spec.indexed):
            log.debug(
                "log %s/%s: topic count does not fit %s",
                raw.get("transactionHash"),
                raw.get("logIndex"),
                spec.name,
            )
            return None
        try:
            args: dict[str, Any] = {}
            for item, topic in zip(spec.indexed, topics[1:], strict=True):
                if _DYNAMIC_INDEXED.search(str(item["type"])):
                    args[item["name"]] = to_hex(topic)  # only the hash of the value is logged
                else:
                    value = abi_decode([collapse_if_tuple(dict(item))], topic)[0]
                    args[item["name"]] = normalize(item, value)
            values = abi_decode(list(spec.data_types), _to_bytes(raw.get("data") or b""))
            for item, value in zip(spec.data, values, strict=True):
                args[item["name"]] = normalize(item, value)
        except (DecodingError, ValueError, TypeError, OverflowError) as exc:
            log.warning(
                "undecodable %s log in tx %s: %s",
                spec.name,
                to_hex(raw.get("transactionHash", b"")),
                exc,
            )
            return None
        return DecodedEvent(
            block_number=int(raw["blockNumber"]),
            block_hash=to_hex(raw["blockHash"]),
            tx_hash=to_hex(raw["transactionHash"]),
            log_index=int(raw["logIndex"]),
            address=to_checksum_address(raw["address"]),
            contract=contract,
            name=spec.name,
            args=args,
        )
