"""One indexer writes a database at a time. Two would both follow the chain into the same
tables, fight over SQLite's write lock and log tracebacks; the second is refused at start-up
instead. The lock is an OS file lock beside the SQLite file, so it is released whenever the
process ends, however it ends. (A PostgreSQL database is not locked yet.)"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from backend.common.errors import ConfigError


def lock_path(database_url: str) -> Path | None:
    """The lock file of a SQLite database file; None for other databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    real = Path(url.database).resolve()  # a symlink to the file shares the file's lock
    return real.with_name(real.name + ".writer.lock")


@contextmanager
def writing(database_url: str) -> Iterator[None]:
    """Holds the database's writer lock for the block; ConfigError if another process has it."""
    path = lock_path(database_url)
    if path is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode(errors="replace").strip()
            raise ConfigError(
                f"another indexer{f' (pid {pid})' if pid else ''} is writing {database_url}, "
                "and keeps it up to date: stop it first, or index into another --database-url"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
