"""The query-string forms of find: Q, P, S, from, to, maxResults (§1.3)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import QueryParams

from . import errors as E
from .errors import LightblueError
from .projection import EVERYTHING
from .wire import FindRequest

PAGING = ("from", "to", "maxResults")


def simple_find(params: QueryParams, default_projection: Any = EVERYTHING) -> FindRequest:
    """GET find/explain: Q, P, S, from, to, maxResults (§1.3)."""
    body = FindRequest()
    body.query = simple_query(params["Q"]) if params.get("Q") else None
    body.projection = simple_projection(params["P"]) if params.get("P") else default_projection
    if params.get("S"):
        body.sort = simple_sort(params["S"])
    for name in PAGING:
        if params.get(name) is not None:
            try:
                value = int(params[name])
            except ValueError:
                raise LightblueError(E.REST_FIND_ERROR, "Request is not valid") from None
            setattr(body, "from_" if name == "from" else name, value)
    return body


def simple_sort(text: str) -> list[dict[str, str]]:
    """S=f:a,g:d: `d` descending, anything else ascending (§1.3)."""
    return [
        {name: "$desc" if direction == "d" else "$asc"}
        for name, _, direction in (t.partition(":") for t in text.split(",") if t)
    ]


def simple_projection(text: str) -> list[dict[str, Any]]:
    """P=f:1,g:0,h:1r: 1 include, 0 exclude, r recursive (§1.3)."""
    rules = []
    for term in text.split(","):
        name, _, flag = term.partition(":")
        rules.append({"field": name, "include": flag.startswith("1"), "recursive": "r" in flag})
    return rules


def simple_query(text: str) -> dict[str, Any] | None:
    """GET find's Q: `f1:v1;f2:v2a,v2b` -> ANDed `=` / `$in` terms (§1.3)."""
    terms: list[dict[str, Any]] = []
    for part in text.split(";"):
        if not part:
            continue
        name, sep, value = part.partition(":")
        if not sep or not name:
            raise LightblueError(E.REST_FIND_ERROR, "Error during the parse of the request")
        if "," in value:
            terms.append({"field": name, "op": "$in", "values": value.split(",")})
        else:
            terms.append({"field": name, "op": "=", "rvalue": value})
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else {"$and": terms}
