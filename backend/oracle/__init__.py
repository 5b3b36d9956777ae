"""Metric oracle service: produces and posts hourly readings."""
