"""One indexer writes a SQLite database at a time; the lock goes with the process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backend.common.errors import ConfigError
from backend.indexer.writer_lock import lock_path, writing


def test_a_second_writer_is_refused_and_the_first_release_frees_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'infrax.db'}"
    with writing(url):
        with pytest.raises(ConfigError) as caught, writing(url):
            pass
        assert str(caught.value) == (
            f"another indexer (pid {os.getpid()}) is writing {url}, and keeps it up to date: "
            "stop it first, or index into another --database-url"
        )
    with writing(url):  # released
        assert lock_path(url) == tmp_path / "infrax.db.writer.lock"


def test_a_writer_that_dies_leaves_no_lock_behind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'infrax.db'}"
    holder = (
        "import os, sys; from backend.indexer.writer_lock import writing\n"
        f"with writing({url!r}):\n    os._exit(9)  # killed, no clean-up\n"
    )
    dead = subprocess.run([sys.executable, "-c", holder], cwd=Path(__file__).parents[2])
    assert dead.returncode == 9
    with writing(url):
        pass


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "postgresql://h/db"])
def test_databases_without_a_file_take_no_lock(url: str) -> None:
    assert lock_path(url) is None
    with writing(url), writing(url):
        pass
