"""bench/classify.py stays runnable without ../shared/data: its synthetic corpus is deterministic and
covers every lexicon category, and a tiny run prints the table with the synthetic label and the
warning that its quality figures mean nothing (about a second; no shared data read).

A check of the bench script itself, not of the product: the synthetic corpus exists only so that the
benchmark runs without the data (`bench/__init__.py` says how the script is imported)."""

from __future__ import annotations

from bench import classify as bench_classify


def test_synthetic_corpus_is_deterministic_and_covers_every_category():
    from xiaobao.rules import read_yaml

    a = bench_classify.synthetic(7, 220, 44)
    b = bench_classify.synthetic(7, 220, 44)
    assert (a.xtr, a.ytr, a.xte, a.yte) == (b.xtr, b.ytr, b.xte, b.yte)
    assert bench_classify.synthetic(8, 220, 44).xtr != a.xtr
    assert len(a.xtr) == 220 and len(a.xte) == 44 and a.synthetic
    assert set(a.ytr) == set(read_yaml("classify_lexicon.yaml")["categories"])


def test_without_the_shared_data_it_falls_back_to_the_labelled_synthetic_corpus(tmp_path, capsys):
    code = bench_classify.main(["--data", str(tmp_path), "--n-train", "110", "--n-test", "22", "--runs", "1", "--skip-cli-train",
                                "--one", "10", "--batch", "20", "--chunk", "10"])
    out = capsys.readouterr().out
    assert code == 0
    assert "SYNTHETIC" in out and "NOT meaningful" in out
    for row in ("train, wall s", "macro-F1 (test)", "pipeline, one per call (intake), /CPU-s", "model size on disk",
                "ours/char 1-3", "load average"):
        assert row in out
    assert "goals on SYNTHETIC" in out
