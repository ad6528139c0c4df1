"""Hash chain over audit entries: each entry's hash covers its content and the previous hash.

Altering an entry breaks its own hash; deleting one breaks the next entry's link and leaves a gap
in the sequence; truncating the tail disagrees with the recorded head. Two things take the chain out of
the database owner's hands:

- the content digest is keyed (HMAC-SHA-256 under a key kept in the key file, never in the database), so
  whoever edits an entry cannot recompute a chain that verifies;
- signed checkpoints of the head (Ed25519, `Checkpoint`) are written outside the database; a tail cut
  back, or a chain rebuilt, no longer contains the (seq, hash) a checkpoint vouches for.

Entries written before the key existed (seq < keyed_from) keep their unkeyed digests; the checkpoints
carry `keyed_from`, so it cannot be moved later to pass rewritten entries off as old ones.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable

GENESIS = "0" * 64


def canonical(entry: dict[str, Any]) -> bytes:
    def default(o):
        if isinstance(o, datetime):
            return o.isoformat(timespec="microseconds")
        return str(o)

    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default).encode()


def content_digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def keyed_digest(key: bytes, content: dict[str, Any]) -> str:
    return hmac.digest(key, canonical(content), "sha256").hex()


def digest_for(key: bytes | None, keyed_from: int | None) -> Callable[[int, dict[str, Any]], str]:
    """The digest an entry at `seq` must have: keyed from `keyed_from` on (every entry when None)."""
    if key is None:
        return lambda seq, content: content_digest(content)
    start = keyed_from or 1
    return lambda seq, content: keyed_digest(key, content) if seq >= start else content_digest(content)


def link_hash(prev_hash: str, digest: str) -> str:
    """The chain link. Kept to sha256(prev + "\n" + digest) so a database can compute it too: on
    PostgreSQL the append runs server-side and holds the chain lock for one statement, not three."""
    return hashlib.sha256(f"{prev_hash}\n{digest}".encode()).hexdigest()


def entry_hash(prev_hash: str, content: dict[str, Any]) -> str:
    return link_hash(prev_hash, content_digest(content))


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"#{self.seq}: {self.problem}"


def verify_chain(
    entries: Iterable[tuple[int, str, str, dict[str, Any]]],
    head: tuple[int, str] | None,
    digest: Callable[[int, dict[str, Any]], str] | None = None,
) -> list[ChainProblem]:
    """entries: (seq, prev_hash, hash, content) in seq order; head: (last seq, last hash) recorded;
    digest(seq, content): the content digest expected at seq (unkeyed SHA-256 when not given)."""
    digest = digest or (lambda seq, content: content_digest(content))
    problems: list[ChainProblem] = []
    expected_prev, expected_seq = GENESIS, 1
    last_seq, last_hash = 0, GENESIS
    for seq, prev_hash, stored_hash, content in entries:
        if seq != expected_seq:
            problems.append(ChainProblem(seq, f"序号不连续：缺少 #{expected_seq}–#{seq - 1}（条目被删除）"))
        if prev_hash != expected_prev:
            problems.append(ChainProblem(seq, "前序哈希不符（前一条被删除或篡改）"))
        if link_hash(prev_hash, digest(seq, content)) != stored_hash:
            problems.append(ChainProblem(seq, "内容哈希不符（条目被篡改）"))
        expected_prev, expected_seq = stored_hash, seq + 1
        last_seq, last_hash = seq, stored_hash
    if head is None:
        if last_seq:
            problems.append(ChainProblem(last_seq, "链头记录缺失（被删除），无法确认尾部条目未被删除"))
    elif head[0] != last_seq or head[1] != last_hash:
        problems.append(ChainProblem(head[0], f"链尾与记录不符：记录到 #{head[0]}，实际到 #{last_seq}（尾部条目被删除）"))
    return problems


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the chain had `hash` at `seq` (and keyed digests from `keyed_from`) at `at`."""

    seq: int
    hash: str
    keyed_from: int
    at: str
    signature: str = ""

    def payload(self) -> bytes:
        return canonical({"seq": self.seq, "hash": self.hash, "keyed_from": self.keyed_from, "at": self.at})


def check_checkpoints(checkpoints: Iterable[Checkpoint], signature_ok: Callable[[Checkpoint], bool],
                      hash_at: Callable[[int], str | None], keyed_from: int | None) -> list[ChainProblem]:
    """Every checkpoint must be signed by us and still lie on the chain, with the same keyed_from."""
    problems = []
    for cp in checkpoints:
        if not signature_ok(cp):
            problems.append(ChainProblem(cp.seq, "外部检查点签名无效（检查点被伪造或篡改）"))
            continue
        if cp.keyed_from != (keyed_from or 1):
            problems.append(ChainProblem(cp.seq, f"密钥起始序号与检查点不符：检查点为 #{cp.keyed_from}，"
                                                 f"数据库为 #{keyed_from}（链被改写为旧格式）"))
        stored = hash_at(cp.seq)
        if stored is None:
            problems.append(ChainProblem(cp.seq, f"检查点 #{cp.seq} 已不在链上（尾部条目被删除）"))
        elif stored != cp.hash:
            problems.append(ChainProblem(cp.seq, f"检查点 #{cp.seq} 的哈希与链不符（链被重建）"))
    return problems
