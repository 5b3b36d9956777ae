"""``python -m backend.indexer``: follow the chain into the database.

Exit codes: 0 done (``--once``) or interrupted, 1 indexing failed, 2 bad configuration (missing
or malformed deployment file, no node at the RPC URL, wrong chain, unusable database).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from contextlib import ExitStack

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from web3.exceptions import Web3Exception

from backend.common.chain import NODE_ERRORS, load_deployment
from backend.common.errors import ConfigError, InfraxError
from backend.common.logging import setup_logging
from backend.indexer.ingest import Indexer
from backend.indexer.service import build_indexer
from backend.indexer.settings import IndexerSettings
from backend.indexer.writer_lock import writing

log = logging.getLogger("backend.indexer")

EXIT_FAILED = 1
EXIT_CONFIG = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m backend.indexer",
        description="Index the exchange's contract events into a database. Options default to "
        "the INFRAX_* environment variables.",
    )
    parser.add_argument("--deployment", help="deployment file (deployments/<network>.json)")
    parser.add_argument("--rpc-url", help="JSON-RPC URL of the node")
    parser.add_argument("--database-url", help="SQLAlchemy URL, e.g. sqlite:///data/infrax.db")
    parser.add_argument("--batch-size", type=int, help="blocks per eth_getLogs range")
    parser.add_argument("--confirmations", type=int, help="blocks behind the head to stay")
    parser.add_argument("--poll-seconds", type=float, help="pause between sync cycles")
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING, ...")
    parser.add_argument("--once", action="store_true", help="sync to the head once and exit")
    return parser


def _fail(message: str, code: int) -> int:
    # One line, no traceback: these are the operator's errors, not the program's.
    print(f"error: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides = {k: v for k, v in vars(args).items() if v is not None and k != "once"}
    try:
        settings = IndexerSettings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return _fail(f"invalid setting {where}: {first['msg']}", EXIT_CONFIG)
    setup_logging(settings.log_level)

    try:
        indexer = build_indexer(
            rpc_url=settings.rpc_url,
            deployment=load_deployment(settings.deployment),
            database_url=settings.database_url,
            batch_size=settings.batch_size,
            confirmations=settings.confirmations,
        )
    except ConfigError as exc:
        return _fail(str(exc), EXIT_CONFIG)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return _fail(f"database {settings.database_url}: {reason}", EXIT_CONFIG)
    except NODE_ERRORS as exc:
        return _fail(f"node at {settings.rpc_url}: {exc}", EXIT_CONFIG)

    with ExitStack() as held:
        try:
            held.enter_context(writing(settings.database_url))
        except ConfigError as exc:
            return _fail(str(exc), EXIT_CONFIG)
        try:
            _run(indexer, settings, once=args.once)
        except KeyboardInterrupt:
            log.info("stopped")
        except (InfraxError, OSError, Web3Exception, SQLAlchemyError) as exc:
            return _fail(f"indexing failed: {exc}".splitlines()[0], EXIT_FAILED)
    return 0


def _run(indexer: Indexer, settings: IndexerSettings, once: bool) -> None:
    if once:
        applied = indexer.sync()
        cp = indexer.checkpoint()
        if cp is None:
            log.info(
                "nothing to index yet: the chain is not %d confirmations past the "
                "deployment block %d",
                settings.confirmations,
                indexer.next_block(),
            )
        else:
            log.info("applied %d events; indexed to block %d", applied, cp.block_number)
    else:
        indexer.run_forever(settings.poll_seconds)
