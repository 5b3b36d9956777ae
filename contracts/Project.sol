// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IProject} from "./interfaces/IProject.sol";
import {IProjectFactory} from "./interfaces/IProjectFactory.sol";
import {
    Phase, ProjectInfo, Roles, RaiseTerms, MilestoneSpec, Milestone, MilestoneStatus, ALL_GOALS
} from "./types/ProjectTypes.sol";

/// @title Project: share token, escrow, milestone release, revenue and wind-down
/// @notice Deployed once as an implementation; every project is an EIP-1167 clone of it.
contract Project is IProject, ERC20Upgradeable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @dev Revenue per share is kept multiplied by this to keep rounding dust below one unit.
    uint256 private constant MAGNITUDE = 2 ** 128;
    uint256 private constant BPS = 10_000;
    uint256 public constant MAX_MILESTONES = 16;
    /// @notice How long a milestone may be overdue before anyone may wind the project down.
    uint64 public constant MILESTONE_GRACE = 30 days;

    IProjectFactory private _factory;
    ProjectInfo private _info;
    Roles private _roles;
    RaiseTerms private _terms;
    Phase private _phase;

    uint256 private _raised;
    uint256 private _released;
    mapping(address investor => uint256) private _contributions;

    Milestone[] private _milestones;
    uint256 private _nextMilestone;

    // Revenue in the style of ERC-2222: a running magnified revenue per share, and a correction per
    // holder that every mint, burn and transfer adjusts, so claims stay O(1) and exact.
    uint256 private _magnifiedRevenuePerShare;
    mapping(address holder => int256) private _magnifiedCorrections;
    mapping(address holder => uint256) private _revenueWithdrawn;
    uint256 private _totalRevenue;

    uint256 private _windDownPool;
    uint256 private _windDownSharesLeft;

    mapping(address owner => uint256) private _locked;

    modifier onlyRole(address account, string memory role) {
        if (msg.sender != account) revert Unauthorized(msg.sender, role);
        _;
    }

    modifier inPhase(Phase expected) {
        if (_phase != expected) revert WrongPhase(_phase);
        _;
    }

    constructor() {
        _disableInitializers();
    }

    /// @notice Sets the project up once; called by the factory right after cloning.
    /// @dev Validates every term and reverts with a named error.
    function initialize(
        ProjectInfo calldata info_,
        Roles calldata roles_,
        RaiseTerms calldata terms_,
        MilestoneSpec[] calldata milestones_
    ) external initializer {
        _validate(info_, roles_, terms_, milestones_);
        __ERC20_init(info_.name, info_.symbol);
        _factory = IProjectFactory(msg.sender);
        _info = info_;
        _roles = roles_;
        _terms = terms_;
        for (uint256 i; i < milestones_.length; ++i) {
            _milestones.push(
                Milestone({
                    name: milestones_[i].name,
                    trancheBps: milestones_[i].trancheBps,
                    dueDate: milestones_[i].dueDate,
                    status: MilestoneStatus.Pending,
                    evidenceURI: "",
                    evidenceHash: bytes32(0)
                })
            );
        }
    }

    // ---------------------------------------------------------------- raise

    /// @inheritdoc IProject
    function invest(uint256 shares) external nonReentrant inPhase(Phase.Funding) {
        RaiseTerms storage t = _terms;
        if (block.timestamp >= t.deadline) revert RaiseClosed(t.deadline);
        if (shares == 0) revert ZeroAmount();
        // Compared in shares first, so an absurd amount is refused by name, not by overflow.
        uint256 sharesLeft = (t.cap - _raised) / t.price;
        if (shares > sharesLeft) revert CapExceeded(sharesLeft);
        uint256 cost = shares * t.price;

        // Measure what arrives: a token that takes a fee on transfer is refused.
        IERC20 asset = IERC20(t.fundingAsset);
        uint256 before = asset.balanceOf(address(this));
        asset.safeTransferFrom(msg.sender, address(this), cost);
        uint256 received = asset.balanceOf(address(this)) - before;
        if (received != cost) revert UnexpectedAmountReceived(cost, received);

        _raised += cost;
        _contributions[msg.sender] += cost;
        _mint(msg.sender, shares);
        emit Invested(msg.sender, shares, cost);
        if (_raised == t.cap) _setPhase(Phase.Building);
    }

    /// @inheritdoc IProject
    function finalizeRaise() external inPhase(Phase.Funding) {
        if (block.timestamp < _terms.deadline) revert RaiseStillOpen(_terms.deadline);
        _finalizeRaise();
    }

    /// @inheritdoc IProject
    function refund() external nonReentrant {
        if (_phase == Phase.Funding && block.timestamp >= _terms.deadline) _finalizeRaise();
        if (_phase != Phase.Failed) revert WrongPhase(_phase);
        uint256 amount = _contributions[msg.sender];
        if (amount == 0) revert NothingToRefund(msg.sender);
        uint256 shares = balanceOf(msg.sender);

        _contributions[msg.sender] = 0;
        _burn(msg.sender, shares);
        emit Refunded(msg.sender, shares, amount);
        IERC20(_terms.fundingAsset).safeTransfer(msg.sender, amount);
    }

    // ----------------------------------------------------------- milestones

    /// @inheritdoc IProject
    function submitMilestone(uint256 index, string calldata evidenceURI, bytes32 evidenceHash)
        external
        onlyRole(_roles.implementor, "implementor")
        inPhase(Phase.Building)
    {
        if (index != _nextMilestone) revert MilestoneOutOfOrder(_nextMilestone, index);
        if (bytes(evidenceURI).length == 0) revert EmptyField("evidenceURI");
        Milestone storage m = _milestones[index];
        if (m.status != MilestoneStatus.Pending && m.status != MilestoneStatus.Rejected) {
            revert MilestoneNotSubmittable(index);
        }
        m.status = MilestoneStatus.Submitted;
        m.evidenceURI = evidenceURI;
        m.evidenceHash = evidenceHash;
        emit MilestoneSubmitted(index, evidenceURI, evidenceHash);
    }

    /// @inheritdoc IProject
    function approveMilestone(uint256 index)
        external
        nonReentrant
        onlyRole(_roles.verifier, "verifier")
        inPhase(Phase.Building)
    {
        if (index != _nextMilestone) revert MilestoneOutOfOrder(_nextMilestone, index);
        Milestone storage m = _milestones[index];
        if (m.status != MilestoneStatus.Submitted) revert MilestoneNotSubmitted(index);

        bool last = index + 1 == _milestones.length;
        // Rounded down; the last tranche takes the rest so the escrow ends at exactly zero.
        uint256 tranche = last ? _raised - _released : Math.mulDiv(_raised, m.trancheBps, BPS);
        m.status = MilestoneStatus.Approved;
        _released += tranche;
        _nextMilestone = index + 1;
        emit MilestoneApproved(index, tranche);
        if (last) _setPhase(Phase.Operating);
        IERC20(_terms.fundingAsset).safeTransfer(_roles.implementor, tranche);
    }

    /// @inheritdoc IProject
    function rejectMilestone(uint256 index, string calldata reason)
        external
        onlyRole(_roles.verifier, "verifier")
        inPhase(Phase.Building)
    {
        if (index != _nextMilestone) revert MilestoneOutOfOrder(_nextMilestone, index);
        Milestone storage m = _milestones[index];
        if (m.status != MilestoneStatus.Submitted) revert MilestoneNotSubmitted(index);
        m.status = MilestoneStatus.Rejected;
        emit MilestoneRejected(index, reason);
    }

    // -------------------------------------------------------------- revenue

    /// @inheritdoc IProject
    function depositRevenue(uint256 amount) external nonReentrant inPhase(Phase.Operating) {
        if (amount == 0) revert ZeroAmount();
        uint256 supply = totalSupply();
        if (supply == 0) revert NoShares();
        IERC20 asset = IERC20(_terms.fundingAsset);
        uint256 before = asset.balanceOf(address(this));
        asset.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = asset.balanceOf(address(this)) - before;
        if (received != amount) revert UnexpectedAmountReceived(amount, received);

        // Rounded down: at most one unit per deposit stays behind as dust.
        _magnifiedRevenuePerShare += Math.mulDiv(amount, MAGNITUDE, supply);
        _totalRevenue += amount;
        emit RevenueDeposited(msg.sender, amount);
    }

    /// @inheritdoc IProject
    function claimRevenue() external nonReentrant {
        uint256 amount = claimableRevenue(msg.sender);
        if (amount == 0) revert NothingToClaim(msg.sender);
        _revenueWithdrawn[msg.sender] += amount;
        emit RevenueClaimed(msg.sender, amount);
        IERC20(_terms.fundingAsset).safeTransfer(msg.sender, amount);
    }

    // ------------------------------------------------------------ wind-down

    /// @inheritdoc IProject
    function windDown() external {
        if (_phase != Phase.Building && _phase != Phase.Operating) revert WrongPhase(_phase);
        bool privileged = msg.sender == _factory.admin() || msg.sender == _roles.sponsor;
        if (!privileged && !_milestoneOverdue()) {
            revert Unauthorized(msg.sender, "admin, sponsor, or anyone after a missed milestone");
        }
        uint256 pool = _raised - _released;
        _windDownPool = pool;
        _windDownSharesLeft = totalSupply();
        _setPhase(Phase.WoundDown);
        emit WoundDown(msg.sender, pool);
    }

    /// @inheritdoc IProject
    function claimWindDown() external nonReentrant inPhase(Phase.WoundDown) {
        uint256 shares = balanceOf(msg.sender);
        if (shares == 0) revert NothingToClaim(msg.sender);
        uint256 locked = _locked[msg.sender];
        if (locked != 0) revert SharesLocked(msg.sender, locked);
        // Rounded down; when the last shares are claimed, shares == sharesLeft pays the whole rest.
        uint256 amount = Math.mulDiv(_windDownPool, shares, _windDownSharesLeft);
        _windDownPool -= amount;
        _windDownSharesLeft -= shares;
        _burn(msg.sender, shares);
        emit WindDownClaimed(msg.sender, shares, amount);
        if (amount != 0) IERC20(_terms.fundingAsset).safeTransfer(msg.sender, amount);
    }

    // -------------------------------------------------------- exchange hooks

    /// @inheritdoc IProject
    function lockShares(address owner, uint256 amount) external {
        _onlyExchange();
        if (!tradingOpen()) revert SharesNotTransferable(_phase);
        uint256 balance = balanceOf(owner);
        uint256 locked = _locked[owner];
        if (balance - locked < amount) revert InsufficientUnlockedShares(owner, balance, locked, amount);
        _locked[owner] = locked + amount;
    }

    /// @inheritdoc IProject
    function unlockShares(address owner, uint256 amount) external {
        _onlyExchange();
        _locked[owner] -= amount;
    }

    /// @inheritdoc IProject
    function transferLockedShares(address from, address to, uint256 amount) external {
        _onlyExchange();
        _locked[from] -= amount;
        _transfer(from, to, amount);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IProject
    function phase() external view returns (Phase) {
        return _phase;
    }

    /// @inheritdoc IProject
    function projectInfo() external view returns (ProjectInfo memory) {
        return _info;
    }

    /// @inheritdoc IProject
    function roles() external view returns (Roles memory) {
        return _roles;
    }

    /// @inheritdoc IProject
    function terms() external view returns (RaiseTerms memory) {
        return _terms;
    }

    /// @inheritdoc IProject
    function raised() external view returns (uint256) {
        return _raised;
    }

    /// @inheritdoc IProject
    function released() external view returns (uint256) {
        return _released;
    }

    /// @inheritdoc IProject
    function contributionOf(address investor) external view returns (uint256) {
        return _contributions[investor];
    }

    /// @inheritdoc IProject
    function milestoneCount() external view returns (uint256) {
        return _milestones.length;
    }

    /// @inheritdoc IProject
    function milestone(uint256 index) external view returns (Milestone memory) {
        return _milestones[index];
    }

    /// @inheritdoc IProject
    function nextMilestone() external view returns (uint256) {
        return _nextMilestone;
    }

    /// @inheritdoc IProject
    function claimableRevenue(address holder) public view returns (uint256) {
        int256 magnified = (_magnifiedRevenuePerShare * balanceOf(holder)).toInt256()
            + _magnifiedCorrections[holder];
        return uint256(magnified) / MAGNITUDE - _revenueWithdrawn[holder];
    }

    /// @inheritdoc IProject
    function totalRevenue() external view returns (uint256) {
        return _totalRevenue;
    }

    /// @inheritdoc IProject
    function lockedShares(address owner) external view returns (uint256) {
        return _locked[owner];
    }

    /// @inheritdoc IProject
    function windDownPool() external view returns (uint256) {
        return _windDownPool;
    }

    /// @inheritdoc IProject
    function tradingOpen() public view returns (bool) {
        return _phase == Phase.Building || _phase == Phase.Operating;
    }

    /// @inheritdoc IProject
    function capacityKw() external view returns (uint32) {
        return _info.capacityKw;
    }

    /// @inheritdoc IProject
    function metricsMask() external view returns (uint16) {
        return _info.metricsMask;
    }

    /// @inheritdoc IProject
    function fundingAsset() external view returns (address) {
        return _terms.fundingAsset;
    }

    /// @inheritdoc IProject
    function price() external view returns (uint256) {
        return _terms.price;
    }

    /// @notice Shares are whole units: one unit is one share.
    function decimals() public pure override returns (uint8) {
        return 0;
    }

    // ------------------------------------------------------------- internal

    /// @dev Every token movement passes here: transfers need an open market and unlocked shares;
    /// revenue corrections keep what each holder already earned unchanged by the movement.
    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            if (!tradingOpen()) revert SharesNotTransferable(_phase);
            // None of these contracts can give shares back or claim their revenue: sent there, they
            // are lost (and a wind-down's last claimant would never come).
            if (
                to == address(this) || to == address(_factory) || to == _terms.fundingAsset
                    || to == _factory.exchange()
            ) revert ERC20InvalidReceiver(to);
            // With nothing locked, ERC20InsufficientBalance tells an ordinary shortfall.
            uint256 locked = _locked[from];
            if (locked != 0) {
                uint256 balance = balanceOf(from);
                if (balance < locked + value) revert InsufficientUnlockedShares(from, balance, locked, value);
            }
        }
        super._update(from, to, value);
        int256 correction = (_magnifiedRevenuePerShare * value).toInt256();
        if (from != address(0)) _magnifiedCorrections[from] += correction;
        if (to != address(0)) _magnifiedCorrections[to] -= correction;
    }

    function _finalizeRaise() private {
        _setPhase(_raised >= _terms.goal ? Phase.Building : Phase.Failed);
    }

    function _setPhase(Phase next) private {
        emit PhaseChanged(_phase, next);
        _phase = next;
    }

    function _milestoneOverdue() private view returns (bool) {
        if (_phase != Phase.Building) return false;
        return block.timestamp > uint256(_milestones[_nextMilestone].dueDate) + MILESTONE_GRACE;
    }

    function _onlyExchange() private view {
        if (msg.sender != _factory.exchange()) revert NotExchange(msg.sender);
    }

    function _validate(
        ProjectInfo calldata info_,
        Roles calldata roles_,
        RaiseTerms calldata terms_,
        MilestoneSpec[] calldata milestones_
    ) private view {
        if (bytes(info_.name).length == 0) revert EmptyField("name");
        if (bytes(info_.symbol).length == 0) revert EmptyField("symbol");
        if (bytes(info_.location).length == 0) revert EmptyField("location");
        if (bytes(info_.metadataURI).length == 0) revert EmptyField("metadataURI");
        if (info_.goals == 0 || info_.goals & ~ALL_GOALS != 0) revert InvalidGoals(info_.goals);
        if (roles_.sponsor == address(0)) revert ZeroAddress("sponsor");
        if (roles_.implementor == address(0)) revert ZeroAddress("implementor");
        if (roles_.operator == address(0)) revert ZeroAddress("operator");
        if (roles_.verifier == address(0)) revert ZeroAddress("verifier");
        // The verifier releases the escrow to the implementor: it must be neither of the parties.
        if (roles_.verifier == roles_.implementor || roles_.verifier == roles_.sponsor) {
            revert VerifierNotIndependent(roles_.verifier);
        }
        if (terms_.fundingAsset.code.length == 0) revert FundingAssetNotContract(terms_.fundingAsset);
        if (terms_.price == 0) revert ZeroPrice();
        if (terms_.goal == 0 || terms_.goal > terms_.cap) revert InvalidGoalOrCap(terms_.goal, terms_.cap);
        if (terms_.goal % terms_.price != 0) revert NotMultipleOfPrice(terms_.goal, terms_.price);
        if (terms_.cap % terms_.price != 0) revert NotMultipleOfPrice(terms_.cap, terms_.price);
        if (terms_.deadline <= block.timestamp) revert DeadlineNotInFuture(terms_.deadline, block.timestamp);
        uint256 count = milestones_.length;
        if (count == 0 || count > MAX_MILESTONES) revert InvalidMilestoneCount(count, MAX_MILESTONES);
        uint256 sumBps;
        uint64 previousDue = terms_.deadline;
        for (uint256 i; i < count; ++i) {
            if (bytes(milestones_[i].name).length == 0) revert EmptyField("milestone name");
            if (milestones_[i].dueDate <= previousDue) {
                revert MilestoneDueDateOutOfOrder(i, milestones_[i].dueDate);
            }
            previousDue = milestones_[i].dueDate;
            sumBps += milestones_[i].trancheBps;
        }
        if (sumBps != BPS) revert TranchesDoNotSumToWhole(sumBps);
    }
}
