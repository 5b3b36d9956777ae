// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Reading, LatestReading} from "../types/MetricTypes.sol";

/// @title Metrics oracle
/// @notice Authorised reporters post readings of the standard metrics per project and period.
/// Periods of a project's metric only move forward, so a retried batch is refused with a named
/// error instead of counting twice; readings are checked against physical limits.
interface IMetricsOracle {
    /// @notice The address is not a project of the factory.
    error UnknownProject(address project);
    /// @notice Only the exchange admin or the project's sponsor manage its reporters.
    error NotProjectManager(address caller, address project);
    /// @notice The caller is not an authorised reporter of the project.
    error NotReporter(address caller, address project);
    /// @notice The metric id is not one of the standard metrics.
    error UnknownMetric(uint8 metric);
    /// @notice The project does not declare that it reports this metric.
    error MetricNotDeclared(address project, uint8 metric);
    /// @notice A period starts at a multiple of the period length.
    error PeriodNotAligned(uint64 period, uint32 periodSeconds);
    /// @notice The period has not ended yet (beyond the allowed clock skew).
    error PeriodNotEnded(uint64 period, uint256 endsAt);
    /// @notice The period is not newer than the latest one posted: a duplicate or a late reading.
    error PeriodAlreadyReported(address project, uint8 metric, uint64 period, uint64 latestPeriod);
    /// @notice A cumulative counter went down.
    error CounterDecreased(uint8 metric, uint128 value, uint128 previous);
    /// @notice The value is beyond what the project can physically produce.
    error ValueImplausible(uint8 metric, uint256 value, uint256 limit);
    /// @notice An empty batch.
    error EmptyBatch();
    /// @notice The period length must be positive.
    error ZeroPeriod();

    /// @notice A reporter was authorised or de-authorised for a project.
    event ReporterSet(address indexed project, address indexed reporter, bool allowed);
    /// @notice A reading was accepted and is now the latest of its project and metric.
    event ReadingPosted(
        address indexed project, uint8 indexed metric, uint64 indexed period, uint128 value, address reporter
    );

    /// @notice Authorises or de-authorises `reporter` for `project`. Exchange admin or sponsor.
    function setReporter(address project, address reporter, bool allowed) external;

    /// @notice Posts a batch of readings; all or nothing. A cumulative counter starts at zero
    /// with the first period reported: energy in any period, the first included, is at most the
    /// project's capacity times the time since the previous reading (one period for the first);
    /// CO2 avoided is at most 2 kg per kWh delivered or saved so far, so post energy first.
    function postReadings(Reading[] calldata readings) external;

    /// @notice The newest reading of `project`'s `metric` (zeroes before the first).
    function latestReading(address project, uint8 metric) external view returns (LatestReading memory);

    /// @notice Whether `reporter` may post for `project`.
    function isReporter(address project, address reporter) external view returns (bool);

    /// @notice Length of a period in seconds.
    function periodSeconds() external view returns (uint32);
}
