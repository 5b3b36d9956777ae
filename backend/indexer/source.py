"""What the indexer reads from the chain, behind a small interface so ingestion can be tested
with recorded or fake responses, and so range shrinking and batching of RPC calls can be added
here later without touching the ingestion logic.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.exceptions import BadFunctionCallOutput, BlockNotFound, ContractLogicError, Web3Exception
from web3.types import LogReceipt

from backend.common.chain import abi
from backend.common.errors import InfraxError
from backend.indexer.decode import to_hex
from backend.indexer.store import BlockHeader

log = logging.getLogger(__name__)

T = TypeVar("T")

# Answers that a retry can not change.
_PERMANENT = (BlockNotFound, ContractLogicError, BadFunctionCallOutput)


class BlockMissing(InfraxError):
    """The node has no block with the requested number."""


class ChainSource(Protocol):
    def chain_id(self) -> int: ...

    def head(self) -> int: ...

    def block(self, number: int) -> BlockHeader:
        """The header of block ``number``; raises BlockMissing beyond the head."""
        ...

    def logs(self, addresses: Sequence[str], start: int, end: int) -> list[Mapping[str, Any]]:
        """Logs of ``addresses`` in blocks ``start``..``end`` inclusive."""
        ...

    def erc20_metadata(self, address: str) -> tuple[str, int] | None:
        """(symbol, decimals) of an ERC-20, or None when the token does not say."""
        ...


class Web3Source:
    """A ChainSource over a web3 connection. Reads are safe to repeat, so each is retried with
    backoff before the error reaches the indexing loop."""

    def __init__(
        self,
        w3: Web3,
        *,
        retries: int = 3,
        backoff_seconds: float = 0.5,
        max_addresses_per_query: int = 500,
    ) -> None:
        self._w3 = w3
        self._retries = retries
        self._backoff = backoff_seconds
        self._max_addresses = max_addresses_per_query

    def _read(self, what: str, call: Callable[[], T]) -> T:
        for attempt in range(self._retries + 1):
            try:
                return call()
            except (OSError, Web3Exception, ValueError) as exc:
                if isinstance(exc, _PERMANENT) or attempt == self._retries:
                    raise
                delay = self._backoff * 2**attempt
                log.warning("%s failed (%s); retrying in %.1fs", what, exc, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def chain_id(self) -> int:
        return self._read("eth_chainId", lambda: int(self._w3.eth.chain_id))

    def head(self) -> int:
        return self._read("eth_blockNumber", lambda: int(self._w3.eth.block_number))

    def block(self, number: int) -> BlockHeader:
        try:
            raw = self._read(
                f"eth_getBlockByNumber({number})", lambda: self._w3.eth.get_block(number)
            )
        except BlockNotFound:
            raise BlockMissing(f"the node has no block {number}") from None
        return BlockHeader(
            number=int(raw["number"]),
            hash=to_hex(raw["hash"]),
            parent_hash=to_hex(raw["parentHash"]),
            timestamp=int(raw["timestamp"]),
        )

    def logs(self, addresses: Sequence[str], start: int, end: int) -> list[Mapping[str, Any]]:
        found: list[Mapping[str, Any]] = []
        # Providers limit the filter's address list; ask in chunks.
        for i in range(0, len(addresses), self._max_addresses):
            chunk = [Web3.to_checksum_address(a) for a in addresses[i : i + self._max_addresses]]

            def get_logs(chunk: list[ChecksumAddress] = chunk) -> list[LogReceipt]:
                return self._w3.eth.get_logs({"fromBlock": start, "toBlock": end, "address": chunk})

            found.extend(
                self._read(f"eth_getLogs({start}..{end}, {len(chunk)} addresses)", get_logs)
            )
        return found

    def erc20_metadata(self, address: str) -> tuple[str, int] | None:
        token = self._w3.eth.contract(
            address=Web3.to_checksum_address(address), abi=abi("IERC20Metadata")
        )
        try:
            symbol = self._read("symbol()", lambda: str(token.functions.symbol().call()))
            decimals = self._read("decimals()", lambda: int(token.functions.decimals().call()))
        except (OSError, Web3Exception, ValueError) as exc:
            log.warning("funding asset %s has no readable symbol/decimals: %s", address, exc)
            return None
        return symbol, decimals
