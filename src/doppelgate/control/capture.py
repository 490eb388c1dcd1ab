"""Bounded request/response capture for the journal, with secrets redacted before anyone reads
it (Journal.get): credential headers, and secret-named fields in query strings, forms and JSON
bodies."""

from __future__ import annotations

import re
from collections.abc import Iterable

import msgspec

BODY_LIMIT = 8 * 1024  # bytes kept per body: the journal holds `journal_size` of these
REDACTED = "[redacted]"
# headers that carry a credential (Gainsight's Accesskey, SPiD/lightblue Authorization, ...)
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "accesskey",
        "x-api-key",
        "x-doppelgate-token",
    }
)
# field names whose values are secrets: Gigya secret/sig, OAuth tokens and client secrets, ...
_SECRET_NAME = r"[A-Za-z_]*(?:secret|password|passwd|token|sig|signature|accesskey)[A-Za-z_]*"
_JSON_FIELD = re.compile(rf'("(?i:{_SECRET_NAME})"\s*:\s*)"(?:[^"\\]|\\.)*("?)')
# at the start or after & or ?: one negative look-behind, not two alternatives, per position
_FORM_FIELD = re.compile(rf"(?<![^&?])((?i:{_SECRET_NAME})=)[^&\s]*")
# every secret name holds one of these words (lower-cased): ASCII text without any has nothing
# to redact, found by one plain scan instead of two case-folding substitutions per body
_SECRET_WORD = re.compile(r"secret|passw|token|sig|accesskey")


class Exchange(msgspec.Struct, kw_only=True):
    """What one journal entry sent and received, as far as the capture limit."""

    query: str
    request_headers: list[tuple[str, str]]
    request_body: str
    request_truncated: bool = False
    response_headers: list[tuple[str, str]]
    response_body: str
    response_truncated: bool = False


class Capture:
    """One exchange as it came and went, unredacted: the request path keeps references only,
    and the journal redacts when it is read (Journal.get), so no secret reaches a reader."""

    __slots__ = ("query", "request", "request_headers", "response", "response_headers")

    def __init__(
        self,
        query: bytes,
        request_headers: Iterable[tuple[bytes, bytes]],
        request: Body,
        response_headers: Iterable[tuple[bytes, bytes]],
        response: Body,
    ) -> None:
        self.query = query
        self.request_headers = request_headers
        self.request = request
        self.response_headers = response_headers
        self.response = response

    def exchange(self) -> Exchange:
        return Exchange(
            query=redact_text(self.query.decode("latin-1")),
            request_headers=redact_headers(self.request_headers),
            request_body=self.request.text(),
            request_truncated=self.request.truncated,
            response_headers=redact_headers(self.response_headers),
            response_body=self.response.text(),
            response_truncated=self.response.truncated,
        )


class Body:
    """The first BODY_LIMIT bytes of a body arriving in chunks."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.truncated = False

    def add(self, chunk: bytes) -> None:
        room = BODY_LIMIT - self.size
        if len(chunk) > room:
            self.truncated = True
            chunk = chunk[: max(room, 0)]
        if chunk:
            self.chunks.append(chunk)
            self.size += len(chunk)

    def text(self) -> str:
        if not self.chunks:
            return ""
        return redact_text(b"".join(self.chunks).decode("utf-8", errors="replace"))


def redact_text(text: str) -> str:
    """Secret-named JSON string values and form/query values replaced by REDACTED."""
    if not text or (text.isascii() and _SECRET_WORD.search(text.lower()) is None):
        return text
    text = _JSON_FIELD.sub(lambda m: f'{m.group(1)}"{REDACTED}{m.group(2)}', text)
    return _FORM_FIELD.sub(lambda m: f"{m.group(1)}{REDACTED}", text)


def redact_headers(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    out = []
    for key, value in raw:
        name = key.decode("latin-1").lower()
        text = value.decode("latin-1")
        if name in SECRET_HEADERS:
            scheme, _, rest = text.partition(" ")
            text = f"{scheme} {REDACTED}" if rest and name.endswith("authorization") else REDACTED
        out.append((name, text))
    return out
