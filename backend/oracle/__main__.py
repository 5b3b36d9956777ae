"""`python -m backend.oracle run --config config/oracle-demo.yaml [--once]`"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from backend.common.chain import NODE_ERRORS, first_line
from backend.common.errors import InfraxError
from backend.common.logging import setup_logging
from backend.oracle.config import load_config
from backend.oracle.service import Reporter

logger = logging.getLogger("infrax.oracle")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m backend.oracle", description="metric oracle reporter"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="post every ended period, then keep polling")
    run.add_argument("--config", type=Path, required=True, help="oracle config YAML")
    run.add_argument("--once", action="store_true", help="post what is due and exit")
    run.add_argument(
        "--log-level", default="INFO", type=str.upper, choices=("DEBUG", "INFO", "WARNING", "ERROR")
    )
    args = parser.parse_args(argv)
    setup_logging(args.log_level)
    try:
        reporter = Reporter(load_config(args.config))
        if args.once:
            logger.info("posted %d period(s)", reporter.post_due())
        else:
            reporter.run_forever()
    except InfraxError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except NODE_ERRORS as exc:
        print(f"error: the node failed: {first_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
