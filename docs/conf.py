"""Sphinx configuration of the mlmath_jax documentation site (``python3 dev.py docs``).

Everything the pages need is local: math is rendered to MathML at build time (see
``_ext/mlmath_sphinx.py``), no script is fetched from a CDN, and the notebooks are read
already executed (``notebooks/_build/*.ipynb``, copied to ``docs/notebooks/`` by
``docs/site.py``), so the build runs no code cells.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # this checkout's mlmath_jax, not an installed copy
sys.path.insert(0, str(HERE / "_ext"))

project = "mlmath_jax"
author = "mlmath_jax developers"
copyright = "2026, mlmath_jax developers"
release = version = "0.1.0"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "mlmath_sphinx",
]

exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints", "*.py"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"

# MyST: $inline$ and $$display$$ math, ::: fences, heading anchors for links to sections.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# Notebooks arrive executed; the build never starts a kernel.
nb_execution_mode = "off"
nb_merge_streams = True

# Offline math: MathML written into the page, no MathJax script.
html_math_renderer = "mathml"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"show-inheritance": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_custom_sections = [("Fields", "Attributes")]  # NamedTuple docstrings
napoleon_use_ivar = True  # "Attributes:" as fields, not duplicate attribute entries

html_theme = "alabaster"
html_title = "mlmath_jax"
html_static_path = ["_static"]
html_css_files = ["mlmath.css"]
html_theme_options = {
    "description": "The mathematics of machine learning as small, tested JAX functions.",
    "page_width": "1180px",
    "sidebar_width": "250px",
    "fixed_sidebar": True,
}
html_sidebars = {"**": ["about.html", "navigation.html", "searchbox.html"]}
html_show_sourcelink = False
