"""Raw on-chain integers as human decimal strings.

Canonical format: exact (no floats), a plain decimal with no exponent and no grouping, trailing
zeros of the fraction stripped and no decimal point for whole numbers:
12500000 with 6 decimals -> "12.5", 12000000 -> "12", 1 -> "0.000001", 0 -> "0".
"""

from __future__ import annotations


def format_units(raw: int, decimals: int) -> str:
    """``raw`` / 10**``decimals`` in the canonical format."""
    if decimals < 0:
        raise ValueError(f"decimals must not be negative, not {decimals}")
    sign = "-" if raw < 0 else ""
    whole, fraction = divmod(abs(raw), 10**decimals)
    if fraction == 0:
        return f"{sign}{whole}"
    digits = f"{fraction:0{decimals}d}".rstrip("0")
    return f"{sign}{whole}.{digits}"
