"""What the console needs of a dialect (ConsoleAdapter): read, store, delete, add and query a
document through the dialect's own API (so its validation and error envelopes apply), and which
engine collections hold vendor documents. Each dialect declares its adapter (Dialect.console, in
dialects/<name>/console.py); credentials are the permissive mode's: the tenant names them."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from .engine import Engine

Doc = dict[str, Any]


class ConsoleError(ValueError):
    """A console request that names no document, or input that is not what the vendor takes."""


@dataclass(frozen=True, slots=True)
class VendorCall:
    """One request to a dialect, relative to its mount (e.g. "ds.store")."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None
    json: Any = None
    query: dict[str, str] | None = None

    def encoded(self) -> tuple[str, bytes, dict[str, str]]:
        """(path with query string, body, headers) as a client would send them."""
        headers = dict(self.headers)
        body = b""
        if self.form is not None:
            body = urlencode(self.form, quote_via=quote).encode()
            headers["content-type"] = "application/x-www-form-urlencoded"
        elif self.json is not None:
            body = json.dumps(self.json).encode()
            headers["content-type"] = "application/json"
        path = self.path if not self.query else f"{self.path}?{urlencode(self.query)}"
        return path, body, headers


@dataclass(frozen=True, slots=True)
class View:
    """A browsable set of documents: an engine collection, maybe narrowed to one vendor type."""

    collection: str
    label: str
    target: str | None  # the vendor's name for it: a type, an object, an entity
    filter: Doc | None = None
    vendor: bool = True  # False: the dialect's own bookkeeping (schemas, tokens, ...), raw only
    versions: tuple[str, ...] = ()


def text_of(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def json_object(body: Any, what: str) -> Doc:
    if not isinstance(body, dict):
        raise ConsoleError(f"{what} must be a JSON object")
    return body


def parse_json(text: str) -> Any:
    """The query box's text as JSON (empty: {})."""
    try:
        return json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise ConsoleError(f"not JSON: {exc}") from None


class ConsoleAdapter(ABC):
    """One dialect's vendor requests for the console (its Dialect.console)."""

    schemas: bool = False  # whether `schema` describes a target (the page offers it then)

    @abstractmethod
    async def views(self, engine: Engine, tenant: str, names: list[str]) -> list[View]:
        """The browsable views of the tenant's engine collections `names`."""

    @abstractmethod
    def read(self, tenant: str, view: View, doc: Doc) -> VendorCall: ...

    @abstractmethod
    def editable(self, view: View, doc: Doc) -> Any:
        """The part of a stored document the vendor lets a client write."""

    @abstractmethod
    def store(self, tenant: str, view: View, doc: Doc, body: Any) -> VendorCall: ...

    @abstractmethod
    def template(self, view: View) -> Any:
        """A starting point for a new document of the view."""

    @abstractmethod
    def add(self, tenant: str, view: View, body: Any) -> VendorCall: ...

    @abstractmethod
    def delete(self, tenant: str, view: View, doc: Doc) -> VendorCall: ...

    @abstractmethod
    def query_hint(self) -> str: ...

    @abstractmethod
    def query(self, tenant: str, target: str, text: str) -> VendorCall: ...

    @abstractmethod
    def fault_codes(self) -> list[str]:
        """The codes the dialect's fault hook accepts (its errors.py catalogue), for the form."""

    def schema(self, tenant: str, target: str) -> VendorCall:
        raise ConsoleError("this dialect describes no object schemas")
