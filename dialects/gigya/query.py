"""The ds.search query language (spec §4): query text -> engine filter, sort, paging, select list.

This module only translates; it never evaluates a query. Use:

    q = parse_query('SELECT * FROM todo WHERE done_b = false ORDER BY due_d DESC LIMIT 10')
    docs = await coll.find(q.filter_with({"type": q.from_type}), sort=q.sort, ...)

Any bad query raises QuerySyntaxError(position, token): the dialect answers 400006 "Invalid
parameter value" with str(error) as errorDetails (spec §7).

Field mapping: queryfields.py (record paths, engine paths, kinds).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, NoReturn

from .queryfields import (
    BINARY,
    BOOLEAN,
    DATE,
    EPOCH_MS,
    FLOAT,
    INTEGER,
    LONG,
    STRING,
    TEXT,
    FieldInfo,
    FieldResolver,
    default_field,
    record_path,
)
from .querytext import (
    END,
    INVALID,
    NUMBER,
    OP,
    PUNCT,
    STRING_LIT,
    SYNTAX,
    UNSUPPORTED,
    WORD,
    QuerySyntaxError,
    Token,
    epoch_ms,
    lucene_to_re2,
    parse_date,
    tokenize,
)

DEFAULT_LIMIT: Final = 300  # no LIMIT clause (spec §4)
MAX_LIMIT: Final = 10000  # spec §4 [inf]
MAX_NESTING: Final = 100  # NOTs and parentheses inside one another [inf]

# -- public types ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SelectItem:
    """One SELECT entry: a record path (`data.track.title`, `oid`) and its optional AS alias."""

    path: str
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class SearchQuery:
    from_type: str
    select: tuple[SelectItem, ...] | None = None  # None: `*`, the whole record
    count: bool = False  # SELECT count(*)
    filter: dict[str, Any] = field(default_factory=dict)  # engine filter; {} matches everything
    sort: list[tuple[str, int]] = field(default_factory=list)  # (engine path, 1 | -1)
    limit: int | None = None  # None: no LIMIT clause (DEFAULT_LIMIT applies); 0 is a real 0
    start: int | None = None  # None: no START clause

    def filter_with(self, scope: Mapping[str, Any]) -> dict[str, Any]:
        """The filter restricted to `scope` (e.g. {"type": ..., "deleted": {"$ne": True}})."""
        if not self.filter:
            return dict(scope)
        if not scope:
            return self.filter
        return {"$and": [dict(scope), self.filter]}


def parse_query(text: str, resolve: FieldResolver = default_field) -> SearchQuery:
    """Parse a ds.search query; raises QuerySyntaxError."""
    return _Parser(text, resolve).query()


# -- the parser --------------------------------------------------------------------------------

RESERVED: Final = frozenset(
    "select from where and or not order by asc desc start limit contains in is null regex as "
    "true false group having filter".split()
)
_CLAUSES = ("select", "from", "where", "order", "start", "limit")
_UNSUPPORTED = ("group", "having", "filter", "join", "union", "offset")  # spec §4 [inf]
_RANGE_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_NUMERIC = frozenset((INTEGER, LONG, FLOAT, EPOCH_MS))
_TEXTUAL = frozenset((STRING, TEXT, BINARY))
_NO_RANGE = frozenset((STRING, TEXT, BINARY, BOOLEAN))
_NO_PATTERN = frozenset((INTEGER, LONG, FLOAT, EPOCH_MS, BOOLEAN, DATE, BINARY))
_KEYWORD = re.compile(r"[^\W_]+")  # a text field's keywords: runs of letters/digits [inf]
_NOT_KEYWORD_CHAR = r"[^\W_]"


class _Parser:
    """Recursive descent over the grammar of spec §4 (keywords case-insensitive)."""

    def __init__(self, text: str, resolve: FieldResolver) -> None:
        self.tokens = tokenize(text)
        self.at = 0
        self.resolve = resolve
        self.paged: dict[str, int] = {}  # START / LIMIT values seen
        self.depth = 0  # NOT / parenthesis nesting

    # token helpers

    @property
    def tok(self) -> Token:
        return self.tokens[self.at]

    def advance(self) -> Token:
        token = self.tokens[self.at]
        self.at = min(self.at + 1, len(self.tokens) - 1)
        return token

    def accept_kw(self, *words: str) -> Token | None:
        return self.advance() if self.tok.is_kw(*words) else None

    def accept_punct(self, char: str) -> Token | None:
        return self.advance() if self.tok.kind == PUNCT and self.tok.text == char else None

    def expect_kw(self, word: str) -> Token:
        return self.accept_kw(word) or self.fail(f"expected {word.upper()}")

    def expect_punct(self, char: str) -> Token:
        return self.accept_punct(char) or self.fail(f"expected '{char}'")

    def fail(self, detail: str, token: Token | None = None, problem: str = SYNTAX) -> NoReturn:
        token = token or self.tok
        raise QuerySyntaxError(problem, token.pos, token.text, detail)

    # query := SELECT sel FROM type [WHERE expr] [ORDER BY ord {, ord}] [START n] [LIMIT n]

    def query(self) -> SearchQuery:
        self.expect_kw("select")
        select, count = self.select_list()
        self.expect_kw("from")
        from_type = self.type_name()
        where: dict[str, Any] = self.expr() if self.accept_kw("where") else {}
        sort = self.order_by() if self.accept_kw("order") else []
        start, limit = self.paging()
        if self.tok.kind != END:
            self.trailing(self.expected_next(bool(where), bool(sort)))
        return SearchQuery(from_type, select, count, where, sort, limit, start)

    def expected_next(self, where: bool, order: bool) -> list[str]:
        """What could have followed the clauses parsed so far (for the error message)."""
        paging = [k.upper() for k in ("start", "limit") if k not in self.paged]
        if self.paged:
            return paging
        if order:
            return ["','", *paging]
        return [*(["AND", "OR"] if where else ["WHERE"]), "ORDER BY", *paging]

    def trailing(self, expected: list[str]) -> NoReturn:
        token = self.tok
        if token.is_kw(*_UNSUPPORTED):  # GROUP BY/FILTER are accounts.search only (spec §4)
            clause = "GROUP BY" if token.is_kw("group") else token.text.upper()
            self.fail(f"{clause} is not supported by ds.search", problem=UNSUPPORTED)
        if token.is_kw(*_CLAUSES):  # fixed clause order (spec §4)
            self.fail(f"{token.text.upper()} clause out of order")
        self.fail(f"expected {', '.join([*expected, 'the end of the query'])}")

    # SELECT

    def select_list(self) -> tuple[tuple[SelectItem, ...] | None, bool]:
        if self.is_call() and self.tok.is_kw("count"):
            self.count_star()
            return None, True
        items: list[SelectItem] = []
        star = False
        while True:
            if self.accept_punct("*"):
                star = True  # `*, profile.age` is documented (accounts.search): `*` wins [inf]
            else:
                items.append(self.select_item())
            if not self.accept_punct(","):
                break
        return (None if star else tuple(items)), False

    def is_call(self) -> bool:
        """A word then '(': count(*) or another function."""
        nxt = self.tokens[min(self.at + 1, len(self.tokens) - 1)]
        return self.tok.kind == WORD and nxt.kind == PUNCT and nxt.text == "("

    def count_star(self) -> None:
        self.advance()
        self.expect_punct("(")
        self.expect_punct("*")
        self.expect_punct(")")
        if self.tok.kind == PUNCT and self.tok.text == ",":
            self.fail("count(*) must be the only SELECT item")

    def select_item(self) -> SelectItem:
        if self.is_call() and self.tok.is_kw("count"):
            self.fail("count(*) must be the only SELECT item")
        if self.is_call():  # sum(), min(), max(), avg()... are accounts.search only (spec §4)
            self.fail("functions other than count(*) are not supported", problem=UNSUPPORTED)
        path = record_path(self.path("expected '*', count(*) or a field name"))
        alias = None
        if self.accept_kw("as"):
            alias = self.name("expected an alias name after AS")
        return SelectItem(path, alias)

    # FROM

    def type_name(self) -> str:
        return self.path("expected the object type after FROM")  # `data.userAccounts` (docs)

    # WHERE: expr := term {OR term}; term := factor {AND factor};
    #        factor := NOT factor | ( expr ) | pred

    def expr(self) -> dict[str, Any]:
        parts = [self.term()]
        while self.accept_kw("or"):
            parts.append(self.term())
        return _combine("$or", parts)

    def term(self) -> dict[str, Any]:
        parts = [self.factor()]
        while self.accept_kw("and"):
            parts.append(self.factor())
        return _combine("$and", parts)

    def factor(self) -> dict[str, Any]:
        opener = self.accept_kw("not") or self.accept_punct("(")
        if opener is None:
            return self.predicate()
        self.depth += 1
        if self.depth > MAX_NESTING:  # a 400006, not a RecursionError
            detail = f"more than {MAX_NESTING} nested NOTs / parentheses"
            self.fail(detail, opener, UNSUPPORTED)
        if opener.kind == PUNCT:
            result = self.expr()
            self.expect_punct(")")
        else:
            result = _negate(self.factor())
        self.depth -= 1
        return result

    def predicate(self) -> dict[str, Any]:
        field_info = self.resolve(record_path(self.path("expected a field name, NOT or '('")))
        token = self.tok
        if token.kind == OP:
            self.advance()
            return self.comparison(field_info, token)
        if self.accept_kw("is"):
            negated = self.accept_kw("not") is not None
            self.expect_kw("null")
            return {field_info.path: {"$ne": None}} if negated else {field_info.path: None}
        negated = self.accept_kw("not") is not None
        if self.accept_kw("contains"):
            matched = self.contains(field_info)
        elif self.accept_kw("in"):
            matched = {field_info.path: {"$in": self.value_list(field_info)}}
        elif self.tok.is_kw("regex"):
            matched = self.regex(field_info)
        else:
            expected = "CONTAINS, IN or REGEX" if negated else "an operator"
            return self.fail(f"expected {expected}")
        return _negate(matched) if negated else matched

    def comparison(self, field_info: FieldInfo, op: Token) -> dict[str, Any]:
        if self.tok.is_kw("regex"):
            if op.text not in ("=", "!=", "<>"):
                self.fail("REGEX goes with = or !=", op)
            matched = self.regex(field_info)
            return matched if op.text == "=" else _negate(matched)
        if self.tok.is_kw("null"):
            self.fail("compare with IS NULL / IS NOT NULL")
        literal = self.tok
        value = self.value(field_info)
        path = field_info.path
        if op.text == "=":
            return {path: value}  # case-sensitive (spec §4)
        if op.text in ("!=", "<>"):
            return {path: {"$ne": value}}
        self.check_range(field_info, op, literal, value)
        return {path: {_RANGE_OPS[op.text]: value}}

    def check_range(self, field_info: FieldInfo, op: Token, literal: Token, value: Any) -> None:
        if field_info.encrypted:  # no range comparisons on encrypted fields (spec §4)
            self.fail("range comparisons are not available on encrypted fields", op, INVALID)
        if field_info.kind in _NO_RANGE:  # ranges only on _i/_f/_d (spec §3, §4)
            self.fail(f"{_a(field_info.kind)} field has no range comparisons", op, INVALID)
        if isinstance(value, bool):
            self.fail("range comparisons need a number, a date or a string", literal)

    def contains(self, field_info: FieldInfo) -> dict[str, Any]:
        literal = self.tok
        if literal.kind != STRING_LIT:
            self.fail("CONTAINS needs a quoted string")
        self.advance()
        if field_info.kind is not None and field_info.kind not in _TEXTUAL:
            detail = f"CONTAINS needs a string or text field, not {field_info.kind}"
            self.fail(detail, literal, INVALID)
        if field_info.kind == TEXT and not field_info.encrypted:
            return {field_info.path: _keywords_condition(literal.value)}
        # strings, and encrypted fields: case-insensitive whole-value match (spec §4)
        return {field_info.path: {"$regex": f"^{re.escape(literal.value)}$", "$options": "i"}}

    def regex(self, field_info: FieldInfo) -> dict[str, Any]:
        keyword = self.expect_kw("regex")
        if field_info.encrypted:  # spec §4
            self.fail("REGEX is not available on encrypted fields", keyword, INVALID)
        if field_info.kind in _NO_PATTERN:
            detail = f"REGEX needs a string or text field, not {field_info.kind}"
            self.fail(detail, keyword, INVALID)
        self.expect_punct("(")
        literal = self.tok
        if literal.kind != STRING_LIT:
            self.fail("REGEX needs a quoted pattern")
        self.advance()
        self.expect_punct(")")
        raw = literal.text[1:-1]  # the pattern exactly as written between the quotes
        try:
            pattern = lucene_to_re2(raw)
        except ValueError as exc:
            return self.fail(f"invalid regular expression: {exc}", literal, INVALID)
        return {field_info.path: {"$regex": pattern}}

    def value_list(self, field_info: FieldInfo) -> list[Any]:
        self.expect_punct("(")
        values = [self.value(field_info)]
        while self.accept_punct(","):
            values.append(self.value(field_info))
        self.expect_punct(")")
        return values

    # values

    def value(self, field_info: FieldInfo) -> Any:
        token = self.tok
        if token.kind in (STRING_LIT, NUMBER):
            literal = token.value
        elif token.is_kw("true", "false"):
            literal = token.text.lower() == "true"
        else:
            return self.fail("expected a value: a quoted string, a number, true or false")
        self.advance()
        return self.typed(field_info, literal, token)

    def typed(self, field_info: FieldInfo, literal: Any, token: Token) -> Any:
        """The literal as the field's kind wants it; a mismatch is 400006 (spec §4 [inf])."""
        kind = field_info.kind
        if kind is None:
            return literal
        is_number = isinstance(literal, int | float) and not isinstance(literal, bool)
        if kind == EPOCH_MS and isinstance(literal, str):
            when = parse_date(literal)
            if when is not None:
                return epoch_ms(when)
        elif kind in _NUMERIC and is_number:
            return literal
        elif kind in _TEXTUAL and isinstance(literal, str):
            return literal
        elif kind == BOOLEAN and isinstance(literal, bool):
            return literal
        elif kind == DATE and isinstance(literal, str):
            when = parse_date(literal)
            if when is not None:
                return when
        return self.fail(f"{_describe(literal)} does not fit {_a(kind)} field", token, INVALID)

    # names

    def path(self, expected: str) -> str:
        token = self.tok
        if token.kind != WORD or token.text.lower() in RESERVED:
            self.fail(expected)
        self.advance()
        return token.text

    def name(self, expected: str) -> str:
        token = self.tok
        if token.kind != WORD or "." in token.text or token.text.lower() in RESERVED:
            self.fail(expected)
        self.advance()
        return token.text

    # ORDER BY, START, LIMIT

    def order_by(self) -> list[tuple[str, int]]:
        self.expect_kw("by")
        keys = [self.order_key()]
        while self.accept_punct(","):
            keys.append(self.order_key())
        return keys

    def order_key(self) -> tuple[str, int]:
        engine_path = self.resolve(record_path(self.path("expected a field name"))).path
        if self.accept_kw("desc"):
            return engine_path, -1
        self.accept_kw("asc")  # ASC is the default (spec §4)
        return engine_path, 1

    def paging(self) -> tuple[int | None, int | None]:
        """START and LIMIT, each at most once, in either order (docs: "Start Or/And Limit")."""
        found = self.paged
        while (keyword := self.accept_kw("start", "limit")) is not None:
            name = keyword.text.lower()
            if name in found:
                self.fail(f"{name.upper()} given twice", keyword)
            found[name] = self.count_value(name)
        return found.get("start"), found.get("limit")

    def count_value(self, clause: str) -> int:
        token = self.tok
        if token.kind != NUMBER or not isinstance(token.value, int) or token.value < 0:
            self.fail(f"{clause.upper()} needs a non-negative integer")
        if clause == "limit" and token.value > MAX_LIMIT:
            self.fail(f"LIMIT cannot exceed {MAX_LIMIT}", problem=INVALID)
        self.advance()
        return int(token.value)


# -- filter building ---------------------------------------------------------------------------


def _combine(operator: str, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One $and/$or over the parts, splicing nested ones of the same operator."""
    if len(parts) == 1:
        return parts[0]
    flat: list[dict[str, Any]] = []
    for part in parts:
        flat.extend(part[operator] if list(part) == [operator] else [part])
    return {operator: flat}


def _negate(condition: dict[str, Any]) -> dict[str, Any]:
    # $nor works on whole conditions on both backends, unlike $not with $regex
    return {"$nor": [condition]}


def _keywords_condition(term: str) -> dict[str, Any]:
    """A text field contains every keyword of `term` as a whole token, any case (spec §4 [inf])."""
    keywords = _KEYWORD.findall(term)
    if not keywords:
        return {"$in": []}  # no keyword: nothing matches [inf]
    lookaheads = "".join(
        f"(?=.*(?<!{_NOT_KEYWORD_CHAR}){re.escape(k)}(?!{_NOT_KEYWORD_CHAR}))" for k in keywords
    )
    return {"$regex": "^" + lookaheads, "$options": "is"}


def _a(kind: str | None) -> str:
    return f"an {kind}" if str(kind)[:1] in "aeiou" else f"a {kind}"


def _describe(literal: Any) -> str:
    if isinstance(literal, bool):
        return "a boolean"
    if isinstance(literal, str):
        return "a string"
    return "a number"
