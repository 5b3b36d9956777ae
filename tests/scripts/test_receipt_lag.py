"""A node whose receipt lags the sender's nonce (anvil does, for a moment): the transaction is
waited for, not taken for a dropped one; a really dropped one is still reported as dropped."""

import time

import pytest
from brownie import accounts, history, web3
from brownie.exceptions import TransactionError
from brownie.network.transaction import TransactionReceipt
from hexbytes import HexBytes
from web3.exceptions import TransactionNotFound

from scripts.receipt_lag import RECEIPT_LAG_GRACE, await_receipt

SENDER = "0x" + "11" * 20
TXID = "0x" + "ab" * 32
MINED = {"blockHash": b"\x01" * 32, "blockNumber": 7}


class LaggingNode:
    """A node that answers `polls` receipt queries with 'not found' (None: never finds it),
    with the sender's nonce already at `nonce_now` (or reaching it after `pending_polls`)."""

    def __init__(self, polls, nonce_now=4, pending_polls=0):
        self.polls, self.nonce_now, self.pending_polls = polls, nonce_now, pending_polls
        self.receipt_queries = 0

    def get_transaction_receipt(self, txid):
        assert txid == TXID
        self.receipt_queries += 1
        if self.polls is None or self.receipt_queries <= self.polls:
            raise TransactionNotFound("not found")
        return MINED

    def get_transaction_count(self, sender):
        assert sender == SENDER
        return 3 if self.receipt_queries <= self.pending_polls else self.nonce_now


class Clock:
    def __init__(self):
        self.now = 0.0

    def sleep(self, seconds):
        self.now += seconds

    def __call__(self):
        return self.now


def test_a_receipt_behind_the_nonce_is_waited_for():
    node, clock = LaggingNode(polls=3), Clock()
    assert await_receipt(node, TXID, SENDER, 3, sleep=clock.sleep, clock=clock) is MINED
    assert node.receipt_queries == 4


def test_a_pending_transaction_is_waited_for_until_mined():
    node, clock = LaggingNode(polls=40, pending_polls=40), Clock()
    assert await_receipt(node, TXID, SENDER, 3, sleep=clock.sleep, clock=clock) is MINED
    assert node.receipt_queries == 41


def test_a_used_nonce_without_a_receipt_is_a_drop_after_the_grace():
    node, clock = LaggingNode(polls=None), Clock()
    assert await_receipt(node, TXID, SENDER, 3, sleep=clock.sleep, clock=clock) is None
    assert RECEIPT_LAG_GRACE < clock.now <= RECEIPT_LAG_GRACE + 1.0


@pytest.fixture
def lagging_receipts(monkeypatch):
    """brownie's node, made to show the sender's nonce only once the transaction is mined and
    then to deny its receipt `LAG` more times: anvil's moment, made certain."""
    eth = web3.eth
    real_receipt, real_count = eth.get_transaction_receipt, eth.get_transaction_count
    denied: dict = {}

    def mined(txid):
        try:
            return real_receipt(txid)
        except TransactionNotFound:
            return None

    def get_transaction_receipt(txid):
        key = HexBytes(txid).hex()  # brownie asks by str and by HexBytes
        if mined(txid) is None or denied.setdefault(key, 0) >= LAG:
            return real_receipt(txid)
        denied[key] += 1
        raise TransactionNotFound(f"{txid} not found (lagging)")

    def get_transaction_count(sender, *args):
        for txid in [tx.txid for tx in history if tx.status == -1]:
            while mined(txid) is None:
                time.sleep(0.01)
        return real_count(sender, *args)

    monkeypatch.setattr(eth, "get_transaction_receipt", get_transaction_receipt)
    monkeypatch.setattr(eth, "get_transaction_count", get_transaction_count)
    return denied


LAG = 3


def test_brownie_alone_takes_a_lagging_receipt_for_a_drop(lagging_receipts, monkeypatch):
    wrapper = TransactionReceipt._await_confirmation
    monkeypatch.setattr(TransactionReceipt, "_await_confirmation", wrapper.brownie_original)
    with pytest.raises(TransactionError, match="Tx dropped without known replacement"):
        accounts[0].transfer(accounts[1], 1)


def test_with_the_wrapper_a_lagging_receipt_is_waited_for(lagging_receipts):
    assert TransactionReceipt._await_confirmation.tolerates_receipt_lag is True
    before = accounts[1].balance()
    tx = accounts[0].transfer(accounts[1], 1)
    assert lagging_receipts[HexBytes(tx.txid).hex()] == LAG
    assert tx.status == 1
    assert tx.block_number == web3.eth.block_number
    assert accounts[1].balance() == before + 1
