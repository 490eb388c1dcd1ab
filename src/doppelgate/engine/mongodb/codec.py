"""Documents as BSON keeps them: plain ints, millisecond UTC datetimes, and the hidden
`_doppelgate: {seq, rev}` every stored document carries (insertion order, revision)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from bson.codec_options import TypeDecoder
from bson.int64 import Int64

from ..core import Document, Filter
from ..pushdown import safe_scalar

UNPINNED: Any = object()
META = "_doppelgate"  # hidden in every stored document: {"seq": insertion order, "rev": revision}
META_REV = "_doppelgate.rev"

Meta = dict[str, Any] | None  # a stored document's hidden metadata (None: written by others)
Stored = tuple[Document, Meta]


class Int64AsInt(TypeDecoder):
    """BSON int64 comes back as a plain int, as the embedded backend returns it."""

    bson_type = Int64

    def transform_bson(self, value: Any) -> int:
        return int(value)


def bson_precision(value: Any) -> Any:
    """The value as it reads back from BSON: datetimes at millisecond precision, in UTC."""
    if isinstance(value, dict):
        return {k: bson_precision(v) for k, v in value.items()}
    if isinstance(value, list):
        return [bson_precision(v) for v in value]
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def has_datetime(value: Any) -> bool:
    if isinstance(value, dict):
        return any(has_datetime(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(has_datetime(v) for v in value)
    return isinstance(value, dt.datetime)


def as_stored(value: Any) -> Any:
    """A document, update or filter as the server sees it: datetimes at millisecond precision
    (copied only when it holds a datetime)."""
    return bson_precision(value) if has_datetime(value) else value


def filter_as_stored(spec: Filter | None) -> Filter | None:
    # a datetime in a filter compares as the server sees it: at millisecond precision
    return as_stored(spec) if spec else spec


def new_rev() -> int:
    # random, not a counter: a document deleted and inserted again never repeats a revision
    return random.getrandbits(62) + 1


def split(doc: Document) -> Stored:
    meta = doc.pop(META, None)
    return doc, meta if isinstance(meta, dict) else None


def only_id(spec: Filter | None) -> Any:
    """The `_id` of a filter that is exactly {"_id": plain scalar}, else UNPINNED."""
    if not spec or len(spec) != 1 or "_id" not in spec:
        return UNPINNED
    return spec["_id"] if safe_scalar(spec["_id"]) else UNPINNED


def document(stored: Stored) -> Document:
    return stored[0]


def rev(meta: Meta) -> Any:
    return meta.get("rev") if meta else None


def seq(stored: Stored) -> Any:
    found = stored[1].get("seq") if stored[1] else None
    return found if isinstance(found, int) else 0


def at(doc_id: Any, meta: Meta) -> dict[str, Any]:
    """The filter of one document at one revision (a compare-and-swap's condition)."""
    return {"_id": doc_id, META_REV: rev(meta)}
