"""Wiring: an Indexer from a node URL, a deployment and a database URL (used by the CLI and by
anything that runs the indexer in-process, like the demo)."""

from __future__ import annotations

from backend.common.chain import Deployment, connect, verify_deployment
from backend.indexer.db import make_engine
from backend.indexer.ingest import DEFAULT_BATCH_SIZE, Indexer
from backend.indexer.source import Web3Source


def build_indexer(
    *,
    rpc_url: str,
    deployment: Deployment,
    database_url: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    confirmations: int = 0,
) -> Indexer:
    """Raises ConfigError for a bad database URL, a node that does not answer, or a node that
    does not carry the deployment."""
    engine = make_engine(database_url)  # first: a typo in the URL fails before any network call
    w3 = connect(rpc_url)
    verify_deployment(w3, deployment, rpc_url)
    return Indexer(
        source=Web3Source(w3),
        deployment=deployment,
        engine=engine,
        batch_size=batch_size,
        confirmations=confirmations,
    )
