"""Typed engine errors: each dialect maps them to its own vendor error code."""


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""


class InvalidFilter(EngineError):
    """The filter uses an operator or shape outside the documented subset."""


class InvalidUpdate(EngineError):
    """The update cannot apply: unknown operator, conflicting paths, wrong target type."""


class InvalidDocument(EngineError):
    """The document holds a value the engine cannot store (non-string key, naive datetime...)."""


class DuplicateKey(EngineError):
    """A write would give a unique index a second document with the same key."""

    def __init__(self, index: str, key: dict[str, object]) -> None:
        super().__init__(f"duplicate key in unique index {index}: {key!r}")
        self.index = index
        self.key = key


class DocumentTooLarge(EngineError):
    """The document's encoded size exceeds the engine's limit (MongoDB's 16 MiB by default)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"document of {size} bytes exceeds the {limit}-byte limit")
        self.size = size
        self.limit = limit


class BackendUnavailable(EngineError):
    """The storage backend cannot be reached (database down, timed out)."""


class QueryTimeout(EngineError):
    """The operation ran past its time limit (the engine's maxTimeMS) and was stopped."""


class RegexTimeout(QueryTimeout):
    """A regular expression needed more than its time slice on one value (runaway backtracking)."""

    def __init__(self, pattern: str) -> None:
        super().__init__(f"the regular expression {pattern!r} is too expensive to evaluate")
        self.pattern = pattern
