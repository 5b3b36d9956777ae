"""Deploy the exchange: factory (with the project implementation), share exchange, metrics
oracle; on a dev chain also a 6-decimal test stablecoin. Writes deployments/<network>.json.

    python -m scripts.deploy --network anvil
    python -m scripts.deploy --network sepolia --funding-asset 0x... --admin 0x...
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from scripts.common import (
    ScriptError,
    address_arg,
    connect,
    deployment_path,
    is_dev_network,
    script_errors,
    send,
    signer,
    write_deployment,
)

PERIOD_SECONDS = 3600  # the oracle's period: one hour
MAX_DECIMALS = 18  # prices and amounts are held in uint128 units


def _checked_funding_asset(value: str, network_name: str) -> str:
    """The funding asset must be an ERC-20 with metadata: a contract that answers symbol() and
    decimals() sensibly. Asked with eth_call, so nothing is spent."""
    from brownie import web3

    from backend.common.chain import view_call

    address = address_arg(value, "--funding-asset")
    if len(web3.eth.get_code(address)) == 0:
        raise ScriptError(f"--funding-asset {address} has no contract code on {network_name}")
    symbol = view_call(web3, address, "symbol", "string")
    decimals = view_call(web3, address, "decimals", "uint8")
    if symbol is None or decimals is None:  # a revert, or an answer that does not decode
        raise ScriptError(
            f"--funding-asset {address} does not answer symbol() and decimals(): "
            "not an ERC-20 token"
        )
    if not 0 <= decimals <= MAX_DECIMALS:
        raise ScriptError(
            f"--funding-asset {symbol} has {decimals} decimals (at most {MAX_DECIMALS})"
        )
    return address


def _check_deployment_file(network_name: str, force: bool) -> None:
    """Before anything is sent: the record can be written, and writing it loses nothing. A
    second deploy would orphan the first one's projects from every script and service that
    reads the file, so a live deployment (or a damaged file that may describe one) is kept
    unless forced; a file whose chain is gone (a restarted dev chain) is stale and replaced."""
    from brownie import web3

    from backend.common.chain import ChainMismatch, load_deployment, verify_deployment
    from backend.common.errors import ConfigError

    path = deployment_path(network_name)
    _check_writable(path)
    if not path.exists():
        return
    try:
        recorded = load_deployment(path)
        verify_deployment(web3, recorded, web3.provider.endpoint_uri)
    except ChainMismatch as exc:
        if len(web3.eth.get_code(recorded.factory)) == 0:
            print(f"replacing {path}: it no longer describes this chain ({exc})")
            return
        exc_text = f"{exc}, yet its ProjectFactory {recorded.factory} has code on this chain"
        if not force:
            raise ScriptError(
                f"{exc_text}. It may still record a live deployment: repair it, or pass --force "
                "to replace it"
            ) from None
        print(f"replacing {path} (--force): {exc_text}")
        return
    except ConfigError as exc:
        if not force:
            raise ScriptError(
                f"{exc}. It may still record a live deployment: repair it, or pass --force to "
                "replace it"
            ) from None
        print(f"replacing {path} (--force): {exc}")
        return
    if force:
        print(f"replacing {path} (--force): its deployment at block {recorded.deployment_block}")
        return
    raise ScriptError(
        f"{path} records a live deployment on this chain (factory {recorded.factory}, block "
        f"{recorded.deployment_block}); deploying again would hide its projects from the "
        "scripts and services. Use that one, or pass --force to replace the file"
    )


def _check_writable(path: Path) -> None:
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise ScriptError(
            f"{folder} is not a folder: INFRAX_DEPLOYMENTS_DIR must name the folder of the "
            "deployment files"
        )
    if path.is_dir():
        raise ScriptError(f"{path} is a folder: the deployment record cannot be written there")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScriptError(f"cannot create the folder {folder}: {exc}") from None
    target = path if path.exists() else folder
    if not os.access(target, os.W_OK):
        raise ScriptError(f"{target} is not writable: the deployment record could not be saved")


def deploy(
    network_name: str,
    funding_asset: str | None = None,
    admin: str | None = None,
    force: bool = False,
) -> dict[str, Any]:
    proj = connect(network_name)
    from brownie import chain, web3

    dev = is_dev_network(network_name)
    deployer = signer(network_name, "admin")
    # Check everything before the first transaction.
    if funding_asset is None and not dev:
        raise ScriptError(
            "--funding-asset is required outside dev chains (the stablecoin to raise in)"
        )
    asset = None if funding_asset is None else _checked_funding_asset(funding_asset, network_name)
    admin = None if admin is None else address_arg(admin, "--admin")
    if deployer.balance() == 0:
        raise ScriptError(f"deployer {deployer.address} has no ether to pay for gas")
    _check_deployment_file(network_name, force)

    tx = {"from": deployer}
    if funding_asset is None:
        token = proj.TestStablecoin.deploy("Test USD Coin", "tUSDC", 6, tx)
    else:
        token = proj.interface.IERC20Metadata(asset)
    factory = proj.ProjectFactory.deploy(admin or deployer.address, tx)
    exchange = proj.ShareExchange.deploy(factory.address, tx)
    oracle = proj.MetricsOracle.deploy(factory.address, PERIOD_SECONDS, tx)
    wired = admin is None or admin == deployer.address
    if wired:
        send(factory.setExchange, exchange.address, sender=deployer)
    record = {
        "network": network_name,
        "chain_id": chain.id,
        "deployment_block": factory.tx.block_number,
        "deployment_block_hash": "0x"
        + bytes(web3.eth.get_block(factory.tx.block_number)["hash"]).hex(),
        "admin": admin or deployer.address,
        "contracts": {
            "ProjectFactory": factory.address,
            "ShareExchange": exchange.address,
            "MetricsOracle": oracle.address,
        },
        "funding_asset": {
            "address": token.address,
            "symbol": token.symbol(),
            "decimals": token.decimals(),
        },
        "period_seconds": PERIOD_SECONDS,
    }
    path = write_deployment(network_name, record)
    block = record["deployment_block"]
    print(f"deployed on {network_name} (chain {chain.id}) at block {block}: {path}")
    for name, address in record["contracts"].items():
        print(f"  {name:<15} {address}")
    print(f"  funding asset   {token.address} ({record['funding_asset']['symbol']})")
    if not wired:
        print(
            f"next: the admin {admin} connects the exchange (python -m scripts.set_exchange "
            f"--network {network_name}); until then shares cannot be traded"
        )
    return record


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--network", default="anvil", help="brownie network id (default: anvil)")
    parser.add_argument("--funding-asset", help="ERC-20 to raise in (required outside dev chains)")
    parser.add_argument("--admin", help="exchange admin (default: the deployer)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace deployments/<network>.json even though its deployment is live",
    )
    args = parser.parse_args(argv)
    with script_errors():
        deploy(args.network, args.funding_asset, args.admin, args.force)


if __name__ == "__main__":
    main()
