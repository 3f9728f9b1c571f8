"""The complete pipeline: table reader, evaluation against scikit-learn, a saved model that
reloads to identical predictions, and one-line errors (exit 2) from `mlmath predict` for a
corrupted file, an incompatible version and mismatched columns."""

import json
import subprocess
import sys
from pathlib import Path

import jax
import numpy as np
import pytest
from sklearn import metrics as skm

from mlmath_jax import data, nn, pipeline
from mlmath_jax.cli import main as cli_main
from mlmath_jax.errors import UserError

ROOT = Path(__file__).resolve().parents[1]


def _model(classes=("a", "b", "c")):
    rng = np.random.default_rng(0)
    params = [{k: np.asarray(v) for k, v in layer.items()}
              for layer in nn.init_mlp(jax.random.key(0), [3, 5, len(classes)])]
    return pipeline.Model(params, ("x", "y", "z"), "label", tuple(classes),
                          rng.normal(size=3), rng.uniform(0.5, 2.0, size=3), "relu",
                          {"seed": 0}, {"note": "test"})


def _table(path, columns=("x", "y", "z", "label"), n=12):
    rng = np.random.default_rng(1)
    rows = [[*rng.normal(size=len(columns) - 1).tolist(), "abc"[i % 3]] for i in range(n)]
    data.write_table(path, list(columns), rows)
    return path


def test_read_table_csv_tsv_and_errors(tmp_path):
    p = tmp_path / "t.tsv"
    p.write_text("a\tb\tname\n1\t2.5\tx\n\n3\t-4e-1\ty\n")
    t = data.read_table(p)
    assert t.columns == ("a", "b", "name") and t.lines == (2, 4)
    np.testing.assert_array_equal(t.numeric(["b", "a"]), [[2.5, 1.0], [-0.4, 3.0]])
    assert t.column("name") == ["x", "y"]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3\n")
    with pytest.raises(UserError, match=r"bad.csv:3: 1 cells, the header has 2"):
        data.read_table(bad)
    bad.write_text("a,a\n1,2\n")
    with pytest.raises(UserError, match="duplicate"):
        data.read_table(bad)
    bad.write_text("a,b\n1,zz\n")
    with pytest.raises(UserError, match=r"bad.csv:2: column 'b' needs a finite number"):
        data.read_table(bad).numeric(["a", "b"])
    with pytest.raises(UserError, match="no column 'c'"):
        data.read_table(bad).column("c")


def test_classification_report_matches_sklearn():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, 60)
    y_pred = np.where(rng.random(60) < 0.7, y_true, rng.integers(0, 4, 60))
    y_pred[y_pred == 3] = 2  # class 3 never predicted: precision 0 by convention
    r = pipeline.classification_report(y_pred, y_true, 4)
    np.testing.assert_array_equal(r.confusion, skm.confusion_matrix(y_true, y_pred,
                                                                       labels=range(4)))
    p, rc, f1, sup = skm.precision_recall_fscore_support(y_true, y_pred, labels=range(4),
                                                         zero_division=0)
    np.testing.assert_allclose(r.precision, p)
    np.testing.assert_allclose(r.recall, rc)
    np.testing.assert_allclose(r.f1, f1)
    np.testing.assert_array_equal(r.support, sup)
    assert r.accuracy == pytest.approx(skm.accuracy_score(y_true, y_pred))
    assert r.macro_f1 == pytest.approx(skm.f1_score(y_true, y_pred, average="macro"))


def test_schema_check_and_labels(tmp_path):
    t = data.read_table(_table(tmp_path / "t.csv"))
    X, labels = pipeline.check_schema(t, ["x", "y", "z"], "label")
    assert X.shape == (12, 3)
    classes, y = pipeline.encode_labels(labels)
    assert classes == ("a", "b", "c") and [classes[i] for i in y] == labels
    with pytest.raises(UserError, match="label column 'label' cannot also be a feature"):
        pipeline.check_schema(t, ["x", "label"], "label")
    with pytest.raises(UserError, match="needs a finite number"):
        pipeline.check_schema(t, ["y", "label"], "x")  # a text column as a feature


def test_save_reload_identical_predictions(tmp_path):
    model = _model()
    d = pipeline.save_model(tmp_path / "m", model)
    assert sorted(p.name for p in d.iterdir()) == ["model.json", "params.npz"]
    meta = json.loads((d / "model.json").read_text())
    assert meta["format_version"] == pipeline.FORMAT_VERSION
    assert meta["schema"]["features"] == ["x", "y", "z"]
    back = pipeline.load_model(d)
    assert back.features == model.features and back.classes == model.classes
    np.testing.assert_array_equal(back.mean, model.mean)  # exact through JSON
    X = np.random.default_rng(2).normal(size=(9, 3))
    np.testing.assert_array_equal(pipeline.predict_proba(back, X),
                                  pipeline.predict_proba(model, X))
    # The prediction is the MLP on the standardized rows.
    ref = jax.nn.softmax(nn.mlp_forward(model.params, ((X - model.mean) / model.scale)
                                        .astype(np.float32)))
    np.testing.assert_allclose(pipeline.predict_proba(model, X), ref, rtol=1e-5, atol=1e-7)


def test_predict_cli_reproduces_and_errors(tmp_path, capsys):
    model = _model()
    d = pipeline.save_model(tmp_path / "m", model)
    table = _table(tmp_path / "in.csv")
    out = tmp_path / "pred.csv"
    assert cli_main(["predict", str(d), str(table), "--out", str(out)]) == 0
    labels, probs = pipeline.predict_table(pipeline.load_model(d), data.read_table(table))
    got = data.read_table(out)
    assert got.column("prediction") == labels
    np.testing.assert_array_equal(got.numeric(["p(a)", "p(b)", "p(c)"]), probs)
    capsys.readouterr()

    def error_line(*argv):
        code = cli_main(["predict", *map(str, argv)])
        err = capsys.readouterr().err.strip()
        assert code == 2 and "\n" not in err and err.startswith("error: "), err
        return err

    # Columns that do not match the schema.
    assert "missing column(s) 'z'" in error_line(d, _table(tmp_path / "a.csv",
                                                           ("x", "y", "label")))
    assert "unexpected column(s) 'w'" in error_line(
        d, _table(tmp_path / "b.csv", ("x", "y", "z", "w", "label")))
    # Corrupted parameters (one byte changed), then a truncated JSON file.
    raw = bytearray((d / "params.npz").read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (d / "params.npz").write_bytes(bytes(raw))
    assert "corrupted" in error_line(d, table)
    d2 = pipeline.save_model(tmp_path / "m2", model)
    (d2 / "model.json").write_text((d2 / "model.json").read_text()[:50])
    assert "corrupted" in error_line(d2, table)
    # Another format version.
    d3 = pipeline.save_model(tmp_path / "m3", model)
    meta = json.loads((d3 / "model.json").read_text())
    meta["format_version"] = 99
    (d3 / "model.json").write_text(json.dumps(meta))
    assert "format version 99 is not supported" in error_line(d3, table)
    assert "no such model directory" in error_line(tmp_path / "nope", table)


def test_predict_cli_subprocess_exit_code(tmp_path):
    d = pipeline.save_model(tmp_path / "m", _model())
    meta = json.loads((d / "model.json").read_text())
    meta["format_version"] = 0
    (d / "model.json").write_text(json.dumps(meta))
    table = _table(tmp_path / "in.csv")
    r = subprocess.run([sys.executable, "-m", "mlmath_jax", "predict", str(d), str(table)],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "format version 0" in r.stderr


def test_pipeline_experiment_then_predict_cli(tmp_path, capsys):
    from mlmath_jax.runner import execute, prepare

    prep = prepare(ROOT / "configs" / "ml_pipeline_iris.toml",
                   ["train.steps=60", "train.log_every=30"])
    outcome = execute(prep, tmp_path, quiet=True, interactive=False)
    assert outcome.status == "ok", outcome.message
    run = outcome.run_dir
    assert outcome.summary["metrics"]["reload_identical"] is True
    # The saved model predicts the held-out raw table exactly as the run evaluated it.
    out = tmp_path / "again.csv"
    assert cli_main(["predict", str(run / "model"), str(run / "test.csv"), "--out",
                     str(out)]) == 0
    assert out.read_bytes() == (run / "predictions.csv").read_bytes()
    test = data.read_table(run / "test.csv")
    pred = data.read_table(out).column("prediction")
    acc = np.mean(np.asarray(pred) == np.asarray(test.column("label")))
    assert acc == pytest.approx(outcome.summary["metrics"]["test_accuracy"])
