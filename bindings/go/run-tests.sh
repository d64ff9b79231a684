#!/usr/bin/env bash
# Tests of the Go binding (bindings/go) against the real brokers:
#
#   bindings/go/run-tests.sh
#
# 1. builds librocketmq (cargo build --release) unless SKIP_BUILD=1, and installs it with
#    scripts/install.sh into a private prefix (PREFIX, default .build/go-prefix; never
#    /usr/local, which other test runs may be using);
# 2. points cgo at it (PKG_CONFIG_PATH, LD_LIBRARY_PATH);
# 3. takes the name servers from the environment (NAMESRV_4, NAMESRV_5, RMQ_ACL_NAMESRV_4/5,
#    RMQ_ACL_ACCESS_KEY/SECRET_KEY) or, when unset, from `scripts/brokers.sh env` and (when that
#    pair is up) `RMQ_PROFILE=acl scripts/brokers.sh env`; the plain pair must be up, the ACL
#    tests are required when the ACL pair is there and skip (with a note) when it is not;
# 4. runs `go test -race ./...` (GO_TEST_ARGS adds arguments, e.g. -run TestACL) with
#    ROCKETMQ_GO_REQUIRE_BROKERS=1, so a missing broker fails instead of skipping;
# 5. with STATIC=1 also builds the sync example with -tags rocketmq_static, checks that the
#    program needs nothing but libc, and runs it against NAMESRV_4 on topic go_static_example
#    (created when missing): it must print a successful send result.
# Exits non-zero when a test failed or when no test ran. Skipped tests (`--- SKIP`) and a missing
# ACL pair are listed at the end, and appended to the file named by RMQ_TEST_SKIPS (for
# scripts/test-all.sh's summary).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
prefix=${PREFIX:-$root/.build/go-prefix}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    (cd "$root" && cargo build --release)
fi
"$root/scripts/install.sh" "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

if [ -z "${NAMESRV_4:-}" ]; then
    eval "$("$root/scripts/brokers.sh" env)"
fi
if [ -z "${RMQ_ACL_NAMESRV_4:-}" ] && RMQ_PROFILE=acl "$root/scripts/brokers.sh" status >/dev/null 2>&1; then
    eval "$(RMQ_PROFILE=acl "$root/scripts/brokers.sh" env)"
fi
export NAMESRV_4 NAMESRV_5
export ROCKETMQ_GO_REQUIRE_BROKERS=1
if [ -n "${RMQ_ACL_NAMESRV_4:-}" ]; then
    export RMQ_ACL_NAMESRV_4 RMQ_ACL_NAMESRV_5 RMQ_ACL_ACCESS_KEY RMQ_ACL_SECRET_KEY
    export ROCKETMQ_GO_REQUIRE_ACL=1
else
    echo "note: the ACL pair is not up (RMQ_PROFILE=acl scripts/brokers.sh up): the ACL tests skip"
    [ -z "${RMQ_TEST_SKIPS:-}" ] || echo "ACL tests: the ACL pair is not up" >>"$RMQ_TEST_SKIPS"
fi

cd "$here"
log=$(mktemp "${TMPDIR:-/tmp}/rocketmq-go-test.XXXXXX")
trap 'rm -f "$log"' EXIT
status=0
# shellcheck disable=SC2086
go test -race -count=1 -timeout 30m -v ${GO_TEST_ARGS:-} ./... 2>&1 | tee "$log" || status=$?
passed=$(grep -c -- '^--- PASS\|^    --- PASS' "$log" || true)
failed=$(grep -c -e '--- FAIL' -e '^FAIL[[:space:]]' "$log" || true)  # tests, and packages that did not build
if [ "${STATIC:-0}" = 1 ]; then
    out=$(mktemp -d)
    CGO_CFLAGS="-I$prefix/include" CGO_LDFLAGS="-L$prefix/lib" go build -tags rocketmq_static -o "$out/sync" ./examples/sync
    needed=$(objdump -p "$out/sync" | awk '$1 == "NEEDED" { print $2 }' | grep -v -x -e 'libc\.so\.6' -e 'ld-linux-x86-64\.so\.2' -e 'ld-linux-aarch64\.so\.1' || true)
    if [ -n "$needed" ]; then
        echo "FAIL: the statically linked example needs $needed"
        status=1
    else
        echo "PASS: -tags rocketmq_static: the example needs only libc"
        passed=$((passed + 1))
    fi
    # The static program at work: one send, whose result it prints (status 0 is SEND_OK).
    static_topic=go_static_example
    if ! "$root/scripts/brokers.sh" topic "$static_topic" 4 "$NAMESRV_4" >"$out/topic.log" 2>&1; then
        cat "$out/topic.log"
        echo "FAIL: could not create topic $static_topic on $NAMESRV_4"
        status=1
    elif ran=$(LD_LIBRARY_PATH= ROCKETMQ_NAMESRV="$NAMESRV_4" ROCKETMQ_TOPIC="$static_topic" timeout 60 "$out/sync" 2>&1) &&
        echo "$ran" | grep -q "^send message success: result=SendResult \[sendStatus=0, msgIds=[0-9A-F]\{32\}, .*topic=$static_topic"; then
        echo "PASS: -tags rocketmq_static: the example sent a message ($(echo "$ran" | grep -o 'msgIds=[0-9A-F]*'))"
        passed=$((passed + 1))
    else
        echo "FAIL: the statically linked example did not send: $ran"
        status=1
    fi
    rm -rf "$out"
fi
skips=$(grep -E -e '--- SKIP' "$log" | sed -E 's/^[[:space:]]*--- SKIP: ([^ ]+).*/\1/' || true)
if [ -n "$skips" ]; then
    echo "skipped: $(echo $skips)"
    [ -z "${RMQ_TEST_SKIPS:-}" ] || echo "skipped Go tests (see their log): $(echo $skips)" >>"$RMQ_TEST_SKIPS"
fi
echo "go binding: $passed passed, $failed failed"
if [ "$passed" -eq 0 ]; then
    echo "no test ran" >&2
    exit 1
fi
exit "$status"
