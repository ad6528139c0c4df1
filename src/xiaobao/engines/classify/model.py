"""The model the team's labels train: character n-gram TF-IDF + class-balanced logistic regression,
calibrated by temperature scaling fitted on out-of-fold scores, saved as a plain npz.

Why this shape: Chinese needs no segmenter for character n-grams (jieba word features measured no
better on the 黑猫 set, docs/classify.md); the linear model trains in seconds on CPU and predicts
thousands of complaints a second (the TF-IDF row is computed by `CharNgramScorer`: the very numbers
scikit-learn's vectorizer gives, without its per-call overhead). Calibration is one number T:
p = softmax((x·Wᵀ + b) / T), with T chosen to minimise the log-loss of scores the model gave to folds
it was not trained on. Dividing by a positive T never changes which class ranks first, so calibration
costs no accuracy (the earlier one-vs-rest sigmoid calibration moved argmaxes and cost about 0.02
macro-F1 on the 黑猫 set). The stored file is numbers only — an npz read with allow_pickle=False, never
a pickle. Files written by the earlier sigmoid-calibrated version (format /1) still load and predict
as before.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from xiaobao.engines.classify.text import normalize

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
    _vectorizer: Any = field(default=None, repr=False)  # scikit-learn's, built only if asked for (`_vec`)
    _scorer: Any = field(default=None, repr=False, compare=False)  # the prediction path (`_features`)

    # -- prediction --------------------------------------------------------------------------
    def _features(self) -> CharNgramScorer:
        """The scorer predictions go through, built on first use (and again if the arrays were replaced)."""
        s = self._scorer
        if s is None or not s.built_from(self.vocabulary, self.idf, self.coef, self.ngram):
            s = self._scorer = CharNgramScorer(self.vocabulary, self.idf, self.coef, self.ngram)
        return s

    def _vec(self):
        """scikit-learn's TfidfVectorizer over the stored vocabulary and idf: the definition of the features
        (`CharNgramScorer` computes the same numbers without it; the tests hold the two together)."""
        if self._vectorizer is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            vec = TfidfVectorizer(analyzer="char", ngram_range=self.ngram, sublinear_tf=True, lowercase=False,
                                  preprocessor=normalize, vocabulary={t: i for i, t in enumerate(self.vocabulary)},
                                  dtype=np.float32)
            vec.idf_ = self.idf
            self._vectorizer = vec
        return self._vectorizer

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """The linear scores x·Wᵀ + b (one column for two classes, as scikit-learn); x is what `_vec()`
        would give, computed by `CharNgramScorer`."""
        if isinstance(texts, str):  # a string is not a batch of one-character texts (scikit-learn refused it too)
            raise TypeError("需要文本的序列，而不是单个字符串")
        if not isinstance(texts, (list, tuple)):
            texts = list(texts)
        return self._features().scores(texts).astype(np.float64) + self.intercept

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


# -- the features, without scikit-learn's per-call overhead -----------------------------------------
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's _VectorizerMixin._white_spaces
_BITS = 21  # a code point + 1 (1 … 0x110000) takes 21 bits: up to three of them pack into one int64
_ONE_BY_ONE_UP_TO = 3  # batches this small go text by text through numpy; larger ones through scipy.sparse


def _code_points(text: str) -> np.ndarray:
    """Each character's code point + 1, so that 0 can mean 'no character'."""
    a = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    a += 1
    return a


class CharNgramScorer:
    """x·Wᵀ for a batch of texts, where x is exactly the row scikit-learn's

        TfidfVectorizer(analyzer="char", ngram_range=ngram, sublinear_tf=True, lowercase=False,
                        preprocessor=normalize, vocabulary=vocabulary, dtype=float32), idf_ = idf

    gives (`LinearTextModel._vec`) and W is the stored coef: the same steps, in the same order and
    precision, so the scores are the same numbers, not merely close. normalize; whitespace runs → one
    space (`_char_ngrams`, which does not strip); every n-gram for n in the range and n ≤ length; counts
    of those in the vocabulary; tf = log(count) + 1 in float32; × idf; ÷ the row's L2 norm, the squares
    summed in float64 in column order (sklearn's inplace_csr_row_normalize_l2); then Σ tf-idf × W over
    the columns in ascending order, in W's precision (scipy's csr_matvecs). What it leaves out is the
    per-call work around that — validating parameters and input, building and checking sparse matrices,
    the copy of coef.T scipy makes for every product — which cost more than the features themselves when
    intake predicts one complaint per call.

    Lookup: for n ≤ 3 an n-gram packs into one int64, code points left-aligned 21 bits apiece, so the
    packed keys sort as the strings do (a vocabulary stored in sorted order, as `train` writes it, then
    needs no reordering). A text's packed n-grams are sorted, counted and found with one `searchsorted`
    in the sorted packed vocabulary, instead of one Python dict lookup per n-gram. A longer n-gram range
    (not trained by default) falls back to a dict.

    Up to three texts are scored one by one in numpy alone (the sequential sums as cumulative sums); a
    larger batch becomes one CSR matrix and uses scipy's products, the kernels scikit-learn's path ends in.
    Cost: building it packs the vocabulary (about 10 ms for 94k terms) and keeps a transposed copy of W."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray, coef: np.ndarray, ngram: tuple[int, int]):
        lo, hi = int(ngram[0]), int(ngram[1])
        if not 1 <= lo <= hi:
            raise ModelError(f"n-gram 范围无效：{tuple(ngram)}")
        self._source = (vocabulary, idf, coef, tuple(ngram))
        self.lo, self.hi = lo, hi
        self.n_features = len(vocabulary)
        self.idf = np.asarray(idf)
        self.coef = np.ascontiguousarray(coef)  # (rows, features): one text gathers its columns
        self.coef_t = np.ascontiguousarray(self.coef.T)  # (features, rows): what scipy's product reads
        self.n_rows = self.coef.shape[0]
        self.dtype = np.result_type(np.float32, self.coef_t.dtype)  # that of x @ coef.T in sklearn's path
        self.packed = hi <= 3
        self.index: dict[str, int] = {} if self.packed else {t: i for i, t in enumerate(vocabulary)}
        self.keys, self.cols = self._packed_vocabulary(vocabulary) if self.packed else (None, None)
        self.in_order = bool(self.packed and np.all(self.cols[1:] > self.cols[:-1]))
        self._ones: np.ndarray | None = None

    def built_from(self, vocabulary, idf, coef, ngram) -> bool:
        v, i, c, n = self._source
        return v is vocabulary and i is idf and c is coef and n == tuple(ngram)

    def _packed_vocabulary(self, vocabulary: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        lens = np.fromiter(map(len, vocabulary), dtype=np.int64, count=len(vocabulary))
        cps = _code_points("".join(vocabulary))
        starts = np.cumsum(lens) - lens
        keys = np.zeros(lens.size, dtype=np.int64)
        for j in range(3):
            has = np.flatnonzero(lens > j)
            keys[has] |= cps[starts[has] + j] << (_BITS * (2 - j))
        usable = np.flatnonzero((lens >= self.lo) & (lens <= self.hi))  # no other term is ever an n-gram here
        order = np.argsort(keys[usable], kind="stable")
        return keys[usable][order], usable[order]

    # -- text → (column, count) ----------------------------------------------------------------------
    @staticmethod
    def _prepared(text: str) -> str:
        return _WHITE_SPACES.sub(" ", normalize(text))  # sklearn: preprocessor, then _char_ngrams' first step

    def _packed_ngrams(self, a: np.ndarray, remaining: np.ndarray | None = None) -> tuple[list[np.ndarray], list]:
        """The packed n-grams of code points `a` and the positions they start at. `a` is one text, or
        several end to end with `remaining[p]` = characters from p to the end of p's text, so that no
        n-gram spans two texts."""
        size, grams, starts = a.size, [], []
        g = a << (2 * _BITS)
        for n in range(1, self.hi + 1):
            if size < n:
                break
            if n > 1:
                g = g[:-1] | (a[n - 1:] << (_BITS * (3 - n)))
            if n < self.lo:
                continue
            if remaining is None:
                grams.append(g)
            elif n == 1:
                grams.append(g)
                starts.append(slice(None))
            else:
                ok = np.flatnonzero(remaining[:size - n + 1] >= n)
                grams.append(g[ok])
                starts.append(ok)
        return grams, starts

    @staticmethod
    def _counted(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct values of a sorted array, and how often each occurs."""
        if not ids.size:
            return ids, np.zeros(0, dtype=np.int64)
        edge = np.empty(ids.size + 1, dtype=bool)  # where a run of equal values starts, and the end
        edge[0] = edge[-1] = True
        np.not_equal(ids[1:], ids[:-1], out=edge[1:-1])
        at = np.flatnonzero(edge)
        return ids[at[:-1]], at[1:] - at[:-1]

    def _find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(which of `keys` are in the vocabulary, their columns)."""
        if not self.keys.size or not keys.size:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int64)
        i = np.searchsorted(self.keys, keys)
        np.minimum(i, self.keys.size - 1, out=i)
        hit = np.flatnonzero(self.keys[i] == keys)
        return hit, self.cols[i[hit]]

    def _dict_counts(self, t: str) -> tuple[np.ndarray, np.ndarray]:
        # sklearn's _char_ngrams and vocabulary lookup as they are (an n-gram range beyond 3)
        get, counts = self.index.get, Counter()
        for n in range(self.lo, min(self.hi + 1, len(t) + 1)):
            counts.update(j for j in map(get, [t[i:i + n] for i in range(len(t) - n + 1)]) if j is not None)
        cols = sorted(counts)
        return (np.array(cols, dtype=np.int64).reshape(-1),
                np.array([counts[c] for c in cols], dtype=np.int64).reshape(-1))

    def counts_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns ascending, counts) of one text: its row of the count matrix sklearn builds."""
        t = self._prepared(text)
        if not self.packed:
            return self._dict_counts(t)
        grams, _ = self._packed_ngrams(_code_points(t))
        if not grams:
            return self._counted(np.zeros(0, dtype=np.int64))
        keys = np.concatenate(grams)
        keys.sort()
        keys, counts = self._counted(keys)
        hit, cols = self._find(keys)
        counts = counts[hit]
        if not self.in_order:
            o = np.argsort(cols)
            cols, counts = cols[o], counts[o]
        return cols, counts

    def counts_many(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The count matrix of a batch as CSR (indptr, columns ascending within a row, counts)."""
        n = len(texts)
        prepared = [self._prepared(t) for t in texts]
        if not self.packed:
            rows = [self._dict_counts(t) for t in prepared]
            indptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum([c.size for c, _ in rows], out=indptr[1:])
            empty = np.zeros(0, dtype=np.int64)
            return (indptr, np.concatenate([empty, *(c for c, _ in rows)]),
                    np.concatenate([empty, *(k for _, k in rows)]))
        lens = np.fromiter(map(len, prepared), dtype=np.int64, count=n)
        a = _code_points("".join(prepared))
        remaining = np.repeat(np.cumsum(lens), lens) - np.arange(a.size)
        row_of = np.repeat(np.arange(n, dtype=np.int64), lens)
        grams, starts = self._packed_ngrams(a, remaining)
        width = max(self.n_features, 1)
        ids = np.zeros(0, dtype=np.int64)
        if grams:
            keys = np.concatenate(grams)
            order = np.argsort(keys)  # sorted keys search the vocabulary several times faster
            hit, cols = self._find(keys[order])
            rows = np.concatenate([row_of[s] for s in starts])[order[hit]]
            ids = rows * width + cols  # row-major, columns ascending
            ids.sort()
        ids, counts = self._counted(ids)
        rows, cols = np.divmod(ids, width)
        return np.searchsorted(rows, np.arange(n + 1)), cols, counts

    # -- (column, count) → scores --------------------------------------------------------------------
    def _tfidf(self, cols: np.ndarray, counts: np.ndarray) -> np.ndarray:
        x = counts.astype(np.float32)  # sklearn: TfidfTransformer.transform, before the norm
        np.log(x, out=x)
        x += 1.0
        x *= self.idf[cols]
        return x

    def features_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns ascending, float32 values): the nonzero entries of sklearn's tf-idf row for `text`."""
        cols, counts = self.counts_one(text)
        x = self._tfidf(cols, counts)
        if x.size:
            ss = np.add.accumulate((x * x).astype(np.float64))[-1]  # sequential in float64, as sklearn sums
            if ss != 0.0:
                x = (x.astype(np.float64) / np.sqrt(ss)).astype(np.float32)
        return cols, x

    def features_many(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """sklearn's tf-idf matrix of a batch as CSR arrays (indptr, columns, float32 values)."""
        from scipy.sparse import csr_matrix

        indptr, cols, counts = self.counts_many(texts)
        x = self._tfidf(cols, counts)
        if self._ones is None:
            self._ones = np.ones(self.n_features, dtype=np.float64)
        # Each row's sum of squares in float64, sequential in column order (csr_matvec; × 1.0 is exact),
        # then x / norm in float64 rounded to float32: sklearn's inplace_csr_row_normalize_l2 step for step.
        ss = csr_matrix(((x * x).astype(np.float64), cols, indptr), shape=(len(texts), self.n_features)) @ self._ones
        norm = np.sqrt(ss)
        norm[ss == 0.0] = 1.0  # sklearn leaves an all-zero row as it is
        return indptr, cols, (x.astype(np.float64) / np.repeat(norm, np.diff(indptr))).astype(np.float32)

    def score_one(self, text: str) -> np.ndarray:
        cols, x = self.features_one(text)
        if not cols.size:
            return np.zeros(self.n_rows, dtype=self.dtype)
        terms = np.take(self.coef, cols, axis=1)
        terms *= x
        return np.add.accumulate(terms, axis=1)[:, -1]  # y += x_j · W_j over ascending j, as csr_matvecs

    def score_many(self, texts: Sequence[str]) -> np.ndarray:
        from scipy.sparse import csr_matrix

        indptr, cols, x = self.features_many(texts)
        x = csr_matrix((x, cols, indptr), shape=(len(texts), self.n_features))
        return np.asarray(x @ self.coef_t, dtype=self.dtype)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """x·Wᵀ, shape (len(texts), rows of coef), in W's precision (float32 for a stored model)."""
        if len(texts) > _ONE_BY_ONE_UP_TO:
            return self.score_many(texts)
        out = np.empty((len(texts), self.n_rows), dtype=self.dtype)
        for r, text in enumerate(texts):
            out[r] = self.score_one(text)
        return out


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
