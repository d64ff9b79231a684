#!/usr/bin/env bash
# The whole test suite (`make test`): Rust unit tests, header checks, then the C, Python and Go
# tests against real Apache RocketMQ brokers (4.x and 5.x) that this script starts and stops.
#
# Env: PREFIX (install prefix for the library the Python and Go tests load, default /usr/local),
#      RMQ_TEST_KEEP_BROKERS=1 (leave brokers running that this script started).
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

step "cargo build" cargo build --release --locked
step "rust unit tests" cargo test --release --locked --lib
step "headers" bash tests/headers/check.sh
step "make install" scripts/install.sh "$PREFIX"

started_brokers=0
stop_brokers() {
    if [ "$started_brokers" = 1 ] && [ "${RMQ_TEST_KEEP_BROKERS:-0}" != 1 ]; then
        scripts/brokers.sh down || true
    fi
}
trap stop_brokers EXIT

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

echo
echo "=== summary ==="
for f in "${failures[@]}"; do
    echo "failed: $f"
done
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
