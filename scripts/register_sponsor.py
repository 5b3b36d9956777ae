"""The exchange admin registers a sponsor (a town, county or state).

python -m scripts.register_sponsor 0x7099...79C8 "Town of Greensboro" --network anvil
"""

from __future__ import annotations

import argparse

from scripts.common import ScriptError, connect, contracts, read_deployment, script_errors, signer


def register_sponsor(network_name: str, sponsor: str, name: str) -> None:
    if not name.strip():
        raise ScriptError("the sponsor's name must not be empty")
    record = read_deployment(network_name)
    proj = connect(network_name)
    from brownie import web3

    if not web3.is_address(sponsor):
        raise ScriptError(f"{sponsor!r} is not an address")
    c = contracts(proj, record)
    admin = signer(network_name, "admin")
    if c["factory"].admin() != admin.address:
        raise ScriptError(f"{admin.address} is not the exchange admin ({c['factory'].admin()})")
    address = web3.to_checksum_address(sponsor)
    if c["factory"].isSponsor(address):
        raise ScriptError(f"{address} is already a registered sponsor")
    c["factory"].registerSponsor(address, name, {"from": admin})
    print(f"registered sponsor {name!r} {address}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sponsor", help="sponsor address")
    parser.add_argument("name", help="display name")
    parser.add_argument("--network", default="anvil")
    args = parser.parse_args(argv)
    with script_errors():
        register_sponsor(args.network, args.sponsor, args.name)


if __name__ == "__main__":
    main()
