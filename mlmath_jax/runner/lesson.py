"""What a run's page teaches: the experiment's lesson, and observations computed from the run.

An experiment module declares its lesson as data beside its code::

    LESSON = Lesson(
        title="Gradient descent",
        chapter="optimization",
        concept="Gradient descent walks downhill: ...",
        equations=(r"x_{t+1} = x_t - \\alpha \\nabla f(x_t)",),
        try_next=(TryNext(("optimizer.lr=0.2",), "a step beyond 2/L: the path diverges"),),
        main_figure="path.png",
        headline="final_loss",
    )

(or ``def lesson(cfg) -> Lesson`` when the lesson depends on the config). ``concept`` is a
few plain sentences; ``equations`` are LaTeX, rendered in the page as MathML, which the
browser draws with no script and no network; ``try_next`` holds 2–3 ``--set`` overrides of
the same config with a sentence on what each shows.

What a run *found* is never written in advance. ``run`` reports it with
``ctx.observe(claim, holds, otherwise)``: the claim is built from this run's numbers and
printed as a fact only when its check ``holds``; else the page prints ``otherwise`` (what
happened instead) and, for a shortened tour run, how to start the full one.
"""

from __future__ import annotations

import functools
import html
from typing import NamedTuple

CHAPTERS = {
    "algebra": ("Algebra and functions", "algebra_functions.md"),
    "explog": ("Exponents and logarithms", "algebra_functions.md"),
    "trigonometry": ("Trigonometry", "algebra_functions.md"),
    "linear algebra": ("Linear algebra", "linalg.md"),
    "calculus": ("Calculus", "calculus.md"),
    "probability": ("Probability and statistics", "probability.md"),
    "optimization": ("Optimization", "optimization.md"),
    "neural networks": ("Neural networks", "neural_networks.md"),
}
"""Chapter key → (heading, docs page under ``docs/``), in the order of the course."""


class TryNext(NamedTuple):
    """A ready command: the same config with ``--set`` overrides, and what it shows."""

    sets: tuple[str, ...]   # e.g. ("optimizer.lr=0.2",)
    shows: str              # one sentence: what the reader will see


class Lesson(NamedTuple):
    """The teaching text of one experiment (see the module docstring)."""

    title: str
    chapter: str                        # a key of CHAPTERS
    concept: str                        # plain sentences; a blank line starts a paragraph
    equations: tuple[str, ...] = ()     # LaTeX
    try_next: tuple[TryNext, ...] = ()
    main_figure: str | None = None      # file name of the figure the index shows
    headline: str | None = None         # the metric that matters, shown in the index


class Observation(NamedTuple):
    """One sentence about this run: ``claim`` when its check held, else ``otherwise``."""

    claim: str
    held: bool
    otherwise: str

    @property
    def text(self) -> str:
        return self.claim if self.held else self.otherwise


def lesson_for(module, cfg) -> Lesson | None:
    """The experiment's lesson for this config (``LESSON``, or ``lesson(cfg)``), or None."""
    if hasattr(module, "lesson"):
        return module.lesson(cfg)
    return getattr(module, "LESSON", None)


def check(lesson: Lesson, schema: dict | None = None) -> None:
    """Raise ValueError when a lesson is malformed: unknown chapter, empty text, an equation
    that does not convert, or a ``try_next`` override naming a key outside ``schema``."""
    if lesson.chapter not in CHAPTERS:
        raise ValueError(f"lesson {lesson.title!r}: chapter {lesson.chapter!r} is not one of "
                         f"{', '.join(CHAPTERS)}")
    if not lesson.title.strip() or not lesson.concept.strip():
        raise ValueError("a lesson needs a title and a concept")
    for eq in lesson.equations:
        mathml(eq)
    if not 2 <= len(lesson.try_next) <= 3:
        raise ValueError(f"lesson {lesson.title!r}: give 2-3 try_next commands, "
                         f"got {len(lesson.try_next)}")
    for t in lesson.try_next:
        for s in t.sets:
            key = s.split("=", 1)[0]
            table, _, name = key.partition(".")
            if schema is not None and (table not in schema or name not in schema[table]):
                raise ValueError(f"lesson {lesson.title!r}: try_next sets unknown key {key!r}")


@functools.lru_cache(maxsize=512)
def mathml(latex: str, display: str = "block") -> str:
    """LaTeX → a ``<math>`` element (latex2mathml), drawn by the browser without scripts."""
    from latex2mathml.converter import convert

    return convert(latex, display=display)


def paragraphs(text: str) -> str:
    """Plain text with blank-line paragraphs → escaped ``<p>`` elements."""
    parts = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return "".join(f"<p>{html.escape(p)}</p>" for p in parts if p)
