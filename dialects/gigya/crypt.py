"""Encryption at rest for `encrypt: "AES"` fields (spec §6): AES-SIV from `cryptography`.

Clients need values back decrypted and exact-match search only. AES-SIV (RFC 5297) is
deterministic and authenticated: equal plaintexts give equal ciphertexts, so `=`/`IN` searches
compare ciphertexts directly, while tampered or foreign values are detected and left as stored.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESSIV

PREFIX = "dgaes1:"  # marks an encrypted stored value; old plain data stays readable (spec §6)


class Cipher:
    """AES-SIV under a tenant's key; `cryptography` (16 MB) loads only when a value is encrypted
    or decrypted, so sites without `encrypt` fields never import it."""

    def __init__(self, master: bytes) -> None:
        self._master = master
        self._aead: AESSIV | None = None

    @property
    def _siv(self) -> AESSIV:
        if self._aead is None:
            from cryptography.hazmat.primitives.ciphers.aead import AESSIV

            self._aead = AESSIV(hashlib.sha512(self._master).digest())  # 64 bytes: AES-256-SIV
        return self._aead

    @classmethod
    def for_tenant(cls, configured_key: str, api_key: str) -> Cipher:
        return _tenant_cipher(configured_key, api_key)

    def encrypt(self, text: str) -> str:
        return PREFIX + base64.b64encode(self._siv.encrypt(text.encode(), None)).decode()

    def decrypt(self, stored: str) -> str:
        """The plaintext; anything not ours (or tampered with) comes back unchanged."""
        if not stored.startswith(PREFIX):
            return stored
        from cryptography.exceptions import InvalidTag

        try:
            blob = base64.b64decode(stored[len(PREFIX) :], validate=True)
            return self._siv.decrypt(blob, None).decode()
        except (binascii.Error, ValueError, InvalidTag, UnicodeDecodeError):
            return stored

    def encrypt_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.encrypt(value)
        if isinstance(value, list):
            return [self.encrypt_value(v) for v in value]
        return value

    def decrypt_tree(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.decrypt(value) if value.startswith(PREFIX) else value
        if isinstance(value, dict):
            return {k: self.decrypt_tree(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.decrypt_tree(v) for v in value]
        return value


@functools.lru_cache(maxsize=1024)
def _tenant_cipher(configured_key: str, api_key: str) -> Cipher:
    """One cipher per key: deriving the AES-SIV key costs more than the request needs it."""
    return Cipher((configured_key or f"doppelgate-default-key:{api_key}").encode())
