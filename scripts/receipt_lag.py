"""Anvil can report a sender's nonce as used a moment before it serves the receipt of the
transaction that used it (measured: 2 polls in 3000 transactions). Brownie reads the nonce, then
the receipt, and takes that moment for a dropped transaction ("Tx dropped without known
replacement"), failing a transaction that was mined. `tolerate_receipt_lag()` makes brownie wait
for the receipt first, and believe a drop only when the nonce has moved on and no receipt has
appeared for `RECEIPT_LAG_GRACE` seconds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

RECEIPT_LAG_GRACE = 5.0
_FIRST_POLL = 0.02
_SLOWEST_POLL = 1.0


def await_receipt(
    eth: Any,
    txid: str,
    sender: str,
    nonce: int,
    grace: float = RECEIPT_LAG_GRACE,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Any:
    """The receipt of `txid` once it is mined; None when the sender's nonce has moved past
    `nonce` and no receipt appeared within `grace` seconds (then it was really replaced or
    dropped). Waits as long as the transaction is pending, as brownie itself does."""
    from web3.exceptions import TransactionNotFound

    nonce_used_since: float | None = None
    pause = _FIRST_POLL
    while True:
        try:
            receipt = eth.get_transaction_receipt(txid)
        except TransactionNotFound:
            receipt = None
        if receipt is not None and receipt["blockHash"] is not None:
            return receipt
        if nonce_used_since is None:
            if eth.get_transaction_count(sender) > nonce:
                nonce_used_since = clock()
        elif clock() - nonce_used_since > grace:
            return None
        sleep(pause)
        pause = min(pause * 2, _SLOWEST_POLL)


def tolerate_receipt_lag() -> None:
    """Wraps brownie's confirmation wait (once per process) so it starts from a receipt."""
    from brownie import web3
    from brownie.network.transaction import TransactionReceipt

    original = TransactionReceipt._await_confirmation
    if getattr(original, "tolerates_receipt_lag", False):
        return

    def _await_confirmation(self: Any, block_number: Any = None, required_confs: int = 1) -> None:
        # Also when the transaction already shows a block: its receipt may still lag.
        if self.nonce is not None and self.sender is not None:
            receipt = await_receipt(web3.eth, self.txid, str(self.sender), self.nonce)
            if receipt is not None:
                block_number = receipt["blockNumber"]
        original(self, block_number, required_confs)

    _await_confirmation.tolerates_receipt_lag = True  # type: ignore[attr-defined]
    _await_confirmation.brownie_original = original  # type: ignore[attr-defined]
    TransactionReceipt._await_confirmation = _await_confirmation
