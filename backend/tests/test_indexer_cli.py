"""``python -m backend.indexer`` refuses bad configuration with one line and exit code 2."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from backend.common.chain import ROOT

GOOD_DEPLOYMENT = {
    "network": "anvil",
    "chain_id": 31337,
    "deployment_block": 1,
    "deployment_block_hash": "0x" + "ab" * 32,
    "contracts": {
        "ProjectFactory": "0x" + "11" * 20,
        "MetricsOracle": "0x" + "22" * 20,
        "ShareExchange": "0x" + "33" * 20,
    },
    "funding_asset": {"address": "0x" + "44" * 20, "symbol": "USDC", "decimals": 6},
}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the socket is


def _run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend.indexer", "--once", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "INFRAX_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
    )


def _assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]


def test_missing_deployment_file(tmp_path: Path) -> None:
    result = _run("--deployment", str(tmp_path / "nope.json"), tmp_path=tmp_path)
    _assert_one_line_error(result, "nope.json", "not found")


def test_deployment_file_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    _assert_one_line_error(_run("--deployment", str(path), tmp_path=tmp_path), "not valid JSON")


@pytest.mark.parametrize("missing", ["contracts", "chain_id", "funding_asset"])
def test_deployment_file_missing_a_key(tmp_path: Path, missing: str) -> None:
    path = tmp_path / "partial.json"
    path.write_text(json.dumps({k: v for k, v in GOOD_DEPLOYMENT.items() if k != missing}))
    _assert_one_line_error(
        _run("--deployment", str(path), tmp_path=tmp_path), f"lacks the field '{missing}'"
    )


@pytest.mark.parametrize(
    ("field", "value"), [("deployment_block", -5), ("chain_id", 0), ("deployment_block", "7")]
)
def test_deployment_file_with_a_bad_number(tmp_path: Path, field: str, value: object) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**GOOD_DEPLOYMENT, field: value}))
    result = _run("--deployment", str(path), tmp_path=tmp_path)
    _assert_one_line_error(result, f"is malformed: {field} {value!r} is not an integer")


def test_deployment_path_that_is_a_directory(tmp_path: Path) -> None:
    result = _run("--deployment", str(tmp_path), tmp_path=tmp_path)
    _assert_one_line_error(result, f"cannot read deployment file {tmp_path}", "directory")


def test_rpc_that_does_not_answer(tmp_path: Path) -> None:
    path = tmp_path / "anvil.json"
    path.write_text(json.dumps(GOOD_DEPLOYMENT))
    url = f"http://127.0.0.1:{_closed_port()}"
    result = _run("--deployment", str(path), "--rpc-url", url, tmp_path=tmp_path)
    _assert_one_line_error(result, url)


@pytest.mark.parametrize(
    ("option", "value", "setting"),
    [("--batch-size", "0", "batch_size"), ("--poll-seconds", "inf", "poll_seconds")],
)
def test_invalid_settings(tmp_path: Path, option: str, value: str, setting: str) -> None:
    _assert_one_line_error(_run(option, value, tmp_path=tmp_path), f"invalid setting {setting}")


def test_a_database_in_a_folder_chain_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "anvil.json"
    path.write_text(json.dumps(GOOD_DEPLOYMENT))
    url = f"sqlite:///{tmp_path}/typo/more/x.db"
    result = _run("--deployment", str(path), "--database-url", url, tmp_path=tmp_path)
    _assert_one_line_error(result, f"the folder {tmp_path}/typo does not exist")
    assert not (tmp_path / "typo").exists()


def test_bad_database_url(tmp_path: Path) -> None:
    path = tmp_path / "anvil.json"
    path.write_text(json.dumps(GOOD_DEPLOYMENT))
    result = _run("--deployment", str(path), "--database-url", "not a url", tmp_path=tmp_path)
    _assert_one_line_error(result, "not a database URL")
