# -*- coding: utf-8 -*-
"""Which ``rocketmq`` package this run of the suite tests: one suite, two targets.

  upstream  the unchanged PyPI rocketmq-client-python 2.0.0 (venv .build/pyenv); it loads the
            installed librocketmq.so (``find_library``: the ldconfig cache after `make install`,
            or LD_LIBRARY_PATH)
  binding   this project's own package, bindings/python (distribution rocketmq-client-rs, venv
            .build/pyenv-binding, installed from its wheel); it carries its own copy of the
            library and loads it by absolute path (``rocketmq.library_path()``)

tests/python/run.sh --target NAME sets RMQ_PY_TARGET (default: upstream). Both packages have the
import name ``rocketmq`` and the same API, so the tests are the same for both; they branch on the
target only where the binding documents that it fixes a 2.0.0 behaviour, and such tests take the
``behaviour`` parameter of ``per_target`` so that their ids name the behaviour they check
(``[upstream-behaviour-...]`` / ``[binding-behaviour-...]``).
"""
import os
import sys

import pytest

UPSTREAM = 'upstream'
BINDING = 'binding'
TARGETS = (UPSTREAM, BINDING)

# distribution name of each target's package
DISTRIBUTIONS = {UPSTREAM: 'rocketmq-client-python', BINDING: 'rocketmq-client-rs'}

TARGET = os.environ.get('RMQ_PY_TARGET', '').strip() or UPSTREAM
if TARGET not in TARGETS:
    raise RuntimeError('RMQ_PY_TARGET=%r: expected one of %s' % (TARGET, ', '.join(TARGETS)))


def is_binding():
    return TARGET == BINDING


def is_upstream():
    return TARGET == UPSTREAM


# For a test whose expectation differs by target: it gets `behaviour` (UPSTREAM or BINDING, the
# target of this run) and its id says which behaviour it checks.
per_target = pytest.mark.parametrize('behaviour', [TARGET], ids=['%s-behaviour' % TARGET])


def installed_distributions():
    """{distribution name: version} of the rocketmq packages in this interpreter's environment
    (both targets' and the unrelated PyPI 'rocketmq', which has the same import name)."""
    from importlib import metadata
    out = {}
    for name in list(DISTRIBUTIONS.values()) + ['rocketmq']:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def check_environment():
    """Raises RuntimeError unless exactly this target's package is installed."""
    found = installed_distributions()
    want = DISTRIBUTIONS[TARGET]
    if want not in found:
        raise RuntimeError('target %s: %s is not installed in %s (installed: %s)' % (
            TARGET, want, sys.prefix, found or 'none'))
    others = sorted(set(found) - {want})
    if others:
        raise RuntimeError('target %s: %s must be the only package named rocketmq, but %s %s installed too' % (
            TARGET, want, ' and '.join(others), 'is' if len(others) == 1 else 'are'))
    return want, found[want]
