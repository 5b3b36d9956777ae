"""Wind farm model: windpowerlib power curve driven by TMY3 wind speeds."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt
from windpowerlib import WindTurbine, power_output, wind_speed

from backend.oracle.sources.base import Outage, TypicalYearSource, pvlib_data_file, read_tmy3_year

logger = logging.getLogger(__name__)

DEFAULT_WEATHER_FILE = pvlib_data_file("703165TY.csv")  # Sand Point AK, NREL TMY3
DEFAULT_TURBINE = "E-82/2350"  # Enercon E-82 E2, 2.35 MW, 82 m rotor
DEFAULT_HUB_HEIGHT_M = 78.0  # one of the E-82 E2 tower options in the oedb turbine data
DEFAULT_N_TURBINES = 4
MEASUREMENT_HEIGHT_M = 10.0  # TMY3 wind speed is the standard 10 m anemometer reading
# 1/7 power law: the textbook neutral-stability onshore profile.
DEFAULT_HELLMAN_EXPONENT = 1.0 / 7.0


def load_turbine(turbine_type: str, hub_height: float) -> WindTurbine:
    """Load a turbine from windpowerlib's bundled oedb CSV files (no network access).

    windpowerlib 0.2.2 calls DataFrame.dropna(inplace=True), which pandas 3 flags as deprecated;
    the warning is silenced here because it is windpowerlib's, not ours.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The inplace keyword")
        turbine = WindTurbine(turbine_type=turbine_type, hub_height=hub_height, path="oedb")
    if turbine.power_curve is None or turbine.nominal_power is None:
        raise ValueError(
            f"turbine type {turbine_type!r} has no power curve or nominal power in windpowerlib's "
            "oedb data (see windpowerlib.get_turbine_types())"
        )
    return turbine


class WindFarm(TypicalYearSource):
    """A farm of identical turbines replaying the TMY3 wind of a site.

    Per hour: the 10 m TMY wind speed is lifted to hub height with the power law
    v_hub = v_10 * (hub_height / 10) ** alpha (alpha = 1/7 by default), then converted with the
    manufacturer power curve (linear interpolation; zero below the first and above the last
    curve point, i.e. below cut-in and above cut-out) and multiplied by the number of turbines.
    Not modelled: air-density correction, wake losses, electrical losses.

    capacity_kw = n_turbines * rated power of the turbine type.
    """

    def __init__(
        self,
        n_turbines: int = DEFAULT_N_TURBINES,
        turbine_type: str = DEFAULT_TURBINE,
        hub_height: float = DEFAULT_HUB_HEIGHT_M,
        weather_file: str | Path = DEFAULT_WEATHER_FILE,
        hellman_exponent: float = DEFAULT_HELLMAN_EXPONENT,
        outages: Iterable[Outage] | None = None,
    ) -> None:
        super().__init__(outages)
        if isinstance(n_turbines, bool) or not isinstance(n_turbines, int) or n_turbines <= 0:
            raise ValueError(f"n_turbines must be a positive int, got {n_turbines!r}")
        if hub_height <= MEASUREMENT_HEIGHT_M:
            raise ValueError(f"hub_height must be above {MEASUREMENT_HEIGHT_M} m, got {hub_height}")
        self.n_turbines = n_turbines
        self.turbine_type = turbine_type
        self.hub_height = float(hub_height)
        self.hellman_exponent = float(hellman_exponent)
        self.turbine = load_turbine(turbine_type, self.hub_height)
        # windpowerlib's own sort_values() call discards its result: sort for np.interp here.
        curve = self.turbine.power_curve.sort_values("wind_speed")
        self.curve_wind_speeds = curve["wind_speed"].to_numpy(dtype=float)
        self.curve_power_w = curve["value"].to_numpy(dtype=float)
        self.rated_power_w = int(self.turbine.nominal_power)
        self.capacity_kw = n_turbines * self.rated_power_w // 1000

        self._weather, meta = read_tmy3_year(weather_file)
        self.utc_offset_hours = float(meta["TZ"])
        logger.info(
            "WindFarm %d kW: %d x %s at %.0f m hub height",
            self.capacity_kw,
            n_turbines,
            turbine_type,
            self.hub_height,
        )

    def hub_wind_speed(self) -> npt.NDArray[np.float64]:
        """Hub-height wind speed (m/s) for each TMY row."""
        v10 = self._weather["wind_speed"].to_numpy(dtype=float)
        return np.asarray(
            wind_speed.hellman(
                v10,
                wind_speed_height=MEASUREMENT_HEIGHT_M,
                hub_height=self.hub_height,
                hellman_exponent=self.hellman_exponent,
            ),
            dtype=float,
        )

    def _simulate_year(self) -> npt.NDArray[np.float64]:
        per_turbine_w = power_output.power_curve(
            self.hub_wind_speed(), self.curve_wind_speeds, self.curve_power_w
        )
        # Mean power over the hour in W equals the hour's energy in Wh.
        return np.asarray(per_turbine_w, dtype=float) * self.n_turbines
