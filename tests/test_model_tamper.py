"""Tampered model directories (issue 14, faults and files): hypothesis edits a real saved
model's model.json and params.npz — with and without recomputing the checksums — and
`mlmath predict` must either refuse in one line with exit 2, or (only for a consistent,
valid model) print finite probabilities. Never a traceback, never a NaN row."""

import io
import json
import shutil
import tempfile
from pathlib import Path

import jax
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlmath_jax import data, nn, pipeline
from mlmath_jax.cli import main as cli_main

SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    base = tmp_path_factory.mktemp("tamper")
    rng = np.random.default_rng(0)
    params = [{k: np.asarray(v) for k, v in layer.items()}
              for layer in nn.init_mlp(jax.random.key(0), [3, 4, 2])]
    model = pipeline.Model(params, ("x", "y", "z"), "label", ("a", "b"), rng.normal(size=3),
                           rng.uniform(0.5, 2.0, size=3), "relu", {"seed": 0}, {})
    d = pipeline.save_model(base / "model", model)
    rows = [[*rng.normal(size=3).tolist(), "ab"[i % 2]] for i in range(6)]
    table = base / "in.csv"
    data.write_table(table, ["x", "y", "z", "label"], rows)
    return d, table


def _copy(d: Path) -> Path:
    out = Path(tempfile.mkdtemp()) / "m"
    shutil.copytree(d, out)
    return out


def _predict(capsys, d, table):
    capsys.readouterr()
    code = cli_main(["predict", str(d), str(table)])
    out, err = capsys.readouterr()
    if code != 0:
        assert code == 2, err
        assert err.startswith("error: ") and err.count("\n") == 1, err
    else:
        probs = data.read_table(_as_file(out)).numeric(["p(a)", "p(b)"])
        assert np.all(np.isfinite(probs)) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)
    shutil.rmtree(d.parent, ignore_errors=True)
    return code, err


def _as_file(text: str) -> Path:
    p = Path(tempfile.mkdtemp()) / "out.csv"
    p.write_text(text)
    return p


def _leaves(obj, prefix=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, (*prefix, k))
    elif isinstance(obj, list) and obj:
        for i, v in enumerate(obj):
            yield from _leaves(v, (*prefix, i))
    yield prefix


def _set(obj, path, value):
    if not path:
        return value
    cur = obj
    for k in path[:-1]:
        cur = cur[k]
    cur[path[-1]] = value
    return obj


def _reseal(d: Path, meta) -> None:
    """Recompute both checksums, as someone who knows the format would."""
    meta.setdefault("checksums", {})
    if isinstance(meta.get("checksums"), dict):
        meta["checksums"]["params.npz"] = pipeline._sha256(d / "params.npz")
        meta["checksums"]["model.json"] = pipeline._meta_digest(meta)
    (d / "model.json").write_text(json.dumps(meta))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=5)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner,
                                                                max_size=3),
    max_leaves=8)


@SETTINGS
@given(st.data(), json_values, st.booleans())
def test_edited_model_json_is_refused_or_still_valid(capsys, saved, data_, value, reseal):
    d0, table = saved
    meta = json.loads((d0 / "model.json").read_text())
    paths = sorted(_leaves(meta), key=repr)
    path = data_.draw(st.sampled_from(paths))
    d = _copy(d0)
    meta = _set(meta, path, value)
    if reseal and isinstance(meta, dict):
        try:
            _reseal(d, meta)
        except (TypeError, ValueError):
            (d / "model.json").write_text(json.dumps(meta))
    else:
        (d / "model.json").write_text(json.dumps(meta))
    code, err = _predict(capsys, d, table)
    if not reseal and path and path[0] not in ("format", "format_version"):
        assert code == 2 and "checksum" in err      # any unsealed edit is caught


@pytest.mark.parametrize("where", ["preprocessing.standardize.mean",
                                   "preprocessing.standardize.scale"])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "1.0", [1.0], None])
def test_non_finite_or_mistyped_preprocessing_even_when_resealed(capsys, saved, where, bad):
    d0, table = saved
    d = _copy(d0)
    meta = json.loads((d0 / "model.json").read_text())
    node = meta
    for k in where.split("."):
        node = node[k]
    node[0] = bad
    try:
        _reseal(d, meta)
    except ValueError:                              # NaN cannot be sealed: write it anyway
        (d / "model.json").write_text(json.dumps(meta))
    code, err = _predict(capsys, d, table)
    assert code == 2


def test_number_where_a_list_belongs_and_deep_nesting(capsys, saved):
    d0, table = saved
    meta = json.loads((d0 / "model.json").read_text())
    d = _copy(d0)
    meta["model"]["sizes"] = 3
    _reseal(d, meta)
    code, err = _predict(capsys, d, table)
    assert code == 2 and "model.sizes" in err
    d = _copy(d0)
    (d / "model.json").write_text("[" * 200_000 + "]" * 200_000)
    code, err = _predict(capsys, d, table)
    assert code == 2 and "model.json" in err


def _write_npz(path, arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path.write_bytes(buf.getvalue())


@SETTINGS
@given(st.data())
def test_tampered_params_even_with_a_matching_checksum(capsys, saved, data_):
    d0, table = saved
    with np.load(d0 / "params.npz") as z:
        arrays = {k: z[k] for k in z.files}
    name = data_.draw(st.sampled_from(sorted(arrays)))
    a = arrays[name]
    kind = data_.draw(st.sampled_from(["nan", "inf", "strings", "int", "float64", "shape",
                                       "extra", "missing"]))
    if kind in ("nan", "inf"):
        a = a.copy()
        a.flat[data_.draw(st.integers(0, a.size - 1))] = np.nan if kind == "nan" else -np.inf
        arrays[name] = a
    elif kind == "strings":
        arrays[name] = np.full(a.shape, "1.0")
    elif kind == "int":
        arrays[name] = a.astype(np.int32)
    elif kind == "float64":
        arrays[name] = a.astype(np.float64)
    elif kind == "shape":
        arrays[name] = np.zeros((a.shape[0] + 1, *a.shape[1:]), a.dtype)
    elif kind == "extra":
        arrays["W9"] = a
    else:
        del arrays[name]
    d = _copy(d0)
    _write_npz(d / "params.npz", arrays)
    _reseal(d, json.loads((d0 / "model.json").read_text()))
    code, err = _predict(capsys, d, table)
    assert code == 2 and "params.npz" in err


@SETTINGS
@given(st.sampled_from(["model.json", "params.npz"]), st.data())
def test_flipped_bytes_are_refused(capsys, saved, which, data_):
    d0, table = saved
    d = _copy(d0)
    raw = bytearray((d / which).read_bytes())
    i = data_.draw(st.integers(0, len(raw) - 1))
    raw[i] ^= data_.draw(st.integers(1, 255))
    (d / which).write_bytes(bytes(raw))
    same = False
    if which == "model.json":                      # a flip inside whitespace keeps the content
        try:
            same = json.loads(bytes(raw)) == json.loads((d0 / which).read_bytes())
        except ValueError:
            pass
    code, _ = _predict(capsys, d, table)
    assert code == (0 if same else 2)
