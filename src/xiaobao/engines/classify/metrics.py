"""Evaluation figures the CLI and the benchmark print: accuracy, macro-F1, per-class precision /
recall / F1, the confusion matrix and expected calibration error (is a 0.8 really right 80 %?)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Evaluation:
    labels: list[str]
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    confusion: list[list[int]]
    n: int
    ece: float | None = None
    needs_person_rate: float | None = None
    accuracy_when_confident: float | None = None

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("n", "accuracy", "macro_f1", "ece", "needs_person_rate",
                                              "accuracy_when_confident", "labels", "per_class", "confusion")}


def expected_calibration_error(correct: Sequence[bool], confidence: Sequence[float], bins: int = 10) -> float:
    c = np.asarray(correct, dtype=float)
    p = np.asarray(confidence, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    ece = 0.0
    for lo, hi in itertools.pairwise(edges):
        m = (p > lo) & (p <= hi) if lo > 0 else (p >= lo) & (p <= hi)
        if m.any():
            ece += m.mean() * abs(c[m].mean() - p[m].mean())
    return round(float(ece), 4)


def evaluate(truth: Sequence[str], predicted: Sequence[str], confidence: Sequence[float] | None = None,
             threshold: float | None = None) -> Evaluation:
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    labels = sorted(set(truth) | set(predicted))
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    per = {lab: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4), "f1": round(float(f[i]), 4),
                 "support": int(s[i])} for i, lab in enumerate(labels)}
    true_labels = sorted(set(truth))
    macro = f1_score(truth, predicted, labels=true_labels, average="macro", zero_division=0)
    ece = rate = acc_conf = None
    if confidence is not None:
        correct = [a == b for a, b in zip(truth, predicted)]
        ece = expected_calibration_error(correct, confidence)
        if threshold is not None:
            sure = [ok for ok, c in zip(correct, confidence) if c >= threshold]
            rate = round(1 - len(sure) / max(1, len(correct)), 4)
            acc_conf = round(sum(sure) / len(sure), 4) if sure else None
    return Evaluation(labels, round(float(accuracy_score(truth, predicted)), 4), round(float(macro), 4), per,
                      confusion_matrix(truth, predicted, labels=labels).tolist(), len(truth), ece, rate, acc_conf)
