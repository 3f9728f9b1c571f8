"""Multinomial naive Bayes against scikit-learn's MultinomialNB on the same counts, the
tokenizer/vocabulary/count matrix, the metrics against sklearn.metrics, and >= 97%
accuracy on the real SMS Spam Collection when that file is present.

Tolerances: float32 log-probabilities atol 1e-4 (sums of ~10² terms); float64 1e-10.
"""


import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax.experimental import sparse as jsparse
from scipy import sparse as ssp
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
        # the benchmark's form: a BCOO from scipy's CSR (rows in order, no sorted flag)
        sp = jsparse.BCOO.from_scipy_sparse(ssp.csr_matrix(X))
        ps = nb.fit(sp, jnp.asarray(y), 3, alpha)
        np.testing.assert_allclose(ps.log_prior, ref.class_log_prior_, atol=1e-12)
        np.testing.assert_allclose(ps.log_likelihood, ref.feature_log_prob_, atol=1e-12)
        np.testing.assert_allclose(nb.predict_log_proba(ps, sp), ref.predict_log_proba(X),
                                   atol=1e-10)
        np.testing.assert_array_equal(nb.predict(ps, sp), ref.predict(X))


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


# ------------------------------------------------------------------ sparse path, generated


def _sparse_case(seed, n, v, c, density):
    """Random counts with most entries zero, labels with every class present."""
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.arange(c), rng.integers(0, c, n - c)])
    rng.shuffle(y)
    X = rng.poisson(rng.gamma(1.0, 2.0, (c, v))[y]) * (rng.random((n, v)) < density)
    return X.astype(np.float64), y


def _storage_forms(X):
    """The same counts as a dense array and as BCOOs built four ways: entries in row order
    with no flag (as ``BCOO.from_scipy_sparse`` builds them from CSR), the same with the
    sorted flag set (as ``text.sparse_count_matrix`` does), shuffled entries with each
    count split into two duplicates, and ``fromdense`` with a larger nse. Each is padded
    to a capacity fixed by the shape with out-of-bounds entries (index (n, V), value 1:
    BCOO ignores them), which also lets examples of one shape share a compiled program."""
    n, v = X.shape
    rows, cols = np.nonzero(X)
    vals = X[rows, cols]
    idx = np.stack([rows, cols], 1).astype(np.int32)
    order = np.random.default_rng(1).permutation(2 * len(vals))
    dup_idx = np.concatenate([idx, idx])[order]
    dup_vals = np.concatenate([vals - vals // 2, vals // 2])[order]

    def padded(values, indices, capacity, **flags):
        pad = capacity - len(values)
        values = np.concatenate([values, np.ones(pad)])
        indices = np.concatenate([indices, np.tile(np.int32([n, v]), (pad, 1))])
        return jsparse.BCOO((jnp.asarray(values), jnp.asarray(indices)), shape=X.shape,
                            **flags)

    return {
        "dense": jnp.asarray(X),
        "rows": padded(vals, idx, n * v),
        "sorted": padded(vals, idx, n * v, indices_sorted=True),
        "duplicates": padded(dup_vals, dup_idx, 2 * n * v),
        "fromdense": jsparse.BCOO.fromdense(jnp.asarray(X), nse=n * v),
    }


# shapes from small sets, so that examples share compiled programs (values vary freely)
@given(st.integers(0, 2**31 - 1), st.sampled_from([(5, 1, 2), (12, 6, 3), (23, 17, 4)]),
       st.sampled_from([0.02, 0.1, 0.5]), st.sampled_from([1.0, 0.25]))
@settings(max_examples=20, deadline=None)
def test_sparse_and_dense_match_sklearn_on_generated_counts(seed, shape, density, alpha):
    n, v, c = shape
    X, y = _sparse_case(seed, n, v, c, density)
    ref = MultinomialNB(alpha=alpha).fit(X, y)
    ref_jll = ref.predict_joint_log_proba(X)
    top2 = np.sort(ref_jll, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 1e-9  # rows without a tie for the top class
    with jax.enable_x64(True):
        yj = jnp.asarray(y)
        for form, counts in _storage_forms(X).items():
            params = nb.fit(counts, yj, c, alpha)
            np.testing.assert_allclose(params.log_prior, ref.class_log_prior_, atol=1e-12,
                                       err_msg=form)
            np.testing.assert_allclose(params.log_likelihood, ref.feature_log_prob_,
                                       rtol=1e-10, atol=1e-12, err_msg=form)
            np.testing.assert_allclose(nb.joint_log_likelihood(params, counts), ref_jll,
                                       rtol=1e-10, atol=1e-10, err_msg=form)
            np.testing.assert_allclose(nb.predict_log_proba(params, counts),
                                       ref.predict_log_proba(X), rtol=1e-10, atol=1e-10,
                                       err_msg=form)
            pred = np.asarray(nb.predict(params, counts))
            np.testing.assert_array_equal(pred[clear], ref.predict(X)[clear], err_msg=form)


@given(st.integers(0, 2**31 - 1), st.sampled_from([0.05, 0.3, 1.0]))
@settings(max_examples=10, deadline=None)
def test_sparse_float32_and_other_layouts_equal_dense(seed, density):
    """float32 BCOOs (also with a batch or a dense dimension, and integer counts) give the
    dense path's model and scores to float32 tolerance."""

    n, v = 14, 9
    X, y = _sparse_case(seed, n, v, 3, density)
    X32, yj = jnp.asarray(X, jnp.float32), jnp.asarray(y)
    pd = nb.fit(X32, yj, 3)
    jd = nb.joint_log_likelihood(pd, X32)
    forms = {"batch": jsparse.BCOO.fromdense(X32, n_batch=1, nse=v),
             "dense_dim": jsparse.BCOO.fromdense(X32, n_dense=1, nse=n),
             "int": jsparse.BCOO.fromdense(jnp.asarray(X, jnp.int32), nse=n * v)}
    for form, counts in forms.items():
        ps = nb.fit(counts, yj, 3)
        assert ps.log_likelihood.dtype == jnp.float32, form
        np.testing.assert_allclose(ps.log_likelihood, pd.log_likelihood, rtol=1e-5,
                                   atol=1e-6, err_msg=form)
        # sums of up to ~10² float32 terms of size ~10
        np.testing.assert_allclose(nb.joint_log_likelihood(ps, counts), jd, rtol=1e-5,
                                   atol=1e-4, err_msg=form)


def test_sparse_labels_outside_the_classes_are_ignored_like_dense():
    """one_hot gives a label outside [0, C) a zero row; the sparse path drops it too."""

    X, y = _sparse_case(3, 20, 8, 2, 0.4)
    y = y.copy()
    y[[0, 5]] = [2, -1]
    X32, yj = jnp.asarray(X, jnp.float32), jnp.asarray(y)
    pd, ps = nb.fit(X32, yj, 2), nb.fit(jsparse.BCOO.fromdense(X32), yj, 2)
    np.testing.assert_allclose(ps.log_likelihood, pd.log_likelihood, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ps.log_prior, pd.log_prior, rtol=1e-6)


def test_sparse_calls_of_one_shape_compile_once():
    """New values of the same shapes (and nse) reuse the compiled fit and predict."""

    def call(seed):
        X, y = _sparse_case(seed, 30, 12, 2, 0.3)
        sp = jsparse.BCOO.fromdense(jnp.asarray(X, jnp.float32), nse=200)
        params = nb.fit(sp, jnp.asarray(y), 2)
        return np.asarray(nb.predict(params, sp))

    call(0)
    sizes = (nb.fit._cache_size(), nb.predict._cache_size())
    for seed in (1, 2, 3):
        call(seed)
    assert (nb.fit._cache_size(), nb.predict._cache_size()) == sizes
