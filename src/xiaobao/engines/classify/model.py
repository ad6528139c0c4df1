"""The model the team's labels train: character n-gram TF-IDF + class-balanced logistic regression,
calibrated by temperature scaling fitted on out-of-fold scores, saved as a plain npz.

Why this shape: Chinese needs no segmenter for character n-grams (jieba word features measured no
better on the 黑猫 set, docs/classify.md); the linear model trains in seconds on CPU and predicts
thousands of complaints a second. Calibration is one number T: p = softmax((x·Wᵀ + b) / T), with T
chosen to minimise the log-loss of scores the model gave to folds it was not trained on. Dividing
by a positive T never changes which class ranks first, so calibration costs no accuracy (the earlier
one-vs-rest sigmoid calibration moved argmaxes and cost about 0.02 macro-F1 on the 黑猫 set). The
stored file is numbers only — an npz read with allow_pickle=False, never a pickle. Files written by
the earlier sigmoid-calibrated version (format /1) still load and predict as before.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .text import normalize

FORMAT = "xiaobao.classify.linear/2"
LEGACY_FORMATS = ("xiaobao.classify.linear/1",)  # per-class sigmoid (a, b) from CalibratedClassifierCV


class ModelError(ValueError):
    """A stored model that cannot be used, or labels a model cannot be trained on."""


@dataclass(frozen=True)
class TrainSettings:
    ngram_min: int = 1
    ngram_max: int = 3
    min_df: int = 2
    max_features: int = 300_000
    C: float = 5.0
    cv: int = 3  # folds for the out-of-fold scores the temperature is fitted on
    min_per_class: int = 3


@dataclass
class LinearTextModel:
    classes: list[str]
    vocabulary: list[str]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    ngram: tuple[int, int]
    temperature: float = 1.0
    # Only for format /1 files: per-class sigmoid calibration, p_k ∝ expit(-(a_k·d_k + b_k)).
    cal_a: np.ndarray | None = None
    cal_b: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    _vectorizer: Any = field(default=None, repr=False)

    # -- prediction --------------------------------------------------------------------------
    def _vec(self):
        if self._vectorizer is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            vec = TfidfVectorizer(analyzer="char", ngram_range=self.ngram, sublinear_tf=True, lowercase=False,
                                  preprocessor=normalize, vocabulary={t: i for i, t in enumerate(self.vocabulary)},
                                  dtype=np.float32)
            vec.idf_ = self.idf
            self._vectorizer = vec
        return self._vectorizer

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """The linear scores x·Wᵀ + b (one column for two classes, as scikit-learn)."""
        x = self._vec().transform(list(texts))
        return np.asarray(x @ self.coef.T, dtype=np.float64) + self.intercept

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, rows summing to 1, columns in `self.classes` order."""
        d = self.decision_function(texts)
        if self.cal_a is not None and self.cal_b is not None:
            return _sigmoid_calibrated(d, self.cal_a, self.cal_b, len(self.classes))
        return softmax_scores(d, self.temperature)

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        p = self.predict_proba(texts)
        idx = p.argmax(axis=1)
        return [(self.classes[i], float(p[r, i])) for r, i in enumerate(idx)]

    # -- storage -----------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(
            buf, classes=np.array(self.classes), vocabulary=np.array(self.vocabulary),
            idf=self.idf.astype(np.float32), coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float64), ngram=np.array(self.ngram, dtype=np.int64),
            meta=np.array(json.dumps(self.meta, ensure_ascii=False)), **self._calibration_arrays())
        return buf.getvalue()

    def _calibration_arrays(self) -> dict[str, np.ndarray]:
        if self.cal_a is not None and self.cal_b is not None:  # a loaded /1 model keeps its own format
            return {"format": np.array(LEGACY_FORMATS[0]), "cal_a": self.cal_a.astype(np.float64),
                    "cal_b": self.cal_b.astype(np.float64)}
        return {"format": np.array(FORMAT), "temperature": np.array(float(self.temperature), dtype=np.float64)}

    @classmethod
    def from_bytes(cls, blob: bytes) -> LinearTextModel:
        try:
            with np.load(io.BytesIO(blob), allow_pickle=False) as z:
                fmt = str(z["format"])
                if fmt != FORMAT and fmt not in LEGACY_FORMATS:
                    raise ModelError(f"模型格式 {fmt} 不受支持（需要 {FORMAT}）")
                cal = ({"cal_a": z["cal_a"], "cal_b": z["cal_b"]} if fmt in LEGACY_FORMATS
                       else {"temperature": float(z["temperature"])})
                m = cls(classes=[str(c) for c in z["classes"]], vocabulary=[str(t) for t in z["vocabulary"]],
                        idf=z["idf"], coef=z["coef"], intercept=z["intercept"],
                        ngram=tuple(int(n) for n in z["ngram"]), meta=json.loads(str(z["meta"])), **cal)
        except (KeyError, ValueError, OSError) as e:
            raise ModelError(f"模型文件损坏或不完整：{e}") from e
        k, n = len(m.classes), len(m.vocabulary)
        rows = 1 if k == 2 else k
        if m.coef.shape != (rows, n) or m.idf.shape != (n,) or m.intercept.shape != (rows,):
            raise ModelError("模型文件各数组维度不一致")
        if m.cal_a is not None and (m.cal_a.shape != (rows,) or m.cal_b.shape != (rows,)):
            raise ModelError("模型文件各数组维度不一致")
        if not (np.isfinite(m.temperature) and m.temperature > 0):
            raise ModelError(f"模型温度参数无效：{m.temperature}")
        return m

    def digest(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()


def _logits(d: np.ndarray) -> np.ndarray:
    """Per-class scores; scikit-learn's binary LR has one column d, i.e. classes score (0, d)."""
    return np.hstack([np.zeros_like(d), d]) if d.shape[1] == 1 else d


def softmax_scores(d: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """softmax(logits / T). At T = 1 this is LogisticRegression.predict_proba (multinomial, and
    the sigmoid in the binary case)."""
    z = _logits(np.asarray(d, dtype=np.float64)) / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(d: np.ndarray, y: np.ndarray) -> float:
    """The T > 0 minimising mean log-loss of softmax(d / T) against class indices y (golden-section
    search on log T over [1/20, 20]; the loss is convex in 1/T)."""
    z = _logits(np.asarray(d, dtype=np.float64))
    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        s = z / np.exp(log_t)
        s = s - s.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(s).sum(axis=1)) - s[rows, y]))

    lo, hi = -np.log(20.0), np.log(20.0)
    g = (np.sqrt(5.0) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = nll(a), nll(b)
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = nll(b)
    return float(np.exp((lo + hi) / 2))


def _sigmoid_calibrated(d: np.ndarray, cal_a: np.ndarray, cal_b: np.ndarray, n_classes: int) -> np.ndarray:
    # scikit-learn's _SigmoidCalibration (format /1 files): p = expit(-(a·d + b)) per class, normalised.
    p = 1.0 / (1.0 + np.exp(cal_a * d + cal_b))
    if n_classes == 2:
        p = np.hstack([1.0 - p, p])
    z = p.sum(axis=1, keepdims=True)
    uniform = np.full_like(p, 1.0 / n_classes)
    return np.where(z > 0, p / np.where(z > 0, z, 1.0), uniform)


def trainable(labels: Sequence[str], min_per_class: int) -> tuple[set[str], dict[str, int]]:
    """Classes with enough examples for out-of-fold calibration, and the ones left out (with counts)."""
    counts = Counter(labels)
    keep = {c for c, n in counts.items() if n >= min_per_class}
    return keep, {c: n for c, n in counts.items() if c not in keep}


def train(texts: Sequence[str], labels: Sequence[str], settings: TrainSettings | None = None) -> LinearTextModel:
    """Fit on (text, label) pairs. Classes with fewer than `min_per_class` examples are left out and
    named in `meta['dropped']`; fewer than two usable classes is an error.

    The temperature is fitted on out-of-fold scores (`settings.cv` stratified folds, each scored by a
    model that did not see it); the stored weights are then refitted on all the labels."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    settings = settings or TrainSettings()
    if len(texts) != len(labels):
        raise ModelError("文本与标签数量不一致")
    keep, dropped = trainable(labels, settings.min_per_class)
    if len(keep) < 2:
        raise ModelError(f"可训练的类别不足两个（每类至少 {settings.min_per_class} 条标注）；现有：{dict(Counter(labels))}")
    pairs = [(t, y) for t, y in zip(texts, labels) if y in keep]
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    # On a few hundred team labels a bigram seen once is still informative; on thousands it is noise.
    min_df = 1 if len(xs) < 1000 else settings.min_df
    vec = TfidfVectorizer(analyzer="char", ngram_range=(settings.ngram_min, settings.ngram_max), sublinear_tf=True,
                          lowercase=False, preprocessor=normalize, min_df=min_df, max_features=settings.max_features,
                          dtype=np.float32)
    x = vec.fit_transform(xs)
    cv = max(2, min(settings.cv, min(Counter(ys).values())))
    base = LogisticRegression(C=settings.C, max_iter=1000, tol=1e-3, class_weight="balanced")
    classes = sorted(set(ys))
    y_idx = np.array([classes.index(y) for y in ys])
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=0)
    oof = cross_val_predict(base, x, ys, cv=folds, method="decision_function")
    oof = oof.reshape(len(ys), -1)
    temperature = fit_temperature(oof, y_idx)
    est = base.fit(x, ys)
    vocab = [None] * len(vec.vocabulary_)
    for term, i in vec.vocabulary_.items():
        vocab[i] = term
    return LinearTextModel(
        classes=[str(c) for c in est.classes_], vocabulary=vocab, idf=vec.idf_.astype(np.float32),
        coef=est.coef_.astype(np.float32), intercept=est.intercept_.astype(np.float64),
        ngram=(settings.ngram_min, settings.ngram_max), temperature=temperature,
        meta={"n_train": len(xs), "counts": dict(Counter(ys)), "dropped": dropped, "cv": cv, "C": settings.C,
              "min_df": min_df, "features": len(vocab), "calibration": "temperature",
              "temperature": round(temperature, 4)})
