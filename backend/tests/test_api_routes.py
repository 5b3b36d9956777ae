"""The HTTP API over a database filled by the projections: exact bodies, ordering, errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import (
    ALICE,
    BOB,
    CAROL,
    IMPLEMENTOR,
    OPERATOR,
    REPORTER,
    SPONSOR,
    USDC,
    USDC_UNIT,
    VERIFIER,
    EventFeed,
    addr,
)
from fastapi.testclient import TestClient

from backend.api.app import create_app
from backend.api.settings import ApiSettings
from backend.indexer.decode import PROJECT

SUN = addr(0x5011)
WIND = addr(0x3113D)
EURO = addr(0xE0)
NOBODY = addr(0xD00D)
BUY, SELL = 0, 1
HOUR = 3600


@pytest.fixture
def client(event_feed: EventFeed, indexer_db_url: str) -> Iterator[TestClient]:
    _fill(event_feed)
    with TestClient(create_app(ApiSettings(database_url=indexer_db_url))) as test_client:
        yield test_client


def _fill(feed: EventFeed) -> None:
    feed.create_project(SUN)
    feed.mine()
    feed.invest(SUN, ALICE, 150)
    feed.invest(SUN, BOB, 50)
    feed.phase(SUN, 0, 2)
    feed.mine()  # block 12, at 1_700_000_024
    feed.submit_milestone(SUN, 0, "ipfs://draft", "10")
    feed.emit(PROJECT, "MilestoneRejected", SUN, index=0, reason="no permit stamp")
    feed.submit_milestone(SUN, 0, "ipfs://permits", "11")
    feed.emit(PROJECT, "MilestoneApproved", SUN, index=0, tranche=500 * USDC_UNIT)
    feed.transfer(SUN, ALICE, CAROL, 10)
    feed.mine()
    feed.reading(SUN, 0, HOUR, 1_000_000)
    feed.reading(SUN, 3, HOUR, 9_950)
    feed.mine()
    feed.reading(SUN, 0, 2 * HOUR, 1_234_567)
    feed.reading(SUN, 3, 2 * HOUR, 9_990)
    feed.reading(SUN, 4, 2 * HOUR, 12_340_000)
    feed.mine()
    feed.create_project(
        WIND,
        project_id=1,
        name="Gust",
        symbol="GST",
        kind=1,
        goals=0b1101,
        funding_asset=EURO,
        price=5,
        goal=50,
        cap=100,
    )
    feed.mine()
    feed.place(1, SUN, ALICE, SELL, 12_500_000, 30)
    feed.place(2, SUN, ALICE, SELL, 13_000_000, 10)
    feed.place(3, SUN, BOB, BUY, 12_000_000, 5)
    feed.place(4, SUN, CAROL, BUY, 11_000_000, 2)
    feed.place(5, SUN, CAROL, BUY, 12_000_000, 1)
    feed.mine()
    feed.place(6, SUN, CAROL, BUY, 12_500_000, 10)
    feed.trade(SUN, 1, 6, ALICE, CAROL, BUY, 12_500_000, 10)
    feed.mine()
    feed.place(7, SUN, BOB, SELL, 11_500_000, 4)
    feed.cancel(3, SUN, BOB, 5)  # self-trade prevention cancels BOB's own older bid
    feed.trade(SUN, 5, 7, CAROL, BOB, SELL, 12_000_000, 1)
    feed.cancel(4, SUN, CAROL, 2)


SUN_SUMMARY = {
    "address": SUN,
    "share_token": SUN,
    "project_id": 0,
    "name": "Sunfield",
    "symbol": "SUN",
    "kind": "solar",
    "phase": "building",
    "goals": ["renewable_energy", "jobs"],
    "sponsor": SPONSOR,
    "location": "Leeds, UK",
    "funding_asset": {"address": USDC, "symbol": "USDC", "decimals": 6},
    "price": "10",
    "goal": "1000",
    "cap": "2000",
    "raised": "2000",
    "deadline": 1_800_000_000,
}


def test_projects_list_in_order_of_creation(client: TestClient) -> None:
    response = client.get("/api/projects")
    assert response.status_code == 200
    body = response.json()
    assert body[0] == SUN_SUMMARY
    # The indexer could not read this asset's metadata: raw units, not a guessed scale.
    assert body[1] == {
        **SUN_SUMMARY,
        "address": WIND,
        "share_token": WIND,
        "project_id": 1,
        "name": "Gust",
        "symbol": "GST",
        "kind": "wind",
        "phase": "funding",
        "goals": ["renewable_energy", "pollution", "infrastructure"],
        "funding_asset": {"address": EURO, "symbol": "", "decimals": 0},
        "price": "5",
        "goal": "50",
        "cap": "100",
        "raised": "0",
    }


def test_project_detail_has_milestones_metrics_and_holders(client: TestClient) -> None:
    body = client.get(f"/api/projects/{SUN}").json()

    assert {k: body[k] for k in SUN_SUMMARY} == SUN_SUMMARY
    assert {
        k: body[k]
        for k in (
            "metadata_uri",
            "metadata_hash",
            "capacity_kw",
            "metrics",
            "implementor",
            "operator",
            "verifier",
            "released",
            "refunded",
            "total_revenue",
            "revenue_claimed",
            "wind_down_pool",
            "holders_count",
            "created_block",
        )
    } == {
        "metadata_uri": "ipfs://sun",
        "metadata_hash": "0x" + "ab" * 32,
        "capacity_kw": 500,
        "metrics": ["ENERGY_KWH", "UPTIME_BPS", "REVENUE", "JOBS_FTE"],
        "implementor": IMPLEMENTOR,
        "operator": OPERATOR,
        "verifier": VERIFIER,
        "released": "500",
        "refunded": "0",
        "total_revenue": "0",
        "revenue_claimed": "0",
        "wind_down_pool": "0",
        "holders_count": 3,
        "created_block": 10,
    }
    assert body["milestones"] == [
        {
            "index": 0,
            "name": "Permits",
            "tranche_bps": 2_500,
            "due_date": 1_810_000_000,
            "status": "approved",
            "evidence_uri": "ipfs://permits",
            "evidence_hash": "0x" + "11" * 32,
            "rejection_reason": None,
            "rejections": [
                {"reason": "no permit stamp", "block_number": 12, "timestamp": 1_700_000_024}
            ],
            "tranche_paid": "500",
        },
        {
            "index": 1,
            "name": "Commissioning",
            "tranche_bps": 7_500,
            "due_date": 1_820_000_000,
            "status": "pending",
            "evidence_uri": None,
            "evidence_hash": None,
            "rejection_reason": None,
            "rejections": [],
            "tranche_paid": "0",
        },
    ]
    assert body["latest_metrics"] == {
        "ENERGY_KWH": {
            "value": "1234.567",
            "raw_value": "1234567",
            "period": 2 * HOUR,
            "reporter": REPORTER,
            "block_number": 14,
        },
        "UPTIME_BPS": {
            "value": "9990",
            "raw_value": "9990",
            "period": 2 * HOUR,
            "reporter": REPORTER,
            "block_number": 14,
        },
        "REVENUE": {
            "value": "12.34",
            "raw_value": "12340000",
            "period": 2 * HOUR,
            "reporter": REPORTER,
            "block_number": 14,
        },
    }


def test_addresses_are_accepted_in_any_letter_case(client: TestClient) -> None:
    lower = client.get(f"/api/projects/{SUN.lower()}")
    upper = client.get(f"/api/projects/0x{SUN[2:].upper()}")
    all_upper = client.get(f"/api/projects/{SUN.upper()}")  # 0X...
    assert lower.status_code == upper.status_code == all_upper.status_code == 200
    assert lower.json()["address"] == upper.json()["address"] == all_upper.json()["address"] == SUN


def test_metrics_are_newest_period_first_then_by_metric(client: TestClient) -> None:
    body = client.get(f"/api/projects/{SUN}/metrics").json()
    assert [(r["metric"], r["period"], r["value"], r["raw_value"]) for r in body] == [
        ("ENERGY_KWH", 2 * HOUR, "1234.567", "1234567"),
        ("UPTIME_BPS", 2 * HOUR, "9990", "9990"),
        ("REVENUE", 2 * HOUR, "12.34", "12340000"),
        ("ENERGY_KWH", HOUR, "1000", "1000000"),
        ("UPTIME_BPS", HOUR, "9950", "9950"),
    ]
    assert body[0]["reporter"] == REPORTER
    assert (body[0]["block_number"], body[3]["block_number"]) == (14, 13)


def test_metrics_filter_by_name_and_limit(client: TestClient) -> None:
    body = client.get(f"/api/projects/{SUN}/metrics?metric=ENERGY_KWH&limit=1").json()
    assert [(r["metric"], r["period"]) for r in body] == [("ENERGY_KWH", 2 * HOUR)]


def test_metrics_filter_by_several_names(client: TestClient) -> None:
    body = client.get(f"/api/projects/{SUN}/metrics?metric=UPTIME_BPS&metric=ENERGY_KWH").json()
    assert [(r["metric"], r["period"]) for r in body] == [
        ("ENERGY_KWH", 2 * HOUR),
        ("UPTIME_BPS", 2 * HOUR),
        ("ENERGY_KWH", HOUR),
        ("UPTIME_BPS", HOUR),
    ]


def test_metrics_page_on_from_the_last_reading_of_a_page(client: TestClient) -> None:
    everything = client.get(f"/api/projects/{SUN}/metrics").json()
    pages, after = [], None
    while True:  # pages of 2 cut inside a period: nothing may be skipped or repeated
        query = "limit=2" + (f"&after={after}" if after else "")
        page = client.get(f"/api/projects/{SUN}/metrics?{query}").json()
        if not page:
            break
        pages.append([(r["metric"], r["period"]) for r in page])
        after = f"{page[-1]['period']}:{page[-1]['metric']}"
    assert pages == [
        [("ENERGY_KWH", 2 * HOUR), ("UPTIME_BPS", 2 * HOUR)],
        [("REVENUE", 2 * HOUR), ("ENERGY_KWH", HOUR)],
        [("UPTIME_BPS", HOUR)],
    ]
    assert sum(pages, []) == [(r["metric"], r["period"]) for r in everything]


def test_metrics_after_combines_with_the_metric_filter(client: TestClient) -> None:
    query = f"metric=ENERGY_KWH&after={2 * HOUR}:ENERGY_KWH"
    body = client.get(f"/api/projects/{SUN}/metrics?{query}").json()
    assert [(r["metric"], r["period"]) for r in body] == [("ENERGY_KWH", HOUR)]


def test_metrics_of_a_project_without_readings_are_empty(client: TestClient) -> None:
    assert client.get(f"/api/projects/{WIND}/metrics").json() == []


def test_orderbook_aggregates_open_orders_best_first(client: TestClient) -> None:
    body = client.get(f"/api/markets/{SUN}/orderbook").json()
    assert body == {
        "share_token": SUN,
        "trading_open": True,
        "bids": [],
        "asks": [["11.5", "3"], ["12.5", "20"], ["13", "10"]],
    }


def test_orderbook_levels_parameter_limits_each_side(client: TestClient) -> None:
    body = client.get(f"/api/markets/{SUN.lower()}/orderbook?levels=1").json()
    assert body["asks"] == [["11.5", "3"]]


def test_orderbook_of_a_market_without_orders_is_empty(client: TestClient) -> None:
    assert client.get(f"/api/markets/{WIND}/orderbook").json() == {
        "share_token": WIND,
        "trading_open": False,  # still raising: shares do not move yet
        "bids": [],
        "asks": [],
    }


def test_a_wound_down_market_is_closed_though_orders_rest(
    client: TestClient, event_feed: EventFeed
) -> None:
    event_feed.phase(SUN, 2, 4)
    body = client.get(f"/api/markets/{SUN}/orderbook").json()
    assert body["trading_open"] is False
    assert body["asks"] == [["11.5", "3"], ["12.5", "20"], ["13", "10"]]  # cancellable only


def test_trades_are_newest_first(client: TestClient, event_feed: EventFeed) -> None:
    body = client.get(f"/api/markets/{SUN}/trades").json()
    assert [
        (
            t["price"],
            t["amount"],
            t["maker"],
            t["taker"],
            t["taker_side"],
            t["maker_order_id"],
            t["taker_order_id"],
            t["block_number"],
        )
        for t in body
    ] == [
        ("12", "1", CAROL, BOB, "sell", 5, 7, 18),
        ("12.5", "10", ALICE, CAROL, "buy", 1, 6, 17),
    ]
    assert (body[0]["timestamp"], body[1]["timestamp"]) == (
        event_feed.timestamp,
        event_feed.timestamp - 12,
    )
    assert client.get(f"/api/markets/{SUN}/trades?limit=1").json() == body[:1]


def test_health_reports_no_block_before_the_indexer_ran(client: TestClient) -> None:
    # The feed applies events without the ingest loop, so there is no checkpoint.
    assert client.get("/api/health").json() == {
        "status": "ok",
        "indexed_block": None,
        "indexed_block_hash": None,
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/projects/{a}",
        "/api/projects/{a}/metrics",
        "/api/markets/{a}/orderbook",
        "/api/markets/{a}/trades",
    ],
)
def test_unknown_project_is_404_with_its_checksum_address(client: TestClient, path: str) -> None:
    response = client.get(path.format(a=NOBODY.lower()))
    assert response.status_code == 404
    assert response.json() == {"detail": f"no project {NOBODY}"}


@pytest.mark.parametrize(
    "bad",
    [
        "0x12",
        "5011" + "0" * 36,
        "0x" + "g" * 40,
        "0x" + "a" * 41,
        "0x" + "a" * 39 + "%20",
        "sun",
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/api/projects/{a}",
        "/api/projects/{a}/metrics",
        "/api/markets/{a}/orderbook",
        "/api/markets/{a}/trades",
    ],
)
def test_malformed_address_is_422_saying_why(client: TestClient, path: str, bad: str) -> None:
    response = client.get(path.format(a=bad))
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"][0] == "path"
    assert "expected 0x followed by 40 hex digits" in error["msg"]


def test_422_quotes_a_long_input_only_in_part(client: TestClient) -> None:
    response = client.get("/api/projects/" + "z" * 5000)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["input"] == "z" * 100 + "..."


@pytest.mark.parametrize(
    "query",
    [
        "limit=1001",
        "limit=0",
        "limit=-1",
        "limit=ten",
        "metric=energy",
        "metric=7",
        "metric=ENERGY_KWH&metric=nope",
        "after=7200",
        "after=-1:ENERGY_KWH",
        "after=7200:energy",
        "after=7200:NOPE",
        "after=18446744073709551616:ENERGY_KWH",
    ],
)
def test_bad_metrics_query_is_422(client: TestClient, query: str) -> None:
    response = client.get(f"/api/projects/{SUN}/metrics?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_an_unknown_metric_in_after_is_named(client: TestClient) -> None:
    detail = client.get(f"/api/projects/{SUN}/metrics?after=7200:NOPE").json()["detail"]
    assert detail[0]["loc"] == ["query", "after"]
    assert detail[0]["msg"].startswith("unknown metric 'NOPE': one of ENERGY_KWH, ")


def test_metrics_limit_of_1000_is_allowed(client: TestClient) -> None:
    assert client.get(f"/api/projects/{SUN}/metrics?limit=1000").status_code == 200


@pytest.mark.parametrize("query", ["levels=0", "levels=1001", "levels=x"])
def test_bad_orderbook_query_is_422(client: TestClient, query: str) -> None:
    assert client.get(f"/api/markets/{SUN}/orderbook?{query}").status_code == 422


@pytest.mark.parametrize("query", ["limit=0", "limit=1001"])
def test_bad_trades_query_is_422(client: TestClient, query: str) -> None:
    assert client.get(f"/api/markets/{SUN}/trades?{query}").status_code == 422


def test_create_app_takes_a_database_url_directly(
    event_feed: EventFeed, indexer_db_url: str
) -> None:
    event_feed.create_project(SUN)
    with TestClient(create_app(database_url=indexer_db_url)) as direct:
        assert [p["address"] for p in direct.get("/api/projects").json()] == [SUN]


def test_docs_page_loads_swagger_ui_from_local_files(tmp_path):
    from fastapi.testclient import TestClient

    from backend.api.app import create_app

    with TestClient(create_app(database_url=f"sqlite:///{tmp_path / 'docs.db'}")) as client:
        page = client.get("/docs")
        assert page.status_code == 200
        assert "/static/swagger/swagger-ui-bundle.js" in page.text
        assert "cdn" not in page.text
        assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
        assert client.get("/openapi.json").json()["info"]["title"] == "Infrastructure Exchange API"
