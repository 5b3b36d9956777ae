// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Metric, MetricKind} from "../types/MetricTypes.sol";

/// @title The standard metric schema (brief.md): kind and decimals per metric id
library MetricSchema {
    /// @notice Number of standard metrics; ids are 0 .. COUNT - 1.
    uint8 internal constant COUNT = 7;
    /// @notice Uptime is a share of the period in basis points.
    uint256 internal constant MAX_UPTIME_BPS = 10_000;
    /// @notice Emissions avoided per kWh at most (g): twice a coal plant's, so any real grid fits.
    uint256 internal constant MAX_CO2_G_PER_KWH = 2_000;

    /// @notice How a metric's values behave over time.
    function kind(uint8 metric) internal pure returns (MetricKind) {
        if (metric == uint8(Metric.UPTIME_BPS) || metric == uint8(Metric.JOBS_FTE)) return MetricKind.Gauge;
        if (metric == uint8(Metric.REVENUE)) return MetricKind.PerPeriod;
        return MetricKind.Counter;
    }

    /// @notice Decimals of a metric's value: energy and CO2 in thousandths (Wh, g).
    function decimals(uint8 metric) internal pure returns (uint8) {
        if (
            metric == uint8(Metric.ENERGY_KWH) || metric == uint8(Metric.ENERGY_SAVED_KWH)
                || metric == uint8(Metric.STORAGE_THROUGHPUT_KWH) || metric == uint8(Metric.CO2_AVOIDED_KG)
        ) return 3;
        if (metric == uint8(Metric.JOBS_FTE)) return 2;
        return 0;
    }

    /// @notice Whether the metric counts energy delivered, so nameplate capacity bounds it.
    function isEnergy(uint8 metric) internal pure returns (bool) {
        return metric == uint8(Metric.ENERGY_KWH) || metric == uint8(Metric.STORAGE_THROUGHPUT_KWH);
    }
}
