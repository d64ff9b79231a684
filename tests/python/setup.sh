#!/usr/bin/env bash
# Create the Python test environment of one target (tests/python/target.py), a venv under .build
# (repo-relative, git-ignored) holding pytest and that target's `rocketmq` package, never both:
#
#   tests/python/setup.sh [--target upstream|binding]      (default: upstream)
#
# upstream  .build/pyenv with the UNCHANGED PyPI package rocketmq-client-python 2.0.0 (an sdist of
#           pure Python + ctypes: pip builds a py2.py3-none wheel from it without compiling
#           anything). The package finds librocketmq.so itself: rocketmq/librocketmq.so next to
#           its ffi.py if present, else ctypes.util.find_library('rocketmq'), i.e. the ldconfig
#           cache after `make install` (scripts/install.sh runs ldconfig).
# binding   .build/pyenv-binding with this project's package (bindings/python, distribution
#           rocketmq-client-rs) installed from its wheel, which carries its own librocketmq.so:
#           the wheel named by ROCKETMQ_PY_WHEEL, else one built now by
#           bindings/python/build-wheel.sh into .build/wheels. Reinstalled on every call
#           (pip install --force-reinstall --no-deps), so the venv has the wheel just built.
#
# Idempotent; needs PyPI only the first time (binding: and for each wheel build, which fetches
# its build backend). Env: PYTHON (interpreter for new venvs, default python3), ROCKETMQ_PY_WHEEL.
set -euo pipefail
# a relative ROCKETMQ_PY_WHEEL is relative to the caller's directory
wheel=${ROCKETMQ_PY_WHEEL:+$(realpath -m -- "$ROCKETMQ_PY_WHEEL")}
cd "$(dirname "$(readlink -f "$0")")/../.."
repo=$(pwd)

target=upstream
while [ $# -gt 0 ]; do
    case "$1" in
        --target) [ $# -ge 2 ] || { echo "setup.sh: --target needs a value" >&2; exit 2; }
                  target=$2; shift 2 ;;
        --target=*) target=${1#--target=}; shift ;;
        *) echo "usage: tests/python/setup.sh [--target upstream|binding]" >&2; exit 2 ;;
    esac
done

python=${PYTHON:-python3}
pip_quiet=(--quiet --disable-pip-version-check)

case "$target" in
    upstream) venv=.build/pyenv; package=rocketmq-client-python; others=(rocketmq-client-rs rocketmq) ;;
    binding) venv=.build/pyenv-binding; package=rocketmq-client-rs; others=(rocketmq-client-python rocketmq) ;;
    *) echo "setup.sh: unknown target '$target' (upstream or binding)" >&2; exit 2 ;;
esac

if [ ! -x "$venv/bin/python" ]; then
    mkdir -p .build
    "$python" -m venv "$venv"
fi

if [ "$target" = upstream ]; then
    "$venv/bin/python" -m pip install "${pip_quiet[@]}" 'pytest>=7' 'rocketmq-client-python==2.0.0'
else
    "$venv/bin/python" -m pip install "${pip_quiet[@]}" 'pytest>=7'
    if [ -z "$wheel" ]; then
        echo "building the wheel: bindings/python/build-wheel.sh .build/wheels"
        # its last line of output is the wheel's path (pip's and cargo's output go to stderr)
        wheel=$(sh bindings/python/build-wheel.sh "$repo/.build/wheels" | tail -n 1)
    fi
    if [ ! -f "$wheel" ]; then
        echo "setup.sh: no wheel at '$wheel'" >&2
        exit 1
    fi
    echo "installing $wheel into $venv"
    "$venv/bin/python" -m pip install "${pip_quiet[@]}" --force-reinstall --no-deps "$wheel"
fi

# One package named rocketmq per venv: the other target's, or the unrelated PyPI package
# "rocketmq" (messense/rocketmq-python), would shadow or be shadowed by this one.
for other in "${others[@]}"; do
    if "$venv/bin/python" -m pip show "$other" >/dev/null 2>&1; then
        echo "error: '$other' is installed in $venv next to $package (same import name rocketmq)" >&2
        exit 1
    fi
done

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
