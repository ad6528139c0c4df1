"""Hash chain over audit entries: each entry's hash covers its content and the previous hash.

Altering an entry breaks its own hash; deleting one breaks the next entry's link and leaves a gap
in the sequence; truncating the tail disagrees with the recorded head. Anchoring the head hash
somewhere the database administrator cannot write (a printed report, a ticket) closes the last gap.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

GENESIS = "0" * 64


def canonical(entry: dict[str, Any]) -> bytes:
    def default(o):
        if isinstance(o, datetime):
            return o.isoformat(timespec="microseconds")
        return str(o)

    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default).encode()


def content_digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


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
) -> list[ChainProblem]:
    """entries: (seq, prev_hash, hash, content) in seq order; head: (last seq, last hash) recorded."""
    problems: list[ChainProblem] = []
    expected_prev, expected_seq = GENESIS, 1
    last_seq, last_hash = 0, GENESIS
    for seq, prev_hash, stored_hash, content in entries:
        if seq != expected_seq:
            problems.append(ChainProblem(seq, f"序号不连续：缺少 #{expected_seq}–#{seq - 1}（条目被删除）"))
        if prev_hash != expected_prev:
            problems.append(ChainProblem(seq, "前序哈希不符（前一条被删除或篡改）"))
        if entry_hash(prev_hash, content) != stored_hash:
            problems.append(ChainProblem(seq, "内容哈希不符（条目被篡改）"))
        expected_prev, expected_seq = stored_hash, seq + 1
        last_seq, last_hash = seq, stored_hash
    if head is None:
        if last_seq:
            problems.append(ChainProblem(last_seq, "链头记录缺失（被删除），无法确认尾部条目未被删除"))
    elif head[0] != last_seq or head[1] != last_hash:
        problems.append(ChainProblem(head[0], f"链尾与记录不符：记录到 #{head[0]}，实际到 #{last_seq}（尾部条目被删除）"))
    return problems
