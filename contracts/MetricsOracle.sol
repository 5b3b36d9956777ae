// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMetricsOracle} from "./interfaces/IMetricsOracle.sol";
import {IProjectFactory} from "./interfaces/IProjectFactory.sol";
import {IProject} from "./interfaces/IProject.sol";
import {MetricSchema} from "./libraries/MetricSchema.sol";
import {Metric, MetricKind, Reading, LatestReading} from "./types/MetricTypes.sol";

/// @title MetricsOracle: operating readings of projects, checked against physics
contract MetricsOracle is IMetricsOracle {
    /// @notice How far a period end may lie ahead of the block time (clock skew of reporters).
    uint256 public constant MAX_CLOCK_SKEW = 5 minutes;

    IProjectFactory public immutable factory;
    uint32 private immutable _periodSeconds;

    mapping(address project => mapping(address reporter => bool)) private _reporters;
    mapping(address project => mapping(uint8 metric => LatestReading)) private _latest;

    constructor(IProjectFactory factory_, uint32 periodSeconds_) {
        if (periodSeconds_ == 0) revert ZeroPeriod();
        factory = factory_;
        _periodSeconds = periodSeconds_;
    }

    /// @inheritdoc IMetricsOracle
    function setReporter(address project, address reporter, bool allowed) external {
        if (!factory.isProject(project)) revert UnknownProject(project);
        if (msg.sender != factory.admin() && msg.sender != IProject(project).roles().sponsor) {
            revert NotProjectManager(msg.sender, project);
        }
        _reporters[project][reporter] = allowed;
        emit ReporterSet(project, reporter, allowed);
    }

    /// @inheritdoc IMetricsOracle
    function postReadings(Reading[] calldata readings) external {
        if (readings.length == 0) revert EmptyBatch();
        for (uint256 i; i < readings.length; ++i) {
            _post(readings[i]);
        }
    }

    /// @inheritdoc IMetricsOracle
    function latestReading(address project, uint8 metric) external view returns (LatestReading memory) {
        return _latest[project][metric];
    }

    /// @inheritdoc IMetricsOracle
    function isReporter(address project, address reporter) external view returns (bool) {
        return _reporters[project][reporter];
    }

    /// @inheritdoc IMetricsOracle
    function periodSeconds() external view returns (uint32) {
        return _periodSeconds;
    }

    function _post(Reading calldata r) private {
        if (!_reporters[r.project][msg.sender]) revert NotReporter(msg.sender, r.project);
        if (r.metric >= MetricSchema.COUNT) revert UnknownMetric(r.metric);
        if ((IProject(r.project).metricsMask() >> r.metric) & 1 == 0) revert MetricNotDeclared(r.project, r.metric);
        if (r.period % _periodSeconds != 0) revert PeriodNotAligned(r.period, _periodSeconds);
        uint256 endsAt = uint256(r.period) + _periodSeconds;
        if (endsAt > block.timestamp + MAX_CLOCK_SKEW) revert PeriodNotEnded(r.period, endsAt);

        LatestReading storage last = _latest[r.project][r.metric];
        bool first = last.postedAt == 0;
        if (!first && r.period <= last.period) {
            revert PeriodAlreadyReported(r.project, r.metric, r.period, last.period);
        }
        _checkPlausible(r, last, first);

        last.value = r.value;
        last.period = r.period;
        last.postedAt = uint64(block.timestamp);
        emit ReadingPosted(r.project, r.metric, r.period, r.value, msg.sender);
    }

    function _checkPlausible(Reading calldata r, LatestReading storage last, bool first) private view {
        MetricKind kind = MetricSchema.kind(r.metric);
        if (kind == MetricKind.Counter) {
            // A counter starts at zero with the first period reported, so the first reading is
            // that period's amount and is held to the same limit as every later one.
            uint128 previous = first ? 0 : last.value;
            if (r.value < previous) revert CounterDecreased(r.metric, r.value, previous);
            if (MetricSchema.isEnergy(r.metric)) {
                // Energy since the last reading (or in the first period) can not exceed
                // capacity x elapsed time (values in Wh: kW x 1000 x seconds / 3600).
                uint256 elapsed = first ? _periodSeconds : uint256(r.period) - last.period;
                uint256 limit = uint256(IProject(r.project).capacityKw()) * 1000 * elapsed / 3600;
                uint256 delta = r.value - previous;
                if (delta > limit) revert ValueImplausible(r.metric, delta, limit);
            } else if (r.metric == uint8(Metric.CO2_AVOIDED_KG)) {
                // Emissions avoided follow from energy: at most MAX_CO2_G_PER_KWH for each kWh
                // delivered or saved so far (post a period's energy before its CO2).
                uint256 energyWh = uint256(_latest[r.project][uint8(Metric.ENERGY_KWH)].value)
                    + _latest[r.project][uint8(Metric.ENERGY_SAVED_KWH)].value;
                uint256 limit = energyWh * MetricSchema.MAX_CO2_G_PER_KWH / 1000;
                if (r.value > limit) revert ValueImplausible(r.metric, r.value, limit);
            }
        } else if (r.metric == uint8(Metric.UPTIME_BPS) && r.value > MetricSchema.MAX_UPTIME_BPS) {
            revert ValueImplausible(r.metric, r.value, MetricSchema.MAX_UPTIME_BPS);
        }
    }
}
