"""The reporter: reads each configured plant, and posts every ended period that the chain does
not have yet, in batches, signed with the reporter's key.

Restart-safe without a local journal: where to resume and the counters' base come from the
MetricsOracle itself (latest period and value per metric), and the contract refuses a period
twice (PeriodAlreadyReported), so a batch sent twice can not count twice.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from getpass import getpass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import (
    ContractLogicError,
    MismatchedABI,
    Web3RPCError,
    Web3ValidationError,
)

from backend.common.chain import (
    NODE_ERRORS,
    Deployment,
    abi,
    connect,
    describe_revert,
    first_line,
    load_deployment,
    verify_chain,
    verify_deployment,
)
from backend.common.errors import ConfigError, InfraxError
from backend.common.vocabulary import KINDS, PHASES, name_of
from backend.oracle.config import OracleConfig, ProjectConfig, SolarSourceConfig
from backend.oracle.readings import (
    METRIC_NAMES,
    REPORTED_METRICS,
    Counters,
    Reading,
    to_readings,
)
from backend.oracle.sources.base import ProductionSource
from backend.oracle.sources.solar import SolarFarm
from backend.oracle.sources.wind import WindFarm

logger = logging.getLogger("infrax.oracle")

PHASE_OPERATING = 3


class PostingError(InfraxError):
    """The chain refused a batch for a reason a retry will not fix."""


def build_source(cfg: ProjectConfig) -> ProductionSource:
    src = cfg.source
    if isinstance(src, SolarSourceConfig):
        kwargs: dict[str, Any] = {"capacity_kw": src.capacity_kw}
        if src.module_name:
            kwargs["module_name"] = src.module_name
        if src.inverter_name:
            kwargs["inverter_name"] = src.inverter_name
        return SolarFarm(**kwargs)
    return WindFarm(
        n_turbines=src.n_turbines, turbine_type=src.turbine_type, hub_height=src.hub_height
    )


def load_key(config: OracleConfig) -> LocalAccount:
    """The reporter's key from the environment or a keystore; never logged."""
    if config.key_env:
        key = os.environ.get(config.key_env)
        if not key:
            raise ConfigError(f"environment variable {config.key_env} (reporter key) is not set")
        try:
            return Account.from_key(key)
        except Exception:
            raise ConfigError(f"{config.key_env} does not hold a valid private key") from None
    assert config.keystore is not None
    try:
        keyfile = config.keystore.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read keystore {config.keystore}: {exc}") from None
    _check_keystore_shape(keyfile, config.keystore)  # before asking for a password
    password = os.environ.get(config.password_env) if config.password_env else None
    if password is None:
        try:
            password = getpass(f"password for {config.keystore}: ")
        except (EOFError, OSError):  # no terminal to ask on (a service, input from /dev/null)
            raise ConfigError(
                f"no password for {config.keystore}: set password_env in the config, or run the "
                "oracle in a terminal"
            ) from None
    try:
        return Account.from_key(Account.decrypt(keyfile, password))
    except (ValueError, KeyError, TypeError):
        raise ConfigError(f"wrong password or corrupt keystore {config.keystore}") from None


def _check_keystore_shape(keyfile: str, path: Path) -> None:
    """An encrypted JSON keystore (Web3 Secret Storage): an object with a version and crypto."""
    try:
        data = json.loads(keyfile)
    except json.JSONDecodeError:
        data = None
    if (
        not isinstance(data, dict)
        or "version" not in data
        or not ("crypto" in data or "Crypto" in data)
    ):
        raise ConfigError(
            f"{path} is not an encrypted JSON keystore (expected an object with 'version' and "
            "'crypto', as geth or foundry's cast write)"
        )


@dataclass
class ProjectFeed:
    """One project the reporter posts for, with its source and where the reporting starts."""

    cfg: ProjectConfig
    address: str
    source: ProductionSource
    start: int | None = None  # first period; None until the project operates
    operating_since: int | None = None  # first full period after it entered operation
    idle_phase: str | None = None  # the phase last logged as "nothing to report"


class Reporter:
    def __init__(self, config: OracleConfig, w3: Web3 | None = None) -> None:
        self.config = config
        self.deployment: Deployment = load_deployment(config.deployment)
        self.w3 = w3 or connect(config.rpc_url)
        verify_deployment(self.w3, self.deployment, config.rpc_url)
        self.account = load_key(config)
        self.oracle: Contract = self.w3.eth.contract(
            address=self.deployment.oracle, abi=abi("MetricsOracle")
        )
        self.factory: Contract = self.w3.eth.contract(
            address=self.deployment.factory, abi=abi("ProjectFactory")
        )
        self.period = int(self.oracle.functions.periodSeconds().call())
        self.feeds = [self._feed(cfg) for cfg in config.projects]
        seen: dict[str, str] = {}
        for feed in self.feeds:  # two feeds of one project would race each other's periods
            if feed.address in seen:
                raise ConfigError(
                    f"project {feed.address} is listed twice ({seen[feed.address]!r} and "
                    f"{feed.cfg.project!r}): give each project one entry"
                )
            seen[feed.address] = feed.cfg.project

    # ------------------------------------------------------------ set-up

    def _feed(self, cfg: ProjectConfig) -> ProjectFeed:
        address = self._resolve_project(cfg.project)
        try:
            source = build_source(cfg)
        except (ValueError, KeyError) as exc:
            raise ConfigError(f"source of {cfg.project}: {exc}") from None
        self._check_source_matches_project(cfg, address, source)
        if not self.oracle.functions.isReporter(address, self.account.address).call():
            raise ConfigError(
                f"{self.account.address} is not an authorised reporter of {cfg.project} "
                "(the sponsor or admin calls MetricsOracle.setReporter)"
            )
        if isinstance(cfg.start, int) and cfg.start % self.period:
            raise ConfigError(
                f"start {cfg.start} of {cfg.project} is not a multiple of {self.period}"
            )
        return ProjectFeed(cfg, address, source, cfg.start if isinstance(cfg.start, int) else None)

    def _check_source_matches_project(
        self, cfg: ProjectConfig, address: str, source: ProductionSource
    ) -> None:
        """The model must be of the plant the chain describes: a solar model's readings on a
        wind project, or a model of another size, would be plausible numbers and wrong."""
        project = self._project(address)
        kind = name_of(KINDS, project.functions.projectInfo().call()[2])  # ProjectInfo.kind
        capacity_kw = int(project.functions.capacityKw().call())
        mask = int(project.functions.metricsMask().call())
        undeclared = [METRIC_NAMES[m] for m in REPORTED_METRICS if not (mask >> m) & 1]
        if undeclared:
            raise ConfigError(
                f"{cfg.project} does not declare {', '.join(undeclared)}, which this oracle "
                f"reports for every period ({', '.join(METRIC_NAMES[m] for m in REPORTED_METRICS)})"
                ": the chain would refuse every batch"
            )
        if kind != cfg.source.type:
            raise ConfigError(
                f"{cfg.project} is a {kind} project on chain, but its source in the config "
                f"models a {cfg.source.type} plant"
            )
        if source.capacity_kw != capacity_kw:
            raise ConfigError(
                f"source of {cfg.project} models {source.capacity_kw} kW, but the project's "
                f"nameplate capacity on chain is {capacity_kw} kW"
            )

    def _resolve_project(self, ref: str) -> str:
        if Web3.is_address(ref):
            address = Web3.to_checksum_address(ref)
            if not self.factory.functions.isProject(address).call():
                raise ConfigError(f"{ref} is not a project of the exchange")
            return address
        # Symbols are tickers in capitals, unique on chain (the factory refuses a taken one).
        address = self.factory.functions.projectBySymbol(ref.upper()).call()
        if int(address, 16) == 0:
            raise ConfigError(f"no project with symbol {ref!r} on the exchange")
        return str(address)

    def _project(self, address: str) -> Contract:
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=abi("Project"))

    def _operation_start(self, feed: ProjectFeed) -> int | None:
        """First full period after the project entered operation, or None if it has not."""
        project = self._project(feed.address)
        logs = project.events.PhaseChanged().get_logs(from_block=self.deployment.deployment_block)
        entered = [log for log in logs if log["args"]["to"] == PHASE_OPERATING]
        if not entered:
            return None
        ts = int(self.w3.eth.get_block(entered[0]["blockNumber"])["timestamp"])
        return -(-ts // self.period) * self.period

    # ------------------------------------------------------------ posting

    def post_due(self) -> int:
        """Posts every ended period not yet on chain, for every project; returns periods posted.
        A project the chain refuses does not hold up the others: they are posted first, then
        PostingError names every project that failed."""
        posted = 0
        failures = []
        for feed in self.feeds:
            # Only a running plant produces: nothing before operation, nothing after a wind-down.
            phase = name_of(PHASES, self._project(feed.address).functions.phase().call())
            if phase != "operating":
                if phase != feed.idle_phase:  # once per phase, not on every poll
                    logger.info(
                        "%s is %s, not operating: nothing to report",
                        feed.cfg.project,
                        phase.replace("_", " "),
                    )
                    feed.idle_phase = phase
                continue
            feed.idle_phase = None
            if feed.operating_since is None:
                feed.operating_since = self._operation_start(feed)
            since = feed.operating_since
            if feed.start is None:
                feed.start = since
            try:
                if since is None or feed.start is None or feed.start < since:
                    raise PostingError(
                        f"start {feed.start} is before the project entered operation (first "
                        f"full period {since}): a plant reports only what it "
                        "produced"
                    )
                posted += self._post_project(feed)
            except PostingError as exc:
                logger.error("%s: %s", feed.cfg.project, exc)
                failures.append(f"{feed.cfg.project}: {exc}")
        if failures:
            raise PostingError(f"posted {posted} period(s), but " + "; ".join(failures))
        return posted

    def _chain_state(self, feed: ProjectFeed) -> tuple[int, Counters]:
        """Next period to post and the counters' base, as the chain has them."""
        latest = {
            m: self.oracle.functions.latestReading(feed.address, m).call() for m in REPORTED_METRICS
        }  # each (value, period, postedAt)
        posted = {m: r for m, r in latest.items() if r[2] != 0}
        if not posted:
            assert feed.start is not None
            return feed.start, Counters()
        periods = {r[1] for r in posted.values()}
        if len(posted) != len(REPORTED_METRICS) or len(periods) != 1:
            where = ", ".join(
                f"{METRIC_NAMES[m]} " + (f"at {latest[m][1]}" if m in posted else "never")
                for m in REPORTED_METRICS
            )
            raise PostingError(
                f"the chain's latest readings are not of one period ({where}): another reporter "
                "or a hand-made post moved them apart; this reporter resumes from a common period"
            )
        return periods.pop() + self.period, Counters(energy_wh=latest[0][0], co2_g=latest[5][0])

    def _post_project(self, feed: ProjectFeed) -> int:
        posted = 0
        while True:
            next_period, counters = self._chain_state(feed)
            now = int(self.w3.eth.get_block("latest")["timestamp"])
            due = (now - next_period) // self.period  # periods that have fully ended
            if due <= 0:
                return posted
            hours = min(due, self.config.batch_periods)
            outputs = feed.source.read(next_period, hours)
            readings = to_readings(
                feed.address, outputs, counters, feed.cfg.emission_factor_g_per_kwh
            )
            self._send(readings)
            posted += hours
            logger.info(
                "%s: posted %d period(s) from %s, energy counter now %.3f kWh",
                feed.cfg.project,
                hours,
                time.strftime("%Y-%m-%d %H:%M", time.gmtime(next_period)),
                counters.energy_wh / 1000,  # to_readings advanced it to the batch end
            )

    def _send(self, readings: list[Reading]) -> None:
        try:
            call = self.oracle.functions.postReadings([r.as_tuple() for r in readings])
        except (MismatchedABI, Web3ValidationError) as exc:  # e.g. a counter beyond uint128
            raise PostingError(
                f"the batch cannot be encoded for the chain: {first_line(exc)[:200]}"
            ) from None
        try:
            tx = call.build_transaction(
                {
                    "from": self.account.address,
                    "nonce": self.w3.eth.get_transaction_count(self.account.address, "pending"),
                    "chainId": self.deployment.chain_id,
                }
            )
        except ContractLogicError as exc:
            # Refused in the gas estimate: nothing was sent.
            data = exc.data.get("data") if isinstance(exc.data, dict) else exc.data
            raise PostingError(f"oracle refused the batch: {describe_revert(data)}") from None
        signed = self.account.sign_transaction(tx)  # type: ignore[arg-type]  # web3's TxParams
        try:
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        except Web3RPCError as exc:  # e.g. another reporter with this key took the nonce
            raise PostingError(f"the node refused the batch: {_refusal(exc)}") from None
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
        if receipt["status"] != 1:
            raise PostingError(f"batch transaction {tx_hash.hex()} reverted")

    def run_forever(self) -> None:
        """One cycle per poll; a failed cycle is logged and the next one starts from the chain.
        A refused batch was logged by its project; a node that does not answer is one line."""
        while True:
            try:
                # The chain may have been restarted or replaced under a long-running reporter.
                verify_chain(self.w3, self.deployment, self.config.rpc_url)
                self.post_due()
            except ConfigError:
                raise  # the deployment is gone (ChainMismatch): retrying cannot help
            except PostingError:
                pass  # each failing project was logged in one line; the others were posted
            except NODE_ERRORS as exc:
                logger.warning(
                    "node at %s: %s; retrying in %.0f s",
                    self.config.rpc_url,
                    first_line(exc),
                    self.config.poll_seconds,
                )
            except Exception:
                logger.exception(
                    "oracle cycle failed; retrying in %.0f s", self.config.poll_seconds
                )
            time.sleep(self.config.poll_seconds)


def _refusal(exc: Web3RPCError) -> str:
    """The node's reason in words; a used nonce means another sender with this key was first."""
    error = exc.rpc_response.get("error") if isinstance(exc.rpc_response, dict) else None
    message = str(error.get("message")) if isinstance(error, dict) else first_line(exc)
    if "nonce too low" in message.lower():
        return (
            f"{message}: another transaction from the reporter's key took its nonce (a second "
            "reporter with the same key?); the next cycle resumes from the chain"
        )
    return message
