#!/usr/bin/env bash
# C tests of librocketmq against a real name server + broker.
#
#   tests/c/run.sh NAMESRV [TOPIC]        e.g. tests/c/run.sh 127.0.0.1:9876
#   tests/c/run.sh --acl [ACL_NAMESRV]    only test_acl (below), against ACL_NAMESRV or
#                                         $RMQ_ACL_NAMESRV
#   tests/c/run.sh --tls [TLS_NAMESRV]    only test_tls (below; RMQ_TLS_CA needed)
#
# Builds tests/c/*.c into .build/c/ against include/ and target/release/librocketmq.so (build the
# library first: cargo build --release), then runs, in parallel:
#   test_producer NAMESRV TOPIC           (default topic rmq_c_test; 8 queues)
#   test_misuse   NAMESRV TOPIC           (default topic rmq_c_misc; 8 queues)
#   test_lifecycle NAMESRV TOPIC ROUNDS   (topic as test_misuse's) RMQ_C_LIFECYCLE_ROUNDS rounds
#                                         (default 1000) of create, start, send, shutdown, destroy,
#                                         every fifth a push consumer: threads, fds, sockets back to
#                                         where they were before the first start, RSS flat
#   test_misuse under valgrind            (memory errors and definite leaks fail it; suppressions in
#                                         valgrind.supp)
#   test_consumer NAMESRV SCENARIO        one process per push consumer scenario (consumer_<name>),
#                                         each on its own topic rmq_ct_<name>; a topic the name
#                                         server does not know yet is created first with
#                                         scripts/brokers.sh topic (on the broker of NAMESRV; a
#                                         few seconds each, so the first run on fresh brokers
#                                         takes ~40 s longer)
#   test_consumer under valgrind          for the scenarios in RMQ_C_VALGRIND_CONSUMER
#   test_transaction NAMESRV TOPIC        transactions (commit / rollback / unknown + check-back)
#   test_schedule NAMESRV TOPIC LOGDIR    __STARTDELIVERTIME: 5.x timers, 4.x warning, limits
#                                         on a fresh 4-queue topic rmq_ctx_<time>_<pid> per run,
#                                         created first with scripts/brokers.sh topic
#                                         (RMQ_C_TX_TOPIC: use this existing topic instead;
#                                         RMQ_C_TX=0 skips the program); also under valgrind
#   test_acl RMQ_ACL_NAMESRV TOPIC TX_TOPIC   only when RMQ_ACL_NAMESRV is set: a broker with ACL
#                                         on (scripts/brokers.sh, RMQ_PROFILE=acl), the client
#                                         account's keys in RMQ_ACL_ACCESS_KEY / RMQ_ACL_SECRET_KEY;
#                                         topics RMQ_ACL_C_TOPIC (default rmq_acl_c) and
#                                         RMQ_ACL_TX_TOPIC (default rmq_acl_tx), both made by the
#                                         profile's `up`; RMQ_ACL_DENIED_TOPIC: a topic the account
#                                         may not use (4.x profile: rmq_acl_denied)
#   test_tls RMQ_TLS_NAMESRV TOPIC CA WRONG_CA   only when RMQ_TLS_NAMESRV (a name server whose pair
#                                         accepts TLS only) and RMQ_TLS_CA (its CA) are set; topic
#                                         RMQ_TLS_TOPIC (default rmq_tls_c, must exist there);
#                                         RMQ_TLS_WRONG_CA, or an unrelated CA made with
#                                         tests/tls/make-certs.sh
#   test_acl, test_tls under valgrind too  (memory errors and definite leaks fail; for TLS,
#                                         valgrind.supp's two ring/rustls entries cover the false
#                                         "uninitialised" reports on ring's AES-GCM assembly, and
#                                         need --num-callers=40 to match)
# and checks that test_misuse.c calls every function of tests/headers/prototypes.txt.
# Each program prints "N passed, M failed" as its last line; a program that dies without that
# line, passes no check (N == 0), or exits non-zero with M == 0 (e.g. a valgrind error), counts as
# one failure. The last line is the sum "N passed, M failed"; exit status 0 only if M == 0 and
# N > 0. What an opt-out below skips is printed, and appended to the file named by RMQ_TEST_SKIPS
# (scripts/test-all.sh prints those in its summary).
#
# Env: RMQ_C_TIMEOUT (s per program, default 120), RMQ_C_VALGRIND=0 skips the valgrind runs,
#      RMQ_C_CONSUMER="basic retry ..." runs only these consumer scenarios (default: all;
#      "none" skips them), RMQ_C_VALGRIND_CONSUMER (default "basic retry shutdown selfstop
#      destroy"), RMQ_CT_TOPIC_PREFIX (consumer topics, default rmq_ct_), CC (default gcc).
#      The consumers run with HOME=.build/c/home-<name server> (broadcasting offset files).
set -uo pipefail

# acl_only: only the secured-broker test (--acl or --tls): no other program, no transaction
# topic, no consumer scenario
acl_only=0
if [ "${1:-}" = --acl ]; then
    acl_only=1
    export RMQ_ACL_NAMESRV=${2:-${RMQ_ACL_NAMESRV:-}}
    set -- "$RMQ_ACL_NAMESRV"
    RMQ_C_TX=0
    RMQ_C_CONSUMER=none
elif [ "${1:-}" = --tls ]; then
    acl_only=1
    export RMQ_TLS_NAMESRV=${2:-${RMQ_TLS_NAMESRV:-}}
    set -- "$RMQ_TLS_NAMESRV"
    RMQ_C_TX=0
    RMQ_C_CONSUMER=none
fi
if [ $# -lt 1 ] || [ -z "$1" ]; then
    echo "usage: $0 NAMESRV [TOPIC] | $0 --acl [ACL_NAMESRV] | $0 --tls [TLS_NAMESRV]" >&2
    exit 2
fi
namesrv=$1
producer_topic=${2:-rmq_c_test}
misuse_topic=${2:-rmq_c_misc}
limit=${RMQ_C_TIMEOUT:-120}
cc=${CC:-gcc}

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(cd "$here/../.." && pwd)
lib=$repo/target/release
out=$repo/.build/c
mkdir -p "$out"

# the programs ask mqadmin for the broker's view (rb_admin in readback.c)
export RMQ_BROKERS_SH=${RMQ_BROKERS_SH:-$repo/scripts/brokers.sh}

start=$(date +%s.%N)
passed=0
failed=0

fail_line() { # message
    echo "FAIL run.sh: $*"
    failed=$((failed + 1))
}
skip_note() { # what was skipped and why
    echo "SKIPPED: $*"
    [ -z "${RMQ_TEST_SKIPS:-}" ] || echo "$*" >>"$RMQ_TEST_SKIPS"
}

if [ ! -f "$lib/librocketmq.so" ]; then
    echo "no $lib/librocketmq.so: run 'cargo build --release' first"
    echo "0 passed, 1 failed"
    exit 1
fi

# ---------------------------------------------------------------- build
cflags=(-std=c99 -Wall -Wextra -Werror -g -I "$repo/include")
ldflags=(-L "$lib" -lrocketmq "-Wl,-rpath,$lib" -lpthread)
programs="test_producer test_misuse test_consumer test_transaction test_schedule test_lifecycle"
[ $acl_only = 1 ] && programs=
[ -n "${RMQ_ACL_NAMESRV:-}" ] && programs="$programs test_acl"
for t in $programs; do
    if ! "$cc" "${cflags[@]}" "$here/$t.c" "$here/readback.c" -o "$out/$t" "${ldflags[@]}"; then
        echo "build of $t failed"
        echo "0 passed, 1 failed"
        exit 1
    fi
done

# ---------------------------------------------------------------- coverage of the misuse matrix
protos=$repo/tests/headers/prototypes.txt
if [ $acl_only = 1 ]; then
    :
elif [ -f "$protos" ]; then
    missing=()
    total=0
    while read -r name; do
        total=$((total + 1))
        grep -Eq "\\b$name\\(" "$here/test_misuse.c" || missing+=("$name")
    done < <(sed -E 's/\(.*//; s/.*[ *]([A-Za-z_][A-Za-z0-9_]*)$/\1/' "$protos" | grep -E '^[A-Za-z_]')
    if [ ${#missing[@]} -eq 0 ]; then
        echo "misuse matrix covers all $total exported functions"
        passed=$((passed + 1))
    else
        fail_line "test_misuse.c does not call: ${missing[*]}"
    fi
else
    fail_line "missing $protos"
fi

# ---------------------------------------------------------------- run (in parallel)
ns_tag=${namesrv//[^A-Za-z0-9]/_}
logs=$out/logs/$ns_tag
mkdir -p "$logs"
rm -f "$logs"/*.out "$logs"/*.rc
declare -A pids
run() { # name command...
    local name=$1
    shift
    (
        t0=$(date +%s.%N)
        timeout --kill-after=10 "$limit" "$@" >"$logs/$name.out" 2>&1
        rc=$?
        echo "$rc $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')" >"$logs/$name.rc"
    ) &
    pids[$name]=$!
}

# valgrind_on: the valgrind runs are wanted (RMQ_C_VALGRIND) and possible
valgrind_on() {
    [ "${RMQ_C_VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null
}
# memory errors and definite leaks fail a run; deep stacks for valgrind.supp's TLS entries
valgrind_full=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite -q --num-callers=40 --suppressions="$here/valgrind.supp")
if [ "${RMQ_C_VALGRIND:-1}" = 0 ]; then
    skip_note "the runs under valgrind: RMQ_C_VALGRIND=0"
elif ! command -v valgrind >/dev/null; then
    fail_line "valgrind not found (RMQ_C_VALGRIND=0 skips it)"
fi

names=()
# ACL (separate broker pair): needs its keys; started first, it overlaps with everything else
if [ -n "${RMQ_ACL_NAMESRV:-}" ]; then
    if [ -z "${RMQ_ACL_ACCESS_KEY:-}" ] || [ -z "${RMQ_ACL_SECRET_KEY:-}" ]; then
        fail_line "test_acl: RMQ_ACL_NAMESRV is set but RMQ_ACL_ACCESS_KEY / RMQ_ACL_SECRET_KEY are not"
    else
        [ -n "${RMQ_ACL_DENIED_TOPIC:-}" ] || skip_note "test_acl's denied-topic case: RMQ_ACL_DENIED_TOPIC not set"
        names+=(test_acl)
        acl_args=("$RMQ_ACL_NAMESRV" "${RMQ_ACL_C_TOPIC:-rmq_acl_c}" "${RMQ_ACL_TX_TOPIC:-rmq_acl_tx}")
        run test_acl "$out/test_acl" "${acl_args[@]}"
        if valgrind_on; then
            names+=(valgrind_test_acl)
            run valgrind_test_acl "${valgrind_full[@]}" "$out/test_acl" "${acl_args[@]}"
        fi
    fi
fi
if [ $acl_only = 0 ]; then
    [ "${RMQ_C_TX:-1}" = 0 ] && skip_note "test_transaction: RMQ_C_TX=0"
    names+=(test_producer test_misuse)
    run test_producer "$out/test_producer" "$namesrv" "$producer_topic"
    run test_misuse "$out/test_misuse" "$namesrv" "$misuse_topic"
    # nothing left behind: threads, fds and RSS over create/start/send/shutdown/destroy rounds
    names+=(test_lifecycle)
    run test_lifecycle "$out/test_lifecycle" "$namesrv" "$misuse_topic" "${RMQ_C_LIFECYCLE_ROUNDS:-1000}"
    # Delivery at a chosen time; the library log goes to its own directory, which the test reads.
    names+=(test_schedule)
    mkdir -p "$logs/schedule-log"
    run test_schedule "$out/test_schedule" "$namesrv" "$misuse_topic" "$logs/schedule-log/"
    if valgrind_on; then
        names+=(valgrind_test_misuse)
        run valgrind_test_misuse "${valgrind_full[@]}" "$out/test_misuse" "$namesrv" "$misuse_topic"
    fi
fi

# ---------------------------------------------------------------- transactions
# A fresh topic per run: the program's consumer group is new, and a fresh topic guarantees that
# nothing but this run's transactions can show up in it.
if [ "${RMQ_C_TX:-1}" != 0 ]; then
    tx_topic=${RMQ_C_TX_TOPIC:-rmq_ctx_$(date +%s)_$$}
    tx_ok=1
    if [ -z "${RMQ_C_TX_TOPIC:-}" ]; then
        t0=$(date +%s.%N)
        if "$repo/scripts/brokers.sh" topic "$tx_topic" 4 "$namesrv" >"$logs/topic-$tx_topic.log" 2>&1; then
            echo "created transaction topic $tx_topic ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)"
        else
            fail_line "test_transaction: scripts/brokers.sh topic $tx_topic 4 failed: $(tail -n 3 "$logs/topic-$tx_topic.log")"
            tx_ok=0
        fi
    fi
    if [ $tx_ok = 1 ]; then
        names+=(test_transaction)
        run test_transaction "$out/test_transaction" "$namesrv" "$tx_topic"
        if [ "${RMQ_C_VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; then
            names+=(valgrind_test_transaction)
            run valgrind_test_transaction env RMQ_CT_TIME_FACTOR=4 \
                valgrind --error-exitcode=99 --leak-check=no --errors-for-leak-kinds=none -q \
                --suppressions="$here/valgrind.supp" "$out/test_transaction" "$namesrv" "$tx_topic"
        fi
    fi
fi

# ---------------------------------------------------------------- push consumer scenarios
# Each scenario starts as soon as its topic exists; missing topics are created one after the
# other (brokers.sh serializes creations anyway) while the programs above already run.
consumer_home=$out/home-$ns_tag
rm -rf "$consumer_home"
mkdir -p "$consumer_home"
prefix=${RMQ_CT_TOPIC_PREFIX:-rmq_ct_}
export RMQ_CT_TOPIC_PREFIX=$prefix
all_scenarios=
[ $acl_only = 0 ] && all_scenarios=$("$out/test_consumer" "$namesrv" --topics | awk -v p="$prefix" '{ print substr($1, length(p) + 1) }')
scenarios=${RMQ_C_CONSUMER:-$all_scenarios}
[ "$scenarios" = none ] && scenarios=
if [ $acl_only = 0 ] && [ -n "${RMQ_C_CONSUMER:-}" ]; then
    not_run=$(grep -vxF -f <(tr ' ' '\n' <<<"$scenarios" | grep .) <<<"$all_scenarios" | tr '\n' ' ')
    [ -n "$not_run" ] && skip_note "consumer scenarios ${not_run% }: RMQ_C_CONSUMER=\"$RMQ_C_CONSUMER\""
fi
missing=
[ -n "$scenarios" ] && missing=$("$out/test_consumer" "$namesrv" --missing-topics)
created=()
for s in $scenarios; do
    if ! grep -qx "$s" <<<"$all_scenarios"; then
        fail_line "unknown consumer scenario $s (known: $(echo $all_scenarios))"
        continue
    fi
    topic=$prefix$s
    queues=$(awk -v t="$topic" '$1 == t { print $2 }' <<<"$missing")
    if [ -n "$queues" ]; then
        t0=$(date +%s.%N)
        if ! "$repo/scripts/brokers.sh" topic "$topic" "$queues" "$namesrv" >"$logs/topic-$topic.log" 2>&1; then
            fail_line "consumer_$s: scripts/brokers.sh topic $topic $queues failed: $(tail -n 3 "$logs/topic-$topic.log")"
            continue
        fi
        created+=("$topic ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s)")
    fi
    names+=("consumer_$s")
    run "consumer_$s" env HOME="$consumer_home" "$out/test_consumer" "$namesrv" "$s"
    if [ "${RMQ_C_VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null &&
        grep -qw "$s" <<<"${RMQ_C_VALGRIND_CONSUMER-basic retry shutdown selfstop destroy}"; then
        names+=("valgrind_consumer_$s")
        run "valgrind_consumer_$s" env HOME="$consumer_home" RMQ_CT_TIME_FACTOR=4 \
            valgrind --error-exitcode=99 --leak-check=no --errors-for-leak-kinds=none -q \
            --suppressions="$here/valgrind.supp" "$out/test_consumer" "$namesrv" "$s"
    fi
done
[ ${#created[@]} -gt 0 ] && echo "created consumer topics: ${created[*]}"

# ---------------------------------------------------------------- TLS (on request)
if [ -n "${RMQ_TLS_NAMESRV:-}" ]; then
    wrong_ca=${RMQ_TLS_WRONG_CA:-}
    if [ -z "${RMQ_TLS_CA:-}" ]; then
        fail_line "RMQ_TLS_NAMESRV is set but RMQ_TLS_CA (the CA of its servers) is not"
    elif ! "$cc" "${cflags[@]}" "$here/test_tls.c" -o "$out/test_tls" "${ldflags[@]}"; then
        fail_line "build of test_tls failed"
    elif [ -z "$wrong_ca" ] && ! bash "$repo/tests/tls/make-certs.sh" "$out/tls-certs" >"$logs/make-certs.log" 2>&1; then
        fail_line "tests/tls/make-certs.sh failed: $(tail -n 3 "$logs/make-certs.log")"
    else
        names+=(test_tls)
        tls_args=("$RMQ_TLS_NAMESRV" "${RMQ_TLS_TOPIC:-rmq_tls_c}" "$RMQ_TLS_CA" "${wrong_ca:-$out/tls-certs/other-ca.pem}")
        run test_tls "$out/test_tls" "${tls_args[@]}"
        if valgrind_on; then
            names+=(valgrind_test_tls)
            run valgrind_test_tls "${valgrind_full[@]}" "$out/test_tls" "${tls_args[@]}"
        fi
    fi
fi

for name in "${names[@]}"; do
    wait "${pids[$name]}"
done

for name in "${names[@]}"; do
    echo "== $name ($namesrv)"
    cat "$logs/$name.out"
    read -r rc secs <"$logs/$name.rc"
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/$name.out" | tail -n 1)
    if [ -z "$summary" ]; then
        fail_line "$name ended without a summary line (exit $rc; 124 = timeout)"
        continue
    fi
    p=${summary%% passed*}
    f=${summary#*passed, }
    f=${f%% failed}
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
        fail_line "$name ran no check (0 passed, 0 failed)"
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        fail_line "$name exited with $rc (99 = valgrind error, 124 = timeout) although all its checks passed"
    fi
    echo "-- $name: exit $rc in $secs s"
done

echo "total time $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
[ "$passed" -gt 0 ] || fail_line "no check ran"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
