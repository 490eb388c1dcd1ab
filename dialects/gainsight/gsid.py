"""GSIDs (spec §5): 36 characters [0-9A-Z] = 4-char family + 14-char tail per (tenant, object)
+ 18-char per-record suffix. Tails and dropdown item ids are derived by hashing, so every
process serving a tenant agrees on them without shared state."""

from __future__ import annotations

import functools
import hashlib
import re

from doppelgate import ids

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
GSID = re.compile(r"^[0-9A-Z]{36}$")

# the first 4 characters name the object family (spec §5)
FAMILIES = {
    "company": "1P02",
    "gsuser": "1P01",
    "relationship": "1P05",
    "company_person": "1C01",
    "relationship_person": "1C03",
}
CUSTOM_FAMILY = "1Z02"
DROPDOWN_FAMILY = "1I00"


def is_gsid(value: object) -> bool:
    return isinstance(value, str) and GSID.match(value) is not None


@functools.lru_cache(maxsize=4096)  # pure; the same keys and objects come back on every request
def hashed(text: str, size: int) -> str:
    number = int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")
    out = []
    for _ in range(size):
        number, digit = divmod(number, 36)
        out.append(ALPHABET[digit])
    return "".join(out)


def random_suffix(size: int = 18) -> str:
    return ids.choice(ALPHABET, size)


def key_prefix(tenant: str, object_name: str) -> str:
    """The object's 18-char key prefix: its family and a tail fixed per (tenant, object)."""
    lower = object_name.lower()
    family = FAMILIES.get(lower, CUSTOM_FAMILY)
    return family + hashed(f"{tenant}\0{lower}", 14)


def new_gsid(tenant: str, object_name: str) -> str:
    return key_prefix(tenant, object_name) + random_suffix()


def item_gsid(tenant: str, category: str, label: str) -> str:
    """A dropdown item's GSID (`1I00…`), stable per (tenant, category, label)."""
    tail = hashed(f"{tenant}\0dropdown", 14)
    return DROPDOWN_FAMILY + tail + hashed(f"{tenant}\0{category.lower()}\0{label}", 18)


def user_gsid(tenant: str, accesskey: str) -> str:
    """The gsuser GSID standing for the owner of an access key (CreatedBy, spec §5)."""
    return key_prefix(tenant, "gsuser") + hashed(f"{tenant}\0key\0{accesskey}", 18)
