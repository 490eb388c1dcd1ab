"""What the MongoDB backend asks the server to pre-filter: a superset of the matches, never less."""

from __future__ import annotations

import datetime as dt

from doppelgate.engine.pushdown import pushdown

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_equality_in_and_numeric_or_date_ranges_go_to_the_server() -> None:
    spec = {"a": 1, "b": {"$in": ["x", "y"]}, "n": {"$gte": 2, "$lt": 9.5}, "t": {"$gt": WHEN}}
    assert pushdown(spec) == {
        "$and": [
            {"a": 1},
            {"b": {"$in": ["x", "y"]}},
            {"n": {"$gte": 2}},  # one clause per bound: arrays may meet each with
            {"n": {"$lt": 9.5}},  # a different element
            {"t": {"$gt": WHEN}},
        ]
    }


def test_string_null_and_bool_ranges_stay_in_python() -> None:
    assert pushdown({"s": {"$gt": "m"}}) == {}
    assert pushdown({"z": {"$gte": None}}) == {}
    assert pushdown({"f": {"$lt": True}}) == {}
    assert pushdown({"big": {"$gt": 2**60}}) == {}  # beyond exact doubles


def test_numeric_path_steps_and_negations_stay_in_python() -> None:
    assert pushdown({"a.0": {"$gt": 1}}) == {}
    assert pushdown({"n": {"$not": {"$gt": 1}}}) == {}
    assert pushdown({"$nor": [{"n": {"$gt": 1}}]}) == {}
