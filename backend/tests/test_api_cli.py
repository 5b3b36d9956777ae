"""``python -m backend.api`` refuses bad settings with one line and exit code 2, before it
serves anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
