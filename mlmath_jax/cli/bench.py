"""``mlmath bench``: the benchmark suite (see :mod:`mlmath_jax.bench`)."""

from __future__ import annotations

HELP = "time mlmath_jax against NumPy, PyTorch, optax, networkx and scikit-learn"


def add_arguments(p) -> None:
    p.add_argument("--only", metavar="NAME",
                   help="run only the cases whose name contains NAME (e.g. mlp, pagerank)")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    p.add_argument("--figure", metavar="FILE",
                   help="where the scaling case draws its log-log figure of time against "
                        "size (PNG; default: scaling.png in the current folder; written "
                        "only when that case runs)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true",
                      help="fewer repeats (same shapes): a rough table in a few minutes")
    size.add_argument("--toy", action="store_true",
                      help="tiny shapes, one repeat: only checks that every case runs")
    p.add_argument("--data", metavar="DIR",
                   help="folder holding mnist/ and sms_spam_collection.tsv (default: "
                        "$MLMATH_SHARED_DATA, else shared/data beside the checkout; "
                        "without it, random data of the same shape)")
    p.add_argument("--profile", metavar="DIR",
                   help="for reading a miss: write a jax.profiler trace per case under "
                        "DIR/<case>/ and XLA's HLO dumps under DIR/hlo/ (compilation cache "
                        "off, so every program is compiled and dumped)")
    p.add_argument("--list", action="store_true", help="list the cases and exit")


def main(args) -> int:
    import json
    import sys
    from pathlib import Path

    from mlmath_jax import bench
    from mlmath_jax.cli._show import check_output_path
    from mlmath_jax.errors import UserError

    check_output_path(args.json, "--json")
    if args.list:
        for name, fn in bench.CASES.items():
            print(f"{name:14s} {(fn.__doc__ or '').strip().splitlines()[0]}")
        return 0
    if args.data and not Path(args.data).is_dir():
        raise UserError(f"--data {args.data}: no such folder")
    names = bench.select(args.only)  # refuse a bad --only before any work
    figure = args.figure or "scaling.png"
    if args.figure or "scaling" in names:
        check_output_path(figure, "--figure")
    scale = "toy" if args.toy else "quick" if args.quick else "full"
    if args.profile:
        import os

        import jax

        hlo = Path(args.profile) / "hlo"
        # Read when the backend starts, which no computation has done yet.
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                   f" --xla_dump_to={hlo} --xla_dump_hlo_as_text").strip()
        jax.config.update("jax_enable_compilation_cache", False)
    info = bench.machine_info()

    def progress(res):
        state = "awaits " + res.missing if res.missing else f"{res.seconds:.1f} s"
        print(f"  {res.name}: {state}", file=sys.stderr, flush=True)

    print(f"running {len(names)} case(s) at scale {scale} ...", file=sys.stderr, flush=True)
    load = info.get("load_average_1min")
    if load is not None and load > 0.5 * (info["usable_cores"] or 1):
        print(f"note: the machine is busy (load average {load} on {info['usable_cores']} "
              "cores): times will be noisy; the interleaved ratios suffer least",
              file=sys.stderr, flush=True)
    results = bench.run_suite(args.only, scale, args.data, on_result=progress,
                              profile_dir=args.profile,
                              figure=figure if "scaling" in names else None)
    bench.print_report(results, info)
    if args.json:
        Path(args.json).write_text(json.dumps(bench.report_dict(results, info, scale),
                                              indent=2, default=str) + "\n")
        print(f"json: {args.json}")
    if "scaling" in names and Path(figure).is_file():
        print(f"figure: {figure}")
    if args.profile:
        print(f"profile: {args.profile} (traces: tensorboard --logdir or xprof; HLO: hlo/)")
    return 1 if any(r.error for r in results) else 0
