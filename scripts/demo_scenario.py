"""The demo's story, played by the dev chain's accounts in two acts around the oracle:

    python -m scripts.demo_scenario raise   --network anvil   # sponsor, investors, milestones
    (the oracle service posts 7 days of hourly readings)
    python -m scripts.demo_scenario operate --network anvil   # revenue, claims, trading

`make demo` runs both acts (backend/demo.py) with the oracle in between.
"""

from __future__ import annotations

import argparse
from typing import Any

from scripts.common import (
    ROOT,
    ScriptError,
    chain_now,
    connect_to_deployment,
    dev_account,
    dev_investors,
    from_units,
    script_errors,
    sleep_chain_until,
    to_units,
)
from scripts.create_project import create_project

SPECS = ["greensboro-solar.yaml", "sandpoint-wind.yaml", "durham-storage.yaml"]
DAY = 86_400
SPONSOR_NAME = "Tri-County Public Power Authority"
# Investors (index into the 12 dev investor accounts) and the shares each buys.
SOLAR_INVESTMENTS = [
    (0, 9000),
    (1, 8000),
    (2, 7500),
    (3, 7000),
    (4, 6500),
    (5, 6000),
    (6, 5000),
    (7, 4000),
]
WIND_INVESTMENTS = [
    (4, 5000),
    (5, 4500),
    (6, 4000),
    (7, 4000),
    (8, 3500),
    (9, 3500),
    (10, 3000),
    (11, 2500),
]
STORAGE_INVESTMENTS = [(8, 12000), (9, 8000), (10, 15000), (11, 5000)]
FAUCET = 5_000_000  # funding asset each dev investor starts with
# Power purchase tariffs, in funding-asset units per kWh (6 decimals): 0.085 and 0.11 per kWh.
TARIFF_PER_KWH = {"GSO-SOLAR": "0.085", "SPT-WIND": "0.11"}


class Story:
    def __init__(self, network_name: str) -> None:
        deployment = connect_to_deployment(network_name)
        self.record, self.proj, self.c = deployment.record, deployment.proj, deployment.c
        from brownie import web3

        self.web3 = web3
        self.network = network_name
        self.decimals = int(self.record["funding_asset"]["decimals"])
        self.symbol = self.record["funding_asset"]["symbol"]
        self.admin = dev_account("admin")
        self.sponsor = dev_account("sponsor")
        self.implementor = dev_account("implementor")
        self.operator = dev_account("operator")
        self.verifier = dev_account("verifier")
        self.reporter = dev_account("reporter")
        self.investors = dev_investors()
        self.stable = self.proj.TestStablecoin.at(self.record["funding_asset"]["address"])
        self.started: dict[str, int] = {}  # chain time each plant entered operation

    # ------------------------------------------------------------ helpers

    def money(self, units: int) -> str:
        return f"{from_units(units, self.decimals)} {self.symbol}"

    def who(self, account: Any) -> str:
        if account in self.investors:
            return f"investor {self.investors.index(account) + 1}"
        return account.address[:10]

    def projects(self) -> dict[str, Any]:
        out = {}
        for i in range(self.c["factory"].projectCount()):
            p = self.proj.Project.at(self.c["factory"].projectAt(i))
            out[p.symbol()] = p
        return out

    @staticmethod
    def sleep_until(timestamp: int) -> None:
        sleep_chain_until(timestamp)

    @staticmethod
    def say(text: str) -> None:
        print(f"[demo] {text}", flush=True)

    # ------------------------------------------------------------ act 1

    def act_raise(self) -> None:
        f = self.c["factory"]
        if not f.isSponsor(self.sponsor):
            f.registerSponsor(self.sponsor, SPONSOR_NAME, {"from": self.admin})
            self.say(f"admin registered sponsor {SPONSOR_NAME!r} ({self.sponsor.address})")
        if f.projectCount() > 0:
            raise ScriptError("projects exist already: the demo story starts on a fresh deployment")
        projects = {}
        for spec in SPECS:
            p = create_project(ROOT / "projects" / spec, self.network)
            projects[p.symbol()] = p
            t = p.terms()
            self.say(
                f"sponsor created {p.name()!r} ({p.symbol()}): price {self.money(t[1])}/share, "
                f"goal {self.money(t[2])}, cap {self.money(t[3])}"
            )

        for inv in self.investors:
            self.stable.mint(inv, to_units(FAUCET, self.decimals, "faucet"), {"from": inv})
        self.say(f"{len(self.investors)} investors funded their wallets with {self.symbol}")

        plan = [
            ("GSO-SOLAR", SOLAR_INVESTMENTS),
            ("SPT-WIND", WIND_INVESTMENTS),
            ("DUR-STORE", STORAGE_INVESTMENTS),
        ]
        for symbol, investments in plan:
            p = projects[symbol]
            for index, shares in investments:
                inv = self.investors[index]
                cost = shares * p.price()
                self.stable.approve(p, cost, {"from": inv})
                p.invest(shares, {"from": inv})
                self.say(f"{self.who(inv)} bought {shares} {symbol} shares for {self.money(cost)}")
            self.say(
                f"{symbol}: raised {self.money(p.raised())} of goal {self.money(p.terms()[2])}; "
                f"phase {PHASES[p.phase()]}"
            )

        self.sleep_until(max(p.terms()[4] for p in projects.values()) + 60)
        self.say("deadlines passed")
        for symbol, p in projects.items():
            if PHASES[p.phase()] == "funding":
                p.finalizeRaise({"from": self.outsider})
                self.say(f"{symbol}: raise finalised -> {PHASES[p.phase()]}")

        storage = projects["DUR-STORE"]
        for index, shares in STORAGE_INVESTMENTS:
            inv = self.investors[index]
            before = self.stable.balanceOf(inv)
            paid = storage.contributionOf(inv)
            storage.refund({"from": inv})
            back = self.stable.balanceOf(inv) - before
            assert back == paid == shares * storage.price(), (back, paid)
            self.say(
                f"DUR-STORE missed its goal: {self.who(inv)} reclaimed exactly {self.money(back)}"
            )

        for symbol in ("GSO-SOLAR", "SPT-WIND"):
            self.build(projects[symbol])

        for symbol in ("GSO-SOLAR", "SPT-WIND"):
            self.c["oracle"].setReporter(
                projects[symbol], self.reporter, True, {"from": self.sponsor}
            )
        self.say(
            f"sponsor authorised oracle reporter {self.reporter.address} for GSO-SOLAR and SPT-WIND"
        )
        self.sleep_until(chain_now() + 7 * DAY + 2 * 3600)
        running = ", ".join(
            f"{symbol} for {(chain_now() - started) / DAY:.1f} days"
            for symbol, started in self.started.items()
        )
        self.say(
            f"7 more days pass; the plants have run ({running}), and the oracle reports every "
            "hour since each one started"
        )

    @property
    def outsider(self) -> Any:
        return self.investors[-1]

    def build(self, p: Any) -> None:
        symbol = p.symbol()
        for i in range(p.milestoneCount()):
            m = p.milestone(i)
            self.sleep_until(min(m[2], chain_now() + 20 * DAY))
            uri = f"demo://evidence/{symbol}/milestone-{i}.pdf"
            digest = "0x" + bytes(self.web3.keccak(text=f"{symbol} {m[0]} evidence")).hex()
            p.submitMilestone(i, uri, digest, {"from": self.implementor})
            if symbol == "SPT-WIND" and i == 1:
                reason = "torque certificates of turbine 3 missing"
                p.rejectMilestone(i, reason, {"from": self.verifier})
                self.say(f"{symbol}: verifier rejected {m[0]!r}: {reason!r}")
                p.submitMilestone(
                    i, uri.replace(".pdf", "-v2.pdf"), digest, {"from": self.implementor}
                )
            before = self.stable.balanceOf(self.implementor)
            p.approveMilestone(i, {"from": self.verifier})
            paid = self.stable.balanceOf(self.implementor) - before
            self.say(
                f"{symbol}: milestone {i + 1} {m[0]!r} approved, "
                f"{self.money(paid)} released to the builder"
            )
        self.started[symbol] = chain_now()
        self.say(f"{symbol}: phase {PHASES[p.phase()]}")

    # ------------------------------------------------------------ act 2

    def act_operate(self) -> None:
        projects = self.projects()
        for symbol in ("GSO-SOLAR", "SPT-WIND"):
            self.revenue(projects[symbol])
        self.trade(projects["GSO-SOLAR"], holders=range(0, 8), buyers=range(8, 12), base="100")
        self.trade(projects["SPT-WIND"], holders=range(4, 12), buyers=range(0, 4), base="500")

    def revenue(self, p: Any) -> None:
        symbol = p.symbol()
        energy_wh = self.c["oracle"].latestReading(p, 0)[0]
        tariff = to_units(TARIFF_PER_KWH[symbol], self.decimals, "tariff")
        amount = energy_wh * tariff // 1000
        self.stable.mint(self.operator, amount, {"from": self.operator})
        self.stable.approve(p, amount, {"from": self.operator})
        p.depositRevenue(amount, {"from": self.operator})
        self.say(
            f"{symbol}: oracle says {energy_wh / 1000:,.3f} kWh delivered; operator deposited "
            f"{self.money(amount)} of revenue (tariff {TARIFF_PER_KWH[symbol]} {self.symbol}/kWh)"
        )
        supply = p.totalSupply()
        claimers = [inv for inv in self.investors if p.balanceOf(inv) > 0][:4]
        for inv in claimers:
            expected = amount * p.balanceOf(inv) // supply
            before = self.stable.balanceOf(inv)
            p.claimRevenue({"from": inv})
            got = self.stable.balanceOf(inv) - before
            assert abs(got - expected) <= 1, (got, expected)
            self.say(
                f"{symbol}: {self.who(inv)} ({p.balanceOf(inv)} shares) claimed {self.money(got)}"
            )

    def trade(self, p: Any, holders: range, buyers: range, base: str) -> None:
        """Holders ask around the issue price, buyers bid; some orders fill fully, some partly,
        some are cancelled."""
        symbol = p.symbol()
        ex = self.c["exchange"]
        px = to_units(base, self.decimals, "price")
        step = px // 50  # 2 % of the issue price
        h = [self.investors[i] for i in holders]
        b = [self.investors[i] for i in buyers]
        orders: list[tuple[Any, int, int, int]] = [  # (account, side 0 buy / 1 sell, price, shares)
            (h[0], 1, px + 2 * step, 100),
            (h[1], 1, px + 3 * step, 80),
            (h[2], 1, px + 5 * step, 60),
            (h[3], 1, px + 1 * step, 50),
            (h[4], 1, px + 4 * step, 40),
            (b[0], 0, px - 2 * step, 70),
            (b[1], 0, px - 1 * step, 90),
            (b[2], 0, px - 4 * step, 30),
            (b[0], 0, px + 2 * step, 120),  # crosses asks at +1 and +2 steps
            (h[5], 1, px - 1 * step, 40),  # crosses the best bid
            (b[3], 0, px + 3 * step, 60),
            (h[6], 1, px + 6 * step, 25),
            (b[1], 0, px - 3 * step, 45),
            (h[7], 1, px + 3 * step, 35),
            (b[2], 0, px + 4 * step, 150),  # sweeps several levels, rests the rest
            (h[0], 1, px - 5 * step, 20),
            (b[3], 0, px - 6 * step, 40),
            (h[1], 1, px + 7 * step, 30),
            (b[0], 0, px - 2 * step, 25),
            (h[2], 1, px + 8 * step, 15),
            (b[1], 0, px + 1 * step, 10),
        ]
        placed = []
        for account, side, price, shares in orders:
            if side == 0:
                self.stable.approve(ex, price * shares, {"from": account})
            tx = ex.placeOrder(p, side, price, shares, 20, {"from": account})
            oid = tx.events["OrderPlaced"]["orderId"]
            placed.append((oid, account))
            fills = tx.events["Trade"] if "Trade" in tx.events else []
            filled = sum(t["amount"] for t in fills)
            what = "buy" if side == 0 else "sell"
            note = f", traded {filled} in {len(fills)} fill(s)" if fills else ", rests"
            self.say(
                f"{symbol}: {self.who(account)} {what} {shares} @ {self.money(price)} "
                f"(order {oid}{note})"
            )
        cancelled = 0
        for oid, account in placed:
            if ex.order(oid)[2] == 0 and cancelled < 4 and oid % 3 == 0:
                side, price, left = ex.order(oid)[1], ex.order(oid)[4], ex.order(oid)[6]
                ex.cancelOrder(oid, {"from": account})
                cancelled += 1
                back = f"{left} shares unlocked"
                if side == 0:
                    back = f"{self.money(left * price)} returned"
                self.say(f"{symbol}: {self.who(account)} cancelled order {oid}; {back}")
        bids = ex.depth(p, 0, 50)
        asks = ex.depth(p, 1, 50)
        self.say(
            f"{symbol}: book now {len(bids[0])} bid level(s), {len(asks[0])} ask level(s); "
            f"best bid {self.money(bids[0][0]) if bids[0] else '-'}, "
            f"best ask {self.money(asks[0][0]) if asks[0] else '-'}"
        )


PHASES = ["funding", "failed", "building", "operating", "wound_down"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("act", choices=["raise", "operate"])
    parser.add_argument("--network", default="anvil")
    args = parser.parse_args(argv)
    with script_errors():
        story = Story(args.network)
        story.act_raise() if args.act == "raise" else story.act_operate()


if __name__ == "__main__":
    main()
