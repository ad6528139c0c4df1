"""bench/blackgray_eval.py and bench/blackgray_demo.py still run and print what they compute: the figures
are `engines.blackgray.evaluation` and `demo.evaluation`'s (tested in tests/unit/blackgray/); here only
that the scripts read the set, call them and print their results (under a second each).

A check of the bench scripts themselves (`bench/__init__.py` says how a script is imported)."""

from __future__ import annotations

import json
from datetime import datetime

from bench import blackgray_demo, blackgray_eval
from tests.support.blackgray import LABELLED
from xiaobao.demo.evaluation import generate_complaints, measure_blackgray
from xiaobao.engines.blackgray import evaluation


def test_the_eval_script_prints_the_scored_figures(capsys):
    assert blackgray_eval.DATA == LABELLED
    rows = evaluation.load(LABELLED, split="test")
    results, _ = evaluation.run_scan(rows)
    m = evaluation.evaluate(rows, results)

    assert blackgray_eval.main(["--split", "test", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"test": m}

    assert blackgray_eval.main(["--split", "test", "--errors"]) == 0
    out = capsys.readouterr().out
    assert f"== test split (frozen, reported): {m['n']} complaints ({m['positives']} black/gray" in out
    assert f"precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}" in out
    assert f"ARI(all, singletons apart) {m['ari_all']:.3f}" in out and f"Brier {m['brier']:.4f}" in out
    assert "== dev split" not in out
    assert "\n".join(evaluation.errors(rows, results)) in out


def test_the_demo_script_prints_the_measured_figures(capsys):
    m = measure_blackgray(generate_complaints(600, 7, datetime(2026, 11, 21, 12, 0)))

    assert blackgray_demo.main(["--n", "600", "--seed", "7", "--end", "2026-11-21T12:00", "--json"]) == 0
    public = json.loads(capsys.readouterr().out)
    assert public == json.loads(json.dumps({k: v for k, v in m.items() if not k.startswith("_")}, ensure_ascii=False))

    assert blackgray_demo.main(["--n", "600", "--seed", "7", "--end", "2026-11-21T12:00", "--examples", "2"]) == 0
    out = capsys.readouterr().out
    assert f"demo: 600 complaints {m['by_origin']}" in out
    assert f"flagged {m['flagged']}: agency {m['flagged_by_origin']['agency']}/" in out
    assert f"template families (signal): {len(m['families'])}; flagged gangs: {m['gangs']}" in out
