// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Lifecycle of a project; the indexer stores the integer values.
enum Phase {
    Funding, //   0: raise open until the deadline or the cap
    Failed, //    1: goal missed; every investor reclaims exactly what they paid
    Building, //  2: raise succeeded; escrow released tranche by tranche
    Operating, // 3: every milestone approved; revenue flows to holders
    WoundDown //  4: stopped; holders reclaim the unreleased escrow pro rata
}

/// @notice What a project builds. 0: Solar, 1: Wind, 2: Storage, 3: Efficiency, 4: Hydro, 5: Road, 6: Bridge
enum ProjectKind {
    Solar,
    Wind,
    Storage,
    Efficiency,
    Hydro,
    Road,
    Bridge
}

/// @notice 0: Pending, 1: Submitted (evidence in), 2: Approved (tranche paid), 3: Rejected (may resubmit)
enum MilestoneStatus {
    Pending,
    Submitted,
    Approved,
    Rejected
}

/// @dev Goals are a bit set: 1 renewable energy, 2 jobs, 4 less pollution, 8 infrastructure.
uint8 constant GOAL_RENEWABLE_ENERGY = 1;
uint8 constant GOAL_JOBS = 2;
uint8 constant GOAL_POLLUTION = 4;
uint8 constant GOAL_INFRASTRUCTURE = 8;
uint8 constant ALL_GOALS = 15;

/// @notice Public description of a project, fixed at creation.
struct ProjectInfo {
    string name;
    string symbol; // symbol of the share token
    ProjectKind kind;
    uint8 goals; // bit set of GOAL_* flags, at least one
    string location;
    string metadataURI; // full spec document
    bytes32 metadataHash; // keccak256 of the document at metadataURI
    uint32 capacityKw; // nameplate capacity; bounds the energy a period can plausibly report
    uint16 metricsMask; // bit i set: the project reports metric id i (see Metric)
}

/// @notice Who acts for a project. The sponsor is the factory caller.
struct Roles {
    address sponsor;
    address implementor; // builds; receives tranches
    address operator; // runs the asset; deposits revenue
    address verifier; // independent engineer; approves milestones
}

/// @notice Terms of the raise. Shares have 0 decimals: one unit is one share.
struct RaiseTerms {
    address fundingAsset; // ERC-20 paid in and paid out
    uint256 price; // funding-asset units per share
    uint256 goal; // funding-asset units; a multiple of price; below it the raise fails
    uint256 cap; // funding-asset units; a multiple of price; reaching it closes the raise
    uint64 deadline; // unix time; investment is accepted strictly before it
}

/// @notice A milestone as the sponsor specifies it.
struct MilestoneSpec {
    string name;
    uint16 trancheBps; // share of the raise released on approval; all milestones sum to 10000
    uint64 dueDate; // after dueDate + grace anyone may wind the project down
}

/// @notice A milestone as the project keeps it.
struct Milestone {
    string name;
    uint16 trancheBps;
    uint64 dueDate;
    MilestoneStatus status;
    string evidenceURI;
    bytes32 evidenceHash;
}
