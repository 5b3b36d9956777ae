"""A sponsor creates a project from a spec file (YAML or JSON).

    python -m scripts.create_project projects/greensboro-solar.yaml --network anvil

The spec is validated completely, and checked against the chain (sponsor registered, deadline
in the future, funding asset decimals), before any transaction is sent.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scripts.common import (
    ROOT,
    ScriptError,
    chain_now,
    connect_to_deployment,
    script_errors,
    send,
    signer,
)
from scripts.project_spec import contract_args, load_spec


def create_project(spec_path: Path, network_name: str) -> Any:
    """Creates the project; returns the brownie contract object of the new project."""
    spec, spec_bytes = load_spec(spec_path)  # fails before connecting when the file is wrong
    deployment = connect_to_deployment(network_name)
    proj, record, c = deployment.proj, deployment.record, deployment.c
    sponsor = signer(network_name, "sponsor")
    if not c["factory"].isSponsor(sponsor.address):
        raise ScriptError(
            f"{sponsor.address} is not a registered sponsor: ask the exchange admin "
            "to register it (scripts.register_sponsor)"
        )
    if spec.roles.verifier == sponsor.address:
        raise ScriptError(
            f"roles.verifier {spec.roles.verifier} is the sponsor creating the project: the "
            "verifier must be independent of the sponsor (and of the implementor)"
        )
    taken_by = c["factory"].projectBySymbol(spec.symbol)
    if int(taken_by, 16) != 0:
        raise ScriptError(f"symbol {spec.symbol} is taken by project {taken_by}: choose another")
    try:
        rel = spec_path.resolve().relative_to(ROOT)
    except ValueError:
        rel = spec_path
    info, roles, terms, milestones = contract_args(
        spec,
        spec_bytes,
        rel,
        record["funding_asset"]["decimals"],
        record["funding_asset"]["address"],
        chain_now(),
    )
    if spec.metadata_uri is None:
        print(
            f"note: the spec has no metadata_uri, so {info[5]} is recorded (with the file's hash): "
            "publish the spec (e.g. on IPFS) and set metadata_uri so investors can fetch it"
        )
    tx = send(c["factory"].createProject, info, roles, terms, milestones, sender=sponsor)
    address = tx.events["ProjectCreated"]["project"]
    print(
        f"created {spec.kind} project {spec.name!r} ({spec.symbol}) at {address}, "
        f"sponsor {sponsor.address}"
    )
    return proj.Project.at(address)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("spec", type=Path, help="project spec file (.yaml, .yml or .json)")
    parser.add_argument("--network", default="anvil", help="brownie network id (default: anvil)")
    args = parser.parse_args(argv)
    with script_errors():
        create_project(args.spec, args.network)


if __name__ == "__main__":
    main()
