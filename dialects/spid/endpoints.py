"""The five data-object endpoints (spec §3.1-§3.5): their routes as the endpoint listing
names them, and their endpoint-level checks (spec §5.3, last step)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .auth import Caller
from .errors import (
    KEY_TOO_LONG,
    MISSING_ID,
    MISSING_ID_OR_KEY,
    MISSING_REQUIRED,
    TOKEN_REJECTED,
    USER_NOT_ALLOWED,
    VALUE_TOO_LONG,
    SpidError,
)
from .listing import listing
from .params import Params
from .service import DataObjects, Store
from .wire import Route, Success

MAX_KEY_BYTES = 255  # spec §2
MAX_VALUE_BYTES = 65535

LIST = Route("List", "/api/2/dataobjects", "Api/2/DataObject.dataobjects")
USER_LIST = Route(
    "List data objects by user",
    "/api/2/user/{id}/dataobjects",
    "Api/2/DataObject.user_dataobjects",
)
USER_OBJECT = Route(
    "Get, update, and delete data objects by user",
    "/api/2/user/{id}/dataobject/{key}",
    "Api/2/DataObject.user_dataobject",
)


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated request: who, on which user and key, with which parameters."""

    store: Store
    caller: Caller
    params: Params
    userId: str
    key: str
    objectType: str = ""  # the {type} of the legacy SODA paths (spec §3.7)

    @property
    def objects(self) -> DataObjects:
        return DataObjects(self.store, self.caller)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    data: Any
    collection: bool = False  # type "collection" with meta {count, offset} (spec §5.1)


Handler = Callable[[Call], Awaitable[Answer]]


def check_user(call: Call, status: int = 403) -> None:
    """A user token may only touch its own user (spec §5.3)."""
    if call.caller.userId and call.caller.userId != call.userId:
        raise SpidError(USER_NOT_ALLOWED).with_code(status)


def check_id_and_key(call: Call) -> None:
    if not call.userId or not call.key:
        raise SpidError(MISSING_ID_OR_KEY)


async def list_all(call: Call) -> Answer:
    if not call.caller.server:  # server token only (spec §3.1); [inf] §5.3 the 403 text
        raise SpidError(TOKEN_REJECTED)
    return Answer(200, await call.objects.list(listing(call.params, call.store.zone)), True)


async def list_user(call: Call) -> Answer:
    if not call.userId:
        raise SpidError(MISSING_ID)
    check_user(call)
    found = await call.objects.list(listing(call.params, call.store.zone), call.userId)
    return Answer(200, found, True)


async def get_object(call: Call) -> Answer:
    check_id_and_key(call)
    check_user(call)
    return Answer(200, await call.objects.get(call.userId, call.key))


async def post_object(call: Call) -> Answer:
    check_id_and_key(call)
    check_user(call)
    value = call.params.get("value")
    if not value:
        raise SpidError(MISSING_REQUIRED)  # `value` is required (spec §3.4)
    if len(call.key.encode()) > MAX_KEY_BYTES:
        raise SpidError(KEY_TOO_LONG)
    if len(value.encode()) > MAX_VALUE_BYTES:
        raise SpidError(VALUE_TOO_LONG)
    # 201 for create and update alike: the listing says 201 since Aug 2014 (spec §3.4, §7.1)
    return Answer(201, await call.objects.put(call.userId, call.key, value))


async def delete_object(call: Call) -> Answer:
    check_id_and_key(call)
    # the listing's verbatim 503 for another user's token (spec §3.5, §7.2), configurable
    check_user(call, call.store.options.deleteUserMismatchStatus)
    await call.objects.delete(call.userId, call.key)
    return Answer(200, Success(True))


HANDLERS: dict[tuple[str, str], Handler] = {
    ("GET", LIST.controller): list_all,
    ("GET", USER_LIST.controller): list_user,
    ("GET", USER_OBJECT.controller): get_object,
    ("POST", USER_OBJECT.controller): post_object,
    ("DELETE", USER_OBJECT.controller): delete_object,
}
