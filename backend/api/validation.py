"""Input types shared by the routes."""

from __future__ import annotations

import re
from typing import Annotated

from eth_utils.address import to_checksum_address
from pydantic import AfterValidator

_ADDRESS = re.compile(r"0[xX][0-9a-fA-F]{40}")


def checksum_address(value: str) -> str:
    """Accepts an address in any letter case and returns its checksum form."""
    if not _ADDRESS.fullmatch(value):
        raise ValueError("not an address: expected 0x followed by 40 hex digits")
    return to_checksum_address("0x" + value[2:])


Address = Annotated[str, AfterValidator(checksum_address)]
