// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {IProjectFactory} from "./interfaces/IProjectFactory.sol";
import {Project} from "./Project.sol";
import {ProjectInfo, Roles, RaiseTerms, MilestoneSpec} from "./types/ProjectTypes.sol";

/// @title ProjectFactory: sponsor registry and project factory of the exchange
/// @notice The owner is the exchange admin.
contract ProjectFactory is IProjectFactory, Ownable2Step {
    /// @notice The implementation every project clones.
    address public immutable projectImplementation;

    address private _exchange;
    mapping(address account => bool) private _sponsors;
    mapping(address account => bool) private _isProject;
    mapping(bytes32 symbolHash => address project) private _bySymbol;
    address[] private _projects;

    uint256 private constant MAX_SYMBOL_LENGTH = 16;

    constructor(address admin_) Ownable(admin_) {
        projectImplementation = address(new Project());
    }

    /// @inheritdoc IProjectFactory
    function registerSponsor(address sponsor, string calldata name) external onlyOwner {
        if (sponsor == address(0)) revert ZeroAddress("sponsor");
        if (bytes(name).length == 0) revert EmptySponsorName();
        if (_sponsors[sponsor]) revert SponsorAlreadyRegistered(sponsor);
        _sponsors[sponsor] = true;
        emit SponsorRegistered(sponsor, name);
    }

    /// @inheritdoc IProjectFactory
    function removeSponsor(address sponsor) external onlyOwner {
        if (!_sponsors[sponsor]) revert SponsorNotRegistered(sponsor);
        _sponsors[sponsor] = false;
        emit SponsorRemoved(sponsor);
    }

    /// @inheritdoc IProjectFactory
    function setExchange(address exchange_) external onlyOwner {
        if (_exchange != address(0)) revert ExchangeAlreadySet(_exchange);
        if (exchange_ == address(0)) revert ZeroAddress("exchange");
        _exchange = exchange_;
        emit ExchangeSet(exchange_);
    }

    /// @inheritdoc IProjectFactory
    function createProject(
        ProjectInfo calldata info,
        Roles calldata roles,
        RaiseTerms calldata terms,
        MilestoneSpec[] calldata milestones
    ) external returns (address project) {
        if (!_sponsors[msg.sender]) revert NotSponsor(msg.sender);
        // One market per ticker: the symbol names the project for investors, oracles and the API.
        _checkSymbol(info.symbol);
        bytes32 symbolHash = keccak256(bytes(info.symbol));
        if (_bySymbol[symbolHash] != address(0)) revert SymbolTaken(info.symbol, _bySymbol[symbolHash]);
        Roles memory actual = Roles({
            sponsor: msg.sender,
            implementor: roles.implementor,
            operator: roles.operator,
            verifier: roles.verifier
        });
        project = Clones.clone(projectImplementation);
        Project(project).initialize(info, actual, terms, milestones);
        uint256 projectId = _projects.length;
        _projects.push(project);
        _isProject[project] = true;
        _bySymbol[symbolHash] = project;
        emit ProjectCreated(project, msg.sender, projectId, info, actual, terms, milestones);
    }

    /// @inheritdoc IProjectFactory
    function admin() external view returns (address) {
        return owner();
    }

    /// @inheritdoc IProjectFactory
    function exchange() external view returns (address) {
        return _exchange;
    }

    /// @inheritdoc IProjectFactory
    function isSponsor(address account) external view returns (bool) {
        return _sponsors[account];
    }

    /// @inheritdoc IProjectFactory
    function isProject(address account) external view returns (bool) {
        return _isProject[account];
    }

    /// @inheritdoc IProjectFactory
    function projectCount() external view returns (uint256) {
        return _projects.length;
    }

    /// @inheritdoc IProjectFactory
    function projectBySymbol(string calldata symbol) external view returns (address) {
        return _bySymbol[keccak256(bytes(symbol))];
    }

    /// @inheritdoc IProjectFactory
    function projectAt(uint256 projectId) external view returns (address) {
        if (projectId >= _projects.length) revert UnknownProjectId(projectId, _projects.length);
        return _projects[projectId];
    }

    /// @dev A ticker: 1 to 16 of A-Z, 0-9 and inner hyphens, so that two symbols are the same
    /// exactly when their bytes are (no case or look-alike characters to tell apart).
    function _checkSymbol(string calldata symbol) private pure {
        bytes calldata b = bytes(symbol);
        if (b.length == 0 || b.length > MAX_SYMBOL_LENGTH) revert InvalidSymbol(symbol);
        for (uint256 i; i < b.length; ++i) {
            bytes1 c = b[i];
            bool alnum = (c >= "A" && c <= "Z") || (c >= "0" && c <= "9");
            bool innerHyphen = c == "-" && i != 0 && i != b.length - 1;
            if (!alnum && !innerHyphen) revert InvalidSymbol(symbol);
        }
    }
}
