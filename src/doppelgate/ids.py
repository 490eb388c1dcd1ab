"""Generated ids, random by default or from a seeded generator per (dialect, tenant) so the same
calls in the same order give the same ids on every run and machine (--id-seed N)."""

from __future__ import annotations

import os
import random
import secrets
import struct
import uuid
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from bson import ObjectId

from . import clock

if TYPE_CHECKING:
    from .state import RequestState

_source: ContextVar[IdSource | None] = ContextVar("doppelgate_ids", default=None)
# (dialect, the request's state): the tenant is read when an id is drawn, once noted
_where: ContextVar[tuple[str, RequestState] | None] = ContextVar("doppelgate_where", default=None)


class IdSource:
    """One per server: None draws from the OS; a seed gives each (dialect, tenant) its own
    generator. Ids drawn before a dialect is known (request ids) come from the ("", "") one."""

    def __init__(self, seed: int | None = None) -> None:
        self.reseed(seed)

    def reseed(self, seed: int | None) -> None:
        self.seed = seed
        self._streams: dict[tuple[str, str], random.Random] = {}

    def stream(self, dialect: str, tenant: str) -> random.Random:
        found = self._streams.get((dialect, tenant))
        if found is None:  # str seeds hash with SHA-512: the same on every run and machine
            found = self._streams[dialect, tenant] = random.Random(
                f"{self.seed}/{dialect}/{tenant}"
            )
        return found

    def bind(self, seeded: bool = True) -> tuple[Any, Any]:
        """Make this the source of the current context (a request), with no dialect yet;
        `seeded=False`: random ids for this request (it must not shift the seeded sequence)."""
        return _source.set(self if seeded else None), _where.set(None)

    @staticmethod
    def unbind(tokens: tuple[Any, Any]) -> None:
        _source.reset(tokens[0])
        _where.reset(tokens[1])


def within(dialect: str, state: RequestState) -> None:
    """The request is now the dialect's (its tenant, once noted in `state`, picks the stream)."""
    _where.set((dialect, state))


def _rng() -> random.Random | None:
    source = _source.get()
    if source is None or source.seed is None:
        return None
    where = _where.get()
    if where is None:
        return source.stream("", "")
    return source.stream(where[0], where[1].tenant or "")


# -- the formats the vendors use --------------------------------------------------------------


def hex_id(size: int = 32) -> str:
    """`size` lower-case hex digits (uuid4().hex, secrets.token_hex(size // 2))."""
    rng = _rng()
    if rng is None:
        return secrets.token_hex((size + 1) // 2)[:size]
    return f"{rng.getrandbits(size * 4):0{size}x}"


def uuid4() -> uuid.UUID:
    rng = _rng()
    return uuid.uuid4() if rng is None else uuid.UUID(int=rng.getrandbits(128), version=4)


def uuid_hex() -> str:
    """32 hex digits of a version-4 UUID (uuid4().hex): request ids, Gigya oids and cursors."""
    if _rng() is not None:
        return uuid4().hex
    raw = bytearray(os.urandom(16))  # what uuid.uuid4() does, without building a UUID object
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    return raw.hex()


def uuid_text() -> str:
    """8-4-4-4-12 text, e.g. lightblue `_id`, Gainsight requestId."""
    return str(uuid4())


def choice(alphabet: str, size: int) -> str:
    """`size` characters of `alphabet`, each uniform and independent."""
    rng = _rng()
    if rng is not None:
        return "".join(rng.choice(alphabet) for _ in range(size))
    # one uniform number below base**size, read as `size` digits: one read of the OS's random
    # source, not one per character (a Gainsight Gsid has 36)
    base, number = len(alphabet), secrets.randbelow(len(alphabet) ** size)
    digits = []
    for _ in range(size):
        number, digit = divmod(number, base)
        digits.append(alphabet[digit])
    return "".join(digits)


def object_id() -> str:
    """ObjectId text: 4 bytes of the emulator's clock (seconds), then 8 random bytes."""
    rng = _rng()
    if rng is None:
        return str(ObjectId())
    head = struct.pack(">I", int(clock.now()) & 0xFFFFFFFF)
    return (head + rng.getrandbits(64).to_bytes(8, "big")).hex()
