"""/api/markets/{share_token}: the order book and the trades of a project's shares.

The share token is the project's address, so a market exists exactly when the project does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from backend.api import crud, schemas
from backend.api.deps import Conn, project_or_404
from backend.api.services.orderbook import RestingOrder, aggregate
from backend.api.services.units import format_units
from backend.api.validation import Address
from backend.common.vocabulary import PHASES, SIDES, TRADING_PHASES, name_of

router = APIRouter(prefix="/markets", tags=["markets"])

ShareToken = Annotated[Address, Path(description="share token (= project) address, any case")]
MAX_ROWS = 1000


@router.get(
    "/{share_token}/orderbook",
    response_model=schemas.OrderBook,
    responses={404: {"description": "no such project"}},
)
def get_orderbook(
    share_token: ShareToken,
    conn: Conn,
    levels: Annotated[int | None, Query(ge=1, le=MAX_ROWS, description="levels per side")] = None,
) -> schemas.OrderBook:
    """Open orders aggregated by price level: bids highest first, asks lowest first."""
    project = project_or_404(conn, share_token)
    asset = crud.asset_info(conn=conn, address=project["funding_asset"])
    book = aggregate(
        (
            RestingOrder(o["side"], o["price"], o["remaining"])
            for o in crud.open_orders(conn=conn, project=share_token)
        ),
        max_levels=levels,
    )
    return schemas.OrderBook(
        share_token=share_token,
        trading_open=name_of(PHASES, project["phase"]) in TRADING_PHASES,
        bids=[(format_units(lv.price, asset.decimals), str(lv.amount)) for lv in book.bids],
        asks=[(format_units(lv.price, asset.decimals), str(lv.amount)) for lv in book.asks],
    )


@router.get(
    "/{share_token}/trades",
    response_model=list[schemas.Trade],
    responses={404: {"description": "no such project"}},
)
def list_trades(
    share_token: ShareToken,
    conn: Conn,
    limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 100,
) -> list[schemas.Trade]:
    """Trades, newest first."""
    project = project_or_404(conn, share_token)
    asset = crud.asset_info(conn=conn, address=project["funding_asset"])
    return [
        schemas.Trade(
            price=format_units(t["price"], asset.decimals),
            amount=str(t["amount"]),
            maker=t["maker"],
            taker=t["taker"],
            taker_side=name_of(SIDES, t["taker_side"]),
            maker_order_id=t["maker_order_id"],
            taker_order_id=t["taker_order_id"],
            block_number=t["block_number"],
            log_index=t["log_index"],
            timestamp=t["timestamp"],
            tx_hash=t["tx_hash"],
        )
        for t in crud.list_trades(conn=conn, project=share_token, limit=limit)
    ]
