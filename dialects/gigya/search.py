"""ds.search (spec §4): the query via query.py, over the stored shape documented in service.py."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from doppelgate import clock

from .auth import Authenticator, query_signature
from .cursors import CursorPage, Cursors
from .errors import (
    FORBIDDEN,
    INVALID_SIGNATURE,
    REQUEST_EXPIRED,
    REQUEST_TIMEOUT,
    GigyaError,
    invalid,
    missing,
)
from .query import (
    DEFAULT_LIMIT,
    QuerySyntaxError,
    SearchQuery,
    SelectItem,
    parse_query,
)
from .queryfields import DATE, STRING, SYSTEM_FIELDS, FieldInfo, FieldResolver
from .records import render
from .schema import Schema
from .service import DataStore
from .wire import Call

DEFAULT_TIMEOUT_MS = 20_000  # spec §3 ds.search params
MAX_TIMEOUT_MS = 60_000
_EXACT = re.compile(r"^\^(.*)\$$", re.DOTALL)


def resolver(schema: Schema) -> FieldResolver:
    """Query field -> engine path, kind and encryption, for the stored shape of service.py."""
    encrypted = schema.encrypted_paths()

    def resolve(path: str) -> FieldInfo:
        if path == "oid":
            return FieldInfo("oid", STRING)  # `_id` is the (type, UID, oid) key here
        if path in SYSTEM_FIELDS:
            return SYSTEM_FIELDS[path]
        if not path.startswith("data."):
            return FieldInfo(path)
        field = path[len("data.") :]
        kind = schema.field_type(field)
        if kind == DATE:  # compared as datetimes in the shadow copy
            return FieldInfo("_dates." + field.replace(".", ":"), DATE)
        return FieldInfo(path, kind, field in encrypted)

    return resolve


def parse(text: str, resolve: FieldResolver) -> SearchQuery:
    try:
        return parse_query(text, resolve)
    except QuerySyntaxError as exc:
        raise invalid(f"Invalid parameter value: query: {exc}") from None


def encrypt_filter(node: Any, paths: set[str], encrypt: Callable[[Any], Any]) -> Any:
    """Exact-match conditions on encrypted fields compare ciphertexts (spec §4, §6)."""
    if isinstance(node, list):
        return [encrypt_filter(item, paths, encrypt) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("$and", "$or", "$nor"):
            out[key] = encrypt_filter(value, paths, encrypt)
        elif key in paths:
            out.update(_encrypted_condition(key, value, encrypt))
        else:
            out[key] = value
    return out


def _encrypted_condition(path: str, value: Any, encrypt: Callable[[Any], Any]) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {path: encrypt(value)}
    out: dict[str, Any] = {}
    for op, arg in value.items():
        if op in ("$eq", "$ne", "$in", "$nin"):
            out[op] = encrypt(arg)
        elif op == "$regex" and (m := _EXACT.match(arg)):
            # CONTAINS on an encrypted field: a whole-value match ignoring case (spec §4), on
            # the case-folded ciphertexts (service.py's `_folded`)
            term = re.sub(r"\\(.)", r"\1", m.group(1), flags=re.DOTALL)
            folded = "_folded." + path.removeprefix("data.").replace(".", ":")
            return {folded: encrypt(term.casefold())}
        elif op != "$options":
            out[op] = arg
    return {path: out}


def select(record: dict[str, Any], items: tuple[SelectItem, ...]) -> dict[str, Any]:
    """A projected result: selected record paths, nesting kept, AS renaming the leaf (§4)."""
    out: dict[str, Any] = {}
    for item in items:
        parts = item.path.split(".")
        found, value = _get(record, parts)
        if not found:
            continue
        target = out
        for name in parts[:-1]:
            nxt = target.setdefault(name, {})
            if not isinstance(nxt, dict):
                break
            target = nxt
        else:
            target[item.alias or parts[-1]] = value
    return out


def _get(node: Any, parts: list[str]) -> tuple[bool, Any]:
    for name in parts:
        if not isinstance(node, dict) or name not in node:
            return False, None
        node = node[name]
    return True, node


class Search:
    def __init__(self, store: DataStore, auth: Authenticator) -> None:
        self.store = store
        self.auth = auth
        self.cursors = Cursors(store.cursors, store.options.cursorTtl)

    async def run(self, call: Call) -> dict[str, Any]:
        text = call.get("query") or None
        cursor_id = call.get("cursorId") or None
        if text and cursor_id:  # cursorId replaces query (spec §3)
            raise invalid("Invalid parameter value: send either query or cursorId, not both")
        if not text and not cursor_id:
            raise missing("query")
        if not self.store.caller.server:
            self._check_client(call, text or "")
        timeout = self._timeout(call)
        try:
            async with asyncio.timeout(timeout / 1000):
                return await self._search(call, text, cursor_id)
        except TimeoutError:
            raise GigyaError(REQUEST_TIMEOUT, "Request Timeout") from None

    def _timeout(self, call: Call) -> int:
        raw = call.get("timeout")
        if not raw:
            return DEFAULT_TIMEOUT_MS
        try:
            value = int(raw)
        except ValueError:
            raise invalid("Invalid parameter value: timeout") from None
        if not 0 < value <= MAX_TIMEOUT_MS:
            raise invalid(f"Invalid parameter value: timeout must be 1..{MAX_TIMEOUT_MS}")
        return value

    def _check_client(self, call: Call, text: str) -> None:
        """Client-side ds.search needs querySig + expTime; no cursors (spec §2)."""
        sig, exp = call.get("querySig"), call.get("expTime")
        if not sig or not exp:
            raise GigyaError(FORBIDDEN, "Forbidden: ds.search is server-side only without querySig")
        if call.flag("openCursor") or call.get("cursorId"):
            raise invalid("Invalid parameter value: cursors need userKey and secret")
        try:
            expires = int(exp)
        except ValueError:
            raise invalid("Invalid parameter value: expTime") from None
        if clock.now_ms() > expires:
            raise GigyaError(REQUEST_EXPIRED, "Request has expired: expTime passed")
        if self.auth.options.strict:
            secret = self.auth.secret_for(self.store.caller.api_key, "")
            if secret is None or query_signature(secret, text, exp) != sig:
                raise GigyaError(INVALID_SIGNATURE, "Invalid request signature: querySig")

    async def _search(self, call: Call, text: str | None, cursor_id: str | None) -> dict[str, Any]:
        page: CursorPage | None = None
        if cursor_id:
            page = await self.cursors.resume(cursor_id)
            text = page.query
        assert text is not None
        from_type = parse(text, lambda path: FieldInfo(path)).from_type  # any literal fits
        schema = await self.store.schema(from_type)
        query = parse(text, resolver(schema))
        opening = call.flag("openCursor") and page is None
        if opening and query.start is not None:  # START is not allowed with cursors (spec §4)
            raise invalid("Invalid parameter value: START cannot be used with openCursor")
        condition = query.filter_with({"type": query.from_type})
        encrypted = {f"data.{p}" for p in schema.encrypted_paths()}
        condition = encrypt_filter(condition, encrypted, self.store.cipher.encrypt_value)
        objects = self.store.objects
        if query.count:  # one value: the match count (spec §4) [inf shape]
            total = await objects.count(condition)
            return {"results": [{"count(*)": total}], "objectsCount": 1, "totalCount": total}
        limit = page.limit if page else (DEFAULT_LIMIT if query.limit is None else query.limit)
        start = page.offset if page else (query.start or 0)
        sort = [*query.sort, ("_id", 1)]  # a stable order keeps cursor pages disjoint
        if query.sort:  # the page is read off a (type, field) index (spec §4 ORDER BY + LIMIT),
            # on the server too with MongoDB; ensured per search (no I/O once it is there)
            await objects.ensure_index(["type", query.sort[0][0]])
        if limit:  # the page and totalCount from one planned query
            found = await objects.find_with_count(condition, sort=sort, skip=start, limit=limit)
            docs, total = found
        else:
            docs, total = [], await objects.count(condition)
        results = []
        for doc in docs:
            record = render(doc, self.store.plain(doc["data"]))
            results.append(record if query.select is None else select(record, query.select))
        out: dict[str, Any] = {
            "results": results,
            "objectsCount": len(results),
            "totalCount": total,
        }
        if (opening or page is not None) and start + len(docs) < total and limit:
            out["nextCursorId"] = await self.cursors.open(
                CursorPage(text, start + len(docs), limit)
            )
        return out
