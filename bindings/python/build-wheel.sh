#!/bin/sh
# Builds the rocketmq-client-rs wheel (cargo profile `wheel`, see hatch_build.py) into OUTDIR,
# default <repo>/.build/wheels, and prints the wheel's path as the last line.
#   usage: bindings/python/build-wheel.sh [OUTDIR]
# PYTHON picks the interpreter (default python3); it needs pip, and PyPI or a cache for hatchling.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../.build/wheels}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/rocketmq_client_rs-*.whl
"${PYTHON:-python3}" -m pip wheel --no-deps --disable-pip-version-check -w "$out" "$here" >&2
set -- "$out"/rocketmq_client_rs-*.whl
if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then
    echo "build-wheel.sh: expected one rocketmq_client_rs wheel in $out" >&2
    exit 1
fi
echo "$1"
