"""One rule for every address a script or spec takes: 20 hex bytes, a mixed-case spelling must
carry a valid EIP-55 checksum (a typo in one letter is caught), and never the zero address."""

from __future__ import annotations

from eth_utils import is_checksum_address, is_hex_address, to_checksum_address


def checked_address(value: object) -> str:
    """The checksummed address, or ValueError saying what is wrong with `value`."""
    if not isinstance(value, str) or not is_hex_address(value):
        raise ValueError(f"{value!r} is not a 20-byte hex address")
    if value != value.lower() and value != value.upper() and not is_checksum_address(value):
        raise ValueError(f"{value} has a wrong checksum (mixed case that does not match)")
    if int(value, 16) == 0:
        raise ValueError("the zero address is not allowed")
    return to_checksum_address(value)
