"""The YAML and JSON readers of people's files: every malformed file is one ValueError line."""

from __future__ import annotations

import pytest

from backend.common.config_files import parse_json, parse_yaml


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", "the key 'a' is given twice (lines 1 and 3)"),
        ("? [a, b]\n: 1\n", "line 1: a key must be a plain word or number"),
        ("? {a: 1}\n: 1\n", "line 1: a key must be a plain word or number"),
        ("[" * 100_000, "nested too deeply"),
        ("a: [unclosed", "while parsing a flow sequence"),
    ],
)
def test_bad_yaml_is_one_line(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_yaml(text)
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1, "a": 2}', "the key 'a' is given twice"),
        ("[" * 100_000, "nested too deeply"),
        ('{"n": ' + "9" * 5000 + "}", "Exceeds the limit (4300 digits)"),
        ("{", "Expecting property name enclosed in double quotes"),
    ],
)
def test_bad_json_is_one_line(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_json(text)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_good_files_read_as_written() -> None:
    assert parse_yaml("a: [1, {b: x}]\nc: 0.5\n") == {"a": [1, {"b": "x"}], "c": 0.5}
    assert parse_json('{"a": [1, {"b": "x"}], "n": ' + "9" * 40 + "}") == {
        "a": [1, {"b": "x"}],
        "n": int("9" * 40),
    }
    deep, depth = parse_json("[" * 500 + "]" * 500), 1  # deep, but within any real file's
    while deep:
        deep, depth = deep[0], depth + 1
    assert depth == 500
