"""``mlmath predict MODEL INPUT.csv [--out FILE]``: predictions from a saved model."""

from __future__ import annotations

import sys

HELP = "predict the class of every row of a CSV/TSV table with a saved model directory"


def add_arguments(p) -> None:
    p.add_argument("model", help="a model directory written by the ml_pipeline experiment "
                                 "(model.json + params.npz)")
    p.add_argument("input", help="a CSV or TSV table with the model's feature columns "
                                 "(the label column may be present and is ignored)")
    p.add_argument("--out", default=None, metavar="FILE",
                   help="write the predictions CSV here (default: standard output)")


def main(args) -> int:
    from mlmath_jax import data, pipeline
    from mlmath_jax.cli._show import check_output_path

    check_output_path(args.out, "--out")
    model = pipeline.load_model(args.model)
    table = data.read_table(args.input)
    labels, probs = pipeline.predict_table(model, table)
    text = pipeline.write_predictions(args.out, model, labels, probs)
    if args.out is None:
        sys.stdout.write(text)
    else:
        print(f"{len(labels)} predictions written to {args.out}", file=sys.stderr)
    return 0
