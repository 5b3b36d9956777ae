"""The indexer: follows the exchange's contracts into a relational database.

Modules: ``source`` (reads the chain), ``decode`` (logs to named events), ``db`` (schema),
``store`` (raw events, blocks, checkpoint), ``projections`` (events to read models),
``ingest`` (the loop tying them together), ``cli`` (``python -m backend.indexer``).
"""
