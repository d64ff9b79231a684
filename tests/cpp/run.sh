#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Part of librocketmq-rust: the C++ API tests (the 2.2.0 C++ headers in include/rocketmq, the
# library in target/release).
#   tests/cpp/run.sh             the layout check only (no broker)
#   tests/cpp/run.sh NAMESRV...  the layout check, then test_api against each name server, on
#                                topic rmq_cpp_test and, for setNameSpace, cppns%rmq_cpp_test
#                                (4 queues each, created with scripts/brokers.sh topic when
#                                missing; RMQ_CPP_TOPIC: another existing topic, and no namespace
#                                part)
#   tests/cpp/run.sh --acl NAMESRV   test_secure acl against a broker pair with ACL on
#                                (RMQ_PROFILE=acl scripts/brokers.sh env: the keys in
#                                RMQ_ACL_ACCESS_KEY / RMQ_ACL_SECRET_KEY; topic rmq_acl_test)
#   tests/cpp/run.sh --tls NAMESRV   test_secure tls against a TLS-only pair (RMQ_TLS_CA and
#                                RMQ_TLS_WRONG_CA; topic rmq_tls_test); not under valgrind (ring's
#                                assembly confuses it, as for tests/c's test_tls)
# test_api and test_secure acl run under valgrind when it is installed (memory errors and
# definite leaks fail).
# Env: CXX (default g++), RMQ_CPP_VALGRIND=0 (without valgrind).
# Prints each program's "N passed, M failed"; exits 1 on any failure, and when a program passed
# no check. What is skipped (no valgrind, no keys or CA) is printed, and appended to the file
# named by RMQ_TEST_SKIPS (scripts/test-all.sh's summary).
set -uo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(cd "$here/../.." && pwd)
lib=$repo/target/release
out=$repo/.build/cpp
mkdir -p "$out"
cxx=${CXX:-g++}
topic=${RMQ_CPP_TOPIC:-rmq_cpp_test}
failed=0

[ -f "$lib/librocketmq.so" ] || { echo "no $lib/librocketmq.so: run 'cargo build --release' first"; exit 1; }

build() { # program
    "$cxx" -std=c++11 -Wall -Wextra -Werror -g -I "$repo/include/rocketmq" "$here/$1.cpp" -o "$out/$1" \
        -L "$lib" -lrocketmq "-Wl,-rpath,$lib" -lpthread
}
for p in layout test_api test_secure; do
    build "$p" || { echo "build of $p failed"; exit 1; }
done

# ran PROGRAM-OUTPUT-FILE: the program's summary line says it passed at least one check
ran() {
    local last
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
    [ -n "$last" ] && [ "${last%% *}" -gt 0 ] && return 0
    echo "FAIL: no check ran (${last:-no summary line})"
    return 1
}

skip_note() { # what was skipped and why
    echo "SKIPPED: $*"
    [ -z "${RMQ_TEST_SKIPS:-}" ] || echo "$*" >>"$RMQ_TEST_SKIPS"
}

# under_valgrind NAME SECONDS PROGRAM ARGS...: runs it (under valgrind when available), output
# into $out/NAME.out; fails on its exit status and when it passed no check.
under_valgrind() {
    local name=$1 limit=$2
    shift 2
    if [ "${RMQ_CPP_VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null 2>&1; then
        timeout $((limit * 4)) valgrind -q --error-exitcode=3 --leak-check=full --show-leak-kinds=definite \
            --errors-for-leak-kinds=definite "$@" | tee "$out/$name.out"
    else
        local why="RMQ_CPP_VALGRIND=0"
        command -v valgrind >/dev/null 2>&1 || why="valgrind not installed"
        skip_note "$name under valgrind: $why"
        timeout "$limit" "$@" | tee "$out/$name.out"
    fi
    [ "${PIPESTATUS[0]}" = 0 ] || failed=1
    ran "$out/$name.out" || failed=1
}

if [ "${1:-}" = --acl ] || [ "${1:-}" = --tls ]; then
    mode=${1#--}
    namesrv=${2:-}
    [ -n "$namesrv" ] || { echo "usage: $0 --$mode NAMESRV"; exit 2; }
    if [ $mode = acl ]; then
        if [ -z "${RMQ_ACL_ACCESS_KEY:-}" ] || [ -z "${RMQ_ACL_SECRET_KEY:-}" ]; then
            skip_note "C++ ACL test: RMQ_ACL_ACCESS_KEY / RMQ_ACL_SECRET_KEY not set"
            exit 0
        fi
        echo "--- test_secure acl against $namesrv"
        under_valgrind test_secure_acl 180 "$out/test_secure" acl "$namesrv" "${RMQ_ACL_CPP_TOPIC:-rmq_acl_test}" \
            "$RMQ_ACL_ACCESS_KEY" "$RMQ_ACL_SECRET_KEY"
    else
        if [ -z "${RMQ_TLS_CA:-}" ] || [ -z "${RMQ_TLS_WRONG_CA:-}" ]; then
            skip_note "C++ TLS test: RMQ_TLS_CA / RMQ_TLS_WRONG_CA not set"
            exit 0
        fi
        echo "--- test_secure tls against $namesrv (not under valgrind)"
        timeout 180 "$out/test_secure" tls "$namesrv" "${RMQ_TLS_CPP_TOPIC:-rmq_tls_test}" "$RMQ_TLS_CA" "$RMQ_TLS_WRONG_CA" |
            tee "$out/test_secure_tls.out"
        [ "${PIPESTATUS[0]}" = 0 ] || failed=1
        ran "$out/test_secure_tls.out" || failed=1
    fi
    exit $failed
fi

echo "--- layout (sizes, offsets, vtables against 2.2.0)"
"$out/layout" | tee "$out/layout.out"
[ "${PIPESTATUS[0]}" = 0 ] || failed=1
ran "$out/layout.out" || failed=1

namespace=
[ -n "${RMQ_CPP_TOPIC:-}" ] || namespace=cppns
for namesrv in "$@"; do
    if [ -z "${RMQ_CPP_TOPIC:-}" ] && ! { "$repo/scripts/brokers.sh" topic "$topic" 4 "$namesrv" &&
        "$repo/scripts/brokers.sh" topic "$namespace%$topic" 4 "$namesrv"; } >"$out/topic.log" 2>&1; then
        cat "$out/topic.log"
        echo "FAIL: could not create topic $topic (and $namespace%$topic) on $namesrv"
        failed=1
        continue
    fi
    echo "--- test_api against $namesrv"
    under_valgrind test_api 240 "$out/test_api" "$namesrv" "$topic" $namespace
done
exit $failed
