// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The standard metrics (brief.md). Ids are stable: the indexer stores them.
/// 0: ENERGY_KWH (counter, 3 decimals), 1: ENERGY_SAVED_KWH (counter, 3 decimals),
/// 2: STORAGE_THROUGHPUT_KWH (counter, 3 decimals), 3: UPTIME_BPS (gauge 0..10000),
/// 4: REVENUE (per period, funding-asset units), 5: CO2_AVOIDED_KG (counter, 3 decimals),
/// 6: JOBS_FTE (gauge, FTE x 100)
enum Metric {
    ENERGY_KWH,
    ENERGY_SAVED_KWH,
    STORAGE_THROUGHPUT_KWH,
    UPTIME_BPS,
    REVENUE,
    CO2_AVOIDED_KG,
    JOBS_FTE
}

/// @notice 0: Counter (cumulative, never decreases), 1: PerPeriod, 2: Gauge
enum MetricKind {
    Counter,
    PerPeriod,
    Gauge
}

/// @notice One reading as a reporter posts it.
struct Reading {
    address project;
    uint8 metric;
    uint64 period; // start of the period, unix time, a multiple of the period length
    uint128 value; // in the metric's unit and decimals
}

/// @notice The newest reading of a project's metric; one storage slot.
struct LatestReading {
    uint128 value;
    uint64 period;
    uint64 postedAt;
}
