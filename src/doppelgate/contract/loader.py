"""YAML with the matcher tags: yaml.safe_load's rules plus the tags of FORMAT.md, nothing else.

Unquoted dates stay strings (YAML 1.1 would make `2011-07-14` a date object), so what a
scenario sends and expects is exactly the JSON text a client would see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from .matchers import (
    ORDERS,
    Absent,
    AnyOf,
    AnyValue,
    Contains,
    Iso8601,
    Length,
    Matcher,
    Nested,
    NoneOf,
    Not,
    Order,
    Regex,
    TypeOf,
    Unordered,
    Uuid,
)


class ScenarioLoader(yaml.SafeLoader):
    """yaml.SafeLoader + the matcher tags; timestamps are not resolved."""

    yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def plain(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """A tagged node's value as if it had no tag (`!len 3` -> 3, `!not [1]` -> [1])."""
    if isinstance(node, yaml.ScalarNode):
        plain_style = node.style is None  # a quoted '1' stays a string
        tag = loader.resolve(yaml.ScalarNode, node.value, (plain_style, not plain_style))
        return loader.construct_object(yaml.ScalarNode(tag, node.value), deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    raise yaml.constructor.ConstructorError(None, None, "unexpected node", node.start_mark)


def _text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.tag} takes a single string", node.start_mark
        )
    return str(node.value)


def _bare(make: Callable[[], Matcher]) -> Callable[[yaml.SafeLoader, yaml.Node], Matcher]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Matcher:
        if not isinstance(node, yaml.ScalarNode) or node.value != "":
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.tag} takes no argument", node.start_mark
            )
        return make()

    return construct


def _with_arg(make: Callable[[Any], Matcher]) -> Callable[[yaml.SafeLoader, yaml.Node], Matcher]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Matcher:
        try:
            return make(plain(loader, node))
        except (TypeError, ValueError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.tag}: {exc}", node.start_mark
            ) from None

    return construct


def _with_text(make: Callable[[str], Matcher]) -> Callable[[yaml.SafeLoader, yaml.Node], Matcher]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> Matcher:
        try:
            return make(_text(loader, node))
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.tag}: {exc}", node.start_mark
            ) from None

    return construct


def _list_arg(make: Callable[[list[Any]], Matcher]) -> Callable[[Any], Matcher]:
    def checked(value: Any) -> Matcher:
        if not isinstance(value, list):
            raise TypeError("expects a list")
        return make(value)

    return checked


def _length(value: Any) -> Matcher:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError("expects a non-negative integer")
    return Length(value)


def _contains(value: Any) -> Matcher:
    if not isinstance(value, str | list):
        raise TypeError("expects a string or a list")
    return Contains(value)


def _repeat(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    """`!repeat ['x', 530000]`: a long string without writing it out (request values)."""
    value = plain(loader, node)
    ok = isinstance(value, list) and len(value) == 2
    if not ok or not isinstance(value[0], str) or not isinstance(value[1], int):
        raise yaml.constructor.ConstructorError(
            None, None, "!repeat takes [text, count]", node.start_mark
        )
    return str(value[0] * value[1])


def _register() -> None:
    add = ScenarioLoader.add_constructor
    add("!any", _bare(AnyValue))
    add("!absent", _bare(Absent))
    add("!iso8601", _bare(Iso8601))
    add("!uuid", _bare(Uuid))
    add("!regex", _with_text(Regex))
    add("!type", _with_text(TypeOf))
    add("!len", _with_arg(_length))
    add("!contains", _with_arg(_contains))
    add("!exact", _with_arg(lambda value: Nested(value, exact=True)))
    add("!subset", _with_arg(lambda value: Nested(value, exact=False)))
    add("!unordered", _with_arg(_list_arg(Unordered)))
    add("!any_of", _with_arg(_list_arg(AnyOf)))
    add("!none_of", _with_arg(_list_arg(NoneOf)))
    add("!not", _with_arg(Not))
    for op in ORDERS:
        add(op, _with_arg(lambda value, op=op: Order(op, value)))
    add("!repeat", _repeat)


_register()


def load_yaml(text: str) -> Any:
    """Parse scenario YAML: yaml.load with ScenarioLoader, a yaml.SafeLoader subclass."""
    return yaml.load(text, Loader=ScenarioLoader)
