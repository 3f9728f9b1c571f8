"""Config validation: every refusal is one line, exit status 2, no run directory."""

from __future__ import annotations

import pytest

from mlmath_jax.cli import main
from mlmath_jax.errors import ConfigError
from mlmath_jax.runner import parse_set, prepare
from mlmath_jax.runner.schema import Float, Int, List, Path, Str, resolve

from .helpers import CONFIGS, mlmath

GOOD = CONFIGS / "linear_regression.toml"


def write(tmp_path, text: str, name: str = "c.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


REFUSALS = {
    "malformed": ('experiment = "linear_regression"\n[train\nsteps = 3\n', "malformed TOML"),
    "unknown_experiment": ('experiment = "linear_regresion"\n',
                           "did you mean 'linear_regression'"),
    "missing_experiment": ("seed = 1\n", "missing key 'experiment'"),
    "unknown_key": ('experiment = "linear_regression"\n[train]\nstpes = 3\n',
                    "did you mean 'train.steps'"),
    "unknown_table": ('experiment = "linear_regression"\n[trian]\nsteps = 3\n',
                      "did you mean 'train'"),
    "wrong_type": ('experiment = "linear_regression"\n[train]\nsteps = "many"\n',
                   "train.steps must be an integer"),
    "negative_lr": ('experiment = "linear_regression"\n[optimizer]\nlr = -0.1\n',
                    "optimizer.lr = -0.1 is not allowed; expected a finite number > 0.0"),
    "zero_steps": ('experiment = "linear_regression"\n[train]\nsteps = 0\n',
                   "train.steps = 0 is not allowed; expected an integer >= 1"),
    "bad_choice": ('experiment = "linear_regression"\n[data]\nsource = "diabetis"\n',
                   "did you mean 'diabetes'"),
    "bad_dtype": ('experiment = "linear_regression"\ndtype = "float16"\n',
                  "expected one of 'float32', 'float64'"),
    "missing_file": ('experiment = "linear_regression"\n[data]\nsource = "file"\n'
                     'path = "no/such/file.csv"\n', "no such file"),
    "bad_tour_key": ('experiment = "linear_regression"\n[tour.train]\nsteps = -1\n',
                     "train.steps = -1"),
    "huge_seed": ('experiment = "linear_regression"\nseed = 99999999999999999999\n',
                  "seed = 99999999999999999999 is not allowed"),
    "bad_tour_expect": ('experiment = "linear_regression"\n[tour]\nexpect = "fine"\n',
                        "tour.expect"),
}


@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_refusal_is_one_line_exit_2_and_leaves_no_run(kind, tmp_path, capsys):
    text, expected = REFUSALS[kind]
    cfg = write(tmp_path, text)
    out = tmp_path / "runs"
    code = main(["run", str(cfg), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error: {cfg}"), lines[0]
    assert expected in lines[0]
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_missing_config_file(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.toml"), "--out", str(tmp_path)]) == 2
    assert "no such config file" in capsys.readouterr().err


def test_bad_set_override_is_refused(tmp_path, capsys):
    code = main(["run", str(GOOD), "--set", "train.stepz=3", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and "did you mean 'train.steps'" in err
    assert not (tmp_path / "r").exists()


def test_usage_error_has_no_traceback():
    proc = mlmath("run")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_parse_set_reads_toml_values():
    got = parse_set(["train.steps=500", "optimizer.lr=1e-3", "data.source=diabetes",
                     "problem.start=[1.0, 2]", "x.flag=true"])
    assert got == {"train": {"steps": 500}, "optimizer": {"lr": 1e-3},
                   "data": {"source": "diabetes"}, "problem": {"start": [1.0, 2]},
                   "x": {"flag": True}}
    with pytest.raises(ConfigError):
        parse_set(["novalue"])


def test_defaults_are_filled_and_types_coerced(tmp_path):
    schema = {"a": {"n": Int(3, min=1), "lr": Float(0.5, gt=0), "name": Str("x"),
                    "xs": List([1.0], item=Float(0.0)), "f": Path(None)}}
    cfg = resolve({"experiment": "e", "a": {"lr": 2, "xs": [1, 2]}}, schema)
    assert cfg.a.n == 3 and cfg.a.lr == 2.0 and isinstance(cfg.a.lr, float)
    assert cfg.a.xs == [1.0, 2.0] and cfg.a.f is None and cfg.seed == 0
    assert cfg.dtype == "float32"
    with pytest.raises(ConfigError, match="must be a number"):
        resolve({"a": {"lr": True}}, schema)
    with pytest.raises(ConfigError, match="not allowed"):
        resolve({"a": {"lr": float("nan")}}, schema)


def test_prepare_applies_tour_overrides_only_on_tour():
    assert prepare(GOOD).cfg.train.steps == 500
    assert prepare(GOOD, tour=True).cfg.train.steps == 200
    assert prepare(GOOD, ["train.steps=7"], tour=True).cfg.train.steps == 7


def test_relative_data_path_resolves_from_config_folder(tmp_path):
    (tmp_path / "d.csv").write_text("a,y\n1,2\n2,4\n3,6.5\n")
    cfg = write(tmp_path, 'experiment = "linear_regression"\n[data]\nsource = "file"\n'
                          'path = "d.csv"\n')
    assert prepare(cfg).cfg.data.path == str(tmp_path / "d.csv")


def test_set_can_mend_a_missing_path(tmp_path):
    (tmp_path / "d.csv").write_text("a,y\n1,2\n2,4\n3,6.5\n")
    cfg = write(tmp_path, 'experiment = "linear_regression"\n[data]\nsource = "file"\n'
                          'path = "missing.csv"\n')
    with pytest.raises(ConfigError, match="no such file"):
        prepare(cfg)
    assert prepare(cfg, [f"data.path={tmp_path / 'd.csv'}"]).cfg.data.path.endswith("d.csv")
