"""Stateful test of every money path: invest / refund on a raise, and milestone release, share
transfers, revenue deposits and claims, limit orders (place / cancel) and wind-down claims on a
traded project. A plain-Python model predicts every outcome (including the reverts and every
trade of a reference price-time matcher); after every step the chain must agree with the model
exactly and the money invariants must hold:

- each project holds at least everything it owes (unreleased escrow or wind-down pool, plus all
  unclaimed revenue), and at most one unit of rounding dust per holder more;
- the exchange holds exactly the escrow of the open buy orders;
- the funding asset is conserved: every unit minted is held by a known account;
- nothing is paid twice: every balance equals the model's, claimable revenue equals what the
  shares held at each deposit earned minus what was claimed, every order's filled + remaining +
  cancelled equals its amount, and the book never stays crossed.

Uses hypothesis' RuleBasedStateMachine directly (brownie's `state_machine` fixture is broken in
this build) with chain.snapshot() / chain.revert() around every example. About 20 examples of up to
50 steps; half start in operation, half while building.
"""

from dataclasses import dataclass

import brownie
import requests
from brownie import chain, web3
from helpers import (
    BUILDING,
    BUY,
    CANCELLED,
    DAY,
    EVIDENCE_HASH,
    FAILED,
    FILLED,
    FUNDING,
    OPEN,
    OPERATING,
    SELL,
    WOUND_DOWN,
    err,
    set_next_timestamp,
)
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

MAGNITUDE = 2**128

PRICE = 10_000_003  # odd on purpose: tranches and pro-rata shares do not divide evenly
OP_HOLDINGS = (30, 25, 25, 20)  # shares of traders 0..3 in the traded project; 4 and 5 hold none
OP_MILESTONES = (("Build", 3333, 30 * DAY), ("Commission", 6667, 60 * DAY))
BOOK_PRICES = (10 * 10**6, 10_000_003, 11 * 10**6)  # few levels, so orders cross often
WIND_DOWN_AFTER = 8  # steps before wind-down is allowed, so most of a run trades and earns
N_TRADERS = 6


class Reader:
    """Reads many views in one JSON-RPC batch of raw eth_calls: the invariants need about sixty
    values after every step, and brownie's ~5 ms per call would make the test several times slower.
    Every view read here returns static words only."""

    def __init__(self):
        self._calls = []
        self._uri = web3.provider.endpoint_uri

    def add(self, contract, signature, *args):
        selector = web3.keccak(text=signature)[:4].hex().removeprefix("0x")
        words = "".join(_word(a) for a in args)
        self._calls.append({"to": contract.address, "data": "0x" + selector + words})
        return len(self._calls) - 1

    def execute(self):
        payload = [
            {"jsonrpc": "2.0", "id": k, "method": "eth_call", "params": [call, "latest"]}
            for k, call in enumerate(self._calls)
        ]
        responses = sorted(
            requests.post(self._uri, json=payload, timeout=30).json(), key=lambda r: r["id"]
        )
        results = []
        for r in responses:
            data = r["result"].removeprefix("0x")
            results.append([int(data[i : i + 64], 16) for i in range(0, len(data), 64)])
        return results


def _word(value):
    if hasattr(value, "address"):
        value = value.address
    if isinstance(value, str):
        return value.lower().removeprefix("0x").rjust(64, "0")
    return format(int(value), "064x")


@dataclass
class ModelOrder:
    id: int
    maker: int
    side: int
    price: int
    amount: int
    remaining: int
    filled: int = 0
    cancelled: int = 0
    status: int = OPEN

    @property
    def open(self):
        return self.status == OPEN


class MoneyMachine(RuleBasedStateMachine):
    """ctx is set by the test: contracts and accounts after setup, before the snapshot."""

    ctx = None

    def __init__(self):
        super().__init__()
        chain.revert()
        c = self.ctx
        self.usdc, self.exchange, self.admin = c["usdc"], c["exchange"], c["admin"]
        self.op, self.fund_project = c["op"], c["fund"]
        self.traders, self.operator, self.implementor, self.verifier = (
            c["traders"],
            c["operator"],
            c["implementor"],
            c["verifier"],
        )
        self.fund_deadline = c["fund_deadline"]
        self.fund_goal, self.fund_cap, self.fund_price = (
            c["fund_goal"],
            c["fund_cap"],
            c["fund_price"],
        )

        # asset balances of every account that can ever hold the funding asset
        self.known = list(self.traders) + [
            self.operator,
            self.implementor,
            self.op,
            self.fund_project,
            self.exchange,
        ]
        self.cash = {a.address: self.usdc.balanceOf(a) for a in self.known}
        self.minted = self.usdc.totalSupply()

        # the raise
        self.fund_phase = FUNDING
        self.fund_raised = 0
        self.contribution = [0] * N_TRADERS
        self.fund_shares = [0] * N_TRADERS
        self.deadline_passed = False

        # the traded project: Building, first milestone approved in setup
        self.op_phase = BUILDING
        self.raised = 100 * PRICE
        self.released = c["released"]
        self.next_milestone = 1
        self.shares = list(OP_HOLDINGS) + [0] * (N_TRADERS - len(OP_HOLDINGS))
        self.locked = [0] * N_TRADERS
        self.earned = [0] * N_TRADERS  # magnified revenue earned by the shares held at each deposit
        self.withdrawn = [0] * N_TRADERS
        self.deposits = 0
        self.pool = 0
        self.shares_left = 0

        # the book
        self.orders = {}
        self.next_id = self.exchange.nextOrderId()
        self.steps = 0

    # ------------------------------------------------------------------------------ helpers

    def _mint(self, account, amount, spender):
        self.usdc.mint(account, amount, {"from": account})
        self.usdc.approve(
            spender, self.usdc.allowance(account, spender) + amount, {"from": account}
        )
        self.cash[account.address] += amount
        self.minted += amount

    def _pay(self, src, dst, amount):
        self.cash[src.address] -= amount
        self.cash[dst.address] += amount

    def _move_shares(self, src, dst, n):
        self.shares[src] -= n
        self.shares[dst] += n

    def _open(self, side):
        """Open orders of one side in priority order: best price first, then oldest."""
        orders = [o for o in self.orders.values() if o.open and o.side == side]
        if side == SELL:
            return sorted(orders, key=lambda o: (o.price, o.id))
        return sorted(orders, key=lambda o: (-o.price, o.id))

    def _crosses(self, side, price):
        opposite = self._open(SELL if side == BUY else BUY)
        if not opposite:
            return False
        return opposite[0].price <= price if side == BUY else opposite[0].price >= price

    def _cancel_in_model(self, order):
        left = order.remaining
        order.cancelled += left
        order.remaining = 0
        order.status = CANCELLED
        if order.side == BUY:
            self._pay(self.exchange, self.traders[order.maker], left * order.price)
        else:
            self.locked[order.maker] -= left
        return (order.id, order.maker, left)

    @property
    def _trading_open(self):
        return self.op_phase in (BUILDING, OPERATING)

    def _claimable(self, i):
        return self.earned[i] // MAGNITUDE - self.withdrawn[i]

    # ------------------------------------------------------------------------ rules: raise

    @rule(i=st.integers(0, N_TRADERS - 1), n=st.integers(1, 40))
    def invest(self, i, n):
        investor, cost = self.traders[i], n * self.fund_price
        self._mint(investor, cost, self.fund_project)
        if self.fund_phase != FUNDING:
            with brownie.reverts(err("WrongPhase", self.fund_phase)):
                self.fund_project.invest(n, {"from": investor})
        elif self.deadline_passed:
            with brownie.reverts(err("RaiseClosed", self.fund_deadline)):
                self.fund_project.invest(n, {"from": investor})
        elif self.fund_raised + cost > self.fund_cap:
            left = (self.fund_cap - self.fund_raised) // self.fund_price
            with brownie.reverts(err("CapExceeded", left)):
                self.fund_project.invest(n, {"from": investor})
        else:
            self.fund_project.invest(n, {"from": investor})
            self._pay(investor, self.fund_project, cost)
            self.fund_raised += cost
            self.contribution[i] += cost
            self.fund_shares[i] += n
            if self.fund_raised == self.fund_cap:
                self.fund_phase = BUILDING

    @precondition(lambda self: not self.deadline_passed)
    @rule()
    def pass_the_raise_deadline(self):
        set_next_timestamp(self.fund_deadline)
        brownie.web3.provider.make_request("evm_mine", [])
        self.deadline_passed = True

    @rule(i=st.integers(0, N_TRADERS - 1))
    def refund(self, i):
        investor = self.traders[i]
        phase = self.fund_phase
        if phase == FUNDING and self.deadline_passed:
            phase = BUILDING if self.fund_raised >= self.fund_goal else FAILED
        if phase != FAILED:
            with brownie.reverts(err("WrongPhase", phase)):
                self.fund_project.refund({"from": investor})
            return
        if self.contribution[i] == 0:
            # the revert also undoes the finalisation the refund started with
            with brownie.reverts(err("NothingToRefund", investor)):
                self.fund_project.refund({"from": investor})
            return
        tx = self.fund_project.refund({"from": investor})
        self.fund_phase = FAILED
        assert tx.events["Refunded"]["amount"] == self.contribution[i]
        self._pay(self.fund_project, investor, self.contribution[i])
        self.contribution[i] = 0
        self.fund_shares[i] = 0

    # ---------------------------------------------------------------- rules: traded project

    @initialize(operating=st.booleans())
    def start_building_or_operating(self, operating):
        """Half of the runs start in operation (revenue flows from the first step), half in
        Building (an escrow is left for the wind-down pool)."""
        if operating:
            self.approve_next_milestone()

    @precondition(lambda self: self.op_phase == BUILDING)
    @rule()
    def approve_next_milestone(self):
        index = self.next_milestone
        self.op.submitMilestone(
            index, f"ipfs://evidence/{index}", EVIDENCE_HASH, {"from": self.implementor}
        )
        tx = self.op.approveMilestone(index, {"from": self.verifier})
        last = index + 1 == len(OP_MILESTONES)
        tranche = (
            self.raised - self.released if last else self.raised * OP_MILESTONES[index][1] // 10_000
        )
        assert tx.events["MilestoneApproved"]["tranche"] == tranche
        self._pay(self.op, self.implementor, tranche)
        self.released += tranche
        self.next_milestone += 1
        if last:
            self.op_phase = OPERATING

    @rule(i=st.integers(0, N_TRADERS - 1), j=st.integers(0, N_TRADERS - 1), n=st.integers(1, 30))
    def transfer(self, i, j, n):
        src, dst = self.traders[i], self.traders[j]
        unlocked = self.shares[i] - self.locked[i]
        if not self._trading_open:
            with brownie.reverts(err("SharesNotTransferable", self.op_phase)):
                self.op.transfer(dst, n, {"from": src})
        elif self.shares[i] < n and self.locked[i] == 0:
            with brownie.reverts(err("ERC20InsufficientBalance", src, self.shares[i], n)):
                self.op.transfer(dst, n, {"from": src})
        elif unlocked < n:
            with brownie.reverts(
                err("InsufficientUnlockedShares", src, self.shares[i], self.locked[i], n)
            ):
                self.op.transfer(dst, n, {"from": src})
        else:
            self.op.transfer(dst, n, {"from": src})
            self._move_shares(i, j, n)

    @rule(amount=st.integers(1, 10**9))
    def deposit_revenue(self, amount):
        self._mint(self.operator, amount, self.op)
        if self.op_phase != OPERATING:
            with brownie.reverts(err("WrongPhase", self.op_phase)):
                self.op.depositRevenue(amount, {"from": self.operator})
            return
        self.op.depositRevenue(amount, {"from": self.operator})
        self._pay(self.operator, self.op, amount)
        increment = amount * MAGNITUDE // sum(self.shares)
        for i in range(N_TRADERS):
            self.earned[i] += increment * self.shares[i]
        self.deposits += 1

    @rule(i=st.integers(0, N_TRADERS - 1))
    def claim_revenue(self, i):
        holder, amount = self.traders[i], self._claimable(i)
        if amount == 0:
            with brownie.reverts(err("NothingToClaim", holder)):
                self.op.claimRevenue({"from": holder})
            return
        tx = self.op.claimRevenue({"from": holder})
        assert tx.events["RevenueClaimed"]["amount"] == amount
        self.withdrawn[i] += amount
        self._pay(self.op, holder, amount)

    @rule(
        i=st.integers(0, N_TRADERS - 1),
        price=st.sampled_from(BOOK_PRICES),
        amount=st.integers(1, 15),
        max_matches=st.integers(1, 3),
    )
    def place_buy(self, i, price, amount, max_matches):
        self._place(i, BUY, price, amount, max_matches)

    @rule(
        i=st.integers(0, N_TRADERS - 1),
        price=st.sampled_from(BOOK_PRICES),
        amount=st.integers(1, 15),
        max_matches=st.integers(1, 3),
    )
    def place_sell(self, i, price, amount, max_matches):
        self._place(i, SELL, price, amount, max_matches)

    @precondition(lambda self: self._open(BUY) or self._open(SELL))
    @rule(
        i=st.integers(0, N_TRADERS - 1),
        level=st.integers(0, 2),
        amount=st.integers(1, 25),
        max_matches=st.integers(1, 4),
    )
    def take_liquidity(self, i, level, amount, max_matches):
        """An order priced to cross the book down to the `level`-th resting order."""
        side = BUY if self._open(SELL) else SELL
        if self._open(BUY) and self._open(SELL) and self.shares[i] - self.locked[i] >= amount:
            side = SELL if level % 2 else BUY
        book = self._open(SELL if side == BUY else BUY)
        self._place(i, side, book[min(level, len(book) - 1)].price, amount, max_matches)

    def _place(self, i, side, price, amount, max_matches):
        maker = self.traders[i]
        if not self._trading_open:
            with brownie.reverts(err("TradingHalted", self.op)):
                self.exchange.placeOrder(self.op, side, price, amount, max_matches, {"from": maker})
            return
        unlocked = self.shares[i] - self.locked[i]
        if side == SELL and unlocked < amount:
            with brownie.reverts(
                err("InsufficientUnlockedShares", maker, self.shares[i], self.locked[i], amount)
            ):
                self.exchange.placeOrder(self.op, side, price, amount, max_matches, {"from": maker})
            return
        if side == BUY:
            self._mint(maker, price * amount, self.exchange)
        tx = self.exchange.placeOrder(self.op, side, price, amount, max_matches, {"from": maker})

        # the reference matcher
        order = ModelOrder(self.next_id, i, side, price, amount, amount)
        assert tx.return_value == order.id
        self.next_id += 1
        self.orders[order.id] = order
        if side == SELL:
            self.locked[i] += amount
        expected_trades, expected_cancels = [], []
        matches = 0
        while order.remaining and matches < max_matches:
            matches += 1
            if not self._crosses(side, price):
                break
            resting = self._open(SELL if side == BUY else BUY)[0]
            if resting.maker == i:
                expected_cancels.append(self._cancel_in_model(resting))
                continue
            qty = min(order.remaining, resting.remaining)
            value = qty * resting.price
            for o in (order, resting):
                o.remaining -= qty
                o.filled += qty
            if resting.remaining == 0:
                resting.status = FILLED
            seller, buyer = (resting.maker, i) if side == BUY else (i, resting.maker)
            self.locked[seller] -= qty
            self._move_shares(seller, buyer, qty)
            self._pay(maker if side == BUY else self.exchange, self.traders[seller], value)
            expected_trades.append(
                (resting.id, order.id, resting.maker, i, side, resting.price, qty)
            )
        if order.remaining == 0:
            order.status = FILLED
        elif self._crosses(side, price):
            left = order.remaining
            order.status = CANCELLED
            order.cancelled += left
            order.remaining = 0
            if side == SELL:
                self.locked[i] -= left
            expected_cancels.append((order.id, i, left))
        elif side == BUY:
            self._pay(maker, self.exchange, order.remaining * price)

        index = {t.address: k for k, t in enumerate(self.traders)}
        trades = (
            [
                (
                    t["makerOrderId"],
                    t["takerOrderId"],
                    index[t["maker"]],
                    index[t["taker"]],
                    t["takerSide"],
                    t["price"],
                    t["amount"],
                )
                for t in tx.events["Trade"]
            ]
            if "Trade" in tx.events
            else []
        )
        cancels = (
            [(c["orderId"], index[c["maker"]], c["remaining"]) for c in tx.events["OrderCancelled"]]
            if "OrderCancelled" in tx.events
            else []
        )
        assert trades == expected_trades
        assert cancels == expected_cancels

    @precondition(lambda self: any(o.open for o in self.orders.values()))
    @rule(k=st.integers(0, 10**6))
    def cancel_order(self, k):
        open_orders = sorted(o.id for o in self.orders.values() if o.open)
        order = self.orders[open_orders[k % len(open_orders)]]
        tx = self.exchange.cancelOrder(order.id, {"from": self.traders[order.maker]})
        assert tx.events["OrderCancelled"]["remaining"] == order.remaining
        self._cancel_in_model(order)

    @precondition(
        lambda self: self.op_phase in (BUILDING, OPERATING) and self.steps >= WIND_DOWN_AFTER
    )
    @rule()
    def wind_down(self):
        tx = self.op.windDown({"from": self.admin})
        self.pool = self.raised - self.released
        self.shares_left = sum(self.shares)
        assert tx.events["WoundDown"]["pool"] == self.pool
        self.op_phase = WOUND_DOWN

    @rule(i=st.integers(0, N_TRADERS - 1))
    def claim_wind_down(self, i):
        holder, shares, locked = self.traders[i], self.shares[i], self.locked[i]
        if self.op_phase != WOUND_DOWN:
            with brownie.reverts(err("WrongPhase", self.op_phase)):
                self.op.claimWindDown({"from": holder})
        elif shares == 0:
            with brownie.reverts(err("NothingToClaim", holder)):
                self.op.claimWindDown({"from": holder})
        elif locked:
            with brownie.reverts(err("SharesLocked", holder, locked)):
                self.op.claimWindDown({"from": holder})
        else:
            amount = self.pool * shares // self.shares_left
            tx = self.op.claimWindDown({"from": holder})
            assert tx.events["WindDownClaimed"]["amount"] == amount
            self.pool -= amount
            self.shares_left -= shares
            self.shares[i] = 0
            self._pay(self.op, holder, amount)

    # ---------------------------------------------------------------------------- invariants

    def _chain(self):
        """Every value the invariants compare, read once per step in one batch."""
        if getattr(self, "_observed", None) is not None:
            return self._observed
        r = Reader()
        ids = {
            "cash": [r.add(self.usdc, "balanceOf(address)", a) for a in self.known],
            "supply": r.add(self.usdc, "totalSupply()"),
            "fund_raised": r.add(self.fund_project, "raised()"),
            "contribution": [
                r.add(self.fund_project, "contributionOf(address)", t) for t in self.traders
            ],
            "fund_shares": [
                r.add(self.fund_project, "balanceOf(address)", t) for t in self.traders
            ],
            "shares": [r.add(self.op, "balanceOf(address)", t) for t in self.traders],
            "locked": [r.add(self.op, "lockedShares(address)", t) for t in self.traders],
            "claimable": [r.add(self.op, "claimableRevenue(address)", t) for t in self.traders],
            "op_supply": r.add(self.op, "totalSupply()"),
            "pool": r.add(self.op, "windDownPool()"),
            "released": r.add(self.op, "released()"),
            "exchange_shares": r.add(self.op, "balanceOf(address)", self.exchange),
            "orders": {oid: r.add(self.exchange, "order(uint256)", oid) for oid in self.orders},
            "bid": r.add(self.exchange, "bestPrice(address,uint8)", self.op, BUY),
            "ask": r.add(self.exchange, "bestPrice(address,uint8)", self.op, SELL),
        }
        results = r.execute()

        def pick(v):
            if isinstance(v, list):
                return [results[k][0] for k in v]
            if isinstance(v, dict):
                return {key: results[k] for key, k in v.items()}
            return results[v][0]

        self._observed = {name: pick(v) for name, v in ids.items()}
        self._observed["cash"] = dict(
            zip([a.address for a in self.known], self._observed["cash"], strict=True)
        )
        return self._observed

    def check_invariants(self, settings):
        # hypothesis runs this after every step: read the chain afresh once, then check
        self.steps += 1
        self._observed = None
        return super().check_invariants(settings)

    @invariant()
    def every_asset_balance_is_what_the_model_says(self):
        assert self._chain()["cash"] == self.cash

    @invariant()
    def the_funding_asset_is_conserved(self):
        assert self._chain()["supply"] == self.minted == sum(self.cash.values())

    @invariant()
    def the_raise_holds_exactly_what_it_owes(self):
        c = self._chain()
        owed = self.fund_raised if self.fund_phase == BUILDING else sum(self.contribution)
        assert c["cash"][self.fund_project.address] == owed
        assert c["fund_raised"] == self.fund_raised
        assert c["contribution"] == self.contribution
        assert c["fund_shares"] == self.fund_shares

    @invariant()
    def the_traded_project_can_pay_everything_it_owes(self):
        c = self._chain()
        escrow = self.pool if self.op_phase == WOUND_DOWN else self.raised - self.released
        dust = c["cash"][self.op.address] - escrow - sum(c["claimable"])
        assert 0 <= dust <= N_TRADERS
        assert c["pool"] == self.pool
        assert c["released"] == self.released

    @invariant()
    def revenue_is_paid_to_the_shares_held_at_each_deposit_and_never_twice(self):
        assert self._chain()["claimable"] == [self._claimable(i) for i in range(N_TRADERS)]

    @invariant()
    def shares_and_locks_are_what_the_model_says(self):
        c = self._chain()
        assert c["shares"] == self.shares
        assert c["locked"] == self.locked
        assert c["op_supply"] == sum(self.shares)
        open_sells = [0] * N_TRADERS
        for o in self.orders.values():
            if o.open and o.side == SELL:
                open_sells[o.maker] += o.remaining
        assert self.locked == open_sells

    @invariant()
    def the_exchange_holds_exactly_the_open_buy_escrow(self):
        c = self._chain()
        escrow = sum(
            o.remaining * o.price for o in self.orders.values() if o.open and o.side == BUY
        )
        assert c["cash"][self.exchange.address] == escrow
        assert c["exchange_shares"] == 0

    @invariant()
    def every_order_is_filled_remaining_or_cancelled(self):
        c = self._chain()
        for o in self.orders.values():
            assert o.filled + o.remaining + o.cancelled == o.amount
            words = c["orders"][o.id]  # maker, side, status, project, price, amount, remaining, ...
            assert (words[2], words[5], words[6]) == (o.status, o.amount, o.remaining)

    @invariant()
    def the_book_is_never_crossed(self):
        c = self._chain()
        bid, ask = c["bid"], c["ask"]
        assert bid == 0 or ask == 0 or bid < ask
        bids, asks = self._open(BUY), self._open(SELL)
        assert bid == (bids[0].price if bids else 0)
        assert ask == (asks[0].price if asks else 0)


def test_money_invariants_hold_after_every_step(
    usdc,
    exchange,
    create_project,
    invest,
    admin,
    operator,
    implementor,
    verifier,
    investors,
):
    traders = investors[:N_TRADERS]
    op = create_project(price=PRICE, goal=50 * PRICE, cap=100 * PRICE, milestones=OP_MILESTONES)
    for trader, shares in zip(traders[: len(OP_HOLDINGS)], OP_HOLDINGS, strict=True):
        invest(op, trader, shares)
    assert op.project.phase() == BUILDING
    op.project.submitMilestone(0, "ipfs://evidence/0", EVIDENCE_HASH, {"from": implementor})
    op.project.approveMilestone(0, {"from": verifier})
    first_tranche = 100 * PRICE * OP_MILESTONES[0][1] // 10_000
    assert op.project.released() == first_tranche
    raise_ = create_project(symbol="RAISE", deadline_in=30 * DAY)
    MoneyMachine.ctx = {
        "usdc": usdc,
        "exchange": exchange,
        "admin": admin,
        "op": op.project,
        "fund": raise_.project,
        "fund_deadline": raise_.deadline,
        "fund_goal": raise_.goal,
        "fund_cap": raise_.cap,
        "fund_price": raise_.price,
        "released": first_tranche,
        "traders": traders,
        "operator": operator,
        "implementor": implementor,
        "verifier": verifier,
    }
    # Every example starts from this snapshot (MoneyMachine.__init__ reverts to it). Brownie keeps
    # one snapshot id, the one fn_isolation reverts to after the test: keep it and put it back.
    isolation_snapshot = chain._snapshot_id
    chain.snapshot()
    try:
        run_state_machine_as_test(
            MoneyMachine,
            settings=settings(
                max_examples=20,
                stateful_step_count=50,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        chain._snapshot_id = isolation_snapshot
