"""Vendor hosts: which dialect a Host (or a proxy target's authority) belongs to; one parser."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import Scope

SEEN_HOSTS = 1024  # HostTable keeps this many hosts' answers
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0", "::", "[::]"})


def split_authority(authority: str) -> tuple[str, int | None]:
    """("host", port) of "host[:port]" or "[v6]:port", lower-cased, without a trailing dot."""
    authority = authority.strip().lower()
    if authority.startswith("["):  # IPv6 literal: [::1]:8080
        end = authority.find("]")
        host, rest = authority[: end + 1], authority[end + 1 :]
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = authority.partition(":")
    return host.rstrip("."), int(port) if port.isdigit() else None


def host_header(scope: Scope) -> str:
    """The Host header as sent ("" when absent): what the journal records."""
    for key, value in scope.get("headers", ()):
        if key == b"host":
            return value.decode("latin-1")
    return ""


def host_of(scope: Scope) -> str:
    """The Host header without port or trailing dot, lower-cased ("" when absent)."""
    return split_authority(host_header(scope))[0]


class HostTable:
    """Vendor Host patterns -> dialect prefix; exact names win, then the longest `*.` suffix."""

    def __init__(self, patterns: Sequence[tuple[str, str]]) -> None:
        self.patterns = tuple(pattern for pattern, _ in patterns)
        self.exact: dict[str, str] = {}
        self.wildcards: list[tuple[str, str]] = []
        for pattern, prefix in patterns:
            pattern = pattern.strip().lower().rstrip(".")
            if pattern.startswith("*."):
                self.wildcards.append((pattern[1:], prefix))  # "*.gigya.com" -> ".gigya.com"
            elif pattern:
                self.exact.setdefault(pattern, prefix)
        self.wildcards.sort(key=lambda item: len(item[0]), reverse=True)
        # every request asks for its Host: the answers, bounded (clients choose the names)
        self._seen: dict[str, str | None] = {}

    def prefix_for(self, host: str) -> str | None:
        try:
            return self._seen[host]
        except KeyError:
            pass
        found = self._lookup(host)
        if len(self._seen) >= SEEN_HOSTS:
            self._seen.clear()
        self._seen[host] = found
        return found

    def _lookup(self, host: str) -> str | None:
        host = host.lower().rstrip(".")
        if host in self.exact:
            return self.exact[host]
        return next((prefix for suffix, prefix in self.wildcards if host.endswith(suffix)), None)

    def is_vendor(self, host: str) -> bool:
        return self.prefix_for(host) is not None
