"""FastAPI dependencies and lookups shared by the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Connection, Engine, RowMapping

from backend.api import crud
from backend.common.errors import NotFound


def get_conn(request: Request) -> Iterator[Connection]:
    """A connection in a read transaction: every query of one request sees the same indexed
    state (a snapshot on SQLite in WAL mode and on PostgreSQL), never half a batch."""
    engine: Engine = request.app.state.engine
    with engine.connect() as conn, conn.begin():
        yield conn


Conn = Annotated[Connection, Depends(get_conn)]


def project_or_404(conn: Connection, address: str) -> RowMapping:
    """The project row, or the HTTP 404 ``{"detail": "no project 0x..."}``."""
    try:
        return crud.get_project(conn=conn, address=address)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
