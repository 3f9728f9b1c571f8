"""Naive Bayes Spam Filter: tokenize, count, fit multinomial naive Bayes, evaluate.

Reads a ``label<TAB>text`` file (``data.path``; e.g. the SMS Spam Collection), or — when no
path is given — writes a small synthetic corpus of ham and spam messages into the run
directory and reads that. The vocabulary is built from the training split only; the model
is :mod:`mlmath_jax.models.naive_bayes` (Laplace-smoothed, log space). Reports accuracy,
precision, recall, F1 and the confusion matrix on the held-out split, and the tokens whose
presence most raises P(spam).
"""

from __future__ import annotations

import pathlib

import jax.numpy as jnp
import numpy as np

from mlmath_jax import data, plotting, text
from mlmath_jax.errors import ConfigError, UserError
from mlmath_jax.models import naive_bayes as nb
from mlmath_jax.runner.schema import Float, Int, Path, Str

DESCRIPTION = "multinomial naive Bayes spam filter: accuracy, precision, recall, F1, top tokens"

SCHEMA = {
    "data": {
        "path": Path(None, must_exist=False,
                     help="a label<TAB>text file; none: generate a small corpus"),
        "positive": Str("spam", help="the label of the positive (spam) class"),
        "generated": Int(1000, min=20, max=1_000_000, help="messages when generating"),
        "test_fraction": Float(0.2, gt=0.0, lt=1.0),
    },
    "model": {
        "alpha": Float(1.0, gt=0.0, help="Laplace / additive smoothing"),
        "min_count": Int(1, min=1, help="keep tokens seen at least this often in training"),
    },
    "report": {"top_k": Int(15, min=1, max=200, help="tokens shown as raising P(spam)")},
}

# A small synthetic corpus: templates with slots, filled by a seeded generator.
_HAM = [
    "hey are we still on for {food} {when}",
    "i will be home {when}, can you pick up some {food}",
    "ok see you at the {place} {when}",
    "sorry i missed your call, will ring you {when}",
    "did you finish the {thing} for work",
    "thanks for the {food}, it was lovely",
    "running late, stuck in traffic near the {place}",
    "happy birthday! hope you have a great day {when}",
    "can you send me the {thing} when you get a chance",
    "mum says dinner is {food} {when}",
    "lol that was so funny, see you at the {place}",
    "meeting moved to {when}, same {place}",
    "we won the quiz at the {place}! call me now",
    "are you free {when}? text me",
    "got a free {food} with my order, call you {when}",
]
_SPAM = [
    "congratulations you have won a {prize}! call {phone} now to claim",
    "free entry to win a {prize}, text WIN to {short} now",
    "urgent! your mobile number has been awarded £{amount}, call {phone}",
    "you are selected for a free {prize}. reply YES to {short} to claim",
    "claim your £{amount} cash prize now, call {phone} before {when}",
    "winner! as a valued customer you get a free {prize}, txt CLAIM to {short}",
    "limited offer: {prize} for just £{amount}, call {phone} now",
    "your account has a £{amount} bonus waiting, text GO to {short}",
    "hi, we tried to reach you about your {prize} order, call us {when}",
]
_SLOTS = {
    "food": ["pizza", "pasta", "curry", "chips", "sushi", "cake", "soup"],
    "when": ["tonight", "tomorrow", "later", "at 7", "on monday", "this weekend", "soon"],
    "place": ["station", "pub", "office", "cinema", "gym", "library", "park"],
    "thing": ["report", "slides", "form", "photos", "address", "tickets"],
    "prize": ["holiday", "ipod", "camera", "voucher", "mobile", "car"],
    "amount": ["100", "250", "500", "1000", "2000", "5000"],
}


def check(cfg):
    # Checked here rather than by the schema so that `--set data.path=...` can replace a
    # config's missing default path.
    if cfg.data.path is not None and not pathlib.Path(cfg.data.path).is_file():
        raise ConfigError(f"data.path = {cfg.data.path!r}: no such file (a relative path is "
                          f"tried from the config's folder, then the working directory). Give "
                          f"a label<TAB>text file, e.g. --set data.path=/path/to/"
                          f"sms_spam_collection.tsv (that set is not shipped with the project)")


def generate_corpus(seed: int, n: int, spam_fraction: float = 0.15) -> list[tuple[str, str]]:
    """n (label, message) pairs from the templates, with a seeded generator."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        spam = rng.random() < spam_fraction
        template = _SPAM[rng.integers(len(_SPAM))] if spam else _HAM[rng.integers(len(_HAM))]
        slots = {k: v[rng.integers(len(v))] for k, v in _SLOTS.items()}
        slots["phone"] = "0" + "".join(str(d) for d in rng.integers(0, 10, 10))
        slots["short"] = str(rng.integers(10000, 99999))
        msg = template.format(**slots)
        # A little noise: some ham mentions "free" or "call", some spam is lower-key.
        if not spam and rng.random() < 0.1:
            msg += " are you free " + slots["when"]
        out.append(("spam" if spam else "ham", msg))
    return out


def load(cfg, ctx):
    if cfg.data.path is None:
        path = ctx.path("corpus.tsv")
        rows = generate_corpus(cfg.seed, cfg.data.generated)
        path.write_text("label\tmessage\n" + "".join(f"{a}\t{b}\n" for a, b in rows),
                        encoding="utf-8")
        ctx.print(f"no data.path given: wrote {len(rows)} generated messages to {path.name}")
    else:
        path = cfg.data.path
    labels, texts = data.read_labeled_text(path)
    classes = sorted(set(labels))
    if len(classes) != 2 or cfg.data.positive not in classes:
        raise UserError(f"{path}: need exactly two labels including data.positive = "
                        f"{cfg.data.positive!r}; found {', '.join(classes[:10])}")
    negative = next(c for c in classes if c != cfg.data.positive)
    y = np.array([1 if lab == cfg.data.positive else 0 for lab in labels])
    return texts, y, (negative, cfg.data.positive)


def run(cfg, key, ctx):
    texts, y, names = load(cfg, ctx)
    docs = [text.tokenize(t) for t in texts]
    idx = np.arange(len(docs))
    train_idx, test_idx = data.train_test_split(key, idx,
                                                test_fraction=cfg.data.test_fraction,
                                                stratify=y)
    if min(np.bincount(y[train_idx], minlength=2)) == 0:
        raise UserError("the training split lacks one of the two classes; use more data")
    vocab = text.build_vocabulary([docs[i] for i in train_idx], min_count=cfg.model.min_count)
    X_train = jnp.asarray(text.count_matrix([docs[i] for i in train_idx], vocab), ctx.dtype)
    X_test = jnp.asarray(text.count_matrix([docs[i] for i in test_idx], vocab), ctx.dtype)
    y_train, y_test = y[train_idx], y[test_idx]

    params = nb.fit(X_train, jnp.asarray(y_train), 2, cfg.model.alpha)
    pred = np.asarray(nb.predict(params, X_test))
    spam_prob = np.exp(np.asarray(nb.predict_log_proba(params, X_test))[:, 1])
    m = nb.binary_metrics(pred, y_test, positive=1)._asdict()
    cm = nb.confusion_matrix(pred, y_test, 2)
    train_acc = float(np.mean(np.asarray(nb.predict(params, X_train)) == y_train))
    top = nb.top_tokens(params, vocab.tokens, positive=1, k=cfg.report.top_k)
    ctx.log(0, **m, train_accuracy=train_acc)

    ctx.print(f"{len(texts)} messages ({int(y.sum())} {names[1]}), vocabulary {len(vocab)}, "
              f"test {len(test_idx)}: accuracy {m['accuracy']:.4f}, precision "
              f"{m['precision']:.4f}, recall {m['recall']:.4f}, F1 {m['f1']:.4f}")
    ctx.print(f"confusion matrix (rows true {names[0]}/{names[1]}, cols predicted): "
              f"{cm.tolist()}")
    ctx.print("tokens raising P(" + names[1] + ") most: " +
              ", ".join(f"{t} (×{np.exp(r):.0f})" for t, r in top[:10]))
    _figures(ctx, cm, names, top, spam_prob, y_test)
    return {
        **m,
        "train_accuracy": train_acc,
        "confusion_matrix": cm.tolist(),
        "messages": len(texts),
        "positives": int(y.sum()),
        "vocabulary": len(vocab),
        "test_size": int(len(test_idx)),
        "top_tokens": [t for t, _ in top],
        "top_log_ratios": [round(r, 4) for _, r in top],
    }


def _figures(ctx, cm, names, top, spam_prob, y_test):
    fig, (ax1, ax2, ax3) = plotting.subplots(1, 3, size=(4.4, 3.8), layout="constrained")
    plotting.confusion_matrix(ax1, cm, names)
    toks = [t for t, _ in top][::-1]
    ax2.barh(range(len(toks)), [r for _, r in top][::-1])
    ax2.set_yticks(range(len(toks)), toks, fontsize=7)
    ax2.set_xlabel(f"log P(token|{names[1]}) − log P(token|{names[0]})")
    ax2.set_title(f"tokens raising P({names[1]})")
    bins = np.linspace(0, 1, 26)
    ax3.hist(spam_prob[y_test == 0], bins=bins, alpha=0.6, label=names[0], log=True)
    ax3.hist(spam_prob[y_test == 1], bins=bins, alpha=0.6, label=names[1], log=True)
    ax3.set_ylim(bottom=0.5)   # a log axis from 0.5 shows bars of a single message
    ax3.set_ylabel("messages (log scale)")
    ax3.set_xlabel(f"P({names[1]} | message)")
    ax3.set_title("posterior on the test split")
    ax3.legend(fontsize=8)
    ctx.save_figure(fig, "spam_filter")
