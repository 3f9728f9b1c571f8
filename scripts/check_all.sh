#!/usr/bin/env bash
# The longer checks that stay out of the default suite (run them before a release; the
# closing notes report their results). Each prints its own summary.
#   bash scripts/check_all.sh            all of them (tens of minutes on 2 cores)
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || python3 dev.py setup
status=0
run() { echo "== $*"; "$@" || status=1; }
run env MLMATH_BENCH_ALL=1 "$PY" -m pytest -q -p no:cacheprovider tests/test_bench.py
run "$PY" -m pytest -q -p no:cacheprovider --hypothesis-profile=thorough \
    tests/test_fuzz_configs.py tests/test_faults.py tests/test_model_tamper.py
run env MLMATH_THOROUGH=1 "$PY" -m pytest -q -p no:cacheprovider tests/test_expr_properties.py
run env MLMATH_EXERCISES=all "$PY" -m pytest -q -p no:cacheprovider tests/test_exercises.py
run "$PY" scripts/check_lessons.py --out /tmp/check-lessons
exit $status
