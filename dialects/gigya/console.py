"""Gigya's console adapter (doppelgate's console, README): one view per ds type, documents
read and written through ds.get/ds.store/ds.delete, queried with ds.search (spec §3-§6)."""

from __future__ import annotations

from typing import Any

from doppelgate.console_adapter import (
    ConsoleAdapter,
    Doc,
    VendorCall,
    View,
    json_object,
    text_of,
)
from doppelgate.engine import Engine

from .errors import ERROR_MESSAGES


class GigyaConsole(ConsoleAdapter):
    """Data Store (docs/gigya.md): ("gigya", apiKey, "objects"), one view per type."""

    def credentials(self, tenant: str) -> dict[str, str]:
        return {"apiKey": tenant, "secret": "doppelgate-console"}  # permissive: any secret

    async def views(self, engine: Engine, tenant: str, names: list[str]) -> list[View]:
        views = []
        if "objects" in names:
            types = await engine.collection("gigya", tenant, "schemas").find(
                projection={"_id": 1}, sort=[("_id", 1)]
            )
            views = [
                View("objects", str(t["_id"]), str(t["_id"]), {"type": t["_id"]}) for t in types
            ]
        return views + [View(n, n, None, vendor=False) for n in names if n != "objects"]

    def _key(self, tenant: str, doc: Doc) -> dict[str, str]:
        key = {**self.credentials(tenant), "type": doc["type"], "oid": doc["oid"]}
        return {**key, "UID": doc["UID"]} if doc.get("UID") else key

    def read(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        return VendorCall("POST", "ds.get", form=self._key(tenant, doc))

    def editable(self, view: View, doc: Doc) -> Any:
        return doc.get("data", {})

    def store(self, tenant: str, view: View, doc: Doc, body: Any) -> VendorCall:
        form = {**self._key(tenant, doc), "data": text_of(body)}  # Gigya itself checks it
        return VendorCall("POST", "ds.store", form={**form, "updateBehavior": "replace"})

    def template(self, view: View) -> Any:
        return {"oid": "auto", "data": {}}

    def add(self, tenant: str, view: View, body: Any) -> VendorCall:
        body = json_object(body, "the new object ({oid, UID?, data})")
        form = {
            **self.credentials(tenant),
            "type": view.target or "",
            "oid": str(body.get("oid") or "auto"),
        }
        if body.get("UID"):
            form["UID"] = str(body["UID"])
        return VendorCall("POST", "ds.store", form={**form, "data": text_of(body.get("data", {}))})

    def delete(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        return VendorCall("POST", "ds.delete", form=self._key(tenant, doc))

    def query_hint(self) -> str:
        return "SELECT * FROM <type> WHERE ... (ds.search query)"

    def query(self, tenant: str, target: str, text: str) -> VendorCall:
        return VendorCall("POST", "ds.search", form={**self.credentials(tenant), "query": text})

    def fault_codes(self) -> list[str]:
        return [str(code) for code in sorted(ERROR_MESSAGES)]


CONSOLE = GigyaConsole()
