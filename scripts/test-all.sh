#!/usr/bin/env bash
# The whole test suite (`make test`): Rust unit tests, header checks, then the C, Python and Go
# tests against real Apache RocketMQ brokers (4.x and 5.x) that this script starts and stops, and
# last the suites of our own bindings (bindings/go, bindings/python).
#
# Two more pairs of brokers, one with ACL on and one TLS-only (scripts/brokers.sh,
# RMQ_PROFILE=acl and tls), start in the background at the beginning (their startup overlaps with
# the build and the plain brokers' startup); the C and Python ACL and TLS tests run last, as their
# own suites.
#
# The Python suite (tests/python) runs on two targets: the unchanged rocketmq-client-python 2.0.0
# on the installed library, and our bindings/python package from the wheel this script builds
# once (bindings/python/build-wheel.sh into .build/wheels, handed over in ROCKETMQ_PY_WHEEL).
#
# A suite that runs no test fails; what a suite or this script skipped or opted out of is named,
# with the reason, in the summary at the end (the suites append it to the file RMQ_TEST_SKIPS).
#
# Env: PREFIX (install prefix for the library the Python and Go tests load, default /usr/local),
#      RMQ_TEST_KEEP_BROKERS=1 (leave brokers running that this script started),
#      RMQ_TEST_ACL=0 (no ACL brokers, no ACL suites), RMQ_TEST_TLS=0 (likewise for TLS).
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
repo=$(pwd)
export PREFIX=${PREFIX:-/usr/local}

passed=0
failed=0
failures=()
skips=()  # "suite: what was skipped (why)", printed in the summary

# A suite that skips or opts out of part of its tests appends one line per skipped part to the
# file named by RMQ_TEST_SKIPS (each suite's run.sh does; a suite that runs no test at all fails).
skip_dir=$(mktemp -d)
# skipped WHAT: an opt-out of this script itself, for the summary.
skipped() { skips+=("$*"); }

# step NAME COMMAND...: runs a suite, counts it, and keeps going after a failure.
step() {
    local name=$1
    shift
    echo
    echo "=== $name ==="
    local start=$SECONDS skip_file
    skip_file=$(mktemp "$skip_dir/skips.XXXXXX")
    local ok=0
    RMQ_TEST_SKIPS=$skip_file "$@" && ok=1
    local line
    while IFS= read -r line; do
        [ -n "$line" ] && skips+=("$name: $line")
    done <"$skip_file"
    if [ $ok = 1 ]; then
        passed=$((passed + 1))
        echo "--- $name: ok ($((SECONDS - start)) s)"
    else
        failed=$((failed + 1))
        failures+=("$name")
        echo "--- $name: FAILED ($((SECONDS - start)) s)"
    fi
}

# ---------------------------------------------------------------- brokers: start and stop
started_brokers=0
declare -A started_profile=() up_pid=()
profiles=()
if [ "${RMQ_TEST_ACL:-1}" != 0 ]; then profiles+=(acl); else
    skipped "ACL brokers and suites (C, C++, Python, Go binding, bindings/python): RMQ_TEST_ACL=0"; fi
if [ "${RMQ_TEST_TLS:-1}" != 0 ]; then profiles+=(tls); else
    skipped "TLS brokers and suites (C, C++, Python, bindings/python): RMQ_TEST_TLS=0"; fi
up_log() { echo ".build/test-all-$1-up.log"; }
stop_brokers() {
    local p downs=()
    # a background `up` still running (e.g. after Ctrl-C): stop it first, `down` cleans up
    for p in "${!up_pid[@]}"; do
        if [ -n "${up_pid[$p]}" ] && kill -0 "${up_pid[$p]}" 2>/dev/null; then
            kill "${up_pid[$p]}" 2>/dev/null
            wait "${up_pid[$p]}" 2>/dev/null
        fi
    done
    if [ "${RMQ_TEST_KEEP_BROKERS:-0}" != 1 ]; then
        # all pairs at once: a 5.x broker's shutdown alone can take its full 15 s
        for p in "${!started_profile[@]}"; do
            RMQ_PROFILE=$p scripts/brokers.sh down &
            downs+=($!)
        done
        if [ "$started_brokers" = 1 ]; then
            scripts/brokers.sh down || true
        fi
        for p in "${downs[@]}"; do wait "$p" || true; done
    fi
}
trap 'stop_brokers; rm -rf "$skip_dir"' EXIT

mkdir -p .build
for p in "${profiles[@]}"; do
    if RMQ_PROFILE=$p scripts/brokers.sh status >/dev/null 2>&1; then
        echo "$p brokers already running: using them"
    else
        started_profile[$p]=1
        echo "starting the $p brokers in the background (log: $(up_log "$p"))"
        RMQ_PROFILE=$p scripts/brokers.sh up all >"$(up_log "$p")" 2>&1 &
        up_pid[$p]=$!
    fi
done

# ---------------------------------------------------------------- suites
step "cargo build" cargo build --release --locked
# The Rust tests build in the dev profile (overflow checks on, and a few minutes less than the
# release profile's single-unit LTO build of each test binary); everything else loads the release
# library. Among the unit tests: src/remoting/hostile_peer_tests.rs (corrupt and truncated frames
# from a peer) and src/core/consumer/push_frames_tests.rs (our push consumer's requests against
# the 2.2.0 capture).
step "rust unit tests" cargo test --locked --lib
step "headers" bash tests/headers/check.sh
step "library shape (SONAME, glibc only, exports)" sh tests/link/check.sh
step "make install" scripts/install.sh "$PREFIX"
step "installed library (stripped, at most 4 MiB, debug info apart, API-only exports)" sh tests/link/installed.sh "$PREFIX"

if scripts/brokers.sh status >/dev/null 2>&1; then
    echo "brokers already running: using them"
else
    started_brokers=1
    step "brokers up" scripts/brokers.sh up all
fi
eval "$(scripts/brokers.sh env)"
step "Rust core against both brokers" cargo test --locked --test core_against_brokers

for label in 4 5; do
    ns_var=NAMESRV_$label
    ns=${!ns_var}
    version_var=RMQ_VERSION_$label
    version=${!version_var:-$label.x}
    step "C tests, RocketMQ $version" bash tests/c/run.sh "$ns"
    step "C++ API tests (2.2.0 layout, producer, consumers), RocketMQ $version" bash tests/cpp/run.sh "$ns"
    step "Go cgo client v1.2.4, RocketMQ $version" bash tests/go/run.sh "$ns"
    step "Java client 4.9.8 on the other side, RocketMQ $version" bash tests/java/run.sh "$ns"
    step "Message trace (mqadmin queryMsgTraceById, Java 4.9.8 decoder), RocketMQ $version" bash tests/trace/run.sh "$ns"
done

# ---------------------------------------------------------------- Python, on both targets
py_wheel=
# build_wheel: bindings/python/build-wheel.sh prints the wheel's path as its last line.
build_wheel() {
    local out
    out=$(sh bindings/python/build-wheel.sh "$repo/.build/wheels") || return 1
    py_wheel=$(printf '%s\n' "$out" | tail -n 1)
    echo "wheel: $py_wheel"
    [ -f "$py_wheel" ]
}
# have_wheel: the wheel step above built one (the binding suites need it).
have_wheel() {
    [ -f "$py_wheel" ] || { echo "no wheel: the step 'Python wheel (bindings/python)' failed" >&2; return 1; }
}
# python_suite upstream|binding [run.sh args...]: tests/python on one target (tests/python/target.py).
python_suite() {
    local target=$1
    shift
    if [ "$target" = binding ]; then
        have_wheel || return 1
        ROCKETMQ_PY_WHEEL=$py_wheel bash tests/python/run.sh --target binding "$@"
    else
        bash tests/python/run.sh --target upstream "$@"
    fi
}
# with_env VAR=value... -- COMMAND...: COMMAND (a function too) with those variables, in a subshell.
with_env() {
    (
        while [ "$1" != -- ]; do export "$1"; shift; done
        shift
        "$@"
    )
}
declare -A py_target_name=([upstream]="rocketmq-client-python 2.0.0 on our installed library"
                           [binding]="our bindings/python package")
py_targets=(upstream binding)

step "Python wheel (bindings/python)" build_wheel
export NAMESRV_ADDRS="v4=$NAMESRV_4;v5=$NAMESRV_5"
for t in "${py_targets[@]}"; do
    # test_acl.py and test_tls.py run in their own steps below, against their own brokers
    step "Python, ${py_target_name[$t]}, both brokers" python_suite "$t" \
        --ignore="$repo/tests/python/test_acl.py" --ignore="$repo/tests/python/test_tls.py"
done

# ---------------------------------------------------------------- ACL and TLS (separate brokers)
# wait_up PROFILE: waits for the background `up` started above and shows its log.
wait_up() {
    local rc=0
    wait "${up_pid[$1]}" || rc=$?
    up_pid[$1]=
    cat "$(up_log "$1")"
    return $rc
}
# profile_ready PROFILE: its pair is up (a failed start counts as one failed suite).
profile_ready() {
    [ -z "${up_pid[$1]:-}" ] && return 0
    local before=$failed
    step "$1 brokers up (started in the background)" wait_up "$1"
    [ "$failed" = "$before" ]
}

acl_up=0 tls_up=0
[ "${RMQ_TEST_ACL:-1}" != 0 ] && { profile_ready acl && acl_up=1 || skipped "ACL suites: the acl brokers did not start"; }
[ "${RMQ_TEST_TLS:-1}" != 0 ] && { profile_ready tls && tls_up=1 || skipped "TLS suites: the tls brokers did not start"; }
if [ $acl_up = 1 ]; then
    # shell variables, not exported: only the ACL suites get them (env below)
    acl_env=$(RMQ_PROFILE=acl scripts/brokers.sh env)
    eval "${acl_env//export /}"
    for label in 4 5; do
        ns_var=RMQ_ACL_NAMESRV_$label
        ns=${!ns_var}
        version_var=RMQ_VERSION_$label
        version=${!version_var:-$label.x}
        keys=(RMQ_ACL_ACCESS_KEY="$RMQ_ACL_ACCESS_KEY" RMQ_ACL_SECRET_KEY="$RMQ_ACL_SECRET_KEY")
        denied=()
        # 4.x only: 5.x runs ACL 2.0 without authorization (see scripts/brokers.sh)
        [ "$label" = 4 ] && denied=(RMQ_ACL_DENIED_TOPIC="$RMQ_ACL_DENIED_TOPIC_4")
        step "C ACL tests, RocketMQ $version" \
            env "${keys[@]}" "${denied[@]}" bash tests/c/run.sh --acl "$ns"
        step "C++ ACL tests, RocketMQ $version" env "${keys[@]}" bash tests/cpp/run.sh --acl "$ns"
        for t in "${py_targets[@]}"; do
            step "Python ACL tests, ${py_target_name[$t]}, RocketMQ $version" \
                with_env "${keys[@]}" RMQ_ACL_NAMESRV_ADDRS="v$label=$ns" -- python_suite "$t" -k test_acl
        done
    done
fi

if [ $tls_up = 1 ]; then
    tls_env=$(RMQ_PROFILE=tls scripts/brokers.sh env)
    eval "${tls_env//export /}"
    for label in 4 5; do
        ns_var=RMQ_TLS_NAMESRV_$label
        ns=${!ns_var}
        version_var=RMQ_VERSION_$label
        version=${!version_var:-$label.x}
        cas=(RMQ_TLS_CA="$RMQ_TLS_CA" RMQ_TLS_WRONG_CA="$RMQ_TLS_WRONG_CA")
        step "C TLS tests, RocketMQ $version" env "${cas[@]}" bash tests/c/run.sh --tls "$ns"
        step "C++ TLS tests, RocketMQ $version" env "${cas[@]}" bash tests/cpp/run.sh --tls "$ns"
        for t in "${py_targets[@]}"; do
            step "Python TLS tests, ${py_target_name[$t]}, RocketMQ $version" \
                with_env "${cas[@]}" RMQ_TLS_NAMESRV="$ns" -- python_suite "$t" -k test_tls
        done
    done
fi

# ---------------------------------------------------------------- bindings/go
# (the v2 API module: unit tests, the guide's programs against both pairs, the ACL pair's where it
# is up; -race; and the rocketmq_static build needing only libc)
step "Go binding (bindings/go, v2 API), RocketMQ 4.x and 5.x, ACL" \
    env SKIP_BUILD=1 STATIC=1 bash bindings/go/run-tests.sh

# ---------------------------------------------------------------- bindings/python's own suite
# (3.8 and the newest Python installed; the ACL and TLS pairs' tests where those pairs are up)
pybind_env=(NAMESRV_ADDRS="v4=$NAMESRV_4;v5=$NAMESRV_5")
if [ -n "${RMQ_ACL_NAMESRV_4:-}" ]; then
    pybind_env+=(RMQ_ACL_NAMESRV_ADDRS="v4=$RMQ_ACL_NAMESRV_4;v5=$RMQ_ACL_NAMESRV_5"
                 RMQ_ACL_ACCESS_KEY="$RMQ_ACL_ACCESS_KEY" RMQ_ACL_SECRET_KEY="$RMQ_ACL_SECRET_KEY")
fi
if [ -n "${RMQ_TLS_NAMESRV_4:-}" ]; then
    pybind_env+=(RMQ_TLS_NAMESRV="v4=$RMQ_TLS_NAMESRV_4;v5=$RMQ_TLS_NAMESRV_5"
                 RMQ_TLS_CA="$RMQ_TLS_CA" RMQ_TLS_WRONG_CA="$RMQ_TLS_WRONG_CA")
fi
pybind_suite() {
    have_wheel || return 1
    ROCKETMQ_PY_WHEEL=$py_wheel bash bindings/python/tests/run.sh
}
step "bindings/python tests (seed programs, features, wheel), Python 3.8 and newest" \
    with_env "${pybind_env[@]}" -- pybind_suite

# ---------------------------------------------------------------- faults (servers of their own)
# kill -9 and restart of brokers and name servers, master failover, dead-letter queue, TLS and ACL
# refusals, through our Python package; tests/faults starts its own 4.x and 5.x servers on ports
# 31876-34912 (never the pairs above); it fails when no test ran
faults_suite() {
    have_wheel || return 1
    ROCKETMQ_PY_WHEEL=$py_wheel bash tests/faults/run.sh
}
step "Faults against real brokers (kill -9, failover, dead letters, TLS, ACL), RocketMQ 4.x and 5.x" faults_suite

echo
echo "=== summary ==="
for f in "${skips[@]}"; do
    echo "skipped: $f"
done
for f in "${failures[@]}"; do
    echo "failed: $f"
done
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
