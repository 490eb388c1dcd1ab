"""Hypothesis strategies for the per-dialect fuzz tests (issue 15.10): hostile client input.

JSON values with odd unicode, NUL bytes, `$`-prefixed and dotted keys, Mongo operators where
values belong, huge and odd numbers, and nesting from a few levels to thousands; malformed JSON
bytes; odd text for form fields and query strings. Every fuzz test runs a bounded, derandomized
number of examples (FUZZ) so CI time stays small and a failure replays the same way.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import msgspec
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = 150  # per dialect and backend
SERVER_RECURSION_LIMIT = sys.getrecursionlimit()  # as a server process runs: read at import
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,  # a fixed seed: the same examples on every run
    deadline=None,  # the MongoDB backend is slower per example; speed is bench/'s business
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one app for all examples is the point
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


@contextlib.contextmanager
def server_stack() -> Iterator[None]:
    """The interpreter's own recursion limit around a request: Hypothesis raises it while a
    test runs, which hides the RecursionErrors a server process would meet."""
    raised = sys.getrecursionlimit()
    sys.setrecursionlimit(SERVER_RECURSION_LIMIT)
    try:
        yield
    finally:
        sys.setrecursionlimit(raised)


# text a client may send: every plane, NUL, RTL marks, combining marks, emoji; no lone
# surrogates (they cannot travel as UTF-8)
ODD = ["\x00", "\u202e", "\u0301", "\ufeff", "\U0001f600", "\uffff", "\u00e9", "\\", '"', "'"]
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["", " ", "null", "true", "0", "-1", "1e999", "NaN", *ODD, "a.b", "$where", "$gt"]
)
MONGO_OPERATORS = ["$gt", "$ne", "$where", "$regex", "$in", "$exists", "$expr", "$function"]
keys = texts | st.sampled_from([*MONGO_OPERATORS, "a.b", ".", "..", "$", "_id", "__proto__"])
numbers = (
    st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30, -(10**30), 1e308, -1e308, 5e-324, -0.0])
)
scalars = st.none() | st.booleans() | numbers | texts
operator_docs = st.builds(lambda op, v: {op: v}, st.sampled_from(MONGO_OPERATORS), scalars)
json_values = st.recursive(
    scalars | operator_docs,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
    max_leaves=20,
)


def nested(levels: int, kind: str, leaf: Any = 1) -> Any:
    """`levels` arrays or objects around `leaf`, built without recursion."""
    value = leaf
    for _ in range(levels):
        value = [value] if kind == "array" else {"a": value}
    return value


deep_values = st.builds(
    nested,
    st.sampled_from([40, 63, 64, 65, 100, 500]),  # deeper ones travel as text: deep_json_text
    st.sampled_from(["array", "object"]),
    scalars,
)
any_values = json_values | deep_values


def deep_json_text(levels: int, opener: str) -> bytes:
    """Deep JSON text (valid or cut short) without building the value in Python."""
    closer = {"[": "]", '{"a":': "}"}[opener]
    return (opener * levels + "1" + closer * levels).encode()


malformed_json = st.one_of(
    st.binary(max_size=60),
    st.sampled_from(
        [b"", b"{", b"[", b"{]", b'{"a":}', b"nul", b"\xff\xfe", b'{"a":1}x', b"1e99999", b"[1,]"]
    ),
    st.builds(
        deep_json_text, st.sampled_from([100, 999, 2000, 10000]), st.sampled_from(["[", '{"a":'])
    ),
)
deep_texts = st.builds(
    deep_json_text, st.sampled_from([999, 1000, 1500, 3000, 10000]), st.sampled_from(["[", '{"a":'])
)
# JSON text for a form field or a body: any value, very deep values, or no JSON at all
json_texts = st.one_of(
    any_values.map(lambda v: msgspec.json.encode(v).decode()),
    deep_texts.map(bytes.decode),
    malformed_json.map(lambda b: b.decode("utf-8", "replace")),
)
