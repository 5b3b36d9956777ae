"""The sponsor's spec file is checked completely before anything is sent."""

from pathlib import Path

import pytest
import yaml

from scripts.project_spec import SpecError, contract_args, deadline_timestamp, load_spec

ROOT = Path(__file__).resolve().parents[2]
SOLAR = ROOT / "projects" / "greensboro-solar.yaml"
NOW = 1_800_000_000


def _spec(tmp_path, **changes):
    data = yaml.safe_load(SOLAR.read_text())
    for dotted, value in changes.items():
        target = data
        *parents, leaf = dotted.split("__")
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if value is DELETE:
            del target[leaf]
        else:
            target[leaf] = value
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


DELETE = object()


@pytest.mark.parametrize("path", sorted((ROOT / "projects").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_specs_are_valid(path):
    spec, raw = load_spec(path)
    assert raw == path.read_bytes()
    assert sum(m.tranche_bps for m in spec.milestones) == 10_000


def test_a_price_finer_than_the_asset_is_refused_as_written(tmp_path):
    spec, raw = load_spec(
        _spec(tmp_path, raise__price="0.0000001", raise__goal="1", raise__cap="1")
    )
    with pytest.raises(SpecError, match=r"^raise.price: 0.0000001 has more than 6 decimals$"):
        contract_args(spec, raw, Path("spec.yaml"), 6, "0x" + "11" * 20, NOW)


def test_contract_args_convert_human_units_and_relative_dates(tmp_path):
    spec, raw = load_spec(SOLAR)
    info, roles, terms, milestones = contract_args(
        spec, raw, Path("projects/greensboro-solar.yaml"), 6, "0x" + "11" * 20, NOW
    )
    assert info[:5] == (
        "Greensboro Community Solar",
        "GSO-SOLAR",
        0,
        1 | 2 | 4,
        "Greensboro, NC, USA (36.10 N, 79.94 W)",
    )
    assert info[5] == "file:projects/greensboro-solar.yaml"
    assert info[7:] == (5000, (1 << 0) | (1 << 3) | (1 << 5))
    assert roles[1] == "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
    deadline = NOW + 21 * 86_400
    assert terms[1:] == (100_000_000, 5_000_000_000_000, 6_000_000_000_000, deadline)
    assert milestones[0] == (
        "Permits and grid interconnection agreement",
        1500,
        deadline + 60 * 86_400,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "nuclear"}, "kind"),
        ({"goals": []}, "goals"),
        ({"goals": ["profit"]}, "goals.0"),
        ({"roles__verifier": "0x1234"}, "not a 20-byte hex address"),
        ({"roles__operator": "0x90F79bf6EB2c4f870365E785982E1f101E93b907"}, "wrong checksum"),
        ({"roles__operator": "0x" + "0" * 40}, "zero address"),
        ({"roles__operator": 0x90F79BF6EB2C4F870365E785982E1F101E93B906}, "must be quoted"),
        ({"roles__operator": "90f79bf6eb2c4f870365e785982e1f101e93b906"}, "should start with 0x"),
        ({"raise__deadline_in_days": True}, "raise.deadline_in_days"),
        ({"milestones__0__due_days_after_deadline": "30"}, "milestones.0.due_days_after_deadline"),
        (
            {
                "milestones__0__due_days_after_deadline": 1.000001,
                "milestones__1__due_days_after_deadline": 1.000002,
            },
            "at least a second apart",
        ),
        ({"milestones__0__due_days_after_deadline": 0.000001}, "at least a second apart"),
        ({"raise__goal": "7000000"}, "is above cap"),
        ({"raise__goal": "5000050"}, "not a whole number of shares"),
        ({"raise__price": "0"}, "raise.price"),
        (
            {"raise__deadline": "2030-01-01T00:00:00Z"},
            "exactly one of deadline or deadline_in_days",
        ),
        ({"raise__deadline_in_days": DELETE}, "exactly one of deadline or deadline_in_days"),
        ({"milestones__0__tranche_bps": 1000}, "sum to 9500"),
        ({"milestones__1__due_days_after_deadline": 30}, "strictly increasing"),
        ({"capacity_kw": 0}, "reporting ENERGY_KWH needs capacity_kw > 0"),
        (
            {"capacity_kw": 0, "metrics": ["STORAGE_THROUGHPUT_KWH"]},
            "reporting STORAGE_THROUGHPUT_KWH needs capacity_kw > 0",
        ),
        ({"metrics": ["UPTIME_BPS", "CO2_AVOIDED_KG"]}, "declare ENERGY_KWH or ENERGY_SAVED_KWH"),
        ({"location": "Greensboro,\nNC"}, "location.* one line of text"),
        ({"milestones__0__name": "Per\tmits"}, "milestones.0.name.* one line of text"),
        ({"name": "Solar\u0085Farm"}, "name.* one line of text.*U\\+0085"),
        ({"name": "Solar\u2028Farm"}, "name.* U\\+2028, LINE SEPARATOR"),
        ({"name": "Solar \u202e gnp.exe"}, "name.* U\\+202E, RIGHT-TO-LEFT OVERRIDE"),
        ({"location": "\u200b"}, "location.* U\\+200B, ZERO WIDTH SPACE"),
        ({"milestones__0__name": "\u00a0\u3000"}, "milestones.0.name"),
        ({"surprise": 1}, "surprise"),
        ({"symbol": "gso-solar"}, "not a ticker"),
        ({"symbol": "   "}, "not a ticker"),
        ({"symbol": "SOLAR-"}, "not a ticker"),
        ({"symbol": "A" * 17}, "not a ticker"),
        ({"name": "  "}, "name"),
        ({"location": "x" * 201}, "location"),
        ({"metadata_uri": "ipfs://" + "q" * 300}, "metadata_uri"),
        ({"metadata_uri": "javascript:alert(1)"}, "metadata_uri.* must start with one of ipfs://"),
        ({"metadata_uri": "https://"}, "metadata_uri.* needs an address after the scheme"),
        ({"name": "\u3164"}, "name.* must not be blank .it shows nothing."),
        ({"location": "\u2800 \u034f"}, "location.* must not be blank"),
        (
            {"raise__cap": "1e999999999"},
            "raise.cap.* less than 340282366920938463463374607431768211456",
        ),
        ({"raise__price": "1\u06605"}, "raise.price.* is not a number written with the digits 0-9"),
        (
            {"raise__deadline_in_days": DELETE, "raise__deadline": "0001-01-01T00:00:00+14:00"},
            "deadline 0001-01-01T00:00:00.14:00 is not a date of this era",
        ),
        ({"metadata_uri": "https://exa mple.com/x"}, "metadata_uri.* no spaces"),
        ({"raise__goal": "5000000.5"}, "goal 5000000.5 is not a whole number of shares at price"),
        ({"milestones__0__name": "m" * 101}, "milestones.0.name"),
        (
            {"roles__verifier": "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"},
            "verifier approves the implementor",
        ),
    ],
)
def test_bad_specs_are_refused_with_the_field_named(tmp_path, changes, message):
    with pytest.raises(SpecError, match=message):
        load_spec(_spec(tmp_path, **changes))


def test_every_problem_is_listed_at_once(tmp_path):
    with pytest.raises(SpecError) as info:
        load_spec(_spec(tmp_path, kind="nuclear", capacity_kw=-1))
    assert "2 problem(s)" in str(info.value)


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(SpecError, match="cannot read spec file"):
        load_spec(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed")
    with pytest.raises(SpecError, match="not valid YAML") as info:
        load_spec(bad)
    assert "\n" not in str(info.value)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{")
    with pytest.raises(SpecError, match="not valid JSON"):
        load_spec(bad_json)


@pytest.mark.parametrize(
    ("suffix", "text", "message"),
    [
        (".yaml", SOLAR.read_text() + "symbol: TST-2\n", "the key 'symbol' is given twice"),
        (".json", '{"name": "A", "name": "B"}', "the key 'name' is given twice"),
    ],
)
def test_a_key_given_twice_is_refused(tmp_path, suffix, text, message):
    # The last one would win unseen, while the file's hash commits the sponsor to all of it.
    path = tmp_path / f"spec{suffix}"
    path.write_text(text)
    with pytest.raises(SpecError, match=message):
        load_spec(path)


def test_a_spec_without_metadata_uri_may_say_so_with_null(tmp_path):
    spec, _ = load_spec(_spec(tmp_path, metadata_uri=None))
    assert spec.metadata_uri is None


def test_names_in_any_script_read_as_written(tmp_path):
    spec, _ = load_spec(_spec(tmp_path, name="Énergie Solaire de Saint-Étienne 北 ☀"))
    assert spec.name == "Énergie Solaire de Saint-Étienne 北 ☀"


def test_deadline_in_the_past_of_chain_time_is_refused(tmp_path):
    spec, _ = load_spec(
        _spec(tmp_path, raise__deadline_in_days=DELETE, raise__deadline="2020-01-01T00:00:00Z")
    )
    with pytest.raises(SpecError, match="is not in the future"):
        deadline_timestamp(spec, NOW)


def test_deadline_less_than_an_hour_after_chain_time_is_refused(tmp_path):
    # The block the transaction lands in is later than the latest one: too close a deadline
    # passes the simulation and reverts on-chain.
    spec, _ = load_spec(_spec(tmp_path, raise__deadline_in_days=0.04))  # 57.6 minutes
    with pytest.raises(SpecError, match="less than 1 hour after chain time"):
        deadline_timestamp(spec, NOW)
    spec, _ = load_spec(_spec(tmp_path, raise__deadline_in_days=1 / 24))  # one hour exactly
    assert deadline_timestamp(spec, NOW) == NOW + 3600


def test_deadline_needs_a_time_zone(tmp_path):
    with pytest.raises(SpecError, match="time zone"):
        load_spec(
            _spec(tmp_path, raise__deadline_in_days=DELETE, raise__deadline="2030-01-01T00:00:00")
        )
