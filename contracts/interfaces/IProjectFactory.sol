// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ProjectInfo, Roles, RaiseTerms, MilestoneSpec} from "../types/ProjectTypes.sol";

/// @title Registry of sponsors and factory of projects
/// @notice The exchange admin registers sponsors; a registered sponsor creates projects, each a
/// cheap clone of one Project implementation.
interface IProjectFactory {
    /// @notice The caller is not a registered sponsor.
    error NotSponsor(address caller);
    /// @notice The sponsor is already registered.
    error SponsorAlreadyRegistered(address sponsor);
    /// @notice The address is not a registered sponsor.
    error SponsorNotRegistered(address sponsor);
    /// @notice The share exchange address can be set only once.
    error ExchangeAlreadySet(address exchange);
    /// @notice A required address was zero; `what` names it.
    error ZeroAddress(string what);
    /// @notice A sponsor's display name must not be empty.
    error EmptySponsorName();
    /// @notice No project has this id; ids run from 0 to count - 1.
    error UnknownProjectId(uint256 projectId, uint256 count);
    /// @notice A symbol is 1 to 16 of A-Z, 0-9 and inner hyphens (e.g. GSO-SOLAR).
    error InvalidSymbol(string symbol);
    /// @notice Another project has this symbol already.
    error SymbolTaken(string symbol, address project);

    /// @notice A sponsor was registered by the admin.
    event SponsorRegistered(address indexed sponsor, string name);
    /// @notice A sponsor was removed; its projects keep running.
    event SponsorRemoved(address indexed sponsor);
    /// @notice The share exchange trusted to lock and move shares was set.
    event ExchangeSet(address indexed exchange);
    /// @notice A project was created; the event carries everything the indexer needs.
    event ProjectCreated(
        address indexed project,
        address indexed sponsor,
        uint256 indexed projectId,
        ProjectInfo info,
        Roles roles,
        RaiseTerms terms,
        MilestoneSpec[] milestones
    );

    /// @notice Registers `sponsor` under a display name. Only the admin.
    function registerSponsor(address sponsor, string calldata name) external;

    /// @notice Removes `sponsor`; it can no longer create projects. Only the admin.
    function removeSponsor(address sponsor) external;

    /// @notice Sets the share exchange once. Only the admin.
    function setExchange(address exchange_) external;

    /// @notice Creates a project as a clone of the implementation; the caller becomes its sponsor
    /// (roles.sponsor is ignored). The project validates its terms and reverts with a named error.
    /// @return project the address of the project (also its share token)
    function createProject(
        ProjectInfo calldata info,
        Roles calldata roles,
        RaiseTerms calldata terms,
        MilestoneSpec[] calldata milestones
    ) external returns (address project);

    /// @notice The exchange admin (owner of the factory).
    function admin() external view returns (address);

    /// @notice The share exchange allowed to lock and move shares of every project.
    function exchange() external view returns (address);

    /// @notice Whether `account` is a registered sponsor.
    function isSponsor(address account) external view returns (bool);

    /// @notice Whether `account` is a project created by this factory.
    function isProject(address account) external view returns (bool);

    /// @notice Number of projects created.
    function projectCount() external view returns (uint256);

    /// @notice The project with this exact symbol, or the zero address.
    function projectBySymbol(string calldata symbol) external view returns (address);

    /// @notice The project with id `projectId` (0-based, in order of creation).
    function projectAt(uint256 projectId) external view returns (address);
}
