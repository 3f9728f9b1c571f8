"""Models built from the concept modules, one submodule each::

    from mlmath_jax.models import linear

``linear``: linear regression (normal equation, least squares, MSE and its manual
gradient). Later submodules follow the same pattern: plain functions of parameters and
data, with manual gradients registered in :mod:`mlmath_jax.registry`.
"""
