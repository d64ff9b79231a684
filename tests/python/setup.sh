#!/usr/bin/env bash
# Create the Python test environment: .build/pyenv (repo-relative, git-ignored) with pytest and the
# UNCHANGED PyPI package rocketmq-client-python 2.0.0 (an sdist of pure Python + ctypes: pip builds a
# py2.py3-none wheel from it without compiling anything). The package finds librocketmq.so itself:
# rocketmq/librocketmq.so next to its ffi.py if present, else ctypes.util.find_library('rocketmq'),
# i.e. the ldconfig cache after `make install` (scripts/install.sh runs ldconfig).
# Idempotent; needs PyPI only the first time.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
repo=$(pwd)

venv=.build/pyenv
python=${PYTHON:-python3}

if [ ! -x "$venv/bin/python" ]; then
    mkdir -p .build
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    'pytest>=7' 'rocketmq-client-python==2.0.0'

# The unrelated PyPI package "rocketmq" (messense/rocketmq-python) has the same import name.
if "$venv/bin/python" -m pip show rocketmq >/dev/null 2>&1; then
    echo "error: the unrelated package 'rocketmq' is installed in $venv and shadows rocketmq-client-python" >&2
    exit 1
fi

# Diagnostics only: which library the package will load (the tests fail loudly if none).
(cd / && "$repo/$venv/bin/python" -c '
import ctypes.util
print("find_library(rocketmq) ->", ctypes.util.find_library("rocketmq"))
try:
    import rocketmq.ffi as f
    print("rocketmq package loads", f._DYLIB_PATH)
except Exception as e:
    print("rocketmq package cannot load the library: %s: %s" % (type(e).__name__, e))
') || true
