"""Names of the contracts' enums and bit sets (contracts/types), and the metric schema
(contracts/libraries/MetricSchema.sol): the database stores integers, the API shows names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

KINDS = ("solar", "wind", "storage", "efficiency", "hydro", "road", "bridge")
PHASES = ("funding", "failed", "building", "operating", "wound_down")
TRADING_PHASES = ("building", "operating")  # where Project.tradingOpen() is true
MILESTONE_STATUSES = ("pending", "submitted", "approved", "rejected")
ORDER_STATUSES = ("open", "filled", "cancelled")
SIDES = ("buy", "sell")
GOALS = ((1, "renewable_energy"), (2, "jobs"), (4, "pollution"), (8, "infrastructure"))


class MetricName(StrEnum):
    ENERGY_KWH = "ENERGY_KWH"
    ENERGY_SAVED_KWH = "ENERGY_SAVED_KWH"
    STORAGE_THROUGHPUT_KWH = "STORAGE_THROUGHPUT_KWH"
    UPTIME_BPS = "UPTIME_BPS"
    REVENUE = "REVENUE"
    CO2_AVOIDED_KG = "CO2_AVOIDED_KG"
    JOBS_FTE = "JOBS_FTE"


@dataclass(frozen=True)
class MetricSpec:
    id: int
    name: MetricName
    decimals: int | None  # None: the project's funding-asset decimals


METRICS = (
    MetricSpec(0, MetricName.ENERGY_KWH, 3),
    MetricSpec(1, MetricName.ENERGY_SAVED_KWH, 3),
    MetricSpec(2, MetricName.STORAGE_THROUGHPUT_KWH, 3),
    MetricSpec(3, MetricName.UPTIME_BPS, 0),
    MetricSpec(4, MetricName.REVENUE, None),
    MetricSpec(5, MetricName.CO2_AVOIDED_KG, 3),
    MetricSpec(6, MetricName.JOBS_FTE, 2),
)
METRIC_IDS = {spec.name: spec.id for spec in METRICS}


def name_of(names: Sequence[str], value: int) -> str:
    """The name of an enum value; an unexpected value shows as ``unknown_<n>`` rather than
    failing the whole response."""
    return names[value] if 0 <= value < len(names) else f"unknown_{value}"


def metric_name(metric: int) -> str:
    return METRICS[metric].name.value if 0 <= metric < len(METRICS) else f"unknown_{metric}"


def metric_decimals(metric: int, funding_decimals: int) -> int:
    if not 0 <= metric < len(METRICS):
        return 0
    decimals = METRICS[metric].decimals
    return funding_decimals if decimals is None else decimals


def goal_names(goals: int) -> list[str]:
    return [name for bit, name in GOALS if goals & bit]


def metric_names(mask: int) -> list[str]:
    return [spec.name.value for spec in METRICS if mask >> spec.id & 1]
