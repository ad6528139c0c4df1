"""Intake benchmark: bulk JSONL import throughput and API create-complaint latency, against peers
measured in the same run on the same machine.

    .venv/bin/python bench/intake.py [--rows 50000] [--api-seconds 15] [--rate 200] [--clients 50]
                                     [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--skip-pg]
                                     [--runs 3] [--peer-rows 10000] [--seed N] [--keep]

Not a test: it prints figures and ratios, and says whether the stated goals were met.

1. Import (goal: >= 5,000 complaints/s on one core into SQLite). N generated, varied, valid records in
   a JSONL file, imported with `xiaobao.services.complaints.intake.importing.import_file` into a fresh migrated database
   (median of --runs runs), then re-imported (an idempotent no-op). Peers, same records, same procedure:
     naive ORM  - parse_record + new_complaint_fields per record, `Complaint(**fields)` added through
                  the ORM and flushed for its id, one audit entry per complaint via `uow.audit.append`,
                  commit every 2,000. (It skips the duplicate and repeat-customer look-ups our path
                  does, so it is flattered, not handicapped.) Being slow, it takes the first
                  --peer-rows records only; its cost per record does not grow with the table.
     raw        - the JSON lines' fields as TEXT columns of a plain table, no validation, encryption,
                  audit or index, one transaction (stdlib sqlite3 executemany; psycopg executemany
                  and COPY on PostgreSQL): the ceiling for the engine on this machine.
2. API (goal: p99 <= 50 ms for POST /complaints at 200 req/s from 50 concurrent clients, loopback).
   The real server (`python -m xiaobao.cli serve`) runs as a subprocess; an open-loop load (requests
   scheduled every 1/rate s, handed to --clients workers) is driven over keep-alive connections with requests prepared as bytes (`Conn`: a light client, so the generator is not the bottleneck); latency counts from
   the scheduled send time, so queueing counts. Peer under the same load: GET /health (the floor of
   the framework and server on this machine). Also reported: server-process CPU per request, and
   the CPU busy on the whole machine (the load generator shares it: check it is not the bottleneck).

PostgreSQL: a throwaway database `xiaobao_bench_<random>` is created on the --pg-url server and dropped
at the end; no other database is touched. Every file goes to a temporary directory, removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import platform
import random
import shlex
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

# ---------------------------------------------------------------------------------------------------
# Record generation
# ---------------------------------------------------------------------------------------------------

AREAS = ("110105", "110108", "120101", "130102", "140105", "210102", "220102", "310104", "310115", "320102",
         "330106", "340104", "350203", "360102", "370202", "410105", "420106", "430104", "440106", "440305",
         "450103", "500103", "510104", "520102", "530102", "610113", "620102", "650102")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "185", "186", "187",
                   "188", "189", "191", "195", "198", "199")
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
            "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方")
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
         "超", "秀兰", "霞", "平", "刚", "桂英", "文", "华", "建国", "红梅", "玉兰", "志强", "海燕", "晓东", "丹",
         "辉", "鹏飞", "俊", "浩", "宇", "欣怡", "子涵", "雨萱", "梓轩", "浩然", "思远", "一鸣", "佳琪", "婷",
         "雪", "琳", "斌", "波", "凯", "慧", "建华", "国强", "淑珍", "德明", "春梅", "小红", "立新")
CITIES = ("北京市朝阳区", "上海市浦东新区", "广州市天河区", "深圳市南山区", "杭州市西湖区", "成都市武侯区",
          "武汉市洪山区", "南京市鼓楼区", "西安市雁塔区", "重庆市渝中区", "长沙市岳麓区", "郑州市金水区")
STREETS = ("建设路", "人民路", "解放大道", "中山路", "和平街", "长江路", "文化路", "新华路", "东风路", "科技园路")
PRODUCTS = ("消费分期", "现金贷", "信用贷", "循环额度", "购物分期", "教育分期", "医美分期", "家装分期", "车位分期")
APPS = ("App", "微信小程序", "官网", "合作商户", "线下门店")
REPAY_WAYS = ("银行卡自动扣款", "App主动还款", "微信支付", "对公转账")

OPENINGS = (
    "本人于{d}通过贵司{app}申请了{p}，借款金额{a}元，分{n}期还款。",
    "我是贵司{p}的客户，{d}起借款{a}元，一直通过{r}按时还款，从未逾期。",
    "{d}我在{app}办理了一笔{p}业务，合同金额{a}元，期限{n}个月。",
    "我于{d}在贵司借款{a}元用于日常消费，产品为{p}，约定分{n}期。",
    "本人{d}经合作商户推荐办理了贵司{p}，金额{a}元。",
)
ISSUES = {
    "pricing_fees": ("实际年化利率明显高于签约时页面展示的利率，合同中也没有清楚写明。",
                     "每期还款中多出一笔服务费和担保费，签约时工作人员从未告知。",
                     "提前还款时被收取了高额违约金，与客服之前的说法不一致。"),
    "debt_collection": ("因上月资金周转困难逾期了几天，催收人员每天打十几个电话，言语威胁。",
                        "催收人员多次拨打我的通讯录联系人，包括我的同事和年迈的父母，严重影响生活。",
                        "催收短信中称要上门并通知单位，还冒充律师发送所谓律师函。"),
    "repayment": ("我已按时还款，但系统显示逾期并重复扣款，银行流水可以证明。",
                  "自动扣款失败后没有任何提醒，第二天就产生了罚息。",
                  "还款后额度迟迟没有恢复，客服说要等待处理但一直没有结果。"),
    "credit_report": ("查询征信报告发现有一条逾期记录，但我从未逾期，要求更正。",
                      "结清贷款已经两个月，征信报告仍显示未结清，影响了我的房贷审批。"),
    "personal_info": ("我没有授权，贵司却将我的信息提供给第三方，导致我接到大量推销电话。",
                      "注销账户后仍然收到营销短信，说明我的个人信息没有被删除。"),
    "marketing": ("每天收到多条借款营销短信和电话，已多次要求退订仍未停止。",
                  "营销人员宣称零利息，实际借款后发现有各种费用。"),
    "service_attitude": ("多次拨打客服热线都无法接通人工，好不容易接通后客服态度恶劣直接挂断。",
                         "在线客服答非所问，反映的问题一周都没有人跟进。"),
    "credit_limit": ("无任何通知的情况下额度被降为零，影响了我的正常资金安排。",
                     "申请提额被拒后，原有额度也被冻结，客服无法说明原因。"),
    "bundling": ("借款时被默认勾选了会员服务和保险，每月额外扣费，我并不知情。",
                 "放款前被要求必须购买一份意外险，否则不予放款。"),
    "fraud_victim": ("有人冒充贵司客服以注销账户为由诱导我借款并转账，损失了全部借款。",
                     "我的身份信息被盗用在贵司借款，我本人从未申请过这笔贷款。"),
    "other": ("借款合同与电子签约时看到的版本不一致，要求提供完整合同。",
              "注销账户申请提交后一直显示处理中，无法完成。"),
}
FILLERS = ("我多次联系客服，每次都说会在三个工作日内回复，但至今没有任何结果。",
           "相关的聊天记录、通话录音和还款凭证我都已保存，可以随时提供。",
           "此事给我的工作和家庭生活造成了很大困扰，精神压力很大。",
           "我认为贵司的做法侵害了金融消费者的知情权和公平交易权。",
           "之前已经在App内提交过工单，编号不记得了，一直没有人处理。",
           "家里老人因为接到电话受到惊吓，身体也出现了不适。",
           "希望贵司能够认真对待消费者的诉求，依法依规处理。")
DEMANDS = ("要求贵司核实情况并书面答复。", "要求退还多收取的费用并赔礼道歉。", "要求立即停止骚扰我的家人和同事。",
           "要求更正征信记录并出具情况说明。", "要求取消搭售的服务并退还已扣费用。", "要求恢复额度并说明降额原因。",
           "要求提供完整借款合同及费用明细。", "要求减免罚息并协商还款方案。")
CLOSINGS = ("如果不能妥善处理，我将向金融监管部门反映。", "希望尽快处理，谢谢。", "请在法定期限内给我答复。", "")
REQUESTS = ("退还多收费用", "停止联系第三人并道歉", "更正征信记录", "减免罚息", "取消搭售服务并退费",
            "恢复额度", "提供完整合同", "书面答复并说明原因", "协商分期还款")
ORG_SUFFIX = ("商贸有限公司", "科技有限公司", "餐饮管理有限公司", "建材经营部", "物流有限公司")
ORG_WORDS = ("华信", "恒通", "鑫源", "嘉禾", "宏达", "锦程", "长青", "瑞丰", "汇美", "同创")
FLAG_CHOICES = (("elderly", 0.04), ("media_threat", 0.015), ("regulator_threat", 0.02), ("litigation_threat", 0.01),
                ("vulnerable", 0.01))
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
RAW_COLUMNS = (  # peer B's table: the intake record's fields as TEXT (plus unknown fields as JSON)
    "external_id", "channel", "received_at", "text", "request", "complainant_type", "customer_name",
    "customer_phone", "customer_id_number", "customer_id_type", "customer_no", "contact_address", "email",
    "org_name", "uscc", "legal_rep", "respondent_institution", "respondent_branch", "respondent_staff_ids",
    "product", "category", "flags", "agent_name", "agent_phone", "agent_id_number", "agent_relation",
    "power_of_attorney", "poa_scope", "poa_valid_until", "regulator_ref", "extras")


class RecordGen:
    """Valid, varied intake records: every channel, ~5% repeat customers, distinct phones and IDs."""

    def __init__(self, seed: int, channels: list[str], categories: list[str], now: datetime):
        from xiaobao.domain.identity import id_check_char

        self.rng = random.Random(seed)
        self.channels, self.categories, self.now = channels, categories, now
        self._check = id_check_char
        self.phones: set[str] = set()
        self.ids: set[str] = set()
        self.people: list[dict[str, str]] = []
        self.n = 0
        self.repeats = 0

    def phone(self) -> str:
        while True:
            p = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"
            if p not in self.phones:
                self.phones.add(p)
                return p

    def id_number(self) -> str:
        r = self.rng
        while True:
            born = date(r.randint(1945, self.now.year - 19), 1, 1) + timedelta(days=r.randrange(365))
            first17 = r.choice(AREAS) + born.strftime("%Y%m%d") + f"{r.randrange(1000):03d}"
            v = first17 + self._check(first17)
            if v not in self.ids:
                self.ids.add(v)
                return v

    def name(self) -> str:
        r = self.rng
        surname = r.choice(COMPOUND_SURNAMES) if r.random() < 0.02 else r.choice(SURNAMES)
        return surname + r.choice(GIVEN)

    def uscc(self) -> str:
        body = "9" + self.rng.choice("123") + self.rng.choice(AREAS) + "".join(
            self.rng.choice(USCC_CHARS) for _ in range(9))
        total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS))
        return body + USCC_CHARS[(31 - total % 31) % 31]

    def text(self, category: str, product: str) -> str:
        r = self.rng
        d = (self.now - timedelta(days=r.randint(30, 900))).strftime("%Y年%m月%d日")
        parts = [r.choice(OPENINGS).format(d=d, app=r.choice(APPS), p=product, a=r.randrange(2, 300) * 100,
                                           n=r.choice((3, 6, 9, 12, 18, 24, 36)), r=r.choice(REPAY_WAYS))]
        pool = list(ISSUES.get(category, ISSUES["other"]))
        r.shuffle(pool)
        parts += pool[: r.randint(1, len(pool))]
        fillers = list(FILLERS)
        r.shuffle(fillers)
        target = r.randint(100, 200)
        tail = r.choice(DEMANDS) + r.choice(CLOSINGS)
        for f in fillers:
            if sum(map(len, parts)) + len(tail) >= target:
                break
            if sum(map(len, parts)) + len(f) + len(tail) <= 200:
                parts.append(f)
        return "".join(parts) + tail

    def record(self, prefix: str = "BENCH") -> dict[str, Any]:
        r, i = self.rng, self.n
        self.n += 1
        channel = self.channels[i % len(self.channels)]
        category = r.choice(self.categories) if r.random() < 0.92 else None
        product = r.choice(PRODUCTS)
        at = self.now - timedelta(seconds=r.randint(300, 182 * 86400))
        received = at.strftime("%Y-%m-%d %H:%M:%S") if r.random() < 0.9 else at.strftime("%Y-%m-%dT%H:%M:%S+08:00")
        rec: dict[str, Any] = {
            "external_id": f"{prefix}-{channel[:3].upper()}-{at:%Y%m%d}-{i:08d}", "channel": channel,
            "received_at": received, "text": self.text(category or "other", product),
            "request": r.choice(REQUESTS), "product": product,
        }
        if category:
            rec["category"] = category
        if r.random() < 0.02:  # organisation complainant (Art.13: name, USCC, legal representative)
            rec.update(complainant_type="organisation",
                       org_name=self.rng.choice(CITIES)[:2] + r.choice(ORG_WORDS) + r.choice(ORG_SUFFIX),
                       uscc=self.uscc(), legal_rep=self.name(), customer_name=self.name(), customer_phone=self.phone())
        else:
            if self.people and r.random() < 0.05:
                person = r.choice(self.people)  # a repeat customer: same identity, new complaint
                self.repeats += 1
            else:
                person = {"customer_name": self.name(), "customer_phone": self.phone(),
                          "customer_id_number": self.id_number()}
                if r.random() < 0.3:
                    person["email"] = f"u{i}{r.choice(('@qq.com', '@163.com', '@126.com', '@foxmail.com'))}"
                if r.random() < 0.2:
                    person["contact_address"] = f"{r.choice(CITIES)}{r.choice(STREETS)}{r.randint(1, 999)}号"
                self.people.append(person)
            rec.update(person)
        if r.random() < 0.5:
            rec["customer_no"] = f"C{r.randrange(10 ** 9):09d}"
        if r.random() < 0.03:  # complaint through an agent (Art.14)
            rec.update(agent_name=self.name(), agent_relation=r.choice(("lawyer", "relative", "other")),
                       agent_phone=self.phone(), agent_id_number=self.id_number(),
                       power_of_attorney=f"POA-{r.randrange(10 ** 6):06d}", poa_scope="代为投诉及协商")
        flags = [f for f, p in FLAG_CHOICES if r.random() < p]
        if flags:
            rec["flags"] = flags
        if channel.startswith("regulator_"):
            rec["regulator_ref"] = f"{channel[-5:]}-{at:%Y%m%d}-{r.randrange(10 ** 5):05d}"
        if r.random() < 0.1:
            rec["respondent_branch"] = r.choice(CITIES)[:3] + "分公司"
            rec["respondent_staff_ids"] = [f"S{r.randrange(10 ** 4):04d}"]
        if r.random() < 0.1:  # unknown fields are kept as extras
            rec["source_system"] = r.choice(("crm", "ivr", "wechat_bot"))
            rec["ticket_priority"] = r.choice(("normal", "high"))
        return rec


def raw_row(rec: dict[str, Any]) -> tuple[str | None, ...]:
    out = []
    for c in RAW_COLUMNS[:-1]:
        v = rec.get(c)
        out.append(None if v is None else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)))
    extras = {k: v for k, v in rec.items() if k not in RAW_COLUMNS}
    out.append(json.dumps(extras, ensure_ascii=False) if extras else None)
    return tuple(out)


# ---------------------------------------------------------------------------------------------------
# Import: ours and peers
# ---------------------------------------------------------------------------------------------------

@dataclass
class Result:
    engine: str
    impl: str
    runs: list[float] = field(default_factory=list)  # rows/s per run
    note: str = ""

    @property
    def rate(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")


def log(msg: str) -> None:
    print(f"  · {msg}", file=sys.stderr, flush=True)


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def make_ctx(url: str, tmp: Path):
    from xiaobao.config import Settings
    from xiaobao.engines.privacy.vault import Vault
    from xiaobao.rules import load
    from xiaobao.services.context import Context
    from xiaobao.store.uow import Store

    settings = Settings(database_url=url, keyfile=str(tmp / "keys.json"), argon2="1,1024,1")
    return Context(store=Store(url), rules=load(), vault=Vault.generate(), settings=settings)


def ours_import(ctx, path: Path, tmp: Path):
    from xiaobao.services.complaints.intake.importing import import_file

    return import_file(ctx, path, actor="bench", errors_path=tmp / "errors.csv")


def naive_orm_import(ctx, path: Path, commit_every: int = 2000) -> int:
    """The straightforward way: one ORM object, one flush and one audit append per complaint."""
    from xiaobao.domain.complaint import Complaint
    from xiaobao.services.complaints.intake.storing import (
        created_audit,
        customer_key,
        new_complaint_fields,
    )
    from xiaobao.services.complaints.intake.drafts import parse_record
    from xiaobao.store.complaints.tables import map_domain

    map_domain()
    now = ctx.now()
    n = 0
    with path.open("rb") as f:
        lines = iter(f)
        done = False
        while not done:
            with ctx.store.uow() as uow:
                for _ in range(commit_every):
                    line = next(lines, None)
                    if line is None:
                        done = True
                        break
                    draft, errors = parse_record(json.loads(line), ctx.rules, now)
                    if errors:
                        raise RuntimeError(f"generated record rejected: {errors}")
                    key = customer_key(ctx, draft)
                    fields, route = new_complaint_fields(ctx, draft, now, key=key, repeat_of=None)
                    c = Complaint(**fields)
                    uow.session.add(c)
                    uow.session.flush()  # the audit entry names the complaint's id
                    uow.audit.append(now, "bench", "complaint.create", "complaint", str(c.id),
                                     created_audit(fields, route))
                    n += 1
                uow.commit()
    return n


def _raw_rows(path: Path):
    with path.open("rb") as f:
        for line in f:
            yield raw_row(json.loads(line))


def raw_sqlite(db: Path, path: Path) -> int:
    con = sqlite3.connect(db, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")  # the same durability settings as the project's engine
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute(f"CREATE TABLE raw_complaints ({', '.join(c + ' TEXT' for c in RAW_COLUMNS)})")

        def go():
            con.execute("BEGIN")
            con.executemany(f"INSERT INTO raw_complaints VALUES ({', '.join('?' * len(RAW_COLUMNS))})",
                            _raw_rows(path))
            con.execute("COMMIT")
            return con.execute("SELECT count(*) FROM raw_complaints").fetchone()[0]

        return go()
    finally:
        con.close()


def pg_dsn(sa_url: str) -> str:
    from sqlalchemy.engine import make_url

    u = make_url(sa_url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def raw_pg(dsn: str, path: Path, mode: str) -> int:
    import psycopg

    with psycopg.connect(dsn) as con:
        con.execute("DROP TABLE IF EXISTS bench_raw_complaints")
        con.execute(f"CREATE TABLE bench_raw_complaints ({', '.join(c + ' text' for c in RAW_COLUMNS)})")
        con.commit()
        with con.cursor() as cur:
            if mode == "copy":
                with cur.copy(f"COPY bench_raw_complaints ({', '.join(RAW_COLUMNS)}) FROM STDIN") as cp:
                    for row in _raw_rows(path):
                        cp.write_row(row)
            else:
                cur.executemany(f"INSERT INTO bench_raw_complaints VALUES ({', '.join(['%s'] * len(RAW_COLUMNS))})",
                                _raw_rows(path))
        con.commit()
        n = con.execute("SELECT count(*) FROM bench_raw_complaints").fetchone()[0]
        return n


def pg_truncate(url: str) -> None:
    from sqlalchemy import create_engine, text

    from xiaobao.domain.audit import GENESIS
    from xiaobao.store.audit import audit_head
    from xiaobao.store.schema import metadata

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(t.name for t in metadata.sorted_tables)} RESTART IDENTITY CASCADE"))
        # The state a fresh migration leaves: the audit chain's head row exists (the migration seeds it).
        conn.execute(audit_head.insert().values(id=1, seq=0, hash=GENESIS))
        conn.execute(text("DROP TABLE IF EXISTS bench_raw_complaints"))
    engine.dispose()


def count_rows(url: str) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM complaints")).scalar_one()
        a = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    engine.dispose()
    return n, a


def import_bench(engine: str, fresh_db: Callable[[int], str], jsonl: Path, n: int, tmp: Path, runs: int,
                 raw_fns: list[tuple[str, Callable[[int], int]]], peer_jsonl: Path, peer_n: int) -> list[Result]:
    """fresh_db(run) -> a SQLAlchemy URL of a freshly migrated, empty database."""
    ours = Result(engine, "xiaobao import_file")
    again = Result(engine, "xiaobao re-import (no-op)")
    naive = Result(engine, "peer A: naive ORM", note="" if peer_n == n else f"first {peer_n:,} records")
    for run in range(runs):
        url = fresh_db(run)
        ctx = make_ctx(url, tmp)
        try:
            secs, report = _timed(lambda ctx=ctx: ours_import(ctx, jsonl, tmp))
            if report.inserted != n or report.error_count:
                raise RuntimeError(f"import inserted {report.inserted}/{n}, {report.error_count} error rows "
                                   f"(see {report.errors_path}): {report.errors[:3]}")
            ours.runs.append(n / secs)
            log(f"{engine} ours run {run + 1}: {n / secs:,.0f} rows/s ({secs:.2f} s)")
            if run == runs - 1:
                stored, audited = count_rows(url)
                assert stored == n and audited >= n, (stored, audited)
                for k in range(runs):
                    secs, report = _timed(lambda ctx=ctx: ours_import(ctx, jsonl, tmp))
                    if report.inserted or report.duplicates != n:
                        raise RuntimeError(f"re-import was not a no-op: {report}")
                    again.runs.append(n / secs)
                    log(f"{engine} re-import run {k + 1}: {n / secs:,.0f} rows/s ({secs:.2f} s)")
        finally:
            ctx.store.dispose()
    for run in range(runs):
        url = fresh_db(run)
        ctx = make_ctx(url, tmp)
        try:
            secs, stored = _timed(lambda ctx=ctx: naive_orm_import(ctx, peer_jsonl))
            assert stored == peer_n
            naive.runs.append(peer_n / secs)
            log(f"{engine} naive ORM run {run + 1}: {peer_n / secs:,.0f} rows/s ({secs:.2f} s, {peer_n:,} rows)")
        finally:
            ctx.store.dispose()
    out = [ours, again, naive]
    for label, fn in raw_fns:
        res = Result(engine, label)
        for run in range(runs):
            secs, stored = _timed(lambda fn=fn, run=run: fn(run))
            assert stored == n, stored
            res.runs.append(n / secs)
            log(f"{engine} {label} run {run + 1}: {n / secs:,.0f} rows/s ({secs:.2f} s)")
        out.append(res)
    return out


# ---------------------------------------------------------------------------------------------------
# API latency
# ---------------------------------------------------------------------------------------------------

@dataclass
class Load:
    engine: str
    label: str
    scheduled: int = 0
    count: int = 0
    errors: int = 0
    error_sample: str = ""
    seconds: float = 0.0
    lat: list[float] = field(default_factory=list)  # from scheduled send time to response, seconds
    pickup: list[float] = field(default_factory=list)  # from scheduled time to a worker taking it
    server_cpu: float | None = None  # server process CPU over the phase, in cores (1.0 = one core busy)
    client_cpu: float | None = None  # this (load-generating) process, likewise
    host_cpu: float | None = None  # the whole machine (server, client, PostgreSQL, everything), likewise
    server_cpu_per_req: float | None = None  # server process CPU seconds per request

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def pct(self, p: float, xs: list[float] | None = None) -> float:
        xs = sorted(self.lat if xs is None else xs)
        if not xs:
            return float("nan")
        return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))] * 1000  # nearest rank


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Conn:
    """One keep-alive HTTP/1.1 connection with requests prepared as bytes: a load generator light
    enough not to be the bottleneck (httpx's AsyncClient took ≈ 5 ms of CPU a request here, as much
    as the server it measured)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        for attempt in (0, 1):
            try:
                if self.writer is None:
                    await self._open()
                self.writer.write(raw)
                head = await self.reader.readuntil(b"\r\n\r\n")
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                self.writer = None  # the server closed an idle connection: open another, once
                if attempt:
                    raise
        status = int(head[9:12])
        headers = head.lower()
        if b"transfer-encoding: chunked" in headers:
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n"))[:-2], 16)
                body += (await self.reader.readexactly(size + 2))[:-2]
                if size == 0:
                    return status, body
        i = headers.find(b"content-length:")
        n = int(headers[i + 15:headers.index(b"\r\n", i)]) if i >= 0 else 0
        return status, await self.reader.readexactly(n)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def http_request(method: str, path: str, host: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items()),
             f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode() + body


async def open_loop(conns: list[Conn], send: Callable[[Conn, int], Any], ok_status: int, rate: float,
                    seconds: float, clients: int, load: Load) -> Load:
    """Requests scheduled every 1/rate s regardless of completions, served by `clients` workers,
    each on its own connection."""
    loop = asyncio.get_running_loop()
    n = max(1, int(rate * seconds))
    load.scheduled = n
    queue: asyncio.Queue = asyncio.Queue()
    last_done = [0.0]

    async def worker(conn: Conn):
        while True:
            item = await queue.get()
            if item is None:
                return
            i, sched = item
            load.pickup.append(loop.time() - sched)
            try:
                status, body = await send(conn, i)
            except Exception as e:  # noqa: BLE001 - a failed request is a data point
                status, body = -1, f"{type(e).__name__}: {e}".encode()
            done = loop.time()
            last_done[0] = max(last_done[0], done)
            load.lat.append(done - sched)
            load.count += 1
            if status != ok_status:
                load.errors += 1
                if not load.error_sample:
                    load.error_sample = f"{status} {body[:300].decode(errors='replace')}"

    workers = [asyncio.create_task(worker(conns[k])) for k in range(clients)]
    t0 = loop.time() + 0.05
    for i in range(n):
        sched = t0 + i / rate
        delay = sched - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((i, sched))
    for _ in workers:
        queue.put_nowait(None)
    try:
        await asyncio.wait_for(asyncio.gather(*workers), timeout=seconds + 120)
    except TimeoutError:
        for w in workers:
            w.cancel()
        load.error_sample = load.error_sample or "load did not drain within 120 s of its end"
    load.seconds = max(last_done[0], t0 + (n - 1) / rate) - t0
    return load


async def drive(base: str, token: str, bodies: list[bytes], warm: list[bytes], args, engine: str,
                pid: int) -> list[Load]:
    host, port = base.removeprefix("http://").split(":")
    conns = [Conn(host, int(port)) for _ in range(args.clients)]
    auth = {"Authorization": f"Bearer {token}"}
    health_raw = http_request("GET", "/health", f"{host}:{port}", {})
    post = lambda body: http_request("POST", "/complaints", f"{host}:{port}",
                                     {**auth, "Content-Type": "application/json"}, body)
    create_raw, warm_raw = [post(b) for b in bodies], [post(b) for b in warm]
    health = lambda conn, i: conn.send(health_raw)
    create = lambda conn, i: conn.send(create_raw[i])
    try:
        # Warm-up (not reported): connections, the server's thread pool, statement caches. Gentle, so
        # no backlog is left behind for the measured phases.
        await open_loop(conns, health, 200, args.rate, 1.0, args.clients, Load(engine, "warm"))
        await open_loop(conns, lambda conn, i: conn.send(warm_raw[i]), 201, 50,
                        len(warm) / 50, min(args.clients, 10), Load(engine, "warm"))
        out = []
        for label, send, ok in (("GET /health (peer: framework floor)", health, 200),
                                ("POST /complaints (ours)", create, 201)):
            await asyncio.sleep(1.0)
            gc.collect()
            gc.freeze()  # the pre-built bodies etc. are not re-scanned: no collector pauses mid-phase
            log(f"{engine} API: {label} at {args.rate:g}/s for {args.api_seconds:g} s ...")
            s0, c0, h0, w0 = _proc_cpu_seconds(pid), _self_cpu(), _host_cpu(), time.perf_counter()
            ld = await open_loop(conns, send, ok, args.rate, args.api_seconds, args.clients, Load(engine, label))
            s1, c1, h1, w1 = _proc_cpu_seconds(pid), _self_cpu(), _host_cpu(), time.perf_counter()
            if s0 is not None and s1 is not None:
                ld.server_cpu = (s1 - s0) / (w1 - w0)
                ld.server_cpu_per_req = (s1 - s0) / max(1, ld.count)
            if h0 is not None and h1 is not None:
                ld.host_cpu = (h1 - h0) / (w1 - w0)
            ld.client_cpu = (c1 - c0) / (w1 - w0)
            out.append(ld)
        return out
    finally:
        for c in conns:
            c.close()


def run_cli(argv: list[str], env: dict[str, str], cwd: Path) -> None:
    p = subprocess.run([sys.executable, "-m", "xiaobao.cli", *argv], env=env, cwd=cwd, capture_output=True,
                       text=True, timeout=180, check=False)
    if p.returncode != 0:
        raise RuntimeError(f"xiaobao {' '.join(argv[:2])} failed ({p.returncode}): {p.stderr[-2000:]}")


def api_bench(engine: str, url: str, tmp: Path, args, gen: RecordGen) -> list[Load]:
    import httpx

    env = {k: v for k, v in os.environ.items() if not k.startswith("XIAOBAO_")}
    env.update(XIAOBAO_DATABASE_URL=url, XIAOBAO_KEYFILE=str(tmp / f"api-keys-{engine}.json"),
               XIAOBAO_ARGON2="1,1024,1", PYTHONUNBUFFERED="1")
    run_cli(["user", "add", "bench", "--role", "agent", "--password", "bench-password"], env, tmp)
    n = int(args.rate * args.api_seconds) + 1
    bodies = [json.dumps(gen.record(f"API{engine[:2].upper()}"), ensure_ascii=False).encode() for _ in range(n)]
    warm = [json.dumps(gen.record("WARM"), ensure_ascii=False).encode() for _ in range(100)]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logf = (tmp / f"server-{engine}.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "xiaobao.cli", "serve", "--port", str(port),
                             "--workers", str(args.workers)], env=env, cwd=tmp,
                            stdout=logf, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited ({proc.returncode}): "
                                   f"{(tmp / f'server-{engine}.log').read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not answer /health within 60 s")
            time.sleep(0.1)
        r = httpx.post(base + "/auth/login", json={"username": "bench", "password": "bench-password"}, timeout=10)
        r.raise_for_status()
        token = r.json()["token"]
        return asyncio.run(drive(base, token, bodies, warm, args, engine, proc.pid))
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        logf.close()


def _host_cpu() -> float | None:
    """Busy CPU seconds of the whole machine since boot (all cores), from /proc/stat."""
    try:
        v = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
    except (OSError, ValueError, IndexError):
        return None


def _self_cpu() -> float:
    t = os.times()
    return t.user + t.system


def _proc_cpu_seconds(pid: int) -> float | None:
    try:
        fields_ = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields_[11]) + int(fields_[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------

def create_pg_db(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"xiaobao_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_dsn(admin_url), autocommit=True, connect_timeout=5) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    from sqlalchemy.engine import make_url

    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return name, url


def pg_checkpoint(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_dsn(admin_url), autocommit=True, connect_timeout=5) as con:
        con.execute("CHECKPOINT")


def drop_pg_db(admin_url: str, name: str) -> None:
    import psycopg

    assert name.startswith("xiaobao_bench_")
    with psycopg.connect(pg_dsn(admin_url), autocommit=True, connect_timeout=5) as con:
        con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                    "AND pid <> pg_backend_pid()", (name,))
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')


def fmt_rate(x: float) -> str:
    return f"{x:,.0f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=50000, help="records in the import file (default 50000)")
    ap.add_argument("--runs", type=int, default=3, help="import runs per implementation; the median is reported")
    ap.add_argument("--peer-rows", type=int, default=10000,
                    help="peer A (naive ORM, several times slower) imports the first N of the records (0: all); its rate "
                         "is flat in N (one INSERT + audit append per record), this only bounds the run time")
    ap.add_argument("--api-seconds", type=float, default=15.0, help="seconds of load per API phase")
    ap.add_argument("--rate", type=float, default=200.0, help="scheduled requests per second")
    ap.add_argument("--clients", type=int, default=50, help="concurrent clients (and connections)")
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                    help="a PostgreSQL server to create the throwaway bench database on")
    ap.add_argument("--workers", type=int, default=1, help="API server processes (xiaobao serve --workers)")
    ap.add_argument("--skip-pg", action="store_true", help="SQLite only")
    ap.add_argument("--skip-import", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--skip-api", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=20261120)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (server logs, databases)")
    args = ap.parse_args()

    # A SIGTERM runs the finally blocks too (server stopped, database dropped, files removed).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from xiaobao.rules import load as load_rules
    from xiaobao.services.context import beijing_now
    from xiaobao.store.migrate import upgrade

    rules = load_rules()
    channels, categories = list(rules.channels), list(rules.categories)
    exe = os.path.relpath(sys.executable) if not os.path.relpath(sys.executable).startswith("..") else sys.executable
    cmdline = shlex.join([exe, *sys.argv])
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        nproc = str(len(os.sched_getaffinity(0)))
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor() or "?") if Path("/proc/cpuinfo").exists() else "?"

    h0, w0 = _host_cpu(), time.perf_counter()
    time.sleep(1.0)
    h1 = _host_cpu()
    background = None if h0 is None or h1 is None else (h1 - h0) / (time.perf_counter() - w0)

    tmp = Path(tempfile.mkdtemp(prefix="xiaobao-bench-"))
    pg_name = pg_url = None
    pg_version = ""
    results: list[Result] = []
    loads: list[Load] = []
    t_start = time.perf_counter()
    try:
        if not args.skip_pg:
            try:
                pg_name, pg_url = create_pg_db(args.pg_url)
            except Exception as e:  # noqa: BLE001
                print(f"PostgreSQL at {args.pg_url} is not usable ({e}); run with --skip-pg for SQLite only.",
                      file=sys.stderr)
                return 2
            import psycopg

            with psycopg.connect(pg_dsn(pg_url)) as con:
                pg_version = con.execute("SHOW server_version").fetchone()[0]
            upgrade(pg_url)

        print(f"xiaobao intake benchmark — {cmdline}")
        print(f"machine: nproc={nproc}, {cpu}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
              + (f", PostgreSQL {pg_version}" if pg_version else "") + f"; files in {tmp}")
        if background is not None:
            print(f"background load before the run: {background:.2f} of {nproc} cores busy"
                  + ("  ! the machine is not idle: figures are pessimistic" if background > 0.25 else ""))

        # -- data ---------------------------------------------------------------------------------
        gen = RecordGen(args.seed, channels, categories, beijing_now())
        jsonl = tmp / "complaints.jsonl"
        t0 = time.perf_counter()
        with jsonl.open("w", encoding="utf-8") as f:
            lengths = []
            for _ in range(args.rows):
                rec = gen.record()
                lengths.append(len(rec["text"]))
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        print(f"data: {args.rows:,} records, {jsonl.stat().st_size / 1e6:.1f} MB JSONL, {len(channels)} channels, "
              f"text {min(lengths)}–{max(lengths)} chars (median {statistics.median(lengths):.0f}), "
              f"{gen.repeats} repeat-customer records ({gen.repeats / args.rows:.1%}); "
              f"generated in {time.perf_counter() - t0:.1f} s")

        # -- import -------------------------------------------------------------------------------
        if not args.skip_import:
            peer_n = args.rows if args.peer_rows <= 0 else min(args.peer_rows, args.rows)
            peer_jsonl = jsonl
            if peer_n < args.rows:
                peer_jsonl = tmp / "complaints-peer.jsonl"
                with jsonl.open("rb") as src, peer_jsonl.open("wb") as dst:
                    for _, line in zip(range(peer_n), src):
                        dst.write(line)
            template = tmp / "template.db"
            upgrade(f"sqlite:///{template}")

            def fresh_sqlite(run: int) -> str:
                db = tmp / f"import-{run}.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                shutil.copy(template, db)
                return f"sqlite:///{db}"

            def raw_sqlite_run(run: int) -> int:
                db = tmp / f"raw-{run}.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                return raw_sqlite(db, jsonl)

            print(f"\n[1] bulk JSONL import (median of {args.runs} runs, fresh database each run)", flush=True)
            results += import_bench("SQLite", fresh_sqlite, jsonl, args.rows, tmp, args.runs,
                                    [("peer B: raw sqlite3 executemany", raw_sqlite_run)], peer_jsonl, peer_n)
            if pg_url:
                def fresh_pg(run: int) -> str:
                    pg_truncate(pg_url)
                    return pg_url

                def raw(mode: str):
                    def go(run: int) -> int:
                        pg_truncate(pg_url)
                        return raw_pg(pg_dsn(pg_url), jsonl, mode)
                    return go

                results += import_bench("PostgreSQL", fresh_pg, jsonl, args.rows, tmp, args.runs,
                                        [("peer B: raw psycopg executemany", raw("executemany")),
                                         ("peer B: raw psycopg COPY", raw("copy"))], peer_jsonl, peer_n)
                pg_truncate(pg_url)
            print(import_table(results))

        # -- API ----------------------------------------------------------------------------------
        if not args.skip_api:
            print(f"\n[2] API latency: open loop, {args.rate:g} req/s scheduled, {args.clients} clients, "
                  f"{args.api_seconds:g} s per phase; latency from the scheduled send time", flush=True)
            api_sqlite = tmp / "api.db"
            loads += api_bench("SQLite", f"sqlite:///{api_sqlite}", tmp, args, gen)
            if pg_url:
                # A database of its own, after a CHECKPOINT: the import phase churned hundreds of
                # thousands of rows, and its autovacuum and checkpoint work is not the API's to carry.
                drop_pg_db(args.pg_url, pg_name)
                pg_name, pg_url = create_pg_db(args.pg_url)
                upgrade(pg_url)
                pg_checkpoint(args.pg_url)
                loads += api_bench("PostgreSQL", pg_url, tmp, args, gen)
            print(api_table(loads))
            for ld in loads:
                if ld.errors:
                    print(f"  ! {ld.engine} {ld.label}: {ld.errors} errors, e.g. {ld.error_sample}")
                lag99 = ld.pct(99, ld.pickup)
                if lag99 > 5:
                    print(f"  ! {ld.engine} {ld.label}: requests waited for a free client "
                          f"(p99 {lag99:.1f} ms from schedule to send): all {args.clients} clients were busy")

        # -- summary --------------------------------------------------------------------------------
        print("\n[3] summary (markdown)\n")
        print(summary(results, loads, args, nproc, cpu, cmdline, pg_version,
                      time.perf_counter() - t_start, background))
        return 0
    finally:
        if pg_name:
            try:
                drop_pg_db(args.pg_url, pg_name)
            except Exception as e:  # noqa: BLE001
                print(f"warning: could not drop database {pg_name}: {e}", file=sys.stderr)
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def import_table(results: list[Result]) -> str:
    by = {(r.engine, r.impl): r for r in results}
    lines = [f"  {'engine':<11} {'implementation':<34} {'rows/s':>9}  {'runs (rows/s)':<28} ours/peer"]
    for r in results:
        ours = by[(r.engine, "xiaobao import_file")]
        ratio = f"{ours.rate / r.rate:.2f}×" if r.impl.startswith("peer") else ""
        lines.append(f"  {r.engine:<11} {r.impl:<34} {fmt_rate(r.rate):>9}  "
                     f"{', '.join(fmt_rate(x) for x in r.runs):<28} {ratio}" + (f"  ({r.note})" if r.note else ""))
    return "\n".join(lines)


def api_table(loads: list[Load]) -> str:
    lines = [(f"  {'engine':<11} {'request':<36} {'count':>6} {'err':>4} {'req/s':>7} {'p50':>7} {'p90':>7} "
              f"{'p99':>7} {'max':>7}  (ms) | server CPU ms/req | cores: server client host")]
    for ld in loads:
        lines.append(f"  {ld.engine:<11} {ld.label:<36} {ld.count:>6} {ld.errors:>4} {ld.rate:>7.1f} "
                     f"{ld.pct(50):>7.1f} {ld.pct(90):>7.1f} {ld.pct(99):>7.1f} {max(ld.lat) * 1000:>7.1f}"
                     f"   {_per_req(ld):>9}        {_cores(ld.server_cpu):>6} {_cores(ld.client_cpu):>6} {_cores(ld.host_cpu):>5}")
    return "\n".join(lines)


def _per_req(ld: Load) -> str:
    return "?" if ld.server_cpu_per_req is None else f"{ld.server_cpu_per_req * 1000:.2f}"


def _cores(x: float | None) -> str:
    return "?" if x is None else f"{x:.2f}"


def summary(results: list[Result], loads: list[Load], args, nproc: str, cpu: str, cmdline: str,
            pg_version: str, elapsed: float, background: float | None) -> str:
    by = {(r.engine, r.impl): r for r in results}
    out = [f"Intake benchmark — nproc {nproc} ({cpu}), Python {platform.python_version()}, "
           f"SQLite {sqlite3.sqlite_version}" + (f", PostgreSQL {pg_version}" if pg_version else "")
           + f"; `{cmdline}` ({elapsed:.0f} s)"
           + (f"; background load {background:.2f} cores at start" if background is not None else ""), ""]
    if results:
        out += [f"Bulk import of {args.rows:,} JSONL records, median of {args.runs} runs, one process:", "",
                "| engine | implementation | rows/s | ours / peer |", "|---|---|--:|--:|"]
        for r in results:
            ours = by[(r.engine, "xiaobao import_file")]
            ratio = f"{ours.rate / r.rate:.2f}×" if r.impl.startswith("peer") else "—"
            out.append(f"| {r.engine} | {r.impl}{f' ({r.note})' if r.note else ''} | {fmt_rate(r.rate)} | {ratio} |")
        sq = by.get(("SQLite", "xiaobao import_file"))
        if sq:
            out += ["", (f"Goal ≥ 5,000 complaints/s into SQLite: {'met' if sq.rate >= 5000 else 'NOT met'} "
                         f"({fmt_rate(sq.rate)}/s).")]
    if loads:
        out += ["", (f"API, open loop at {args.rate:g} req/s, {args.clients} clients, {args.api_seconds:g} s per "
                     "phase, loopback, latency from scheduled send (ms):"), "",
                ("| engine | request | count | errors | req/s | p50 | p90 | p99 | max | p99 ours / peer "
                 "| server CPU ms/req | host cores busy |"),
                "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
        floor = {ld.engine: ld for ld in loads if ld.label.startswith("GET /health")}
        for ld in loads:
            peer = floor.get(ld.engine)
            ratio = "—" if ld is peer or peer is None else f"{ld.pct(99) / peer.pct(99):.1f}×"
            out.append(f"| {ld.engine} | {ld.label} | {ld.count} | {ld.errors} | {ld.rate:.0f} | {ld.pct(50):.1f} | "
                       f"{ld.pct(90):.1f} | {ld.pct(99):.1f} | {max(ld.lat) * 1000:.1f} | {ratio} | {_per_req(ld)} "
                       f"| {_cores(ld.host_cpu)} / {nproc} |")
        verdicts = []
        for ld in loads:
            if ld.label.startswith("POST"):
                ok = ld.pct(99) <= 50 and ld.errors == 0 and ld.rate >= 0.95 * args.rate
                verdicts.append(f"{ld.engine} {'met' if ok else 'NOT met'} (p99 {ld.pct(99):.1f} ms, "
                                f"{ld.rate:.0f} req/s, {ld.errors} errors)")
        out += ["", f"Goal p99 ≤ 50 ms at {args.rate:g} req/s: " + "; ".join(verdicts) + "."]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
