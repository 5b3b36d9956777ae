"""Common contract and helpers for production sources.

A production source turns a window of UTC hours into hourly readings (energy delivered and
uptime) for one plant. The real-data models here replay a TMY3 "typical meteorological year":
every calendar year gets the same weather, looked up by month/day/hour.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache
from numbers import Integral
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import pandas as pd

logger = logging.getLogger(__name__)

SECONDS_PER_HOUR = 3600
HOURS_PER_TYPICAL_YEAR = 8760
FULL_UPTIME_BPS = 10_000

# Any non-leap year works: it only turns (month, day) into a day-of-year of the TMY file.
_NON_LEAP_YEAR = 2001

Outage = tuple[int, int]
"""An outage window [start_unix, end_unix) in UTC seconds."""


@dataclass(frozen=True)
class PeriodOutput:
    """What a plant delivered in one hour."""

    period_start: int  # unix seconds UTC, multiple of 3600
    energy_wh: int  # energy delivered in that hour, watt-hours, >= 0
    uptime_bps: int  # 0..10000


@runtime_checkable
class ProductionSource(Protocol):
    """Anything that can report hourly production for a plant of a given AC capacity."""

    capacity_kw: int

    def read(self, start: int, hours: int) -> list[PeriodOutput]:
        """Return `hours` consecutive hourly outputs starting at `start` (UTC, hour-aligned)."""
        ...


def validate_window(start: int, hours: int) -> None:
    """Raise ValueError unless `start` is an hour-aligned unix time and `hours` is positive."""
    if isinstance(start, bool) or not isinstance(start, Integral):
        raise ValueError(f"start must be an int unix timestamp, got {start!r}")
    if isinstance(hours, bool) or not isinstance(hours, Integral):
        raise ValueError(f"hours must be an int, got {hours!r}")
    if start % SECONDS_PER_HOUR != 0:
        raise ValueError(
            f"start={start} is not aligned to an hour (must be a multiple of {SECONDS_PER_HOUR})"
        )
    if hours <= 0:
        raise ValueError(f"hours must be > 0, got {hours}")


def tmy_row_index(period_start: int, utc_offset_hours: float) -> int:
    """Row (0..8759) of a TMY3 file that describes the UTC hour [period_start, +1h).

    TMY3 rows are stamped in local *standard* time (no DST; the header gives the UTC offset)
    and each row covers the hour ENDING at its stamp: row 0 is "01/01 01:00" = 00:00-01:00.
    The UTC hour is shifted to local standard time, and the row whose interval starts at that
    local hour is taken; Feb 29 reuses Feb 28 because a typical year has 365 days.

    Example: 2023-06-15 17:00 UTC at UTC-5 is 12:00 local standard, the interval 12:00-13:00,
    i.e. the row stamped "06/15 13:00": day-of-year 166 -> (166 - 1) * 24 + 12 = 3972.
    """
    if period_start % SECONDS_PER_HOUR != 0:
        raise ValueError(f"period_start={period_start} is not aligned to an hour")
    local = datetime.fromtimestamp(period_start, tz=timezone(timedelta(hours=utc_offset_hours)))
    day = 28 if (local.month, local.day) == (2, 29) else local.day
    day_of_year = date(_NON_LEAP_YEAR, local.month, day).timetuple().tm_yday
    return (day_of_year - 1) * 24 + local.hour


def pvlib_data_file(name: str) -> Path:
    """Path of a data file shipped inside the installed pvlib package (e.g. a TMY3 file)."""
    import pvlib

    return Path(pvlib.__file__).parent / "data" / name


def read_tmy3_year(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a TMY3 file with pvlib and return (rows in file order, header metadata).

    The frame gets a plain 0..8759 index: pvlib's timestamps mix the source year of each month
    and wrap "12/31 24:00" into the next year, so position is the only reliable key. The row
    order is checked against the canonical typical year so `tmy_row_index` can index it.
    """
    from pvlib.iotools import read_tmy3

    data, meta = read_tmy3(str(path), map_variables=True)
    if len(data) != HOURS_PER_TYPICAL_YEAR:
        raise ValueError(f"{path}: expected {HOURS_PER_TYPICAL_YEAR} rows, got {len(data)}")
    stamps = (data["Date (MM/DD/YYYY)"].str[:5] + " " + data["Time (HH:MM)"]).tolist()
    if stamps != _canonical_tmy_stamps():
        raise ValueError(f"{path}: rows are not one 365-day year in hour-ending order")
    if "TZ" not in meta:
        raise ValueError(f"{path}: header has no UTC offset (TZ)")
    return data.reset_index(drop=True), dict(meta)


@cache
def _canonical_tmy_stamps() -> list[str]:
    """'MM/DD HH:00' stamps of the 8760 rows of a TMY3 year (hour-ending, 01:00..24:00)."""
    first = date(_NON_LEAP_YEAR, 1, 1)
    stamps: list[str] = []
    for row in range(HOURS_PER_TYPICAL_YEAR):
        day = first + timedelta(days=row // 24)
        stamps.append(f"{day.month:02d}/{day.day:02d} {row % 24 + 1:02d}:00")
    return stamps


def normalize_outages(outages: Iterable[Outage] | None) -> tuple[Outage, ...]:
    """Validate outage windows and merge overlapping/adjacent ones into a sorted tuple."""
    if outages is None:
        return ()
    windows: list[Outage] = []
    for window in outages:
        start, end = window
        if isinstance(start, bool) or isinstance(end, bool):
            raise ValueError(f"outage bounds must be ints, got {window!r}")
        if not isinstance(start, Integral) or not isinstance(end, Integral):
            raise ValueError(f"outage bounds must be int unix seconds, got {window!r}")
        if end <= start:
            raise ValueError(f"outage end must be after its start, got {window!r}")
        windows.append((int(start), int(end)))
    windows.sort()
    merged: list[Outage] = []
    for start, end in windows:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def downtime_seconds(period_start: int, outages: Sequence[Outage]) -> int:
    """Seconds of [period_start, period_start + 1h) covered by (merged) outage windows."""
    period_end = period_start + SECONDS_PER_HOUR
    down = 0
    for start, end in outages:
        if start >= period_end:
            break  # sorted: nothing later can overlap
        overlap = min(end, period_end) - max(start, period_start)
        if overlap > 0:
            down += overlap
    return down


class TypicalYearSource(ABC):
    """A ProductionSource that replays one simulated TMY year, hour by hour.

    Availability: the weather model assumes the plant is fully available (uptime 10000 bps)
    every hour, except inside the configured outage windows. An hour entirely inside an outage
    yields energy 0 and uptime 0; an hour partly covered is pro-rated (energy and uptime scaled
    by the available fraction, rounded down).

    Subclasses set `capacity_kw` and `utc_offset_hours` and implement `_simulate_year()`; the
    simulation runs once per instance, on first use, and is cached.
    """

    capacity_kw: int
    utc_offset_hours: float

    def __init__(self, outages: Iterable[Outage] | None = None) -> None:
        self.outages: tuple[Outage, ...] = normalize_outages(outages)
        self._year_wh: npt.NDArray[np.int64] | None = None
        self._year_lock = threading.Lock()

    @abstractmethod
    def _simulate_year(self) -> npt.NDArray[np.float64]:
        """Energy in Wh for each of the 8760 TMY rows, before rounding and clipping."""

    def typical_year_wh(self) -> npt.NDArray[np.int64]:
        """Hourly energy (Wh) of the typical year in TMY row order; a read-only cached array."""
        cached = self._year_wh
        if cached is not None:
            return cached
        with self._year_lock:
            if self._year_wh is None:
                self._year_wh = self._finish_year(self._simulate_year())
            return self._year_wh

    def _finish_year(self, simulated: npt.ArrayLike) -> npt.NDArray[np.int64]:
        raw = np.asarray(simulated, dtype=np.float64)
        if raw.shape != (HOURS_PER_TYPICAL_YEAR,):
            raise RuntimeError(f"{type(self).__name__}: simulation returned shape {raw.shape}")
        # NaN can only come from a broken model input: count it as no output.
        raw = np.nan_to_num(raw, nan=0.0, posinf=0.0, neginf=0.0)
        # Integer Wh, never negative, never above capacity x 1 h (the on-chain plausibility cap).
        year = np.rint(np.clip(raw, 0.0, float(self.capacity_kw) * 1000.0)).astype(np.int64)
        year.setflags(write=False)
        logger.debug("%s: typical year cached, %.0f MWh", type(self).__name__, year.sum() / 1e6)
        return year

    def read(self, start: int, hours: int) -> list[PeriodOutput]:
        """Return `hours` consecutive hourly outputs starting at `start` (UTC, hour-aligned)."""
        validate_window(start, hours)
        start, hours = int(start), int(hours)
        year = self.typical_year_wh()
        out: list[PeriodOutput] = []
        for i in range(hours):
            period_start = start + i * SECONDS_PER_HOUR
            energy = int(year[tmy_row_index(period_start, self.utc_offset_hours)])
            up = SECONDS_PER_HOUR - downtime_seconds(period_start, self.outages)
            out.append(
                PeriodOutput(
                    period_start=period_start,
                    energy_wh=energy * up // SECONDS_PER_HOUR,
                    uptime_bps=FULL_UPTIME_BPS * up // SECONDS_PER_HOUR,
                )
            )
        return out
