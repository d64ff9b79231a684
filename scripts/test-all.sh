#!/usr/bin/env bash
# The whole test suite (`make test`): Rust unit tests, header checks, then the C, Python and Go
# tests against real Apache RocketMQ brokers (4.x and 5.x) that this script starts and stops.
#
# A second pair of brokers with ACL on (scripts/brokers.sh, RMQ_PROFILE=acl) starts in the
# background at the beginning (its ~15-25 s of startup overlap with the build and the plain
# brokers' startup); the C and Python ACL tests run last, as their own suites.
#
# Env: PREFIX (install prefix for the library the Python and Go tests load, default /usr/local),
#      RMQ_TEST_KEEP_BROKERS=1 (leave brokers running that this script started),
#      RMQ_TEST_ACL=0 (no ACL brokers, no ACL suites).
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
repo=$(pwd)
export PREFIX=${PREFIX:-/usr/local}

passed=0
failed=0
failures=()

# step NAME COMMAND...: runs a suite, counts it, and keeps going after a failure.
step() {
    local name=$1
    shift
    echo
    echo "=== $name ==="
    local start=$SECONDS
    if "$@"; then
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
started_acl=0
acl_up_pid=
acl_log=.build/test-all-acl-up.log
stop_brokers() {
    local acl_down=
    # a background `up` still running (e.g. after Ctrl-C): stop it first, `down` cleans up
    if [ -n "$acl_up_pid" ] && kill -0 "$acl_up_pid" 2>/dev/null; then
        kill "$acl_up_pid" 2>/dev/null
        wait "$acl_up_pid" 2>/dev/null
    fi
    if [ "${RMQ_TEST_KEEP_BROKERS:-0}" != 1 ]; then
        # both pairs at once: a 5.x broker's shutdown alone can take its full 15 s
        if [ "$started_acl" = 1 ]; then
            RMQ_PROFILE=acl scripts/brokers.sh down &
            acl_down=$!
        fi
        if [ "$started_brokers" = 1 ]; then
            scripts/brokers.sh down || true
        fi
        [ -z "$acl_down" ] || wait "$acl_down" || true
    fi
}
trap stop_brokers EXIT

if [ "${RMQ_TEST_ACL:-1}" != 0 ]; then
    if RMQ_PROFILE=acl scripts/brokers.sh status >/dev/null 2>&1; then
        echo "ACL brokers already running: using them"
    else
        started_acl=1
        mkdir -p .build
        echo "starting the ACL brokers in the background (log: $acl_log)"
        RMQ_PROFILE=acl scripts/brokers.sh up all >"$acl_log" 2>&1 &
        acl_up_pid=$!
    fi
fi

# ---------------------------------------------------------------- suites
step "cargo build" cargo build --release --locked
step "rust unit tests" cargo test --release --locked --lib
step "headers" bash tests/headers/check.sh
step "make install" scripts/install.sh "$PREFIX"

if scripts/brokers.sh status >/dev/null 2>&1; then
    echo "brokers already running: using them"
else
    started_brokers=1
    step "brokers up" scripts/brokers.sh up all
fi
eval "$(scripts/brokers.sh env)"
step "Rust core against both brokers" cargo test --release --locked --test core_against_brokers

for label in 4 5; do
    ns_var=NAMESRV_$label
    ns=${!ns_var}
    version_var=RMQ_VERSION_$label
    version=${!version_var:-$label.x}
    step "C tests, RocketMQ $version" bash tests/c/run.sh "$ns"
    step "Go cgo client v1.2.4, RocketMQ $version" bash tests/go/run.sh "$ns"
    step "Java client 4.9.8 on the other side, RocketMQ $version" bash tests/java/run.sh "$ns"
done
export NAMESRV_ADDRS="v4=$NAMESRV_4;v5=$NAMESRV_5"
step "Python rocketmq-client-python 2.0.0, both brokers" bash tests/python/run.sh

# ---------------------------------------------------------------- ACL (separate brokers)
# wait_acl_up: waits for the background `up` started above and shows its log.
wait_acl_up() {
    local rc=0
    wait "$acl_up_pid" || rc=$?
    acl_up_pid=
    cat "$acl_log"
    [ $rc = 0 ] || acl_ready=0
    return $rc
}
if [ "${RMQ_TEST_ACL:-1}" != 0 ]; then
    acl_ready=1
    [ -z "$acl_up_pid" ] || step "ACL brokers up (started in the background)" wait_acl_up
    if [ $acl_ready = 1 ]; then
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
            step "Python ACL tests, RocketMQ $version" \
                env "${keys[@]}" RMQ_ACL_NAMESRV_ADDRS="v$label=$ns" bash tests/python/run.sh -k test_acl
        done
    fi
fi

echo
echo "=== summary ==="
for f in "${failures[@]}"; do
    echo "failed: $f"
done
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
