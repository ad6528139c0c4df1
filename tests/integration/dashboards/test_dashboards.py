"""Dashboards and statistical reports on SQLite and PostgreSQL: a small, known history of complaints taken
in and handled through the services, every figure checked against a count made here in Python over the
stored complaints and their audit timelines (and against what the scenario was built to contain), every
drill-down checked to list exactly the complaints its figure counted, and the XLSX reports opened with
openpyxl."""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from dataclasses import replace
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from xiaobao.domain.complaint import OPEN
from xiaobao.domain.identity import id_check_char
from xiaobao.domain.roles import Role
from xiaobao.services.dashboards import figures as dashboards
from xiaobao.services.complaints import handling, queries, views
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.services.reports import workbooks as reports
from xiaobao.services.actors import Actor
from xiaobao.services.errors import Forbidden
from xiaobao.store.complaints.repository import ComplaintQuery
from xiaobao.store.audit import audit_log
from xiaobao.web.list_params import list_filters, list_params
from tests.conftest import record

AGENT = Actor("agent", Role.AGENT, "S000", "frontline")
EXPERT = Actor("expert", Role.EXPERT, "S001", "expert")
SUP = Actor("supervisor", Role.SUPERVISOR, "S003", "escalation")
COMP = Actor("compliance", Role.COMPLIANCE, "S004")


class _InItsQueue:
    """The scenario's handling calls, each made by a handler of the team whose queue the complaint is in:
    this file is about the figures, not about who may act (tests/security/test_ownership.py is)."""

    def __getattr__(self, name):
        act = getattr(handling, name)

        def call(ctx, cid, actor, *args, **kw):
            with ctx.store.uow(write=False) as uow:
                team = uow.complaints.get(cid).team
            return act(ctx, cid, replace(actor, team=team), *args, **kw)
        return call


H = _InItsQueue()
OCT = dashboards.Period(date(2026, 10, 1), date(2026, 10, 31))
TODAY = datetime(2026, 11, 20, 10, 0)

TEXTS = [
    "提前结清时被收取了剩余本金百分之三的违约金，合同里没有写明，要求退还。",
    "外包催收员晚上十一点还在打电话，言语威胁要上门，请核查录音并处理。",
    "自动扣款扣了两次，客服说三个工作日退回，已经过了十天还没到账。",
    "短信广告写着日息万分之二，实际借款后年化远超宣传，属于误导营销。",
    "分期手续费按原始本金计算，实际年化利率被隐瞒，请重新核算并退费。",
    "客服工号S203态度恶劣，挂断我的电话两次，希望公司给个说法。",
    "征信报告上多了一条我从未申请过的贷款审批查询记录，请核实删除。",
    "上个月投诉的扣款问题至今无人回复，再次反映，要求尽快处理退款。",
    "监管转办：消费者反映催收人员联系其单位同事，造成名誉损害。",
    "商品分期的商品没有收到商家就倒闭了，分期还在扣款，要求停止扣款。",
    "申请注销账户被拒绝，理由是还有优惠券未使用，这不合理。",
    "九月份借款的利息计算和合同约定不一致，请重新核算。",
    "额度突然被降为零，没有任何通知，影响了我的正常使用。",
]


def _id(region: str, n: int) -> str:
    first17 = f"{region}0102" f"1988{(n % 12) + 1:02d}15{n:03d}"  # GB/T 2260 area, birth date, sequence
    return first17 + id_check_char(first17)


def _rec(n: int, *, at: str, channel: str, category: str, product: str | None, region: str | None,
         phone: str | None = None, **over) -> dict:
    r = record(n, external_id=f"DB-{n:03d}", received_at=at, channel=channel, category=category,
               product=product, text=TEXTS[n % len(TEXTS)], customer_phone=phone or f"1370000{n:04d}", **over)
    if region:
        r["customer_id_number"] = _id(region, n)
    else:
        r.pop("customer_id_number")
    return r


def _decide(ctx, cid, actor):
    if views.get_complaint(ctx, cid, actor)["status"] in ("received", "accepted"):
        H.start(ctx, cid, actor)
    return H.decide(ctx, cid, actor, result="partially_upheld", reasons="经核实部分属实",
                           basis="合同约定及监管规定", verification="调取合同与通话记录",
                           remedies=["可申请核查", "可申请调解"])


@pytest.fixture
def history(ctx, users, clock):
    """Thirteen complaints: eleven received in October 2026 with a known fate each, one in September and
    one in November. Returns {name: complaint id}."""
    ids: dict[str, int] = {}

    def at(s: str):
        clock.set(datetime.fromisoformat(s))

    def submit(name, n, **kw):
        at(kw["at"])
        ids[name] = intake.submit(ctx, _rec(n, **kw), actor="agent")[0].id

    # September: decided and closed in October (counts as decided/closed *in* October, not received).
    submit("c12", 12, at="2026-09-28 10:00:00", channel="app", category="pricing_fees", product="信用贷", region="41")
    at("2026-10-02 10:00")
    _decide(ctx, ids["c12"], AGENT)
    H.notify(ctx, ids["c12"], AGENT, channel="sms", proof="SMS-1")
    at("2026-10-05 10:00")
    H.close(ctx, ids["c12"], AGENT)

    submit("c4", 4, at="2026-10-06 09:00:00", channel="wechat", category="marketing", product=None, region="11")
    submit("c1", 1, at="2026-10-08 09:00:00", channel="app", category="pricing_fees", product="消费分期", region="41")
    submit("c5", 5, at="2026-10-09 11:00:00", channel="app", category="pricing_fees", product="消费分期", region="44")
    submit("c3", 3, at="2026-10-09 15:00:00", channel="app", category="repayment", product="信用贷", region="44")
    at("2026-10-10 09:00")
    H.transfer(ctx, ids["c3"], AGENT, tier="L2", team="expert", reason="涉及系统扣款，需专家核查")
    submit("c2", 2, at="2026-10-10 14:00:00", channel="hotline", category="debt_collection", product="信用贷", region="41")
    at("2026-10-12 10:00")
    H.accept(ctx, ids["c1"], AGENT)
    H.start(ctx, ids["c1"], AGENT)
    _decide(ctx, ids["c1"], AGENT)
    H.notify(ctx, ids["c1"], AGENT, channel="sms", proof="SMS-2")
    H.record_callback(ctx, ids["c1"], AGENT, satisfaction="satisfied")
    at("2026-10-13 10:00")
    H.close(ctx, ids["c1"], AGENT)
    submit("c11", 11, at="2026-10-15 09:00:00", channel="app", category="pricing_fees", product="信用贷", region="41")
    at("2026-10-15 10:00")
    _decide(ctx, ids["c2"], EXPERT)
    H.notify(ctx, ids["c2"], EXPERT, channel="phone", proof="CALL-1")
    H.record_callback(ctx, ids["c2"], EXPERT, satisfaction="dissatisfied")
    at("2026-10-16 10:00")
    H.withdraw(ctx, ids["c11"], AGENT, reason="客户来电撤诉")
    submit("c9", 9, at="2026-10-16 10:30:00", channel="regulator_12378", category="debt_collection", product="信用贷",
           region="32")
    submit("c6", 6, at="2026-10-20 09:00:00", channel="hotline", category="service_attitude", product="信用贷", region="37")
    at("2026-10-20 10:00")
    _decide(ctx, ids["c3"], EXPERT)
    H.notify(ctx, ids["c3"], EXPERT, channel="sms", proof="SMS-3")
    H.record_callback(ctx, ids["c3"], EXPERT, satisfaction="basically_satisfied")
    _decide(ctx, ids["c9"], SUP)
    H.notify(ctx, ids["c9"], SUP, channel="letter", proof="EMS-1")
    H.record_callback(ctx, ids["c9"], SUP, satisfaction="satisfied")
    H.extend(ctx, ids["c4"], AGENT, reason="涉及多个营销渠道，情况复杂")
    at("2026-10-21 10:00")
    H.close(ctx, ids["c3"], EXPERT)
    # The same customer as c6, who still has an open complaint: a repeat.
    at("2026-10-22 09:00")
    rep = _rec(8, at="2026-10-22 09:00:00", channel="email", category="pricing_fees", product="消费分期", region=None,
               phone="13700000006")
    rep["customer_id_number"] = _id("37", 6)
    ids["c8"] = intake.submit(ctx, rep, actor="agent")[0].id
    submit("c7", 7, at="2026-10-25 09:00:00", channel="app", category="credit_report", product="现金贷", region="41",
           flags=["blackgray_suspect"])
    at("2026-10-26 10:00")
    H.start(ctx, ids["c7"], EXPERT)
    at("2026-10-28 10:00")
    H.pause(ctx, ids["c7"], EXPERT, "mediation", notice_proof="CONSENT-1")
    _decide(ctx, ids["c5"], AGENT)  # after its due date: late
    at("2026-10-29 10:00")
    H.request_review(ctx, ids["c9"], COMP, written_ref="HC-1")
    submit("c10", 10, at="2026-10-31 23:30:00", channel="app", category="other", product="商品分期", region=None)
    at("2026-11-02 10:00")
    _decide(ctx, ids["c10"], AGENT)
    submit("c13", 13, at="2026-11-03 09:00:00", channel="app", category="credit_limit", product="信用贷", region="41")
    at("2026-11-04 10:00")
    _decide(ctx, ids["c4"], AGENT)  # within the 30 days its extension allows
    H.notify(ctx, ids["c4"], AGENT, channel="sms", proof="SMS-4")
    H.record_callback(ctx, ids["c4"], AGENT, satisfaction="unreachable")
    clock.set(TODAY)

    # Leads as the black/gray platform stores them: an open gang with two October members and one from
    # November; a rejected one and a merged one, which top families leaves out.
    now = TODAY
    with ctx.store.uow() as uow:
        def lead(key, status, members):
            lead_id = uow.blackgray.save_lead({
                "lead_type": "gang", "key": key, "kind": "proxy_template", "title": f"团伙 {key}", "status": status,
                "score": 0.9, "complaints": len(members), "customers": len(members), "first_at": now, "last_at": now,
                "artefacts": [], "families": [], "evidence": {}, "created_at": now, "updated_at": now}, None)
            uow.blackgray.set_members(lead_id, [ids[m] for m in members], now)
            return lead_id
        ids["lead_open"] = lead("g-open", "open", ["c7", "c8", "c13"])
        ids["lead_rejected"] = lead("g-rej", "rejected", ["c1", "c2", "c3", "c5"])
        ids["lead_merged"] = lead("g-merged", "merged", ["c6", "c4", "c1", "c2"])
        uow.commit()
    return ids


# ---- independent counts -------------------------------------------------------------------------------
def _all(ctx):
    with ctx.store.uow(write=False) as uow:
        items, _ = uow.complaints.find(ComplaintQuery(limit=10_000))
        return sorted(items, key=lambda c: c.id)


def _cohort(ctx, period=OCT, channel=None):
    start, end = period.bounds
    return [c for c in _all(ctx) if start <= c.received_at < end and (channel is None or c.channel == channel)]


def _outcome(c, today):
    if c.decided_at is not None:
        return "on_time" if c.due_date is None or c.decided_at.date() <= c.due_date else "late"
    if c.status in {str(s) for s in OPEN} and c.status != "paused" and c.due_date and c.due_date < today:
        return "overdue"
    return "pending" if c.status in {str(s) for s in OPEN} else "ended"


def _fcr(ctx, c) -> bool:
    if c.decided_at is None or c.review_requested_at is not None:
        return False
    tl = views.timeline(ctx, c.id)
    created = next(e for e in tl if e["action"] == "complaint.create")
    return created["after"]["tier"] == "L1" and not any(
        e["action"] == "transfer" and e["at"] <= c.decided_at for e in tl)


def _drill_ids(ctx, params) -> set[int]:
    qs = list_params(**params)
    from urllib.parse import parse_qs

    parsed = {k: v for k, v in parse_qs(qs).items()}
    found = queries.find(ctx, limit=10_000, **list_filters(ctx, parsed))
    assert found["total"] == len(found["items"])
    return {c["id"] for c in found["items"]}


# ---- the dashboard ----------------------------------------------------------------------------------
def test_headline_figures_equal_independent_counts_and_the_scenario(ctx, history):
    d = dashboards.dashboard(ctx, OCT)
    cohort = _cohort(ctx)
    today = TODAY.date()
    outcomes = Counter(_outcome(c, today) for c in cohort)
    k = {x["key"]: x for x in d["kpis"]}

    assert len(cohort) == 11 and k["received"]["value"] == 11  # c1–c11; c12 (Sept) and c13 (Nov) outside
    assert k["decided"]["value"] == sum(c.decided_at is not None for c in cohort) == 7
    assert outcomes == {"on_time": 6, "late": 1, "overdue": 2, "pending": 1, "ended": 1}
    assert (k["compliance"]["num"], k["compliance"]["den"]) == (6, 9)
    assert k["compliance"]["value"] == pytest.approx(6 / 9)
    assert k["overdue"]["value"] == outcomes["overdue"] == 2
    fcr = {c.id for c in cohort if _fcr(ctx, c)}
    assert fcr == {history[n] for n in ("c1", "c4", "c5", "c10")}  # c2 L2, c3 transferred, c9 L4 and reviewed
    assert (k["fcr"]["num"], k["fcr"]["den"]) == (len(fcr), 7)
    assert (k["satisfaction"]["num"], k["satisfaction"]["den"]) == (3, 4)  # unreachable is not counted
    assert k["repeat"]["num"] == sum(c.repeat_of_id is not None for c in cohort) == 1
    assert k["blackgray"]["num"] == sum("blackgray_suspect" in c.flags for c in cohort) == 1

    rows = {r["key"]: r["count"] for r in d["clock"]["rows"]}
    assert rows == {"within_15": 5, "within_30": 1, "late": 1, "overdue": 2, "pending": 1, "ended": 1}
    assert rows["within_15"] == sum(1 for c in cohort if _outcome(c, today) == "on_time" and c.clock_level == 0)
    sat = {r["key"]: r["count"] for r in d["satisfaction"]["rows"]}
    assert sat == dict(Counter(c.satisfaction or "_none" for c in cohort)) | {
        k2: 0 for k2 in ("satisfied", "basically_satisfied", "dissatisfied", "unreachable", "_none")
        if k2 not in Counter(c.satisfaction or "_none" for c in cohort)}
    assert sat["satisfied"] == 2 and sat["_none"] == 6


def test_points_trend_and_families_equal_python_counts(ctx, history):
    d = dashboards.dashboard(ctx, OCT)
    cohort = _cohort(ctx)
    cells = Counter((c.category or "_none", c.product or "_none", c.channel) for c in cohort)
    assert {(x["category"], x["product"], x["channel"]): x["count"] for x in d["points"]["cells"]} == dict(cells)
    assert {x["code"]: x["count"] for x in d["points"]["categories"]} == dict(Counter(c.category for c in cohort))
    assert {x["code"]: x["count"] for x in d["points"]["products"]} == dict(Counter(c.product or "_none" for c in cohort))
    assert d["points"]["categories"][0]["code"] == "pricing_fees"  # taxonomy order, not volume

    assert d["trend"]["granularity"] == "day" and len(d["trend"]["buckets"]) == 31
    by_day = Counter((c.received_at.date(), c.channel) for c in cohort)
    for s in d["trend"]["series"]:
        for b, n in zip(d["trend"]["buckets"], s["counts"]):
            assert n == by_day.get((b["from"], s["channel"]), 0)
    assert sum(d["trend"]["total"]["counts"]) == 11
    oct31 = d["trend"]["total"]["counts"][-1]
    assert oct31 == 1  # received at 23:30 on the last day still belongs to the period

    weekly = dashboards.dashboard(ctx, OCT, granularity="week")["trend"]
    assert weekly["buckets"][0]["from"] == date(2026, 10, 1) and weekly["buckets"][0]["to"] == date(2026, 10, 4)
    assert sum(weekly["total"]["counts"]) == 11

    fams = d["families"]
    assert [f["id"] for f in fams] == [history["lead_open"]]
    assert fams[0]["in_range"] == 2  # c7 and c8; c13 was received in November


def test_every_figure_drills_down_to_exactly_the_complaints_it_counted(ctx, history):
    d = dashboards.dashboard(ctx, OCT)
    cohort = _cohort(ctx)
    today = TODAY.date()
    by_id = {c.id: c for c in cohort}
    expected = {
        "received": set(by_id), "decided": {i for i, c in by_id.items() if c.decided_at},
        "compliance": {i for i, c in by_id.items() if _outcome(c, today) == "on_time"},
        "overdue": {i for i, c in by_id.items() if _outcome(c, today) == "overdue"},
        "fcr": {i for i, c in by_id.items() if _fcr(ctx, c)},
        "satisfaction": {i for i, c in by_id.items() if c.satisfaction in ("satisfied", "basically_satisfied")},
        "repeat": {i for i, c in by_id.items() if c.repeat_of_id}, "blackgray": {history["c7"]},
    }
    for k in d["kpis"]:
        assert _drill_ids(ctx, k["params"]) == expected[k["key"]], k["key"]
    for r in d["clock"]["rows"]:
        assert len(_drill_ids(ctx, r["params"])) == r["count"], r["key"]
    assert _drill_ids(ctx, next(r for r in d["clock"]["rows"] if r["key"] == "within_30")["params"]) == {history["c4"]}
    for x in d["points"]["cells"] + d["points"]["category_product"] + d["points"]["category_channel"]:
        assert len(_drill_ids(ctx, x["params"])) == x["count"]
    none_product = next(p for p in d["points"]["products"] if p["code"] == "_none")
    assert _drill_ids(ctx, none_product["params"]) == {history["c4"]}
    for s in d["trend"]["series"]:
        for n, p in zip(s["counts"], s["params"]):
            assert len(_drill_ids(ctx, p)) == n
    for r in d["satisfaction"]["rows"]:
        assert len(_drill_ids(ctx, r["params"])) == r["count"]
    f = d["fcr"]
    assert len(_drill_ids(ctx, f["resolved_params"])) == f["resolved"]
    assert len(_drill_ids(ctx, f["not_resolved_params"])) == f["not_resolved"] == 3
    assert _drill_ids(ctx, d["families"][0]["params"]) == {history["c7"], history["c8"]}


def test_channel_filter_and_presets(ctx, history):
    app = dashboards.dashboard(ctx, OCT, channel="app")
    assert app["kpis"][0]["value"] == len(_cohort(ctx, channel="app")) == 6
    assert all(x["channel"] == "app" for x in app["points"]["cells"])
    assert dashboards.period(date(2026, 11, 20), "last_month") == OCT
    assert dashboards.period(date(2026, 11, 20)) == dashboards.Period(date(2026, 10, 22), date(2026, 11, 20))
    assert dashboards.period(date(2026, 11, 20), "this_year").start == date(2026, 1, 1)
    with pytest.raises(Exception, match="未知渠道"):
        dashboards.dashboard(ctx, OCT, channel="carrier_pigeon")


# ---- reports ----------------------------------------------------------------------------------------
def _closed_in_october(ctx) -> int:
    start, end = OCT.bounds
    with ctx.store.uow(write=False) as uow:
        rows = uow.session.execute(select(audit_log.c.entity_id, audit_log.c.action, audit_log.c.at)
                                   .where(audit_log.c.entity_type == "complaint")).all()
    return len({e for e, a, t in rows if a in ("status.closed", "review.decide") and start <= t < end})


def test_monthly_report_tables_match_independent_counts(ctx, history):
    rep = reports.monthly(ctx, "2026-10")
    cohort = _cohort(ctx)
    tables = {t["key"]: t for t in rep["tables"]}
    summary = {r["label_zh"]: r["value"] for r in tables["summary"]["rows"]}
    assert summary["受理投诉"] == 11
    assert summary["其中：已办结"] == sum(c.status == "closed" for c in cohort) == 2  # c1, c3
    assert summary["其中：监管转办"] == 1
    start, end = OCT.bounds
    decided_in = [c for c in _all(ctx) if c.decided_at and start <= c.decided_at < end]
    assert summary["本期作出处理意见（按处理日期）"] == len(decided_in) == 6  # c12 decided in Oct, c4/c10 in Nov
    assert summary["本期办结（按办结日期）"] == _closed_in_october(ctx) == 3  # c12, c1, c3
    days = [(c.decided_at.date() - c.received_at.date()).days for c in cohort if c.decided_at]
    assert summary["平均处理天数（受理至作出处理意见，自然日）"] == round(sum(days) / len(days), 1)

    channels = {r["code"]: r for r in tables["channels"]["rows"]}
    assert {k: r["received"] for k, r in channels.items()} == dict(Counter(c.channel for c in cohort))
    assert tables["channels"]["total"]["received"] == 11
    axis_a = {r["code"]: r["received"] for r in tables["axis_a"]["rows"]}
    assert axis_a["电子渠道-移动客户端"] == 6 and axis_a["第三方渠道"] == 1
    assert sum(axis_a.values()) == 11
    assert sum(r["received"] for r in tables["axis_b"]["rows"]) == 11
    c_rows = {r["code"]: r["received"] for r in tables["axis_c"]["rows"]}
    assert c_rows["08"] == sum(c.category == "pricing_fees" for c in cohort) == 4  # 合同条款
    assert c_rows["11"] == 2  # 债务催收方式和手段: c2, c9
    regions = {r["code"]: r["received"] for r in tables["regions"]["rows"]}
    assert regions == {"41": 4, "44": 2, "11": 1, "32": 1, "37": 2, "_none": 1}
    assert next(r for r in tables["regions"]["rows"] if r["code"] == "41")["label_zh"] == "河南省"
    tiers = {r["code"]: r["received"] for r in tables["tiers"]["rows"]}
    assert tiers == dict(Counter(str(c.tier) for c in cohort))
    clock = {r["label_zh"]: r["count"] for r in tables["clock"]["rows"]}
    assert clock["15日内（处理时限内）作出处理意见"] == 5 and clock["超期未作出处理意见"] == 2
    assert tables["satisfaction"]["total"]["share"] == 0.75


def test_monthly_export_is_an_audited_workbook_with_a_sheet_per_table(ctx, history):
    out = reports.export(ctx, "monthly", "2026-10", COMP)
    assert out["filename"] == "complaint-monthly-2026-10.xlsx"
    wb = load_workbook(io.BytesIO(out["content"]))
    assert wb.sheetnames == ["封面", "总体情况", "A-业务办理渠道", "渠道明细", "B-业务类别", "C-投诉原因", "投诉类别明细",
                             "诉点", "处理层级", "地区分布", "处理时效", "满意度"]
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(values_only=True) if r[0]}
    assert cover["统计期间"] == "2026-10-01 至 2026-10-31"
    assert cover["机构名称"] == "示例消费金融有限公司" or cover["机构名称"]  # most frequent respondent, or configured
    assert cover["受理投诉总数"] == 11
    ws = wb["渠道明细"]
    assert [c.value for c in ws[2]][:3] == ["投诉渠道", "渠道分类（维度A）", "受理量"]
    app_row = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] == "移动客户端（App）")
    assert app_row[2] == 6
    region = {r[1]: r[2] for r in wb["地区分布"].iter_rows(min_row=3, values_only=True) if r[1]}
    assert region["河南省"] == 4 and region["合计"] == 11
    with ctx.store.uow(write=False) as uow:
        entry = [e for e in uow.audit.for_entity("report", "monthly:2026-10")][-1]
    assert entry["action"] == "report.export" and entry["actor"] == "compliance"
    assert entry["content"]["data"]["sha256"] == hashlib.sha256(out["content"]).hexdigest() == out["sha256"]


def test_annual_report_has_the_public_disclosure_tables(ctx, history):
    rep = reports.annual(ctx, 2026)
    tables = {t["key"]: t for t in rep["tables"]}
    assert list(tables) == ["summary", "volume", "axis_b", "axis_c", "categories", "regions", "clock", "satisfaction",
                            "channels"]
    months = {r["month"]: r["count"] for r in tables["volume"]["rows"]}
    everything = _all(ctx)
    assert months["2026-09"] == 1 and months["2026-10"] == 11 and months["2026-11"] == 1 and months["2026-01"] == 0
    assert tables["volume"]["total"]["count"] == len(everything) == 13
    summary = {r["label_zh"]: r["value"] for r in tables["summary"]["rows"]}
    assert summary["2025年受理投诉"] == 0 and summary["同比变化"] is None
    out = reports.export(ctx, "annual", "2026", SUP)
    wb = load_workbook(io.BytesIO(out["content"]))
    assert wb.sheetnames[:3] == ["封面", "总体情况", "投诉量"]
    vol = {r[0]: r[1] for r in wb["投诉量"].iter_rows(min_row=3, values_only=True)}
    assert vol["10月"] == 11 and vol["全年合计"] == 13


def test_report_export_needs_the_permission_and_periods_are_listed(ctx, history):
    with pytest.raises(Forbidden):
        reports.export(ctx, "monthly", "2026-10", AGENT)
    p = reports.periods(ctx)
    months = {m["key"]: m for m in p["months"]}
    assert months["2026-10"]["received"] == 11 and months["2026-10"]["complete"] is True
    assert months["2026-11"]["complete"] is False and "2026-08" not in months  # from the first complaint on
    assert p["years"] == [{"key": "2026", "received": 13, "complete": False}]


def test_cli_writes_the_monthly_workbook(ctx, history, tmp_path, monkeypatch):
    from xiaobao.cli import app

    monkeypatch.setenv("XIAOBAO_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("XIAOBAO_KEYFILE", str(tmp_path / "keys.json"))
    out = tmp_path / "m.xlsx"
    result = CliRunner().invoke(app, ["report", "monthly", "--month", "2026-10", "--out", str(out), "--user", "supervisor"])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert "A-业务办理渠道" in wb.sheetnames
    total = [r for r in wb["总体情况"].iter_rows(min_row=3, values_only=True) if r[0] == "受理投诉"][0][1]
    assert total == 11
    bad = CliRunner().invoke(app, ["report", "monthly", "--month", "2026-13", "--out", str(out)])
    assert bad.exit_code == 2


def test_api_returns_dashboard_and_report(ctx, history):
    from fastapi.testclient import TestClient

    from xiaobao.api.app import create_app
    from tests.conftest import PASSWORD

    client = TestClient(create_app(ctx))
    token = client.post("/auth/login", json={"username": "supervisor", "password": PASSWORD}).json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    d = client.get("/dashboards", params={"from": "2026-10-01", "to": "2026-10-31"}, headers=h).json()
    assert d["kpis"][0]["value"] == 11
    x = client.get("/reports/monthly.xlsx", params={"month": "2026-10"}, headers=h)
    assert x.status_code == 200 and x.headers["x-content-sha256"] == hashlib.sha256(x.content).hexdigest()
    j = client.get("/reports/annual", params={"year": 2026}, headers=h).json()
    assert j["received"] == 13
    agent = client.post("/auth/login", json={"username": "agent", "password": PASSWORD}).json()["token"]
    assert client.get("/dashboards", headers={"Authorization": f"Bearer {agent}"}).status_code == 403
