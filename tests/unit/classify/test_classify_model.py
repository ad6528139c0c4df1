"""The trainable model: learns from labels, stores as plain npz, calibrated by a temperature fitted out of fold,
and predicts exactly as scikit-learn would."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest

from xiaobao.engines.classify.engine import ComplaintClassifier
from xiaobao.engines.classify.metrics import evaluate, expected_calibration_error
from xiaobao.engines.classify.model import (
    LinearTextModel,
    ModelError,
    fit_temperature,
    softmax_scores,
    train,
)

TEMPLATES = {
    "debt_collection": ["催收员{a}打电话骚扰我的{b}", "{b}接到催收电话，被{a}威胁", "外包催收{a}辱骂{b}"],
    "pricing_fees": ["借款{a}收了{b}服务费，利息太高", "综合年化超过24%，{a}还有{b}担保费", "{a}砍头息，实际到账少了{b}"],
    "credit_limit": ["我的额度{a}被冻结，{b}借不出来", "{a}突然降额，{b}无法借款", "额度{a}关闭了，{b}不能借"],
}
FILL_A = ["今天", "昨天", "上周", "一直", "多次", "突然", "反复", "每天"]
FILL_B = ["家人", "朋友", "同事", "三千", "五百", "两次", "一万", "父母"]


def corpus(n_per: int, seed: int):
    rng = random.Random(seed)
    texts, labels = [], []
    for label, tpls in TEMPLATES.items():
        for _ in range(n_per):
            texts.append(rng.choice(tpls).format(a=rng.choice(FILL_A), b=rng.choice(FILL_B)))
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def model():
    texts, labels = corpus(30, seed=1)
    return train(texts, labels)


def test_learns_the_labels_it_was_given(model):
    texts, labels = corpus(10, seed=2)
    got = [label for label, _ in model.predict(texts)]
    assert evaluate(labels, got).accuracy >= 0.9


def _sklearn_twin(texts, labels):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from xiaobao.engines.classify.text import normalize

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, lowercase=False,
                          preprocessor=normalize, min_df=1, max_features=300_000, dtype=np.float32)
    x = vec.fit_transform(texts)
    lr = LogisticRegression(C=5.0, max_iter=1000, tol=1e-3, class_weight="balanced").fit(x, labels)
    return vec, lr


def test_probabilities_match_scikit_learns_logistic_regression_at_the_fitted_temperature(model):
    # The stored numbers reproduce scikit-learn: softmax(decision_function / T), and at T = 1 exactly
    # LogisticRegression.predict_proba.
    texts, labels = corpus(30, seed=1)
    vec, lr = _sklearn_twin(texts, labels)
    probe = ["催收打电话给我朋友", "担保费太高", "额度被冻结", "利息太高还被催收"]
    x = vec.transform(probe)
    assert list(lr.classes_) == model.classes
    t = model.temperature
    assert 0.05 < t < 20 and model.meta["calibration"] == "temperature"
    d = lr.decision_function(x) / t
    want = np.exp(d - d.max(axis=1, keepdims=True))
    want /= want.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict_proba(probe), want, atol=1e-4)
    at_one = LinearTextModel(**{**model.__dict__, "temperature": 1.0, "_vectorizer": None})
    np.testing.assert_allclose(at_one.predict_proba(probe), lr.predict_proba(x), atol=1e-4)


def test_binary_models_match_scikit_learn_too():
    texts, labels = corpus(20, seed=4)
    keep = [(t, y) for t, y in zip(texts, labels) if y != "credit_limit"]
    xs, ys = [t for t, _ in keep], [y for _, y in keep]
    m = train(xs, ys)
    vec, lr = _sklearn_twin(xs, ys)
    probe = ["催收打电话给我朋友", "担保费太高"]
    at_one = LinearTextModel(**{**m.__dict__, "temperature": 1.0, "_vectorizer": None})
    np.testing.assert_allclose(at_one.predict_proba(probe), lr.predict_proba(vec.transform(probe)), atol=1e-4)
    assert m.predict(probe)[0][0] == "debt_collection"


def test_temperature_keeps_the_ranking_and_is_fitted_to_the_scores():
    rng = np.random.default_rng(0)
    true_logits = 2.0 * rng.normal(size=(4000, 3))
    p = np.exp(true_logits) / np.exp(true_logits).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(3, p=row) for row in p])  # labels drawn from softmax(true_logits)
    # Scores three times too sharp: the fitted T undoes it, and no argmax moves.
    t = fit_temperature(3.0 * true_logits, y)
    assert 2.4 < t < 3.6
    d = rng.normal(size=(50, 4))
    assert (softmax_scores(d, 0.3).argmax(1) == softmax_scores(d, 4.0).argmax(1)).all()
    np.testing.assert_allclose(softmax_scores(d, 2.0).sum(axis=1), 1.0)


def test_a_model_file_of_the_earlier_sigmoid_format_still_loads_and_predicts(model):
    # Format /1 files (CalibratedClassifierCV sigmoid) in existing databases keep working.
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    texts, labels = corpus(30, seed=1)
    vec, _ = _sklearn_twin(texts, labels)
    cal = CalibratedClassifierCV(LogisticRegression(C=5.0, max_iter=1000, tol=1e-3, class_weight="balanced"),
                                 method="sigmoid", cv=3, ensemble=False).fit(vec.transform(texts), labels)
    fitted = cal.calibrated_classifiers_[0]
    vocab = [None] * len(vec.vocabulary_)
    for term, i in vec.vocabulary_.items():
        vocab[i] = term
    buf = io.BytesIO()
    np.savez_compressed(
        buf, format=np.array("xiaobao.classify.linear/1"), classes=np.array(list(cal.classes_)),
        vocabulary=np.array(vocab), idf=vec.idf_.astype(np.float32), coef=fitted.estimator.coef_.astype(np.float32),
        intercept=fitted.estimator.intercept_, cal_a=np.array([c.a_ for c in fitted.calibrators]),
        cal_b=np.array([c.b_ for c in fitted.calibrators]), ngram=np.array([1, 3]), meta=np.array("{}"))
    old = LinearTextModel.from_bytes(buf.getvalue())
    probe = ["催收打电话给我朋友", "担保费太高", "额度被冻结"]
    np.testing.assert_allclose(old.predict_proba(probe), cal.predict_proba(vec.transform(probe)), atol=1e-4)
    again = LinearTextModel.from_bytes(old.to_bytes())
    np.testing.assert_allclose(again.predict_proba(probe), old.predict_proba(probe))


def test_round_trips_through_npz_without_pickle(model):
    blob = model.to_bytes()
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        assert z["vocabulary"].dtype.kind == "U"  # plain strings, not objects
    again = LinearTextModel.from_bytes(blob)
    probe = ["催收员威胁我的家人"]
    np.testing.assert_allclose(again.predict_proba(probe), model.predict_proba(probe))
    assert again.digest() == model.digest()


def test_a_corrupt_model_file_is_refused():
    with pytest.raises(ModelError):
        LinearTextModel.from_bytes(b"not an npz at all")


def test_classes_with_too_few_labels_are_left_out_and_named():
    texts, labels = corpus(10, seed=3)
    m = train([*texts, "我被诈骗了"], [*labels, "fraud_victim"])
    assert "fraud_victim" not in m.classes and m.meta["dropped"] == {"fraud_victim": 1}


def test_one_usable_class_is_an_error():
    with pytest.raises(ModelError, match="不足两个"):
        train(["催收骚扰"] * 5, ["debt_collection"] * 5)


def test_a_trained_model_replaces_the_lexicon_and_keeps_axes(model):
    clf = ComplaintClassifier.from_rules().with_models(model, None, "model:1")
    p = clf.predict("额度突然被冻结了，借不出来")
    assert p.source == "model:1" and p.suggestion == "credit_limit"
    assert p.axis_c.name_zh == "管理制度、业务规则与流程"


def test_calibration_error_is_zero_for_a_perfectly_calibrated_toy():
    assert expected_calibration_error([True, False] * 50, [0.5] * 100) == 0.0
    assert expected_calibration_error([True] * 10, [0.5] * 10) == 0.5
