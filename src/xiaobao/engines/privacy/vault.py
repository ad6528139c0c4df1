"""Field-level protection of personal data at rest: AES-GCM with key ids, and keyed blind indexes.

Ciphertexts carry their key id, so keys rotate without re-encrypting everything at once: new values
use the active key, old ones stay readable while their key is kept. The field name is bound in as
associated data, so a phone ciphertext pasted into the ID column does not decrypt.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "v1"
# HMAC output bytes → decimal digits: bytes 0–249 to '0'–'9' (b % 10), 250–255 dropped (250 = 25 × 10:
# no modulo bias). One `bytes.translate` per block instead of a Python step per byte.
_DIGIT_OF = bytes(48 + b % 10 for b in range(256))
_BIASED = bytes(range(250, 256))


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
        self._subkeys: dict[str, bytes] = {}  # purpose → key (`_subkey`; the index key never changes)

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
        return hmac.digest(self.index_key, value.encode(), "sha256").hex()[:32]

    def key_id(self, token: str) -> str:
        """Which key encrypted `token` (for rotation reports and the unmask access log)."""
        parts = token.split(":", 2)
        if len(parts) != 3 or parts[0] != _PREFIX:
            raise VaultError("not a vault token")
        return parts[1]

    def reencrypt(self, token: str, field: str) -> str:
        """The same plaintext under the active key; a token already under it is returned unchanged."""
        if self.key_id(token) == self.active:
            return token
        return self.encrypt(self.decrypt(token, field), field)

    def retire(self, kid: str) -> None:
        """Drop an old key once nothing is encrypted under it any more (after `reencrypt`)."""
        if kid == self.active:
            raise VaultError("the active key cannot be retired; rotate first")
        self.keys.pop(kid, None)
        self._aead.pop(kid, None)

    def _subkey(self, purpose: str) -> bytes:
        # Tokens, format-preserving tokens and the blind index use separate keys derived from the
        # index key, so one kind of output cannot be matched against another.
        key = self._subkeys.get(purpose)
        if key is None:
            key = self._subkeys[purpose] = hmac.digest(self.index_key, b"xiaobao/" + purpose.encode(), "sha256")
        return key

    def subkey(self, purpose: str) -> bytes:
        """A key for another purpose (the audit chain's digests, its checkpoint signatures), derived from the
        index key so the one key file protects them all."""
        return self._subkey(purpose)

    def token(self, value: str, kind: str, length: int = 16) -> str:
        """Keyed, deterministic and joinable across datasets protected with the same vault."""
        return hmac.digest(self._subkey("token/" + kind), value.encode(), "sha256").hex()[:length]

    def digits(self, value: str, kind: str, n: int) -> str:
        """n pseudo-random decimal digits determined by (key, kind, value): the stuff of
        format-preserving tokens."""
        key, raw, counter = self._subkey("fpe/" + kind), value.encode(), 0
        out = b""
        while len(out) < n:
            out += hmac.digest(key, raw + counter.to_bytes(4, "big"), "sha256").translate(_DIGIT_OF, _BIASED)
            counter += 1
        return out[:n].decode()

    def rotate(self) -> str:
        """Add a new active key; old keys remain for decryption."""
        # Numbered past the highest id ever seen here, so a retired key's id is not reused.
        kid = f"k{max((int(k[1:]) for k in self.keys if k[1:].isdigit()), default=0) + 1}"
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
    def from_json(cls, text: str) -> Vault:
        d = json.loads(text)
        return cls({k: base64.b64decode(v) for k, v in d["keys"].items()}, d["active"], base64.b64decode(d["index_key"]))

    @classmethod
    def generate(cls) -> Vault:
        return cls({"k1": AESGCM.generate_key(bit_length=256)}, "k1", secrets.token_bytes(32))

    @classmethod
    def load_or_create(cls, path: str | Path) -> Vault:
        path = Path(path)
        if path.exists():
            return cls.from_json(path.read_text())
        vault = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(vault.to_json())
        return vault
