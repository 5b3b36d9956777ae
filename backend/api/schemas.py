"""Response models.

Number conventions: on-chain quantities (amounts, prices, metric values) are decimal strings so
that no client loses precision; amounts of the funding asset and metric values are in human
units in the canonical format of ``services.units`` ("12.5", "12"), shares are whole numbers
(shares have 0 decimals), and ``raw_*`` fields carry the on-chain integer. Counts, indexes,
block numbers and unix times are JSON integers. Addresses are checksummed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class FundingAsset(BaseModel):
    address: str
    symbol: str = Field(description="empty when the indexer could not read it")
    decimals: int = Field(description="0 when unknown: amounts are then raw units")


class ProjectSummary(BaseModel):
    address: str
    share_token: str = Field(description="the project contract is its own share token")
    project_id: int
    name: str
    symbol: str
    kind: str = Field(examples=["solar"])
    phase: str = Field(examples=["funding"])
    goals: list[str] = Field(examples=[["renewable_energy", "jobs"]])
    sponsor: str
    location: str
    funding_asset: FundingAsset
    price: str = Field(description="funding asset per share")
    goal: str
    cap: str
    raised: str
    deadline: int = Field(description="unix time; investment accepted strictly before it")


class Rejection(BaseModel):
    reason: str
    block_number: int
    timestamp: int


class Milestone(BaseModel):
    index: int
    name: str
    tranche_bps: int
    due_date: int
    status: str = Field(examples=["pending"])
    evidence_uri: str | None
    evidence_hash: str | None
    rejection_reason: str | None = Field(description="while the milestone stands rejected")
    rejections: list[Rejection] = Field(description="every rejection, oldest first")
    tranche_paid: str


class LatestMetric(BaseModel):
    value: str
    raw_value: str
    period: int
    reporter: str
    block_number: int


class ProjectDetail(ProjectSummary):
    metadata_uri: str
    metadata_hash: str
    capacity_kw: int
    metrics: list[str] = Field(description="metrics the project declares it reports")
    implementor: str
    operator: str
    verifier: str
    released: str
    refunded: str = Field(description="reclaimed by investors after a failed raise")
    total_revenue: str
    revenue_claimed: str
    wind_down_pool: str
    holders_count: int = Field(description="accounts holding at least one share")
    created_block: int
    milestones: list[Milestone]
    latest_metrics: dict[str, LatestMetric] = Field(description="by metric name")


class Reading(BaseModel):
    metric: str
    period: int
    value: str = Field(description="in the metric's unit, e.g. kWh")
    raw_value: str
    reporter: str
    block_number: int
    timestamp: int


class OrderBook(BaseModel):
    share_token: str
    trading_open: bool = Field(
        description="orders can be placed and filled: the project is building or operating "
        "(before, shares do not move; after a wind-down, resting orders can only be cancelled)"
    )
    bids: list[tuple[str, str]] = Field(description="[price, shares], highest price first")
    asks: list[tuple[str, str]] = Field(description="[price, shares], lowest price first")


class Trade(BaseModel):
    price: str
    amount: str = Field(description="shares")
    maker: str
    taker: str
    taker_side: str = Field(examples=["buy"], description="buy or sell")
    maker_order_id: int
    taker_order_id: int
    block_number: int
    log_index: int
    timestamp: int
    tx_hash: str


class Health(BaseModel):
    status: Literal["ok"]
    indexed_block: int | None
    indexed_block_hash: str | None
