// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Side, Order} from "../types/OrderTypes.sol";

/// @title Share exchange: one limit order book per project share against its funding asset
/// @notice An incoming order trades against the best opposite price levels, oldest order first,
/// at the resting order's price; the remainder rests. Buy orders escrow price x remaining of the
/// funding asset here; sell orders lock the shares in the seller's own balance (so revenue keeps
/// accruing to the seller). Self-trade prevention: when an incoming order meets a resting order of
/// the same maker, the resting order is cancelled and matching goes on.
interface IShareExchange {
    /// @notice The address is not a project of the factory.
    error UnknownProject(address project);
    /// @notice Trading needs the project to be Building or Operating.
    error TradingHalted(address project);
    /// @notice Price and amount must be positive and fit in 128 bits.
    error InvalidOrder(uint256 price, uint256 amount);
    /// @notice An incoming order may cross between 1 and MAX_MATCHES resting orders.
    error InvalidMatchLimit(uint256 maxMatches);
    /// @notice No such order.
    error UnknownOrder(uint256 orderId);
    /// @notice Only the maker can cancel an order.
    error NotMaker(address caller, uint256 orderId);
    /// @notice The order is filled or already cancelled.
    error OrderNotOpen(uint256 orderId);

    /// @notice An order was accepted; trades (if any) and its resting remainder follow.
    event OrderPlaced(
        uint256 indexed orderId, address indexed project, address indexed maker, Side side, uint256 price, uint256 amount
    );
    /// @notice `amount` shares traded at `price` between a resting (maker) and incoming (taker) order.
    event Trade(
        address indexed project,
        uint256 indexed makerOrderId,
        uint256 indexed takerOrderId,
        address maker,
        address taker,
        Side takerSide,
        uint256 price,
        uint256 amount
    );
    /// @notice An order was cancelled; `remaining` shares (or their escrow) went back to the maker.
    event OrderCancelled(uint256 indexed orderId, address indexed project, address indexed maker, uint256 remaining);

    /// @notice Places a limit order. A buy pays trades at the resting price and escrows price x
    /// rest; a sell locks `amount` shares. Crosses at most `maxMatches` resting orders.
    /// @return orderId the new order's id (ids start at 1)
    function placeOrder(address project, Side side, uint256 price, uint256 amount, uint256 maxMatches)
        external
        returns (uint256 orderId);

    /// @notice Cancels an open order of the caller and returns exactly what is left. Allowed
    /// even when trading is halted.
    function cancelOrder(uint256 orderId) external;

    /// @notice The order with id `orderId`.
    function order(uint256 orderId) external view returns (Order memory);

    /// @notice Best price on `side` of `project`'s book (0 if empty).
    function bestPrice(address project, Side side) external view returns (uint256);

    /// @notice Up to `maxLevels` price levels from the best: prices and shares resting at each.
    function depth(address project, Side side, uint256 maxLevels)
        external
        view
        returns (uint256[] memory prices, uint256[] memory amounts);

    /// @notice Id the next order will get.
    function nextOrderId() external view returns (uint256);
}
