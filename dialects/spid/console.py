"""SPiD's console adapter (doppelgate's console, README): data objects read and written through
/api/2/user/{id}/dataobject/{key}, listed through the dataobjects endpoints (spec §3)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from doppelgate.console_adapter import (
    ConsoleAdapter,
    ConsoleError,
    Doc,
    VendorCall,
    View,
    json_object,
    text_of,
)
from doppelgate.engine import Engine

from . import errors


class SpidConsole(ConsoleAdapter):
    """Data objects (docs/spid.md): ("spid", clientId, "dataobjects")."""

    def credentials(self, tenant: str) -> dict[str, str]:
        return {"authorization": f"Bearer {tenant}"}  # permissive: a client token names it

    async def views(self, engine: Engine, tenant: str, names: list[str]) -> list[View]:
        return [
            View(n, "data objects", "dataobjects")
            if n == "dataobjects"
            else View(n, n, None, vendor=False)
            for n in names
        ]

    def _path(self, doc: Doc) -> str:
        user, key = quote(str(doc["userId"]), safe=""), quote(str(doc["key"]), safe="")
        return f"/api/2/user/{user}/dataobject/{key}"

    def read(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        return VendorCall("GET", self._path(doc), self.credentials(tenant))

    def editable(self, view: View, doc: Doc) -> Any:
        return {"value": doc.get("value")}

    def store(self, tenant: str, view: View, doc: Doc, body: Any) -> VendorCall:
        value = json_object(body, "the data object ({value})").get("value")
        return VendorCall(
            "POST", self._path(doc), self.credentials(tenant), form={"value": text_of(value)}
        )

    def template(self, view: View) -> Any:
        return {"userId": "", "key": "", "value": ""}

    def add(self, tenant: str, view: View, body: Any) -> VendorCall:
        body = json_object(body, "the new data object ({userId, key, value})")
        if not body.get("userId") or not body.get("key"):
            raise ConsoleError("a SPiD data object needs a userId and a key")
        return self.store(tenant, view, body, body)

    def delete(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        return VendorCall("DELETE", self._path(doc), self.credentials(tenant))

    def query_hint(self) -> str:
        return "list parameters, e.g. key=color&limit=10 (target: a userId, or none: the client)"

    def query(self, tenant: str, target: str, text: str) -> VendorCall:
        path = (
            f"/api/2/user/{quote(target, safe='')}/dataobjects" if target else "/api/2/dataobjects"
        )
        return VendorCall(
            "GET", f"{path}?{text.lstrip('?')}" if text.strip() else path, self.credentials(tenant)
        )

    def fault_codes(self) -> list[str]:
        # the catalogue's (status, text) entries by name, then the OAuth error codes (spec §5.3)
        upper = {k: v for k, v in vars(errors).items() if k.isupper() and not k.startswith("_")}
        named = [k for k, v in upper.items() if isinstance(v, tuple) and len(v) == 2]
        oauth = [v for v in upper.values() if isinstance(v, str) and v.islower() and "_" in v]
        return named + oauth


CONSOLE = SpidConsole()
