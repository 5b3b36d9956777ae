"""The exchange admin connects the factory to the deployment's share exchange, once. The deploy
does this itself when the deployer is the admin; with `--admin` another address, that admin runs
this script (on a dev chain with that unlocked account, elsewhere with INFRAX_ADMIN_KEY).

    python -m scripts.set_exchange --network anvil
"""

from __future__ import annotations

import argparse

from scripts.common import (
    ScriptError,
    connect_to_deployment,
    script_errors,
    send,
    signer,
)

ZERO_ADDRESS = "0x" + "00" * 20


def set_exchange(network_name: str) -> None:
    c = connect_to_deployment(network_name).c
    factory, exchange = c["factory"], c["exchange"].address
    current = factory.exchange()
    if current == exchange:
        print(f"the factory already uses the exchange {exchange}: nothing to do")
        return
    if current != ZERO_ADDRESS:
        raise ScriptError(f"the factory is connected to another exchange ({current}) for good")
    admin = signer(network_name, "admin", expected=factory.admin())
    if factory.admin() != admin.address:
        raise ScriptError(f"{admin.address} is not the exchange admin ({factory.admin()})")
    send(factory.setExchange, exchange, sender=admin)
    print(f"the factory now uses the exchange {exchange}: shares can trade")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--network", default="anvil", help="brownie network id (default: anvil)")
    args = parser.parse_args(argv)
    with script_errors():
        set_exchange(args.network)


if __name__ == "__main__":
    main()
