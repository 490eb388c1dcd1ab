"""ds.search text below the grammar (spec §4): syntax errors, dates, tokens, Lucene patterns."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Final

import re2

ERROR_CODE: Final = 400006  # "Invalid parameter value": query syntax errors (spec §7)
SYNTAX, INVALID, UNSUPPORTED = "Syntax error", "Invalid value", "Unsupported"  # message heads


class QuerySyntaxError(ValueError):
    """A query the language rejects; `position` is the 0-based offset of `token` in the text."""

    error_code = ERROR_CODE

    def __init__(self, problem: str, position: int, token: str, detail: str = "") -> None:
        shown = f"near '{_clip(token)}'" if token else "(end of query)"
        message = f"{problem} at position {position} {shown}" + (f": {detail}" if detail else "")
        super().__init__(message)
        self.position = position
        self.token = token
        self.detail = detail


def _clip(token: str) -> str:
    return token if len(token) <= 40 else token[:37] + "..."


# -- dates -------------------------------------------------------------------------------------

_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{1,2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def parse_date(text: str) -> dt.datetime | None:
    """A DS date (spec §3: ISO-8601 with optional time/zone such as `+3`, or `YYYY-MM-DD HH:MM:SS`)
    as an aware UTC datetime; None when it is not one. No zone means UTC [inf]."""
    m = _DATE.fullmatch(text.strip())
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        date = dt.date(int(year), int(month), int(day))
        time = dt.time(int(hour or 0), int(minute or 0), int(second or 0), micros)
        value = dt.datetime.combine(date, time, tzinfo=_zone(zone))
    except ValueError:
        return None
    return value.astimezone(dt.UTC)


def _zone(zone: str | None) -> dt.timezone:
    if zone is None or zone.upper() == "Z":
        return dt.UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
    return dt.timezone(sign * dt.timedelta(hours=int(hours), minutes=int(minutes)))


def epoch_ms(value: dt.datetime) -> int:
    return (value - _EPOCH) // dt.timedelta(milliseconds=1)


# -- tokens ------------------------------------------------------------------------------------

WORD, STRING_LIT, NUMBER, OP, PUNCT, END = "word", "string", "number", "op", "punct", "end"

_SCAN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<word>[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)"
    r"|(?P<op><=|>=|!=|<>|=|<|>)"
    r"|(?P<punct>[(),*])"
)
_QUOTES = "\"'"  # double quotes documented, single quotes seen in vendor examples (spec §4)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str  # as written (strings with their quotes)
    pos: int
    value: Any = None  # a string's unescaped text, a number's value

    def is_kw(self, *words: str) -> bool:
        return self.kind == WORD and self.text.lower() in words


def tokenize(text: str) -> list[Token]:
    """The query's tokens, ending with an END token; QuerySyntaxError on a bad character."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos] in _QUOTES:
            tokens.append(_string(text, pos))
            pos += len(tokens[-1].text)
            continue
        m = _SCAN.match(text, pos)
        if m is None:
            raise QuerySyntaxError(SYNTAX, pos, text[pos], "unexpected character")
        if m.lastgroup != "space":
            tokens.append(_token(m))
        pos = m.end()
    tokens.append(Token(END, "", len(text)))
    return tokens


def _token(m: re.Match[str]) -> Token:
    kind, text = m.lastgroup, m.group()
    if kind == "number":
        value: Any = float(text) if any(c in text for c in ".eE") else int(text)
        return Token(NUMBER, text, m.start(), value)
    return Token(str(kind), text, m.start())


def _string(text: str, start: int) -> Token:
    """A quoted string; `\\q` (q = the quote), `\\\\` unescape, other `\\x` stay as written."""
    quote, pos, out = text[start], start + 1, []
    while pos < len(text):
        c = text[pos]
        if c == quote:
            return Token(STRING_LIT, text[start : pos + 1], start, "".join(out))
        if c == "\\" and pos + 1 < len(text):
            nxt = text[pos + 1]
            out.append(nxt if nxt in (quote, "\\") else c + nxt)
            pos += 2
            continue
        out.append(c)
        pos += 1
    raise QuerySyntaxError(SYNTAX, start, text[start:], "unterminated string")


# -- Lucene-style regular expressions (spec §4, accounts.search RegEx page) ----------------------

_REGEX_OPERATORS = frozenset(".?+*|{}()")


def lucene_to_python(pattern: str) -> str:
    """Translate an anchored Lucene-style pattern to Python/PCRE syntax (anchors added).

    Reserved `? . + * | { } [ ] ( ) " \\` keep their meaning, `\\x` is a literal x, `"..."` is a
    literal string, every other character (`^`, `$`, ...) is literal. ValueError when malformed.
    """
    out: list[str] = []
    pos = 0
    while pos < len(pattern):
        c = pattern[pos]
        if c == "\\":
            if pos + 1 == len(pattern):
                raise ValueError("pattern ends with a lone backslash")
            out.append(re.escape(pattern[pos + 1]))
            pos += 2
        elif c == '"':
            end = pattern.find('"', pos + 1)
            if end < 0:
                raise ValueError('unterminated "..." literal')
            out.append(re.escape(pattern[pos + 1 : end]))
            pos = end + 1
        elif c == "[":
            pos = _char_class(pattern, pos, out)
        elif c == "(" and pattern.startswith("(?", pos):
            raise ValueError("'(?' is not Lucene syntax")
        else:
            out.append(c if c in _REGEX_OPERATORS else re.escape(c))
            pos += 1
    translated = "^(?:" + "".join(out) + ")$"
    try:
        re.compile(translated, re.DOTALL)
    except re.error as exc:
        raise ValueError(str(exc)) from None
    return translated


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.dot_nl = True  # Lucene's `.` matches any character
_RE2_OPTIONS.log_errors = False


def lucene_to_re2(pattern: str) -> Any:
    """The Lucene pattern compiled with RE2: linear time on any value (Lucene's syntax has no
    backreferences or lookaround, so nothing is lost). ValueError when malformed."""
    try:
        return re2.compile(lucene_to_python(pattern), _RE2_OPTIONS)
    except re2.error as exc:
        text = exc.args[0] if exc.args else exc
        raise ValueError(text.decode() if isinstance(text, bytes) else str(text)) from None


def _char_class(pattern: str, start: int, out: list[str]) -> int:
    """Copy `[...]` / `[^...]` starting at `start`; returns the offset after its `]`."""
    pos = start + 1
    parts = ["["]
    if pattern.startswith("^", pos):
        parts.append("^")
        pos += 1
    first = pos
    while pos < len(pattern) and (pattern[pos] != "]" or pos == first):
        c = pattern[pos]
        if c == "\\" and pos + 1 < len(pattern):
            parts.append(re.escape(pattern[pos + 1]))
            pos += 2
            continue
        parts.append("-" if c == "-" else re.escape(c))
        pos += 1
    if pos >= len(pattern):
        raise ValueError("unterminated character class")
    out.append("".join(parts) + "]")
    return pos + 1
