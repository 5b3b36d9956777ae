"""Chain access: web3 connection, deployment files and contract ABIs.

Deployed addresses are data (``deployments/<network>.json``, written by ``scripts/deploy.py``);
ABIs come from brownie's build artifacts (``build/contracts/<Name>.json``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.exceptions import BlockNotFound, Web3Exception

from backend.common.addresses import checked_address
from backend.common.config_files import parse_json
from backend.common.errors import ConfigError

# What a node that is down, restarting or refusing raises (requests' errors are OSErrors).
NODE_ERRORS = (OSError, Web3Exception)

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = ROOT / "build" / "contracts"


@dataclass(frozen=True)
class FundingAssetInfo:
    address: ChecksumAddress
    symbol: str
    decimals: int


@dataclass(frozen=True)
class Deployment:
    """What ``deployments/<network>.json`` says about one deployment of the exchange."""

    network: str
    chain_id: int
    deployment_block: int
    factory: ChecksumAddress
    oracle: ChecksumAddress
    exchange: ChecksumAddress
    funding_asset: FundingAssetInfo
    deployment_block_hash: str  # identifies the chain beyond its chain id (every anvil is 31337)
    period_seconds: int | None = None  # the oracle's period, checked against the contract

    @property
    def addresses(self) -> dict[str, ChecksumAddress]:
        return {
            "ProjectFactory": self.factory,
            "MetricsOracle": self.oracle,
            "ShareExchange": self.exchange,
        }


def load_deployment(path: Path) -> Deployment:
    """Reads and checks a deployment file; raises ConfigError naming what is wrong."""
    try:
        raw = parse_json(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError(
            f"deployment file {path} not found: run scripts/deploy.py first"
        ) from None
    except ValueError as exc:  # bad JSON, a key given twice, a number of thousands of digits
        raise ConfigError(f"deployment file {path} is not valid JSON: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:  # a directory, no permission, not text
        raise ConfigError(f"cannot read deployment file {path}: {exc}") from None
    return parse_deployment(raw, str(path))


def parse_deployment(raw: Any, source: str) -> Deployment:
    """A deployment record as read from `source` (for messages), checked field by field."""
    if not isinstance(raw, dict):
        raise ConfigError(
            f"deployment file {source} should hold a JSON object, found {type(raw).__name__}"
        )
    try:
        contracts = _section(raw, "contracts")
        asset = _section(raw, "funding_asset")
        network = raw["network"]
        if not isinstance(network, str) or not network:
            raise ValueError(f"network {network!r} is not a network name")
        symbol = asset["symbol"]
        if not isinstance(symbol, str) or not symbol:
            raise ValueError(f"funding_asset.symbol {symbol!r} is not a token symbol")
        period = raw.get("period_seconds")
        return Deployment(
            network=network,
            chain_id=_integer(raw, "chain_id", 1, MAX_QUANTITY),
            deployment_block=_integer(raw, "deployment_block", 0, MAX_QUANTITY),
            factory=_address(contracts, "contracts.ProjectFactory"),
            oracle=_address(contracts, "contracts.MetricsOracle"),
            exchange=_address(contracts, "contracts.ShareExchange"),
            funding_asset=FundingAssetInfo(
                address=_address(asset, "funding_asset.address"),
                symbol=symbol,
                decimals=_integer(asset, "decimals", 0, 255, "funding_asset.decimals"),
            ),
            deployment_block_hash=_block_hash(raw["deployment_block_hash"]),
            period_seconds=None
            if period is None
            else _integer(raw, "period_seconds", 1, 2**32 - 1),
        )
    except KeyError as exc:
        raise ConfigError(f"deployment file {source} lacks the field {exc}") from None
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"deployment file {source} is malformed: {exc}") from None


# A node takes block numbers and chain ids as 64-bit quantities; a larger one is a typo.
MAX_QUANTITY = 2**63 - 1


def _section(raw: dict[str, Any], field: str) -> dict[str, Any]:
    section = raw[field]
    if not isinstance(section, dict):
        raise ValueError(f"{field} should be an object, found {type(section).__name__}")
    return section


def _integer(raw: dict[str, Any], field: str, low: int, high: int, name: str | None = None) -> int:
    value = raw[field]
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name or field} {value!r} is not an integer from {low} to {high}")
    return value


def _address(section: dict[str, Any], name: str) -> ChecksumAddress:
    try:
        return Web3.to_checksum_address(checked_address(section[name.split(".")[-1]]))
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _block_hash(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"0x[0-9a-fA-F]{64}", value):
        raise ValueError(f"deployment_block_hash {value!r} is not a 32-byte 0x hex hash")
    return value.lower()


@cache
def abi(contract_name: str) -> list[dict[str, Any]]:
    """The ABI of a compiled contract (run ``brownie compile`` first)."""
    path = BUILD_DIR / f"{contract_name}.json"
    try:
        return list(json.loads(path.read_text())["abi"])
    except FileNotFoundError:
        raise ConfigError(f"{path} not found: compile the contracts first (make build)") from None


class ChainMismatch(ConfigError):
    """The node is not the deployment's chain at all (another chain, or a restarted one)."""


def verify_deployment(w3: Web3, deployment: Deployment, rpc_url: str) -> None:
    """Checks that the node at `rpc_url` carries this deployment (verify_chain) and that the
    file's other addresses and decimals are those of its contracts."""
    verify_chain(w3, deployment, rpc_url)
    _verify_contracts(w3, deployment, rpc_url)


def verify_chain(w3: Web3, deployment: Deployment, rpc_url: str) -> None:
    """Raises ChainMismatch unless the node is the deployment's chain: same chain id, the
    deployment block's hash (every anvil is chain 31337) and the factory's code. Cheap enough
    for a daemon to ask every cycle."""
    chain_id = w3.eth.chain_id
    if chain_id != deployment.chain_id:
        raise ChainMismatch(
            f"{rpc_url} is chain {chain_id} but the deployment is on chain {deployment.chain_id}"
        )
    try:
        actual = w3.eth.get_block(deployment.deployment_block).get("hash")
    except BlockNotFound:  # a different (shorter) chain; a node error propagates as such
        actual = None
    if actual is None or actual.to_0x_hex() != deployment.deployment_block_hash:
        raise ChainMismatch(
            f"the chain at {rpc_url} is not the one of the deployment file: its block "
            f"{deployment.deployment_block} differs (a restarted or different node?)"
        )
    if len(w3.eth.get_code(deployment.factory)) == 0:
        raise ChainMismatch(
            f"no ProjectFactory at {deployment.factory} on {rpc_url}: the deployment "
            "file belongs to another chain"
        )


def _verify_contracts(w3: Web3, deployment: Deployment, rpc_url: str) -> None:
    # The other addresses must be the factory's exchange and oracle, and the asset's decimals the
    # token's: an edited or mixed-up file would otherwise act on the wrong contract, or price a
    # project in the wrong units.
    if view_call(w3, deployment.factory, "projectImplementation", "address") is None:
        raise ConfigError(
            f"{deployment.factory} on {rpc_url} is not a ProjectFactory: the deployment file is "
            "mixed up"
        )
    # Each names the factory, and answers a view function only its kind of contract has.
    roles = (
        ("ShareExchange", deployment.exchange, "nextOrderId", "uint256"),
        ("MetricsOracle", deployment.oracle, "periodSeconds", "uint32"),
    )
    for name, address, probe, returns in roles:
        if (
            view_call(w3, address, "factory", "address") != deployment.factory
            or view_call(w3, address, probe, returns) is None
        ):
            raise ConfigError(
                f"{address} is not the {name} of the factory {deployment.factory} on {rpc_url}: "
                "the deployment file is mixed up"
            )
    period = view_call(w3, deployment.oracle, "periodSeconds", "uint32")
    if deployment.period_seconds is not None and period != deployment.period_seconds:
        raise ConfigError(
            f"the deployment file gives period_seconds {deployment.period_seconds}, but the "
            f"MetricsOracle {deployment.oracle} uses {period}"
        )
    asset = deployment.funding_asset
    decimals = view_call(w3, asset.address, "decimals", "uint8")
    if decimals is None:
        raise ConfigError(
            f"the funding asset {asset.address} on {rpc_url} is not an ERC-20 token "
            "(it answers no decimals())"
        )
    symbol = view_call(w3, asset.address, "symbol", "string")
    if symbol != asset.symbol:
        raise ConfigError(
            f"the deployment file calls the funding asset {asset.address} {asset.symbol!r}, but "
            f"the token's symbol is {symbol!r}"
        )
    if decimals != asset.decimals:
        raise ConfigError(
            f"the deployment file gives the funding asset {asset.address} {asset.decimals} "
            f"decimals, but the token has {decimals}"
        )


def view_call(w3: Web3, address: str, function: str, returns: str) -> Any:
    """The answer of a no-argument view function, or None if the contract does not give one."""
    output = {"name": "", "type": returns}
    fragment = {
        "name": function,
        "type": "function",
        "stateMutability": "view",
        "inputs": [],
        "outputs": [output],
    }
    contract = w3.eth.contract(address=Web3.to_checksum_address(address), abi=[fragment])
    try:
        return contract.functions[function]().call()
    except Exception:  # no code, a revert, or an answer that does not decode
        return None


def connect(rpc_url: str, timeout: float = 30.0) -> Web3:
    """A web3 connection over HTTP; raises ConfigError when the node does not answer."""
    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
    if not w3.is_connected():
        raise ConfigError(f"no Ethereum node answers at {rpc_url}")
    return w3


@cache
def _error_selectors() -> dict[bytes, tuple[str, list[str]]]:
    """4-byte selector -> (error name, argument types) over every compiled contract's errors."""
    from eth_utils import function_signature_to_4byte_selector

    selectors: dict[bytes, tuple[str, list[str]]] = {}
    for path in BUILD_DIR.glob("*.json"):
        for entry in json.loads(path.read_text()).get("abi", []):
            if entry.get("type") != "error":
                continue
            types = [_abi_type(i) for i in entry["inputs"]]
            signature = f"{entry['name']}({','.join(types)})"
            selectors[function_signature_to_4byte_selector(signature)] = (entry["name"], types)
    return selectors


def _abi_type(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return str(param["type"])


def describe_revert(data: str | bytes | None) -> str:
    """Turns revert data into words: `ErrorName(arg, ...)` for the project's custom errors."""
    from eth_abi import decode

    if not data:
        return "reverted without a reason"
    raw = (
        bytes.fromhex(data[2:] if data.startswith("0x") else data)
        if isinstance(data, str)
        else data
    )
    if raw[:4] == bytes.fromhex("08c379a0"):  # Error(string)
        return str(decode(["string"], raw[4:])[0])
    known = _error_selectors().get(raw[:4])
    if known is None:
        return f"reverted with unknown error 0x{raw[:4].hex()}"
    name, types = known
    try:
        args = decode(types, raw[4:])
    except Exception:
        return name
    return f"{name}({', '.join(str(a) for a in args)})"


def first_line(exc: BaseException) -> str:
    """An error in one line for a log or a message: node errors can span many."""
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__
