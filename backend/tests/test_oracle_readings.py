"""From plant output to on-chain readings, and the reporter's config file."""

from pathlib import Path

import pytest

from backend.common.chain import ROOT
from backend.common.errors import ConfigError
from backend.oracle.config import load_config
from backend.oracle.readings import (
    CO2_AVOIDED_KG,
    ENERGY_KWH,
    UPTIME_BPS,
    Counters,
    Reading,
    co2_avoided_g,
    to_readings,
)
from backend.oracle.sources.base import PeriodOutput

PROJECT = "0x" + "ab" * 20


def test_co2_avoided_rounds_down_to_the_gram():
    assert co2_avoided_g(1_000, 373) == 373
    assert co2_avoided_g(2_999, 373) == 1_118  # 1118.627 g


def test_readings_continue_counters_from_the_chain():
    counters = Counters(energy_wh=10_000, co2_g=3_730)
    outputs = [PeriodOutput(3600, 2_500, 10_000), PeriodOutput(7200, 0, 0)]
    readings = to_readings(PROJECT, outputs, counters, 373)
    assert readings == [
        Reading(PROJECT, ENERGY_KWH, 3600, 12_500),
        Reading(PROJECT, UPTIME_BPS, 3600, 10_000),
        Reading(PROJECT, CO2_AVOIDED_KG, 3600, 3_730 + 932),
        Reading(PROJECT, ENERGY_KWH, 7200, 12_500),
        Reading(PROJECT, UPTIME_BPS, 7200, 0),
        Reading(PROJECT, CO2_AVOIDED_KG, 7200, 4_662),
    ]
    assert counters == Counters(energy_wh=12_500, co2_g=4_662)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "oracle.yaml"
    path.write_text(text)
    return path


GOOD = """
deployment: deployments/anvil.json
key_env: INFRAX_REPORTER_KEY
projects:
  - project: GSO-SOLAR
    emission_factor_g_per_kwh: 373
    source: {type: solar, capacity_kw: 5000}
"""


def test_config_loads_with_defaults(tmp_path):
    config = load_config(_write(tmp_path, GOOD))
    assert config.rpc_url == "http://127.0.0.1:8545"
    assert config.batch_periods == 24
    assert config.projects[0].start == "operation"
    assert config.projects[0].source.type == "solar"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("type: solar", "type: tidal"), "projects.0.source"),
        (GOOD.replace("373", "-1"), "emission_factor_g_per_kwh"),
        (GOOD.replace("key_env: INFRAX_REPORTER_KEY\n", ""), "exactly one of key_env or keystore"),
        (GOOD + "unexpected: 1\n", "unexpected"),
        ("projects: [", "not valid YAML"),
        (GOOD.replace("    emission", "    start: -3600\n    emission"), "projects.0.start"),
        ("", "expected a mapping of settings .* found an empty file"),
        ("- rpc_url\n", "expected a mapping of settings .* found list"),
        (
            GOOD.replace("GSO-SOLAR", '"0x9F1ac54BEF0DD2f6f3462EA0fa94fC62300d3a8e"'),
            "projects.0.project.* wrong checksum",
        ),
        (GOOD + "poll_seconds: .inf\n", "poll_seconds"),
        (
            GOOD.replace("{type: solar, capacity_kw: 5000}", "{type: wind, hub_height: 780}"),
            "hub_height",
        ),
        (
            GOOD.replace("GSO-SOLAR", "0x9f1ac54BEF0DD2f6f3462EA0fa94fC62300d3a8e"),
            "projects.0.project.* an address must be quoted",
        ),
        # YAML reads these as booleans; taken as 1 they would cut CO2 avoided 373 times.
        (GOOD.replace("373", "yes"), "emission_factor_g_per_kwh: Input should be a valid integer"),
        (GOOD.replace("capacity_kw: 5000", "capacity_kw: on"), "capacity_kw: Input should be"),
        (GOOD + "batch_periods: true\n", "batch_periods: Input should be a valid integer"),
        (GOOD + "deployment: other.json\n", "the key 'deployment' is given twice .lines 2 and 8"),
    ],
)
def test_config_errors_name_the_problem(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(_write(tmp_path, text))
    assert "\n" not in str(caught.value)


def test_config_takes_a_project_address_in_any_case_without_a_checksum(tmp_path):
    text = GOOD.replace("GSO-SOLAR", '"0x9f1ac54bef0dd2f6f3462ea0fa94fc62300d3a8e"')
    assert load_config(_write(tmp_path, text)).projects[0].project == (
        "0x9f1ac54BEF0DD2f6f3462EA0fa94fC62300d3a8e"
    )


def test_a_keystore_that_is_not_one_is_refused_before_asking_a_password(tmp_path):
    from backend.oracle.service import load_key

    not_a_keystore = tmp_path / "key.json"
    not_a_keystore.write_text('{"address": "0x' + "ab" * 20 + '"}')
    text = GOOD.replace("key_env: INFRAX_REPORTER_KEY", f"keystore: {not_a_keystore}")
    with pytest.raises(ConfigError, match=f"{not_a_keystore} is not an encrypted JSON keystore"):
        load_key(load_config(_write(tmp_path, text)))


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read oracle config"):
        load_config(tmp_path / "nope.yaml")


def test_cli_refuses_an_unknown_log_level_by_name(tmp_path, capsys):
    from backend.oracle.__main__ import main

    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--config", str(_write(tmp_path, GOOD)), "--log-level", "NOPE"])
    assert exit_info.value.code == 2
    assert "argument --log-level: invalid choice: 'NOPE'" in capsys.readouterr().err


def test_a_used_nonce_is_explained_in_words():
    from web3.exceptions import Web3RPCError

    from backend.oracle.service import _refusal

    error = {"code": -32003, "message": "nonce too low"}
    refused = Web3RPCError(str(error), rpc_response={"jsonrpc": "2.0", "id": 1, "error": error})
    assert _refusal(refused) == (
        "nonce too low: another transaction from the reporter's key took its nonce (a second "
        "reporter with the same key?); the next cycle resumes from the chain"
    )
    other = {"code": -32000, "message": "insufficient funds for gas"}
    assert _refusal(Web3RPCError(str(other), rpc_response={"error": other})) == (
        "insufficient funds for gas"
    )


def test_a_keystore_without_a_password_and_no_terminal_is_one_line(tmp_path):
    import json
    import subprocess
    import sys

    from eth_account import Account

    keystore = tmp_path / "key.json"
    keystore.write_text(json.dumps(Account.encrypt("0x" + "11" * 32, "secret", iterations=2)))
    text = GOOD.replace("key_env: INFRAX_REPORTER_KEY", f"keystore: {keystore}")
    config = _write(tmp_path, text)
    probe = "\n".join(
        [
            "from pathlib import Path",
            "from backend.common.errors import ConfigError",
            "from backend.oracle.config import load_config",
            "from backend.oracle.service import load_key",
            "try:",
            f"    load_key(load_config(Path({str(config)!r})))",
            "except ConfigError as e:",
            "    print(e)",
        ]
    )
    done = subprocess.run(  # its own session: no terminal to ask a password on
        [sys.executable, "-c", probe],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        start_new_session=True,
        timeout=60,
    )
    assert "Traceback" not in done.stderr
    assert done.stdout.strip() == (
        f"no password for {keystore}: set password_env in the config, or run the oracle in a "
        "terminal"
    )


def test_the_demo_ignores_exported_role_keys(monkeypatch, tmp_path):
    from backend.demo import script_env

    monkeypatch.setenv("INFRAX_SPONSOR_KEY", "0x" + "22" * 32)
    monkeypatch.setenv("INFRAX_ADMIN_KEY", "0x" + "33" * 32)
    monkeypatch.setenv("INFRAX_RPC_URL", "http://127.0.0.1:9")
    env = script_env(tmp_path)
    assert "INFRAX_SPONSOR_KEY" not in env and "INFRAX_ADMIN_KEY" not in env
    assert env["INFRAX_RPC_URL"] == "http://127.0.0.1:9"
    assert env["INFRAX_DEPLOYMENTS_DIR"] == str(tmp_path)
