"""The indexing loop: fetch a block range's logs, decode, store and project them, and move the
checkpoint, all of one range in one database transaction.

A range is read in two steps because projects are discovered from the factory's ProjectCreated
events: first the factory, oracle and exchange logs, then the logs of every project known by
the end of the range (a project can not log before it is created, so asking for the whole range
is exact). The events are then applied in chain order.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from eth_utils.address import to_checksum_address
from sqlalchemy import Engine

from backend.common.chain import NODE_ERRORS, Deployment, first_line
from backend.common.errors import ConfigError
from backend.indexer import store
from backend.indexer.db import create_schema
from backend.indexer.decode import EXCHANGE, FACTORY, ORACLE, PROJECT, DecodedEvent, EventDecoder
from backend.indexer.projections import apply_event
from backend.indexer.source import BlockMissing, ChainSource
from backend.indexer.store import BlockHeader, ReorgDetected

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 2000


class Indexer:
    """Follows one deployment of the exchange into the database behind ``engine``."""

    def __init__(
        self,
        *,
        source: ChainSource,
        deployment: Deployment,
        engine: Engine,
        decoder: EventDecoder | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        confirmations: int = 0,
    ) -> None:
        if batch_size < 1:
            raise ConfigError(f"batch size must be at least 1 block, not {batch_size}")
        if confirmations < 0:
            raise ConfigError(f"confirmation depth must not be negative, not {confirmations}")
        chain_id = source.chain_id()
        if chain_id != deployment.chain_id:
            raise ConfigError(
                f"the node's chain id is {chain_id} but the deployment is on chain "
                f"{deployment.chain_id}"
            )
        self._source = source
        self._deployment = deployment
        self._engine = engine
        self._decoder = decoder or EventDecoder.from_build()
        self.batch_size = batch_size
        self.confirmations = confirmations
        self._core: dict[str, str] = {
            deployment.factory: FACTORY,
            deployment.oracle: ORACLE,
            deployment.exchange: EXCHANGE,
        }
        create_schema(engine)
        with engine.begin() as conn:
            store.ensure_meta(conn, deployment)
            self._projects = store.project_addresses(conn)
            self._assets = store.known_assets(conn)

    # ------------------------------------------------------------------------ public

    def checkpoint(self) -> store.Checkpoint | None:
        with self._engine.connect() as conn:
            return store.read_checkpoint(conn)

    def next_block(self) -> int:
        """The first block not indexed yet."""
        cp = self.checkpoint()
        return self._deployment.deployment_block if cp is None else cp.block_number + 1

    def sync(self, to_block: int | None = None) -> int:
        """Indexes from the checkpoint up to ``to_block`` (at most the head minus the
        confirmation depth); returns the number of events applied."""
        self._verify_checkpoint()
        target = self._source.head() - self.confirmations
        if to_block is not None:
            target = min(target, to_block)
        start = self.next_block()
        applied = 0
        while start <= target:
            end = min(start + self.batch_size - 1, target)
            applied += self.index_range(start, end)
            start = end + 1
        return applied

    def index_range(self, start: int, end: int) -> int:
        """Indexes blocks ``start``..``end`` in one transaction; events stored before are not
        applied again, so re-indexing a range changes nothing. Returns events applied."""
        events = self._fetch(start, end)
        headers = {n: self._source.block(n) for n in sorted({ev.block_number for ev in events})}
        for ev in events:
            if ev.block_hash != headers[ev.block_number].hash:
                raise ReorgDetected(f"block {ev.block_number} changed while reading it")
        last = headers[end] if end in headers else self._source.block(end)
        new_assets = self._resolve_assets(events)

        applied = 0
        with self._engine.begin() as conn:
            # Only blocks with events: the table must not depend on where batches ended.
            for header in headers.values():
                store.save_block(conn, header)
            for asset, (symbol, decimals) in new_assets.items():
                store.save_asset(conn, asset, symbol, decimals)
            for ev in events:
                if store.insert_event(conn, ev):
                    apply_event(conn, ev, headers[ev.block_number].timestamp)
                    applied += 1
            store.write_checkpoint(conn, last)
        # Only after the commit: a failed batch must leave the in-memory view as it was.
        self._projects |= {ev.args["project"] for ev in events if _is_creation(ev)}
        self._assets |= set(new_assets)
        log.debug("blocks %d..%d: %d events, %d applied", start, end, len(events), applied)
        return applied

    def run_forever(self, poll_seconds: float, stop: threading.Event | None = None) -> None:
        """Syncs every ``poll_seconds`` until ``stop`` is set; a failed cycle is logged and the
        next one tries again from the checkpoint, except after a reorg, which stops it."""
        stop = stop or threading.Event()
        log.info("following chain %d from block %d", self._deployment.chain_id, self.next_block())
        while not stop.is_set():
            try:
                applied = self.sync()
                if applied:
                    cp = self.checkpoint()
                    log.info(
                        "applied %d events; indexed to block %s",
                        applied,
                        cp.block_number if cp else None,
                    )
            except ReorgDetected:
                raise  # retrying cannot help: the database holds blocks of another fork
            except NODE_ERRORS as exc:
                # A node that does not answer is expected now and then: one line, not a trace.
                log.warning(
                    "node unavailable (%s); retrying in %.1fs", first_line(exc), poll_seconds
                )
            except Exception:  # the daemon outlives any one bad cycle
                log.exception("indexing cycle failed; retrying in %.1fs", poll_seconds)
            stop.wait(poll_seconds)

    # ----------------------------------------------------------------------- private

    def _fetch(self, start: int, end: int) -> list[DecodedEvent]:
        events: dict[tuple[str, int], DecodedEvent] = {}
        for raw in self._source.logs(sorted(self._core), start, end):
            contract = self._core.get(_checksum(raw))
            ev = self._decoder.decode(raw, contract) if contract else None
            if ev is not None:
                events[(ev.block_hash, ev.log_index)] = ev
        projects = self._projects | {
            ev.args["project"] for ev in events.values() if _is_creation(ev)
        }
        if projects:
            for raw in self._source.logs(sorted(projects), start, end):
                if _checksum(raw) not in projects:
                    continue
                ev = self._decoder.decode(raw, PROJECT)
                if ev is not None:
                    events[(ev.block_hash, ev.log_index)] = ev
        return sorted(events.values(), key=lambda ev: ev.position)

    def _resolve_assets(self, events: list[DecodedEvent]) -> dict[str, tuple[str, int]]:
        """Symbol and decimals of funding assets first seen in these events (read now, before
        the transaction, so the API can format amounts without a node)."""
        found: dict[str, tuple[str, int]] = {}
        for ev in events:
            if not _is_creation(ev):
                continue
            asset = ev.args["terms"]["fundingAsset"]
            if asset in self._assets or asset in found:
                continue
            metadata = self._source.erc20_metadata(asset)
            if metadata is not None:
                found[asset] = metadata
        return found

    def _verify_checkpoint(self) -> None:
        cp = self.checkpoint()
        if cp is None:
            return
        try:
            header: BlockHeader = self._source.block(cp.block_number)
        except BlockMissing:
            raise ReorgDetected(
                f"indexed block {cp.block_number} is gone from the chain "
                "(reorg or a restarted dev chain)"
            ) from None
        if header.hash != cp.block_hash:
            raise ReorgDetected(
                f"indexed block {cp.block_number} was {cp.block_hash}, the chain "
                f"now has {header.hash} (reorg or a restarted dev chain)"
            )


def _is_creation(ev: DecodedEvent) -> bool:
    return ev.contract == FACTORY and ev.name == "ProjectCreated"


def _checksum(raw: Mapping[str, Any]) -> str:
    return to_checksum_address(raw["address"])
