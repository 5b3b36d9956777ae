"""The admin and sponsor scripts on a real chain: bad input and a stale deployment are refused
with one clear message before anything is sent (no nonce is spent)."""

import json
from pathlib import Path

import pytest
import yaml
from brownie import ProjectFactory

from scripts.common import ScriptError, address_arg, read_deployment, require_known_network, send
from scripts.create_project import create_project
from scripts.deploy import deploy
from scripts.register_sponsor import register_sponsor
from scripts.set_exchange import set_exchange

ROOT = Path(__file__).resolve().parents[2]
NETWORK = "development"


@pytest.fixture
def deployments(tmp_path, monkeypatch):
    monkeypatch.setenv("INFRAX_DEPLOYMENTS_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def deployed(deployments):
    """A deployment by the deploy script, with the dev sponsor (account 1) registered."""
    record = deploy(NETWORK)
    register_sponsor(NETWORK, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "Greensboro")
    return record


def _spec(tmp_path, **changes):
    data = yaml.safe_load((ROOT / "projects" / "greensboro-solar.yaml").read_text())
    data.update(changes)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_deploy_refuses_a_funding_asset_that_is_not_a_token(deployed, admin):
    nonce = admin.nonce
    factory = deployed["contracts"]["ProjectFactory"]
    with pytest.raises(ScriptError, match=f"{factory} does not answer symbol"):
        deploy(NETWORK, funding_asset=factory)
    assert admin.nonce == nonce


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("admin", "0x" + "0" * 40, "--admin: the zero address is not allowed"),
        ("admin", "0x70997970c51812dc3a010c7d01b50e0d17dc79C8", "--admin: .* wrong checksum"),
        ("funding_asset", "0x1234", "--funding-asset: '0x1234' is not a 20-byte hex address"),
        ("funding_asset", "0x" + "12" * 20, "has no contract code"),
    ],
)
def test_deploy_checks_addresses_before_sending(deployments, admin, option, value, message):
    nonce = admin.nonce
    with pytest.raises(ScriptError, match=message):
        deploy(NETWORK, **{option: value})
    assert admin.nonce == nonce


def _deploy_is_refused(deployments, admin, match):
    """deploy() refuses with `match`, sends nothing and leaves the deployment file as it was."""
    path = deployments / f"{NETWORK}.json"
    before, nonce = path.read_text(), admin.nonce
    with pytest.raises(ScriptError, match=match):
        deploy(NETWORK)
    assert admin.nonce == nonce
    assert path.read_text() == before


def test_deploy_refuses_to_replace_a_live_deployment(deployed, deployments, admin):
    factory = deployed["contracts"]["ProjectFactory"]
    _deploy_is_refused(
        deployments, admin, f"records a live deployment .*factory {factory}.*--force"
    )


def test_deploy_replaces_a_live_deployment_when_forced(deployed, deployments):
    record = deploy(NETWORK, force=True)
    assert record["contracts"]["ProjectFactory"] != deployed["contracts"]["ProjectFactory"]
    assert json.loads((deployments / f"{NETWORK}.json").read_text()) == record


def test_deploy_replaces_a_deployment_file_whose_chain_is_gone(deployments, capsys):
    stale = {
        "network": NETWORK,
        "chain_id": 1,
        "deployment_block": 7,
        "deployment_block_hash": "0x" + "56" * 32,
        "contracts": {
            name: "0x" + "12" * 20 for name in ("ProjectFactory", "ShareExchange", "MetricsOracle")
        },
        "funding_asset": {"address": "0x" + "34" * 20, "symbol": "USDC", "decimals": 6},
    }
    path = deployments / f"{NETWORK}.json"
    path.write_text(json.dumps(stale))
    record = deploy(NETWORK)
    assert "no longer describes this chain" in capsys.readouterr().out
    assert json.loads(path.read_text()) == record


def test_deploy_keeps_a_damaged_deployment_file_unless_forced(deployed, deployments, admin):
    path = deployments / f"{NETWORK}.json"
    path.write_text('{"network": "development", broken')
    nonce = admin.nonce
    with pytest.raises(ScriptError, match="not valid JSON.*repair it, or pass --force"):
        deploy(NETWORK)
    assert admin.nonce == nonce
    record = deploy(NETWORK, force=True)
    assert json.loads(path.read_text()) == record


def test_deploy_checks_it_can_write_the_record_before_sending(tmp_path, monkeypatch, admin):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    monkeypatch.setenv("INFRAX_DEPLOYMENTS_DIR", str(not_a_folder))
    nonce = admin.nonce
    with pytest.raises(ScriptError, match=f"{not_a_folder} is not a folder"):
        deploy(NETWORK)
    assert admin.nonce == nonce


@pytest.mark.parametrize(
    "spelling",
    [
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",  # EIP-55
        "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",  # all lower case: no checksum to check
        "0x70997970C51812DC3A010C7D01B50E0D17DC79C8",  # all upper case: no checksum either
    ],
)
def test_addresses_in_any_case_without_a_checksum_are_accepted(spelling):
    assert address_arg(spelling, "--admin") == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_an_address_without_0x_is_refused():
    with pytest.raises(
        ScriptError, match="--admin: 70997970C51812dc3A010C7d01b50e0d17dc79C8 should start with 0x"
    ):
        address_arg("70997970C51812dc3A010C7d01b50e0d17dc79C8", "--admin")


@pytest.mark.parametrize(
    ("sponsor", "name", "message"),
    [
        ("0x" + "0" * 40, "Zero", "sponsor: the zero address is not allowed"),
        ("0x90f79bf6eb2c4f870365e785982e1f101e93B906", "Town", "sponsor: .* wrong checksum"),
        ("0x90F79bf6EB2c4f870365E785982E1f101E93b906", "   ", "name must not be empty"),
        ("0x90F79bf6EB2c4f870365E785982E1f101E93b906", "n" * 101, "longer than 100"),
        ("0x90F79bf6EB2c4f870365E785982E1f101E93b906", "Evil\nTown", "must be one line of text"),
    ],
)
def test_register_sponsor_checks_input_before_sending(deployed, admin, sponsor, name, message):
    nonce = admin.nonce
    with pytest.raises(ScriptError, match=message):
        register_sponsor(NETWORK, sponsor, name)
    assert admin.nonce == nonce


def test_a_deployment_file_of_another_chain_is_refused(deployed, deployments, admin):
    path = deployments / f"{NETWORK}.json"
    record = json.loads(path.read_text())
    record["contracts"]["ProjectFactory"] = "0x" + "12" * 20  # no code here
    path.write_text(json.dumps(record))
    nonce = admin.nonce
    with pytest.raises(ScriptError, match="no ProjectFactory at .* deploy again"):
        register_sponsor(NETWORK, "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "Town")
    assert admin.nonce == nonce


def test_deploy_keeps_a_file_with_a_wrong_block_hash_whose_factory_lives(
    deployed, deployments, admin
):
    # A mistyped hash must not pass for a chain that is gone while the factory is still here.
    path = deployments / f"{NETWORK}.json"
    record = json.loads(path.read_text())
    record["deployment_block_hash"] = "0x" + "77" * 32
    path.write_text(json.dumps(record))
    factory = record["contracts"]["ProjectFactory"]
    _deploy_is_refused(
        deployments, admin, f"yet its ProjectFactory {factory} has code on this chain.*--force"
    )


def test_a_deployment_file_with_another_asset_symbol_is_refused(deployed, deployments):
    path = deployments / f"{NETWORK}.json"
    record = json.loads(path.read_text())
    record["funding_asset"]["symbol"] = "USDC"
    path.write_text(json.dumps(record))
    with pytest.raises(
        ScriptError, match="calls the funding asset .* 'USDC', but the token's symbol is 'tUSDC'"
    ):
        register_sponsor(NETWORK, "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "Town")


def test_a_deployment_file_with_another_period_than_the_oracle_is_refused(deployed, deployments):
    path = deployments / f"{NETWORK}.json"
    record = json.loads(path.read_text())
    record["period_seconds"] = 60
    path.write_text(json.dumps(record))
    oracle = record["contracts"]["MetricsOracle"]
    with pytest.raises(
        ScriptError, match=f"period_seconds 60, but the MetricsOracle {oracle} uses 3600"
    ):
        register_sponsor(NETWORK, "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "Town")


def test_an_incomplete_deployment_file_is_refused(deployments):
    (deployments / f"{NETWORK}.json").write_text(json.dumps({"network": NETWORK}))
    with pytest.raises(ScriptError, match="lacks the field .contracts."):
        register_sponsor(NETWORK, "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "Town")


def test_create_project_refuses_the_sponsor_as_verifier(deployed, tmp_path, sponsor):
    roles = {
        "implementor": "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
        "operator": "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
        "verifier": sponsor.address,
    }
    nonce = sponsor.nonce
    with pytest.raises(ScriptError, match=f"roles.verifier {sponsor.address} is the sponsor"):
        create_project(_spec(tmp_path, roles=roles), NETWORK)
    assert sponsor.nonce == nonce


def test_a_transaction_the_chain_would_refuse_is_simulated_and_not_sent(deployed, sponsor):
    factory = ProjectFactory.at(deployed["contracts"]["ProjectFactory"])
    nonce = sponsor.nonce
    with pytest.raises(ScriptError, match="not sent: .*OwnableUnauthorizedAccount"):
        send(factory.registerSponsor, sponsor.address, "Self-made", sender=sponsor)
    assert sponsor.nonce == nonce


def _edit_deployment(deployments, edit):
    path = deployments / f"{NETWORK}.json"
    record = json.loads(path.read_text())
    edit(record)
    path.write_text(json.dumps(record))


def test_a_mixed_up_deployment_file_is_refused(deployed, deployments, admin):
    def swap(record):
        c = record["contracts"]
        c["MetricsOracle"], c["ShareExchange"] = c["ShareExchange"], c["MetricsOracle"]

    _edit_deployment(deployments, swap)
    nonce = admin.nonce
    with pytest.raises(ScriptError, match="is not the ShareExchange of the factory .* mixed up"):
        register_sponsor(NETWORK, "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "Town")
    assert admin.nonce == nonce


def test_a_factory_address_that_is_not_a_factory_is_refused(deployed, deployments):
    exchange = deployed["contracts"]["ShareExchange"]
    _edit_deployment(
        deployments, lambda record: record["contracts"].update(ProjectFactory=exchange)
    )
    with pytest.raises(ScriptError, match=f"{exchange} on .* is not a ProjectFactory"):
        register_sponsor(NETWORK, "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "Town")


def test_funding_asset_decimals_that_are_not_the_tokens_are_refused(deployed, deployments):
    _edit_deployment(deployments, lambda record: record["funding_asset"].update(decimals=18))
    with pytest.raises(
        ScriptError, match="gives the funding asset .* 18 decimals, but the token has 6"
    ):
        register_sponsor(NETWORK, "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "Town")


def test_a_deployment_path_that_is_not_a_readable_file_is_refused(deployments):
    (deployments / f"{NETWORK}.json").mkdir()
    with pytest.raises(ScriptError, match="cannot read .*Is a directory"):
        read_deployment(NETWORK)


def test_scripts_name_an_unknown_network_before_looking_for_its_deployment():
    with pytest.raises(ScriptError, match="unknown network 'Anvil': use a brownie network id"):
        require_known_network("Anvil")


def test_create_project_refuses_a_taken_symbol(deployed, tmp_path, sponsor):
    create_project(_spec(tmp_path), NETWORK)
    nonce = sponsor.nonce
    with pytest.raises(ScriptError, match="symbol GSO-SOLAR is taken"):
        create_project(_spec(tmp_path, name="Another"), NETWORK)
    assert sponsor.nonce == nonce


def test_a_separate_admin_connects_the_exchange_and_registers_sponsors(
    deployments, accounts, capsys
):
    other_admin = accounts[6]
    record = deploy(NETWORK, admin=other_admin.address)
    factory = ProjectFactory.at(record["contracts"]["ProjectFactory"])
    assert factory.exchange() == "0x" + "00" * 20
    assert "next: the admin" in capsys.readouterr().out
    set_exchange(NETWORK)
    assert factory.exchange() == record["contracts"]["ShareExchange"]
    set_exchange(NETWORK)
    assert "already uses the exchange" in capsys.readouterr().out
    register_sponsor(NETWORK, "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "Town")
    assert factory.isSponsor("0x90F79bf6EB2c4f870365E785982E1f101E93b906")


def test_a_sponsor_key_in_the_environment_signs_on_a_dev_chain_too(deployed, tmp_path, monkeypatch):
    # anvil's dev account 6: a second town, not the default sponsor (account 1)
    second_town = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"
    register_sponsor(NETWORK, second_town, "Second Town")
    monkeypatch.setenv(
        "INFRAX_SPONSOR_KEY", "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e"
    )
    project = create_project(_spec(tmp_path), NETWORK)
    assert project.roles()[0] == second_town
