"""A batch scan end to end: a proxy gang is flagged and grouped, genuine consumers are not."""

from __future__ import annotations

from tests.support.blackgray import labelled_records
from xiaobao.domain.identity import id_check_char
from xiaobao.engines.blackgray.engine import scan

TEMPLATE = ("本人{name}，身份证号{idn}，于{date}在{lender}借款{amount}元。因疫情失业，家中老人生病，"
            "现全权委托我方法务代理维权，要求贵司停息挂账、全额退息，减免全部罚息和服务费，"
            "并消除征信不良记录。如不处理，我方将向银保监会、人民银行、黑猫投诉平台持续投诉。"
            "有事请联系法务王律师，微信：fawu_wang2024，电话13800138000。")
GANG = [("张伟", "2025年3月5日", "招联金融", "30,000"), ("李娜", "2025年4月12日", "马上消费", "1.5万"),
        ("王芳", "2025年1月8日", "中原消费金融", "8000"), ("刘洋", "2025年5月20日", "捷信", "12,500"),
        ("陈静", "2025年2月2日", "安逸花", "20000")]
GENUINE = [
    "你们的催收员昨天晚上十一点还在给我打电话，还打给了我的同事，严重影响我工作，请立刻停止。",
    "我上个月提前还款，被收了违约金，合同里根本没写清楚，要求退还。",
    "App上显示的年化利率和实际扣款对不上，多扣了我两百多块利息，希望核实后退还。",
    "最近手头紧，希望能和贵司协商还款，分几个月还清，可以吗？我要去12378投诉你们客服态度差。",
    "我的征信报告上显示有一笔逾期，但我每个月都是按时还的，请查明并更正。",
]


def idn(i: int) -> str:
    first = f"11010519{80 + i:02d}0101{100 + i:03d}"
    return first + id_check_char(first)


def records():
    out = []
    for i, (name, date, lender, amount) in enumerate(GANG):
        out.append({"external_id": f"G{i}", "channel": ["app", "hotline", "internet_platform"][i % 3],
                    "received_at": f"2025-06-{10 + i:02d} 10:00:00", "customer_name": name,
                    "customer_id_number": idn(i),
                    "text": TEMPLATE.format(name=name, idn=idn(i), date=date, lender=lender, amount=amount)})
    for i, text in enumerate(GENUINE):
        out.append({"external_id": f"N{i}", "channel": "app", "received_at": f"2025-06-{10 + i:02d} 09:00:00",
                    "customer_name": "赵" + "一二三四五"[i], "customer_id_number": idn(20 + i), "text": text})
    for day, demand in enumerate(["请处理扣款问题", "请处理扣款问题", "要求退还全部费用并赔偿", "要求赔偿，否则向媒体曝光并起诉"]):
        out.append({"external_id": f"R{day}", "channel": ["app", "hotline", "wechat", "12378"][day],
                    "received_at": f"2025-06-{1 + day * 3:02d} 09:00:00", "customer_name": "孙强",
                    "customer_id_number": idn(40), "text": f"第{day + 1}次投诉：你们重复扣款两次。{demand}。"})
    return out


def test_proxy_gang_is_flagged_grouped_and_explained():
    results = {r.external_id: r for r in scan(records())}
    gang = [results[f"G{i}"] for i in range(5)]
    assert all(r.verdict.flagged for r in gang)
    assert len({r.family_id for r in gang}) == 1 and gang[0].family_id is not None
    assert len({r.gang_id for r in gang}) == 1 and gang[0].gang_id is not None
    kinds = {f.kind for f in gang[0].verdict.signals}
    assert {"blackgray.template", "blackgray.shared_contact"} <= kinds
    assert gang[0].verdict.kind in ("proxy_template", "debt_evasion")


def test_genuine_consumers_are_not_flagged_even_with_gang_vocabulary():
    results = {r.external_id: r for r in scan(records())}
    for i in range(len(GENUINE)):
        r = results[f"N{i}"]
        assert not r.verdict.flagged and r.verdict.kind == "genuine", (i, r.verdict)
        assert r.gang_id is None and r.family_id is None


def test_a_repeater_with_escalating_demands_is_repeat_harassment():
    results = {r.external_id: r for r in scan(records())}
    last = results["R3"]
    assert last.verdict.flagged and last.verdict.kind == "repeat_harass"
    assert last.gang_id is None


def test_output_contract_fields():
    d = scan(records())[0].to_dict()
    assert set(d) == {"external_id", "score", "flagged", "kind", "family_id", "gang_id", "signals"}
    assert all({"kind", "score", "evidence"} <= set(s) for s in d["signals"])


def test_scan_command_writes_one_line_per_complaint(tmp_path):
    import json

    from typer.testing import CliRunner

    from xiaobao.cli import app

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records()) + "{broken\n",
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["blackgray", "scan", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(records())
    flagged = {x["external_id"] for x in lines if x["flagged"]}
    # The five gang members, and the repeater's whole series (a batch scan sees the pattern in hindsight).
    assert flagged == {"G0", "G1", "G2", "G3", "G4", "R0", "R1", "R2", "R3"}


# ---- batch scan and incremental triage agree -------------------------------------------------------


def _incremental(recs, today, *, read_as_they_arrive=True):
    from xiaobao.engines.blackgray.engine import customer_of
    from xiaobao.engines.blackgray.incremental import Detector

    det = Detector()
    docs = []
    for r in recs:
        doc = f"{r['channel']}:{r['external_id']}"
        det.add(doc, r, customer_of(r))
        docs.append(doc)
        if read_as_they_arrive:  # what triage does at intake: read the new verdict and the affected ones
            det.results([doc, *det.affected(doc)], today)
    return det, det.results(docs, today)


def test_incremental_triage_reaches_the_batch_scans_verdicts_on_the_labelled_set():
    # 765 complaints (both splits), fed one at a time with verdicts read in between as at intake:
    # once all are in, every score, flag, kind, signal, family and gang equals the batch scan's.
    from xiaobao.engines.blackgray.engine import _time

    recs = labelled_records()
    today = max(_time(r["received_at"]) for r in recs).date()
    batch = scan(recs, today=today)
    det, incremental = _incremental(recs, today)
    assert [r.to_dict() for r in incremental] == [r.to_dict() for r in batch]
    # the set exercises what used to differ: gangs whose members' kinds are settled by the gang's
    # majority (a member's own text names another kind), and gangs linked by template families
    assert sum(r.verdict.flagged for r in batch) > 150
    docs = [f"{r['channel']}:{r['external_id']}" for r in recs]
    assert any(det._own(d, today).verdict.kind != r.verdict.kind for d, r in zip(docs, incremental))
    assert any(det.gangs.families(g) for g in {r.gang_id for r in batch if r.gang_id})


def test_a_gang_member_filed_before_its_family_formed_is_linked_and_named_like_the_batch_scan():
    # two customers file the agency's letter first (no family yet: two alike are a pair); the agency's
    # phone then appears on three others, and the third letter completes the family. The first two
    # are gang members through the family, and take the gang's kind, in triage as in the batch scan.
    from xiaobao.engines.blackgray.engine import _time

    letter = [r for r in records() if r["external_id"].startswith("G")]
    phone_only = [{"external_id": f"P{i}", "channel": "app", "received_at": f"2025-06-0{i + 1} 08:00:00",
                   "customer_id_number": idn(30 + i),
                   "text": f"我要求停息挂账，本金分{12 * (i + 1)}期还，全额退息。具体请联系我的法务，电话13800138000。"}
                  for i in range(3)]
    for r in letter:
        r["text"] = r["text"].split("有事请联系")[0]          # the letters carry no contact themselves
    recs = letter[:2] + phone_only + letter[2:3]
    recs.append(dict(letter[3], text=letter[3]["text"] + "联系电话13800138000。"))
    today = max(_time(r["received_at"]) for r in recs).date()
    batch = {r.external_id: r for r in scan(recs, today=today)}
    _, incremental = _incremental(recs, today)
    assert {r.external_id: r.to_dict() for r in incremental} == {k: r.to_dict() for k, r in batch.items()}
    first = batch["G0"]
    assert first.family_id is not None and first.gang_id is not None
    assert first.gang_id == batch["P0"].gang_id == batch["G3"].gang_id
    assert first.verdict.flagged


# ---- thresholds are rules data -----------------------------------------------------------------------


def test_bundled_rules_keep_the_detectors_defaults():
    # the values moved to rules/blackgray.yaml are the ones the detectors had as defaults
    import inspect

    from xiaobao.engines.blackgray.bursts import BurstDetector
    from xiaobao.engines.blackgray.engine import load_detector_rules
    from xiaobao.engines.blackgray.families import TemplateFamilies
    from xiaobao.engines.blackgray.gangs import GangLinker
    from xiaobao.engines.blackgray.repeat import RepeatDetector

    rules = load_detector_rules()
    for cls, section in ((TemplateFamilies, rules.families), (GangLinker, rules.gangs),
                         (RepeatDetector, rules.repeat), (BurstDetector, rules.bursts)):
        defaults = {k: p.default for k, p in inspect.signature(cls).parameters.items()
                    if p.default is not inspect.Parameter.empty}
        assert section, cls
        for key, value in section.items():
            assert key in defaults, (cls.__name__, key)
            assert value == (tuple(defaults[key]) if isinstance(value, tuple) else defaults[key]), (cls.__name__, key)
    assert rules.affected_limit == 500


def test_an_institutions_rules_file_sets_the_thresholds_of_scan_and_triage(tmp_path):
    import yaml

    from xiaobao.engines.blackgray.engine import load_detector_rules
    from xiaobao.engines.blackgray.incremental import Detector
    from xiaobao.rules import BUNDLED

    data = yaml.safe_load((BUNDLED / "blackgray.yaml").read_text(encoding="utf-8"))
    data["families"]["min_customers"] = 6          # five letters are no longer a template signal
    data["repeat"]["min_count"] = 5                # four filings are no longer 缠访
    data["gangs"]["ignore_values"] = ["13800138000", "fawu_wang2024"]   # their contacts: ours, say
    data["incremental"]["affected_limit"] = 7
    (tmp_path / "blackgray.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rules = load_detector_rules(tmp_path)
    det = Detector(rules=rules)
    assert det.families.min_customers == 6 and det.repeats.min_count == 5 and det.affected_limit == 7
    assert det.gangs.ignore_values == frozenset({"13800138000", "fawu_wang2024"})
    results = {r.external_id: r for r in scan(records(), rules=rules)}
    assert not any(results[f"G{i}"].verdict.flagged for i in range(5))
    assert not any(results[f"R{i}"].verdict.flagged for i in range(4))
    default = {r.external_id: r for r in scan(records())}
    assert all(default[f"G{i}"].verdict.flagged for i in range(5))


def test_a_misspelt_threshold_in_the_rules_file_is_named(tmp_path):
    import pytest
    import yaml

    from xiaobao.engines.blackgray.engine import load_detector_rules
    from xiaobao.rules import BUNDLED, RulesError

    data = yaml.safe_load((BUNDLED / "blackgray.yaml").read_text(encoding="utf-8"))
    data["families"]["treshold"] = 0.5
    (tmp_path / "blackgray.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulesError, match="treshold"):
        load_detector_rules(tmp_path)
