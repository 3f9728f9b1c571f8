"""Experiments: one module per project, each composing library primitives.

Every module defines ``DESCRIPTION``, ``SCHEMA`` and ``run(cfg, key, ctx)``; see
:mod:`mlmath_jax.runner.core`. A config in ``configs/`` names a module here.
"""
