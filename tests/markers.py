"""The `mongodb` and `maven` markers: which tests need the MongoDB-wire server or a Maven build.

`pytest -m "not mongodb"` (README "Development") is the quick loop for work that does not touch
the MongoDB backend; `-m "not mongodb and not maven"` needs no Java at all. The marks are set at
collection (`mark_items`) from what a test uses, not by hand; `require` fails a test that reaches
the server or Maven without its mark, so a gap in the detection shows instead of a slow loop.
"""

from __future__ import annotations

from pathlib import Path

import pytest

MONGODB_FIXTURES = {"mongo_server", "mongo_url"}  # asking for these reaches the test MongoDB
MONGODB_FOLDER = Path(__file__).parent / "mongodb"  # the MongoDB backend's own suite

current: list[pytest.Item] = []  # the test being set up (tests/conftest.py pytest_runtest_setup)


def uses_mongodb(item: pytest.Item) -> bool:
    """True when `item` runs on the MongoDB backend: a "mongodb" backend parameter (the `engine`
    fixture's, a `backend` argument's), a MongoDB fixture in its closure, or tests/mongodb/."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and any(
        isinstance(value, str) and value == "mongodb" for value in callspec.params.values()
    ):
        return True
    if MONGODB_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    return MONGODB_FOLDER in item.path.parents


def mark_items(items: list[pytest.Item]) -> None:
    for item in items:
        if uses_mongodb(item):
            item.add_marker(pytest.mark.mongodb)


def require(marker: str, what: str) -> None:
    """Fail the test about to use `what` unless it carries `marker`: one the collection missed
    would otherwise build or start it under `-m "not <marker>"`."""
    if current and current[0].get_closest_marker(marker) is None:
        pytest.fail(
            f"{current[0].nodeid} uses {what} but is not marked {marker!r}: "
            "mark it (tests/markers.py uses_mongodb, or a pytestmark)"
        )
