"""The main job (`make demo`): start anvil, deploy, play the story on real weather data, index
it, print a summary and serve the exchange's API until Ctrl-C.

    python -m backend.demo [--no-serve] [--network anvil|development] [--data-dir data]

Every process it starts is stopped when it ends, however it ends.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from web3 import Web3

from backend.common.chain import ROOT, Deployment, load_deployment
from backend.common.errors import InfraxError
from backend.common.logging import setup_logging
from backend.oracle.config import load_config
from backend.oracle.service import Reporter

logger = logging.getLogger("infrax.demo")

# Brownie's network ids and the port each one expects its node on (brownie-config.yaml).
NETWORK_PORTS = {"anvil": 8545, "development": 8546}
ANVIL = ROOT / "node_modules" / ".bin" / "anvil"
BROWNIE_PYTHON = ROOT / ".venv-brownie" / "bin" / "python"
# The demo chain's clock starts here (2027-04-01T00:00:00Z), not at the wall clock: the hours of
# the weather year the plants run through, and so every figure of the demo, are the same on each
# run (the story then moves chain time on by months).
DEMO_GENESIS = 1_806_537_600
# anvil's dev account 5 is the demo's oracle reporter (a well-known test key, not a secret).
DEV_REPORTER_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"
# Lines of brownie's own transaction chatter, left out of the demo's log.
BROWNIE_NOISE = (
    "Transaction sent:",
    "Gas price:",
    " confirmed ",
    "deployed at:",
    "FutureWarning",
    "chain._network_connected()",
    "self._target(",
    "self.chain.",
    "Namespace collision",
    "The info function",
    "warnings.warn(",
    "Attached to local RPC client",
    "Waiting for confirmation",
)


class DemoError(InfraxError):
    """A step of the demo failed; the message says which and why."""


@dataclass
class DemoRun:
    network: str
    rpc_url: str
    data_dir: Path
    deployment_path: Path
    deployment: Deployment
    database_url: str


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _left_behind(pid_file: Path) -> str:
    """What to do about a busy port: a chain whose demo was killed (kill -9 cannot be caught,
    and anvil runs in its own process group) is named with the command that stops it."""
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)  # still running?
    except (OSError, ValueError):
        return "stop whatever listens there (another demo?)"
    return (
        f"a demo's anvil (process group {pid}) still runs there; if no demo is running, it was "
        f"left by one that was killed: stop it with `kill -- -{pid}`"
    )


@contextmanager
def anvil(port: int, genesis_timestamp: int | None = None) -> Iterator[str]:
    """A fresh local chain for the length of the block, its clock starting at
    `genesis_timestamp` (default: now); stopped on the way out."""
    if not ANVIL.exists():
        raise DemoError(f"{ANVIL} is missing: run `make setup` (npm installs anvil)")
    pid_file = Path(tempfile.gettempdir()) / f"infrax-demo-anvil-{port}.pid"
    if not port_free(port):
        raise DemoError(f"port {port} is in use: {_left_behind(pid_file)}")
    command = [str(ANVIL), "--port", str(port), "--accounts", "20", "--base-fee", "0", "--silent"]
    if genesis_timestamp is not None:
        command += ["--timestamp", str(genesis_timestamp)]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        w3 = Web3(Web3.HTTPProvider(url))
        for _ in range(300):  # the npm launcher can be slow to start on a loaded machine
            if proc.poll() is not None:
                raise DemoError(
                    f"anvil exited: {proc.stderr.read().decode() if proc.stderr else ''}"
                )
            if w3.is_connected():
                break
            time.sleep(0.1)
        else:
            raise DemoError(f"anvil did not answer on {url} within 30 s")
        logger.info("anvil running at %s (pid %d)", url, proc.pid)
        pid_file.write_text(str(proc.pid))
        yield url
    finally:
        pid_file.unlink(missing_ok=True)
        # Its own session: the npm launcher starts the native binary as a child, and the whole
        # group is stopped.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        logger.info("anvil stopped")


def run_script(args: Sequence[str], env: dict[str, str]) -> None:
    """Runs a brownie script, streaming its story and leaving out brownie's chatter."""
    proc = subprocess.Popen(
        [str(BROWNIE_PYTHON), "-m", *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    tail: list[str] = []
    for line in proc.stdout:
        line = line.rstrip()
        tail = (tail + [line])[-30:]
        if line and not any(noise in line for noise in BROWNIE_NOISE):
            print(line, flush=True)
    if proc.wait() != 0:
        raise DemoError(
            f"`{' '.join(args)}` failed (exit {proc.returncode}); last lines:\n" + "\n".join(tail)
        )


def script_env(deployments_dir: Path) -> dict[str, str]:
    # The demo plays its own dev accounts: a role key exported for other work must not sign here.
    env = {k: v for k, v in os.environ.items() if not _is_role_key(k)}
    env["INFRAX_DEPLOYMENTS_DIR"] = str(deployments_dir)
    env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{env.get('PATH', '')}"
    env["SOLCX_BINARY_PATH"] = str(ROOT / ".solc")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _is_role_key(name: str) -> bool:
    return name.startswith("INFRAX_") and name.endswith("_KEY")


def post_oracle_readings(rpc_url: str, deployment_path: Path) -> int:
    os.environ["INFRAX_REPORTER_KEY"] = DEV_REPORTER_KEY  # the demo's reporter, whatever is set
    config = load_config(ROOT / "config" / "oracle-demo.yaml").model_copy(
        update={"rpc_url": rpc_url, "deployment": deployment_path}
    )
    return Reporter(config).post_due()


def play(
    network: str, rpc_url: str, data_dir: Path, deployments_dir: Path | None = None
) -> DemoRun:
    """Deploys and plays the whole story on the chain at `rpc_url`; indexes it into `data_dir`.
    The deployment file goes to `deployments_dir` (default: inside `data_dir`)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    deployments_dir = deployments_dir or data_dir / "deployments"
    env = script_env(deployments_dir)
    print("== 1. deploy the exchange", flush=True)
    # The chain was just started: whatever file is there describes no live deployment on it.
    run_script(["scripts.deploy", "--network", network, "--force"], env)
    deployment_path = deployments_dir / f"{network}.json"
    print("== 2. sponsor, investors, milestones", flush=True)
    run_script(["scripts.demo_scenario", "raise", "--network", network], env)
    print("== 3. the oracle posts hourly readings computed from real weather data", flush=True)
    periods = post_oracle_readings(rpc_url, deployment_path)
    print(
        f"[demo] oracle posted {periods} hourly periods (energy, uptime, CO2 avoided)", flush=True
    )
    print("== 4. revenue, claims and trading", flush=True)
    run_script(["scripts.demo_scenario", "operate", "--network", network], env)
    print("== 5. index the chain", flush=True)
    database_url = demo_database_url(data_dir)
    run = DemoRun(
        network, rpc_url, data_dir, deployment_path, load_deployment(deployment_path), database_url
    )
    index_once(run)
    return run


def demo_database_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'infrax.db'}"


def refuse_a_running_indexer(data_dir: Path) -> None:
    """Says now, not after the scenario, that an indexer started by hand still writes there."""
    from backend.indexer.writer_lock import writing  # noqa: PLC0415

    if data_dir.is_dir():
        with writing(demo_database_url(data_dir)):
            pass


def index_once(run: DemoRun) -> None:
    from backend.indexer.service import build_indexer  # noqa: PLC0415
    from backend.indexer.writer_lock import writing  # noqa: PLC0415

    db_file = run.data_dir / "infrax.db"
    started = time.monotonic()
    with writing(run.database_url):  # not while another indexer writes there
        db_file.unlink(missing_ok=True)  # the chain is new: so is its index
        events = build_indexer(
            rpc_url=run.rpc_url, deployment=run.deployment, database_url=run.database_url
        ).sync()
    print(f"[demo] indexed {events} events in {time.monotonic() - started:.1f} s", flush=True)


def print_summary(run: DemoRun) -> None:
    with warnings.catch_warnings():  # starlette's notice about its test client's transport
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient  # noqa: PLC0415

    from backend.api.app import create_app  # noqa: PLC0415

    with TestClient(create_app(database_url=run.database_url)) as client:
        projects = client.get("/api/projects").json()
        rows = []
        for p in projects:
            detail = client.get(f"/api/projects/{p['address']}").json()
            trades = client.get(f"/api/markets/{p['share_token']}/trades").json()
            book = client.get(f"/api/markets/{p['share_token']}/orderbook").json()
            latest_energy = detail["latest_metrics"].get("ENERGY_KWH")
            energy = latest_energy["value"] if latest_energy else "-"
            done = sum(1 for m in detail["milestones"] if m["status"] == "approved")
            rows.append(
                [
                    p["name"],
                    p["kind"],
                    p["phase"],
                    f"{p['raised']} / {p['goal']}",
                    f"{done}/{len(detail['milestones'])}",
                    energy,
                    str(len(trades)),
                    f"{len(book['bids'])}/{len(book['asks'])}",
                ]
            )
    header = [
        "project",
        "kind",
        "phase",
        "raised / goal",
        "milestones",
        "energy kWh to date",
        "trades",
        "bid/ask levels",
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print()
    print(line.format(*header))
    print(line.format(*["-" * w for w in widths]))
    for r in rows:
        print(line.format(*r))
    print()


def serve(run: DemoRun, api_port: int) -> None:
    """Serves the API while the indexer keeps following the chain; returns on Ctrl-C."""
    import uvicorn  # noqa: PLC0415

    from backend.api.app import create_app  # noqa: PLC0415
    from backend.indexer.service import build_indexer  # noqa: PLC0415
    from backend.indexer.writer_lock import writing  # noqa: PLC0415

    if not port_free(api_port):
        raise DemoError(f"port {api_port} is in use: stop whatever listens there")
    stop = threading.Event()
    indexer = build_indexer(
        rpc_url=run.rpc_url, deployment=run.deployment, database_url=run.database_url
    )
    follower = threading.Thread(target=indexer.run_forever, args=(1.0, stop), daemon=True)
    with writing(run.database_url):  # a second indexer on this database is refused
        follower.start()
        print(f"demo ready: http://127.0.0.1:{api_port}", flush=True)
        try:
            uvicorn.run(
                create_app(database_url=run.database_url),
                host="127.0.0.1",
                port=api_port,
                log_level="warning",
            )
        finally:
            stop.set()
            follower.join(timeout=5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backend.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--network", choices=sorted(NETWORK_PORTS), default="anvil")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--no-serve", action="store_true", help="stop after the summary")
    args = parser.parse_args(argv)
    # SIGTERM and SIGHUP (a closed terminal) unwind like Ctrl-C, so the chain started here is
    # stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    setup_logging("WARNING")
    logging.getLogger("infrax").setLevel(logging.INFO)
    try:
        if not args.no_serve and not port_free(args.api_port):
            raise DemoError(f"port {args.api_port} is in use: stop whatever listens there")
        refuse_a_running_indexer(args.data_dir.resolve())
        with anvil(NETWORK_PORTS[args.network], DEMO_GENESIS) as rpc_url:
            # deployments/<network>.json, where the role scripts look for it
            run = play(args.network, rpc_url, args.data_dir.resolve(), ROOT / "deployments")
            print_summary(run)
            if not args.no_serve:
                serve(run, args.api_port)
    except InfraxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
