"""ds.search query language (spec §4): engine filters, errors, and results on the engine."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from doppelgate.dialects.gigya.query import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_NESTING,
    SearchQuery,
    SelectItem,
    parse_query,
)
from doppelgate.dialects.gigya.queryfields import FieldInfo, default_field, record_path
from doppelgate.dialects.gigya.querytext import (
    ERROR_CODE,
    QuerySyntaxError,
    lucene_to_python,
    lucene_to_re2,
    parse_date,
    tokenize,
)

from doppelgate.engine import Collection
from doppelgate.engine.memory import MemoryEngine

UTC = dt.UTC


def where(condition: str, **kwargs: Any) -> dict[str, Any]:
    """The filter of `SELECT * FROM t WHERE <condition>`, RE2 patterns shown as their text."""
    return plain(parse_query(f"SELECT * FROM t WHERE {condition}", **kwargs).filter)


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "options") and hasattr(value, "pattern"):  # an RE2 pattern object
        return {"re2": value.pattern, "dot_nl": value.options.dot_nl}
    return value


def lucene(translated: str) -> dict[str, Any]:
    """REGEX's condition: an RE2 pattern (linear time), `.` matching newlines too."""
    return {"$regex": {"re2": translated, "dot_nl": True}}


def ci_whole(text: str) -> dict[str, Any]:
    """A case-insensitive whole-value match, as CONTAINS on a string field builds it."""
    return {"$regex": f"^{re.escape(text)}$", "$options": "i"}


def parse_error(query: str, **kwargs: Any) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(query, **kwargs)
    return caught.value


# -- documented examples -----------------------------------------------------------------------


def test_select_all_from_type() -> None:
    # the querySig test vector's query (spec §2)
    assert parse_query("SELECT * FROM todo") == SearchQuery(from_type="todo")


@pytest.mark.parametrize(
    ("query", "from_type", "expected"),
    [
        # ds.search REST: strings in double quotes, numbers unquoted
        ('SELECT * FROM music WHERE guitar = "Fender"', "music", {"data.guitar": "Fender"}),
        ("SELECT * FROM music WHERE age = 42", "music", {"data.age": 42}),
        # an older page of the same doc names the type with a dot
        ("SELECT * FROM data.userAccounts WHERE age = 42", "data.userAccounts", {"data.age": 42}),
        # @gigya-ts: a bare path lives under data
        (
            'SELECT * FROM accounts WHERE profile.lastName CONTAINS "Smith"',
            "accounts",
            {"data.profile.lastName": ci_whole("Smith")},
        ),
        # audit-log page: in() with a list, lower-case keyword
        (
            'SELECT * FROM auditLog WHERE errCode in ("0", "400006", "400009")',
            "auditLog",
            {"data.errCode": {"$in": ["0", "400006", "400009"]}},
        ),
        (
            'SELECT * FROM auditLog WHERE endpoint = "accounts.sociallogin" '
            'AND params.x_provider = "facebook"',
            "auditLog",
            {
                "$and": [
                    {"data.endpoint": "accounts.sociallogin"},
                    {"data.params.x_provider": "facebook"},
                ]
            },
        ),
    ],
)
def test_documented_where_examples(query: str, from_type: str, expected: dict[str, Any]) -> None:
    parsed = parse_query(query)
    assert parsed.from_type == from_type
    assert parsed.filter == expected
    assert parsed.select is None
    assert not parsed.count


def test_documented_select_forms() -> None:
    # full path, partial path (whole subtree), object name, AS alias (spec §4)
    parsed = parse_query(
        "SELECT data.album.photo.photoTitle_t, data.album, user_likes, track.title AS song "
        "FROM photos"
    )
    assert parsed.select == (
        SelectItem("data.album.photo.photoTitle_t"),
        SelectItem("data.album"),
        SelectItem("data.user_likes"),
        SelectItem("data.track.title", "song"),
    )
    aliased = parse_query("SELECT profile.firstName AS contactName FROM accounts")
    assert aliased.select == (SelectItem("data.profile.firstName", "contactName"),)


def test_select_count() -> None:
    parsed = parse_query("SELECT count(*) FROM todo WHERE done_b = false")
    assert parsed.count
    assert parsed.select is None
    assert parsed.filter == {"data.done_b": False}
    assert parse_query("select COUNT ( * ) from todo").count


def test_select_star_with_fields_is_all() -> None:
    # `SELECT *, profile.age` is documented (accounts.search); `*` already returns everything
    assert parse_query("SELECT *, profile.age FROM accounts LIMIT 5").select is None


def test_select_system_fields() -> None:
    parsed = parse_query("SELECT oid, UID, data, lastUpdated, createdTime FROM t")
    assert [item.path for item in parsed.select or ()] == [
        "oid",
        "UID",
        "data",
        "lastUpdated",
        "createdTime",
    ]


@pytest.mark.parametrize(
    ("query", "token"),
    [
        # accounts.search: GROUP BY is valid there, not in ds.search; and misplaced it is an error
        ("SELECT *, profile.age FROM accounts GROUP BY profile.age LIMIT 5", "GROUP"),
        ("SELECT *, profile.age FROM accounts LIMIT 5 GROUP BY profile.age", "GROUP"),
        ("SELECT * FROM accounts WHERE age_i > 3 HAVING age_i > 4", "HAVING"),
        ("SELECT * FROM accounts FILTER age_i > 3", "FILTER"),
        ("SELECT min(profile.age) FROM accounts", "min"),
        ("SELECT sum(age_i), count(*) FROM accounts", "sum"),
    ],
)
def test_documented_unsupported_sql(query: str, token: str) -> None:
    error = parse_error(query)
    assert error.token == token
    assert query[error.position :].startswith(token)
    assert str(error).startswith(f"Unsupported at position {error.position} near '{token}'")


# the accounts.search RegEx page's examples: (pattern, value, matches)
REGEX_PAGE_EXAMPLES = [
    ("ab.*", "abcde", True),
    ("abcd", "abcde", False),
    ("ab...", "abcde", True),
    ("a.c.e", "abcde", True),
    ("a+b+", "aaabbb", True),
    ("aa+bb+", "aaabbb", True),
    ("a+.+", "aaabbb", True),
    ("a*b*", "aaabbb", True),
    ("a*b*c*", "aaabbb", True),
    (".*bbb.*", "aaabbb", True),
    ("aaa*bbb*", "aaabbb", True),
    ("aaa?bbb?", "aaabbb", True),
    ("aaaa?bbbb?", "aaabbb", True),
    (".....?.?", "aaabbb", True),
    ("\\*", "*", True),
    ("\\\\", "\\", True),
]


@pytest.mark.parametrize(("pattern", "value", "matches"), REGEX_PAGE_EXAMPLES)
def test_regex_page_examples(pattern: str, value: str, matches: bool) -> None:
    translated = lucene_to_python(pattern)
    assert (re.search(translated, value, re.DOTALL) is not None) is matches
    assert (lucene_to_re2(pattern).search(value) is not None) is matches  # what search runs


# -- every operator ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ('title_s = "Buy milk"', {"data.title_s": "Buy milk"}),
        ("n_i != 3", {"data.n_i": {"$ne": 3}}),
        ("n_i <> 3", {"data.n_i": {"$ne": 3}}),
        ("n_i < 3", {"data.n_i": {"$lt": 3}}),
        ("n_i <= 3", {"data.n_i": {"$lte": 3}}),
        ("n_i > -3", {"data.n_i": {"$gt": -3}}),
        ("f_f >= 2.5", {"data.f_f": {"$gte": 2.5}}),
        ("f_f < 1e3", {"data.f_f": {"$lt": 1000.0}}),
        ("done_b = true", {"data.done_b": True}),
        ("done_b != FALSE", {"data.done_b": {"$ne": False}}),
        ("n_i IN (1, 2, 3)", {"data.n_i": {"$in": [1, 2, 3]}}),
        ("n_i NOT IN (1)", {"$nor": [{"data.n_i": {"$in": [1]}}]}),
        ("x IS NULL", {"data.x": None}),
        ("x IS NOT NULL", {"data.x": {"$ne": None}}),
        ('title_s CONTAINS "Milk"', {"data.title_s": ci_whole("Milk")}),
        ('title_s NOT CONTAINS "a.b"', {"$nor": [{"data.title_s": ci_whole("a.b")}]}),
        ('name CONTAINS "Ann"', {"data.name": ci_whole("Ann")}),  # unknown kind: string rules
        ("name = regex('A.*')", {"data.name": lucene("^(?:A.*)$")}),
        ("name != regex('A.*')", {"$nor": [{"data.name": lucene("^(?:A.*)$")}]}),
        ('name REGEX ("a|b")', {"data.name": lucene("^(?:a|b)$")}),
        ('name NOT REGEX ("a")', {"$nor": [{"data.name": lucene("^(?:a)$")}]}),
    ],
)
def test_operators(condition: str, expected: dict[str, Any]) -> None:
    assert where(condition) == expected


def test_contains_on_text_field_wants_every_keyword_as_a_token() -> None:
    condition = where('notes_t CONTAINS "Fresh, MILK!"')["data.notes_t"]
    assert condition["$options"] == "is"
    pattern = re.compile(condition["$regex"], re.IGNORECASE | re.DOTALL)
    assert pattern.search("milk: very fresh")
    assert pattern.search("FRESH\nmilk")
    assert not pattern.search("fresh milkshake")
    assert not pattern.search("fresh")


def test_contains_without_keywords_matches_nothing() -> None:
    assert where('notes_t CONTAINS "!!"') == {"data.notes_t": {"$in": []}}


def test_regex_is_escaped_from_literals() -> None:
    # CONTAINS terms are literal text, whatever regex characters they hold
    assert where('a_s CONTAINS "(x)*[y]+$"') == {"data.a_s": ci_whole("(x)*[y]+$")}
    condition = where('t_t CONTAINS "c++ (beta)"')["data.t_t"]
    assert re.search(condition["$regex"], "C beta", re.I | re.S)  # keywords: c, beta


@pytest.mark.parametrize(
    ("pattern", "translated"),
    [
        ("ab.*", "^(?:ab.*)$"),
        ("a\\.b", "^(?:a\\.b)$"),  # an escaped reserved character is literal
        ('"a.b"c+', "^(?:a\\.bc+)$"),  # "..." is a literal string
        ("^x$", "^(?:\\^x\\$)$"),  # no anchors in Lucene syntax: ^ and $ are plain characters
        ("[a-c]{2,3}", "^(?:[a-c]{2,3})$"),
        ("[^0-9]+", "^(?:[^0-9]+)$"),
        ("(ab|cd)?e", "^(?:(ab|cd)?e)$"),
    ],
)
def test_lucene_translation(pattern: str, translated: str) -> None:
    assert lucene_to_python(pattern) == translated


@pytest.mark.parametrize("pattern", ["[a-", "a\\", '"abc', "(?i)x", "*a", "(a"])
def test_lucene_translation_rejects_malformed_patterns(pattern: str) -> None:
    with pytest.raises(ValueError):
        lucene_to_python(pattern)
    with pytest.raises(ValueError):
        lucene_to_re2(pattern)


# -- literals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ('"double"', "double"),
        ("'single'", "single"),
        ('"say \\"hi\\""', 'say "hi"'),
        ("'it\\'s'", "it's"),
        ('"it\'s"', "it's"),
        ("'say \"hi\"'", 'say "hi"'),
        ('"back\\\\slash"', "back\\slash"),
        ('"a\\.b"', "a\\.b"),  # other escapes stay as written
        ('"tab\there"', "tab\there"),
        ('""', ""),
        ('"ünïcødé ✓"', "ünïcødé ✓"),
        ("42", 42),
        ("-7", -7),
        ("0.5", 0.5),
        ("-1.5E2", -150.0),
        ("true", True),
        ("False", False),
    ],
)
def test_literals(literal: str, value: Any) -> None:
    got = where(f"x = {literal}")["data.x"]
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2011-07-14T11:42:32.123+3", dt.datetime(2011, 7, 14, 8, 42, 32, 123000, tzinfo=UTC)),
        ("2011-07-14", dt.datetime(2011, 7, 14, tzinfo=UTC)),
        ("2011-07-14T11:42:32", dt.datetime(2011, 7, 14, 11, 42, 32, tzinfo=UTC)),
        ("2011-07-14 11:42:32", dt.datetime(2011, 7, 14, 11, 42, 32, tzinfo=UTC)),
        ("2011-07-14T11:42:32Z", dt.datetime(2011, 7, 14, 11, 42, 32, tzinfo=UTC)),
        ("2011-07-14T11:42:32-05:30", dt.datetime(2011, 7, 14, 17, 12, 32, tzinfo=UTC)),
        ("2011-07-14T11:42+0200", dt.datetime(2011, 7, 14, 9, 42, tzinfo=UTC)),
        ("1978-07-22", dt.datetime(1978, 7, 22, tzinfo=UTC)),
    ],
)
def test_parse_date_accepts_the_documented_formats(text: str, expected: dt.datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "2011-13-01", "2011-02-30", "14/07/2011", ""])
def test_parse_date_rejects_other_text(text: str) -> None:
    assert parse_date(text) is None


def test_date_fields_compare_as_datetimes() -> None:
    assert where('due_d >= "2024-01-01"') == {
        "data.due_d": {"$gte": dt.datetime(2024, 1, 1, tzinfo=UTC)}
    }
    assert where('due_d IN ("2024-01-01 10:00:00")') == {
        "data.due_d": {"$in": [dt.datetime(2024, 1, 1, 10, tzinfo=UTC)]}
    }


def test_system_time_fields_take_ms_or_dates() -> None:
    assert where("lastUpdated > 1426675345000") == {"lastUpdated": {"$gt": 1426675345000}}
    ms = 1426675345000
    assert where('lastUpdatedTime >= "2015-03-18T10:42:25.000Z"') == {"lastUpdated": {"$gte": ms}}
    assert where('created < "1970-01-02"') == {"created": {"$lt": 86_400_000}}


# -- fields ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("title_s", "data.title_s"),
        ("data.title_s", "data.title_s"),
        ("data.profile.age_i", "data.profile.age_i"),
        ("profile.age_i", "data.profile.age_i"),
        ("data", "data"),
        ("dataset", "data.dataset"),
        ("oid", "oid"),
        ("UID", "UID"),
        ("uid", "data.uid"),  # system names are case-sensitive
        ("created", "created"),
    ],
)
def test_record_path(name: str, path: str) -> None:
    assert record_path(name) == path


@pytest.mark.parametrize(
    ("name", "info"),
    [
        ("data.a_i", FieldInfo("data.a_i", "long")),
        ("data.a_f", FieldInfo("data.a_f", "float")),
        ("data.a_s", FieldInfo("data.a_s", "string")),
        ("data.a_t", FieldInfo("data.a_t", "text")),
        ("data.a_b", FieldInfo("data.a_b", "boolean")),
        ("data.a_d", FieldInfo("data.a_d", "date")),
        ("data.a_x", FieldInfo("data.a_x", None)),
        ("data.plain", FieldInfo("data.plain", None)),
        ("data.obj_i.child", FieldInfo("data.obj_i.child", None)),  # only the leaf's suffix counts
        ("oid", FieldInfo("_id", "string")),
        ("UID", FieldInfo("UID", "string")),
        ("createdTime", FieldInfo("created", "epoch_ms")),
        ("lastUpdated", FieldInfo("lastUpdated", "epoch_ms")),
    ],
)
def test_default_field(name: str, info: FieldInfo) -> None:
    assert default_field(name) == info


def test_system_fields_map_to_the_stored_record() -> None:
    assert where('oid = "a1" AND UID = "u1"') == {"$and": [{"_id": "a1"}, {"UID": "u1"}]}


def test_a_resolver_can_move_paths_and_declare_schema_types() -> None:
    def resolve(path: str) -> FieldInfo:
        if path == "data.secret":
            return FieldInfo("data.secret", "string", encrypted=True)
        if path == "data.when":  # a schema-typed date kept in a normalised shadow copy
            return FieldInfo("dates.when", "date")
        return default_field(path)

    assert where('when < "2020-01-01"', resolve=resolve) == {
        "dates.when": {"$lt": dt.datetime(2020, 1, 1, tzinfo=UTC)}
    }
    # encrypted: CONTAINS is a case-insensitive whole-value match, = and IN stay (spec §4)
    assert where('secret CONTAINS "AbC"', resolve=resolve) == {"data.secret": ci_whole("AbC")}
    assert where('secret IN ("a")', resolve=resolve) == {"data.secret": {"$in": ["a"]}}
    sort = parse_query("SELECT * FROM t ORDER BY when DESC", resolve=resolve).sort
    assert sort == [("dates.when", -1)]
    for bad, token in [('secret > "a"', ">"), ("secret = regex('a.*')", "regex")]:
        error = parse_error(f"SELECT * FROM t WHERE {bad}", resolve=resolve)
        assert error.token == token
        assert "encrypted" in str(error)


# -- precedence and parentheses ----------------------------------------------------------------

A, B, C, D = ({f"data.{n}": 1} for n in "abcd")


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("a = 1 AND b = 1 OR c = 1", {"$or": [{"$and": [A, B]}, C]}),
        ("a = 1 OR b = 1 AND c = 1", {"$or": [A, {"$and": [B, C]}]}),
        ("(a = 1 OR b = 1) AND c = 1", {"$and": [{"$or": [A, B]}, C]}),
        ("a = 1 AND (b = 1 OR c = 1 OR d = 1)", {"$and": [A, {"$or": [B, C, D]}]}),
        ("a = 1 OR b = 1 OR c = 1", {"$or": [A, B, C]}),
        ("a = 1 AND b = 1 AND c = 1 AND d = 1", {"$and": [A, B, C, D]}),
        ("a = 1 AND (b = 1 AND c = 1)", {"$and": [A, B, C]}),  # nested $and flattened
        ("(a = 1 OR b = 1) OR (c = 1 OR d = 1)", {"$or": [A, B, C, D]}),
        ("NOT a = 1 AND b = 1", {"$and": [{"$nor": [A]}, B]}),  # NOT binds tightest
        ("NOT (a = 1 AND b = 1)", {"$nor": [{"$and": [A, B]}]}),
        ("NOT NOT a = 1", {"$nor": [{"$nor": [A]}]}),
        ("((((a = 1))))", A),
        (
            "a = 1 or not (b = 1 or c = 1) and d = 1",
            {"$or": [A, {"$and": [{"$nor": [{"$or": [B, C]}]}, D]}]},
        ),
    ],
)
def test_precedence(condition: str, expected: dict[str, Any]) -> None:
    assert where(condition) == expected


def test_nesting_is_bounded() -> None:
    deep = "(" * MAX_NESTING + "a = 1" + ")" * MAX_NESTING
    assert where(deep) == {"data.a": 1}
    too_deep = "(" * (MAX_NESTING + 1) + "a = 1" + ")" * (MAX_NESTING + 1)
    error = parse_error(f"SELECT * FROM t WHERE {too_deep}")
    assert (error.position, error.token) == (22 + MAX_NESTING, "(")
    nots = parse_error("SELECT * FROM t WHERE " + "NOT " * 5000 + "a = 1")
    assert nots.token == "NOT"


def test_keywords_are_case_insensitive() -> None:
    lower = parse_query(
        'select a as b from t where x_i > 1 and not y is null or z contains "q" '
        "order by x_i desc start 2 limit 3"
    )
    mixed = parse_query(
        'SeLeCt a As b FrOm t WhErE x_i > 1 AnD nOt y Is NuLl Or z CoNtAiNs "q" '
        "OrDeR bY x_i DeSc StArT 2 LiMiT 3"
    )
    assert lower == mixed
    assert lower.limit == 3 and lower.start == 2


def test_whitespace_is_free() -> None:
    assert parse_query("SELECT*FROM t WHERE(a=1)AND b_i>=2").filter == {
        "$and": [{"data.a": 1}, {"data.b_i": {"$gte": 2}}]
    }
    assert parse_query("\n SELECT\t*\r\nFROM  t  ").from_type == "t"


# -- ORDER BY, START, LIMIT --------------------------------------------------------------------


def test_order_by() -> None:
    parsed = parse_query("SELECT * FROM t ORDER BY a_i, data.b_s DESC, oid ASC, lastUpdated desc")
    assert parsed.sort == [("data.a_i", 1), ("data.b_s", -1), ("_id", 1), ("lastUpdated", -1)]


@pytest.mark.parametrize(
    ("tail", "start", "limit"),
    [
        ("", None, None),
        ("LIMIT 10", None, 10),
        ("START 5", 5, None),
        ("START 5 LIMIT 10", 5, 10),
        ("LIMIT 10 START 5", 5, 10),  # "Start clause Or/And Limit clause": either order [inf]
        ("LIMIT 0", None, 0),
        (f"LIMIT {MAX_LIMIT}", None, MAX_LIMIT),
    ],
)
def test_paging(tail: str, start: int | None, limit: int | None) -> None:
    parsed = parse_query(f"SELECT * FROM t WHERE a = 1 ORDER BY a {tail}")
    assert (parsed.start, parsed.limit) == (start, limit)
    assert DEFAULT_LIMIT == 300


def test_filter_with_scope() -> None:
    scope = {"type": "t"}
    assert parse_query("SELECT * FROM t").filter_with(scope) == {"type": "t"}
    assert parse_query("SELECT * FROM t WHERE a = 1").filter_with(scope) == {
        "$and": [{"type": "t"}, {"data.a": 1}]
    }
    assert parse_query("SELECT * FROM t WHERE a = 1").filter_with({}) == {"data.a": 1}


# -- errors point at the bad token ---------------------------------------------------------------

ERRORS = [
    # (query, position, token, words the message holds)
    ("", 0, "", "expected SELECT"),
    ("   ", 3, "", "expected SELECT"),
    ("SELEC * FROM t", 0, "SELEC", "expected SELECT"),
    ("SELECT FROM t", 7, "FROM", "expected '*', count(*) or a field name"),
    ("SELECT * t", 9, "t", "expected FROM"),
    ("SELECT * FROM", 13, "", "expected the object type"),
    ("SELECT * FROM WHERE guitar = 1", 14, "WHERE", "expected the object type"),
    ("SELECT * FROM todo WHER a = 1", 19, "WHER", "expected WHERE, ORDER BY"),
    ("SELECT * FROM t WHERE", 21, "", "expected a field name"),
    ("SELECT * FROM t WHERE a", 23, "", "expected an operator"),
    ("SELECT * FROM t WHERE a = ", 26, "", "expected a value"),
    ("SELECT * FROM t WHERE a == 1", 25, "=", "expected a value"),
    ("SELECT * FROM t WHERE a = 1 b = 2", 28, "b", "expected AND, OR, ORDER BY"),
    ("SELECT * FROM t WHERE (a = 1", 28, "", "expected ')'"),
    ("SELECT * FROM t WHERE a = 1)", 27, ")", "expected AND, OR"),
    ("SELECT * FROM t WHERE a = 1 AND", 31, "", "expected a field name"),
    ("SELECT * FROM t WHERE NOT", 25, "", "expected a field name"),
    ("SELECT * FROM t WHERE () ", 23, ")", "expected a field name"),
    ("SELECT * FROM t WHERE a = 'x", 26, "'x", "unterminated string"),
    ('SELECT * FROM t WHERE a = "x\\"', 26, '"x\\"', "unterminated string"),
    ("SELECT * FROM t WHERE a # 1", 24, "#", "unexpected character"),
    ("SELECT * FROM t WHERE _id = 1", 22, "_", "unexpected character"),
    ("SELECT * FROM t WHERE data. = 1", 26, ".", "unexpected character"),
    ("SELECT * FROM t WHERE a = $gt", 26, "$", "unexpected character"),
    ("SELECT * FROM t WHERE a IN ()", 28, ")", "expected a value"),
    ("SELECT * FROM t WHERE a IN (1, )", 31, ")", "expected a value"),
    ("SELECT * FROM t WHERE a IN 1", 27, "1", "expected '('"),
    ("SELECT * FROM t WHERE a IS 1", 27, "1", "expected NULL"),
    ("SELECT * FROM t WHERE a IS NOT", 30, "", "expected NULL"),
    ("SELECT * FROM t WHERE a NOT = 1", 28, "=", "expected CONTAINS, IN or REGEX"),
    ("SELECT * FROM t WHERE a CONTAINS 5", 33, "5", "CONTAINS needs a quoted string"),
    ("SELECT * FROM t WHERE a = null", 26, "null", "IS NULL"),
    ("SELECT * FROM t WHERE a = b", 26, "b", "expected a value"),
    ("SELECT * FROM t WHERE a > regex('x')", 24, ">", "REGEX goes with = or !="),
    ("SELECT * FROM t WHERE a = regex 'x'", 32, "'x'", "expected '('"),
    ("SELECT * FROM t WHERE a = regex(x)", 32, "x", "REGEX needs a quoted pattern"),
    ("SELECT * FROM t WHERE a = regex('[a-')", 32, "'[a-'", "invalid regular expression"),
    ("SELECT * FROM t WHERE a = regex('(?i)a')", 32, "'(?i)a'", "invalid regular expression"),
    ("SELECT * FROM t WHERE order = 1", 22, "order", "expected a field name"),
    ("SELECT * FROM t WHERE a = true OR", 33, "", "expected a field name"),
    # literals that do not fit the field's type suffix (spec §4: type mismatch -> 400006)
    ('SELECT * FROM t WHERE n_i = "5"', 28, '"5"', "a string does not fit a long field"),
    ("SELECT * FROM t WHERE n_f > true", 28, "true", "a boolean does not fit a float field"),
    ("SELECT * FROM t WHERE b_b = 1", 28, "1", "a number does not fit a boolean field"),
    ('SELECT * FROM t WHERE b_b = "true"', 28, '"true"', "a string does not fit a boolean"),
    ("SELECT * FROM t WHERE s_s = 5", 28, "5", "a number does not fit a string field"),
    ('SELECT * FROM t WHERE d_d = "yesterday"', 28, '"yesterday"', "does not fit a date field"),
    ("SELECT * FROM t WHERE d_d < 5", 28, "5", "a number does not fit a date field"),
    ('SELECT * FROM t WHERE n_i IN (1, "2")', 33, '"2"', "a string does not fit a long field"),
    (
        'SELECT * FROM t WHERE created > "soon"',
        32,
        '"soon"',
        "a string does not fit an epoch_ms field",
    ),
    ('SELECT * FROM t WHERE s_s > "a"', 26, ">", "a string field has no range comparisons"),
    ('SELECT * FROM t WHERE t_t <= "a"', 26, "<=", "a text field has no range comparisons"),
    ("SELECT * FROM t WHERE b_b < true", 26, "<", "a boolean field has no range"),
    ("SELECT * FROM t WHERE x < true", 26, "true", "range comparisons need a number"),
    ('SELECT * FROM t WHERE n_i CONTAINS "5"', 35, '"5"', "CONTAINS needs a string or text"),
    ("SELECT * FROM t WHERE n_i = regex('5')", 28, "regex", "REGEX needs a string or text"),
    # SELECT list
    ("SELECT count(*), a FROM t", 15, ",", "count(*) must be the only SELECT item"),
    ("SELECT count(x) FROM t", 13, "x", "expected '*'"),
    ("SELECT a, count(*) FROM t", 10, "count", "count(*) must be the only SELECT item"),
    ("SELECT count(* FROM t", 15, "FROM", "expected ')'"),
    ("SELECT a AS FROM t", 12, "FROM", "expected an alias name"),
    ("SELECT a AS b.c FROM t", 12, "b.c", "expected an alias name"),
    ("SELECT a, FROM t", 10, "FROM", "expected '*', count(*) or a field name"),
    ("SELECT a b FROM t", 9, "b", "expected FROM"),
    # ORDER BY, START, LIMIT
    ("SELECT * FROM t ORDER a", 22, "a", "expected BY"),
    ("SELECT * FROM t ORDER BY", 24, "", "expected a field name"),
    ("SELECT * FROM t ORDER BY a,", 27, "", "expected a field name"),
    ("SELECT * FROM t ORDER BY a b", 27, "b", "expected ',', START, LIMIT"),
    ("SELECT * FROM t LIMIT", 21, "", "LIMIT needs a non-negative integer"),
    ("SELECT * FROM t LIMIT -1", 22, "-1", "LIMIT needs a non-negative integer"),
    ("SELECT * FROM t LIMIT 1.5", 22, "1.5", "LIMIT needs a non-negative integer"),
    ("SELECT * FROM t LIMIT x", 22, "x", "LIMIT needs a non-negative integer"),
    (f"SELECT * FROM t LIMIT {MAX_LIMIT + 1}", 22, str(MAX_LIMIT + 1), "cannot exceed"),
    ("SELECT * FROM t START '1'", 22, "'1'", "START needs a non-negative integer"),
    ("SELECT * FROM t LIMIT 1 LIMIT 2", 24, "LIMIT", "LIMIT given twice"),
    ("SELECT * FROM t LIMIT 1 x", 24, "x", "expected START, the end of the query"),
    # fixed clause order (spec §4)
    ("SELECT * FROM t LIMIT 5 WHERE a = 1", 24, "WHERE", "WHERE clause out of order"),
    ("SELECT * FROM t ORDER BY a WHERE b = 1", 27, "WHERE", "WHERE clause out of order"),
    ("SELECT * FROM t LIMIT 5 ORDER BY a", 24, "ORDER", "ORDER clause out of order"),
    ("SELECT * FROM t WHERE a = 1 WHERE b = 1", 28, "WHERE", "WHERE clause out of order"),
    ("SELECT * FROM t FROM u", 16, "FROM", "FROM clause out of order"),
]


@pytest.mark.parametrize(("query", "position", "token", "words"), ERRORS)
def test_errors_point_at_the_bad_token(query: str, position: int, token: str, words: str) -> None:
    error = parse_error(query)
    assert (error.position, error.token) == (position, token), str(error)
    assert query[position:].startswith(token)
    assert words in str(error)
    near = f"near '{token}'" if token else "(end of query)"
    assert f"at position {position} {near}" in str(error)
    assert error.error_code == ERROR_CODE == 400006


def test_error_message_shape() -> None:
    error = parse_error("SELECT * FROM todo WHER a = 1")
    assert str(error).startswith("Syntax error at position 19 near 'WHER'")
    long_token = "x" * 100
    assert "x" * 37 + "..." in str(parse_error(f"SELECT * FROM t WHERE a = 1 {long_token}"))


def test_tokenizer_positions() -> None:
    tokens = tokenize("SELECT a.b_i,'x' FROM t")
    assert [(t.kind, t.text, t.pos) for t in tokens] == [
        ("word", "SELECT", 0),
        ("word", "a.b_i", 7),
        ("punct", ",", 12),
        ("string", "'x'", 13),
        ("word", "FROM", 17),
        ("word", "t", 22),
        ("end", "", 23),
    ]


# -- on the engine: the results Gigya would return ---------------------------------------------


def ms(year: int, month: int, day: int) -> int:
    return int(dt.datetime(year, month, day, tzinfo=UTC).timestamp() * 1000)


OBJECTS: list[dict[str, Any]] = [
    {
        "oid": "o1",
        "UID": "u1",
        "created": ms(2024, 1, 1),
        "data": {
            "title_s": "Buy milk",
            "notes_t": "Fresh milk from the Farm",
            "prio_i": 1,
            "score_f": 2.5,
            "done_b": False,
            "tags_s": ["home", "Errand"],
            "due_d": "2024-03-01",
            "owner": {"name_s": "Ann", "age_i": 30},
        },
    },
    {
        "oid": "o2",
        "UID": "u2",
        "created": ms(2024, 1, 2),
        "data": {
            "title_s": "buy MILK",
            "notes_t": "farmers market",
            "prio_i": 3,
            "score_f": 7.0,
            "done_b": True,
            "tags_s": ["work"],
            "due_d": "2024-02-01T10:00:00+3",
            "owner": {"name_s": "Bob", "age_i": 41},
        },
    },
    {
        "oid": "o3",
        "UID": "u1",
        "created": ms(2024, 1, 3),
        "data": {
            "title_s": "Call mom",
            "prio_i": 2,
            "done_b": False,
            "tags_s": [],
            "due_d": "2023-12-31 23:59:59",
            "owner": {"name_s": "ann"},
        },
    },
    {
        "oid": "o4",
        "created": ms(2024, 1, 4),
        "data": {
            "title_s": "File taxes (2023)",
            "notes_t": None,
            "prio_i": 5,
            "score_f": 10,
            "done_b": False,
            "due_d": "2024-01-01T01:00:00+03:00",
            "owner": {"name_s": "Cy", "age_i": 35},
        },
    },
]


def stored(obj: dict[str, Any], type_: str = "todo") -> dict[str, Any]:
    """An object in the dialect's stored shape, with `_d` fields in a normalised shadow copy."""
    dates = {k: parse_date(v) for k, v in obj["data"].items() if k.endswith("_d")}
    record = {"_id": obj["oid"], "type": type_, **obj, "lastUpdated": obj["created"]}
    del record["oid"]
    return {**record, "dates": dates}


def resolve(path: str) -> FieldInfo:
    """How the service is expected to wrap the default mapping: `_d` fields read the shadow."""
    info = default_field(path)
    if info.kind == "date" and path.startswith("data."):
        return FieldInfo("dates." + path.removeprefix("data."), info.kind)
    return info


@pytest.fixture
async def todos() -> AsyncIterator[Collection]:
    engine = MemoryEngine()
    await engine.open()
    coll = engine.collection("gigya", "3_key", "ds")
    for obj in OBJECTS:
        await coll.insert(stored(obj))
    # another type that would match most queries: FROM keeps it out
    await coll.insert(stored({**OBJECTS[0], "oid": "x1"}, type_="other"))
    try:
        yield coll
    finally:
        await engine.close()


async def search(coll: Collection, query: str) -> list[str]:
    q = parse_query(query, resolve)
    limit = DEFAULT_LIMIT if q.limit is None else q.limit
    docs = await coll.find(
        q.filter_with({"type": q.from_type}),
        sort=q.sort or [("_id", 1)],
        skip=q.start or 0,
        limit=limit,
    )
    return [doc["_id"] for doc in docs]


SEMANTICS = [
    ("", ["o1", "o2", "o3", "o4"]),
    # = is case-sensitive; CONTAINS on strings is a case-insensitive whole-value match
    ('WHERE title_s = "Buy milk"', ["o1"]),
    ('WHERE title_s = "buy milk"', []),
    ('WHERE title_s CONTAINS "BUY MILK"', ["o1", "o2"]),
    ('WHERE title_s CONTAINS "milk"', []),
    ('WHERE title_s CONTAINS "file taxes (2023)"', ["o4"]),
    ('WHERE title_s NOT CONTAINS "buy milk"', ["o3", "o4"]),
    # CONTAINS on text: every keyword as a whole token, any case, any order
    ('WHERE notes_t CONTAINS "MILK"', ["o1"]),
    ('WHERE notes_t CONTAINS "farm"', ["o1"]),
    ('WHERE notes_t CONTAINS "milk fresh"', ["o1"]),
    ('WHERE notes_t CONTAINS "milk market"', []),
    ('WHERE notes_t NOT CONTAINS "milk"', ["o2", "o3", "o4"]),
    # arrays: any element
    ('WHERE tags_s = "home"', ["o1"]),
    ('WHERE tags_s CONTAINS "errand"', ["o1"]),
    ('WHERE tags_s IN ("work", "gym")', ["o2"]),
    # numbers, booleans, IN
    ("WHERE prio_i >= 2 AND prio_i < 5", ["o2", "o3"]),
    ("WHERE prio_i IN (1, 5)", ["o1", "o4"]),
    ("WHERE prio_i NOT IN (1, 5)", ["o2", "o3"]),
    ("WHERE score_f > 5", ["o2", "o4"]),
    ("WHERE score_f <= 7", ["o1", "o2"]),
    ("WHERE done_b = true", ["o2"]),
    ("WHERE done_b != true", ["o1", "o3", "o4"]),
    ("WHERE prio_i <> 3", ["o1", "o3", "o4"]),
    # IS NULL: absent or null
    ("WHERE notes_t IS NULL", ["o3", "o4"]),
    ("WHERE notes_t IS NOT NULL", ["o1", "o2"]),
    ("WHERE score_f IS NULL", ["o3"]),
    # nested fields, with and without data.
    ("WHERE owner.age_i > 32", ["o2", "o4"]),
    ("WHERE data.owner.age_i > 32", ["o2", "o4"]),
    ("WHERE owner.age_i IS NULL", ["o3"]),
    # REGEX: anchored, Lucene syntax
    ("WHERE owner.name_s = regex('[Aa]nn')", ["o1", "o3"]),
    ("WHERE owner.name_s = regex('A.*')", ["o1"]),
    ("WHERE owner.name_s = regex('n')", []),
    ("WHERE owner.name_s != regex('[Aa]nn')", ["o2", "o4"]),
    ("WHERE title_s = regex('File taxes \\(2023\\)')", ["o4"]),
    ("WHERE title_s = regex('.*\"(2023)\"')", ["o4"]),
    # dates compare chronologically whatever their written format and zone
    ('WHERE due_d >= "2024-01-01" ORDER BY due_d', ["o2", "o1"]),
    ('WHERE due_d < "2024-01-01"', ["o3", "o4"]),
    ('WHERE due_d = "2024-02-01T07:00:00Z"', ["o2"]),
    ("ORDER BY due_d DESC", ["o1", "o2", "o3", "o4"]),
    # system fields
    ('WHERE UID = "u1"', ["o1", "o3"]),
    ('WHERE oid = "o3"', ["o3"]),
    ('WHERE oid IN ("o2", "x1")', ["o2"]),
    ('WHERE created > "2024-01-02"', ["o3", "o4"]),
    ("WHERE lastUpdated <= " + str(ms(2024, 1, 2)), ["o1", "o2"]),
    ("WHERE UID IS NULL", ["o4"]),
    # precedence and parentheses
    ("WHERE prio_i = 1 OR prio_i = 2 AND done_b = true", ["o1"]),
    ("WHERE (prio_i = 1 OR prio_i = 2) AND done_b = false", ["o1", "o3"]),
    ("WHERE NOT prio_i > 2", ["o1", "o3"]),
    ('WHERE NOT (prio_i > 2 OR UID = "u1")', []),
    ('WHERE NOT prio_i > 4 AND NOT UID = "u1"', ["o2"]),
    # ORDER BY, START, LIMIT
    ("ORDER BY prio_i DESC", ["o4", "o2", "o3", "o1"]),
    ("ORDER BY prio_i DESC LIMIT 2", ["o4", "o2"]),
    ("ORDER BY prio_i START 1 LIMIT 2", ["o3", "o2"]),
    ("ORDER BY prio_i LIMIT 2 START 3", ["o4"]),
    ("ORDER BY done_b DESC, owner.name_s", ["o2", "o1", "o4", "o3"]),
    ("ORDER BY UID DESC, prio_i DESC", ["o2", "o3", "o1", "o4"]),
]


@pytest.mark.parametrize(("tail", "oids"), SEMANTICS)
async def test_results_on_the_engine(todos: Collection, tail: str, oids: list[str]) -> None:
    assert await search(todos, f"SELECT * FROM todo {tail}") == oids


async def test_count_on_the_engine(todos: Collection) -> None:
    q = parse_query("SELECT count(*) FROM todo WHERE done_b = false", resolve)
    assert q.count
    assert await todos.count(q.filter_with({"type": q.from_type})) == 3


async def test_other_types_stay_out(todos: Collection) -> None:
    assert await search(todos, 'SELECT * FROM other WHERE title_s = "Buy milk"') == ["x1"]
    assert await search(todos, "SELECT * FROM nothing") == []


@pytest.mark.parametrize(("pattern", "value", "matches"), REGEX_PAGE_EXAMPLES)
async def test_regex_page_examples_on_the_engine(pattern: str, value: str, matches: bool) -> None:
    engine = MemoryEngine()
    await engine.open()
    coll = engine.collection("gigya", "3_key", "ds")
    await coll.insert({"_id": "r1", "type": "r", "data": {"v_s": value}})
    # the pattern goes between the quotes exactly as written
    query = f"SELECT * FROM r WHERE v_s = regex('{pattern}')"
    assert await search(coll, query) == (["r1"] if matches else [])
    await engine.close()
