"""Field-level protection of personal data at rest: AES-GCM with key ids, and keyed blind indexes.

Ciphertexts carry their key id, so keys rotate without re-encrypting everything at once: new values
use the active key, old ones stay readable while their key is kept. The field name is bound in as
associated data, so a phone ciphertext pasted into the ID column does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "v1"


class VaultError(Exception):
    pass


@dataclass
class Vault:
    keys: dict[str, bytes]
    active: str
    index_key: bytes

    def __post_init__(self):
        if self.active not in self.keys:
            raise VaultError(f"active key {self.active!r} is not among the keys")
        self._aead = {kid: AESGCM(k) for kid, k in self.keys.items()}

    def encrypt(self, plaintext: str, field: str) -> str:
        nonce = os.urandom(12)
        ct = self._aead[self.active].encrypt(nonce, plaintext.encode(), field.encode())
        return f"{_PREFIX}:{self.active}:{base64.urlsafe_b64encode(nonce + ct).decode()}"

    def decrypt(self, token: str, field: str) -> str:
        try:
            prefix, kid, body = token.split(":", 2)
        except ValueError:
            raise VaultError("not a vault token") from None
        if prefix != _PREFIX or kid not in self._aead:
            raise VaultError(f"unknown key id {kid!r}")
        raw = base64.urlsafe_b64decode(body)
        try:
            return self._aead[kid].decrypt(raw[:12], raw[12:], field.encode()).decode()
        except InvalidTag:
            raise VaultError("ciphertext does not verify (wrong key or field, or tampered)") from None

    def blind_index(self, value: str) -> str:
        """Deterministic, keyed: equal values join, but the index reveals nothing without the key."""
        return hmac.new(self.index_key, value.encode(), hashlib.sha256).hexdigest()[:32]

    def rotate(self) -> str:
        """Add a new active key; old keys remain for decryption."""
        kid = f"k{len(self.keys) + 1}"
        self.keys[kid] = AESGCM.generate_key(bit_length=256)
        self.active = kid
        self._aead[kid] = AESGCM(self.keys[kid])
        return kid

    def to_json(self) -> str:
        return json.dumps({
            "active": self.active,
            "keys": {k: base64.b64encode(v).decode() for k, v in self.keys.items()},
            "index_key": base64.b64encode(self.index_key).decode(),
        })

    @classmethod
    def from_json(cls, text: str) -> "Vault":
        d = json.loads(text)
        return cls({k: base64.b64decode(v) for k, v in d["keys"].items()}, d["active"], base64.b64decode(d["index_key"]))

    @classmethod
    def generate(cls) -> "Vault":
        return cls({"k1": AESGCM.generate_key(bit_length=256)}, "k1", secrets.token_bytes(32))

    @classmethod
    def load_or_create(cls, path: str | Path) -> "Vault":
        path = Path(path)
        if path.exists():
            return cls.from_json(path.read_text())
        vault = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(vault.to_json())
        return vault
