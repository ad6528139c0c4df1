"""Tracing a complaint point to where it comes from (诉点溯源), on SQLite and PostgreSQL: complaints with a
known point, branch, product and channel taken in through `services.complaints.intake.storing.submit` across two periods; every
figure checked against counts made here from the scenario itself, every drill-down checked to list exactly
the complaints it counts, and the same figures through the API, the CLI and the console."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from tests.conftest import PASSWORD, console_login, record
from xiaobao.domain.errors import InvalidValue
from xiaobao.services.dashboards import figures as dashboards
from xiaobao.services.complaints.intake import storing as intake
from xiaobao.services.complaints import queries
from xiaobao.services.errors import NotFound
from xiaobao.web.list_params import list_filters, list_params

NOV = dashboards.Period(date(2026, 11, 1), date(2026, 11, 30))
CONTACTS = "催收人员打电话给我的通讯录联系人和家人。"   # collect_contacts
LIMIT = "额度突然被冻结了，借不出来。"                 # limit_cut: another point, same branches
A, B, POST = "委外催收机构（甲公司）", "委外催收机构（乙公司）", "贷后管理部"

# (text, branch, product, channel, received_at)
SCENARIO = [
    *[(CONTACTS, A, "消费分期", "app", f"2026-11-{d:02d} 10:00:00") for d in (2, 5, 9, 20)],
    (CONTACTS, B, "现金贷", "app", "2026-11-12 10:00:00"),
    (CONTACTS, POST, "消费分期", "hotline", "2026-11-30 23:30:00"),
    (CONTACTS, A, "消费分期", "app", "2026-10-08 10:00:00"),
    (CONTACTS, B, "现金贷", "app", "2026-10-09 10:00:00"),
    (CONTACTS, POST, "消费分期", "hotline", "2026-10-10 10:00:00"),
    (CONTACTS, POST, "消费分期", "hotline", "2026-10-11 10:00:00"),
    (CONTACTS, None, None, "app", "2026-10-02 00:00:00"),       # no branch, no product: "_none"
    (CONTACTS, A, "消费分期", "app", "2026-10-01 12:00:00"),    # before the previous period
    (CONTACTS, A, "消费分期", "app", "2026-12-01 00:00:00"),    # after November
    *[(LIMIT, A, "消费分期", "app", f"2026-11-{d:02d} 09:00:00") for d in (3, 4, 6)],
]
PREV = dashboards.Period(date(2026, 10, 2), date(2026, 10, 31))


@pytest.fixture
def scenario(ctx, users, clock):
    """[(complaint id, text, branch, product, channel, received_at)] in SCENARIO order."""
    clock.set(datetime(2026, 12, 2, 10, 0))
    out = []
    for n, (txt, branch, product, ch, at) in enumerate(SCENARIO, 1):
        r = record(n, external_id=f"TR-{n:03d}", text=txt, channel=ch, received_at=at, product=product or "",
                   respondent_branch=branch or "", category="debt_collection", customer_phone=f"1380000{n:04d}")
        r.pop("customer_id_number")
        c, _ = intake.submit(ctx, r, actor="agent")
        out.append((c.id, txt, branch, product, ch, datetime.fromisoformat(at)))
    return out


def _within(at: datetime, p: dashboards.Period) -> bool:
    return p.bounds[0] <= at < p.bounds[1]


def _expected(scenario, dim: str) -> dict[str, tuple[int, int]]:
    """value → (count this period, previous), straight from the scenario."""
    col = {"branch": 2, "product": 3, "channel": 4}[dim]
    cur = Counter(s[col] or "_none" for s in scenario if s[1] == CONTACTS and _within(s[5], NOV))
    prev = Counter(s[col] or "_none" for s in scenario if s[1] == CONTACTS and _within(s[5], PREV))
    return {v: (cur[v], prev[v]) for v in set(cur) | set(prev)}


def _ids(scenario, dim: str, value: str, p: dashboards.Period) -> set[int]:
    col = {"branch": 2, "product": 3, "channel": 4}[dim]
    return {s[0] for s in scenario if s[1] == CONTACTS and (s[col] or "_none") == value and _within(s[5], p)}


def test_a_point_splits_by_branch_product_and_channel_against_the_previous_period(ctx, scenario):
    d = dashboards.point_trace(ctx, NOV, "collect_contacts")
    assert (d["count"], d["previous"], d["change_pct"], d["trend"]) == (6, 5, 20.0, "up")
    assert d["name_zh"] and d["previous_period"] == {"from": PREV.start, "to": PREV.end, "days": 30}
    dims = {x["key"]: x for x in d["dimensions"]}
    assert list(dims) == ["branch", "product", "channel"]
    for key, dim in dims.items():
        got = {r["value"]: (r["count"], r["previous"]) for r in dim["rows"]}
        assert got == _expected(scenario, key), key
        assert [r["count"] for r in dim["rows"]] == sorted((r["count"] for r in dim["rows"]), reverse=True)
        assert sum(r["count"] for r in dim["rows"]) == 6 and dim["rest"] == {"count": 0, "previous": 0}
        for r in dim["rows"]:
            assert r["delta"] == r["count"] - r["previous"] and r["share"] == pytest.approx(r["count"] / 6)
    branch = {r["value"]: r for r in dims["branch"]["rows"]}
    assert branch[A]["change_pct"] == 300.0 and branch[POST]["trend"] == "down" and branch["_none"]["name_zh"] == "未填写"
    # the rise of the point (+1) comes from agency 甲 (+3), though other branches fell
    assert dims["branch"]["rise_from"] == {"value": A, "name_zh": A, "name_en": A, "delta": 3, "of_rise": 3.0}
    assert dims["product"]["rise_from"]["value"] == "消费分期"
    assert {r["value"]: r["name_zh"] for r in dims["channel"]["rows"]} == {
        code: ctx.rules.channels[code].name_zh for code in ("app", "hotline")}


def test_every_figure_drills_down_to_exactly_its_complaints(ctx, scenario):
    d = dashboards.point_trace(ctx, NOV, "collect_contacts")
    listed = lambda params: {x["id"] for x in queries.find(ctx, **list_filters(ctx, params), limit=500)["items"]}
    assert listed(d["params"]) == {s[0] for s in scenario if s[1] == CONTACTS and _within(s[5], NOV)}
    assert listed(d["previous_params"]) == {s[0] for s in scenario if s[1] == CONTACTS and _within(s[5], PREV)}
    for dim in d["dimensions"]:
        for r in dim["rows"]:
            assert listed(r["params"]) == _ids(scenario, dim["key"], r["value"], NOV), (dim["key"], r["value"])
            assert listed(r["previous_params"]) == _ids(scenario, dim["key"], r["value"], PREV), (dim["key"], r["value"])
    # the branch filter reads the query string as the console writes it (a name may hold a comma)
    assert list_filters(ctx, {"branch": ["委外催收机构（甲,乙）", "_none"]})["branch"] == ("委外催收机构（甲,乙）", "_none")


def test_the_points_view_and_the_monthly_sheet_name_the_branch_most_complaints_come_from(ctx, scenario):
    from io import BytesIO

    from openpyxl import load_workbook

    from xiaobao.domain.roles import Role
    from xiaobao.services.reports import workbooks as reports
    from xiaobao.services.actors import Actor

    row = next(r for r in dashboards.complaint_points(ctx, NOV)["rows"] if r["point_id"] == "collect_contacts")
    assert (row["top_branch"]["name"], row["top_branch"]["count"]) == (A, 4)
    listed = queries.find(ctx, **list_filters(ctx, row["top_branch"]["params"]), limit=500)["items"]
    assert {x["id"] for x in listed} == _ids(scenario, "branch", A, NOV)
    limit = next(r for r in dashboards.complaint_points(ctx, NOV)["rows"] if r["point_id"] == "limit_cut")
    assert limit["top_branch"]["count"] == 3  # its own complaints, not collect_contacts'
    wb = load_workbook(BytesIO(reports.export(ctx, "monthly", "2026-11", Actor("supervisor", Role.SUPERVISOR))["content"]))
    sheet = {r[2]: r for r in wb["诉点"].iter_rows(min_row=3, values_only=True) if r[2]}
    assert sheet["collect_contacts"][4] == f"{A}（4 件）"


def test_channel_filter_top_and_a_period_without_the_point(ctx, scenario):
    app_only = dashboards.point_trace(ctx, NOV, "collect_contacts", channel="app")
    assert (app_only["count"], app_only["previous"]) == (5, 3)
    assert {r["value"] for r in app_only["dimensions"][0]["rows"]} == {A, B, "_none"}  # hotline's 贷后管理部 gone
    one = dashboards.point_trace(ctx, NOV, "collect_contacts", top=1)
    branch = one["dimensions"][0]
    assert [r["value"] for r in branch["rows"]] == [A] and branch["distinct"] == 4
    assert branch["rest"] == {"count": 2, "previous": 4}
    quiet = dashboards.point_trace(ctx, dashboards.Period(date(2026, 6, 1), date(2026, 6, 30)), "collect_contacts")
    assert (quiet["count"], quiet["previous"], quiet["dimensions"][0]["rows"]) == (0, 0, [])
    fell = dashboards.point_trace(ctx, dashboards.Period(date(2026, 10, 2), date(2026, 10, 31)), "collect_contacts")
    assert fell["count"] == 5 and all(dim["rise_from"] is None or dim["rise_from"]["delta"] > 0 for dim in fell["dimensions"])
    with pytest.raises(NotFound):
        dashboards.point_trace(ctx, NOV, "no_such_point")
    with pytest.raises(InvalidValue):
        dashboards.point_trace(ctx, NOV, "x" * 81)
    with pytest.raises(InvalidValue):
        dashboards.point_trace(ctx, NOV, "collect_contacts", channel="carrier_pigeon")


def test_api_cli_and_console_show_the_same_trace(ctx, scenario, tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from xiaobao.api.app import create_app
    from xiaobao.cli import app

    want = dashboards.point_trace(ctx, NOV, "collect_contacts")
    client = TestClient(create_app(ctx))
    login = lambda u: {"Authorization": "Bearer " + client.post(
        "/auth/login", json={"username": u, "password": PASSWORD}).json()["token"]}
    sup = login("supervisor")
    got = client.get("/dashboards/points/collect_contacts", params={"from": "2026-11-01", "to": "2026-11-30"}, headers=sup)
    assert got.status_code == 200
    body = got.json()
    assert (body["count"], body["previous"]) == (want["count"], want["previous"])
    assert body["dimensions"][0]["rise_from"]["value"] == A
    assert client.get("/dashboards/points/no_such_point", headers=sup).status_code == 404
    assert client.get("/dashboards/points/collect_contacts", headers=login("agent")).status_code == 403

    monkeypatch.setenv("XIAOBAO_DATABASE_URL", ctx.settings.database_url)
    monkeypatch.setenv("XIAOBAO_KEYFILE", str(tmp_path / "keys.json"))
    runner = CliRunner()
    out = runner.invoke(app, ["report", "point", "collect_contacts", "--from", "2026-11-01", "--to", "2026-11-30"])
    assert out.exit_code == 0, out.output
    assert "本期 6 件" in out.output and f"增量主要来自：{A}（+3 件；全部净增 +1 件）" in out.output
    as_json = runner.invoke(app, ["report", "point", "collect_contacts", "--from", "2026-11-01", "--to", "2026-11-30",
                                  "--json"])
    assert json.loads(as_json.output)["count"] == 6
    assert runner.invoke(app, ["report", "point", "no_such_point"]).exit_code == 2

    console = TestClient(create_app(ctx))
    r = console_login(console, "supervisor")
    assert r.status_code in (302, 303)
    board = console.get("/ui/dashboards", params={"from": "2026-11-01", "to": "2026-11-30"})
    link = f"/ui/dashboards/points/{quote('collect_contacts', safe='')}?from=2026-11-01&amp;to=2026-11-30"
    assert link in board.text
    page = console.get("/ui/dashboards/points/collect_contacts", params={"from": "2026-11-01", "to": "2026-11-30"})
    assert page.status_code == 200
    assert 'data-testid="trace-summary" data-count="6" data-previous="5"' in page.text
    assert f'data-testid="rise-from-branch" data-value="{A}"' in page.text
    assert f'<tr data-value="{A}" data-count="4" data-previous="1">' in page.text
    drill = list_params(**want["dimensions"][0]["rows"][0]["params"]).replace("&", "&amp;")
    assert f'href="/ui/workbench?{drill}"' in page.text
    en = console.get("/ui/dashboards/points/collect_contacts", params={"from": "2026-11-01", "to": "2026-11-30",
                                                                        "lang": "en"})
    assert "By branch or department" in en.text and "Most of the rise comes from" in en.text
    assert console.get("/ui/dashboards/points/no_such_point").status_code == 404
