"""Complaint points (诉点) on the dashboards, in the API, the CLI and the monthly report, on SQLite and
PostgreSQL: complaints with known texts taken in through `services.complaints.intake.storing.submit` across two periods; every
count, previous count and change checked against a count made here in Python from the stored rows (plain SQL
over classify_points and complaints, not the dashboard queries) and against what the scenario was built to
hold; every drill-down checked to list exactly the complaints with that point in that period."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from typer.testing import CliRunner

from tests.conftest import PASSWORD, record
from xiaobao.domain.errors import InvalidValue
from xiaobao.domain.roles import Role
from xiaobao.services.classify import classification
from xiaobao.services.dashboards import figures as dashboards
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.services.complaints import queries
from xiaobao.services.reports import workbooks as reports
from xiaobao.services.actors import Actor
from xiaobao.web.list_params import list_filters, list_params

NOV = dashboards.Period(date(2026, 11, 1), date(2026, 11, 30))
PREV = dashboards.Period(date(2026, 10, 2), date(2026, 10, 31))  # 30 days, just before November
SUP = Actor("supervisor", Role.SUPERVISOR, "S003", "escalation")

CONTACTS = "催收人员打电话给我的通讯录联系人和家人，威胁恐吓。"   # collect_contacts, collect_threat
LIMIT = "额度突然被冻结了，借不出来。"                           # limit_cut, limit_no_loan
APP = "App一直闪退，无法登录，还款失败。"                         # app_function, repay_channel
FEE = "收取了信用评估费，没有提前告知。"                          # fee:信用评估费 (no rule names it)
DEDUCT = "自动扣款扣了两次，要求退回。"                           # deduct_auto
PLAIN = "我在贵司App借款一万元，分12期，请尽快回电。"               # no point: "App" alone is not a fault

# (text, category, channel, received_at): November, the 30 days before it, and around them.
SCENARIO = [
    *[(CONTACTS, "debt_collection", "app", f"2026-11-{d:02d} 10:00:00") for d in (2, 5, 9, 20)],
    (CONTACTS, "debt_collection", "hotline", "2026-11-30 23:30:00"),  # the last evening still counts
    (LIMIT, "credit_limit", "app", "2026-11-03 09:00:00"), (LIMIT, "credit_limit", "app", "2026-11-12 09:00:00"),
    (APP, "repayment", "app", "2026-11-15 09:00:00"),
    (FEE, "pricing_fees", "app", "2026-11-06 09:00:00"), (FEE, "pricing_fees", "wechat", "2026-11-07 09:00:00"),
    (PLAIN, "other", "app", "2026-11-08 09:00:00"),
    (CONTACTS, "debt_collection", "app", "2026-10-02 00:00:00"),  # the first instant of the previous period
    (CONTACTS, "debt_collection", "hotline", "2026-10-20 10:00:00"),
    (LIMIT, "credit_limit", "app", "2026-10-05 10:00:00"), (LIMIT, "credit_limit", "app", "2026-10-25 10:00:00"),
    *[(APP, "repayment", "app", f"2026-10-{d:02d} 10:00:00") for d in (10, 11, 12)],
    (DEDUCT, "repayment", "app", "2026-10-15 10:00:00"),
    (CONTACTS, "debt_collection", "app", "2026-10-01 12:00:00"),  # October, but before the 30-day window
    (CONTACTS, "debt_collection", "app", "2026-12-01 00:00:00"),  # after November
]


@pytest.fixture
def scenario(ctx, users, clock):
    """Returns [(complaint id, text, channel, received_at)] in SCENARIO order."""
    clock.set(datetime(2026, 12, 2, 10, 0))
    out = []
    for n, (txt, cat, ch, at) in enumerate(SCENARIO, 1):
        r = record(n, external_id=f"PT-{n:03d}", text=txt, category=cat, channel=ch, received_at=at,
                   customer_phone=f"1380000{n:04d}")
        r.pop("customer_id_number")
        c, _ = intake.submit(ctx, r, actor="agent")
        out.append((c.id, txt, ch, datetime.fromisoformat(at)))
    return out


# ---- independent counts from the stored rows ------------------------------------------------------------
def _stored(ctx) -> list[dict]:
    """Every (complaint, point) row as stored, with the complaint's receipt, channel and category."""
    with ctx.store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT p.complaint_id, p.point_id, p.name_zh, c.received_at, c.channel, c.category "
            "FROM classify_points p JOIN complaints c ON c.id = p.complaint_id")).mappings().all()
    out = []
    for r in rows:
        r = dict(r)
        if isinstance(r["received_at"], str):
            r["received_at"] = datetime.fromisoformat(r["received_at"])
        out.append(r)
    return out


def _in(period: dashboards.Period, r: dict, channel: str | None = None) -> bool:
    start, end = period.bounds
    return start <= r["received_at"] < end and (channel is None or r["channel"] == channel)


def _ids(stored, point, period, channel=None) -> set[int]:
    return {r["complaint_id"] for r in stored if r["point_id"] == point and _in(period, r, channel)}


def _drill_ids(ctx, params) -> set[int]:
    parsed = parse_qs(list_params(**params))
    found = queries.find(ctx, limit=10_000, **list_filters(ctx, parsed))
    assert found["total"] == len(found["items"])
    return {c["id"] for c in found["items"]}


def _pct(count, previous):
    return None if previous == 0 else round(100.0 * (count - previous) / previous, 1)


# ---- the dashboard's points view ------------------------------------------------------------------------
def test_points_count_and_compare_with_the_previous_period_as_the_stored_rows_do(ctx, scenario):
    d = dashboards.dashboard(ctx, NOV)
    tp = d["top_points"]
    stored = _stored(ctx)
    assert tp["previous_period"] == {"from": PREV.start, "to": PREV.end, "days": 30}

    now = Counter(r["point_id"] for r in stored if _in(NOV, r))
    before = Counter(r["point_id"] for r in stored if _in(PREV, r))
    got = {r["point_id"]: (r["count"], r["previous"], r["change_pct"]) for r in tp["rows"]}
    assert got == {p: (n, before[p], _pct(n, before[p])) for p, n in now.items()}
    # … and what the scenario was built to hold.
    assert got["collect_contacts"] == (5, 2, 150.0)  # 10-01 is outside the 30 days before; 12-01 after
    assert got["limit_cut"] == (2, 2, 0.0)
    assert got["app_function"] == (1, 3, -66.7)
    assert got["fee:信用评估费"] == (2, 0, None)
    assert "deduct_auto" not in got  # nothing this period: not in the ranking
    trend = {r["point_id"]: r["trend"] for r in tp["rows"]}
    assert (trend["collect_contacts"], trend["limit_cut"], trend["app_function"], trend["fee:信用评估费"]) == (
        "up", "flat", "down", "new")

    counts = [r["count"] for r in tp["rows"]]
    assert counts == sorted(counts, reverse=True) and tp["rows"][0]["point_id"] == "collect_contacts"
    names = {r["point_id"]: r["name_zh"] for r in tp["rows"]}
    assert names["collect_contacts"] == "催收联系通讯录联系人/亲友" and names["fee:信用评估费"] == "信用评估费"
    english = {r["point_id"]: r["name_en"] for r in tp["rows"]}
    assert english["collect_contacts"] == "Collectors contacting phone-book contacts / relatives"
    assert english["fee:信用评估费"] == "Fee: 信用评估费"   # a fee named in the text keeps its own name
    with_points = {r["complaint_id"] for r in stored if _in(NOV, r)}
    assert tp["with_points"] == len(with_points) == 10  # the eleven November complaints but PLAIN
    assert tp["received"] == 11 and tp["distinct_points"] == len(now)


def test_each_point_has_the_category_most_of_its_complaints_carry(ctx, scenario):
    tp = dashboards.complaint_points(ctx, NOV)
    stored = _stored(ctx)
    for row in tp["rows"]:
        cats = Counter(r["category"] for r in stored if r["point_id"] == row["point_id"] and _in(NOV, r))
        assert {c["code"]: c["count"] for c in row["categories"]} == dict(cats)
        assert row["category"] == row["categories"][0]["code"]
        assert cats[row["category"]] == max(cats.values())
    by_id = {r["point_id"]: r for r in tp["rows"]}
    assert by_id["collect_contacts"]["category"] == "debt_collection"
    assert by_id["collect_contacts"]["category_name_zh"] == "债务催收方式和手段"
    assert by_id["fee:信用评估费"]["category"] == "pricing_fees"

    # An agent's correction moves the complaint, and so the point, to the category the agent chose.
    ids = sorted(_ids(stored, "collect_contacts", NOV))
    for cid in ids[:3]:
        classification.correct(ctx, cid, SUP, category="personal_info", reason="实为信息泄露")
    row = next(r for r in dashboards.complaint_points(ctx, NOV)["rows"] if r["point_id"] == "collect_contacts")
    assert row["category"] == "personal_info" and [c["count"] for c in row["categories"]] == [3, 2]
    assert row["count"] == 5  # the points themselves stay


def test_every_point_drills_down_to_exactly_its_complaints_in_the_period(ctx, scenario):
    tp = dashboards.complaint_points(ctx, NOV)
    stored = _stored(ctx)
    for row in tp["rows"]:
        pid = row["point_id"]
        assert _drill_ids(ctx, row["params"]) == _ids(stored, pid, NOV), pid
        assert len(_drill_ids(ctx, row["params"])) == row["count"]
        assert _drill_ids(ctx, row["previous_params"]) == _ids(stored, pid, PREV), pid
        for c in row["categories"]:
            want = {r["complaint_id"] for r in stored if r["point_id"] == pid and _in(NOV, r) and r["category"] == c["code"]}
            assert _drill_ids(ctx, c["params"]) == want
    # Against the scenario: the November CONTACTS complaints, and the two FEE ones (a Chinese id in the URL).
    contacts = {cid for cid, txt, _ch, at in scenario if txt == CONTACTS and at.month == 11}
    row = next(r for r in tp["rows"] if r["point_id"] == "collect_contacts")
    assert len(contacts) == 5 and _drill_ids(ctx, row["params"]) == contacts
    fee = next(r for r in tp["rows"] if r["point_id"] == "fee:信用评估费")
    assert _drill_ids(ctx, fee["params"]) == {cid for cid, txt, _ch, _at in scenario if txt == FEE}
    assert "point=fee%3A%E4%BF%A1" in list_params(**fee["params"])


def test_channel_filter_and_top_n(ctx, scenario):
    stored = _stored(ctx)
    app = dashboards.complaint_points(ctx, NOV, channel="app")
    got = {r["point_id"]: (r["count"], r["previous"]) for r in app["rows"]}
    now = Counter(r["point_id"] for r in stored if _in(NOV, r, "app"))
    before = Counter(r["point_id"] for r in stored if _in(PREV, r, "app"))
    assert got == {p: (n, before[p]) for p, n in now.items()}
    assert got["collect_contacts"] == (4, 1) and got["fee:信用评估费"] == (1, 0)  # hotline and wechat left out
    row = next(r for r in app["rows"] if r["point_id"] == "collect_contacts")
    assert _drill_ids(ctx, row["params"]) == _ids(stored, "collect_contacts", NOV, "app")

    top2 = dashboards.complaint_points(ctx, NOV, top=2)["rows"]
    full = dashboards.complaint_points(ctx, NOV)["rows"]
    assert [r["point_id"] for r in top2] == [r["point_id"] for r in full[:2]]
    assert full[0]["count"] >= full[1]["count"] >= full[-1]["count"]
    with pytest.raises(InvalidValue):
        dashboards.complaint_points(ctx, NOV, top=0)
    with pytest.raises(InvalidValue):
        dashboards.complaint_points(ctx, NOV, channel="carrier_pigeon")


def test_a_period_without_points_says_so(ctx, scenario):
    empty = dashboards.complaint_points(ctx, dashboards.Period(date(2026, 6, 1), date(2026, 6, 30)))
    assert empty["rows"] == [] and empty["with_points"] == 0 and empty["received"] == 0


# ---- the monthly report ----------------------------------------------------------------------------------
def test_monthly_workbook_has_a_points_sheet_against_the_previous_month(ctx, scenario):
    out = reports.export(ctx, "monthly", "2026-11", SUP)
    wb = load_workbook(io.BytesIO(out["content"]))
    assert "诉点" in wb.sheetnames
    assert wb.sheetnames.index("诉点") == wb.sheetnames.index("投诉类别明细") + 1
    ws = wb["诉点"]
    header = [c.value for c in ws[2]]
    assert header == ["序号", "诉点", "诉点编码", "所属投诉类别", "最多的被投诉部门", "本月件数", "上月件数", "环比变化", "变化"]
    rows = {r[2]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[2]}

    stored = _stored(ctx)
    october = dashboards.Period(date(2026, 10, 1), date(2026, 10, 31))  # the calendar month, 31 days
    now = Counter(r["point_id"] for r in stored if _in(NOV, r))
    before = Counter(r["point_id"] for r in stored if _in(october, r))
    assert {code: (r[5], r[6]) for code, r in rows.items()} == {p: (n, before[p]) for p, n in now.items()}
    for code, r in rows.items():
        want = None if before[code] == 0 else round((now[code] - before[code]) / before[code], 4)
        assert r[7] == (pytest.approx(want) if want is not None else None)
    assert rows["collect_contacts"][5:] == (5, 3, pytest.approx(0.6667), "上升")  # 10-01 belongs to October
    assert rows["fee:信用评估费"][6:] == (0, None, "新出现")
    assert rows["collect_contacts"][3:5] == ("债务催收方式和手段", "—")  # these complaints name no branch
    assert ws.cell(3, 8).number_format == "0.0%"


# ---- API and CLI ------------------------------------------------------------------------------------------
def test_api_returns_the_points_in_the_dashboard_and_on_their_own(ctx, scenario):
    from fastapi.testclient import TestClient

    from xiaobao.api.app import create_app

    client = TestClient(create_app(ctx))
    token = client.post("/auth/login", json={"username": "supervisor", "password": PASSWORD}).json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    want = {r["point_id"]: (r["count"], r["previous"], r["change_pct"])
            for r in dashboards.complaint_points(ctx, NOV)["rows"]}
    d = client.get("/dashboards", params={"from": "2026-11-01", "to": "2026-11-30"}, headers=h).json()
    assert {r["point_id"]: (r["count"], r["previous"], r["change_pct"]) for r in d["top_points"]["rows"]} == want
    only = client.get("/dashboards/points", params={"from": "2026-11-01", "to": "2026-11-30", "top": 3}, headers=h)
    assert only.status_code == 200
    body = only.json()
    assert [r["point_id"] for r in body["rows"]] == list(want)[:3]
    assert body["previous_period"] == {"from": "2026-10-02", "to": "2026-10-31", "days": 30}
    fee = client.get("/dashboards/points", params={"from": "2026-11-01", "to": "2026-11-30"}, headers=h).json()
    assert next(r for r in fee["rows"] if r["point_id"] == "fee:信用评估费")["params"]["point"] == "fee:信用评估费"
    assert client.get("/dashboards/points", params={"top": 0}, headers=h).status_code == 422
    agent = client.post("/auth/login", json={"username": "agent", "password": PASSWORD}).json()["token"]
    assert client.get("/dashboards/points", headers={"Authorization": f"Bearer {agent}"}).status_code == 403


def test_cli_prints_the_points(ctx, scenario, tmp_path, monkeypatch):
    from xiaobao.cli import app

    monkeypatch.setenv("XIAOBAO_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("XIAOBAO_KEYFILE", str(tmp_path / "keys.json"))
    runner = CliRunner()
    out = runner.invoke(app, ["report", "points", "--from", "2026-11-01", "--to", "2026-11-30", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    want = dashboards.complaint_points(ctx, NOV)["rows"]
    assert [(r["point_id"], r["count"], r["previous"]) for r in data["rows"]] == [
        (r["point_id"], r["count"], r["previous"]) for r in want]
    shown = runner.invoke(app, ["report", "dashboard", "--from", "2026-11-01", "--to", "2026-11-30", "--points", "5"])
    assert shown.exit_code == 0, shown.output
    assert "诉点排行" in shown.output and "collect_contacts" in shown.output and "↑ 150%" in shown.output
    table = runner.invoke(app, ["report", "points", "--from", "2026-11-01", "--to", "2026-11-30"])
    assert table.exit_code == 0 and "新出现" in table.output and "fee:信用评估费" in table.output
    assert runner.invoke(app, ["report", "points", "--from", "2026-11-31"]).exit_code == 2


def test_previous_period_is_the_same_length_just_before():
    assert dashboards.previous_period(NOV) == PREV
    week = dashboards.Period(date(2026, 3, 2), date(2026, 3, 8))
    assert dashboards.previous_period(week) == dashboards.Period(date(2026, 2, 23), date(2026, 3, 1))
    assert dashboards.previous_period(week).days == week.days
    assert dashboards.change_pct(7, 5) == 40.0 and dashboards.change_pct(3, 0) is None
    assert dashboards.previous_period(NOV).end + timedelta(days=1) == NOV.start
