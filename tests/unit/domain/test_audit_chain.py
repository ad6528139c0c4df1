"""The audit hash chain (domain/audit.py): tampering, deletion and truncation are all detected."""

from __future__ import annotations

from datetime import datetime

from xiaobao.domain.audit import GENESIS, canonical, entry_hash, verify_chain


def build(n: int = 5) -> list[tuple[int, str, str, dict]]:
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        content = {"seq": seq, "action": f"status.{seq}", "actor": "agent1", "complaint_id": 7,
                   "at": datetime(2025, 3, 3, 10, seq), "after": {"note": f"第{seq}步"}}
        h = entry_hash(prev, content)
        entries.append((seq, prev, h, content))
        prev = h
    return entries


def head(entries):
    return (entries[-1][0], entries[-1][2])


def test_clean_chain_passes():
    chain = build()
    assert verify_chain(chain, head(chain)) == []
    assert verify_chain([], None) == []
    assert verify_chain([], (0, GENESIS)) == []


def test_each_hash_covers_previous_hash_and_content():
    chain = build(2)
    assert chain[0][1] == GENESIS
    assert chain[1][1] == chain[0][2]
    assert entry_hash("f" * 64, chain[0][3]) != chain[0][2]
    assert len(chain[0][2]) == 64


def test_altered_content_is_detected_at_that_entry():
    chain = build()
    seq, prev, h, content = chain[2]
    chain[2] = (seq, prev, h, {**content, "actor": "mallory"})
    problems = verify_chain(chain, head(chain))
    assert [p.seq for p in problems] == [3]
    assert "篡改" in problems[0].problem


def test_altered_content_with_recomputed_hash_breaks_the_next_link():
    chain = build()
    seq, prev, _, content = chain[2]
    forged = {**content, "after": {"note": "改写"}}
    chain[2] = (seq, prev, entry_hash(prev, forged), forged)
    problems = verify_chain(chain, head(chain))
    assert [p.seq for p in problems] == [4]
    assert "前序哈希" in problems[0].problem


def test_deleted_middle_entry_is_detected():
    chain = build()
    del chain[2]  # seq 3
    problems = verify_chain(chain, head(chain))
    assert {p.seq for p in problems} == {4}
    texts = " ".join(p.problem for p in problems)
    assert "缺少 #3" in texts
    assert "前序哈希" in texts


def test_deleted_first_entry_is_detected():
    chain = build()
    del chain[0]
    problems = verify_chain(chain, head(chain))
    assert problems and all(p.seq == 2 for p in problems)


def test_truncated_tail_disagrees_with_recorded_head():
    chain = build()
    recorded = head(chain)
    truncated = chain[:3]
    missing_head = verify_chain(truncated, None)  # a deleted head row is itself reported
    assert len(missing_head) == 1 and "链头" in missing_head[0].problem
    problems = verify_chain(truncated, recorded)
    assert len(problems) == 1
    assert problems[0].seq == 5
    assert "链尾" in problems[0].problem and "#3" in problems[0].problem


def test_head_with_wrong_hash_is_detected():
    chain = build()
    problems = verify_chain(chain, (5, "0" * 63 + "1"))
    assert [p.seq for p in problems] == [5]


def test_canonical_form_ignores_key_order_and_keeps_chinese():
    a = canonical({"b": 1, "a": "处理", "t": datetime(2025, 1, 1, 8)})
    b = canonical({"t": datetime(2025, 1, 1, 8), "a": "处理", "b": 1})
    assert a == b
    assert "处理".encode() in a
    assert b"2025-01-01T08:00:00.000000" in a


def test_problem_string_names_the_entry():
    chain = build(3)
    chain[1] = (chain[1][0], chain[1][1], chain[1][2], {"tampered": True})
    assert str(verify_chain(chain, head(chain))[0]).startswith("#2: ")


def test_a_missing_head_record_is_reported_when_entries_exist():
    chain = build()
    problems = verify_chain(chain, None)
    assert len(problems) == 1 and problems[0].seq == 5 and "链头记录缺失" in problems[0].problem
