"""What a request carries (spec §6): parameters from the query string and the body alike, for
every method; the `method=` override; path segments as the client encoded them."""

from __future__ import annotations

import email.errors
import email.parser
import email.policy
import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import msgspec
from starlette.requests import Request

from doppelgate import nesting

OVERRIDABLE = frozenset({"GET", "POST", "PUT", "DELETE"})
_INDEXED = re.compile(r"^(?P<name>[^\[\]]+)\[(?P<index>[^\[\]]*)\]$")  # key[] / key[0] / sort[x]


def text(raw: bytes) -> str:
    """UTF-8, else ISO-8859-1 (spec §1: invalid UTF-8 is treated as Latin-1 and converted)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_pairs(raw: bytes) -> list[tuple[str, str]]:
    """application/x-www-form-urlencoded pairs, blanks kept, each part decoded by `text`."""
    pairs = []
    for part in raw.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        pairs.append((_unquote(name), _unquote(value)))
    return pairs


def _unquote(raw: bytes) -> str:
    return text(unquote_to_bytes(raw.replace(b"+", b" ")))


@dataclass(slots=True)
class Params:
    """Every (name, value) pair sent, query first then body; a later single value wins."""

    pairs: list[tuple[str, str]]

    def get(self, name: str) -> str | None:
        found = [value for key, value in self.pairs if key == name]
        return found[-1] if found else None

    def many(self, name: str) -> list[str]:
        """A multi-value parameter in all three spellings (spec §4): `key=a`, `key=a,b`,
        `key[]=a&key[]=b` (and PHP's `key[0]=a`); empty items dropped, order kept."""
        out: list[str] = []
        for key, value in self.pairs:
            indexed = _INDEXED.match(key)
            listed = (
                indexed and indexed["name"] == name and not indexed["index"].strip("0123456789")
            )
            if key == name or listed:
                out += [v.strip() for v in value.split(",") if v.strip()]
        return list(dict.fromkeys(out))

    def mapping(self, name: str) -> list[tuple[str, str]]:
        """`sort[field]=dir` pairs in the order sent (spec §4)."""
        out = []
        for key, value in self.pairs:
            indexed = _INDEXED.match(key)
            if indexed and indexed["name"] == name and indexed["index"]:
                out.append((indexed["index"], value))
        return out


class BadBody(Exception):
    """A JSON body that is not a JSON object."""


async def read_params(request: Request) -> Params:
    pairs = parse_pairs(request.scope.get("query_string", b""))
    body = await request.body()
    if body:
        pairs += _body_pairs(body, request.headers.get("content-type", ""))
    return Params(pairs)


def _body_pairs(body: bytes, content_type: str) -> list[tuple[str, str]]:
    if content_type.lower().lstrip().startswith("multipart/form-data"):
        return multipart_pairs(body, content_type)
    if "json" in content_type.lower():  # never sent by the SDKs; a convenience [inf]
        try:
            decoded = nesting.decode(body)  # nested deeper than doppelgate's limit: 400
        except msgspec.DecodeError:
            raise BadBody("the body is not valid JSON") from None
        except nesting.TooDeep as exc:
            raise BadBody(f"the body is {exc}") from None
        if not isinstance(decoded, dict):
            raise BadBody("the body is not a JSON object")
        return [
            (k, v if isinstance(v, str) else msgspec.json.encode(v).decode())
            for k, v in decoded.items()
        ]
    return parse_pairs(body)  # form body; the PHP SDK JSON-encodes non-string values (spec §6)


def multipart_pairs(body: bytes, content_type: str) -> list[tuple[str, str]]:
    """The fields of a multipart/form-data body, as PHP reads them into `$_POST` (issue 15.4):
    parts with a filename are uploads (`$_FILES`), not parameters; unreadable parts are skipped."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    pairs = []
    try:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        parts = list(message.iter_parts()) if message.is_multipart() else []
        for part in parts:
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str) or part.get_filename() is not None or part.is_multipart():
                continue
            payload = part.get_payload(decode=True)
            pairs.append((name, text(payload if isinstance(payload, bytes) else b"")))
    except (ValueError, TypeError, LookupError, email.errors.MessageError):
        return pairs  # PHP keeps what it read of a broken body
    return pairs


def effective_method(request: Request, params: Params) -> str:
    """Old PHP SDKs send every non-GET verb as POST with `method=DELETE` (spec §6)."""
    override = (params.get("method") or "").strip().upper()
    if request.method == "POST" and override in OVERRIDABLE:
        return override
    return request.method


def raw_segments(request: Request) -> list[str]:
    """The vendor path's segments, each percent-decoded on its own: a key may hold `%2F`."""
    raw: bytes = request.scope.get("raw_path") or request.scope["path"].encode()
    raw = raw.split(b"?", 1)[0]
    root = request.scope.get("root_path", "").encode()
    if root and raw.startswith(root):
        raw = raw[len(root) :]
    return [text(unquote_to_bytes(seg)) for seg in raw.split(b"/")[1:]]
