"""`${name}` placeholders, and the paths (`body.results[0].oid`) that captures read.

A string that is exactly one placeholder becomes the variable's value with its type (a captured
number stays a number); inside a longer string the value is spliced in as text (JSON for objects
and arrays). `$${` writes a literal `${`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from .matchers import MISSING, Matcher

_PLACEHOLDER = re.compile(r"\$\$\{|\$\{([A-Za-z_][\w.-]*)\}")
_WHOLE = re.compile(r"^\$\{([A-Za-z_][\w.-]*)\}$")


class UnresolvedVariable(KeyError):
    def __init__(self, name: str, known: Mapping[str, Any]) -> None:
        super().__init__(name)
        self.name = name
        self.known = sorted(known)

    def __str__(self) -> str:
        return f"undefined variable ${{{self.name}}} (defined: {', '.join(self.known) or 'none'})"


def substitute(value: Any, variables: Mapping[str, Any]) -> Any:
    """`value` with every placeholder replaced, through dicts, lists and matcher arguments."""
    if isinstance(value, str):
        return _substitute_text(value, variables)
    if isinstance(value, dict):
        return {substitute(k, variables): substitute(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, Matcher):
        return value.with_args(lambda arg: substitute(arg, variables))
    return value


def _substitute_text(text: str, variables: Mapping[str, Any]) -> Any:
    whole = _WHOLE.match(text)
    if whole:
        return _lookup(whole.group(1), variables)

    def splice(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return "${"
        value = _lookup(match.group(1), variables)
        if isinstance(value, str):
            return value
        return msgspec.json.encode(value).decode()

    return _PLACEHOLDER.sub(splice, text)


def _lookup(name: str, variables: Mapping[str, Any]) -> Any:
    if name not in variables:
        raise UnresolvedVariable(name, variables)
    return variables[name]


# -- paths -----------------------------------------------------------------------------------

_SEGMENT = re.compile(r'\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.\[\]]+)|(\.)')


def parse_path(path: str) -> list[str | int]:
    """`results[0].oid`, `results.0.oid` and `results[0]["count(*)"]` -> segments."""
    segments: list[str | int] = []
    pos = 0
    while pos < len(path):
        match = _SEGMENT.match(path, pos)
        if match is None:
            raise ValueError(f"bad path {path!r} at character {pos + 1}")
        index, quoted, plain, _dot = match.groups()
        if index is not None:
            segments.append(int(index))
        elif quoted is not None:
            segments.append(quoted.replace('\\"', '"').replace("\\\\", "\\"))
        elif plain is not None:
            segments.append(plain)
        pos = match.end()
    if not segments:
        raise ValueError(f"empty path {path!r}")
    return segments


def value_at(root: Any, segments: list[str | int]) -> Any:
    """The value at the path, or MISSING; a digit segment also indexes an array."""
    node = root
    for seg in segments:
        if isinstance(node, dict) and str(seg) in node:
            node = node[str(seg)]
        elif isinstance(node, list) and (isinstance(seg, int) or seg.isdigit()):
            i = int(seg)
            if i >= len(node):
                return MISSING
            node = node[i]
        else:
            return MISSING
    return node
