"""Models and applications built from the concept modules, one submodule each::

    from mlmath_jax.models import linear, pca

``linear`` and ``logistic`` regression, ``naive_bayes``, ``kmeans`` (Lloyd's algorithm),
``pca`` (principal components), ``pagerank`` (power iteration on the Google matrix) and
``spectral`` (spectral clustering). Each is plain functions of parameters and data,
returning arrays or NamedTuples, with manual gradients registered in
:mod:`mlmath_jax.registry` where there are any.
"""
