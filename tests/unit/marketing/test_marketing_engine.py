"""The marketing engine read as the regulations read: every violation code, the SAMR 2023 exemptions,
evasion spellings, HTML/Markdown prominence, and rules added as data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xiaobao.engines.marketing import MarketingEngine, analyze
from xiaobao.engines.marketing.rulepack import load
from xiaobao.rules import BUNDLED, RulesError

LENDER = "贷款由甲乙消费金融有限公司提供。"
CLEAN = f"年化利率（单利）7.2%-18%，{LENDER}"


def codes(text, **kw):
    return analyze(text, **kw).codes()


@pytest.mark.parametrize("text,code", [
    ("XX贷款，最高可借20万，" + LENDER, "missing_apr"),
    ("借款日利率低至0.02%，" + LENDER, "daily_rate_without_apr"),
    ("日利率0.02%\n\n\n" + "额度高、到账快、随借随还，" * 4 + "\n年化利率7.2%，" + LENDER, "apr_less_prominent"),
    ("秒批！" + CLEAN, "misleading_approval"),
    ("无视征信，" + CLEAN, "ignore_credit"),
    ("分期免息，仅收每期服务费，" + CLEAN, "false_zero_interest"),
    ("想借就借，花明天的钱。" + CLEAN, "inducement_overborrow"),
    ("大学生专属额度！" + CLEAN, "target_students"),
    ("行业第一的借款平台，" + CLEAN, "absolute_terms"),
    ("央行认证平台，" + CLEAN, "implied_endorsement"),
    ("稳健理财，保本保息，理财有风险，投资需谨慎。", "guaranteed_return"),
    ("年化利率30%，" + LENDER, "rate_over_cap"),
    ("分12期，每期手续费0.6%，" + LENDER, "hidden_fees_installment"),
    ("稳健理财，预期年化收益4.5%。", "missing_risk_warning"),
    ("借钱就上XX，" + "年化利率7.2%起。", "missing_lender_disclosure"),
])
def test_every_violation_code_is_found_with_a_span_and_citation(text, code):
    r = analyze(text)
    found = [f for f in r.findings if f.kind == f"marketing.{code}"]
    assert found, (code, r.codes())
    f = found[0]
    assert f.citation is not None and str(f.citation)
    assert f.span is not None and 0 <= f.span.start < f.span.end <= len(text)


def test_a_compliant_loan_ad_has_no_findings_and_reports_its_apr_range():
    r = analyze("日利率0.02%起（年化利率7.2%起，单利），" + LENDER + "最高可借20万，最终以审批为准。")
    assert r.compliant, r.codes()
    assert (r.apr_min, r.apr_max) == (7.2, 7.2)


@pytest.mark.parametrize("text", [
    "申请第一步：下载App。" + CLEAN, "最终以审批为准。" + CLEAN, "最高可借20万，" + CLEAN,
    "本产品不向在校大学生提供贷款。" + CLEAN, "在校学生请勿申请。" + CLEAN,
    "理财非保本，不保证收益，理财有风险，投资需谨慎。", "请勿以贷养贷，理性借贷。" + CLEAN,
    "经国家金融监督管理总局批准设立的持牌消费金融公司。" + CLEAN,
])
def test_exempted_and_negated_wording_is_not_a_violation(text):
    assert codes(text) == set(), codes(text)


@pytest.mark.parametrize("text,code", [
    ("秒 批", "misleading_approval"), ("秒-批！", "misleading_approval"), ("ｍｉａｏ批", "misleading_approval"),
    ("miaopi到账", "misleading_approval"), ("包 下 款", "misleading_approval"), ("1〇〇%通過", "misleading_approval"),
    ("無視徵信", "ignore_credit"), ("无视zhengxin", "ignore_credit"), ("黑\u200b户\u200b可\u200b贷", "ignore_credit"),
    ("wu视征信", "ignore_credit"), ("保\u3000本", "guaranteed_return"), ("大學生", "target_students"),
])
def test_evasion_spellings_are_caught(text, code):
    assert code in codes(text + "，" + CLEAN)


def test_span_points_at_the_original_characters_even_when_spaced():
    text = "限时活动：秒 - 批 到账。" + CLEAN
    f = next(f for f in analyze(text).findings if f.kind == "marketing.misleading_approval")
    assert text[f.span.start:f.span.end] == "秒 - 批"


def test_stated_simple_apr_below_the_fee_irr_is_understated():
    r = analyze("分12期，每期手续费0.6%，年化利率7.2%，" + LENDER)
    assert "hidden_fees_installment" in r.codes()
    assert r.apr_max == pytest.approx(13.0342, abs=1e-3)
    fine = analyze("分12期，每期手续费0.6%，年化利率13.03%起，" + LENDER)
    assert "hidden_fees_installment" not in fine.codes()


def test_rate_lines_report_the_highest_line_and_the_judicial_reference():
    (f,) = [f for f in analyze("年化利率40%，" + LENDER).findings if f.kind == "marketing.rate_over_cap"]
    assert f.evidence["line"] == "cap36" and f.evidence["limit"] == 36.0
    assert f.evidence["judicial_reference"][0]["limit"] == pytest.approx(12.0)
    assert "rate_over_cap" not in codes("年化利率23.9%，" + LENDER)


def test_private_lending_is_held_to_four_times_lpr():
    r = MarketingEngine(lender_type="private_lending").analyze("年化利率15%，" + LENDER)
    assert "rate_over_cap" in r.codes()


HTML_LOUD_DAILY = ('<div><p style="font-size:28px;color:#e00"><b>日息低至万三</b></p>'
                   '<p style="font-size:11px;color:#bbbbbb">年化利率10.8%起，贷款由甲乙银行股份有限公司发放</p></div>')
HTML_EQUAL = ('<div><p style="font-size:28px"><b>日息低至万三</b> <b>年化利率10.8%起</b></p>'
              '<p>贷款由甲乙银行股份有限公司发放</p><script>var x="秒批";</script></div>')


def test_html_apr_in_small_pale_print_is_less_prominent_and_says_why():
    r = analyze(HTML_LOUD_DAILY)
    (f,) = [f for f in r.findings if f.kind == "marketing.apr_less_prominent"]
    assert {"font_size", "font_weight", "colour"} <= set(f.evidence["prominence"]["reasons"])
    assert r.text[f.span.start:f.span.end].startswith("年化利率")


def test_html_apr_as_big_and_bold_passes_and_scripts_are_not_read():
    assert analyze(HTML_EQUAL).compliant, analyze(HTML_EQUAL).codes()


def test_hidden_html_text_does_not_count_as_disclosure():
    html = ('<p><b>日利率0.03%</b></p><p style="display:none">年化利率10.8%</p>'
            '<p>贷款由甲乙银行股份有限公司发放</p>')
    assert "daily_rate_without_apr" in codes(html)


def test_markdown_heading_rate_with_plain_apr_is_less_prominent():
    md = "# 日息万三，借1万每天3元\n\n年化利率10.8%，" + LENDER
    assert "apr_less_prominent" in codes(md, fmt="markdown")
    assert "apr_less_prominent" not in codes("# 日息万三（年化利率10.8%）\n\n" + LENDER, fmt="markdown")


def test_footnote_only_apr_is_less_prominent():
    text = "日利率0.03%，借1万每天3元！\n" + LENDER + "\n*年化利率10.8%"
    assert "apr_less_prominent" in codes(text)


def test_title_hits_are_reported_against_the_title():
    r = analyze(CLEAN, title="秒批神器")
    (v,) = [v for v in r.violations() if v["code"] == "misleading_approval"]
    assert v["field"] == "title" and "秒批神器"[v["start"]:v["end"]] == "秒批"


def _pack_with(tmp_path: Path, extra_rule: dict) -> Path:
    """A rules directory whose marketing_rules.yaml has one more rule (the other files fall back to the bundled ones)."""
    data = yaml.safe_load((BUNDLED / "marketing_rules.yaml").read_text(encoding="utf-8"))
    data["rules"].append(extra_rule)
    (tmp_path / "marketing_rules.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp_path


def test_a_compliance_officer_adds_a_rule_without_python(tmp_path):
    rule = {"id": "MKT-X-1", "code": "misleading_approval", "severity": "high", "message": "承诺免审",
            "citation": {"source": "5号令", "article": "第二十三条"},
            "match": {"type": "phrases", "phrases": ["免审核"]}}
    engine = MarketingEngine(load(_pack_with(tmp_path, rule)))
    r = engine.analyze("免 审 核，" + CLEAN)
    assert [f.rule_id for f in r.findings] == ["MKT-X-1"]


@pytest.mark.parametrize("broken,says", [
    ({"id": "X", "code": "made_up", "severity": "high", "message": "m", "citation": "c",
      "match": {"type": "phrases", "phrases": ["a"]}}, "made_up"),
    ({"id": "X", "code": "absolute_terms", "severity": "high", "message": "m",
      "match": {"type": "phrases", "phrases": ["a"]}}, "citation"),
    ({"id": "X", "code": "absolute_terms", "severity": "high", "message": "m", "citation": "c",
      "match": {"type": "regex", "patterns": ["("]}}, "正则"),
    ({"id": "X", "code": "missing_apr", "severity": "high", "message": "m", "citation": "c",
      "match": {"type": "structural", "when_all": ["no_such_fact"]}}, "no_such_fact"),
])
def test_a_broken_rule_is_refused_naming_the_rule_and_field(tmp_path, broken, says):
    with pytest.raises(RulesError) as e:
        load(_pack_with(tmp_path, broken))
    assert says in str(e.value) and "X" in str(e.value)
