"""Audit-chain verification and its anchor outside the database.

`checkpoint` signs the chain's head (Ed25519, key derived from the key file) and appends it to the anchor
file, a JSON line each; `verify` checks the chain (keyed digests) and then every checkpoint: signed by us,
still on the chain, with the same `keyed_from`. Whoever owns only the database can neither edit an entry
(no chain key), nor cut the tail or rebuild the chain (the checkpoints no longer match), nor sign a new
checkpoint. The anchor file belongs on storage the database's owner cannot rewrite.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from xiaobao.domain.audit import ChainProblem, Checkpoint, check_checkpoints
from xiaobao.services.context import Context


@dataclass
class Verification:
    problems: list[ChainProblem]
    head: tuple[int, str] | None
    checkpoints: int = 0
    anchor: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _signing_key(ctx: Context) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(ctx.vault.subkey("audit-checkpoint"))


def public_key(ctx: Context) -> str:
    """The checkpoints' public key (base64, raw 32 bytes): give it to whoever keeps or checks the anchor."""
    raw = _signing_key(ctx).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def _read(path: Path) -> tuple[list[Checkpoint], list[str]]:
    if not path.exists():
        return [], []
    out, bad = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            out.append(Checkpoint(int(d["seq"]), str(d["hash"]), int(d["keyed_from"]), str(d["at"]), str(d["signature"])))
        except (ValueError, KeyError, TypeError):
            bad.append(f"锚点文件第 {n} 行无法解析")
    return out, bad


def checkpoint(ctx: Context) -> Checkpoint | None:
    """Sign and append the current head; nothing is written when the head has not moved since the last one."""
    path = ctx.settings.audit_anchor_path()
    with ctx.store.uow(write=False) as uow:
        head, keyed_from = uow.audit.head(), uow.audit.keyed_from()
    if head is None:
        return None
    existing, _ = _read(path)
    if existing and existing[-1].seq == head[0] and existing[-1].hash == head[1]:
        return existing[-1]
    cp = Checkpoint(head[0], head[1], keyed_from or 1, ctx.now().isoformat(timespec="seconds"))
    signed = Checkpoint(cp.seq, cp.hash, cp.keyed_from, cp.at,
                        base64.b64encode(_signing_key(ctx).sign(cp.payload())).decode())
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"seq": signed.seq, "hash": signed.hash, "keyed_from": signed.keyed_from, "at": signed.at,
                       "signature": signed.signature, "public_key": public_key(ctx)}, ensure_ascii=False)
    with open(path, "a", encoding="utf-8") as f:  # append-only; serialised between processes by a lock
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())
    return signed


def verify(ctx: Context) -> Verification:
    path = ctx.settings.audit_anchor_path()
    with ctx.store.uow(write=False) as uow:
        problems, head, keyed_from = uow.audit.verify(), uow.audit.head(), uow.audit.keyed_from()
        checkpoints, unreadable = _read(path)
        pub: Ed25519PublicKey = _signing_key(ctx).public_key()

        def signed_by_us(cp: Checkpoint) -> bool:
            try:
                pub.verify(base64.b64decode(cp.signature), cp.payload())
                return True
            except (InvalidSignature, ValueError):
                return False

        problems += check_checkpoints(checkpoints, signed_by_us, uow.audit.hash_at, keyed_from)
    problems += [ChainProblem(0, text) for text in unreadable]
    notes = [] if checkpoints else ["尚无外部检查点：链尾删除或整链重建只能靠检查点发现，请运行 xiaobao audit checkpoint"]
    return Verification(problems, head, len(checkpoints), str(path), notes)
