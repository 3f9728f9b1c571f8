#!/usr/bin/env python3
"""Run every config at its full budget and check that every observation its page prints
as a fact held in that run (an observation whose check failed is printed as what happened
instead, never as the claim; at full budget the claims the lessons rely on should hold).

    python3 scripts/check_lessons.py [--only PATTERN] [--out DIR]

Prints one line per config (status, observations held / made, seconds) and exits 1 when a
run did not end as its config expects, an experiment has no lesson or no observation, or
an observation did not hold. Not part of the test suite: the full budgets take minutes.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    from mlmath_jax.runner import execute, find_configs, prepare

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="glob over config names")
    ap.add_argument("--out", help="folder for the runs (default: a temporary folder)")
    args = ap.parse_args(argv)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="check-lessons-"))
    paths = find_configs(ROOT / "configs")
    if args.only:
        paths = [p for p in paths if fnmatch.fnmatch(p.stem, args.only)]
    problems, made, held = [], 0, 0
    for path in paths:
        prep = prepare(path)
        start = time.perf_counter()
        outcome = execute(prep, out, quiet=True)
        seconds = time.perf_counter() - start
        summary = json.loads((outcome.run_dir / "summary.json").read_text())
        obs = summary.get("observations", [])
        ok = [o for o in obs if o["held"]]
        made, held = made + len(obs), held + len(ok)
        print(f"{path.stem:34s} {outcome.status:9s} {len(ok)}/{len(obs)} held "
              f"{seconds:6.1f} s", flush=True)
        if outcome.status != prep.expect:
            problems.append(f"{path.stem}: ended {outcome.status}, expected {prep.expect}")
        if "lesson" not in summary:
            problems.append(f"{path.stem}: no lesson")
        if not obs:
            problems.append(f"{path.stem}: no observation")
        for o in obs:
            if not o["held"]:
                problems.append(f"{path.stem}: did not hold: {o['claim']}  (printed: {o['text']})")
    print(f"\n{len(paths)} configs, {held}/{made} observations held; runs in {out}")
    for p in problems:
        print("problem:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
