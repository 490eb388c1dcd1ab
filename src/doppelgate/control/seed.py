"""Seed fixtures (README "The control plane"): vendor API calls replayed through the emulator's
own HTTP API, and raw documents written straight into the engine. JSON or YAML:

    calls:                      # in order, through the dialect's own routes and semantics
      - dialect: gigya
        path: ds.store          # relative to the dialect's mount (/gigya)
        form: {apiKey: 3_demo, secret: c2VjcmV0, type: tracks, oid: t1, data: {title_s: Blue}}
        expect: {body: {errorCode: 0}}   # optional; default: any HTTP status below 400
    documents:                  # no vendor semantics: exactly these documents
      - {dialect: spid, tenant: client1, collection: dataobjects, documents: [{...}]}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import msgspec
import yaml
from starlette.types import ASGIApp

from ..engine import Engine
from ..state import STATE_KEY, RequestState
from .asgi import form_value, http_scope, run_asgi
from .compare import MISSING, compare
from .values import from_json

# YAML aliases may add this many nodes beyond the document's own: a 457-byte "billion laughs"
# of 6 levels already expands to 10^6 (8 levels: ~8 GB once converted)
MAX_ALIAS_NODES = 100_000


class Expect(msgspec.Struct, forbid_unknown_fields=True):
    status: int | None = None
    body: Any = None  # a subset the JSON body must match (contract matching rules)


class Call(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    dialect: str
    path: str
    method: str | None = None  # default: POST with a body, else GET
    query: dict[str, Any] = msgspec.field(default_factory=dict)
    form: dict[str, Any] | None = None
    json: Any = msgspec.UNSET
    content: str | None = None
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    expect: Expect | None = None


class Documents(msgspec.Struct, forbid_unknown_fields=True):
    dialect: str
    tenant: str
    collection: str
    documents: list[dict[str, Any]]


class SeedFile(msgspec.Struct, forbid_unknown_fields=True):
    calls: list[Call] = msgspec.field(default_factory=list)
    documents: list[Documents] = msgspec.field(default_factory=list)


class SeedReport(msgspec.Struct):
    calls: int
    documents: int


class SeedError(ValueError):
    """A seed file that does not parse, or a call the emulator refused (the message says which)."""


class _BoundedLoader(yaml.SafeLoader):
    """yaml.safe_load that checks alias expansion before building anything."""

    def construct_document(self, node: yaml.Node) -> Any:
        _check_aliases(node)
        return super().construct_document(node)


def load_yaml(text: str | bytes) -> Any:
    """YAML (or JSON) text, refused as a SeedError when its aliases expand too far or loop."""
    try:
        return yaml.load(text, Loader=_BoundedLoader)  # a SafeLoader: no object tags
    except RecursionError:
        raise SeedError("invalid YAML: nested too deeply") from None


def _check_aliases(root: yaml.Node) -> None:
    """Each node's expanded size, once per node (iterative: no recursion limit)."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in _children(node))
        elif key in on_path:
            raise SeedError("invalid YAML: an alias refers to its own anchor")
        elif key not in size:
            on_path.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
    if size[id(root)] > len(size) + MAX_ALIAS_NODES:
        raise SeedError(
            f"invalid YAML: aliases expand it to {size[id(root)]} nodes "
            f"(at most {MAX_ALIAS_NODES} more than the {len(size)} written)"
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


SEED_SUFFIXES = (".json", ".yaml", ".yml")


def parse_seed(source: str | Path | bytes | dict[str, Any] | SeedFile) -> SeedFile:
    """A seed from a file path (a Path, or a str naming a .json/.yaml/.yml file), JSON/YAML text
    or its decoded form. JSON goes through msgspec (~10x faster than YAML on a large seed)."""
    if isinstance(source, SeedFile):
        return source
    try:
        if isinstance(source, str) and _names_a_file(source):
            source = Path(source)
        if isinstance(source, Path):
            source = source.read_bytes()
        if isinstance(source, str | bytes):
            source = _decode(source)
        return msgspec.convert(source, SeedFile)
    except (OSError, yaml.YAMLError, msgspec.ValidationError) as exc:
        raise SeedError(f"invalid seed: {exc}") from None


def _names_a_file(text: str) -> bool:
    """A one-line str that is a file's name (not seed text): ends .json/.yaml/.yml, or exists."""
    if "\n" in text or text.lstrip()[:1] in ("{", "["):
        return False
    return text.strip().lower().endswith(SEED_SUFFIXES) or Path(text).is_file()


def _decode(text: str | bytes) -> Any:
    """JSON with msgspec when it is JSON; YAML (a superset) otherwise."""
    raw = text.encode() if isinstance(text, str) else text
    if raw.lstrip()[:1] in (b"{", b"["):
        try:
            return msgspec.json.decode(raw)
        except msgspec.DecodeError:
            pass  # YAML flow style, comments, ...: the YAML loader decides
    return load_yaml(text)


async def run_seed(
    seed: SeedFile, app: ASGIApp, engine: Engine, prefixes: dict[str, str]
) -> SeedReport:
    for i, call in enumerate(seed.calls):
        if call.dialect not in prefixes:
            raise SeedError(f"calls[{i}]: unknown dialect {call.dialect!r}")
        status, body = await asgi_call(app, prefixes[call.dialect], call)
        problem = _check(call, status, body)
        if problem:
            raise SeedError(
                f"calls[{i}] {call.dialect} {call.path}: {problem}; response {status}: "
                + body.decode(errors="replace")[:500]
            )
    written = 0
    for i, group in enumerate(seed.documents):
        if group.dialect not in prefixes:
            raise SeedError(f"documents[{i}]: unknown dialect {group.dialect!r}")
        docs = from_json(group.documents)
        if docs:
            coll = engine.collection(group.dialect, group.tenant, group.collection)
            await coll.insert_many(docs)
        written += len(docs)
    return SeedReport(calls=len(seed.calls), documents=written)


def _check(call: Call, status: int, body: bytes) -> str | None:
    expect = call.expect or Expect()
    if expect.status is None and status >= 400:
        return "expected a status below 400"
    if expect.status is not None and status != expect.status:
        return f"expected status {expect.status}"
    if expect.body is not None:
        try:
            decoded = msgspec.json.decode(body)
        except msgspec.DecodeError:
            decoded = MISSING
        mismatches = compare(expect.body, decoded, "body")
        if mismatches:
            return "; ".join(str(m) for m in mismatches)
    return None


async def asgi_call(app: ASGIApp, prefix: str, call: Call) -> tuple[int, bytes]:
    """One HTTP request straight through the ASGI app (no socket, no client library)."""
    headers = {k.lower(): v for k, v in call.headers.items()}
    body = b""
    if call.form is not None:
        pairs = {k: form_value(v) for k, v in call.form.items()}
        body = urlencode(pairs, quote_via=quote).encode()
        headers.setdefault("content-type", "application/x-www-form-urlencoded")
    elif call.json is not msgspec.UNSET:
        body = msgspec.json.encode(call.json)
        headers.setdefault("content-type", "application/json")
    elif call.content is not None:
        body = call.content.encode()
    method = (call.method or ("POST" if body else "GET")).upper()
    path, _, query = (prefix + "/" + call.path.lstrip("/")).partition("?")
    if call.query:
        extra = urlencode({k: form_value(v) for k, v in call.query.items()}, quote_via=quote)
        query = f"{query}&{extra}" if query else extra
    headers.setdefault("host", "doppelgate.seed")
    headers["content-length"] = str(len(body))
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    scope = http_scope(
        method,
        "http",
        "doppelgate.seed",
        80,
        path.encode(),
        query.encode(),
        raw,
        {STATE_KEY: RequestState(seeding=True)},  # neither journaled nor faulted
    )
    status, _headers, content = await run_asgi(app, scope, body)
    return status, content
