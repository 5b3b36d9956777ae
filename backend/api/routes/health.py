"""/api/health: liveness and how far the indexer has got."""

from __future__ import annotations

from fastapi import APIRouter

from backend.api import crud, schemas
from backend.api.deps import Conn

router = APIRouter(tags=["health"])


@router.get("/health", response_model=schemas.Health)
def health(conn: Conn) -> schemas.Health:
    cp = crud.indexed_block(conn=conn)
    return schemas.Health(
        status="ok",
        indexed_block=cp.block_number if cp else None,
        indexed_block_hash=cp.block_hash if cp else None,
    )
