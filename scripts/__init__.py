"""Brownie scripts: deploy the exchange, create projects from spec files, role actions.

Run them from the repository root with brownie's environment, e.g.
``.venv-brownie/bin/python -m scripts.deploy --network anvil`` (the Makefile wraps these).
"""
