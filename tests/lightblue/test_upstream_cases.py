"""lightblue-core's and lightblue-mongo's own evaluator cases (tests.upstream_cases), as finds and
updates on upstream's `test` entity holding upstream's sample1 document, on both backends."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import Lightblue, eq
from .upstream_cases import MISSING, PROJECTIONS, QUERIES, UPDATES


def at(doc: Any, path: str) -> Any:
    """The value at a dotted path (numeric steps index arrays), or MISSING."""
    node = doc
    for step in path.split("."):
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            return MISSING
    return node


def mismatches(doc: Any, expected: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {p: (at(doc, p), v) for p, v in expected.items() if at(doc, p) != v}


@pytest.mark.parametrize(("case", "query", "expected"), QUERIES, ids=[c[0] for c in QUERIES])
async def test_query(sample: Lightblue, case: str, query: Any, expected: bool | str) -> None:
    if isinstance(expected, str):
        reply = await sample.call("POST", "/find/test", {"query": query}, status=500)
        assert reply["errors"][0]["errorCode"] == expected, reply
        return
    reply = await sample.find("test", query)
    assert reply["status"] == "COMPLETE", reply
    assert reply["matchCount"] == int(expected)


@pytest.mark.parametrize(
    ("case", "setup", "update", "expected"), UPDATES, ids=[c[0] for c in UPDATES]
)
async def test_update(
    sample: Lightblue, case: str, setup: Any, update: Any, expected: dict[str, Any] | str
) -> None:
    selected = eq("field2", "value2")
    if setup is not None:
        assert (await sample.update("test", selected, setup))["status"] == "COMPLETE"
    if isinstance(expected, str):  # refused: the whole request, or the document
        body = {"query": selected, "update": update}
        reply = await sample.http.post("/rest/data/update/test", json=body)
        answer = reply.json()
        errors = answer.get("errors") or answer["dataErrors"][0]["errors"]
        assert errors[0]["errorCode"] == expected, answer
        [doc] = await sample.found("test", None)
        assert doc["field6"]["nf11"] == [5, 10, 15, 20]  # nothing written
        return
    reply = await sample.update("test", selected, update)
    assert (reply["status"], reply["matchCount"], reply["modifiedCount"]) == ("COMPLETE", 1, 1)
    [doc] = await sample.found("test", None)
    assert not mismatches(doc, expected)


@pytest.mark.parametrize(
    ("case", "projection", "expected"), PROJECTIONS, ids=[c[0] for c in PROJECTIONS]
)
async def test_projection(
    sample: Lightblue, case: str, projection: Any, expected: dict[str, Any]
) -> None:
    [doc] = await sample.found("test", None, projection=projection)
    assert not mismatches(doc, expected)
