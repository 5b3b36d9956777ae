"""Reading the YAML and JSON files people write (project specs, the oracle config): a key
given twice is refused rather than letting the last one win unseen, and a parser's message is
put on one line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml


class BadKey(ValueError):
    """A mapping key given twice, or one that is not a plain word or number."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """yaml.safe_load, except that a mapping may not give one key twice."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                if not isinstance(key, str | int | float | bool) and key is not None:
                    raise BadKey(f"line {line}: a key must be a plain word or number")
                if key in seen:
                    raise BadKey(f"the key {key!r} is given twice (lines {seen[key]} and {line})")
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise BadKey(f"the key {key!r} is given twice")
        result[key] = value
    return result


# Deeper nesting than any real file has. Parsing runs under a recursion limit this low, because
# some libraries (py_ecc) raise the interpreter's to 100000, where a deep file overflows the C
# stack and crashes the process instead of raising RecursionError.
_PARSE_RECURSION_LIMIT = 1000


@contextmanager
def _shallow_recursion() -> Iterator[None]:
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(min(previous, max(_PARSE_RECURSION_LIMIT, _depth_now() + 200)))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _depth_now() -> int:
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back  # type: ignore[assignment]
    return depth


def parse_yaml(text: str | bytes) -> Any:
    """The document, or ValueError (one line) for bad YAML or a key given twice."""
    try:
        with _shallow_recursion():
            return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        raise ValueError(one_line(exc)) from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


def parse_json(text: str | bytes) -> Any:
    """The document, or ValueError (one line) for bad JSON, a key given twice or a number too
    long to read."""
    try:
        with _shallow_recursion():
            return json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        raise ValueError(one_line(exc)) from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


def one_line(exc: BaseException) -> str:
    """A parser's message (which spans several lines, with a caret drawing) as one line."""
    return " ".join(str(exc).split())
