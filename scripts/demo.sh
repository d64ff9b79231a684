#!/usr/bin/env bash
# `make demo`: build librocketmq, then build and run every example of examples/ against a real
# RocketMQ 4.x broker - first the C examples, then the Python ones (the unchanged PyPI package
# rocketmq-client-python 2.0.0). Stops at the first failure.
#
#   scripts/demo.sh
#
# Brokers: if the 4.x name server (127.0.0.1:9876) is already up, the demo uses it and leaves
# it alone. Otherwise it starts one with `scripts/brokers.sh up 4` and stops it again on exit.
# It does so in its OWN state dir (RMQ_DEMO_STATE, default /dev/shm/rocketmq-rust-demo or
# /tmp/rocketmq-rust-demo): `brokers.sh up` and `down` stop every broker of their state dir,
# so with the shared default dir the demo could stop brokers somebody else started.
#
# Which library the examples use:
#   C       linked with -L target/release and an rpath to target/release (LD_LIBRARY_PATH is
#           cleared for the runs, so neither it nor an installed copy can take precedence).
#   Python  tests/python/setup.sh creates .build/pyenv with the package. The package loads a
#           librocketmq.so that lies next to its ffi.py before anything ldconfig knows. The demo
#           does NOT put the library into that shared venv (tests/python/run.sh tests the
#           installed library with it, and a stray copy there would silently win forever);
#           it copies the unchanged package plus target/release/librocketmq.so to
#           .build/demo-python/rocketmq/ and runs the venv's python with
#           PYTHONPATH=.build/demo-python. No root, no `make install` needed.
#
# Env: DEMO_TOPIC (default rmq_demo), RMQ_DEMO_STATE, CC (default cc), CARGO (default cargo).
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$ROOT"

TOPIC=${DEMO_TOPIC:-rmq_demo}
CC=${CC:-cc}
CARGO=${CARGO:-cargo}
LIBDIR=$ROOT/target/release
BUILD=$ROOT/.build/examples
PYDIR=$ROOT/.build/demo-python
C_EXAMPLES="sync_producer async_producer oneway_producer orderly_producer sharding_key_producer
            batch_producer delay_producer pull_consumer push_consumer orderly_push_consumer"
PY_EXAMPLES="sync_producer oneway_producer sharding_key_producer delay_producer batch_producer push_consumer"

say() { printf 'demo: %s\n' "$*"; }
die() { printf 'demo: FAILED: %s\n' "$*" >&2; exit 1; }

# ------------------------------------------------------------------ library
say "building the library (cargo build --release)"
"$CARGO" build --release || die "cargo build --release"
[[ -f "$LIBDIR/librocketmq.so" ]] || die "$LIBDIR/librocketmq.so was not built"

# ------------------------------------------------------------------ brokers
if [[ -d /dev/shm && -w /dev/shm ]]; then
  DEMO_STATE=${RMQ_DEMO_STATE:-/dev/shm/rocketmq-rust-demo}
else
  DEMO_STATE=${RMQ_DEMO_STATE:-/tmp/rocketmq-rust-demo}
fi
STARTED_BROKERS=0
cleanup() {
  local rc=$?
  if ((STARTED_BROKERS)); then
    say "stopping the brokers the demo started"
    RMQ_STATE=$DEMO_STATE scripts/brokers.sh down || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

eval "$(scripts/brokers.sh env)" # NAMESRV_4=127.0.0.1:9876, NAMESRV_5=...
if scripts/brokers.sh status 4 >/dev/null 2>&1; then
  say "RocketMQ 4.x is already up on $NAMESRV_4: using it (it stays up)"
else
  say "RocketMQ 4.x is not up: starting it (state dir $DEMO_STATE; stopped again at the end)"
  STARTED_BROKERS=1
  RMQ_STATE=$DEMO_STATE scripts/brokers.sh up 4 || die "scripts/brokers.sh up 4"
fi
NAMESRV=$NAMESRV_4

# ------------------------------------------------------------------ running one example
RAN=0
run_example() { # NAME COMMAND...
  local name=$1 rc=0
  shift
  printf '\n=== %s ===\n' "$name"
  env -u LD_LIBRARY_PATH timeout 120 "$@" || rc=$?
  if ((rc == 124)); then
    die "$name did not finish within 120 s"
  elif ((rc != 0)); then
    die "$name exited with status $rc (see its output above)"
  fi
  RAN=$((RAN + 1))
}

# ------------------------------------------------------------------ C examples
mkdir -p "$BUILD/c"
say "compiling the C examples into $BUILD/c"
for ex in $C_EXAMPLES; do
  "$CC" -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -O2 -pthread -I include \
    -o "$BUILD/c/$ex" "examples/c/$ex.c" \
    -L "$LIBDIR" -lrocketmq -Wl,-rpath,"$LIBDIR" || die "compiling examples/c/$ex.c"
done
lib_used=$(env -u LD_LIBRARY_PATH ldd "$BUILD/c/sync_producer" | awk '/librocketmq/ { print $3 }')
[[ "$lib_used" == "$LIBDIR/librocketmq.so" ]] || die "the C examples would load '$lib_used', not $LIBDIR/librocketmq.so"
say "C examples load $lib_used"

for ex in $C_EXAMPLES; do
  run_example "examples/c/$ex" "$BUILD/c/$ex" "$NAMESRV" "$TOPIC"
done

# ------------------------------------------------------------------ Python examples
printf '\n'
say "preparing Python (tests/python/setup.sh: .build/pyenv with rocketmq-client-python 2.0.0)"
tests/python/setup.sh || die "tests/python/setup.sh"
PY=$ROOT/.build/pyenv/bin/python
# where the package is (find_spec does not import it: importing needs a loadable library)
pkg=$(cd / && env -u PYTHONPATH "$PY" -c 'import importlib.util as u; print(u.find_spec("rocketmq").submodule_search_locations[0])' 2>/dev/null) || pkg=""
[[ -n "$pkg" && -f "$pkg/ffi.py" ]] || die "the rocketmq package is not installed in .build/pyenv"
rm -rf "$PYDIR"
mkdir -p "$PYDIR/rocketmq"
cp "$pkg"/*.py "$PYDIR/rocketmq/"             # the package, unchanged
cp "$LIBDIR/librocketmq.so" "$PYDIR/rocketmq/" # ...with our library next to its ffi.py
export PYTHONPATH=$PYDIR PYTHONDONTWRITEBYTECODE=1
py_lib=$(cd / && "$PY" -c 'import rocketmq.ffi as f; print(f._DYLIB_PATH)') || die "the rocketmq package cannot load the library"
[[ "$py_lib" == "$PYDIR/rocketmq/librocketmq.so" ]] || die "the rocketmq package loads '$py_lib', not our copy"
say "Python examples: package copied from $pkg to $PYDIR/rocketmq, loads $py_lib"

for ex in $PY_EXAMPLES; do
  run_example "examples/python/$ex.py" "$PY" "examples/python/$ex.py" "$NAMESRV" "$TOPIC"
done

printf '\n'
say "$RAN examples ran, all OK"
