#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Part of librocketmq-rust: the C++ API tests (the 2.2.0 C++ headers in include/rocketmq, the
# library in target/release).
#   tests/cpp/run.sh             the layout check only (no broker)
#   tests/cpp/run.sh NAMESRV...  the layout check, then test_api against each name server, on
#                                topic rmq_cpp_test (4 queues, created with scripts/brokers.sh
#                                topic when missing; RMQ_CPP_TOPIC: another existing topic)
# test_api runs under valgrind when it is installed (memory errors and definite leaks fail).
# Env: CXX (default g++), RMQ_CPP_VALGRIND=0 (without valgrind).
# Prints each program's "N passed, M failed"; exits 1 on any failure, and when a program passed
# no check. Without valgrind is printed, and appended to the file named by RMQ_TEST_SKIPS
# (scripts/test-all.sh's summary).
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
for p in layout test_api; do
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

echo "--- layout (sizes, offsets, vtables against 2.2.0)"
"$out/layout" | tee "$out/layout.out"
[ "${PIPESTATUS[0]}" = 0 ] || failed=1
ran "$out/layout.out" || failed=1

for namesrv in "$@"; do
    if [ -z "${RMQ_CPP_TOPIC:-}" ] && ! "$repo/scripts/brokers.sh" topic "$topic" 4 "$namesrv" >"$out/topic.log" 2>&1; then
        cat "$out/topic.log"
        echo "FAIL: could not create topic $topic on $namesrv"
        failed=1
        continue
    fi
    echo "--- test_api against $namesrv"
    if [ "${RMQ_CPP_VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null 2>&1; then
        timeout 600 valgrind -q --error-exitcode=3 --leak-check=full --show-leak-kinds=definite \
            --errors-for-leak-kinds=definite \
            "$out/test_api" "$namesrv" "$topic" | tee "$out/test_api.out"
    else
        why="RMQ_CPP_VALGRIND=0"
        command -v valgrind >/dev/null 2>&1 || why="valgrind not installed"
        echo "SKIPPED: test_api under valgrind: $why"
        [ -z "${RMQ_TEST_SKIPS:-}" ] || echo "test_api under valgrind: $why" >>"$RMQ_TEST_SKIPS"
        timeout 180 "$out/test_api" "$namesrv" "$topic" | tee "$out/test_api.out"
    fi
    [ "${PIPESTATUS[0]}" = 0 ] || failed=1
    ran "$out/test_api.out" || failed=1
done
exit $failed
