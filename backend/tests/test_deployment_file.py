"""The deployment file every service and script reads: each malformed field is named in one
line (ConfigError), never a traceback from deeper down."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from backend.common.chain import parse_deployment
from backend.common.errors import ConfigError

GOOD: dict[str, Any] = {
    "network": "anvil",
    "chain_id": 31337,
    "deployment_block": 1,
    "deployment_block_hash": "0x" + "AB" * 32,
    "period_seconds": 3600,
    "contracts": {
        "ProjectFactory": "0x" + "11" * 20,
        "MetricsOracle": "0x" + "22" * 20,
        "ShareExchange": "0x" + "33" * 20,
    },
    "funding_asset": {"address": "0x" + "44" * 20, "symbol": "USDC", "decimals": 6},
}


def _with(path: str, value: Any) -> dict[str, Any]:
    raw = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    section = raw
    for part in parents:
        section = section[part]
    section[last] = value
    return raw


def test_a_good_file_is_read_as_written() -> None:
    d = parse_deployment(GOOD, "anvil.json")
    assert (d.network, d.chain_id, d.deployment_block, d.period_seconds) == (
        "anvil",
        31337,
        1,
        3600,
    )
    assert d.deployment_block_hash == "0x" + "ab" * 32
    assert d.factory == "0x" + "11" * 20 and d.funding_asset.decimals == 6


def test_period_seconds_may_be_left_out() -> None:
    raw = copy.deepcopy(GOOD)
    del raw["period_seconds"]
    assert parse_deployment(raw, "anvil.json").period_seconds is None


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("deployment_block_hash", 123, "deployment_block_hash 123 is not a 32-byte 0x hex hash"),
        ("deployment_block_hash", ["0x"], "deployment_block_hash ['0x'] is not a 32-byte"),
        ("deployment_block_hash", "0x" + "ab" * 31, "is not a 32-byte 0x hex hash"),
        ("deployment_block", 10**30, f"deployment_block {10**30} is not an integer from 0 to"),
        ("deployment_block", True, "deployment_block True is not an integer"),
        ("chain_id", "31337", "chain_id '31337' is not an integer from 1 to"),
        ("funding_asset.decimals", "6", "funding_asset.decimals '6' is not an integer from 0"),
        ("funding_asset.decimals", 256, "funding_asset.decimals 256 is not an integer from 0"),
        ("funding_asset.symbol", 7, "funding_asset.symbol 7 is not a token symbol"),
        ("period_seconds", 0, "period_seconds 0 is not an integer from 1 to"),
        ("network", "", "network '' is not a network name"),
        ("contracts", "0x11", "contracts should be an object, found str"),
        ("funding_asset", [], "funding_asset should be an object, found list"),
        ("contracts.MetricsOracle", "0x1234", "contracts.MetricsOracle: '0x1234' is not a 20-byte"),
        ("funding_asset.address", "0x" + "00" * 20, "funding_asset.address: the zero address"),
    ],
)
def test_a_malformed_field_is_named(path: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_deployment(_with(path, value), "anvil.json")
    assert str(caught.value).startswith("deployment file anvil.json is malformed: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("missing", ["deployment_block_hash", "network", "contracts"])
def test_a_missing_field_is_named(missing: str) -> None:
    raw = copy.deepcopy(GOOD)
    del raw[missing]
    with pytest.raises(ConfigError, match=f"lacks the field '{missing}'"):
        parse_deployment(raw, "anvil.json")
