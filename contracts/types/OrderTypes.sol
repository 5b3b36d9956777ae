// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice 0: Buy (bid), 1: Sell (ask)
enum Side {
    Buy,
    Sell
}

/// @notice 0: Open (rests in the book), 1: Filled, 2: Cancelled
enum OrderStatus {
    Open,
    Filled,
    Cancelled
}

/// @notice A limit order; price in funding-asset units per share, amounts in shares.
struct Order {
    address maker;
    Side side;
    OrderStatus status;
    address project;
    uint128 price;
    uint128 amount;
    uint128 remaining;
    uint64 next; // newer neighbour at the same price level (0: none)
    uint64 prev; // older neighbour at the same price level (0: none)
}

/// @notice A price level: a FIFO queue of orders, linked to its better and worse neighbours.
struct Level {
    uint128 better; // neighbouring price closer to the top of the book; 0 at the top
    uint128 worse; //  neighbouring price further from the top; 0 at the bottom
    uint64 head; //    oldest order
    uint64 tail; //    newest order
    uint128 total; //  shares resting at this price
}
