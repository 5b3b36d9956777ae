// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IShareExchange} from "./interfaces/IShareExchange.sol";
import {IProjectFactory} from "./interfaces/IProjectFactory.sol";
import {IProject} from "./interfaces/IProject.sol";
import {Side, OrderStatus, Order, Level} from "./types/OrderTypes.sol";

/// @title ShareExchange: price-time priority limit order books for project shares
/// @notice Book layout: per project and side, a doubly linked list of price levels sorted from
/// the best price, each level a FIFO queue of orders; the best level is read in O(1).
contract ShareExchange is IShareExchange, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Upper bound on the resting orders one incoming order may cross.
    uint256 public constant MAX_MATCHES = 100;

    IProjectFactory public immutable factory;

    uint64 private _nextOrderId = 1;
    mapping(uint256 orderId => Order) private _orders;
    mapping(address project => mapping(Side => uint128)) private _best;
    mapping(address project => mapping(Side => mapping(uint128 price => Level))) private _levels;

    constructor(IProjectFactory factory_) {
        factory = factory_;
    }

    /// @inheritdoc IShareExchange
    /// @dev If the match limit stops matching while the book still crosses, the remainder is
    /// cancelled (never rested), so the book is never crossed.
    function placeOrder(address project, Side side, uint256 price, uint256 amount, uint256 maxMatches)
        external
        nonReentrant
        returns (uint256 orderId)
    {
        if (!factory.isProject(project)) revert UnknownProject(project);
        if (!IProject(project).tradingOpen()) revert TradingHalted(project);
        if (price == 0 || amount == 0 || price > type(uint128).max || amount > type(uint128).max) {
            revert InvalidOrder(price, amount);
        }
        if (maxMatches == 0 || maxMatches > MAX_MATCHES) revert InvalidMatchLimit(maxMatches);

        uint64 id = _nextOrderId++;
        orderId = id;
        Order storage o = _orders[id];
        o.maker = msg.sender;
        o.side = side;
        o.project = project;
        o.price = uint128(price);
        o.amount = uint128(amount);
        emit OrderPlaced(id, project, msg.sender, side, price, amount);

        if (side == Side.Sell) IProject(project).lockShares(msg.sender, amount);
        IERC20 asset = IERC20(IProject(project).fundingAsset());
        uint128 remaining = _match(Taker(project, side, uint128(price), id, asset), uint128(amount), maxMatches);
        o.remaining = remaining;

        if (remaining == 0) {
            o.status = OrderStatus.Filled;
        } else if (_crosses(project, side, uint128(price))) {
            // Stopped by the match limit: cancel the rest rather than rest a crossing order.
            o.remaining = 0;
            o.status = OrderStatus.Cancelled;
            emit OrderCancelled(id, project, msg.sender, remaining);
            if (side == Side.Sell) IProject(project).unlockShares(msg.sender, remaining);
        } else {
            _rest(project, side, uint128(price), id, remaining);
            if (side == Side.Buy) asset.safeTransferFrom(msg.sender, address(this), uint256(remaining) * price);
        }
    }

    /// @inheritdoc IShareExchange
    function cancelOrder(uint256 orderId) external nonReentrant {
        Order storage o = _orders[orderId];
        if (o.maker == address(0)) revert UnknownOrder(orderId);
        if (o.maker != msg.sender) revert NotMaker(msg.sender, orderId);
        if (o.status != OrderStatus.Open) revert OrderNotOpen(orderId);
        _unlink(o);
        _cancel(uint64(orderId), o);
    }

    /// @inheritdoc IShareExchange
    function order(uint256 orderId) external view returns (Order memory) {
        return _orders[orderId];
    }

    /// @inheritdoc IShareExchange
    function bestPrice(address project, Side side) external view returns (uint256) {
        return _best[project][side];
    }

    /// @inheritdoc IShareExchange
    function depth(address project, Side side, uint256 maxLevels)
        external
        view
        returns (uint256[] memory prices, uint256[] memory amounts)
    {
        uint256 n;
        for (uint128 p = _best[project][side]; p != 0 && n < maxLevels; p = _levels[project][side][p].worse) ++n;
        prices = new uint256[](n);
        amounts = new uint256[](n);
        uint128 price = _best[project][side];
        for (uint256 i; i < n; ++i) {
            Level storage level = _levels[project][side][price];
            prices[i] = price;
            amounts[i] = level.total;
            price = level.worse;
        }
    }

    /// @inheritdoc IShareExchange
    function nextOrderId() external view returns (uint256) {
        return _nextOrderId;
    }

    // ------------------------------------------------------------- internal

    /// @dev The incoming order as the matching loop needs it (kept in memory: stack depth).
    struct Taker {
        address project;
        Side side;
        uint128 price;
        uint64 id;
        IERC20 asset;
    }

    /// @dev Crosses the incoming order with the best opposite orders at their price. The
    /// transfers inside the loop are guarded by the reentrancy lock.
    function _match(Taker memory t, uint128 remaining, uint256 maxMatches) private returns (uint128) {
        Side opposite = t.side == Side.Buy ? Side.Sell : Side.Buy;
        for (uint256 matches; remaining != 0 && matches < maxMatches; ++matches) {
            if (!_crosses(t.project, t.side, t.price)) break;
            uint128 best = _best[t.project][opposite];
            uint64 restingId = _levels[t.project][opposite][best].head;
            Order storage resting = _orders[restingId];
            if (resting.maker == msg.sender) {
                // Self-trade prevention: the resting order of the same maker is cancelled.
                _unlink(resting);
                _cancel(restingId, resting);
                continue;
            }
            uint128 qty = remaining < resting.remaining ? remaining : resting.remaining;
            remaining -= qty;
            _fill(t, best, restingId, resting, qty);
        }
        return remaining;
    }

    /// @dev Settles `qty` shares between the resting order and the taker at the resting price.
    function _fill(Taker memory t, uint128 price, uint64 restingId, Order storage resting, uint128 qty) private {
        resting.remaining -= qty;
        _levels[t.project][resting.side][price].total -= qty;
        if (resting.remaining == 0) {
            resting.status = OrderStatus.Filled;
            _unlink(resting);
        }
        address maker = resting.maker;
        emit Trade(t.project, restingId, t.id, maker, msg.sender, t.side, price, qty);
        uint256 value = uint256(qty) * price;
        if (t.side == Side.Buy) {
            IProject(t.project).transferLockedShares(maker, msg.sender, qty);
            t.asset.safeTransferFrom(msg.sender, maker, value);
        } else {
            IProject(t.project).transferLockedShares(msg.sender, maker, qty);
            t.asset.safeTransfer(msg.sender, value);
        }
    }

    /// @dev Whether an incoming order on `side` at `price` crosses the best opposite level.
    function _crosses(address project, Side side, uint128 price) private view returns (bool) {
        if (side == Side.Buy) {
            uint128 ask = _best[project][Side.Sell];
            return ask != 0 && ask <= price;
        }
        uint128 bid = _best[project][Side.Buy];
        return bid != 0 && bid >= price;
    }

    /// @dev Appends an order to its price level, creating the level in sorted position if new.
    function _rest(address project, Side side, uint128 price, uint64 id, uint128 remaining) private {
        mapping(uint128 => Level) storage levels = _levels[project][side];
        Level storage level = levels[price];
        if (level.head == 0) {
            // Walk from the best price to the first level this price beats.
            uint128 better;
            uint128 worse = _best[project][side];
            while (worse != 0 && (side == Side.Buy ? worse > price : worse < price)) {
                better = worse;
                worse = levels[worse].worse;
            }
            level.better = better;
            level.worse = worse;
            if (better == 0) _best[project][side] = price;
            else levels[better].worse = price;
            if (worse != 0) levels[worse].better = price;
            level.head = id;
        } else {
            _orders[level.tail].next = id;
            _orders[id].prev = level.tail;
        }
        level.tail = id;
        level.total += remaining;
    }

    /// @dev Takes an order out of its level's queue, and the level out of the book when empty.
    function _unlink(Order storage o) private {
        mapping(uint128 => Level) storage levels = _levels[o.project][o.side];
        Level storage level = levels[o.price];
        level.total -= o.remaining;
        if (o.prev == 0) level.head = o.next;
        else _orders[o.prev].next = o.next;
        if (o.next == 0) level.tail = o.prev;
        else _orders[o.next].prev = o.prev;
        o.next = 0;
        o.prev = 0;
        if (level.head == 0) {
            (uint128 better, uint128 worse) = (level.better, level.worse);
            if (better == 0) _best[o.project][o.side] = worse;
            else levels[better].worse = worse;
            if (worse != 0) levels[worse].better = better;
            delete levels[o.price];
        }
    }

    /// @dev Marks an unlinked open order cancelled and returns what is left to its maker.
    function _cancel(uint64 id, Order storage o) private {
        uint128 left = o.remaining;
        o.remaining = 0;
        o.status = OrderStatus.Cancelled;
        emit OrderCancelled(id, o.project, o.maker, left);
        if (o.side == Side.Buy) {
            IERC20(IProject(o.project).fundingAsset()).safeTransfer(o.maker, uint256(left) * o.price);
        } else {
            IProject(o.project).unlockShares(o.maker, left);
        }
    }
}
