"""Multinomial naive Bayes against scikit-learn's MultinomialNB on the same counts, the
tokenizer/vocabulary/count matrix, the metrics against sklearn.metrics, and >= 97%
accuracy on the real SMS Spam Collection when that file is present.

Tolerances: float32 log-probabilities atol 1e-4 (sums of ~10² terms); float64 1e-10.
"""


import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.naive_bayes import MultinomialNB

from mlmath_jax import data, text
from mlmath_jax.models import naive_bayes as nb

from .helpers import ROOT, shared_data


def _random_counts(seed=0, n=120, v=40, c=3):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, c, n)
    rates = rng.gamma(1.0, 1.0, (c, v))
    X = rng.poisson(rates[y]).astype(np.float64)
    return X, y


@pytest.mark.parametrize("alpha", [1.0, 0.3])
def test_matches_sklearn_multinomialnb(alpha):
    X, y = _random_counts()
    ref = MultinomialNB(alpha=alpha).fit(X, y)
    with jax.enable_x64(True):
        params = nb.fit(jnp.asarray(X), jnp.asarray(y), 3, alpha)
        np.testing.assert_allclose(params.log_prior, ref.class_log_prior_, atol=1e-12)
        np.testing.assert_allclose(params.log_likelihood, ref.feature_log_prob_, atol=1e-12)
        np.testing.assert_allclose(nb.predict_log_proba(params, jnp.asarray(X)),
                                   ref.predict_log_proba(X), atol=1e-10)
        np.testing.assert_array_equal(nb.predict(params, jnp.asarray(X)), ref.predict(X))


def test_float32_agrees_and_rows_normalized():
    X, y = _random_counts(1)
    ref = MultinomialNB().fit(X, y)
    params = nb.fit(jnp.asarray(X, jnp.float32), jnp.asarray(y), 3)
    assert params.log_likelihood.dtype == jnp.float32
    np.testing.assert_allclose(jnp.sum(jnp.exp(params.log_likelihood), axis=1), 1.0,
                               rtol=1e-5)
    np.testing.assert_allclose(nb.predict_log_proba(params, jnp.asarray(X, jnp.float32)),
                               ref.predict_log_proba(X), atol=1e-3)
    np.testing.assert_array_equal(nb.predict(params, jnp.asarray(X, jnp.float32)),
                                  ref.predict(X))


def test_tokenizer_vocabulary_counts():
    assert text.tokenize("WIN £1000 now! Don't wait") == ["win", "£", "1000", "now", "don't",
                                                          "wait"]
    docs = [text.tokenize(t) for t in ["a b a", "b c", "a"]]
    vocab = text.build_vocabulary(docs)
    assert vocab.tokens == ("a", "b", "c")  # by count, ties alphabetical
    X = text.count_matrix(docs, vocab)
    np.testing.assert_array_equal(X, [[2, 1, 0], [0, 1, 1], [1, 0, 0]])
    assert text.build_vocabulary(docs, min_count=2).tokens == ("a", "b")
    from sklearn.feature_extraction.text import CountVectorizer

    cv = CountVectorizer(tokenizer=text.tokenize, lowercase=False, token_pattern=None)
    raw = ["Free entry: win a prize", "see you at lunch, see you", "WIN win win"]
    ref = cv.fit_transform(raw).toarray()
    docs = [text.tokenize(t) for t in raw]
    ours = text.count_matrix(docs, text.build_vocabulary(docs))
    order = [text.build_vocabulary(docs).index[t] for t in cv.get_feature_names_out()]
    np.testing.assert_array_equal(ours[:, order], ref)


def test_metrics_and_top_tokens():
    y_true = np.array([0, 1, 1, 0, 1, 0, 0, 1])
    y_pred = np.array([0, 1, 0, 0, 1, 1, 0, 1])
    m = nb.binary_metrics(y_pred, y_true)
    assert m.accuracy == pytest.approx(skm.accuracy_score(y_true, y_pred))
    assert m.precision == pytest.approx(skm.precision_score(y_true, y_pred))
    assert m.recall == pytest.approx(skm.recall_score(y_true, y_pred))
    assert m.f1 == pytest.approx(skm.f1_score(y_true, y_pred))
    np.testing.assert_array_equal(nb.confusion_matrix(y_pred, y_true, 2),
                                  skm.confusion_matrix(y_true, y_pred))
    X = np.array([[5, 0, 1], [4, 0, 1], [0, 6, 1], [0, 5, 1]], np.float32)
    params = nb.fit(jnp.asarray(X), jnp.array([0, 0, 1, 1]), 2)
    top = nb.top_tokens(params, ("ham_word", "spam_word", "both"), positive=1, k=2)
    assert [t for t, _ in top] == ["spam_word", "both"]
    # smoothed counts: ham [10, 1, 3] / 14, spam [1, 12, 3] / 16
    assert top[0][1] == pytest.approx(np.log((12 / 16) / (1 / 14)), abs=1e-5)
    assert top[1][1] == pytest.approx(np.log((3 / 16) / (3 / 14)), abs=1e-5)


def test_sms_spam_collection_accuracy():
    path = shared_data("sms_spam_collection.tsv")
    if path is None:
        pytest.skip("sms_spam_collection.tsv not found (set MLMATH_SHARED_DATA)")
    labels, texts = data.read_labeled_text(path)
    assert len(labels) == 5574
    y = np.array([1 if lab == "spam" else 0 for lab in labels])
    docs = [text.tokenize(t) for t in texts]
    idx = np.arange(len(docs))
    tr, te = data.train_test_split(jax.random.key(0), idx, test_fraction=0.2, stratify=y)
    vocab = text.build_vocabulary([docs[i] for i in tr])
    X_tr = text.count_matrix([docs[i] for i in tr], vocab)
    X_te = text.count_matrix([docs[i] for i in te], vocab)
    params = nb.fit(jnp.asarray(X_tr), jnp.asarray(y[tr]), 2)
    pred = np.asarray(nb.predict(params, jnp.asarray(X_te)))
    m = nb.binary_metrics(pred, y[te])
    assert m.accuracy >= 0.97
    ref = MultinomialNB().fit(X_tr, y[tr]).predict(X_te)
    assert np.mean(pred == ref) >= 0.999  # float32 vs float64 ties at most


def test_sms_config_refuses_missing_file_and_accepts_override(tmp_path):
    from mlmath_jax.errors import ConfigError
    from mlmath_jax.runner.core import prepare

    cfg_path = ROOT / "configs" / "extra" / "naive_bayes_sms.toml"
    with pytest.raises(ConfigError, match=r"data.path = .*no such file"):
        prepare(cfg_path, sets=[f'data.path="{tmp_path / "absent.tsv"}"'])
    corpus = tmp_path / "mini.tsv"
    corpus.write_text("ham\thello there\nspam\twin a prize\n", encoding="utf-8")
    prep = prepare(cfg_path, sets=[f'data.path="{corpus}"'])
    assert prep.cfg.data.path == str(corpus)


def test_sparse_counts_give_the_same_model_and_predictions():
    from mlmath_jax import text
    from mlmath_jax.models import naive_bayes as nb

    docs = [text.tokenize(t) for t in ["win a free prize now", "free free entry",
                                       "see you at lunch", "lunch is at noon, see you",
                                       "claim your prize", "noon lunch"]]
    labels = np.array([1, 1, 0, 0, 1, 0])
    vocab = text.build_vocabulary(docs)
    dense = text.count_matrix(docs, vocab)
    sp = text.sparse_count_matrix(docs, vocab)
    np.testing.assert_array_equal(np.asarray(sp.todense()), dense)
    pd, ps = nb.fit(dense, labels, 2), nb.fit(sp, labels, 2)
    np.testing.assert_allclose(ps.log_likelihood, pd.log_likelihood, rtol=1e-6)
    np.testing.assert_allclose(nb.predict_log_proba(ps, sp), nb.predict_log_proba(pd, dense),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(nb.predict(ps, sp), nb.predict(pd, dense))
