"""Complaint understanding use cases: classify at intake or in batch, an agent's one-action label
correction (kept and audited), training a model on the team's labels, evaluation, and the
complaint-points trend report.

At intake (single and bulk), inside the intake unit of work, classification runs *before* routing,
as black/gray triage does, so escalation risk routes:
    preds = classification.assess(ctx, uow, drafts, repeats)   # flagged drafts get the routing flag
    ... route, insert ...
    classification.record(ctx, uow, [classification.item(cid, fields) ...], preds)
`record` stores the predictions and points in the same transaction; neither commits.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from xiaobao.domain.errors import InvalidValue
from xiaobao.engines.classify.engine import ComplaintClassifier, Prediction
from xiaobao.engines.classify.metrics import Evaluation, evaluate
from xiaobao.engines.classify.model import LinearTextModel, ModelError, TrainSettings
from xiaobao.engines.classify.model import train as fit
from xiaobao.engines.privacy.scanner import default_scanner
from xiaobao.rules import rules_dir as rules_in_force
from xiaobao.store.classify.repository import ClassifyRepository
from xiaobao.services.privacy import protected_text
from xiaobao.services.complaints.intake import recent
from xiaobao.services.actors import Actor
from xiaobao.services.context import Context
from xiaobao.services.errors import NotFound
from xiaobao.services.loading import load_or_404
from xiaobao.services.complaints.intake.recent import Recent


@dataclass(frozen=True)
class Item:
    complaint_id: int
    text: str
    received_at: datetime
    repeat_of: bool = False


@dataclass(frozen=True)
class Label:
    text: str
    category: str
    axis_b: str | None = None


def item(complaint_id: int, complaint: Mapping[str, Any] | Any, text: str | None = None) -> Item:
    """An Item from intake's field dict or a Complaint object. The stored text is masked
    (`protected_text`): callers pass the original as `text` (intake has it in the draft)."""
    get = complaint.get if isinstance(complaint, Mapping) else (lambda k: getattr(complaint, k, None))
    return Item(int(complaint_id), text if text is not None else get("text") or "", get("received_at"),
                get("repeat_of_id") is not None)


# -- the classifier in use: rules, or the active trained model -----------------------------------
_lock = threading.Lock()
_rules_cache: dict[Path, ComplaintClassifier] = {}
_model_cache: dict[tuple[Path, int, str], ComplaintClassifier] = {}


def _rules(ctx: Context) -> ComplaintClassifier:
    key = rules_in_force(ctx.settings.rules_dir)  # the directory in force, resolved: one classifier per directory
    with _lock:
        if key not in _rules_cache:
            _rules_cache[key] = ComplaintClassifier.from_rules(key)
        return _rules_cache[key]


_active = Recent()  # store → the active model's (id, sha256)


def classifier_in(ctx: Context, repo: ClassifyRepository) -> ComplaintClassifier:
    """The active model (its id read at most once a second: `recent`), loaded once per process."""
    base = _rules(ctx)
    active = _active.get(ctx.store, repo.active_model_key)
    if active is None:
        return base
    model_id, digest = active
    key = (rules_in_force(ctx.settings.rules_dir), model_id, digest)  # the id alone: another database's version 1 is another model
    with _lock:
        cached = _model_cache.get(key)
    if cached is not None:
        return cached
    row = repo.model(model_id)
    model = LinearTextModel.from_bytes(row["blob"])
    b_model = LinearTextModel.from_bytes(row["axis_b_blob"]) if row["axis_b_blob"] else None
    clf = base.with_models(model, b_model, f"model:{model_id}")
    with _lock:
        _model_cache.clear()  # one active model at a time; older ones are garbage
        _model_cache[key] = clf
    return clf


def classifier(ctx: Context) -> ComplaintClassifier:
    with ctx.store.uow(write=False) as uow:
        return classifier_in(ctx, uow.classify)


# -- classify and store --------------------------------------------------------------------------
def _rows(items: Sequence[Item], preds: Sequence[Prediction], now: datetime):
    rows, points = [], []
    for it, p in zip(items, preds):
        d = p.to_dict()
        rows.append({"complaint_id": it.complaint_id, "source": p.source, "category": p.category,
                     "suggestion": p.suggestion, "axis_b": p.axis_b.code, "axis_c": d["axis_c"],
                     "confidence": p.confidence, "needs_person": p.needs_person,
                     "escalation_risk": p.escalation.score, "escalation_flagged": p.escalation.flagged,
                     "points": d["points"], "findings": [f.to_dict() for f in p.findings], "corrected_by": None,
                     "predicted_at": now, "updated_at": now})
        seen = set()
        for pt in p.points:
            if pt.id not in seen:
                seen.add(pt.id)
                points.append({"complaint_id": it.complaint_id, "point_id": pt.id[:80], "name_zh": pt.name_zh[:100],
                               "category": p.category or p.suggestion, "received_at": it.received_at})
    return rows, points


def assess(ctx: Context, uow, drafts: Sequence[Any], repeats: Sequence[bool]) -> list[Prediction]:
    """Classify complaints not stored yet (intake drafts: `.text`, `.flags`), so routing can use
    what the classifier found: a draft whose escalation risk is flagged gets the routing flag named
    in `classify_escalation.yaml` (`routing_flag`), which `routing.yaml` routes on. Writes nothing;
    `record` stores the predictions once the complaints have ids."""
    if not drafts:
        return []
    clf = classifier_in(ctx, uow.classify)
    preds = clf.predict_many([d.text or "" for d in drafts], [bool(r) for r in repeats])
    flag = clf.escalation.routing_flag
    if flag:
        for d, p in zip(drafts, preds):
            if p.escalation.flagged and flag not in d.flags:
                d.flags.append(flag)
    return preds


def record(ctx: Context, uow, items: Sequence[Item], preds: Sequence[Prediction], *, new: bool = False) -> None:
    """Store predictions (and their points) for complaints now stored, in the caller's unit of work.
    `new`: the complaints were stored in this unit of work, so nothing of theirs is there to replace."""
    if items:
        rows, points = _rows(items, preds, ctx.now())
        repo = uow.classify
        if new:
            repo.insert_predictions(rows, points)
        else:
            repo.save_predictions(rows, points)


def classify_in(ctx: Context, uow, items: Sequence[Item]) -> list[Prediction]:
    """Classify and store inside the caller's unit of work (no commit). Re-running replaces the
    stored prediction, except the labels an agent corrected."""
    if not items:
        return []
    repo = uow.classify
    preds = classifier_in(ctx, repo).predict_many([i.text for i in items], [i.repeat_of for i in items])
    record(ctx, uow, items, preds)
    return preds


def classify_stored(ctx: Context, ids: Iterable[int] | None = None, *, batch: int = 500) -> int:
    """Classify complaints already stored (all not yet classified, or the given ids), in batches of
    one transaction each. Returns how many were classified."""
    done = 0
    pending = list(ids) if ids is not None else None
    while True:
        with ctx.store.uow() as uow:
            repo = uow.classify
            chunk = pending[:batch] if pending is not None else repo.unclassified_ids(batch)
            if not chunk:
                return done
            rows = repo.texts_for(chunk)
            clear = protected_text.originals_by_id(ctx, uow, [r[0] for r in rows])  # stored text is masked
            classify_in(ctx, uow, [Item(cid, clear.get(cid, text), at, rep is not None) for cid, text, at, rep in rows])
            uow.commit()
        done += len(rows)
        if pending is not None:
            pending = pending[batch:]


def predict_texts(clf: ComplaintClassifier, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Offline prediction for the CLI contract: one dict per record, keyed by its external_id."""
    preds = clf.predict_many([str(r["text"]) for r in records], [bool(r.get("repeat_of")) for r in records])
    return [{"external_id": r.get("external_id"), **p.to_dict()} for r, p in zip(records, preds)]


# -- corrections ---------------------------------------------------------------------------------
def correct(ctx: Context, complaint_id: int, actor: Actor, *, category: str, axis_b: str | None = None,
            reason: str = "") -> dict[str, Any]:
    """An agent sets a complaint's labels in one action: kept as a label for training, applied to the
    prediction and the complaint, and written to the audit chain with before/after/why."""
    clf = _rules(ctx)
    tax = clf.taxonomy
    if category not in tax.categories:
        raise InvalidValue("category", f"未知类别 {category}（可选：{', '.join(tax.categories)}）")
    if axis_b is not None and axis_b not in tax.axis_b:
        raise InvalidValue("axis_b", f"未知业务类别代码 {axis_b}（可选：{', '.join(tax.axis_b)}）")
    now = ctx.now()
    with ctx.store.uow() as uow:
        c = load_or_404(lambda: uow.complaints.get(complaint_id, for_update=True), f"投诉 {complaint_id}",
                        f"complaint {complaint_id}", complaint_id=complaint_id)
        repo = uow.classify
        before = repo.prediction(complaint_id)
        if before is None:
            classify_in(ctx, uow, [item(complaint_id, c, protected_text.originals_of(ctx, c)["text"])])
            before = repo.prediction(complaint_id)
        new_b = axis_b or before["axis_b"]
        new_c = tax.axis_c_for(category).code
        previous = {"category": before["category"], "suggestion": before["suggestion"], "axis_b": before["axis_b"],
                    "axis_c": before["axis_c"], "confidence": before["confidence"], "source": before["source"]}
        label_id = repo.add_label({"complaint_id": complaint_id, "category": category, "axis_b": new_b,
                                   "axis_c": new_c, "previous": previous, "actor": actor.username,
                                   "reason": reason or "", "at": now})
        repo.set_labels(complaint_id, category=category, axis_b=new_b, axis_c=new_c, actor=actor.username, now=now)
        c.category = category
        after = {"category": category, "axis_b": new_b, "axis_c": new_c}
        uow.audit.append(now, actor.username, "classify.correct", "complaint", str(complaint_id),
                         {"before": previous, "after": after, "reason": reason or "", "data": {"label_id": label_id}})
        uow.commit()
    return {"complaint_id": complaint_id, "label_id": label_id, "before": previous, "after": after,
            "axis_c_name": tax.axis_c[new_c].name_zh, "axis_b_name": tax.axis_b[new_b].name_zh}


def prediction(ctx: Context, complaint_id: int) -> dict[str, Any]:
    with ctx.store.uow(write=False) as uow:
        repo = uow.classify
        row = load_or_404(lambda: repo.prediction(complaint_id), f"投诉 {complaint_id}",
                          f"classification of complaint {complaint_id}", missing_zh="尚未分类", complaint_id=complaint_id)
        return {**row, "labels": repo.labels(complaint_id)}


# -- labels files, training, evaluation ----------------------------------------------------------
def parse_labels(ctx: Context, records: Iterable[tuple[int, Any]]) -> tuple[list[Label], list[dict[str, Any]]]:
    """(row, record) pairs → valid labels and one error per bad row (row, field, reason)."""
    tax = _rules(ctx).taxonomy
    labels, errors = [], []
    for row, rec in records:
        if not isinstance(rec, Mapping):
            errors.append({"row": row, "field": getattr(rec, "field", "(line)"), "reason": getattr(rec, "reason", "无法读取")})
            continue
        text, cat, b = rec.get("text"), rec.get("category"), rec.get("axis_b")
        if not isinstance(text, str) or not text.strip():
            errors.append({"row": row, "field": "text", "reason": "缺少投诉文本"})
        elif cat not in tax.categories:
            errors.append({"row": row, "field": "category", "reason": f"未知类别 {cat!r}"})
        elif b is not None and str(b) not in tax.axis_b:
            errors.append({"row": row, "field": "axis_b", "reason": f"未知业务类别代码 {b!r}"})
        else:
            labels.append(Label(text, cat, None if b is None else str(b)))
    return labels, errors


PERSONAL = "□"  # what a personal value in a training text becomes


def _without_personal_data(labels: Sequence[Label], rules_dir: str | None = None) -> list[Label]:
    """The labels with every personal value the PII scanner finds in their texts replaced by one
    `PERSONAL` character: a model keeps the character n-grams of its training texts, and the file must
    not carry customers' names, numbers or addresses. (Predictions read the real text; a personal
    value there matches nothing the model learned, as a new name would anyway.)"""
    texts = [lab.text for lab in labels]
    out = []
    for lab, text, hits in zip(labels, texts, default_scanner(rules_dir).scan_many(texts)):
        if hits:
            parts, pos = [], 0
            for h in hits:
                parts += [text[pos:h.start], PERSONAL]
                pos = h.end
            parts.append(text[pos:])
            lab = dataclasses.replace(lab, text="".join(parts))
        out.append(lab)
    return out


def train(ctx: Context, actor: Actor, extra: Sequence[Label] = (), *, activate: bool | None = None,
          holdout: float = 0.2, seed: int = 20261120, settings: TrainSettings | None = None) -> dict[str, Any]:
    """Train on the team's corrections in the database plus `extra` labels (e.g. a labels file):
    measure on a fixed-seed holdout, refit on everything, store as a new version.

    `activate`: True uses the new version, False keeps it aside; None (the default) uses it unless the
    holdout shows it is worse than the classifier in use — both are scored on the same held-out labels,
    so a handful of corrections cannot silently replace a better model (or the rules) with a worse one.
    With too few labels to hold any out (fewer than 50) nothing can be compared and the new version is used."""
    settings = settings or TrainSettings()
    with ctx.store.uow(write=False) as uow:
        stored = uow.classify.latest_labels_with_text()
        clear = protected_text.originals_by_id(ctx, uow, [r[0] for r in stored])  # stored text is masked
    labels = [Label(clear.get(cid, t), cat, b) for cid, t, cat, b in stored] + list(extra)
    labels = _without_personal_data(labels, ctx.settings.rules_dir)
    if not labels:
        raise InvalidValue("labels", "没有可用于训练的标注（请先在工作台纠正分类，或提供标注文件）")
    texts, cats = [lab.text for lab in labels], [lab.category for lab in labels]
    metrics: dict[str, Any] = {"n_labels": len(labels), "from_corrections": len(stored), "from_file": len(extra)}
    order = list(range(len(labels)))
    random.Random(seed).shuffle(order)
    cut = int(len(order) * holdout)
    test, tr = order[:cut], order[cut:]
    try:
        if cut >= 10:
            m = fit([texts[i] for i in tr], [cats[i] for i in tr], settings)
            got = m.predict([texts[i] for i in test])
            threshold = _rules(ctx).taxonomy.needs_person_below
            ev = evaluate([cats[i] for i in test], [g for g, _ in got], [c for _, c in got], threshold)
            metrics["holdout"] = ev.to_dict()
            in_use = classifier(ctx)
            theirs = in_use.predict_many([texts[i] for i in test])
            ev_in_use = evaluate([cats[i] for i in test], [p.suggestion for p in theirs],
                                 [p.confidence for p in theirs], threshold)
            metrics["in_use_holdout"] = {"source": in_use.source, "accuracy": ev_in_use.accuracy,
                                         "macro_f1": ev_in_use.macro_f1}
        model = fit(texts, cats, settings)
        with_b = [lab for lab in labels if lab.axis_b]
        b_model = None
        if len({lab.axis_b for lab in with_b}) >= 2:
            try:
                b_model = fit([lab.text for lab in with_b], [lab.axis_b for lab in with_b], settings)
            except ModelError as e:
                metrics["axis_b_skipped"] = str(e)
    except ModelError as e:
        raise InvalidValue("labels", str(e)) from e
    metrics["dropped_classes"] = model.meta.get("dropped", {})
    activate, metrics["activation"] = _activation(activate, metrics)
    now = ctx.now()
    blob = model.to_bytes()
    with ctx.store.uow() as uow:
        repo = uow.classify
        model_id = repo.add_model({"created_at": now, "actor": actor.username, "n_labels": len(labels),
                                   "classes": model.classes, "metrics": metrics, "sha256": model.digest(),
                                   "blob": blob, "axis_b_blob": b_model.to_bytes() if b_model else None,
                                   "note": ""}, activate=activate)
        uow.audit.append(now, actor.username, "classify.train", "classify_model", str(model_id),
                         {"after": {"active": activate, "classes": model.classes, "sha256": model.digest()},
                          "data": {k: v for k, v in metrics.items() if k != "holdout"}})
        uow.commit()
    recent.forget_all()
    return {"model_id": model_id, "active": activate, "classes": model.classes, "metrics": metrics,
            "axis_b_model": b_model is not None}


def _activation(asked: bool | None, metrics: Mapping[str, Any]) -> tuple[bool, str]:
    """(use the new version?, why): asked for, or the holdout comparison with the classifier in use."""
    if asked is not None:
        return asked, "asked" if asked else "kept_aside"
    if "holdout" not in metrics:
        return True, "not_measured"
    if metrics["holdout"]["accuracy"] < metrics["in_use_holdout"]["accuracy"]:
        return False, "worse_than_in_use"
    return True, "not_worse_than_in_use"


def activate(ctx: Context, actor: Actor, model_id: int | None, reason: str = "") -> None:
    """Switch the active model (None = back to the rules classifier), audited."""
    now = ctx.now()
    with ctx.store.uow() as uow:
        repo = uow.classify
        if model_id is not None and repo.model(model_id) is None:
            raise NotFound(f"模型版本 {model_id} 不存在", model_id=model_id)
        before = repo.active_model_id()
        repo.activate(model_id)
        uow.audit.append(now, actor.username, "classify.activate", "classify_model", str(model_id or 0),
                         {"before": {"active": before}, "after": {"active": model_id}, "reason": reason})
        uow.commit()
    recent.forget_all()


def models(ctx: Context) -> list[dict[str, Any]]:
    with ctx.store.uow(write=False) as uow:
        return uow.classify.models()


def needs_label_count(ctx: Context) -> int:
    """How many complaints the classifier left to a person and nobody has labelled yet."""
    with ctx.store.uow(write=False) as uow:
        return uow.classify.needs_person_count()


def learning_status(ctx: Context) -> dict[str, Any]:
    """Where the team's learning loop stands: the model in use (None: the day-one rules), every version
    with its holdout figures, the corrections recorded in all and since the model in use was trained, and
    the labelling queue (complaints the classifier left to a person that nobody has labelled yet)."""
    with ctx.store.uow(write=False) as uow:
        repo = uow.classify
        versions = repo.models()
        active = next((m for m in reversed(versions) if m["active"]), None)
        labelled, corrections = repo.label_counts()
        since = repo.label_counts(active["created_at"]) if active else (labelled, corrections)
        queue = repo.needs_person_count()
    rows = []
    for m in reversed(versions):
        holdout = (m.get("metrics") or {}).get("holdout") or {}
        rows.append({"id": m["id"], "created_at": m["created_at"], "actor": m["actor"], "n_labels": m["n_labels"],
                     "classes": m["classes"], "active": bool(m["active"]), "sha256": m["sha256"],
                     "accuracy": holdout.get("accuracy"), "macro_f1": holdout.get("macro_f1"),
                     "holdout_n": holdout.get("n"), "from_corrections": (m.get("metrics") or {}).get("from_corrections"),
                     "activation": (m.get("metrics") or {}).get("activation"),
                     "in_use_accuracy": ((m.get("metrics") or {}).get("in_use_holdout") or {}).get("accuracy")})
    return {"active_model_id": active["id"] if active else None, "models": rows,
            "labelled_complaints": labelled, "corrections": corrections,
            "labelled_since_active": since[0], "corrections_since_active": since[1],
            "needs_label": queue, "needs_person_below": _rules(ctx).taxonomy.needs_person_below,
            "queue_params": {"status": "all", "needs_label": True}}


def evaluate_labels(ctx: Context, labels: Sequence[Label]) -> Evaluation:
    clf = classifier(ctx)
    preds = clf.predict_many([lab.text for lab in labels])
    return evaluate([lab.category for lab in labels], [p.suggestion for p in preds],
                    [p.confidence for p in preds], clf.taxonomy.needs_person_below)


# -- complaint-points report ---------------------------------------------------------------------
def point_name(ctx: Context, point_id: str) -> str:
    """A complaint point's Chinese name: from the points rules, the fee name of `fee:<name>`, else the id."""
    rule = _rules(ctx).points.rules.get(point_id)
    if rule is not None:
        return rule.name_zh
    return point_id[4:] if point_id.startswith("fee:") else point_id


def points_report(ctx: Context, start: datetime, end: datetime, *, min_count: int = 1,
                  samples: int = 5) -> dict[str, Any]:
    """Complaint points in [start, end) against the period of the same length just before it:
    count, previous count, change in percent, and a few complaint ids to trace each to root cause."""
    if end <= start:
        raise InvalidValue("end", "结束时间须晚于开始时间")
    prev_start = start - (end - start)
    with ctx.store.uow(write=False) as uow:
        repo = uow.classify
        now_counts = repo.point_counts(start, end)
        prev_counts = repo.point_counts(prev_start, start)
        rows = []
        for pid, (name, cat, n) in now_counts.items():
            if n < min_count:
                continue
            prev = prev_counts.get(pid, ("", "", 0))[2]
            rows.append({"point_id": pid, "name_zh": name, "category": cat, "count": n, "previous": prev,
                         "change_pct": None if prev == 0 else round(100.0 * (n - prev) / prev, 1),
                         "complaint_ids": repo.point_complaints(pid, start, end, samples)})
        for pid, (name, cat, prev) in prev_counts.items():
            if pid not in now_counts and prev >= min_count:
                rows.append({"point_id": pid, "name_zh": name, "category": cat, "count": 0, "previous": prev,
                             "change_pct": -100.0, "complaint_ids": []})
    rows.sort(key=lambda r: (-r["count"], r["point_id"]))
    return {"from": start, "to": end, "previous_from": prev_start, "points": rows}


def month_window(today: datetime) -> tuple[datetime, datetime]:
    """The last 30 days up to the start of tomorrow (report default)."""
    end = datetime(today.year, today.month, today.day) + timedelta(days=1)
    return end - timedelta(days=30), end
