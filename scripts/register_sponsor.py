"""The exchange admin registers a sponsor (a town, county or state).

    python -m scripts.register_sponsor 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 \
        "Town of Greensboro" --network anvil
"""

from __future__ import annotations

import argparse

from scripts.common import (
    ScriptError,
    address_arg,
    connect_to_deployment,
    script_errors,
    send,
    signer,
)
from scripts.project_spec import MAX_NAME, printable


def register_sponsor(network_name: str, sponsor: str, name: str) -> None:
    name = name.strip()
    if not name:
        raise ScriptError("the sponsor's name must not be empty")
    if len(name) > MAX_NAME:
        raise ScriptError(f"the sponsor's name is longer than {MAX_NAME} characters")
    try:
        printable(name)
    except ValueError as exc:
        raise ScriptError(f"the sponsor's name {exc}") from None
    address = address_arg(sponsor, "sponsor")
    c = connect_to_deployment(network_name).c
    admin = signer(network_name, "admin", expected=c["factory"].admin())
    if c["factory"].admin() != admin.address:
        raise ScriptError(f"{admin.address} is not the exchange admin ({c['factory'].admin()})")
    if c["factory"].isSponsor(address):
        raise ScriptError(f"{address} is already a registered sponsor")
    send(c["factory"].registerSponsor, address, name, sender=admin)
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
