"""The decoder: ABI-encoded logs to named events with JSON-style arguments."""

from __future__ import annotations

import pytest
from conftest import (
    ALICE,
    BOB,
    EXCHANGE_ADDRESS,
    FACTORY_ADDRESS,
    ORACLE_ADDRESS,
    addr,
    encode_log,
    project_created_args,
)

from backend.indexer.decode import EXCHANGE, FACTORY, ORACLE, PROJECT, EventDecoder

SUN = addr(0x5011)


@pytest.fixture(scope="module")
def decoder() -> EventDecoder:
    return EventDecoder.from_build()


def test_project_created_decodes_its_tuples_by_component_name(decoder: EventDecoder) -> None:
    args = project_created_args(SUN, project_id=3)
    raw = encode_log(FACTORY, "ProjectCreated", FACTORY_ADDRESS, args, block_number=9, log_index=4)

    ev = decoder.decode(raw, FACTORY)

    assert ev is not None
    assert (ev.name, ev.contract, ev.address, ev.block_number, ev.log_index) == (
        "ProjectCreated",
        FACTORY,
        FACTORY_ADDRESS,
        9,
        4,
    )
    assert ev.args == args


def test_indexed_and_data_fields_decode_together(decoder: EventDecoder) -> None:
    args = {
        "project": SUN,
        "makerOrderId": 11,
        "takerOrderId": 12,
        "maker": ALICE,
        "taker": BOB,
        "takerSide": 1,
        "price": 12_500_000,
        "amount": 2**200,
    }
    raw = encode_log(EXCHANGE, "Trade", EXCHANGE_ADDRESS, args, block_number=1, log_index=0)

    ev = decoder.decode(raw, EXCHANGE)

    assert ev is not None and ev.args == args


def test_addresses_come_out_checksummed_and_bytes_as_hex(decoder: EventDecoder) -> None:
    raw = encode_log(
        PROJECT,
        "MilestoneSubmitted",
        SUN.lower(),
        {"index": 0, "evidenceURI": "ipfs://x", "evidenceHash": "0x" + "0f" * 32},
        block_number=1,
        log_index=0,
    )

    ev = decoder.decode(raw, PROJECT)

    assert ev is not None
    assert ev.address == SUN
    assert ev.args["evidenceHash"] == "0x" + "0f" * 32


def test_a_log_of_another_contracts_abi_is_not_decoded(decoder: EventDecoder) -> None:
    raw = encode_log(
        ORACLE,
        "ReadingPosted",
        ORACLE_ADDRESS,
        {"project": SUN, "metric": 0, "period": 3600, "value": 1, "reporter": BOB},
        block_number=1,
        log_index=0,
    )
    assert decoder.decode(raw, EXCHANGE) is None


def test_an_unknown_topic_is_ignored(decoder: EventDecoder) -> None:
    raw = encode_log(
        PROJECT,
        "Invested",
        SUN,
        {"investor": ALICE, "shares": 1, "amount": 10},
        block_number=1,
        log_index=0,
    )
    raw["topics"][0] = b"\x01" * 32
    assert decoder.decode(raw, PROJECT) is None


def test_a_transfer_with_other_indexing_is_ignored(decoder: EventDecoder) -> None:
    # ERC-721 Transfer has the ERC-20 topic but a third indexed field.
    raw = encode_log(
        PROJECT,
        "Transfer",
        SUN,
        {"from": ALICE, "to": BOB, "value": 1},
        block_number=1,
        log_index=0,
    )
    raw["topics"].append(b"\x00" * 32)
    assert decoder.decode(raw, PROJECT) is None


def test_truncated_data_is_ignored(decoder: EventDecoder) -> None:
    raw = encode_log(
        PROJECT,
        "Invested",
        SUN,
        {"investor": ALICE, "shares": 1, "amount": 10},
        block_number=1,
        log_index=0,
    )
    raw["data"] = raw["data"][:40]
    assert decoder.decode(raw, PROJECT) is None


def test_a_log_without_topics_is_ignored(decoder: EventDecoder) -> None:
    assert decoder.decode({"topics": [], "data": b""}, PROJECT) is None
