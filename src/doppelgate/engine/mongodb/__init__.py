"""The MongoDB backend: PyMongo's AsyncMongoClient, the same behaviour as the embedded backend.

One code path serves a real MongoDB 7 and the lighter MongoDB-wire servers the suite runs on
(mongo-java-server here): the server stores documents, enforces unique indexes and makes each
single-document write atomic; the rules where servers differ run in Python, with the embedded
backend's own code (filters.py, updates.py, projection.py, values.py):

- filters: `compile_filter` validates and decides every match; equality/$in terms on plain
  scalars go to the server only as a pre-filter that narrows the scan (wire servers over-match).
- order: documents come back in insertion order, as from the embedded backend, whatever order
  the server scans in (mongo-java-server's is `_id` order); sort, skip, limit and projection run
  in Python (MongoDB's cross-type order and array rules, which wire servers get wrong).
- an update of one document by `_id` whose operators every server applies as the engine does
  (serverside.py: $set $unset $inc $push $addToSet $pull on known paths): checked in Python on
  the fetched document, then sent as one server-side `update_one`, atomic there: concurrent
  writers never refuse each other.
- other updates, replacements and upserts: computed in Python by `apply_update` on the fetched
  document, then written by a compare-and-swap on the document's revision, retried after a
  jittered backoff until the operation's time limit:
  the embedded backend's $pull/$addToSet/$push semantics, modified counts (byte-equal means
  unmodified), upsert seeding and DocumentTooLarge checks, on every server. Writers of one
  document in one process queue on a lock, each handing the next the document as it left it;
  writers in other processes are kept apart by the revision check.
- each stored document carries a hidden `_doppelgate: {seq, rev}` (insertion sequence, random
  revision), stripped from every document read; documents may not use that field name.

The modules, each importing only those below it:

- engine.py      MongoEngine: the client, its settings, the collections, insertion order
- collection.py  MongoCollection: the Collection operations, composed of the three below
- writes.py      the write path: per-document slots, compare-and-swap rounds, upserts, deletes
- reads.py       scans in insertion order, server-sorted pages and counts, explain
- naming.py      collection names and the registry of their addresses
- driver.py      the client and every PyMongo call: the one place driver errors become
                 engine errors
- known.py       the indexes the engine knows the server has: ensure_index without a round trip
- codec.py       values as BSON keeps them, the hidden `_doppelgate` metadata
"""

from __future__ import annotations

from .codec import META
from .collection import MongoCollection
from .driver import redact as _redact
from .engine import MongoEngine
from .naming import REGISTRY, collection_name

__all__ = ["META", "REGISTRY", "MongoCollection", "MongoEngine", "_redact", "collection_name"]
