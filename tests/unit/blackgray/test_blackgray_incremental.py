"""The incremental detector's shortcuts name exactly what the plain definitions name."""

from __future__ import annotations

import random

import pytest

from tests.support.blackgray import labelled_records
from xiaobao.engines.blackgray.engine import customer_of, load_detector_rules
from xiaobao.engines.blackgray.incremental import Detector

# sentences of one agency-style letter: texts drawn from them form one big template family
_POOL = ["本人于去年在贵司借款三万元分十二期还款", "每期还款中多出一笔服务费和担保费", "签约时工作人员从未告知",
         "催收人员每天打十几个电话言语威胁", "多次拨打我的通讯录联系人包括同事和父母", "要求贵司核实情况并书面答复",
         "要求退还多收取的费用并赔礼道歉", "如果不能妥善处理我将向金融监管部门反映", "相关的聊天记录和还款凭证我都已保存",
         "此事给我的工作和家庭生活造成了很大困扰", "希望贵司能够认真对待消费者的诉求", "我认为贵司侵害了我的知情权"]


def _affected_by_definition(det: Detector, doc) -> list:
    """Family members, then gang members, then the repeat window; without `doc`; the first `limit`."""
    out: dict = {}
    family = det.families.family_of(doc)
    if family is not None:
        out.update(dict.fromkeys(det.families.members(family)))
    gang = det.gangs.gang_of(doc)
    if gang is not None:
        out.update(dict.fromkeys(det.gangs.members(gang)))
    out.update(dict.fromkeys(det.repeats.window_of(doc)))
    out.pop(doc, None)
    return list(out)[:det.affected_limit]


@pytest.mark.parametrize("limit", [3, 7, 40, 500])
def test_affected_and_affected_many_follow_the_definition(limit):
    from dataclasses import replace

    recs = labelled_records()
    random.Random(limit).shuffle(recs)
    det = Detector(rules=replace(load_detector_rules(), affected_limit=limit))
    docs = [f"{r['channel']}:{r['external_id']}" for r in recs]
    batch: list = []
    for i, (doc, r) in enumerate(zip(docs, recs)):
        det.add(doc, r, customer_of(r))
        batch.append(doc)
        if len(batch) == 1 + i % 37:          # batches of varied size, read as triage reads them
            want = {a for d in batch for a in _affected_by_definition(det, d)} - set(batch)
            assert det.affected_many(batch) == want
            for d in batch:
                assert det.affected(d) == _affected_by_definition(det, d)
            batch = []
    for d in docs:
        assert det.affected(d) == _affected_by_definition(det, d)
    assert det.affected_many(docs[:200]) == {a for d in docs[:200] for a in _affected_by_definition(det, d)} - set(docs[:200])


def _mixed_records(n: int = 300):
    """The labelled set, then one big family whose members share an agency phone (some of them), file
    repeatedly (some customers four times and more), and arrive in bursts."""
    recs = labelled_records()
    rng = random.Random(5)
    base = recs[:40]
    for i in range(n):
        r = dict(base[i % 40], external_id=f"mix{i}", customer_id_number=None,
                 customer_phone=f"1390000{(i if i % 9 else i // 9) % 10000:04d}",
                 received_at=f"2026-10-{1 + (i * 7) % 28:02d} 10:00:00" if i < 200 else f"2026-11-0{1 + i % 2} 10:00:00",
                 text="".join(rng.sample(_POOL, rng.randint(5, 9))) + ("联系电话13800138000。" if i % 5 == 0 else ""))
        recs.append(r)
    return recs


@pytest.mark.slow
@pytest.mark.parametrize("data, fanout, every", [("labelled", None, 50), ("mixed", None, 7), ("mixed", 3, 11)])
def test_the_score_only_path_decides_as_the_findings_do(data, fanout, every):
    """`brief` and the gang votes skip building findings and keep decisions between states; they must
    decide exactly as `result` does at every stage of a growing corpus (families forming and merging,
    gangs, shared phones turning into hubs, repeats, bursts)."""
    from collections import Counter
    from dataclasses import replace

    from xiaobao.engines.blackgray.engine import _time, _votes_count

    recs = labelled_records() if data == "labelled" else _mixed_records()
    today = max(_time(r["received_at"]) for r in recs).date()
    rules = load_detector_rules()
    if fanout:
        rules = replace(rules, gangs={**rules.gangs, "max_fanout": fanout})
    det = Detector(rules=rules)
    docs = []
    checked = flagged = 0
    for i, r in enumerate(recs):
        doc = f"{r['channel']}:{r['external_id']}"
        det.add(doc, r, customer_of(r))
        docs.append(doc)
        if i % every == every - 1 or i == len(recs) - 1:
            memo = det.memo()
            for d in docs:
                own = det._own(d, today)
                assert det._decided(d, today) == (own.verdict.score, own.verdict.flagged, own.verdict.kind)
                res = det.result(d, today)
                want = (res.verdict.score, res.verdict.flagged, res.family_id, res.gang_id)
                assert det.brief(d, today) == want and det.brief(d, today, memo) == want
                checked += 1
                flagged += res.verdict.flagged
            for gang in det.gangs.gangs():
                want = Counter(o.verdict.kind for o in (det._own(d, today) for d in det.gangs.members(gang))
                               if _votes_count(o))
                assert det._gang_votes(gang, today) == want
    assert checked > 5000 and flagged > 1000


@pytest.mark.slow
@pytest.mark.parametrize("fanout", [None, 3])
def test_briefs_changed_names_every_verdict_that_changed_and_skips_the_settled_family(fanout):
    """Triage re-scores only what `briefs_changed` names: every complaint whose brief differs from the
    one last published must be among them, and members of a big family the newcomer does not move
    must not be."""
    from dataclasses import replace

    from xiaobao.engines.blackgray.engine import _time

    recs = _mixed_records()
    today = max(_time(r["received_at"]) for r in recs).date()
    rules = load_detector_rules()
    if fanout:
        rules = replace(rules, gangs={**rules.gangs, "max_fanout": fanout})
    det = Detector(rules=rules)
    docs: list = []
    named_late: list[int] = []
    for i, r in enumerate(recs):
        doc = f"{r['channel']}:{r['external_id']}"
        det.add(doc, r, customer_of(r))
        docs.append(doc)
        if i % 3:
            continue
        named = {d: brief for d, brief, _ in det.briefs_changed(docs, today)}
        for d in docs:
            brief = det.brief(d, today)
            last = det._published.get(d)
            if last is None or last[1] != brief:
                assert named.get(d) == brief, (i, d)
        if i > len(recs) - 60:
            named_late.append(len(named))
        groups: dict = {}
        for d in docs:
            det.published(d, det.brief(d, today), det.group_values(d, today, groups))
    # late in the run a check follows three new members of a family of hundreds: it names those
    # three (all of them again only when a shared phone turns into a hub, which recounts gangs)
    assert sorted(named_late)[len(named_late) // 2] <= 5, named_late


@pytest.mark.slow
def test_a_batch_added_at_once_is_indexed_as_one_at_a_time():
    from xiaobao.engines.blackgray.engine import _time

    recs = labelled_records()
    recs += [dict(recs[3], external_id="dup-of-3"), dict(recs[0], external_id="short", text="我要投诉"),
             dict(recs[1], external_id="rep", text="我要投诉退款" * 6), dict(recs[2], external_id="none", text="")]
    rng = random.Random(11)      # and one big family: neighbour lists fill up, bursts, a big gang
    recs += [dict(recs[i % 40], external_id=f"big{i}", customer_id_number=None, customer_phone=f"1390000{i:04d}",
                  text="".join(rng.sample(_POOL, rng.randint(5, 9)))) for i in range(400)]
    today = max(_time(r["received_at"]) for r in recs).date()
    items = [(f"{r['channel']}:{r['external_id']}", r, customer_of(r)) for r in recs]
    one = Detector()
    for doc, r, c in items:
        one.add(doc, r, c)
    many = Detector()
    i = 0
    for size in (1, 2, 200, 3, 64, 1000):
        many.add_many(items[i:i + size] + items[max(0, i - 2):i])      # with a few already indexed again
        i += size
    docs = [d for d, _, _ in items]
    assert [r.to_dict() for r in many.results(docs, today)] == [r.to_dict() for r in one.results(docs, today)]
    assert many.families._nbrs == one.families._nbrs and many.families._parent == one.families._parent


def test_batch_signatures_are_the_single_ones():
    from xiaobao.engines.blackgray.minhash import MinHasher

    texts = ["", "短", "我要投诉" * 3, "我要投诉退款" * 6, "abcdefghijklmnop", "abcdefghijklmno",
             "一二三四五六七八九十一二三四五", "一二三四五六七八九十甲乙丙丁", "催收员每天打十几个电话还打给我妈妈和单位同事说要上门"]
    texts += ["".join(random.Random(i).choice("甲乙丙丁戊") for _ in range(random.Random(i).randint(10, 40)))
              for i in range(300)]
    # with 8 permutations the batch's distinct-minima test rejects every row: the exact re-check decides
    for mh in (MinHasher(), MinHasher(num_perm=8)):
        batch = mh.signature_many(texts)
        for t, b in zip(texts, batch):
            one = mh.signature(t)
            assert (one is None and b is None) or (one is not None and b is not None and (one == b).all()), t
        assert any(b is None for b in batch) and any(b is not None for b in batch)


@pytest.mark.parametrize("flush_min, cap, pairs, most", [(1 << 16, 2048, 16384, None), (42 * 7, 3, 50, None),
                                                         (42 * 2, None, 1, None), (42 * 5, 64, 300, 40)])
def test_batched_lsh_queries_and_inserts_are_the_single_ones(flush_min, cap, pairs, most):
    """Same answers, same index (sorted array, buffer, flush points) as query_jaccard + insert one by one,
    with buffer flushes inside batches, bucket caps, and confirmation in many small groups."""
    import numpy as np

    from xiaobao.engines.blackgray.minhash import LSHIndex, MinHasher
    from xiaobao.engines.blackgray.normalize import normalize

    recs = labelled_records()
    mh = MinHasher()
    rng = random.Random(7)
    texts = [r["text"] for r in recs] + ["".join(rng.sample(_POOL, rng.randint(5, 9))) for _ in range(500)]
    sigs = [s for s in mh.signature_many([normalize(t) for t in texts]) if s is not None]
    sigs = np.stack(sigs + sigs[:50])                      # exact duplicates too
    ids = [f"d{i}" for i in range(len(sigs))]

    def index():
        ix = LSHIndex(max_per_band=cap, max_candidates=most)
        ix.FLUSH_MIN, ix.CONFIRM_PAIRS = flush_min, pairs
        return ix

    one, many = index(), index()
    want = []
    for i, s in zip(ids, sigs):
        want.append(one.query_jaccard(s, 0.3))
        one.insert(i, s)
    got, at = [], 0
    rng = random.Random(flush_min)
    while at < len(ids):
        size = rng.choice((1, 2, 5, 17, 60, 300))
        got += many.query_insert_many(ids[at:at + size], sigs[at:at + size], many.band_keys(sigs[at:at + size]), 0.3)
        at += size
    assert got == want
    assert (many._packed == one._packed).all() and many._pending == one._pending
    assert many._pending_count == one._pending_count and many._ids == one._ids
    assert sum(len(w) for w in want) > 3000
    assert max(len(w) for w in want) == most if most else max(len(w) for w in want) > 64   # (the cap engaged)


def test_max_candidates_keeps_the_ids_found_in_the_most_bands():
    """Over the cap, a query keeps the candidates that share the most bands with it (the newer among
    equals), and every candidate it would have found otherwise that shares more bands than the last
    one kept is kept."""
    import numpy as np

    from xiaobao.engines.blackgray.minhash import LSHIndex, MinHasher
    from xiaobao.engines.blackgray.normalize import normalize

    rng = random.Random(3)
    texts = ["".join(rng.sample(_POOL, rng.randint(5, 9))) for _ in range(400)]
    sigs = np.stack([s for s in MinHasher().signature_many([normalize(t) for t in texts]) if s is not None])
    full, capped = LSHIndex(), LSHIndex(max_candidates=25)
    full.insert_many(range(len(sigs)), sigs)
    capped.insert_many(range(len(sigs)), sigs)
    probe = sigs[7]
    keys = full.band_keys(probe[None, :])[0]
    every = full._candidates(probe, keys)
    kept = capped._candidates(probe, keys)
    assert every.size > 100 and kept.size == 25 and set(kept.tolist()) <= set(every.tolist())
    high = np.uint64(0xFFFFFFFF00000000)           # (the index compares a band key's upper 32 bits)
    bands = {int(i): int(((full.band_keys(full._sigs[i]) & high) == (keys & high)).sum()) for i in every.tolist()}
    floor = min(bands[i] for i in kept.tolist())
    assert all(i in set(kept.tolist()) for i, b in bands.items() if b > floor)
    ties = sorted(i for i, b in bands.items() if b == floor)
    assert [i for i in ties if i in set(kept.tolist())] == ties[len(ties) - sum(1 for i in kept.tolist() if bands[i] == floor):]


def test_contact_extraction_skips_only_patterns_that_cannot_match(monkeypatch):
    """The cue patterns run only on texts holding a character they need; forcing every pattern to run
    finds nothing more, on the labelled set and on texts written around the cues."""
    import re

    from xiaobao.engines.blackgray import contacts

    texts = [r["text"] for r in labelled_records()]
    texts += ["加V：abc_12345 同号", "VX 13812345678 微信同号", "wx:hello_world", "WeChat: zhang_san88", "薇信 Lxx_9988",
              "QQ：12345678 扣扣 87654321 企鹅号 13579", "qq群 2468024", "委托代理人：王小明 电话 13900001111",
              "法务专员张三联系138 0013 8000", "律师李四 顾问赵五 联系人：欧阳娜娜", "邮箱 a.b@qq.com 微信同号",
              "卡号6222 0212 3456 7890 123 转账", "+86 138-0013-8000 和 010-12345678", "12345 95588 4001234567",
              "１３８００１３８０００ 全角", "同微信", "维信号: v_abcdef1"]
    fast = [contacts.extract_artefacts(t, {"customer_phone": "13800138000"}) for t in texts]
    everything = re.compile("")
    for name in ("_WECHAT_HINT", "_QQ_HINT", "_AGENT_HINT"):
        monkeypatch.setattr(contacts, name, everything)
    assert [contacts.extract_artefacts(t, {"customer_phone": "13800138000"}) for t in texts] == fast
    assert sum(len(f) for f in fast) > 40


@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.38, 0.75])
def test_low_byte_screening_keeps_every_match(threshold):
    """query_jaccard screens many candidates on the signatures' low bytes first; it must answer as
    the full comparison of every candidate does (also for signatures holding the EMPTY value)."""
    import numpy as np

    from xiaobao.engines.blackgray.minhash import EMPTY, LSHIndex, MinHasher
    from xiaobao.engines.blackgray.normalize import normalize

    # one big template family (sentences drawn from one pool), so queries have hundreds of candidates
    rng = random.Random(threshold)
    texts = ["".join(rng.sample(_POOL, rng.randint(5, 9))) for _ in range(600)]
    sigs = np.stack([s for s in MinHasher().signature_many([normalize(t) for t in texts]) if s is not None])
    sigs[-40:, ::7] = EMPTY                         # some rows hold EMPTY values
    ix = LSHIndex()
    ix.insert_many([f"d{i}" for i in range(len(sigs))], sigs)

    def by_full_comparison(sig):
        cand = ix._candidates(sig)
        eq = ix._sigs[cand] == sig
        if (sig == EMPTY).any():
            eq &= sig != EMPTY
        hits = eq.sum(axis=1)
        keep = hits >= threshold * ix.num_perm - 1e-9
        cand, hits = cand[keep], hits[keep]
        order = np.argsort(-hits, kind="stable")
        return [(ix._ids[c], h / ix.num_perm) for c, h in zip(cand[order].tolist(), hits[order].tolist())]

    screened = 0
    for sig in sigs[::5]:
        assert ix.query_jaccard(sig, threshold) == by_full_comparison(sig)
        screened += ix._candidates(sig).size >= 64
    assert screened > 20


def test_a_late_publication_does_not_hide_a_later_change():
    """Triage publishes what it stored only after its transaction commits; if a complaint's own inputs
    changed in between (another complaint of the same customer arrived), it must still be re-checked."""
    from xiaobao.engines.blackgray.engine import _time

    recs = _mixed_records(60)
    today = max(_time(r["received_at"]) for r in recs).date()
    det = Detector()
    docs = []
    for r in recs[:-1]:
        doc = f"{r['channel']}:{r['external_id']}"
        det.add(doc, r, customer_of(r))
        docs.append(doc)
    target = docs[-1]
    epoch, values, brief = det.epoch, det.group_values(target, today), det.brief(target, today)
    # the same customer files again before the first transaction commits
    again = dict(recs[-2], external_id="again", received_at=recs[-1]["received_at"])
    det.add("again", again, customer_of(again))
    det.published(target, brief, values, epoch)           # the late publication, marked with its epoch
    assert target in det._unpublished
    assert target in {d for d, _, _ in det.briefs_changed([target], today)}
    det.published(target, det.brief(target, today), det.group_values(target, today))   # a current one
    assert target not in det._unpublished
