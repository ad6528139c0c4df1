"""Complaint statistics reports as XLSX: the monthly statistics along the JR/T 0169-2018 axes (A 业务办理渠道,
B 业务类别, C 投诉原因) and the annual public complaint report (年度投诉情况, 投诉办法 Art.26; 5号令 Art.36).

A report is data first — a cover and a list of tables — so the console previews exactly what the workbook
holds. Every export is audited with the SHA-256 of the file produced (like the black/gray evidence export),
so a workbook handed to a regulator can later be matched to what the platform generated.

Counting rules (written on the cover sheet too):
- the cohort is the complaints *received* in the period (by `received_at`, Beijing time); their state
  (decided, closed, overdue…) is as of the moment the report is generated;
- 本期作出处理意见 / 本期办结 count what happened *in* the period (decision date; a close or 核查 decision in
  the audit trail), whenever the complaint was received;
- axis A: the channel's JR/T 0169 group (rules/channels.yaml); axis B: the classifier's or an agent's
  business type; axis C: the complaint category's reason (rules/classify_axes.yaml) — the numeric codes
  are provisional until the institution loads the standard's own table;
- region: province of the complainant's resident ID number (GB/T 2260 code, first two digits).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.tiers import TIER_NAMES_EN, TIER_NAMES_ZH, Tier
from xiaobao.engines.classify.taxonomy import load_taxonomy
from xiaobao.rules import read_yaml
from xiaobao.store.dashboards import repository as dr
from xiaobao.store.dashboards.repository import NONE, DashboardRepository
from xiaobao.services.dashboards import figures as dashboards
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.dashboards.figures import Period
from xiaobao.services.errors import Forbidden
from xiaobao.engines.spreadsheet import texts_only, xlsx_append

KINDS = ("monthly", "annual")
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (key, 中文表头, English header, kind) — kind: text | int | pct | num
BREAKDOWN_COLUMNS = (
    ("received", "受理量", "Received", "int"),
    ("share", "占比", "Share", "pct"),
    ("decided", "已作出处理意见", "Decided", "int"),
    ("closed", "已办结", "Closed", "int"),
    ("open", "未办结", "Open", "int"),
    ("late_or_overdue", "超期", "Late or overdue", "int"),
    ("on_time_rate", "按期办理率", "In-time rate", "pct"),
)


@dataclass
class Table:
    key: str
    sheet: str          # worksheet name (≤ 31 characters)
    title_zh: str
    title_en: str
    columns: list[tuple[str, str, str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: dict[str, Any] | None = None
    note_zh: str = ""
    note_en: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "sheet": self.sheet, "title_zh": self.title_zh, "title_en": self.title_en,
                "columns": [{"key": k, "zh": zh, "en": en, "kind": kind} for k, zh, en, kind in self.columns],
                "rows": self.rows, "total": self.total, "note_zh": self.note_zh, "note_en": self.note_en}


def _settings(ctx: Context) -> dict[str, Any]:
    return read_yaml("reports.yaml", ctx.settings.rules_dir)


def _province_names(ctx: Context) -> dict[str, tuple[str, str]]:
    return {str(k): (v["name_zh"], v.get("name_en", v["name_zh"]))
            for k, v in (_settings(ctx).get("provinces") or {}).items()}


def _citations(ctx: Context, kind: str) -> list[str]:
    return [f"{c['source']} {c.get('article', '')}".strip() for c in (_settings(ctx).get("citations") or {}).get(kind, [])]


def _rate(num: int, den: int) -> float | None:
    return None if den == 0 else round(num / den, 4)


def _row(label_zh: str, label_en: str, g: dict[str, int], total: int, **extra) -> dict[str, Any]:
    counted = g["on_time"] + g["late"] + g["overdue"]
    return {"label_zh": label_zh, "label_en": label_en, "received": g["received"],
            "share": _rate(g["received"], total), "decided": g["decided"], "closed": g["closed"], "open": g["open"],
            "late_or_overdue": g["late"] + g["overdue"], "on_time_rate": _rate(g["on_time"], counted),
            "avg_days": None if g["decided"] == 0 else round(g["decide_days"] / g["decided"], 1), **extra}


def _sum(groups: list[dict[str, Any]]) -> dict[str, int]:
    keys = ("received", "decided", "closed", "open", "on_time", "late", "overdue", "decide_days")
    return {k: sum(g[k] for g in groups) for k in keys}


def _breakdown_table(key: str, sheet: str, title_zh: str, title_en: str, first: list[tuple[str, str, str, str]],
                     rows: list[dict[str, Any]], groups: list[dict[str, Any]], total_received: int,
                     note_zh: str = "", note_en: str = "") -> Table:
    t = Table(key, sheet, title_zh, title_en, [*first, *BREAKDOWN_COLUMNS], rows, note_zh=note_zh, note_en=note_en)
    t.total = _row("合计", "Total", _sum(groups), total_received)
    return t


# ---- the data -------------------------------------------------------------------------------------
def _axis_tables(ctx: Context, repo: DashboardRepository, where, today: date, total: int) -> list[Table]:
    """Axes A (channel group and channel), B (business type), C (reason, with category detail), tier, region."""
    tax = load_taxonomy(ctx.settings.rules_dir)
    tables: list[Table] = []

    by_channel = {g["key"][0]: g for g in repo.breakdown(where, today, "channel")}
    order = [c for c in ctx.rules.channels if c in by_channel] + sorted(set(by_channel) - set(ctx.rules.channels))
    axis_a: dict[str, list[dict]] = {}
    rows = []
    for code in order:
        ch = ctx.rules.channels.get(code)
        group_a = (ch.jrt0169_axis_a if ch else "") or "其他"
        axis_a.setdefault(group_a, []).append(by_channel[code])
        zh, en = dashboards.channel_names(ctx, code)
        rows.append(_row(zh, en, by_channel[code], total, code=code, axis_a=group_a))
    a_rows = [_row(name, name, _sum(gs), total, code=name) for name, gs in axis_a.items()]
    tables.append(_breakdown_table("axis_a", "A-业务办理渠道", "按业务办理渠道（JR/T 0169 维度A）", "By channel group (JR/T 0169 axis A)",
                                   [("label_zh", "业务办理渠道", "Channel group", "text")], a_rows,
                                   list(by_channel.values()), total))
    tables.append(_breakdown_table("channels", "渠道明细", "按投诉渠道", "By complaint channel",
                                   [("label_zh", "投诉渠道", "Channel", "text"), ("axis_a", "渠道分类（维度A）", "Axis A", "text")],
                                   rows, list(by_channel.values()), total))

    b_groups = repo.breakdown(where, today, "axis_b")
    b_rows = []
    for g in sorted(b_groups, key=lambda g: (g["key"][0] is None, g["key"][0] or "")):
        code = g["key"][0]
        entry = tax.axis_b.get(code) if code else None
        name_zh, name_en = (entry.name_zh, entry.name_en) if entry else (("未分类", "Unclassified") if code is None
                                                                          else (code, code))
        b_rows.append(_row(name_zh, name_en, g, total, code=code or "—"))
    tables.append(_breakdown_table("axis_b", "B-业务类别", "按业务类别（JR/T 0169 维度B）", "By business type (JR/T 0169 axis B)",
                                   [("code", "编码", "Code", "text"), ("label_zh", "业务类别", "Business type", "text")],
                                   b_rows, b_groups, total,
                                   "编码为暂定，待机构载入标准正式编码表", "Codes are provisional until the standard's table is loaded"))

    cat_groups = {g["key"][0]: g for g in repo.breakdown(where, today, "category")}
    c_members: dict[str, list[dict]] = {}
    cat_rows = []
    cat_order = [k for k in ctx.rules.categories if k in cat_groups] + sorted(
        (k for k in cat_groups if k not in ctx.rules.categories), key=lambda k: (k is None, k or ""))
    for code in cat_order:
        g = cat_groups[code]
        c_entry = tax.axis_c_for(code) if code else None
        c_code = c_entry.code if c_entry else "—"
        c_members.setdefault(c_code, []).append(g)
        zh, en = dashboards.category_names(ctx, code)
        cat_rows.append(_row(zh, en, g, total, code=code or NONE, axis_c=c_code,
                             axis_c_name=c_entry.name_zh if c_entry else "未分类"))
    c_rows = []
    for c_code, entry in tax.axis_c.items():
        if c_code in c_members:
            c_rows.append(_row(entry.name_zh, entry.name_en, _sum(c_members[c_code]), total, code=c_code))
    if "—" in c_members:
        c_rows.append(_row("未分类", "Unclassified", _sum(c_members["—"]), total, code="—"))
    tables.append(_breakdown_table("axis_c", "C-投诉原因", "按投诉原因（JR/T 0169 维度C）", "By cause (JR/T 0169 axis C)",
                                   [("code", "编码", "Code", "text"), ("label_zh", "投诉原因", "Cause", "text")],
                                   c_rows, list(cat_groups.values()), total,
                                   "编码为暂定，待机构载入标准正式编码表", "Codes are provisional until the standard's table is loaded"))
    tables.append(_breakdown_table("categories", "投诉类别明细", "按投诉类别（对应维度C）", "By complaint category (maps to axis C)",
                                   [("label_zh", "投诉类别", "Category", "text"), ("axis_c_name", "投诉原因（维度C）", "Axis C", "text")],
                                   cat_rows, list(cat_groups.values()), total))

    tier_groups = {g["key"][0]: g for g in repo.breakdown(where, today, "tier")}
    tier_rows = [_row(TIER_NAMES_ZH[t], TIER_NAMES_EN[t], tier_groups[str(t)], total, code=str(t))
                 for t in Tier if str(t) in tier_groups]
    tables.append(_breakdown_table("tiers", "处理层级", "按当前处理层级", "By handling tier (current)",
                                   [("code", "层级", "Tier", "text"), ("label_zh", "名称", "Name", "text")],
                                   tier_rows, list(tier_groups.values()), total))
    tables.append(_region_table(ctx, repo, where, today, total))
    return tables


def _region_table(ctx: Context, repo: DashboardRepository, where, today: date, total: int) -> Table:
    names = _province_names(ctx)
    groups = repo.breakdown(where, today, "province")
    rows = []
    for g in sorted(groups, key=lambda g: (-g["received"], g["key"][0] or "~")):
        code = g["key"][0]
        zh, en = names.get(code, ("未知", "Unknown")) if code else ("未知", "Unknown")
        rows.append(_row(zh, en, g, total, code=code or NONE))
    return _breakdown_table("regions", "地区分布", "按地区（投诉人证件归属省份）", "By region (province of the complainant's ID)",
                            [("code", "代码", "Code", "text"), ("label_zh", "省份", "Province", "text")], rows, groups, total,
                            "按居民身份证号前两位（GB/T 2260），为户籍地，非居住地；单位及其他证件为“未知”",
                            "First two digits of the resident ID (GB/T 2260): household registration, not residence")


def _clock_table(ctx: Context, repo: DashboardRepository, where, today: date) -> Table:
    within: dict[int, int] = {}
    outcomes = {k: 0 for k in dr.CLOCK_OUTCOMES}
    for policy, level, outcome, n in repo.clock_stages(where, today):
        outcomes[outcome] += n
        if outcome == "on_time":
            days = ctx.rules.regime.policy(policy).stage(level).days
            within[days] = within.get(days, 0) + n
    counted = outcomes["on_time"] + outcomes["late"] + outcomes["overdue"]
    rows = [{"label_zh": f"{d}日内（处理时限内）作出处理意见", "label_en": f"Decided within the {d}-day limit", "count": n,
             "share": _rate(n, counted)} for d, n in sorted(within.items())]
    rows += [{"label_zh": dashboards.OUTCOME_ZH[k], "label_en": dashboards.OUTCOME_EN[k], "count": outcomes[k],
              "share": _rate(outcomes[k], counted) if k in ("late", "overdue") else None}
             for k in ("late", "overdue", "pending", "ended")]
    t = Table("clock", "处理时效", "处理时效（投诉办法第十八条：15日／延长至30日／经审批60日）",
              "Handling time limits (15 / 30 / 60 days)",
              [("label_zh", "办理情况", "Outcome", "text"), ("count", "件数", "Count", "int"),
               ("share", "占应办结比例", "Share of due", "pct")], rows)
    t.total = {"label_zh": "按期办理率", "label_en": "In-time rate", "count": outcomes["on_time"],
               "share": _rate(outcomes["on_time"], counted)}
    t.note_zh = "按期办理率 = 按期作出处理意见件数 ÷（已作出处理意见 + 超期未作出处理意见）；暂停计时（鉴定、调解）期间不计入"
    t.note_en = "In-time rate = decided in time ÷ (decided + overdue undecided); paused days are excluded"
    return t


def _satisfaction_table(repo: DashboardRepository, where) -> Table:
    counts = {(k if k is not None else NONE): n for k, n in repo.count_by(where, "satisfaction")}
    callbacks = sum(counts.get(k, 0) for k in dashboards.SATISFACTION_ORDER)
    rows = [{"label_zh": dashboards.SATISFACTION_ZH[k], "label_en": dashboards.SATISFACTION_EN[k],
             "count": counts.get(k, 0), "share": _rate(counts.get(k, 0), callbacks) if k != NONE else None}
            for k in (*dashboards.SATISFACTION_ORDER, NONE)]
    reached = callbacks - counts.get("unreachable", 0)
    content = counts.get("satisfied", 0) + counts.get("basically_satisfied", 0)
    t = Table("satisfaction", "满意度", "回访满意度", "Callback satisfaction",
              [("label_zh", "回访结果", "Result", "text"), ("count", "件数", "Count", "int"),
               ("share", "占回访比例", "Share of callbacks", "pct")], rows)
    t.total = {"label_zh": "满意率（满意＋基本满意 ÷ 联系上的回访）", "label_en": "Satisfaction rate", "count": content,
               "share": _rate(content, reached)}
    return t


def _summary_rows(t: dict[str, int], *, decided_in: int, closed_in: int, regulator: int,
                  avg_days: float | None, sat_rate: float | None) -> list[dict[str, Any]]:
    counted = t["on_time"] + t["late"] + t["overdue"]
    rows = [
        ("受理投诉", "Complaints received", t["received"], "int"),
        ("其中：已作出处理意见", "of which decided", t["decided"], "int"),
        ("其中：已办结", "of which closed", t["closed"], "int"),
        ("其中：尚未办结", "of which still open", t["open"], "int"),
        ("其中：监管转办", "of which forwarded by a regulator", regulator, "int"),
        ("其中：重复投诉", "of which repeats", t["repeat"], "int"),
        ("其中：疑似黑灰产", "of which black/gray suspects", t["blackgray"], "int"),
        ("其中：申请核查", "of which 核查 requested", t["reviews"], "int"),
        ("按期办理率", "In-time rate", _rate(t["on_time"], counted), "pct"),
        ("超期作出处理意见", "Decided late", t["late"], "int"),
        ("超期未作出处理意见", "Overdue, undecided", t["overdue"], "int"),
        ("平均处理天数（受理至作出处理意见，自然日）", "Average days to decision", avg_days, "num"),
        ("回访满意率", "Satisfaction rate", sat_rate, "pct"),
        ("本期作出处理意见（按处理日期）", "Decided in the period (by decision date)", decided_in, "int"),
        ("本期办结（按办结日期）", "Closed in the period (by close date)", closed_in, "int"),
    ]
    return [{"label_zh": a, "label_en": b, "value": v, "kind": k} for a, b, v, k in rows]


def _gather(ctx: Context, p: Period) -> dict[str, Any]:
    today = ctx.today()
    start, end = p.bounds
    where = dr.received_cohort(start, end)
    with ctx.store.uow(write=False) as uow:
        repo = uow.dashboards
        totals = repo.totals(where, today)
        overall = _sum(repo.breakdown(where, today, "status"))
        decided_in = repo.count_by(dr.decided_between(start, end), "status")
        closed_in = repo.closed_between(dr.every_complaint(), start, end)
        regulator = repo.count_by(dr.received_forwarded(start, end), "regulator")
        axes = _axis_tables(ctx, repo, where, today, totals["received"])
        clock = _clock_table(ctx, repo, where, today)
        sat = _satisfaction_table(repo, where)
        months = {m: n for m, n in repo.count_by(where, "received_month")}
        institution = (_settings(ctx).get("institution_name") or "").strip() or repo.institution(where) or ""
    summary = _summary_rows(totals, decided_in=sum(n for _, n in decided_in), closed_in=closed_in,
                            regulator=sum(n for _, n in regulator),
                            avg_days=None if overall["decided"] == 0 else round(overall["decide_days"] / overall["decided"], 1),
                            sat_rate=sat.total["share"])
    return {"totals": totals, "summary": summary, "axes": axes, "clock": clock, "satisfaction": sat,
            "months": months, "institution": institution}


def _summary_table(rows: list[dict[str, Any]]) -> Table:
    return Table("summary", "总体情况", "总体情况", "Overview",
                 [("label_zh", "指标", "Figure", "text"), ("value", "数值", "Value", "value")], rows)


POINTS_LIMIT = 200  # every point of a month, in practice


def _points_table(ctx: Context, p: Period) -> Table:
    """诉点: every complaint point of the month's complaints, with the previous calendar month's count."""
    last = p.start - timedelta(days=1)
    prev = dashboards.month_period(f"{last:%Y-%m}")
    tp = dashboards.complaint_points(ctx, p, top=POINTS_LIMIT, previous=prev)
    words = {"new": "新出现", "up": "上升", "down": "下降", "flat": "持平"}
    rows = [{"rank": i, "label_zh": r["name_zh"], "label_en": r["name_en"], "code": r["point_id"],
             "category": r["category_name_zh"],
             "branch": f"{r['top_branch']['name']}（{r['top_branch']['count']} 件）" if r["top_branch"] else "—",
             "count": r["count"], "previous": r["previous"],
             "change": None if r["previous"] == 0 else round((r["count"] - r["previous"]) / r["previous"], 4),
             "trend": words[r["trend"]]} for i, r in enumerate(tp["rows"], 1)]
    return Table("points", "诉点", "诉点（本月与上月对比）", "Complaint points (this month against the previous)",
                 [("rank", "序号", "#", "int"), ("label_zh", "诉点", "Complaint point", "text"),
                  ("code", "诉点编码", "Code", "text"), ("category", "所属投诉类别", "Category", "text"),
                  ("branch", "最多的被投诉部门", "Branch complained about most", "text"),
                  ("count", "本月件数", "This month", "int"), ("previous", "上月件数", "Previous month", "int"),
                  ("change", "环比变化", "Change", "pct"), ("trend", "变化", "Trend", "text")], rows,
                 note_zh=(f"本月受理 {tp['received']} 件，其中 {tp['with_points']} 件提取到诉点，共 {tp['distinct_points']} 种；"
                          f"上月为 {prev.start:%Y-%m-%d} 至 {prev.end:%Y-%m-%d}。件数为含该诉点的投诉件数（一件可含多个诉点）；"
                          "环比变化 =（本月 − 上月）÷ 上月，上月为 0 记“新出现”；所属投诉类别为这些投诉中最多的类别；"
                          "最多的被投诉部门为这些投诉中件数最多的被投诉部门（溯源见数据看板的诉点溯源）。"),
                 note_en=(f"{tp['with_points']} of {tp['received']} complaints have points ({tp['distinct_points']} points); "
                          f"previous month {prev.start:%Y-%m-%d} to {prev.end:%Y-%m-%d}. Change = (this − previous) ÷ previous."))


def monthly(ctx: Context, month: str) -> dict[str, Any]:
    """Monthly complaint statistics for 'YYYY-MM'."""
    p = dashboards.month_period(month)
    g = _gather(ctx, p)
    axes = g["axes"]
    cut = next(i for i, t in enumerate(axes) if t.key == "categories") + 1
    tables = [_summary_table(g["summary"]), *axes[:cut], _points_table(ctx, p), *axes[cut:], g["clock"], g["satisfaction"]]
    return _report(ctx, "monthly", month, p, f"{p.start:%Y年%m月}投诉统计月报", f"Complaint statistics, {p.start:%B %Y}",
                   g["institution"], tables, g["totals"]["received"])


def annual(ctx: Context, year: int) -> dict[str, Any]:
    """The annual public complaint report (年度投诉情况) for a calendar year."""
    p = dashboards.year_period(year)
    g = _gather(ctx, p)
    prev = dashboards.year_period(int(year) - 1)
    with ctx.store.uow(write=False) as uow:
        prev_total = uow.dashboards.totals(dr.received_cohort(*prev.bounds), ctx.today())["received"]
    total = g["totals"]["received"]
    summary = g["summary"][:1] + [
        {"label_zh": f"{int(year) - 1}年受理投诉", "label_en": f"Received in {int(year) - 1}", "value": prev_total,
         "kind": "int"},
        {"label_zh": "同比变化", "label_en": "Change on previous year",
         "value": None if prev_total == 0 else round((total - prev_total) / prev_total, 4), "kind": "pct"},
    ] + g["summary"][1:13]
    month_rows = []
    for m in range(1, 13):
        key = f"{int(year):04d}-{m:02d}"
        n = g["months"].get(key, 0)
        month_rows.append({"label_zh": f"{m}月", "label_en": date(2000, m, 1).strftime("%b"), "month": key,
                           "count": n, "share": _rate(n, total)})
    volume = Table("volume", "投诉量", "投诉量（按受理月份）", "Volume by month received",
                   [("label_zh", "月份", "Month", "text"), ("count", "受理量", "Received", "int"),
                    ("share", "占全年比例", "Share of year", "pct")], month_rows,
                   {"label_zh": "全年合计", "label_en": "Year", "count": total, "share": _rate(total, total)})
    axes = {t.key: t for t in g["axes"]}
    tables = [_summary_table(summary), volume, axes["axis_b"], axes["axis_c"], axes["categories"], axes["regions"],
              g["clock"], g["satisfaction"], axes["channels"]]
    return _report(ctx, "annual", str(year), p, f"{int(year)}年度投诉情况", f"Complaints in {int(year)}: annual report",
                   g["institution"], tables, total)


def _report(ctx: Context, kind: str, key: str, p: Period, title_zh: str, title_en: str, institution: str,
            tables: list[Table], received: int) -> dict[str, Any]:
    now = ctx.now()
    definitions = [
        "统计对象：统计期间内受理（按受理时间，北京时间）的投诉；处理状态为报表生成时的状态。",
        "已作出处理意见：已出具处理意见（投诉办法第十九条）；已办结：状态为已办结。",
        ("按期办理：在所处时限阶段（15日；延长至30日；经审批并告知延长至60日；人民银行转办15/60日）的到期日当日或之前作出处理意见；"
         "暂停计时（鉴定、检测、评估，调解）期间不计入（投诉办法第十八条、第二十三条）。"),
        "超期未作出处理意见：尚未作出处理意见、计时未暂停且已过到期日。",
        "本期作出处理意见／本期办结：按处理意见日期／办结（含核查办结）日期落在统计期间内计数，不论受理时间。",
        ("业务办理渠道（维度A）按渠道配置（rules/channels.yaml）；业务类别（维度B）按分类结果或人工更正；"
         "投诉原因（维度C）按投诉类别对应（rules/classify_axes.yaml），编码暂定。"),
        "地区：投诉人居民身份证号前两位（GB/T 2260 省级代码），为户籍地；单位投诉人及其他证件类型记为“未知”。",
        "回访满意率：（满意＋基本满意）÷ 联系上的回访。",
        *(["诉点：分类引擎在受理时从投诉内容提取的具体事项（收费名称、催收行为、产品功能等），按诉点编码归并计件，"
           "与上月对比（月报“诉点”表）。"] if kind == "monthly" else []),
    ]
    return {
        "kind": kind, "key": key, "title_zh": title_zh, "title_en": title_en, "institution": institution,
        "period": {"from": p.start, "to": p.end}, "generated_at": now, "received": received,
        "definitions": definitions, "citations": _citations(ctx, kind),
        "tables": [t.to_dict() for t in tables],
    }


# ---- periods --------------------------------------------------------------------------------------
def periods(ctx: Context) -> dict[str, Any]:
    """Months and years that can be reported: from the first complaint received to today, newest first,
    with how many complaints each received."""
    with ctx.store.uow(write=False) as uow:
        repo = uow.dashboards
        counts = {m: n for m, n in repo.count_by(dr.every_complaint(), "received_month") if m}
    today = ctx.today()
    first = min(counts) if counts else f"{today:%Y-%m}"
    months = []
    y, m = today.year, today.month
    while f"{y:04d}-{m:02d}" >= first:
        key = f"{y:04d}-{m:02d}"
        months.append({"key": key, "received": counts.get(key, 0), "complete": (y, m) < (today.year, today.month)})
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    years = []
    for yr in range(today.year, int(first[:4]) - 1, -1):
        years.append({"key": str(yr), "received": sum(n for k, n in counts.items() if k.startswith(f"{yr:04d}-")),
                      "complete": yr < today.year})
    return {"months": months, "years": years}


def build(ctx: Context, kind: str, key: str) -> dict[str, Any]:
    if kind == "monthly":
        return monthly(ctx, key)
    if kind == "annual":
        try:
            return annual(ctx, int(key))
        except ValueError:
            raise InvalidValue("year", f"年份无效：{key!r}") from None
    raise InvalidValue("kind", f"未知报表 {kind!r}（可选：{', '.join(KINDS)}）")


# ---- the workbook ---------------------------------------------------------------------------------
def workbook_bytes(report: dict[str, Any], *, generated_by: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE4EE")
    cover = wb.active
    cover.title = "封面"
    cover.append([report["title_zh"]])
    cover["A1"].font = Font(bold=True, size=16)
    cover.append([])
    for label, value in (("报表名称", report["title_zh"]),
                         ("统计期间", f"{report['period']['from']:%Y-%m-%d} 至 {report['period']['to']:%Y-%m-%d}"),
                         ("机构名称", report["institution"] or "（未配置）"),
                         ("生成时间", report["generated_at"].strftime("%Y-%m-%d %H:%M:%S") + "（北京时间）"),
                         ("生成人", generated_by), ("受理投诉总数", report["received"])):
        cover.append([label, value])
    cover.append([])
    cover.append(["统计口径"])
    for line in report["definitions"]:
        cover.append(["", line])
    cover.append([])
    cover.append(["依据"])
    for line in report["citations"]:
        cover.append(["", line])
    cover.append([])
    cover.append(["工作表", "；".join(t["sheet"] for t in report["tables"])])
    for cell in cover["A"]:
        cell.font = bold
    cover["A1"].font = Font(bold=True, size=16)
    cover.column_dimensions["A"].width = 16
    cover.column_dimensions["B"].width = 110
    for row in cover.iter_rows(min_col=2, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    for t in report["tables"]:
        ws = wb.create_sheet(t["sheet"][:31])
        ws.append([t["title_zh"]])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([c["zh"] for c in t["columns"]])
        for cell in ws[2]:
            cell.font = bold
            cell.fill = head_fill
        for r in t["rows"]:
            xlsx_append(ws, [_cell(r, c) for c in t["columns"]])
        if t.get("total"):
            ws.append([_cell(t["total"], c) for c in t["columns"]])
            for cell in ws[ws.max_row]:
                cell.font = bold
        for i, c in enumerate(t["columns"], start=1):
            fmt = _number_format(c["kind"])
            for row in ws.iter_rows(min_row=3, min_col=i, max_col=i):
                for cell in row:
                    if c["kind"] == "value":
                        kind = (t["rows"][cell.row - 3] if cell.row - 3 < len(t["rows"]) else {}).get("kind")
                        fmt = _number_format(kind or "int")
                    if fmt and isinstance(cell.value, (int, float)):
                        cell.number_format = fmt
            ws.column_dimensions[get_column_letter(i)].width = 34 if c["kind"] == "text" else 14
        if t.get("note_zh"):
            ws.append([])
            ws.append(["注：" + t["note_zh"]])
        ws.freeze_panes = "A3"
    buf = io.BytesIO()
    texts_only(wb)
    wb.save(buf)
    return buf.getvalue()


def _cell(row: dict[str, Any], col: dict[str, Any]):
    return row.get(col["key"])


def _number_format(kind: str | None) -> str | None:
    return {"pct": "0.0%", "num": "0.0", "int": "0"}.get(kind or "")


def filename(report: dict[str, Any]) -> str:
    stem = {"monthly": "complaint-monthly", "annual": "complaint-annual"}[report["kind"]]
    return f"{stem}-{report['key']}.xlsx"


def export(ctx: Context, kind: str, key: str, actor: Actor) -> dict[str, Any]:
    """Build the report, write the workbook, and audit the export with its SHA-256.
    Returns {"filename", "content" (bytes), "sha256", "report"}."""
    if not ctx.rules.permissions.allows(actor.role, "report.export"):
        raise Forbidden(f"角色 {actor.role} 无权导出投诉统计报表", permission="report.export")
    report = build(ctx, kind, key)
    content = workbook_bytes(report, generated_by=actor.display_name or actor.username)
    digest = hashlib.sha256(content).hexdigest()
    name = filename(report)
    with ctx.store.uow() as uow:
        uow.audit.append(ctx.now(), actor.username, "report.export", "report", f"{kind}:{key}",
                         {"data": {"file": name, "sha256": digest, "bytes": len(content),
                                   "period": [report["period"]["from"].isoformat(), report["period"]["to"].isoformat()],
                                   "received": report["received"], "sheets": ["封面", *(t["sheet"] for t in report["tables"])]}})
        uow.commit()
    return {"filename": name, "content": content, "sha256": digest, "report": report}

