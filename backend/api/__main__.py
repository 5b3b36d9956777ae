"""``python -m backend.api [--host H] [--port P] [--database-url URL]``: serve the API."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from backend.api.app import create_app
from backend.api.settings import ApiSettings
from backend.common.errors import ConfigError
from backend.common.logging import setup_logging
from backend.indexer.db import sqlite_file


def _require_indexed_database(database_url: str) -> None:
    """A SQLite file that does not exist yet is a typo or an indexer not run: serving it would
    answer every request with empty lists, a silent wrong answer."""
    path = sqlite_file(database_url)
    if path == Path(":memory:"):
        raise ConfigError(
            f"{database_url} is an in-memory database, empty and the API's own: point "
            "--database-url at the indexer's database"
        )
    if path is None:
        return
    if not path.exists():
        raise ConfigError(
            f"no database at {path}: run the indexer first (python -m backend.indexer) or "
            "point --database-url at its database"
        )
    if not _records_a_deployment(path):
        raise ConfigError(
            f"{path} was not written by the indexer (it records no deployment): run the indexer "
            "on it first (python -m backend.indexer) or point --database-url at its database"
        )


def _records_a_deployment(path: Path) -> bool:
    """Whether the SQLite file holds the indexer's record of its deployment (read-only look)."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            return bool(conn.execute("SELECT count(*) FROM meta").fetchone()[0])
    except sqlite3.Error:  # no such table, or not a database at all
        return False


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backend.api", description="Serve the read API (defaults: INFRAX_* env)."
    )
    parser.add_argument("--host", dest="api_host", help="default 127.0.0.1")
    parser.add_argument("--port", dest="api_port", type=int, help="default 8000")
    parser.add_argument("--database-url", help="the indexer's database")
    parser.add_argument("--log-level")
    args = parser.parse_args()
    try:
        settings = ApiSettings(**{k: v for k, v in vars(args).items() if v is not None})
        _require_indexed_database(settings.database_url)
        app = create_app(settings)
    except ValidationError as exc:
        first = exc.errors()[0]
        print(
            f"error: invalid setting {'.'.join(map(str, first['loc']))}: {first['msg']}",
            file=sys.stderr,
        )
        return 2
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level)
    uvicorn.run(
        app, host=settings.api_host, port=settings.api_port, log_level=settings.log_level.lower()
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
