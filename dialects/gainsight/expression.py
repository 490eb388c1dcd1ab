"""`where.expression` (spec §3): aliases combined with AND, OR and parentheses; AND binds
tighter than OR; keywords case-insensitive [I]. Parsed into an engine filter."""

from __future__ import annotations

import re
from typing import Any

from .errors import INVALID_FIELD, GainsightError

TOKEN = re.compile(r"\s*(?:(\()|(\))|([A-Za-z0-9_]+))")
MAX_PARENTHESES = 32  # nested "(" (README): a 400, never a RecursionError; far past real use


def bad(expression: str, why: str) -> GainsightError:
    return GainsightError(
        INVALID_FIELD, f"{INVALID_FIELD.desc}. Invalid expression {expression!r}: {why}."
    )


def tokens(expression: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = expression.rstrip()
    while pos < len(text):
        found = TOKEN.match(text, pos)
        if found is None:
            raise bad(expression, f"unexpected {text[pos:].strip()[:10]!r}")
        out.append(found.group(0).strip())
        pos = found.end()
    return out


def combine(expression: str, filters: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The filter of an expression over the conditions' filters by alias."""
    parser = _Parser(expression, tokens(expression), filters)
    result = parser.disjunction()
    if parser.pos != len(parser.items):
        raise bad(expression, f"unexpected {parser.items[parser.pos]!r}")
    return result


def all_of(parts: list[dict[str, Any]]) -> dict[str, Any]:
    parts = [p for p in parts if p]
    if not parts:
        return {}
    return parts[0] if len(parts) == 1 else {"$and": parts}


class _Parser:
    def __init__(self, text: str, items: list[str], filters: dict[str, dict[str, Any]]) -> None:
        self.text = text
        self.items = items
        self.filters = filters
        self.pos = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.upper() == word:
            self.pos += 1
            return True
        return False

    def disjunction(self) -> dict[str, Any]:
        parts = [self.conjunction()]
        while self.keyword("OR"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else {"$or": parts}

    def conjunction(self) -> dict[str, Any]:
        parts = [self.factor()]
        while self.keyword("AND"):
            parts.append(self.factor())
        return all_of(parts) if len(parts) > 1 else parts[0]

    def factor(self) -> dict[str, Any]:
        token = self.peek()
        if token is None:
            raise bad(self.text, "unexpected end")
        self.pos += 1
        if token == "(":
            self.depth += 1
            if self.depth > MAX_PARENTHESES:
                raise bad(self.text, f"more than {MAX_PARENTHESES} nested parentheses")
            inner = self.disjunction()
            if self.peek() != ")":
                raise bad(self.text, "missing ')'")
            self.pos += 1
            self.depth -= 1
            return inner
        if token == ")" or token.upper() in ("AND", "OR"):
            raise bad(self.text, f"unexpected {token!r}")
        if token not in self.filters:  # an alias not defined in conditions -> 400 [I]
            raise bad(self.text, f"unknown alias {token}")
        return self.filters[token] or {"_id": {"$exists": True}}
