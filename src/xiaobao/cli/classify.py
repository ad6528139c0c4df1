"""`xiaobao classify …`: predict a JSONL offline, train on the team's labels, evaluate, backfill,
list/activate model versions, and the complaint-points trend."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from xiaobao.cli.common import cli_actor, console, context, err, group

classify_app = group("classify", "投诉分类（JR/T 0169 业务类别/投诉原因）、诉点、升级风险 / complaint classification")


def _actor():
    from xiaobao.domain.roles import Role
    from xiaobao.services.actors import Actor

    return Actor(cli_actor(), Role.SUPERVISOR)


def _read_labels(ctx, path: Path):
    from xiaobao.services.classify.classification import parse_labels
    from xiaobao.services.complaints.intake.sources import read_jsonl

    labels, errors = parse_labels(ctx, read_jsonl(path))
    for e in errors[:20]:
        err.print(f"第{e['row']}行跳过：{e['field']}：{e['reason']}")
    if len(errors) > 20:
        err.print(f"……另有 {len(errors) - 20} 行错误")
    return labels, errors


@classify_app.command("predict")
def predict(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="投诉 JSONL（external_id, text）"),
            out: Path = typer.Option(..., "--out", help="每条投诉一行结果（JSONL）"),
            rules_only: bool = typer.Option(False, "--rules-only", help="只用规则词表，不读数据库中的训练模型")):
    """分类投诉 JSONL：业务类别、投诉原因、类别、置信度、诉点、升级风险。"""
    import orjson

    from xiaobao.config import Settings
    from xiaobao.engines.classify.engine import ComplaintClassifier
    from xiaobao.services.classify import classification
    from xiaobao.services.complaints.intake.sources import SourceError, read_jsonl

    records, bad = [], 0
    for row, rec in read_jsonl(file):
        if isinstance(rec, SourceError) or not isinstance(rec.get("text"), str) or not rec.get("text").strip():
            bad += 1
            err.print(f"第{row}行跳过：{rec.reason if isinstance(rec, SourceError) else 'text：缺少投诉文本'}")
            continue
        records.append(rec)
    clf = (ComplaintClassifier.from_rules(Settings().rules_dir) if rules_only
           else classification.classifier(context()))
    results = classification.predict_texts(clf, records)
    with out.open("wb") as f:
        for r in results:
            f.write(orjson.dumps(r) + b"\n")
    needs = sum(r["needs_person"] for r in results)
    esc = sum(r["escalation_flagged"] for r in results)
    console.print(f"分类 {len(results)} 件（{clf.source}）：需人工 {needs} 件，升级风险 [red]{esc}[/red] 件；"
                  f"跳过 {bad} 行 → {out}")


@classify_app.command("train")
def train_cmd(labels: Path = typer.Argument(None, exists=True, dir_okay=False, readable=True,
                                            help="标注 JSONL（text, category[, axis_b]）；不给则只用工作台纠正记录"),
              activate: bool = typer.Option(None, "--activate/--no-activate",
                                            help="启用/不启用新版本；不给：除非留出集上比在用分类器差，否则启用")):
    """用团队标注（数据库中的纠正记录 + 标注文件）训练分类模型，并保存为新版本。"""
    from xiaobao.services.classify import classification

    ctx = context()
    extra = _read_labels(ctx, labels)[0] if labels else []
    with console.status("正在训练…"):
        r = classification.train(ctx, _actor(), extra, activate=activate)
    m = r["metrics"]
    console.print(f"模型版本 {r['model_id']}{'（已启用）' if r['active'] else '（未启用）'}：标注 {m['n_labels']} 条"
                  f"（纠正 {m['from_corrections']}，文件 {m['from_file']}），类别 {len(r['classes'])} 个")
    if m.get("dropped_classes"):
        console.print(f"样本不足未参与训练的类别：{m['dropped_classes']}")
    if "holdout" in m:
        h = m["holdout"]
        console.print(f"留出集 {h['n']} 条：准确率 {h['accuracy']:.3f}，macro-F1 {h['macro_f1']:.3f}，ECE {h['ece']}")
        u = m["in_use_holdout"]
        console.print(f"同一留出集上在用分类器（{u['source']}）：准确率 {u['accuracy']:.3f}，macro-F1 {u['macro_f1']:.3f}")
    if m["activation"] == "worse_than_in_use":
        console.print("[yellow]新版本在留出集上不如在用分类器，未启用；确需使用可 xiaobao classify activate "
                      f"{r['model_id']}[/yellow]")


@classify_app.command("eval")
def eval_cmd(labels: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="标注 JSONL"),
             rules_only: bool = typer.Option(False, "--rules-only", help="评估规则词表而非启用中的模型")):
    """评估当前分类器：准确率、macro-F1、各类指标与混淆矩阵。"""
    from rich.table import Table

    from xiaobao.config import Settings
    from xiaobao.engines.classify.engine import ComplaintClassifier
    from xiaobao.engines.classify.metrics import evaluate
    from xiaobao.services.classify import classification

    ctx = context()
    items, _errors = _read_labels(ctx, labels)
    if not items:
        err.print("没有有效标注")
        raise typer.Exit(1)
    clf = ComplaintClassifier.from_rules(Settings().rules_dir) if rules_only else classification.classifier(ctx)
    preds = clf.predict_many([x.text for x in items])
    ev = evaluate([x.category for x in items], [p.suggestion for p in preds], [p.confidence for p in preds],
                  clf.taxonomy.needs_person_below)
    console.print(f"分类器 {clf.source}，{ev.n} 条：准确率 accuracy {ev.accuracy:.4f}，macro-F1 {ev.macro_f1:.4f}，"
                  f"ECE {ev.ece}；需人工比例 {ev.needs_person_rate}，其余准确率 {ev.accuracy_when_confident}")
    t = Table("类别", "precision", "recall", "F1", "support")
    for lab, v in ev.per_class.items():
        t.add_row(lab, f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1']:.3f}", str(v["support"]))
    console.print(t)
    cm = Table("真实 \\ 预测", *[lab[:10] for lab in ev.labels])
    for lab, row in zip(ev.labels, ev.confusion):
        cm.add_row(lab, *[str(n) for n in row])
    console.print(cm)


@classify_app.command("backfill")
def backfill(limit_batch: int = typer.Option(500, "--batch", min=1, help="每个事务分类的件数")):
    """为库中尚未分类的投诉补做分类（演示数据、历史导入）。"""
    from xiaobao.services.classify import classification

    n = classification.classify_stored(context(), batch=limit_batch)
    console.print(f"已分类 {n} 件")


@classify_app.command("models")
def models_cmd():
    """列出模型版本。"""
    from xiaobao.services.classify import classification

    for m in classification.models(context()):
        h = (m["metrics"] or {}).get("holdout") or {}
        console.print(f"{'*' if m['active'] else ' '} v{m['id']} {m['created_at']:%Y-%m-%d %H:%M} {m['actor']} "
                      f"标注 {m['n_labels']} 类别 {len(m['classes'])} macro-F1 {h.get('macro_f1', '-')}")


@classify_app.command("status")
def status_cmd(as_json: bool = typer.Option(False, "--json", help="输出 JSON")):
    """学习状态：在用模型、待人工分类队列、纠正记录（全部与在用模型之后），及各版本的留出指标。"""
    import orjson

    from xiaobao.services.classify import classification

    s = classification.learning_status(context())
    if as_json:
        typer.echo(orjson.dumps(s, option=orjson.OPT_INDENT_2).decode())
        return
    console.print(f"在用模型：{'v' + str(s['active_model_id']) if s['active_model_id'] else '第一天的规则词表'}")
    console.print(f"待人工分类：{s['needs_label']} 件（工作台筛选 needs_label=1）")
    console.print(f"纠正记录：{s['corrections']} 条，涉及 {s['labelled_complaints']} 件投诉；"
                  f"在用模型之后新增 {s['corrections_since_active']} 条")
    for m in s["models"]:
        acc = "-" if m["accuracy"] is None else f"{m['accuracy']:.3f}"
        f1 = "-" if m["macro_f1"] is None else f"{m['macro_f1']:.3f}"
        console.print(f"{'*' if m['active'] else ' '} v{m['id']} {m['created_at']:%Y-%m-%d %H:%M} {m['actor']} "
                      f"标注 {m['n_labels']}，留出准确率 {acc}，macro-F1 {f1}")


@classify_app.command("activate")
def activate_cmd(model_id: int = typer.Argument(..., help="模型版本号；0 = 回到规则词表"),
                 reason: str = typer.Option("", "--reason", help="原因（记入审计）")):
    """启用某个模型版本（或 0 回到规则词表）。"""
    from xiaobao.services.classify import classification

    classification.activate(context(), _actor(), model_id or None, reason)
    console.print(f"已启用 {'规则词表' if not model_id else f'模型 v{model_id}'}")


@classify_app.command("points")
def points_cmd(start: datetime = typer.Option(..., "--from", help="开始（含）"),
               end: datetime = typer.Option(..., "--to", help="结束（不含）"),
               min_count: int = typer.Option(1, "--min", min=1)):
    """诉点趋势：本期与上一等长期间相比。"""
    from xiaobao.services.classify import classification

    r = classification.points_report(context(), start, end, min_count=min_count)
    for p in r["points"]:
        change = "新增" if p["change_pct"] is None else f"{p['change_pct']:+.1f}%"
        console.print(f"{p['name_zh']}（{p['point_id']}）：{p['count']} 件，上期 {p['previous']}，{change}")
