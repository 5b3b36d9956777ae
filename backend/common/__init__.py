"""Shared pieces of the Python services: settings, chain access, errors, logging."""
