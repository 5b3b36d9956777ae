"""PV plant model: pvlib simulation of a fixed-tilt plant over a TMY3 typical year."""

from __future__ import annotations

import difflib
import functools
import logging
import math
from collections.abc import Iterable
from datetime import timedelta, timezone
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
from pvlib import atmosphere, inverter, irradiance, pvsystem, solarposition, temperature
from pvlib.iam import physical as iam_physical

from backend.oracle.sources.base import (
    HOURS_PER_TYPICAL_YEAR,
    Outage,
    TypicalYearSource,
    pvlib_data_file,
    read_tmy3_year,
)

logger = logging.getLogger(__name__)

DEFAULT_WEATHER_FILE = pvlib_data_file("723170TYA.CSV")  # Greensboro NC, NREL TMY3
# Jinko JKM400M-72: 400 W, 72-cell mono PERC, a very common utility-scale module.
DEFAULT_MODULE = "Jinko_Solar__Co___Ltd_JKM400M_72L"
# Chint CPS SCH125KTL-DO/US-600: 125 kW utility string inverter; 5 MW = 40 blocks exactly.
DEFAULT_INVERTER = "Chint_Power_Systems_America__CPS_SCH125KTL_DO_US_600__600V_"
DEFAULT_DC_AC_RATIO = 1.25
DEFAULT_ALBEDO = 0.2  # used where the TMY albedo is missing (Greensboro's column is all 0)
TEMPERATURE_MODEL = "open_rack_glass_polymer"  # SAPM: ground-mounted open rack

# Any non-leap year: only used to place the sun for each TMY (month, day, hour).
_SIM_YEAR = 2001


@functools.cache
def _sam_library(name: str) -> pd.DataFrame:
    # The CEC files ship inside pvlib; reading them takes ~0.2 s, so share across instances.
    return pvsystem.retrieve_sam(name)


def _lookup(library: str, name: str) -> pd.Series:
    table = _sam_library(library)
    if name not in table.columns:
        hints = difflib.get_close_matches(name, list(table.columns), n=3)
        raise ValueError(f"{name!r} is not in pvlib's {library} library; close matches: {hints}")
    return table[name].copy()


class SolarFarm(TypicalYearSource):
    """Fixed-tilt PV plant simulated with pvlib over the TMY3 typical year.

    The plant is `n_blocks` identical blocks, each one inverter fed by parallel strings of
    modules. Per hour (at the middle of the TMY interval) the chain is: solar position ->
    Perez transposition -> physical IAM on beam -> SAPM cell temperature -> CEC single-diode
    module -> PVWatts DC losses (without availability: outages model that) -> Sandia inverter.

    `capacity_kw` is the plant's AC export limit (the value registered on chain); hourly energy
    never exceeds capacity_kw * 1000 Wh. The number of inverter blocks is the nearest integer
    to capacity_kw / inverter Paco, so nameplate AC (`nameplate_ac_kw`) ~= capacity_kw.
    """

    def __init__(
        self,
        capacity_kw: int = 5000,
        weather_file: str | Path = DEFAULT_WEATHER_FILE,
        module_name: str = DEFAULT_MODULE,
        inverter_name: str = DEFAULT_INVERTER,
        tilt: float | None = None,
        azimuth: float = 180.0,
        dc_ac_ratio: float = DEFAULT_DC_AC_RATIO,
        outages: Iterable[Outage] | None = None,
    ) -> None:
        """Size the plant; the weather simulation itself runs lazily on first read.

        tilt: degrees from horizontal; None means the site latitude (the classic annual
        optimum for fixed tilt). azimuth: degrees clockwise from north, 180 = south.
        """
        super().__init__(outages)
        if isinstance(capacity_kw, bool) or not isinstance(capacity_kw, int) or capacity_kw <= 0:
            raise ValueError(f"capacity_kw must be a positive int, got {capacity_kw!r}")
        if dc_ac_ratio <= 0:
            raise ValueError(f"dc_ac_ratio must be > 0, got {dc_ac_ratio}")
        self.capacity_kw = capacity_kw
        self.module_name = module_name
        self.inverter_name = inverter_name
        self.module = _lookup("CECMod", module_name)
        self.inverter = _lookup("CECInverter", inverter_name)

        self._weather, meta = read_tmy3_year(weather_file)
        self.utc_offset_hours = float(meta["TZ"])
        self.latitude = float(meta["latitude"])
        self.longitude = float(meta["longitude"])
        self.altitude = float(meta["altitude"])
        self.tilt = self.latitude if tilt is None else float(tilt)
        self.azimuth = float(azimuth)
        if not 0.0 <= self.tilt <= 90.0:
            raise ValueError(f"tilt must be within 0..90 degrees, got {self.tilt}")

        paco = float(self.inverter["Paco"])
        self.n_blocks = max(1, round(capacity_kw * 1000 / paco))
        self.nameplate_ac_kw = self.n_blocks * paco / 1000
        # Longest string whose open-circuit voltage stays under the inverter's DC limit on the
        # coldest hour of the typical year (Voc rises as cells get colder).
        t_min = float(self._weather["temp_air"].min())
        voc_cold = float(self.module["V_oc_ref"]) + float(self.module["beta_oc"]) * (t_min - 25.0)
        self.modules_per_string = max(1, math.floor(float(self.inverter["Vdcmax"]) / voc_cold))
        string_w = self.modules_per_string * float(self.module["STC"])
        self.strings_per_inverter = max(1, round(dc_ac_ratio * paco / string_w))
        self.nameplate_dc_kw = self.n_blocks * self.strings_per_inverter * string_w / 1000
        self.dc_loss_pct = float(pvsystem.pvwatts_losses(availability=0.0))
        logger.info(
            "SolarFarm %d kW: %d x %s, %d strings x %d %s per block, DC %.0f kW, DC/AC %.2f",
            capacity_kw,
            self.n_blocks,
            inverter_name,
            self.strings_per_inverter,
            self.modules_per_string,
            module_name,
            self.nameplate_dc_kw,
            self.nameplate_dc_kw / self.nameplate_ac_kw,
        )
        if abs(self.nameplate_ac_kw - capacity_kw) > 1e-9:
            logger.warning(
                "SolarFarm: inverter nameplate %.1f kW differs from capacity %d kW "
                "(output is capped at the capacity)",
                self.nameplate_ac_kw,
                capacity_kw,
            )

    def _simulate_year(self) -> npt.NDArray[np.float64]:
        w = self._weather
        # TMY values integrate the hour ending at the stamp: take the sun at mid-interval.
        tz = timezone(timedelta(hours=self.utc_offset_hours))  # local standard time, no DST
        times = pd.date_range(
            f"{_SIM_YEAR}-01-01 00:30", periods=HOURS_PER_TYPICAL_YEAR, freq="h", tz=tz
        )
        pressure_pa = w["pressure"].to_numpy(dtype=float) * 100.0  # TMY3 is mbar, pvlib wants Pa
        sun = solarposition.get_solarposition(
            times,
            self.latitude,
            self.longitude,
            altitude=self.altitude,
            pressure=pressure_pa,
            temperature=w["temp_air"].to_numpy(dtype=float),
        )
        zenith = sun["apparent_zenith"].to_numpy()
        sun_up = zenith < 90.0
        dni = np.where(sun_up, w["dni"].to_numpy(dtype=float), 0.0)
        ghi = w["ghi"].to_numpy(dtype=float)
        dhi = w["dhi"].to_numpy(dtype=float)
        albedo = w["albedo"].to_numpy(dtype=float) if "albedo" in w else np.zeros(len(w))
        albedo = np.where(albedo > 0.0, albedo, DEFAULT_ALBEDO)

        # Pass day numbers, not the index: pvlib's index path hits a pandas-3 deprecation.
        day_of_year = times.day_of_year.to_numpy()
        poa = irradiance.get_total_irradiance(
            self.tilt,
            self.azimuth,
            sun["apparent_zenith"],
            sun["azimuth"],
            dni=pd.Series(dni, index=times),
            ghi=pd.Series(ghi, index=times),
            dhi=pd.Series(dhi, index=times),
            dni_extra=pd.Series(irradiance.get_extra_radiation(day_of_year), index=times),
            airmass=atmosphere.get_relative_airmass(sun["apparent_zenith"]),
            albedo=pd.Series(albedo, index=times),
            model="perez",
        )
        aoi = irradiance.aoi(self.tilt, self.azimuth, sun["apparent_zenith"], sun["azimuth"])
        poa_direct = np.nan_to_num(poa["poa_direct"].to_numpy(), nan=0.0)
        poa_diffuse = np.nan_to_num(poa["poa_diffuse"].to_numpy(), nan=0.0)
        poa_global = poa_direct + poa_diffuse
        effective = poa_direct * np.nan_to_num(iam_physical(aoi.to_numpy()), nan=0.0) + poa_diffuse
        effective = np.clip(effective, 0.0, None)

        params = temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][TEMPERATURE_MODEL]
        t_cell = temperature.sapm_cell(
            poa_global,
            w["temp_air"].to_numpy(dtype=float),
            w["wind_speed"].to_numpy(dtype=float),
            **params,
        )

        p_module = np.zeros(HOURS_PER_TYPICAL_YEAR)
        v_module = np.zeros(HOURS_PER_TYPICAL_YEAR)
        lit = effective > 0.0  # the single-diode solver warns (0/0) on zero irradiance
        m = self.module
        il, io, rs, rsh, nnsvth = pvsystem.calcparams_cec(
            effective[lit],
            np.asarray(t_cell)[lit],
            m["alpha_sc"],
            m["a_ref"],
            m["I_L_ref"],
            m["I_o_ref"],
            m["R_sh_ref"],
            m["R_s"],
            m["Adjust"],
        )
        iv = pvsystem.singlediode(il, io, rs, rsh, nnsvth)
        p_module[lit] = np.clip(np.asarray(iv["p_mp"], dtype=float), 0.0, None)
        v_module[lit] = np.clip(np.asarray(iv["v_mp"], dtype=float), 0.0, None)

        derate = 1.0 - self.dc_loss_pct / 100.0
        v_dc = v_module * self.modules_per_string
        p_dc = p_module * self.modules_per_string * self.strings_per_inverter * derate
        # Sandia model: clips at Paco, returns -Pnt (night tare) when idle -> no delivery.
        p_ac = np.asarray(inverter.sandia(v_dc, p_dc, self.inverter), dtype=float)
        p_ac = np.clip(np.nan_to_num(p_ac, nan=0.0), 0.0, None)
        # Mean AC power over the hour in W equals the hour's energy in Wh.
        return p_ac * self.n_blocks
