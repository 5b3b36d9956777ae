"""What every script needs: connect brownie to a network, pick accounts, read and write
``deployments/<network>.json``, convert human amounts."""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

from scripts.receipt_lag import tolerate_receipt_lag

ROOT = Path(__file__).resolve().parents[1]

# Networks on which the dev accounts are unlocked and a test stablecoin may be deployed.
DEV_NETWORKS = {"anvil", "development"}
DEV_CHAIN_ID = 31337

# Roles of the dev chain's unlocked accounts (anvil's deterministic accounts 0..19).
DEV_ROLES = {
    "admin": 0,
    "sponsor": 1,
    "implementor": 2,
    "operator": 3,
    "verifier": 4,
    "reporter": 5,
}
DEV_INVESTORS = range(8, 20)
# brownie's `development` network is the test chain: its own anvil on 8546 (the demo's is `anvil`
# on 8545) with 20 accounts. Set in code because brownie 1.22.2 crashes on a
# `networks: development: cmd_settings:` block in brownie-config.yaml.
TEST_CHAIN_SETTINGS = {"port": 8546, "accounts": 20}


def configure_test_chain() -> None:
    """Points brownie's `development` network at the test chain (before it connects)."""
    import brownie

    brownie._config.CONFIG.networks["development"]["cmd_settings"].update(TEST_CHAIN_SETTINGS)


class ScriptError(Exception):
    """Bad input or state found before anything was sent; printed as one line."""


def fail(message: str) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


@contextmanager
def script_errors() -> Iterator[None]:
    """Turns the errors a script expects into one line and exit code 2: bad input found before
    sending (ScriptError, SpecError) and a transaction the chain refused (with its reason)."""
    from brownie.exceptions import VirtualMachineError

    from scripts.project_spec import SpecError

    try:
        yield
    except (ScriptError, SpecError) as exc:
        fail(str(exc))
    except VirtualMachineError as exc:
        fail(f"the chain refused the transaction: {exc.revert_msg or exc}")
    except ValueError as exc:  # brownie raises node errors (e.g. fee too low) as ValueError
        fail(f"the node refused the transaction: {exc}")


def chain_now() -> int:
    """Time of the latest block: what the contracts compare deadlines with (the wall clock is
    not chain time once a dev chain has been moved forward)."""
    from brownie import web3

    return int(web3.eth.get_block("latest")["timestamp"])


def sleep_chain_until(timestamp: int) -> None:
    """Dev chains only: moves chain time to at least `timestamp` and mines a block."""
    from brownie import web3

    delta = timestamp - chain_now()
    if delta > 0:
        web3.provider.make_request("evm_increaseTime", [delta])
    web3.provider.make_request("evm_mine", [])


def deployments_dir() -> Path:
    return Path(os.environ.get("INFRAX_DEPLOYMENTS_DIR", ROOT / "deployments"))


def deployment_path(network_name: str) -> Path:
    return deployments_dir() / f"{network_name}.json"


def connect(network_name: str) -> Any:
    """Loads the brownie project (compiling if needed) and connects to `network_name`."""
    from brownie import network, project

    os.environ.setdefault("SOLCX_BINARY_PATH", str(ROOT / ".solc"))
    loaded = project.get_loaded_projects()
    proj = loaded[0] if loaded else project.load(ROOT, name="InfraxProject")
    configure_test_chain()
    tolerate_receipt_lag()
    _quiet_brownie_warnings()
    if not network.is_connected():
        require_known_network(network_name)
        _require_running_node(network_name)
        try:
            network.connect(network_name)
        except Exception as exc:  # brownie raises several types; the message is what matters
            raise ScriptError(f"cannot connect to network {network_name!r}: {exc}") from None
    return proj


def _quiet_brownie_warnings() -> None:
    """Brownie warns about its own internals (rpc.snapshot) and that a dev chain already has
    blocks, which is what acting on a running chain means: noise that hides the script's output."""
    from brownie.exceptions import BrownieEnvironmentWarning

    warnings.filterwarnings("ignore", message=r"rpc\.\w+ should not be called directly")
    warnings.filterwarnings("ignore", category=BrownieEnvironmentWarning)


def require_known_network(network_name: str) -> None:
    """A network id brownie knows (checked before any file is read: a typo is not a missing
    deployment)."""
    import brownie

    if network_name not in brownie._config.CONFIG.networks:
        raise ScriptError(
            f"unknown network {network_name!r}: use a brownie network id, e.g. 'anvil' (the "
            "local chain on 127.0.0.1:8545); `.venv-brownie/bin/brownie networks list` shows all"
        )


def _require_running_node(network_name: str) -> None:
    """The `anvil` network is the chain of `make chain` / `make demo`. Brownie would start a bare
    anvil of its own when none answers (other accounts, a base fee), which fails later and
    obscurely; say what to do instead. (`development`, the test chain, brownie may start.)"""
    if network_name != "anvil":
        return
    import socket
    from urllib.parse import urlparse

    import brownie

    settings = brownie._config.CONFIG.networks["anvil"]
    host = urlparse(settings["host"]).hostname or "127.0.0.1"
    port = int(settings.get("cmd_settings", {}).get("port", 8545))
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        raise ScriptError(
            f"no node answers at {host}:{port}: start the local chain with `make chain` "
            "(or run `make demo`)"
        ) from None


def is_dev_network(network_name: str) -> bool:
    from brownie import chain

    return network_name in DEV_NETWORKS or chain.id == DEV_CHAIN_ID


def dev_account(role: str) -> Any:
    from brownie import accounts

    return accounts[DEV_ROLES[role]]


def dev_investors() -> list[Any]:
    from brownie import accounts

    return [accounts[i] for i in DEV_INVESTORS]


def signer(network_name: str, role: str, expected: str | None = None) -> Any:
    """The account acting as `role`: the private key in the environment variable
    INFRAX_<ROLE>_KEY (never printed) when it is set; otherwise, on dev networks only, an
    unlocked dev account (the `expected` address when it is one of them, e.g. an admin given to
    the deploy, else the role's default account)."""
    from brownie import accounts

    variable = f"INFRAX_{role.upper()}_KEY"
    key = os.environ.get(variable)
    if not key and is_dev_network(network_name):
        unlocked = {account.address: account for account in accounts}
        return unlocked.get(expected or "", dev_account(role))
    if not key:
        raise ScriptError(f"set {variable} to the {role}'s private key to act on {network_name}")
    try:
        return accounts.add(key)
    except Exception:
        raise ScriptError(f"{variable} does not hold a valid private key") from None


def write_deployment(network_name: str, record: dict[str, Any]) -> Path:
    path = deployment_path(network_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n")
    return path


def read_deployment(network_name: str) -> dict[str, Any]:
    """The deployment record of `network_name`, checked to have every field scripts use."""
    from brownie import network

    from backend.common.chain import parse_deployment
    from backend.common.config_files import parse_json
    from backend.common.errors import ConfigError

    if not network.is_connected():
        require_known_network(network_name)
    path = deployment_path(network_name)
    try:
        record: dict[str, Any] = parse_json(path.read_bytes())
    except FileNotFoundError:
        raise ScriptError(f"{path} not found: deploy first (scripts/deploy.py)") from None
    except ValueError as exc:  # bad JSON, a key given twice, a number of thousands of digits
        raise ScriptError(f"{path} is not valid JSON: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:  # a directory, no permission, not text
        raise ScriptError(f"cannot read {path}: {exc}") from None
    try:
        parse_deployment(record, str(path))
    except ConfigError as exc:
        raise ScriptError(str(exc)) from None
    return record


def contracts(proj: Any, record: dict[str, Any]) -> dict[str, Any]:
    """Brownie contract objects for the deployment's addresses, once the connected chain is
    shown to be the deployment's (chain id, deployment block hash, factory code)."""
    from brownie import web3

    from backend.common.chain import parse_deployment, verify_deployment
    from backend.common.errors import ConfigError

    try:
        verify_deployment(web3, parse_deployment(record, "record"), web3.provider.endpoint_uri)
    except ConfigError as exc:
        raise ScriptError(
            f"{exc}; deploy again (scripts.deploy) or pick the right --network"
        ) from None
    c = record["contracts"]
    return {
        "factory": proj.ProjectFactory.at(c["ProjectFactory"]),
        "oracle": proj.MetricsOracle.at(c["MetricsOracle"]),
        "exchange": proj.ShareExchange.at(c["ShareExchange"]),
        "asset": proj.interface.IERC20(record["funding_asset"]["address"]),
    }


@dataclass(frozen=True)
class Connected:
    """A script's view of one deployment: the brownie project, the record and its contracts."""

    proj: Any
    record: dict[str, Any]
    c: dict[str, Any]


def connect_to_deployment(network_name: str) -> Connected:
    """Reads deployments/<network>.json, connects, and checks the chain carries it."""
    record = read_deployment(network_name)
    proj = connect(network_name)
    return Connected(proj, record, contracts(proj, record))


def send(method: Any, *args: Any, sender: Any) -> Any:
    """Sends a contract transaction after simulating it (eth_call): a call that would revert is
    refused here with the contract's reason, before it costs any gas."""
    from brownie.exceptions import VirtualMachineError

    try:
        method.call(*args, {"from": sender})
    except VirtualMachineError as exc:
        raise ScriptError(
            f"not sent: the chain would refuse it with {exc.revert_msg or exc}"
        ) from None
    return method(*args, {"from": sender})


def address_arg(value: str, what: str) -> str:
    """A command-line address, checked like a spec's (checksum, not zero)."""
    from backend.common.addresses import checked_address

    try:
        return checked_address(value)
    except ValueError as exc:
        raise ScriptError(f"{what}: {exc}") from None


def to_units(amount: str | int | float | Decimal, decimals: int, what: str) -> int:
    """Human amount -> integer units; refuses amounts finer than the token's decimals."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise ScriptError(f"{what}: {amount!r} is not a number") from None
    units = value * (Decimal(10) ** decimals)
    if units != units.to_integral_value():
        raise ScriptError(f"{what}: {format(value, 'f')} has more than {decimals} decimals")
    return int(units)


def from_units(units: int, decimals: int) -> str:
    value = Decimal(units) / (Decimal(10) ** decimals)
    text = format(value.normalize(), "f")
    return text
