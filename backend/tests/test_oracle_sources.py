"""Tests of the real-data production models (pvlib solar, windpowerlib wind). No chain."""

from __future__ import annotations

import calendar
import csv
from pathlib import Path

import pytest
import windpowerlib

from backend.oracle.sources.base import (
    FULL_UPTIME_BPS,
    PeriodOutput,
    ProductionSource,
    normalize_outages,
    pvlib_data_file,
    tmy_row_index,
    validate_window,
)
from backend.oracle.sources.solar import SolarFarm
from backend.oracle.sources.wind import WindFarm

HOUR = 3600
YEAR_2023 = 8760  # 2023 is not a leap year: one full pass over the typical year


def utc(year: int, month: int, day: int, hour: int) -> int:
    return calendar.timegm((year, month, day, hour, 0, 0))


@pytest.fixture(scope="module")
def solar() -> SolarFarm:
    return SolarFarm(capacity_kw=5000)


@pytest.fixture(scope="module")
def wind() -> WindFarm:
    return WindFarm(n_turbines=4)


def tmy_rows(name: str) -> list[dict[str, str]]:
    """Data rows of a bundled TMY3 file, read with the csv module (independent of pvlib)."""
    with open(pvlib_data_file(name), newline="") as fh:
        fh.readline()  # line 1: station header (id, name, state, UTC offset, lat, lon, elev)
        return list(csv.DictReader(fh))  # line 2: column names


def tmy_row(name: str, mm_dd: str, hh_mm: str) -> dict[str, str]:
    for row in tmy_rows(name):
        if row["Date (MM/DD/YYYY)"].startswith(mm_dd + "/") and row["Time (HH:MM)"] == hh_mm:
            return row
    raise AssertionError(f"no row {mm_dd} {hh_mm} in {name}")


def e82_power_curve() -> list[tuple[float, float]]:
    path = Path(windpowerlib.__file__).parent / "oedb" / "power_curves.csv"
    with open(path, newline="") as fh:
        reader = csv.reader(fh)
        speeds = next(reader)[1:]
        for row in reader:
            if row[0] == "E-82/2350":
                pairs = zip(speeds, row[1:], strict=False)
                return [(float(s), float(p)) for s, p in pairs if p != ""]
    raise AssertionError("E-82/2350 missing from the oedb power curves")


# --- time mapping -------------------------------------------------------------------------


def test_tmy_row_index_hand_computed() -> None:
    # 2023-06-15 17:00 UTC = 12:00 EST (UTC-5) -> interval 12:00-13:00, row "06/15 13:00".
    # Day of year of June 15 = 31+28+31+30+31+15 = 166 -> (166-1)*24 + 12 = 3972.
    assert tmy_row_index(utc(2023, 6, 15, 17), -5.0) == 3972
    rows = tmy_rows("723170TYA.CSV")
    assert rows[3972]["Date (MM/DD/YYYY)"].startswith("06/15/")
    assert rows[3972]["Time (HH:MM)"] == "13:00"
    # Local midnight Jan 1 is the first row ("01/01 01:00")...
    assert tmy_row_index(utc(2023, 1, 1, 5), -5.0) == 0
    # ...and the hour before it is Dec 31 23:00-24:00 local, the last row ("12/31 24:00").
    assert tmy_row_index(utc(2023, 1, 1, 4), -5.0) == 8759
    assert rows[8759]["Date (MM/DD/YYYY)"].startswith("12/31/")
    assert rows[8759]["Time (HH:MM)"] == "24:00"
    # Sand Point is UTC-9: 2023-07-01 00:00 UTC = June 30 15:00 AKST; day 181 -> 180*24+15.
    assert tmy_row_index(utc(2023, 7, 1, 0), -9.0) == 4335
    # No daylight saving time: a July hour maps with the same -5 h as a January hour.
    assert tmy_row_index(utc(2023, 7, 4, 17), -5.0) == (185 - 1) * 24 + 12


def test_tmy_row_index_leap_day_reuses_feb_28() -> None:
    # 2024-02-29 12:00 UTC = 07:00 EST Feb 29 -> Feb 28 (day 59) -> 58*24 + 7.
    assert tmy_row_index(utc(2024, 2, 29, 12), -5.0) == 58 * 24 + 7
    assert tmy_row_index(utc(2024, 2, 29, 12), -5.0) == tmy_row_index(utc(2023, 2, 28, 12), -5.0)
    # March 1 still maps to day 60 in a leap year.
    assert tmy_row_index(utc(2024, 3, 1, 5), -5.0) == 59 * 24


def test_window_validation() -> None:
    validate_window(utc(2023, 1, 1, 0), 1)
    with pytest.raises(ValueError, match="aligned"):
        validate_window(utc(2023, 1, 1, 0) + 1, 1)
    with pytest.raises(ValueError, match="hours"):
        validate_window(utc(2023, 1, 1, 0), 0)
    with pytest.raises(ValueError, match="hours"):
        validate_window(utc(2023, 1, 1, 0), -3)
    with pytest.raises(ValueError, match="aligned"):
        tmy_row_index(1800, -5.0)


def test_misaligned_read_raises(solar: SolarFarm, wind: WindFarm) -> None:
    for source in (solar, wind):
        with pytest.raises(ValueError):
            source.read(utc(2023, 6, 1, 0) + 60, 24)
        with pytest.raises(ValueError):
            source.read(utc(2023, 6, 1, 0), 0)


# --- contract -------------------------------------------------------------------------------


def test_sources_satisfy_protocol(solar: SolarFarm, wind: WindFarm) -> None:
    assert isinstance(solar, ProductionSource)
    assert isinstance(wind, ProductionSource)
    assert solar.capacity_kw == 5000
    assert wind.capacity_kw == 4 * 2350


def test_seven_day_read_is_168_consecutive_hours(solar: SolarFarm, wind: WindFarm) -> None:
    start = utc(2023, 3, 6, 0)
    for source in (solar, wind):
        periods = source.read(start, 168)
        assert len(periods) == 168
        assert [p.period_start for p in periods] == [start + i * HOUR for i in range(168)]
        assert all(isinstance(p, PeriodOutput) for p in periods)
        assert all(p.uptime_bps == FULL_UPTIME_BPS for p in periods)
        assert all(0 <= p.energy_wh <= source.capacity_kw * 1000 for p in periods)
        assert all(type(p.energy_wh) is int and type(p.uptime_bps) is int for p in periods)


# --- solar ----------------------------------------------------------------------------------


def test_solar_sizing(solar: SolarFarm) -> None:
    assert solar.n_blocks == 40  # 40 x 125 kW Chint inverters
    assert solar.nameplate_ac_kw == pytest.approx(5000)
    assert 1.15 <= solar.nameplate_dc_kw / solar.nameplate_ac_kw <= 1.35
    assert solar.tilt == pytest.approx(36.1)  # site latitude


def test_solar_night_is_zero(solar: SolarFarm) -> None:
    # 2023-06-15 05:00 UTC = local (EST) midnight; the TMY row "06/15 01:00" has no sun.
    assert tmy_row("723170TYA.CSV", "06/15", "01:00")["GHI (W/m^2)"] == "0"
    [midnight] = solar.read(utc(2023, 6, 15, 5), 1)
    assert midnight.energy_wh == 0
    assert midnight.uptime_bps == FULL_UPTIME_BPS
    # A whole winter week: nothing between 19:00 and 05:00 local standard time.
    week = solar.read(utc(2023, 1, 9, 0), 168)
    for p in week:
        local_hour = ((p.period_start // HOUR) - 5) % 24
        if local_hour >= 19 or local_hour < 5:
            assert p.energy_wh == 0, p


def test_solar_summer_noon(solar: SolarFarm) -> None:
    [noon] = solar.read(utc(2023, 6, 15, 17), 1)  # 12:00-13:00 EST
    assert 0 < noon.energy_wh <= solar.capacity_kw * 1000
    assert noon.energy_wh == int(solar.typical_year_wh()[3972])
    # Around solar noon over a June week the plant makes well over a third of capacity.
    best = max(p.energy_wh for p in solar.read(utc(2023, 6, 12, 0), 168))
    assert best > 0.35 * solar.capacity_kw * 1000


def test_solar_capacity_factor(solar: SolarFarm) -> None:
    year = solar.read(utc(2023, 1, 1, 0), YEAR_2023)
    energy = sum(p.energy_wh for p in year)
    # A non-leap calendar year visits every TMY row exactly once.
    assert energy == int(solar.typical_year_wh().sum())
    cf = energy / (solar.capacity_kw * 1000 * YEAR_2023)
    assert 0.14 <= cf <= 0.25, cf
    # Specific yield for fixed-tilt PV in North Carolina: ~1300-1600 kWh/kWp(DC) per year.
    assert 1300 <= energy / 1000 / solar.nameplate_dc_kw <= 1600
    assert max(p.energy_wh for p in year) <= solar.capacity_kw * 1000


def test_solar_capacity_not_multiple_of_block_is_capped() -> None:
    farm = SolarFarm(capacity_kw=1060)  # 8 blocks x 125 kW = 1000 kW nameplate
    assert farm.n_blocks == 8
    assert farm.capacity_kw == 1060
    assert int(farm.typical_year_wh().max()) <= 1_000_000


def test_solar_unknown_module_rejected() -> None:
    with pytest.raises(ValueError, match="CECMod"):
        SolarFarm(module_name="No_Such_Module_400W")


# --- wind -----------------------------------------------------------------------------------


def expected_wind_wh(v10: float, n_turbines: int = 4, hub_height: float = 78.0) -> int:
    """Independent computation: 1/7 power law + linear interpolation of the E-82 curve."""
    v_hub = v10 * (hub_height / 10.0) ** (1.0 / 7.0)
    curve = e82_power_curve()
    if v_hub < curve[0][0] or v_hub > curve[-1][0]:
        return 0
    for (v0, p0), (v1, p1) in zip(curve, curve[1:], strict=False):
        if v0 <= v_hub <= v1:
            return round((p0 + (p1 - p0) * (v_hub - v0) / (v1 - v0)) * n_turbines)
    raise AssertionError("unreachable")


def test_wind_exact_value_for_a_windy_hour(wind: WindFarm) -> None:
    # 2023-05-06 11:00-12:00 UTC = 02:00-03:00 AKST (UTC-9) -> TMY row "05/06 03:00".
    row = tmy_row("703165TY.csv", "05/06", "03:00")
    v10 = float(row["Wspd (m/s)"])
    assert v10 == 6.2  # 8.31 m/s at hub height: on the steep part of the curve (8..9 m/s)
    expected = expected_wind_wh(v10)
    assert expected == 3_719_104  # 4 * (815000 + 0.31445 * 365000) W for one hour
    [period] = wind.read(utc(2023, 5, 6, 11), 1)
    assert period == PeriodOutput(utc(2023, 5, 6, 11), expected, FULL_UPTIME_BPS)


def test_wind_matches_independent_model_over_a_day(wind: WindFarm) -> None:
    rows = tmy_rows("703165TY.csv")
    start = utc(2023, 11, 20, 0)
    for p in wind.read(start, 24):
        v10 = float(rows[tmy_row_index(p.period_start, -9.0)]["Wspd (m/s)"])
        assert p.energy_wh == expected_wind_wh(v10)


def test_wind_cut_out_gives_zero(wind: WindFarm) -> None:
    # The April 21 storm: row "04/21 14:00" has 22.6 m/s at 10 m = 30.3 m/s at hub > 25 cut-out.
    assert float(tmy_row("703165TY.csv", "04/21", "14:00")["Wspd (m/s)"]) == 22.6
    [storm] = wind.read(utc(2023, 4, 21, 22), 1)  # 13:00-14:00 AKST
    assert storm.energy_wh == 0
    assert storm.uptime_bps == FULL_UPTIME_BPS  # the turbines are available, just stopped


def test_wind_rated_hour_gives_full_capacity(wind: WindFarm) -> None:
    # The E-82 curve is flat at 2.35 MW from 14 to 25 m/s: such hours give exactly capacity.
    rows = tmy_rows("703165TY.csv")
    factor = (78.0 / 10.0) ** (1.0 / 7.0)
    rated = [i for i, r in enumerate(rows) if 14.5 <= float(r["Wspd (m/s)"]) * factor <= 24.5]
    assert len(rated) > 100
    year = wind.typical_year_wh()
    assert all(int(year[i]) == wind.capacity_kw * 1000 for i in rated)


def test_wind_capacity_factor(wind: WindFarm) -> None:
    year = wind.read(utc(2023, 1, 1, 0), YEAR_2023)
    energy = sum(p.energy_wh for p in year)
    cf = energy / (wind.capacity_kw * 1000 * YEAR_2023)
    assert 0.20 <= cf <= 0.45, cf
    assert max(p.energy_wh for p in year) <= wind.capacity_kw * 1000


# --- outages --------------------------------------------------------------------------------


def test_outage_hours_are_zero() -> None:
    down_from, down_to = utc(2023, 6, 15, 14), utc(2023, 6, 15, 19)  # 09:00-14:00 EST
    farm = SolarFarm(outages=[(down_from, down_to)])
    periods = farm.read(utc(2023, 6, 15, 12), 10)
    for p in periods:
        if down_from <= p.period_start < down_to:
            assert (p.energy_wh, p.uptime_bps) == (0, 0)
        else:
            assert p.uptime_bps == FULL_UPTIME_BPS
    # Outside the window the output is the normal model output.
    after = tmy_row_index(utc(2023, 6, 15, 21), -5.0)
    assert periods[-1].energy_wh == int(farm.typical_year_wh()[after])


def test_partial_outage_is_pro_rated() -> None:
    start = utc(2023, 5, 6, 11)
    farm = WindFarm(outages=[(start + 1800, start + 2 * HOUR)])
    first, second = farm.read(start, 2)
    full = expected_wind_wh(6.2)
    assert (first.energy_wh, first.uptime_bps) == (full // 2, 5000)
    assert (second.energy_wh, second.uptime_bps) == (0, 0)


def test_outage_windows_validated_and_merged() -> None:
    assert normalize_outages([(20, 30), (0, 10), (10, 15)]) == ((0, 15), (20, 30))
    with pytest.raises(ValueError):
        normalize_outages([(10, 10)])
    with pytest.raises(ValueError):
        WindFarm(outages=[(100, 50)])
