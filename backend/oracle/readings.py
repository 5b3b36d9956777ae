"""From hourly plant output to the on-chain readings of the standard metrics.

Pure functions: counters continue from the last value the chain holds, so a restart picks up
exactly where the chain says the reporter stopped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backend.oracle.sources.base import PeriodOutput

ENERGY_KWH = 0
UPTIME_BPS = 3
CO2_AVOIDED_KG = 5
REPORTED_METRICS = (ENERGY_KWH, UPTIME_BPS, CO2_AVOIDED_KG)
METRIC_NAMES = {
    ENERGY_KWH: "ENERGY_KWH",
    UPTIME_BPS: "UPTIME_BPS",
    CO2_AVOIDED_KG: "CO2_AVOIDED_KG",
}


@dataclass(frozen=True)
class Reading:
    """One reading as the MetricsOracle takes it (value in the metric's unit and decimals)."""

    project: str
    metric: int
    period: int
    value: int

    def as_tuple(self) -> tuple[str, int, int, int]:
        return (self.project, self.metric, self.period, self.value)


@dataclass
class Counters:
    """The latest cumulative values on chain: energy in Wh, CO2 avoided in grams."""

    energy_wh: int = 0
    co2_g: int = 0


def co2_avoided_g(energy_wh: int, factor_g_per_kwh: int) -> int:
    """CO2 avoided by delivering `energy_wh`, in grams, rounded down (never overstated)."""
    return energy_wh * factor_g_per_kwh // 1000


def to_readings(
    project: str, outputs: Iterable[PeriodOutput], counters: Counters, factor_g_per_kwh: int
) -> list[Reading]:
    """Readings for consecutive periods; advances `counters` as it goes."""
    readings: list[Reading] = []
    for out in outputs:
        counters.energy_wh += out.energy_wh
        counters.co2_g += co2_avoided_g(out.energy_wh, factor_g_per_kwh)
        readings += [
            Reading(project, ENERGY_KWH, out.period_start, counters.energy_wh),
            Reading(project, UPTIME_BPS, out.period_start, out.uptime_bps),
            Reading(project, CO2_AVOIDED_KG, out.period_start, counters.co2_g),
        ]
    return readings
