"""One rule for every address a script, spec or config takes: 0x and 20 hex bytes, a mixed-case
spelling must carry a valid EIP-55 checksum (a typo in one letter is caught), and never the zero
address."""

from __future__ import annotations

from eth_utils import is_checksum_address, is_hex_address, to_checksum_address


def checked_address(value: object) -> str:
    """The checksummed address, or ValueError saying what is wrong with `value`."""
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            "an address must be quoted, e.g. '0x70997970C51812dc3A010C7d01b50e0d17dc79C8': "
            "unquoted, YAML reads it as a number"
        )
    if not isinstance(value, str) or not is_hex_address(value):
        raise ValueError(f"{value!r} is not a 20-byte hex address")
    if not value.startswith("0x"):
        raise ValueError(f"{value} should start with 0x")
    digits = value[-40:]  # all lower or all upper case carries no checksum; mixed case does
    if digits != digits.lower() and digits != digits.upper() and not is_checksum_address(value):
        raise ValueError(f"{value} has a wrong checksum (mixed case that does not match)")
    if int(value, 16) == 0:
        raise ValueError("the zero address is not allowed")
    return to_checksum_address(value)
