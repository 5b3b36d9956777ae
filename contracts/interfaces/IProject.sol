// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Phase, ProjectInfo, Roles, RaiseTerms, Milestone} from "../types/ProjectTypes.sol";

/// @title A project: its ERC-20 share token and the escrow behind it
/// @notice Investors buy shares at a fixed price until the cap, before the deadline. A missed
/// goal refunds every investor exactly; a met goal releases the escrow to the implementor one
/// tranche per approved milestone. Once operating, revenue deposited by the operator is claimed by
/// holders pro rata (correct across transfers). A wound-down project pays the unreleased escrow
/// back pro rata. Shares have 0 decimals and move only once the raise has succeeded.
interface IProject {
    // ---- errors: terms checked at creation ----
    /// @notice A text field that must be set was empty; `what` names it.
    error EmptyField(string what);
    /// @notice A role address was zero; `what` names it.
    error ZeroAddress(string what);
    /// @notice The verifier was also the implementor or the sponsor; it must be independent.
    error VerifierNotIndependent(address verifier);
    /// @notice The funding asset has no code.
    error FundingAssetNotContract(address asset);
    /// @notice The price per share must be positive.
    error ZeroPrice();
    /// @notice goal and cap must be positive with goal <= cap.
    error InvalidGoalOrCap(uint256 goal, uint256 cap);
    /// @notice goal and cap must be whole numbers of shares.
    error NotMultipleOfPrice(uint256 amount, uint256 price);
    /// @notice The deadline must lie in the future.
    error DeadlineNotInFuture(uint64 deadline, uint256 nowTime);
    /// @notice A project declares at least one goal, and only known ones.
    error InvalidGoals(uint8 goals);
    /// @notice A project has between 1 and MAX_MILESTONES milestones.
    error InvalidMilestoneCount(uint256 count, uint256 max);
    /// @notice Milestone tranches must sum to exactly 10000 basis points.
    error TranchesDoNotSumToWhole(uint256 sumBps);
    /// @notice Each milestone is due after the deadline and after the one before it.
    error MilestoneDueDateOutOfOrder(uint256 index, uint64 dueDate);

    // ---- errors: actions ----
    /// @notice The action needs another phase.
    error WrongPhase(Phase current);
    /// @notice The caller lacks the role the action needs; `role` names it.
    error Unauthorized(address caller, string role);
    /// @notice Investment is accepted only strictly before the deadline.
    error RaiseClosed(uint64 deadline);
    /// @notice The raise can be finalised only at or after the deadline.
    error RaiseStillOpen(uint64 deadline);
    /// @notice An amount of zero shares or funds.
    error ZeroAmount();
    /// @notice The investment would exceed the cap; `sharesLeft` can still be bought.
    error CapExceeded(uint256 sharesLeft);
    /// @notice The funding asset delivered a different amount than sent (fee-on-transfer tokens
    /// are refused).
    error UnexpectedAmountReceived(uint256 expected, uint256 received);
    /// @notice The caller has nothing to refund.
    error NothingToRefund(address investor);
    /// @notice Milestones are handled strictly in order.
    error MilestoneOutOfOrder(uint256 expected, uint256 given);
    /// @notice The milestone is not in a state that allows the action.
    error MilestoneNotSubmittable(uint256 index);
    /// @notice The verifier can only approve or reject a submitted milestone.
    error MilestoneNotSubmitted(uint256 index);
    /// @notice Revenue needs shares to be distributed over.
    error NoShares();
    /// @notice Nothing to claim.
    error NothingToClaim(address holder);
    /// @notice `holder` has `balance` shares of which `locked` rest in open sell orders, so fewer
    /// than the `needed` shares are free to move or to lock; cancel orders first.
    error InsufficientUnlockedShares(address holder, uint256 balance, uint256 locked, uint256 needed);
    /// @notice Wind-down claims burn all of a holder's shares: cancel the open sell orders that
    /// lock `locked` of them first (cancelling is always allowed).
    error SharesLocked(address holder, uint256 locked);
    /// @notice Shares move only while the raise has succeeded and the project is not wound down.
    error SharesNotTransferable(Phase current);
    /// @notice Only the factory's share exchange may lock and move locked shares.
    error NotExchange(address caller);

    // ---- events ----
    /// @notice The project moved from one phase to another.
    event PhaseChanged(Phase from, Phase to);
    /// @notice `investor` bought `shares` for `amount` of the funding asset.
    event Invested(address indexed investor, uint256 shares, uint256 amount);
    /// @notice A failed raise paid `investor` back `amount` and burned their `shares`.
    event Refunded(address indexed investor, uint256 shares, uint256 amount);
    /// @notice The implementor submitted evidence for milestone `index`.
    event MilestoneSubmitted(uint256 indexed index, string evidenceURI, bytes32 evidenceHash);
    /// @notice The verifier approved milestone `index`; `tranche` went to the implementor.
    event MilestoneApproved(uint256 indexed index, uint256 tranche);
    /// @notice The verifier rejected milestone `index`; it may be resubmitted.
    event MilestoneRejected(uint256 indexed index, string reason);
    /// @notice `from` deposited `amount` of revenue for holders.
    event RevenueDeposited(address indexed from, uint256 amount);
    /// @notice `holder` claimed `amount` of revenue.
    event RevenueClaimed(address indexed holder, uint256 amount);
    /// @notice The project was wound down by `by`; `pool` is paid back pro rata.
    event WoundDown(address indexed by, uint256 pool);
    /// @notice `holder` burned `shares` for `amount` of the wind-down pool.
    event WindDownClaimed(address indexed holder, uint256 shares, uint256 amount);

    // ---- raise ----
    /// @notice Buys `shares` at the fixed price; the caller must have approved price x shares.
    /// Reaching the cap moves the project to Building at once.
    function invest(uint256 shares) external;

    /// @notice After the deadline, moves the project to Building (goal met) or Failed. Anyone.
    function finalizeRaise() external;

    /// @notice In a failed raise, pays the caller back exactly what they paid and burns their
    /// shares. Finalises the raise first when the deadline has passed. Never blocked.
    function refund() external;

    // ---- milestones ----
    /// @notice The implementor submits evidence for the next milestone (or resubmits a rejected one).
    function submitMilestone(uint256 index, string calldata evidenceURI, bytes32 evidenceHash) external;

    /// @notice The verifier approves the submitted next milestone; its tranche (rounded down; the
    /// last one takes what is left) goes to the implementor. The last one starts operation.
    function approveMilestone(uint256 index) external;

    /// @notice The verifier rejects the submitted milestone with a reason; nothing is paid.
    function rejectMilestone(uint256 index, string calldata reason) external;

    // ---- revenue ----
    /// @notice Deposits `amount` of revenue for the holders at this moment, pro rata. Operating only.
    function depositRevenue(uint256 amount) external;

    /// @notice Pays the caller all revenue credited to their shares and not yet claimed.
    function claimRevenue() external;

    // ---- wind-down ----
    /// @notice Stops the project: by the exchange admin or the sponsor at any time while building
    /// or operating, or by anyone once the next milestone is overdue by more than the grace period.
    function windDown() external;

    /// @notice Burns the caller's shares for their pro-rata part of the wind-down pool (rounded
    /// down; the last claimant receives what is left).
    function claimWindDown() external;

    // ---- exchange hooks ----
    /// @notice Locks `amount` of `owner`'s shares for a sell order; they stay in the owner's
    /// balance and keep earning revenue. Only the exchange.
    function lockShares(address owner, uint256 amount) external;

    /// @notice Unlocks `amount` of `owner`'s shares. Only the exchange.
    function unlockShares(address owner, uint256 amount) external;

    /// @notice Moves `amount` of `from`'s locked shares to `to` (a fill). Only the exchange.
    function transferLockedShares(address from, address to, uint256 amount) external;

    // ---- views ----
    /// @notice The current phase.
    function phase() external view returns (Phase);
    /// @notice The project's public description (not `info`: brownie reserves that name).
    function projectInfo() external view returns (ProjectInfo memory);
    /// @notice Sponsor, implementor, operator, verifier.
    function roles() external view returns (Roles memory);
    /// @notice The raise terms.
    function terms() external view returns (RaiseTerms memory);
    /// @notice Funding-asset units paid in by investors (a failed raise keeps its total; refunds
    /// show in contributionOf).
    function raised() external view returns (uint256);
    /// @notice Funding-asset units released to the implementor.
    function released() external view returns (uint256);
    /// @notice What `investor` paid in and would get back if the raise fails.
    function contributionOf(address investor) external view returns (uint256);
    /// @notice Number of milestones.
    function milestoneCount() external view returns (uint256);
    /// @notice Milestone `index`.
    function milestone(uint256 index) external view returns (Milestone memory);
    /// @notice Index of the next milestone to be approved (== milestoneCount when all are).
    function nextMilestone() external view returns (uint256);
    /// @notice Revenue `holder` can claim now.
    function claimableRevenue(address holder) external view returns (uint256);
    /// @notice Total revenue deposited.
    function totalRevenue() external view returns (uint256);
    /// @notice Shares of `owner` locked in open sell orders.
    function lockedShares(address owner) external view returns (uint256);
    /// @notice Funds left for wind-down claimants.
    function windDownPool() external view returns (uint256);
    /// @notice Whether shares can trade now (Building or Operating).
    function tradingOpen() external view returns (bool);
    /// @notice Nameplate capacity in kW.
    function capacityKw() external view returns (uint32);
    /// @notice Bit set of the metric ids the project reports.
    function metricsMask() external view returns (uint16);
    /// @notice The funding asset.
    function fundingAsset() external view returns (address);
    /// @notice Price per share in funding-asset units.
    function price() external view returns (uint256);
}
