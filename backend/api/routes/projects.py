"""/api/projects: the project list, one project's record, and its metric readings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query
from sqlalchemy import RowMapping

from backend.api import crud, schemas
from backend.api.deps import Conn, project_or_404
from backend.api.services.units import format_units
from backend.api.validation import Address
from backend.common.vocabulary import (
    KINDS,
    METRIC_IDS,
    MILESTONE_STATUSES,
    PHASES,
    MetricName,
    goal_names,
    metric_decimals,
    metric_name,
    metric_names,
    name_of,
)

router = APIRouter(prefix="/projects", tags=["projects"])

ProjectAddress = Annotated[Address, Path(description="project address, any letter case")]
MAX_READINGS = 1000


def _summary(row: RowMapping, asset: crud.AssetInfo) -> schemas.ProjectSummary:
    def amount(raw: int) -> str:
        return format_units(raw, asset.decimals)

    return schemas.ProjectSummary(
        address=row["address"],
        share_token=row["address"],
        project_id=row["project_id"],
        name=row["name"],
        symbol=row["symbol"],
        kind=name_of(KINDS, row["kind"]),
        phase=name_of(PHASES, row["phase"]),
        goals=goal_names(row["goals"]),
        sponsor=row["sponsor"],
        location=row["location"],
        funding_asset=schemas.FundingAsset(
            address=asset.address, symbol=asset.symbol, decimals=asset.decimals
        ),
        price=amount(row["price"]),
        goal=amount(row["goal"]),
        cap=amount(row["cap"]),
        raised=amount(row["raised"]),
        deadline=row["deadline"],
    )


def _reading_value(row: RowMapping, asset: crud.AssetInfo) -> str:
    return format_units(row["value"], metric_decimals(row["metric"], asset.decimals))


@router.get("", response_model=list[schemas.ProjectSummary])
def list_projects(conn: Conn) -> list[schemas.ProjectSummary]:
    """Every project, in order of creation."""
    assets: dict[str, crud.AssetInfo] = {}
    result = []
    for row in crud.list_projects(conn=conn):
        address = row["funding_asset"]
        if address not in assets:
            assets[address] = crud.asset_info(conn=conn, address=address)
        result.append(_summary(row, assets[address]))
    return result


@router.get(
    "/{address}",
    response_model=schemas.ProjectDetail,
    responses={404: {"description": "no such project"}},
)
def get_project(address: ProjectAddress, conn: Conn) -> schemas.ProjectDetail:
    """One project with its milestones, latest metric readings and holder count."""
    row = project_or_404(conn, address)
    asset = crud.asset_info(conn=conn, address=row["funding_asset"])

    def amount(raw: int) -> str:
        return format_units(raw, asset.decimals)

    rejections: dict[int, list[schemas.Rejection]] = {}
    for r in crud.list_rejections(conn=conn, project=address):
        rejections.setdefault(r["index"], []).append(
            schemas.Rejection(
                reason=r["reason"], block_number=r["block_number"], timestamp=r["timestamp"]
            )
        )
    milestones = [
        schemas.Milestone(
            index=m["index"],
            name=m["name"],
            tranche_bps=m["tranche_bps"],
            due_date=m["due_date"],
            status=name_of(MILESTONE_STATUSES, m["status"]),
            evidence_uri=m["evidence_uri"],
            evidence_hash=m["evidence_hash"],
            rejection_reason=m["rejection_reason"],
            rejections=rejections.get(m["index"], []),
            tranche_paid=amount(m["tranche_paid"]),
        )
        for m in crud.list_milestones(conn=conn, project=address)
    ]
    latest = {
        metric_name(r["metric"]): schemas.LatestMetric(
            value=_reading_value(r, asset),
            raw_value=str(r["value"]),
            period=r["period"],
            reporter=r["reporter"],
            block_number=r["block_number"],
        )
        for r in crud.latest_readings(conn=conn, project=address)
    }
    return schemas.ProjectDetail(
        **dict(_summary(row, asset)),
        metadata_uri=row["metadata_uri"],
        metadata_hash=row["metadata_hash"],
        capacity_kw=row["capacity_kw"],
        metrics=metric_names(row["metrics_mask"]),
        implementor=row["implementor"],
        operator=row["operator"],
        verifier=row["verifier"],
        released=amount(row["released"]),
        refunded=amount(crud.total_refunded(conn=conn, project=address)),
        total_revenue=amount(row["total_revenue"]),
        revenue_claimed=amount(row["revenue_claimed"]),
        wind_down_pool=amount(row["wind_down_pool"]),
        holders_count=crud.count_holders(conn=conn, project=address),
        created_block=row["created_block"],
        milestones=milestones,
        latest_metrics=latest,
    )


@router.get(
    "/{address}/metrics",
    response_model=list[schemas.Reading],
    responses={404: {"description": "no such project"}},
)
def list_metrics(
    address: ProjectAddress,
    conn: Conn,
    metric: Annotated[
        list[MetricName] | None,
        Query(description="only these metrics (repeat the parameter to name several)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_READINGS)] = 100,
    after: Annotated[
        str | None,
        Query(
            pattern=r"^[0-9]{1,20}:[A-Z0-9_]{1,40}$",
            description="the next page: the readings after this one, given as "
            "<period>:<metric> of the last reading of the previous page, e.g. 7200:UPTIME_BPS",
        ),
    ] = None,
) -> list[schemas.Reading]:
    """Metric readings, newest period first (then by metric id)."""
    cursor = None if after is None else _reading_cursor(after)
    row = project_or_404(conn, address)
    asset = crud.asset_info(conn=conn, address=row["funding_asset"])
    metric_ids = None if metric is None else sorted({METRIC_IDS[name] for name in metric})
    return [
        schemas.Reading(
            metric=metric_name(r["metric"]),
            period=r["period"],
            value=_reading_value(r, asset),
            raw_value=str(r["value"]),
            reporter=r["reporter"],
            block_number=r["block_number"],
            timestamp=r["timestamp"],
        )
        for r in crud.list_readings(
            conn=conn, project=address, metrics=metric_ids, limit=limit, after=cursor
        )
    ]


def _reading_cursor(after: str) -> tuple[int, int]:
    """(period, metric id) of `after`, or a 422 in FastAPI's own shape naming what is wrong."""
    period_text, metric = after.split(":")
    if int(period_text) > 2**64 - 1:
        problem = f"period {period_text} is beyond the chain's uint64"
    elif metric not in MetricName.__members__:
        problem = f"unknown metric {metric!r}: one of {', '.join(METRIC_IDS)}"
    else:
        return int(period_text), METRIC_IDS[MetricName(metric)]
    raise HTTPException(
        status_code=422,
        detail=[{"type": "value_error", "loc": ["query", "after"], "msg": problem}],
    )
