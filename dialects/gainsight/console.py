"""Gainsight's console adapter (doppelgate's console, README): one view per object, records read,
written and queried through /v1/data/objects, schemas through describe (spec §1)."""

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
    parse_json,
)
from doppelgate.engine import Engine

from .errors import CATALOGUE
from .routes import BASE, META
from .standard import CANONICAL

SYSTEM = ("_id", "_n", "Gsid", "CreatedDate", "CreatedBy", "ModifiedDate", "ModifiedBy")


class GainsightConsole(ConsoleAdapter):
    """Custom objects (docs/gainsight.md): ("gainsight", key, "rows:<object>")."""

    schemas = True  # describe (spec §1.7)

    def credentials(self, tenant: str) -> dict[str, str]:
        return {"accesskey": tenant}  # permissive: the key is the tenant

    async def views(self, engine: Engine, tenant: str, names: list[str]) -> list[View]:
        names_of: dict[str, str] = dict(CANONICAL)  # "company" -> "Company" (spec §0)
        if "objects" in names:
            for d in await engine.collection("gainsight", tenant, "objects").find(
                projection={"name": 1}
            ):
                names_of[str(d["_id"])] = str(d.get("name") or d["_id"])
        out = []
        for n in names:
            if n.startswith("rows:"):
                lower = n.removeprefix("rows:")
                out.append(View(n, names_of.get(lower, lower), names_of.get(lower, lower)))
            else:
                out.append(View(n, n, None, vendor=False))
        return out

    def read(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        return VendorCall("GET", f"{BASE}/{view.target}/{doc['Gsid']}", self.credentials(tenant))

    def editable(self, view: View, doc: Doc) -> Any:
        return {k: v for k, v in doc.items() if k not in SYSTEM}

    def store(self, tenant: str, view: View, doc: Doc, body: Any) -> VendorCall:
        record = {**json_object(body, "the record"), "Gsid": doc["Gsid"]}
        return VendorCall(
            "PUT",
            f"{BASE}/{view.target}",
            self.credentials(tenant),
            json={"records": [record]},
            query={"keys": "Gsid"},
        )

    def template(self, view: View) -> Any:
        return {}

    def add(self, tenant: str, view: View, body: Any) -> VendorCall:
        record = json_object(body, "the record")
        return VendorCall(
            "POST",
            f"{BASE}/{view.target}",
            self.credentials(tenant),
            json={"records": [record]},
        )

    def delete(self, tenant: str, view: View, doc: Doc) -> VendorCall:
        return VendorCall("DELETE", f"{BASE}/{view.target}/{doc['Gsid']}", self.credentials(tenant))

    def query_hint(self) -> str:
        return 'read body, e.g. {"select": ["Name"], "limit": 10} (target: the object)'

    def query(self, tenant: str, target: str, text: str) -> VendorCall:
        if not target:
            raise ConsoleError("name the object to read")
        return VendorCall(
            "POST",
            f"{BASE}/query/{quote(target, safe='')}",
            self.credentials(tenant),
            json=parse_json(text),
        )

    def schema(self, tenant: str, target: str) -> VendorCall:
        return VendorCall(
            "GET",
            f"{META}/{quote(target, safe='')}/describe",
            self.credentials(tenant),
        )

    def fault_codes(self) -> list[str]:
        return [entry.code for entry in CATALOGUE]


CONSOLE = GainsightConsole()
