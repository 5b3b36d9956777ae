"""``python -m backend.indexer`` (see backend.indexer.cli)."""

import sys

from backend.indexer.cli import main

sys.exit(main())
