"""A complaint's free text (its facts `text` and its request `request`) stored protected.

What is stored in `text`/`request` is the display-masked text: every PII span the privacy engine
finds, and every occurrence of the complainant's own structured values (name, phone, ID, e-mail,
address, agent details), masked under the `display` policy. Where masking changed a field, its
original is kept in `sealed_text`, AES-GCM encrypted by the vault with the field name bound in as
associated data. So whatever reads the columns — lists, exports, reports, a console, an ad-hoc SQL
query — gets masked text; only code that asks decrypts: the detectors that need the real contacts
(black/gray triage, classification training) through `original`, and people with `pii.view` who ask
to reveal (audited, see `views`).

Masks keep the text's length (C3 secrets, which the display policy removes, are starred out here
instead), so offsets that engines computed on the original still point at the same words.

Rows stored before this protection (`sealed_text` NULL) hold clear text: `shown` masks them on the
fly and `original` returns them as they are; `protect_stored` seals them in place.

What handlers write into a decision (处理意见: what was verified, the reasons) or a 核查 decision is
sent to the customer and read by every role, so it is kept the same way: stored masked, its original
sealed under "<section>.<field>" (`protect_handler_text`), shown masked (`shown_handler_text`, which
also masks decisions written before this protection), revealed only through `originals_of`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from xiaobao.engines.privacy.operators import Operators, load_operator_config
from xiaobao.engines.privacy.policy import Anonymizer, Policy, get_policy
from xiaobao.engines.privacy.recognizers import Hit
from xiaobao.engines.privacy.scanner import default_scanner, resolve
from xiaobao.rules import rules_dir as rules_in_force
from xiaobao.services.context import Context

FIELDS = ("text", "request")
HANDLER_TEXT = {"decision": ("verification", "reasons"), "review": ("reasons",)}
# The complainant's own structured values, searched for literally in the free text (a name the
# recognizers would miss without a cue word is still the complainant's name): field → PII type.
_KNOWN = {"name": "PERSON_NAME", "agent_name": "PERSON_NAME", "legal_rep": "PERSON_NAME",
          "phone": "CN_MOBILE", "agent_phone": "CN_MOBILE", "id_number": "CN_ID_CARD",
          "agent_id_number": "CN_ID_CARD", "email": "EMAIL", "address": "ADDRESS"}


@lru_cache(maxsize=8)
def _masking(directory: Path) -> tuple[Anonymizer, Policy]:
    # Masks need no key: the display policy neither tokenises nor encrypts. One per rules directory.
    anon = Anonymizer(Operators(None, load_operator_config(directory)), default_scanner(directory))
    display = get_policy("display", directory)
    c3 = {name: "mask" for name, spec in anon.scanner.config.types.items()
          if spec.level == "C3" and name not in display.operators}
    return anon, dataclasses.replace(display, operators={**c3, **display.operators})


def _known_hits(text: str, known: Mapping[str, str], types: Mapping[str, Any]) -> list[Hit]:
    out = []
    for f, value in known.items():
        kind = _KNOWN.get(f)
        if not kind or not value or len(value) < 2 or value not in text:
            continue
        if kind == "CN_ID_CARD" and len(value) != 18:
            kind = "CN_PASSPORT"  # other document numbers are masked like a passport number
        level = types[kind].level if kind in types else "C2"
        start = text.find(value)
        while start >= 0:
            out.append(Hit(kind, start, start + len(value), 1.0, level))
            start = text.find(value, start + len(value))
    return out


def mask_many(texts: Sequence[str], known: Sequence[Mapping[str, str] | None] | None = None,
              rules_dir: str | None = None) -> list[str]:
    """Display-masked `texts` (scanned in batches); each also masks its own `known` structured values."""
    anon, policy = _masking(rules_in_force(rules_dir))
    scanner = anon.scanner
    out = []
    for i, (text, hits) in enumerate(zip(texts, scanner.scan_many(texts))):
        extra = _known_hits(text, known[i], scanner.config.types) if known and known[i] and text else []
        if extra:
            hits = resolve(hits + extra, scanner.min_score, scanner.rank)
        out.append(anon.apply(text, hits, policy) if hits else text)
    return out


def mask(text: str) -> str:
    return mask_many([text])[0]


def _seal(ctx: Context, originals: Sequence[tuple[str, str]], masked: Sequence[tuple[str, str]]) -> dict[str, str]:
    return {f: ctx.vault.encrypt(o, f) for f, o, m in zip(FIELDS, originals, masked) if o != m}


def protect(ctx: Context, drafts: Sequence[Any]) -> list[tuple[str, str, dict[str, str]]]:
    """Intake drafts (`.text`, `.request`, `.pii`) → (masked text, masked request, sealed originals)."""
    n = len(drafts)
    known = [d.pii for d in drafts]
    masked = mask_many([d.text for d in drafts] + [d.request or "" for d in drafts], known + known,
                       ctx.settings.rules_dir)
    return [(masked[i], masked[n + i], _seal(ctx, (d.text, d.request or ""), (masked[i], masked[n + i])))
            for i, d in enumerate(drafts)]


def original(ctx: Context, stored: str | None, sealed: Mapping[str, str] | None, field: str = "text") -> str:
    """The words as the complainant wrote them: for code that needs them (detectors, reveal)."""
    if sealed and field in sealed:
        return ctx.vault.decrypt(sealed[field], field)
    return stored or ""


def shown(stored: str | None, sealed: Mapping[str, str] | None) -> str:
    """What anyone may see: the stored masked text (a legacy row stored in clear is masked now)."""
    if sealed is None and stored:
        return mask(stored)
    return stored or ""


def _getter(c: Any):
    return c.get if isinstance(c, Mapping) else (lambda k: getattr(c, k, None))


def originals_of(ctx: Context, c: Any) -> dict[str, Any]:
    """{"text", "request"} in clear for a Complaint, or a row or mapping with the same names; for a
    Complaint also its decided sections ("decision", "review") with their handler text in clear."""
    get = _getter(c)
    out: dict[str, Any] = {f: original(ctx, get(f), get("sealed_text"), f) for f in FIELDS}
    out.update(structured_originals(ctx, c))
    for section, fields in HANDLER_TEXT.items():
        body = get(section)
        if body:
            out[section] = {**body, **{f: original(ctx, body.get(f), get("sealed_text"), f"{section}.{f}")
                                       for f in fields if body.get(f)}}
    return out


def sealed_fields(c: Any) -> list[str]:
    """Names of the free-text fields held sealed for a Complaint (for the reveal's audit entry)."""
    sealed = _getter(c)("sealed_text") or {}
    return sorted(sealed)


def _known_of(ctx: Context, pii: Mapping[str, str] | None) -> dict[str, str]:
    return {f: ctx.vault.decrypt(tok, f) for f, tok in (pii or {}).items() if f in _KNOWN}


def protect_handler_text(ctx: Context, c: Any, section: str) -> None:
    """Mask, in place, the handler's free text in `c.<section>` (a Complaint just decided), sealing the
    originals that masking changed. A row still stored in clear (before protection) has its own text
    and request sealed too, so `sealed_text` NULL keeps meaning "legacy row"."""
    body = getattr(c, section)
    fields = [f for f in HANDLER_TEXT[section] if body.get(f)]
    known = _known_of(ctx, c.pii)
    sealed = dict(c.sealed_text or {})
    if c.sealed_text is None:
        masked_own = mask_many([c.text or "", c.request or ""], [known, known], ctx.settings.rules_dir)
        sealed.update(_seal(ctx, (c.text or "", c.request or ""), masked_own))
        c.text, c.request = masked_own[0], masked_own[1] if c.request is not None else None
    masked = mask_many([body[f] for f in fields], [known] * len(fields), ctx.settings.rules_dir)
    for f, m in zip(fields, masked):
        if m != body[f]:
            sealed[f"{section}.{f}"] = ctx.vault.encrypt(body[f], f"{section}.{f}")
    setattr(c, section, {**body, **dict(zip(fields, masked))})
    c.sealed_text = sealed


def shown_handler_text(section: str, body: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """A decided section as anyone may see it. Masking is idempotent, so a section stored masked comes
    back unchanged and one written before protection (clear text) is masked here."""
    if not body:
        return body
    fields = [f for f in HANDLER_TEXT[section] if body.get(f)]
    return {**body, **dict(zip(fields, mask_many([body[f] for f in fields])))} if fields else body


def shown_of(c: Any) -> dict[str, str]:
    """{"text", "request"} as anyone may see them, for a Complaint, row or mapping."""
    get = _getter(c)
    return {f: shown(get(f), get("sealed_text")) for f in FIELDS}


def originals_by_id(ctx: Context, uow: Any, ids: Sequence[int]) -> dict[int, str]:
    """Complaint id → its original `text`, for batch readers (classification training, re-classifying)."""
    rows = uow.complaint_texts.texts(ids)
    return {cid: original(ctx, text, sealed, "text") for cid, (text, _req, sealed) in rows.items()}


def protect_stored(ctx: Context, *, actor: str, batch: int = 500) -> dict[str, int]:
    """Seal the rows stored in clear before free text was protected. One transaction per batch with
    its audit entry (counts only); re-running carries on where an interrupted run stopped."""
    done = sealed_n = 0
    last = 0
    while True:
        with ctx.store.uow() as uow:
            repo = uow.complaint_texts
            rows = repo.in_clear(last, batch)
            if not rows:
                return {"complaints": done, "sealed": sealed_n}
            known = [_known_of(ctx, r.pii) for r in rows]
            n = len(rows)
            masked = mask_many([r.text or "" for r in rows] + [r.request or "" for r in rows], known + known,
                               ctx.settings.rules_dir)
            for i, r in enumerate(rows):
                sealed = _seal(ctx, (r.text or "", r.request or ""), (masked[i], masked[n + i]))
                repo.seal(r.id, masked[i], masked[n + i], sealed)
                sealed_n += bool(sealed)
            uow.audit.append(ctx.now(), actor, "pii.protect_text", "complaint_batch", f"{rows[0].id}-{rows[-1].id}",
                             {"data": {"complaints": n}})
            uow.commit()
        done += n
        last = rows[-1].id


# ---- structured fields beyond the encrypted customer fields ----------------------------------------
# Unknown intake fields (`extras`), the customer number and the respondent branch can hold personal data as
# much as the free text: they are stored masked the same way, their originals sealed under "customer_no",
# "respondent.branch" and "extras.<path>", shown masked, revealed with the rest. A field whose *name* says it
# holds personal data is masked whole even where no recognizer fires (a bank card number in a partner's
# own format, a nickname in a WeChat field).
_PERSONAL_NAME = re.compile(
    r"(?i)card|卡|phone|mobile|tel|手机|电话|号码|id_?no|id_?num|idcard|身份证|证件|name|姓名|名字|address|addr|地址|住址|"
    r"account|acct|账号|账户|帐号|email|mail|邮箱|wechat|weixin|微信|qq|alipay|支付宝|customer|客户|passport|护照|"
    r"plate|车牌|contact|联系|birth|生日|ip\b|device|设备")


def mask_whole(value: str) -> str:
    """A value known to be personal, masked whatever its format: the first 3 and last 4 characters of a long
    value (like the ID-number mask), only the first and last of a short one."""
    n = len(value)
    if n >= 11:
        return value[:3] + "*" * (n - 7) + value[-4:]
    if n >= 3:
        return value[0] + "*" * (n - 2) + value[-1]
    return "*" * n


def _leaves(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(path, value)] if value else []
    if isinstance(value, Mapping):
        return [leaf for k, v in value.items() for leaf in _leaves(v, f"{path}.{k}")]
    if isinstance(value, (list, tuple)):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, f"{path}.{i}")]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and len(str(value)) >= 6:
        return [(path, str(value))]  # a long number (a card, a phone given as a JSON number) is text here
    return []


def _replaced(value: Any, path: str, new: Mapping[str, str]) -> Any:
    if path in new:
        return new[path]
    if isinstance(value, Mapping):
        return {k: _replaced(v, f"{path}.{k}", new) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_replaced(v, f"{path}.{i}", new) for i, v in enumerate(value)]
    return value


def _structured(c: Any) -> dict[str, Any]:
    get = _getter(c)
    return {"customer_no": get("customer_no"), "respondent": get("respondent") or {}, "extras": get("extras") or {}}


def _with(fields: Mapping[str, Any], new: Mapping[str, str]) -> dict[str, Any]:
    """customer_no, respondent and extras with the values at the paths in `new` replaced."""
    respondent = dict(fields["respondent"])
    if "respondent.branch" in new:
        respondent["branch"] = new["respondent.branch"]
    return {"customer_no": _replaced(fields["customer_no"], "customer_no", new), "respondent": respondent,
            "extras": _replaced(fields["extras"], "extras", new)}


def _leaf_paths(fields: Mapping[str, Any]) -> list[tuple[str, str]]:
    return (_leaves(fields["customer_no"], "customer_no") + _leaves((fields["respondent"] or {}).get("branch"),
            "respondent.branch") + _leaves(fields["extras"], "extras"))


def _masked_leaves(leaves: Sequence[tuple[str, str]], known: Mapping[str, str] | None) -> dict[str, str]:
    scanned = mask_many([v for _, v in leaves], [known] * len(leaves)) if leaves else []
    out = {}
    for (path, value), masked in zip(leaves, scanned):
        named = path.removeprefix("extras.") if path.startswith("extras.") else ""
        whole = path == "customer_no" or bool(named and _PERSONAL_NAME.search(named))
        out[path] = mask_whole(value) if whole and masked == value else masked
    return out


def protect_structured(ctx: Context, draft: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """A draft's customer_no, respondent and extras as stored (masked) and the sealed originals of what changed."""
    fields = _structured(draft)
    leaves = _leaf_paths(fields)
    masked = _masked_leaves(leaves, draft.pii)
    changed = {p: m for (p, v), m in zip(leaves, masked.values()) if m != v}
    sealed = {p: ctx.vault.encrypt(v, p) for p, v in leaves if p in changed}
    return _with(fields, changed), sealed


def shown_structured(c: Any) -> dict[str, Any]:
    """customer_no, respondent and extras to show: stored masked; a row stored before this is masked now."""
    fields = _structured(c)
    leaves = _leaf_paths(fields)
    changed = {p: m for (p, v), m in zip(leaves, _masked_leaves(leaves, None).values()) if m != v}
    return _with(fields, changed)


def structured_originals(ctx: Context, c: Any) -> dict[str, Any]:
    """customer_no, respondent and extras in clear, for a role allowed to reveal."""
    fields = _structured(c)
    sealed = _getter(c)("sealed_text") or {}
    clear = {p: ctx.vault.decrypt(tok, p) for p, tok in sealed.items()
             if p == "customer_no" or p.startswith(("respondent.", "extras."))}
    return _with(fields, clear)
