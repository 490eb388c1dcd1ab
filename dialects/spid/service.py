"""The data-object store in SPiD's words (spec §2, §3): one collection per client (the
tenant), one object per (userId, key), global sequential dataObjectIds. Each document also
carries `_userOrder`, userId as a text that sorts like the integer it is (listing.py)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from doppelgate.engine import Collection, DuplicateKey, Engine

from . import times
from .auth import Caller
from .errors import NO_DATA_OBJECT, NO_DATA_OBJECTS, NO_OBJECT_FOR_KEY, SpidError
from .listing import USER_ORDER, Listing, user_order
from .options import SpidOptions
from .wire import DataObject

DIALECT = "spid"
DATA_OBJECTS = "dataobjects"
SEQUENCES = "sequences"
GLOBAL = ""  # the tenant of the id sequence: no client is named "" (a token is never empty)


class Store:
    """Shared by every request: the engine, the options, which indexes exist already."""

    def __init__(self, engine: Engine, options: SpidOptions) -> None:
        self.engine = engine
        self.options = options
        self.zone = ZoneInfo(options.timezone)

    async def indexed(
        self, clientId: str, name: str, unique: list[str], listed: tuple[str, ...] = ()
    ) -> Collection:
        """The client's collection with its unique index and `listed` (the fields listings
        filter or sort on, for the query planner), ensured on every call: the engine answers an
        index it has without I/O and notices when a reset dropped it."""
        coll = self.engine.collection(DIALECT, clientId, name)
        for field in listed:
            await coll.ensure_index([field])
        await coll.ensure_index(unique, unique=True)
        return coll

    async def objects(self, clientId: str) -> Collection:
        # unique per user and key (§2); listings select by key, page by id, since/until (§4)
        listed = ("key", "dataObjectId", "updated", "created")
        return await self.indexed(clientId, DATA_OBJECTS, ["userId", "key"], listed)

    async def next_id(self) -> int:
        """Sequential numbers, as in the vendor's samples ("1", "4", "21") (spec §2)."""
        seq = self.engine.collection(DIALECT, GLOBAL, SEQUENCES)
        doc = await seq.find_one_and_update(
            {"_id": "dataObjectId"}, {"$inc": {"value": 1}}, upsert=True, return_new=True
        )
        return int(doc["value"]) if doc else 1

    def wire(self, doc: dict[str, Any]) -> DataObject:
        return DataObject(
            dataObjectId=str(doc["dataObjectId"]),
            clientId=doc["clientId"],
            merchantId=doc["merchantId"],
            userId=doc["userId"],
            key=doc["key"],
            value=doc["value"],
            updated=times.show(doc["updated"], self.zone),
            created=times.show(doc["created"], self.zone),
        )


class DataObjects:
    def __init__(self, store: Store, caller: Caller) -> None:
        self.store = store
        self.caller = caller

    async def list(self, listing: Listing, userId: str | None = None) -> dict[str, DataObject]:
        """A collection keyed by dataObjectId; empty is 404 (spec §3.1, §3.2)."""
        query = listing.filter(userId)
        clients = [self.caller.clientId]
        if listing.merchant:
            clients = self.store.options.merchant_clients(self.caller.merchantId, clients[0])
        if len(clients) == 1:
            coll = await self.store.objects(clients[0])
            found = await coll.find(
                query, sort=listing.sort, skip=listing.offset, limit=listing.limit
            )
        else:
            found = await self._across(clients, query, listing)
        if not found:
            raise SpidError(NO_DATA_OBJECTS)
        return {str(doc["dataObjectId"]): self.store.wire(doc) for doc in found}

    async def _across(
        self, clients: list[str], query: dict[str, Any], listing: Listing
    ) -> list[dict[str, Any]]:
        """filters=merchant: the same query on each client of the merchant, merged (spec §4)."""
        wanted = listing.offset + listing.limit
        found: list[dict[str, Any]] = []
        for clientId in clients:
            coll = await self.store.objects(clientId)
            found += await coll.find(query, sort=listing.sort, limit=wanted)
        for field, direction in reversed(listing.sort):  # stable sorts, least significant first
            found.sort(key=lambda doc: doc.get(field, ""), reverse=direction < 0)
        return found[listing.offset : wanted]

    async def get(self, userId: str, key: str) -> DataObject:
        coll = await self.store.objects(self.caller.clientId)
        doc = await coll.find_one({"userId": userId, "key": key})
        if doc is None:
            raise SpidError(NO_DATA_OBJECT)
        return self.store.wire(doc)

    async def put(self, userId: str, key: str, value: str) -> DataObject:
        """Create, or update in place keeping dataObjectId and created [inf] spec §7.1."""
        coll = await self.store.objects(self.caller.clientId)
        now = times.now()
        where = {"userId": userId, "key": key}
        change = {"$set": {"value": value, "updated": now, USER_ORDER: user_order(userId)}}
        doc = await coll.find_one_and_update(where, change, return_new=True)
        if doc is None:
            doc = {
                "dataObjectId": await self.store.next_id(),
                "clientId": self.caller.clientId,
                "merchantId": self.caller.merchantId,
                "userId": userId,
                "key": key,
                "value": value,
                "updated": now,
                "created": now,
                USER_ORDER: user_order(userId),
            }
            try:
                await coll.insert(doc)
            except DuplicateKey:  # created meanwhile by a concurrent request: update that one
                doc = await coll.find_one_and_update(where, change, return_new=True)
                if doc is None:  # ...and deleted again meanwhile
                    raise SpidError(NO_OBJECT_FOR_KEY) from None
        return self.store.wire(doc)

    async def delete(self, userId: str, key: str) -> None:
        coll = await self.store.objects(self.caller.clientId)
        if not await coll.delete({"userId": userId, "key": key}, many=False):
            raise SpidError(NO_DATA_OBJECT)  # [inf] spec §7.2: a missing key is a 404
