"""Marketing pre-review use cases: check, submit, review, "is this exact content approved?",
publications and the coverage report. Every human decision is audited with who, when and why."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime
from typing import Any

from xiaobao.domain.errors import DomainError, InvalidValue, RecusalRequired
from xiaobao.domain.review import MATERIAL_REVIEW, IllegalReview
from xiaobao.engines.marketing import Result, default_engine
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.errors import Conflict, NotFound
from xiaobao.services.loading import load_or_404

FORMATS = ("text", "markdown", "html")
DECISION_ZH = {d.name: d.name_zh for d in MATERIAL_REVIEW.decisions.values()}
MAX_CONTENT = 200_000


class NotDecidable(DomainError):
    code = "illegal_transition"


def normalised_content(content: str) -> str:
    """What the fingerprint covers: the content as a reader sees it, independent of how it was saved
    (NFC, any line ending → LF, no leading/trailing whitespace). Any visible change — a character,
    a digit, full-width for half-width — changes the fingerprint."""
    return unicodedata.normalize("NFC", content.replace("\r\n", "\n").replace("\r", "\n")).strip()


def fingerprint(content: str) -> str:
    return hashlib.sha256(normalised_content(content).encode("utf-8")).hexdigest()


def check(text: str, fmt: str | None = None, title: str = "", rules_dir: str | None = None) -> Result:
    """The engine's findings; `rules_dir` None: the rules in force (XIAOBAO_RULES_DIR, else bundled)."""
    return default_engine(rules_dir).analyze(text, fmt, title=title)


def result_dict(material_id: Any, r: Result) -> dict[str, Any]:
    """The `xiaobao marketing check` line contract (APRs in percent, null when no rate)."""
    return {"material_id": material_id, "compliant": r.compliant, "violations": r.violations(),
            "apr_min": r.apr_min, "apr_max": r.apr_max}


def _text(data: dict, name: str, limit: int, required: bool = True) -> str:
    v = data.get(name)
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            raise InvalidValue(name, "必填")
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str):
        raise InvalidValue(name, "应为字符串")
    v = v.strip() if name != "content" else v
    if len(v) > limit:
        raise InvalidValue(name, f"过长（{len(v)} 字符，上限 {limit}）")
    return v


def validate(ctx: Context, data: dict) -> dict[str, Any]:
    channels = default_engine(ctx.settings.rules_dir).pack.channels
    channel = _text(data, "channel", 40)
    if channels and channel not in channels:
        raise InvalidValue("channel", f"未知渠道 {channel!r}（可选：{', '.join(channels)}）")
    fmt = _text(data, "format", 10, required=False).lower() or None
    if fmt is not None and fmt not in FORMATS:
        raise InvalidValue("format", f"应为 {' / '.join(FORMATS)}")
    content = _text(data, "content", MAX_CONTENT)
    if not normalised_content(content):
        raise InvalidValue("content", "内容为空")
    return {"ref": _text(data, "ref", 100), "version": _text(data, "version", 40), "channel": channel,
            "product": _text(data, "product", 100), "title": _text(data, "title", 500, required=False),
            "format": fmt, "content": content}


def material_view(m: dict[str, Any], reviews: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out = {k: m[k] for k in ("id", "ref", "version", "channel", "product", "title", "format", "status",
                             "fingerprint", "apr_min", "apr_max", "submitted_by", "decided_by")}
    out["submitted_at"] = m["submitted_at"].isoformat()
    out["decided_at"] = m["decided_at"].isoformat() if m["decided_at"] else None
    out["findings"] = m["findings"]
    out["compliant"] = not m["findings"]
    if reviews is not None:
        out["content"] = m["content"]
        out["reviews"] = [{"decision": r["decision"], "decision_zh": DECISION_ZH.get(r["decision"], r["decision"]),
                           "reviewer": r["reviewer"], "at": r["at"].isoformat(), "comment": r["comment"],
                           "fingerprint": r["fingerprint"], "findings_seen": r["findings_seen"]} for r in reviews]
    return out


def submit(ctx: Context, actor: Actor, data: dict) -> tuple[dict[str, Any], bool]:
    """Submit one version of a material; the engine's findings are stored with it. Idempotent on
    (ref, version): the same content again returns the stored row; different content is a conflict."""
    v = validate(ctx, data)
    fp = fingerprint(v["content"])
    result = check(v["content"], v["format"], v["title"], ctx.settings.rules_dir)
    now = ctx.now()
    with ctx.store.uow() as uow:
        repo = uow.marketing
        existing = repo.by_ref(v["ref"], v["version"])
        if existing is not None:
            if existing["fingerprint"] != fp:
                raise Conflict(f"物料 {v['ref']} 版本 {v['version']} 已提交且内容不同：修改后请以新版本号提交",
                               ref=v["ref"], version=v["version"])
            return material_view(existing), False
        row = {**v, "format": v["format"] or result_format(v["content"]), "fingerprint": fp,
               "status": MATERIAL_REVIEW.initial, "findings": [f.to_dict() for f in result.findings],
               "apr_min": result.apr_min, "apr_max": result.apr_max, "submitted_by": actor.username,
               "submitted_at": now}
        mid = repo.add_material(row)
        uow.audit.append(now, actor.username, "marketing.submit", "marketing_material", str(mid),
                         {"ref": v["ref"], "version": v["version"], "channel": v["channel"], "fingerprint": fp,
                          "findings": sorted({f.kind for f in result.findings})})
        uow.commit()
        return material_view({**row, "id": mid, "decided_by": None, "decided_at": None}), True


def result_format(content: str) -> str:
    from xiaobao.engines.marketing.document import guess_format

    return guess_format(content)


def review(ctx: Context, actor: Actor, material_id: int, decision: str, comment: str = "") -> dict[str, Any]:
    """A reviewer's decision. Approval records the fingerprint of the exact content reviewed; approving
    despite automatic findings, rejecting and requesting changes all need a comment (the why)."""
    d = MATERIAL_REVIEW.decision(decision)
    decision = d.name
    comment = (comment or "").strip()
    now = ctx.now()
    with ctx.store.uow() as uow:
        repo = uow.marketing
        m = load_or_404(lambda: repo.material(material_id, for_update=True), f"营销物料 #{material_id}",
                        f"marketing material #{material_id}", material_id=material_id)
        if m["submitted_by"] == actor.username:
            raise RecusalRequired("提交人不得审核自己提交的物料（四眼原则）", material_id=material_id)
        try:
            status = MATERIAL_REVIEW.move(m["status"], decision)
        except IllegalReview:
            raise NotDecidable(f"物料当前状态为 {m['status']}，不能{d.name_zh}；修改后请提交新版本",
                               current=m["status"], target=d.to) from None
        if not comment and (decision != "approve" or m["findings"]):
            why = "存在自动识别的问题，通过须说明理由" if decision == "approve" else f"{d.name_zh}须说明理由"
            raise InvalidValue("comment", why)
        seen = sorted({f["rule_id"] for f in m["findings"]})
        repo.add_review({"material_id": material_id, "decision": decision, "reviewer": actor.username, "at": now,
                         "comment": comment, "fingerprint": m["fingerprint"], "findings_seen": seen})
        repo.set_status(material_id, status, actor.username, now)
        uow.audit.append(now, actor.username, f"marketing.{decision}", "marketing_material", str(material_id),
                         {"before": m["status"], "after": status, "reason": comment,
                          "fingerprint": m["fingerprint"], "findings_seen": seen})
        uow.commit()
        return material_view({**m, "status": status, "decided_by": actor.username, "decided_at": now},
                             repo.reviews(material_id))


def get(ctx: Context, material_id: int) -> dict[str, Any]:
    with ctx.store.uow(write=False) as uow:
        repo = uow.marketing
        m = load_or_404(lambda: repo.material(material_id), f"营销物料 #{material_id}",
                        f"marketing material #{material_id}", material_id=material_id)
        return material_view(m, repo.reviews(material_id))


def list_materials(ctx: Context, status: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
    with ctx.store.uow(write=False) as uow:
        return [material_view(m) for m in uow.marketing.materials(status, limit, offset)]


def approval(ctx: Context, content: str, channel: str | None = None) -> dict[str, Any]:
    """Is this exact content approved (for this channel)? Any change to the content → not approved."""
    fp = fingerprint(content)
    with ctx.store.uow(write=False) as uow:
        found = uow.marketing.approved_with(fp)
    if channel:
        found = [m for m in found if m["channel"] == channel]
    if not found:
        return {"approved": False, "fingerprint": fp, "channel": channel,
                "message": "未找到与该内容完全一致的已通过物料", "message_en": "No approved material has exactly this content"}
    m = found[0]
    return {"approved": True, "fingerprint": fp, "channel": m["channel"], "material_id": m["id"], "ref": m["ref"],
            "version": m["version"], "approved_by": m["decided_by"], "approved_at": m["decided_at"].isoformat(),
            "message": "内容与已通过的物料完全一致", "message_en": "Exactly matches an approved material"}


def record_publication(ctx: Context, actor: Actor, data: dict) -> tuple[dict[str, Any], bool]:
    """The publishing side reports what went out; whether it was approved is decided now, by fingerprint."""
    channel = _text(data, "channel", 40)
    external_id = _text(data, "external_id", 128)
    content = data.get("content")
    fp = data.get("fingerprint")
    if content:
        fp = fingerprint(_text(data, "content", MAX_CONTENT))
    elif not (isinstance(fp, str) and len(fp) == 64 and all(c in "0123456789abcdef" for c in fp)):
        raise InvalidValue("content", "须提供 content（发布的内容）或 64 位十六进制 fingerprint")
    published_at = data.get("published_at") or ctx.now()
    if isinstance(published_at, str):
        try:
            published_at = datetime.fromisoformat(published_at)
        except ValueError as e:
            raise InvalidValue("published_at", f"时间格式无效：{published_at!r}") from e
    now = ctx.now()
    with ctx.store.uow() as uow:
        repo = uow.marketing
        existing = repo.publication(channel, external_id)
        if existing is not None:
            if existing["fingerprint"] != fp:
                raise Conflict(f"发布记录 {channel}/{external_id} 已存在且内容不同", channel=channel,
                               external_id=external_id)
            return _pub_view(existing), False
        approved = [m for m in repo.approved_with(fp) if m["channel"] == channel]
        row = {"channel": channel, "external_id": external_id, "fingerprint": fp, "published_at": published_at,
               "recorded_by": actor.username, "approved": bool(approved),
               "material_id": approved[0]["id"] if approved else None}
        pid = repo.add_publication(row)
        uow.audit.append(now, actor.username, "marketing.publish", "marketing_publication", str(pid),
                         {"channel": channel, "external_id": external_id, "fingerprint": fp,
                          "approved": bool(approved)})
        uow.commit()
        return _pub_view({**row, "id": pid}), True


def _pub_view(p: dict[str, Any]) -> dict[str, Any]:
    return {"id": p["id"], "channel": p["channel"], "external_id": p["external_id"], "fingerprint": p["fingerprint"],
            "published_at": p["published_at"].isoformat(), "approved": p["approved"], "material_id": p["material_id"]}


def coverage(ctx: Context, since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
    """Published vs approved: every publication in the period, whether its exact content was approved."""
    with ctx.store.uow(write=False) as uow:
        repo = uow.marketing
        pubs = repo.publications(since, until)
        statuses = repo.count_by_status()
    by_channel: dict[str, dict[str, int]] = {}
    for p in pubs:
        c = by_channel.setdefault(p["channel"], {"published": 0, "approved": 0})
        c["published"] += 1
        c["approved"] += int(p["approved"])
    for c in by_channel.values():
        c["coverage"] = round(c["approved"] / c["published"], 4) if c["published"] else None
    total, ok_ = len(pubs), sum(p["approved"] for p in pubs)
    return {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
            "published": total, "approved": ok_, "coverage": round(ok_ / total, 4) if total else None,
            "by_channel": dict(sorted(by_channel.items())), "materials_by_status": dict(sorted(statuses.items())),
            "unapproved": [_pub_view(p) for p in pubs if not p["approved"]]}


def actor_named(ctx: Context, username: str, permission: str) -> Actor:
    """The CLI acts as a named user; their role must allow the permission (checked like the API)."""
    from xiaobao.domain.roles import Role
    from xiaobao.services.errors import Forbidden

    with ctx.store.uow(write=False) as uow:
        user = uow.users.get(username)
    if user is None or not user["active"]:
        raise NotFound(f"用户 {username} 不存在或已停用", username=username)
    if not ctx.rules.permissions.allows(user["role"], permission):
        raise Forbidden(f"角色 {user['role']} 无权执行 {permission}", permission=permission)
    return Actor(user["username"], Role(user["role"]), user["staff_id"], user["team"], user["display_name"])
