"""The legacy "Data Storage" endpoints, dropped from the docs in Dec 2016 (spec §3.7): SODA
(`/{type}/{id}/do/{key}`, server token) and user traits. Only the flat SODA paths: the vendor
called the `/{type}/{id}/{subtype}/{subid}/do/{key}` variant broken."""

from __future__ import annotations

from typing import Any

import msgspec

from doppelgate import nesting
from doppelgate.engine import (
    Collection,
    DocumentTooLarge,
    DuplicateKey,
    InvalidDocument,
    InvalidUpdate,
)
from doppelgate.engine.core import new_id

from . import times
from .endpoints import Answer, Call, check_user
from .errors import MISSING_ID, MISSING_REQUIRED, TOKEN_REJECTED, SpidError
from .wire import Route, Success

SODA = Route("SODA", "/api/2/{type}/{id}/do/{key}", "Api/2/Data.soda")  # [inf] the name
TRAITS = Route("User traits", "/api/2/user/{id}/traits", "Api/2/User.traits")  # [inf]
TRAIT = Route("Delete user trait", "/api/2/user/{id}/trait/{trait}", "Api/2/User.trait")  # [inf]
OBJECTS = {SODA.controller: "Data", TRAITS.controller: "User", TRAIT.controller: "User"}

SODA_TYPES = frozenset({"user", "product", "order", "discount", "client"})
BAD_TYPE = (400, "The provided type is not valid")
BAD_ID = (400, "The provided ID does not exist for the provided type")
NO_OBJECT = (404, "No object found for this key")
NO_KEY = (400, "Could not find any valid key")
NO_PAIR = (400, "Could not find key/value pair in posted data")
BAD_TRAITS = (400, "traits must be a JSON object")  # [inf]: undocumented text
# the listing says 304, a status that cannot carry the container: 400 [inf]
NOT_STORED = (400, "Object could not be stored")


class SodaObject(msgspec.Struct):
    id: str  # 24 hex digits (spec §3.7)
    clientRef: str
    created: str
    updated: str
    key: str
    value: str


async def _collection(call: Call, name: str, keys: list[str]) -> Collection:
    return await call.store.indexed(call.caller.clientId, name, keys)


async def _soda(call: Call) -> tuple[Collection, dict[str, str]]:
    """Server token only; the type one of five; `client` only for the caller's own id."""
    if not call.caller.server:
        raise SpidError(TOKEN_REJECTED)  # [inf] as on the other server-only endpoint
    if call.objectType not in SODA_TYPES:
        raise SpidError(BAD_TYPE)
    if not call.userId or (call.objectType == "client" and call.userId != call.caller.clientId):
        raise SpidError(BAD_ID)
    if not call.key:
        raise SpidError(NO_KEY)
    coll = await _collection(call, "soda", ["type", "id", "key"])
    return coll, {"type": call.objectType, "id": call.userId, "key": call.key}


async def soda_get(call: Call) -> Answer:
    coll, where = await _soda(call)
    doc = await coll.find_one(where)
    if doc is None:
        raise SpidError(NO_OBJECT)
    return Answer(200, doc["value"])  # the raw stored string (spec §3.7)


async def soda_post(call: Call) -> Answer:
    """The value comes in a parameter named like the key (`rating={"positive": 10}`)."""
    _, where = await _soda(call)
    value = call.params.get(call.key)
    if value is None:
        raise SpidError(NO_PAIR)
    try:
        doc = await _store_soda(call, where, value)
    except DocumentTooLarge:
        raise SpidError(NOT_STORED) from None
    zone = call.store.zone
    return Answer(
        200,
        SodaObject(
            id=str(doc["_id"]),
            clientRef=call.caller.clientId,
            created=times.show(doc["created"], zone),
            updated=times.show(doc["updated"], zone),
            key=call.key,
            value=value,
        ),
    )


async def _store_soda(call: Call, where: dict[str, str], value: str) -> dict[str, Any]:
    """Overwrite, or create with a fresh 24-hex id (spec §3.7)."""
    now = times.now()
    change = {"$set": {"value": value, "updated": now}}
    coll = await _collection(call, "soda", ["type", "id", "key"])
    doc = await coll.find_one_and_update(where, change, return_new=True)
    if doc is None:
        coll = await _collection(call, "soda", ["type", "id", "key"])
        fresh = {**where, "_id": new_id(), "value": value, "created": now, "updated": now}
        try:
            await coll.insert(fresh)
            doc = fresh
        except DuplicateKey:  # created meanwhile: overwrite that one
            doc = await coll.find_one_and_update(where, change, return_new=True) or fresh
    return doc


async def soda_delete(call: Call) -> Answer:
    coll, where = await _soda(call)
    if not await coll.delete(where, many=False):
        raise SpidError(NO_OBJECT)
    return Answer(202, "Object deleted")  # [inf]: "a confirmation string" (spec §3.7)


async def _traits(call: Call) -> dict[str, Any]:
    coll = await _collection(call, "traits", ["userId", "name"])
    docs = await coll.find({"userId": call.userId}, sort=[("name", 1)])
    return {doc["name"]: doc["value"] for doc in docs}


def _user(call: Call) -> None:
    if not call.userId:
        raise SpidError(MISSING_ID)
    check_user(call)


async def traits_get(call: Call) -> Answer:
    _user(call)
    return Answer(200, await _traits(call))  # [inf]: none yet is {} (not a 404)


async def traits_post(call: Call) -> Answer:
    """`traits` = a JSON object, merged into the user's traits one trait at a time."""
    _user(call)
    text = call.params.get("traits")
    if not text:
        raise SpidError(MISSING_REQUIRED)
    try:
        traits = nesting.decode(text.encode())  # deeper than doppelgate's limit: the same 400
    except (msgspec.DecodeError, nesting.TooDeep):
        raise SpidError(BAD_TRAITS) from None
    if not isinstance(traits, dict):
        raise SpidError(BAD_TRAITS)
    coll = await _collection(call, "traits", ["userId", "name"])
    for name, value in traits.items():
        where, change = {"userId": call.userId, "name": name}, {"$set": {"value": value}}
        try:
            try:
                await coll.update(where, change, upsert=True)
            except DuplicateKey:  # created meanwhile: now it exists
                await coll.update(where, change)
        except (InvalidDocument, InvalidUpdate):  # "$" field names, 65-bit integers
            raise SpidError(BAD_TRAITS) from None
        except DocumentTooLarge:
            raise SpidError(NOT_STORED) from None
    return Answer(200, await _traits(call))


async def trait_delete(call: Call) -> Answer:
    _user(call)
    coll = await _collection(call, "traits", ["userId", "name"])
    await coll.delete({"userId": call.userId, "name": call.key}, many=False)
    return Answer(202, Success(True))  # [inf]: idempotent, whether or not it existed


LEGACY_HANDLERS = {
    ("GET", SODA.controller): soda_get,
    ("POST", SODA.controller): soda_post,
    ("DELETE", SODA.controller): soda_delete,
    ("GET", TRAITS.controller): traits_get,
    ("POST", TRAITS.controller): traits_post,
    ("DELETE", TRAIT.controller): trait_delete,
}
