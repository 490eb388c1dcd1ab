"""One data call: which entity and version it runs on, its context trail and its envelope (§2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from doppelgate.limits import clip

from . import errors as E
from .errors import LightblueError
from .schema import Schema
from .wire import DataError, Envelope, Error, Request, ResultMetadata

COMMANDS = {  # operation -> the REST command class named in error contexts (§2.4)
    "insert": "InsertCommand",
    "save": "SaveCommand",
    "update": "UpdateCommand",
    "delete": "DeleteCommand",
    "find": "FindCommand",
    "explain": "ExplainCommand",
    "generate": "GenerateCommand",
    "search": "RunSavedSearchCommand",
}


def requested(body: Request, entity: str, version: str | None) -> tuple[str, str | None]:
    """Path and body must agree on entity and version; the path wins when only it has one."""
    if body.entity is not msgspec.UNSET and body.entity is not None and body.entity != entity:
        raise LightblueError(E.NO_ENTITY_MATCH, f"{body.entity}")
    given = body.entityVersion
    if given is msgspec.UNSET or given is None or given == "":
        return entity, version
    if version is not None and given != version:
        raise LightblueError(E.NO_VERSION_MATCH, f"{given}")
    return entity, str(given)


@dataclass(slots=True)
class Outcome:
    """What a data call has done so far, turned into the envelope at the end (§2.2)."""

    operation: str
    entity: str
    version: str | None = None
    processed: list[Any] | None = None
    versions: list[str] = field(default_factory=list)  # documentVersion per processed doc
    data_errors: list[DataError] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)
    modified: int = 0
    matched: int = 0

    @property
    def context(self) -> str:
        command = COMMANDS.get(self.operation, "Command")
        if self.operation == "search":  # the saved search is resolved before any find
            return f"rest/{command}/{self.entity}"
        target = f"{self.entity}:{self.version}" if self.version else self.entity
        return f"rest/{command}/{self.entity}/{self.operation}({target})"

    def use(self, schema: Schema) -> None:
        self.version = schema.version

    def fail(self, exc: LightblueError) -> None:
        self.errors.append(exc.wire(self.context))

    def data_error(self, data: Any, errors: list[Error]) -> None:
        self.data_errors.append(DataError(clip(data), errors))  # a huge document: cut short

    def status(self) -> str:
        if self.errors:
            return "ERROR"
        if self.operation in ("insert", "save"):
            if not self.data_errors:  # no document at all is an ERROR too (Mediator)
                return "COMPLETE" if self.modified else "ERROR"
            return "PARTIAL" if self.modified else "ERROR"
        if self.operation == "update":
            return "PARTIAL" if self.data_errors else "COMPLETE"
        return "ERROR" if self.data_errors else "COMPLETE"

    def envelope(self) -> Envelope:
        body = Envelope(
            entity=self.entity,
            entityVersion=self.version if self.version else msgspec.UNSET,
            status=self.status(),
            modifiedCount=self.modified,
            matchCount=self.matched,
        )
        # writes return `processed` only when some document made it; find always (Mediator)
        empty_write = self.operation in ("insert", "save", "update") and not self.processed
        if self.processed is not None and not self.errors and not empty_write:
            body.processed = self.processed
            if len(self.versions) == len(self.processed):
                body.resultMetadata = [ResultMetadata(v) for v in self.versions]
        if self.data_errors:
            body.dataErrors = self.data_errors
        if self.errors:
            body.errors = self.errors
        return body
