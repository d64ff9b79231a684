#!/usr/bin/env bash
# `make demo`: build librocketmq, then build and run every example of examples/ against real
# RocketMQ brokers - first the C examples, then the Python ones (the unchanged PyPI package
# rocketmq-client-python 2.0.0, then the same programs through our own package, bindings/python,
# from its wheel), then the ACL and TLS examples in both languages. Stops at the
# first failure (every example exits non-zero when what it shows did not happen).
#
#   scripts/demo.sh
#
# Which example runs where:
#   4.x (127.0.0.1:9876)   the producer / consumer examples, and scheduled_producer (which shows
#                          that 4.x delivers __STARTDELIVERTIME messages at once)
#   5.x (127.0.0.1:19876)  transaction_producer, scheduled_producer (delivered at the time),
#                          cancel_scheduled (timer messages and their cancellation are 5.x only)
#   ACL pair (RMQ_PROFILE=acl: 4.x on 10876, 5.x on 20876)   acl_client on both, with the client
#                          account's keys of `RMQ_PROFILE=acl scripts/brokers.sh env`
#   TLS pair (RMQ_PROFILE=tls: 4.x on 11876, 5.x on 21876)   tls_client on both, with a property
#                          file naming the pair's CA (C) / ROCKETMQ_TLS + ROCKETMQ_TLS_PROPERTY_FILE
#                          (Python) - only when the library has TLS (see DEMO_TLS)
#
# Brokers: a name server that is already up (plain 4.x / 5.x, the ACL pair, the TLS pair) is
# used and left alone. What is not up is started with scripts/brokers.sh and stopped again on
# exit - in the demo's OWN state dir (RMQ_DEMO_STATE, default /dev/shm/rocketmq-rust-demo or
# /tmp/rocketmq-rust-demo; the secured pairs add -acl / -tls to it): `brokers.sh up` and `down`
# stop every broker of their state dir, so with the shared default dir the demo could stop
# brokers somebody else started. The secured pairs start in the background at the beginning
# (logs: .build/demo-acl-up.log, .build/demo-tls-up.log), while the library builds and the other
# examples run. Their ports are fixed, so a test run that wants the same profile meanwhile finds
# the demo's pair up and uses it (until the demo ends).
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
# Env: DEMO_TOPIC (default rmq_demo), RMQ_DEMO_STATE, CC (default cc), CARGO (default cargo),
#      DEMO_ACL=0  skip the ACL examples (and the ACL pair)
#      DEMO_TLS    auto (default): run the TLS examples if the library has TLS
#                  (`tls_client --probe`: a library without it refuses Set*Ssl(…, 1) with
#                  "not implemented yet"), else say they were skipped; 1: run them, fail if the
#                  library has no TLS; 0: skip them (and the TLS pair)
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$ROOT"

TOPIC=${DEMO_TOPIC:-rmq_demo}
ACL_TOPIC=rmq_acl_test # created by `RMQ_PROFILE=acl scripts/brokers.sh up`
TLS_TOPIC=rmq_tls_test # created by `RMQ_PROFILE=tls scripts/brokers.sh up`
DEMO_ACL=${DEMO_ACL:-1}
DEMO_TLS=${DEMO_TLS:-auto}
CC=${CC:-cc}
CARGO=${CARGO:-cargo}
LIBDIR=$ROOT/target/release
BUILD=$ROOT/.build/examples
PYDIR=$ROOT/.build/demo-python
# on 4.x
C_EXAMPLES="sync_producer async_producer oneway_producer orderly_producer sharding_key_producer
            batch_producer delay_producer pull_consumer push_consumer orderly_push_consumer"
PY_EXAMPLES="sync_producer oneway_producer sharding_key_producer delay_producer batch_producer push_consumer"
# on 5.x (scheduled_producer runs on 4.x as well)
C_EXAMPLES_5="transaction_producer scheduled_producer cancel_scheduled"
PY_EXAMPLES_5="transaction_producer scheduled_producer cancel_scheduled"
C_ALL="$C_EXAMPLES $C_EXAMPLES_5 acl_client tls_client"

say() { printf 'demo: %s\n' "$*"; }
die() { printf 'demo: FAILED: %s\n' "$*" >&2; exit 1; }

if [[ -d /dev/shm && -w /dev/shm ]]; then
  DEMO_STATE=${RMQ_DEMO_STATE:-/dev/shm/rocketmq-rust-demo}
else
  DEMO_STATE=${RMQ_DEMO_STATE:-/tmp/rocketmq-rust-demo}
fi
mkdir -p "$ROOT/.build"

# ------------------------------------------------------------------ broker bookkeeping
STARTED_PLAIN=0
declare -A STARTED=() UP_PID=()   # secured profile -> 1 if the demo starts it / its background `up`
cleanup() {
  local rc=$? p
  for p in "${!UP_PID[@]}"; do
    kill "${UP_PID[$p]}" 2>/dev/null || true
    wait "${UP_PID[$p]}" 2>/dev/null || true
  done
  for p in "${!STARTED[@]}"; do
    say "stopping the $p brokers the demo started"
    RMQ_PROFILE=$p RMQ_STATE=$DEMO_STATE scripts/brokers.sh down >/dev/null 2>&1 || true
  done
  if ((STARTED_PLAIN)); then
    say "stopping the brokers the demo started"
    RMQ_STATE=$DEMO_STATE scripts/brokers.sh down || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_secured PROFILE: uses a running pair of that profile, else starts one in the background.
start_secured() {
  local p=$1
  if RMQ_PROFILE=$p scripts/brokers.sh status >/dev/null 2>&1; then
    say "the $p brokers are already up: using them (they stay up)"
    return 0
  fi
  say "the $p brokers are not up: starting them in the background (state dir $DEMO_STATE-$p," \
    "log .build/demo-$p-up.log; stopped again at the end)"
  STARTED[$p]=1
  RMQ_PROFILE=$p RMQ_STATE=$DEMO_STATE scripts/brokers.sh up all >"$ROOT/.build/demo-$p-up.log" 2>&1 &
  UP_PID[$p]=$!
}

# wait_secured PROFILE: waits for the background `up` (if any); dies unless the pair is up.
wait_secured() {
  local p=$1 rc=0
  if [[ -n "${UP_PID[$p]:-}" ]]; then
    say "waiting for the $p brokers to come up"
    wait "${UP_PID[$p]}" || rc=$?
    unset "UP_PID[$p]"
    if ((rc != 0)); then
      # somebody else may have started the same profile meanwhile (the ports are fixed)
      unset "STARTED[$p]"
      RMQ_PROFILE=$p RMQ_STATE=$DEMO_STATE scripts/brokers.sh down >/dev/null 2>&1 || true
      if RMQ_PROFILE=$p scripts/brokers.sh status >/dev/null 2>&1; then
        say "the $p brokers were started by somebody else meanwhile: using them"
        return 0
      fi
      cat "$ROOT/.build/demo-$p-up.log" >&2
      die "RMQ_PROFILE=$p scripts/brokers.sh up all (log above)"
    fi
  fi
  RMQ_PROFILE=$p scripts/brokers.sh status >/dev/null 2>&1 || die "the $p brokers are not up"
}

((DEMO_ACL)) && start_secured acl

# ------------------------------------------------------------------ library
say "building the library (cargo build --release)"
"$CARGO" build --release || die "cargo build --release"
[[ -f "$LIBDIR/librocketmq.so" ]] || die "$LIBDIR/librocketmq.so was not built"

# ------------------------------------------------------------------ compiling the C examples
mkdir -p "$BUILD/c"
say "compiling the C examples into $BUILD/c"
for ex in $C_ALL; do
  "$CC" -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -O2 -pthread -I include \
    -o "$BUILD/c/$ex" "examples/c/$ex.c" \
    -L "$LIBDIR" -lrocketmq -Wl,-rpath,"$LIBDIR" || die "compiling examples/c/$ex.c"
done
lib_used=$(env -u LD_LIBRARY_PATH ldd "$BUILD/c/sync_producer" | awk '/librocketmq/ { print $3 }')
[[ "$lib_used" == "$LIBDIR/librocketmq.so" ]] || die "the C examples would load '$lib_used', not $LIBDIR/librocketmq.so"
say "C examples load $lib_used"

# ------------------------------------------------------------------ TLS: does the library have it?
RUN_TLS=0
TLS_NOTE=""
if [[ "$DEMO_TLS" != 0 ]]; then
  rc=0
  env -u LD_LIBRARY_PATH "$BUILD/c/tls_client" --probe || rc=$?
  if ((rc == 0)); then
    RUN_TLS=1
    start_secured tls
  elif ((rc == 77)) && [[ "$DEMO_TLS" == auto ]]; then
    TLS_NOTE="TLS examples skipped: this library has no TLS yet (DEMO_TLS=1 makes that a failure)"
    say "$TLS_NOTE"
  else
    die "tls_client --probe exited with $rc (DEMO_TLS=$DEMO_TLS)"
  fi
fi

# ------------------------------------------------------------------ plain brokers (4.x, 5.x)
eval "$(scripts/brokers.sh env)" # NAMESRV_4=127.0.0.1:9876, NAMESRV_5=127.0.0.1:19876, ...
missing=""
for v in 4 5; do
  if scripts/brokers.sh status "$v" >/dev/null 2>&1; then
    ns_var=NAMESRV_$v
    say "RocketMQ $v.x is already up on ${!ns_var}: using it (it stays up)"
  else
    missing+=" $v"
  fi
done
if [[ -n "$missing" ]]; then
  which=all
  [[ "$missing" == " 4" ]] && which=4
  [[ "$missing" == " 5" ]] && which=5
  # shellcheck disable=SC2086 # split on purpose
  say "RocketMQ$(printf ' %s.x' $missing) not up: starting it (state dir $DEMO_STATE; stopped again at the end)"
  STARTED_PLAIN=1
  RMQ_STATE=$DEMO_STATE scripts/brokers.sh up "$which" || die "scripts/brokers.sh up $which"
fi

# ------------------------------------------------------------------ running one example
RAN=0
T0=$SECONDS
run_example() { # NAME COMMAND...
  local name=$1 rc=0 t=$SECONDS
  shift
  printf '\n=== %s ===\n' "$name"
  env -u LD_LIBRARY_PATH timeout 120 "$@" || rc=$?
  if ((rc == 124)); then
    die "$name did not finish within 120 s"
  elif ((rc != 0)); then
    die "$name exited with status $rc (see its output above)"
  fi
  printf -- '--- OK (%d s)\n' $((SECONDS - t))
  RAN=$((RAN + 1))
}

# ------------------------------------------------------------------ C examples
for ex in $C_EXAMPLES; do
  run_example "examples/c/$ex ($RMQ_VERSION_4)" "$BUILD/c/$ex" "$NAMESRV_4" "$TOPIC"
done
for ex in $C_EXAMPLES_5; do
  args=("$NAMESRV_5" "$TOPIC")
  [[ $ex == scheduled_producer ]] && args+=(5)
  run_example "examples/c/$ex ($RMQ_VERSION_5)" "$BUILD/c/$ex" "${args[@]}"
done
run_example "examples/c/scheduled_producer ($RMQ_VERSION_4: no timer messages)" \
  "$BUILD/c/scheduled_producer" "$NAMESRV_4" "$TOPIC" 4

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
export PYTHONPATH=$PYDIR PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
py_lib=$(cd / && "$PY" -c 'import rocketmq.ffi as f; print(f._DYLIB_PATH)') || die "the rocketmq package cannot load the library"
[[ "$py_lib" == "$PYDIR/rocketmq/librocketmq.so" ]] || die "the rocketmq package loads '$py_lib', not our copy"
say "Python examples: package copied from $pkg to $PYDIR/rocketmq, loads $py_lib"

for ex in $PY_EXAMPLES; do
  run_example "examples/python/$ex.py ($RMQ_VERSION_4)" "$PY" "examples/python/$ex.py" "$NAMESRV_4" "$TOPIC"
done
for ex in $PY_EXAMPLES_5; do
  args=("$NAMESRV_5" "$TOPIC")
  [[ $ex == scheduled_producer ]] && args+=(5)
  run_example "examples/python/$ex.py ($RMQ_VERSION_5)" "$PY" "examples/python/$ex.py" "${args[@]}"
done
run_example "examples/python/scheduled_producer.py ($RMQ_VERSION_4: no timer messages)" \
  "$PY" examples/python/scheduled_producer.py "$NAMESRV_4" "$TOPIC" 4

# The same Python examples through our own package (bindings/python): its wheel, installed into a
# venv of its own, loads the library inside the package; nothing on PYTHONPATH.
printf '\n'
say "building the Python wheel (bindings/python/build-wheel.sh)"
wheel=$(bindings/python/build-wheel.sh "$ROOT/.build/wheels" | tail -n 1) || die "bindings/python/build-wheel.sh"
BINDING_VENV=$ROOT/.build/demo-pyenv-binding
python3 -m venv --clear "$BINDING_VENV" || die "python3 -m venv"
"$BINDING_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$wheel" ||
  die "pip install $wheel"
PYB=$BINDING_VENV/bin/python
py_lib=$(cd / && env -u PYTHONPATH "$PYB" -c 'import rocketmq, rocketmq.client; print(rocketmq.library_path())') ||
  die "the bindings/python package cannot load its library"
say "Python examples through bindings/python ($(basename "$wheel")), loads $py_lib"
for ex in $PY_EXAMPLES; do
  run_example "examples/python/$ex.py ($RMQ_VERSION_4, bindings/python)" \
    env -u PYTHONPATH "$PYB" "examples/python/$ex.py" "$NAMESRV_4" "$TOPIC"
done
for ex in $PY_EXAMPLES_5; do
  args=("$NAMESRV_5" "$TOPIC")
  [[ $ex == scheduled_producer ]] && args+=(5)
  run_example "examples/python/$ex.py ($RMQ_VERSION_5, bindings/python)" \
    env -u PYTHONPATH "$PYB" "examples/python/$ex.py" "${args[@]}"
done

# ------------------------------------------------------------------ ACL examples
if ((DEMO_ACL)); then
  printf '\n'
  wait_secured acl
  acl_env=$(RMQ_PROFILE=acl scripts/brokers.sh env)
  eval "${acl_env//export /}" # RMQ_ACL_NAMESRV_4/5, RMQ_ACL_ACCESS_KEY, RMQ_ACL_SECRET_KEY (not exported)
  keys=(ROCKETMQ_ACCESS_KEY="$RMQ_ACL_ACCESS_KEY" ROCKETMQ_SECRET_KEY="$RMQ_ACL_SECRET_KEY")
  for v in 4 5; do
    ns_var=RMQ_ACL_NAMESRV_$v
    ver_var=RMQ_VERSION_$v
    run_example "examples/c/acl_client (ACL, ${!ver_var})" \
      env "${keys[@]}" "$BUILD/c/acl_client" "${!ns_var}" "$ACL_TOPIC"
    run_example "examples/python/acl_client.py (ACL, ${!ver_var})" \
      env "${keys[@]}" "$PY" examples/python/acl_client.py "${!ns_var}" "$ACL_TOPIC"
  done
fi

# ------------------------------------------------------------------ TLS examples
if ((RUN_TLS)); then
  printf '\n'
  wait_secured tls
  # The CA lies in the pair's state dir: the demo's own, or that of whoever started the pair.
  if [[ -n "${STARTED[tls]:-}" ]]; then
    tls_env=$(RMQ_PROFILE=tls RMQ_STATE=$DEMO_STATE scripts/brokers.sh env)
  else
    tls_env=$(RMQ_PROFILE=tls scripts/brokers.sh env)
  fi
  eval "${tls_env//export /}" # RMQ_TLS_NAMESRV_4/5, RMQ_TLS_CA (not exported)
  [[ -s "$RMQ_TLS_CA" ]] || die "no CA at $RMQ_TLS_CA: the running TLS pair was started with another RMQ_STATE (set it)"
  props=$BUILD/tls.properties
  printf 'tls.client.trustCertPath=%s\n' "$RMQ_TLS_CA" >"$props"
  say "TLS property file $props: tls.client.trustCertPath=$RMQ_TLS_CA"
  for v in 4 5; do
    ns_var=RMQ_TLS_NAMESRV_$v
    ver_var=RMQ_VERSION_$v
    run_example "examples/c/tls_client (TLS, ${!ver_var})" \
      "$BUILD/c/tls_client" "${!ns_var}" "$TLS_TOPIC" "$props"
    run_example "examples/python/tls_client.py (TLS, ${!ver_var})" \
      env ROCKETMQ_TLS=1 ROCKETMQ_TLS_PROPERTY_FILE="$props" "$PY" examples/python/tls_client.py "${!ns_var}" "$TLS_TOPIC"
  done
fi

printf '\n'
[[ -z "$TLS_NOTE" ]] || say "$TLS_NOTE"
((DEMO_ACL)) || say "ACL examples skipped (DEMO_ACL=0)"
[[ "$DEMO_TLS" != 0 ]] || say "TLS examples skipped (DEMO_TLS=0)"
say "$RAN examples ran in $((SECONDS - T0)) s, all OK"
