"""The model the team's labels train: character n-gram TF-IDF + logistic regression, calibrated
with scikit-learn's CalibratedClassifierCV (sigmoid, out-of-fold), saved as a plain npz.

Why this shape: Chinese needs no segmenter for character n-grams (jieba word features measured no
better on the 黑猫 set, docs/classify.md); the linear model trains in seconds on CPU and predicts
thousands of complaints a second; CalibratedClassifierCV(ensemble=False) leaves one linear model plus
one (a, b) sigmoid per class — numbers, not code — so the stored file is an npz read with
allow_pickle=False and never a pickle.
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

FORMAT = "xiaobao.classify.linear/1"


class ModelError(ValueError):
    """A stored model that cannot be used, or labels a model cannot be trained on."""


@dataclass(frozen=True)
class TrainSettings:
    ngram_min: int = 1
    ngram_max: int = 3
    min_df: int = 2
    max_features: int = 300_000
    C: float = 5.0
    cv: int = 3
    min_per_class: int = 3


@dataclass
class LinearTextModel:
    classes: list[str]
    vocabulary: list[str]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    cal_a: np.ndarray
    cal_b: np.ndarray
    ngram: tuple[int, int]
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

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, rows summing to 1, columns in `self.classes` order."""
        x = self._vec().transform(list(texts))
        d = np.asarray(x @ self.coef.T, dtype=np.float64) + self.intercept
        # scikit-learn's _SigmoidCalibration: p = expit(-(a·d + b)), one calibrator per class.
        p = 1.0 / (1.0 + np.exp(self.cal_a * d + self.cal_b))
        if len(self.classes) == 2:
            p = np.hstack([1.0 - p, p])
        z = p.sum(axis=1, keepdims=True)
        uniform = np.full_like(p, 1.0 / len(self.classes))
        return np.where(z > 0, p / np.where(z > 0, z, 1.0), uniform)

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        p = self.predict_proba(texts)
        idx = p.argmax(axis=1)
        return [(self.classes[i], float(p[r, i])) for r, i in enumerate(idx)]

    # -- storage -----------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(
            buf, format=np.array(FORMAT), classes=np.array(self.classes), vocabulary=np.array(self.vocabulary),
            idf=self.idf.astype(np.float32), coef=self.coef.astype(np.float32),
            intercept=self.intercept.astype(np.float64), cal_a=self.cal_a.astype(np.float64),
            cal_b=self.cal_b.astype(np.float64), ngram=np.array(self.ngram, dtype=np.int64),
            meta=np.array(json.dumps(self.meta, ensure_ascii=False)))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> LinearTextModel:
        try:
            with np.load(io.BytesIO(blob), allow_pickle=False) as z:
                if str(z["format"]) != FORMAT:
                    raise ModelError(f"模型格式 {z['format']} 不受支持（需要 {FORMAT}）")
                m = cls(classes=[str(c) for c in z["classes"]], vocabulary=[str(t) for t in z["vocabulary"]],
                        idf=z["idf"], coef=z["coef"], intercept=z["intercept"], cal_a=z["cal_a"], cal_b=z["cal_b"],
                        ngram=tuple(int(n) for n in z["ngram"]), meta=json.loads(str(z["meta"])))
        except (KeyError, ValueError, OSError) as e:
            raise ModelError(f"模型文件损坏或不完整：{e}") from e
        k, n = len(m.classes), len(m.vocabulary)
        rows = 1 if k == 2 else k
        if m.coef.shape != (rows, n) or m.idf.shape != (n,) or m.cal_a.shape != (rows,) or m.cal_b.shape != (rows,):
            raise ModelError("模型文件各数组维度不一致")
        return m

    def digest(self) -> str:
        return hashlib.sha256(self.to_bytes()).hexdigest()


def trainable(labels: Sequence[str], min_per_class: int) -> tuple[set[str], dict[str, int]]:
    """Classes with enough examples for out-of-fold calibration, and the ones left out (with counts)."""
    counts = Counter(labels)
    keep = {c for c, n in counts.items() if n >= min_per_class}
    return keep, {c: n for c, n in counts.items() if c not in keep}


def train(texts: Sequence[str], labels: Sequence[str], settings: TrainSettings | None = None) -> LinearTextModel:
    """Fit on (text, label) pairs. Classes with fewer than `min_per_class` examples are left out and
    named in `meta['dropped']`; fewer than two usable classes is an error."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

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
    cal = CalibratedClassifierCV(base, method="sigmoid", cv=cv, ensemble=False).fit(x, ys)
    fitted = cal.calibrated_classifiers_[0]
    est = fitted.estimator
    vocab = [None] * len(vec.vocabulary_)
    for term, i in vec.vocabulary_.items():
        vocab[i] = term
    return LinearTextModel(
        classes=[str(c) for c in cal.classes_], vocabulary=vocab, idf=vec.idf_.astype(np.float32),
        coef=est.coef_.astype(np.float32), intercept=est.intercept_.astype(np.float64),
        cal_a=np.array([c.a_ for c in fitted.calibrators], dtype=np.float64),
        cal_b=np.array([c.b_ for c in fitted.calibrators], dtype=np.float64),
        ngram=(settings.ngram_min, settings.ngram_max),
        meta={"n_train": len(xs), "counts": dict(Counter(ys)), "dropped": dropped, "cv": cv, "C": settings.C,
              "min_df": min_df, "features": len(vocab)})
