"""``python -m backend.api`` refuses bad settings with one line and exit code 2, before it
serves anything."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import Engine

from backend.common.chain import ROOT


def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend.api", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_a_sqlite_file_that_does_not_exist_is_refused_not_created(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    line = _one_line_error(_serve("--database-url", f"sqlite:///{path}"))
    assert line == (
        f"error: no database at {path}: run the indexer first (python -m backend.indexer) or "
        "point --database-url at its database"
    )
    assert not path.exists()


def test_a_port_out_of_range_is_refused() -> None:
    line = _one_line_error(_serve("--port", "70000"))
    assert line.startswith("error: invalid setting api_port: ")


def test_a_url_that_is_not_a_database_url_is_refused() -> None:
    line = _one_line_error(_serve("--database-url", "not a url"))
    assert "not a database URL: 'not a url'" in line


def test_an_in_memory_database_is_refused() -> None:
    line = _one_line_error(_serve("--database-url", "sqlite://"))
    assert "sqlite:// is an in-memory database" in line


def test_a_sqlite_file_the_indexer_did_not_write_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    line = _one_line_error(_serve("--database-url", f"sqlite:///{path}"))
    assert f"{path} was not written by the indexer (it records no deployment)" in line
    assert path.stat().st_size == 0  # looked at, not turned into an empty index


def test_the_indexers_database_is_served(indexer_engine: Engine, indexer_db_url: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "backend.api",
            "--database-url",
            indexer_db_url,
            "--port",
            str(port),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # A generous bound: a loaded CI machine may take long to import the app.
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/projects") as answer:
                    assert (answer.status, answer.read()) == (200, b"[]")
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                time.sleep(0.1)
        else:
            raise AssertionError("the API did not answer within 60 s")
    finally:
        server.terminate()
        server.wait(timeout=10)
