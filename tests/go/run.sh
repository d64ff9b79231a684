#!/usr/bin/env bash
# Go tests: the unchanged cgo client github.com/apache/rocketmq-client-go v1.2.4 (package core)
# against the installed librocketmq.
#
#   tests/go/run.sh NAMESRV [COUNT]        e.g. tests/go/run.sh 127.0.0.1:9876
#
# Env: PREFIX (where scripts/install.sh put the library and headers, default /usr/local),
#      RMQ_GO_TOPIC (default: a fresh topic rmq_go_<run id>, created here with
#      `scripts/brokers.sh topic NAME 4 NAMESRV`; RMQ_BROKERS_SH overrides the script), RMQ_GO_TIMEOUT (s, 60),
#      RMQ_GO_TX=0 skips the transaction part (5.), RMQ_GO_TX_TOPIC (default: a fresh topic
#      rmq_gotx_<run id>, created here like the main one).
#
# Runs the unit tests of the helpers (`go test ./...`, e.g. internal/record), builds producer,
# reader, pushconsumer, check, txproducer and txcheck into .build/go, then:
#   0. starts txproducer in the background on its own fresh topic (it spends most of its ~10 s
#      waiting for the broker's check-backs, so it overlaps 1.-4.);
#   1. starts two push consumers (core.NewPushConsumer, own groups): concurrently and orderly; each
#      rejects one message once (ReConsumeLater), which must come back with reconsume times 1;
#   2. sends (producer: sync, orderly with a selector, oneway, sharding key);
#   3. pull check: reads the topic back from offset 0 with core.NewPullConsumer (reader) and
#      compares by key;
#   4. push checks: what each push consumer received, compared by key with what was sent and by
#      message id with the pulled copy; the orderly one also for per-queue order;
#   5. transactions (core.NewTransactionProducer + TransactionLocalListener): commit, rollback and
#      unknown -> checked back -> commit; txproducer's own checks (Execute / Check saw the message as
#      sent, every unknown one was checked back), then the transaction topic is read back from
#      offset 0 (reader) and txcheck compares: committed ones present (once per COMMIT the broker
#      got), rolled back ones absent, nothing else there.
# The last line is "N passed, M failed" over all checks (each unit test counts as one); exit
# status 0 only if M == 0 and N > 0. RMQ_GO_TX=0 is printed, and appended to the file named by
# RMQ_TEST_SKIPS (scripts/test-all.sh's summary).
set -uo pipefail

if [ $# -lt 1 ] || [ -z "$1" ]; then
    echo "usage: $0 NAMESRV [COUNT]" >&2
    exit 2
fi
namesrv=$1
count=${2:-10}
timeout=${RMQ_GO_TIMEOUT:-60}
prefix=${PREFIX:-/usr/local}

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(cd "$here/../.." && pwd)
brokers_sh=${RMQ_BROKERS_SH:-$repo/scripts/brokers.sh}
bin=$repo/.build/go
mkdir -p "$bin"

passed=0
failed=0
finish() {
    if [ "$passed" -eq 0 ]; then
        echo "FAIL no check ran"
        failed=$((failed + 1))
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}
# add_counts OUTPUT: take the "N passed, M failed" line of a check run into the totals and print
# the rest of its output.
add_counts() {
    local out=$1 line
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    printf '%s\n' "$out" | grep -vE '^[0-9]+ passed, [0-9]+ failed$'
    if [ -z "$line" ]; then
        echo "FAIL (the check printed no result line)"
        failed=$((failed + 1))
        return
    fi
    passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
    failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}

# core's own #cgo lines are `-L/usr/local/lib -lrocketmq` and `#include <rocketmq/C*.h>`; the
# environment flags come first on the command line, so PREFIX wins over /usr/local.
export CGO_ENABLED=1
export CGO_CFLAGS="-I$prefix/include ${CGO_CFLAGS:-}"
export CGO_LDFLAGS="-L$prefix/lib -Wl,-rpath,$prefix/lib ${CGO_LDFLAGS:-}"

cd "$here"
if ! go mod download; then
    echo "go mod download failed"
    failed=1; finish
fi
if ! go build -o "$bin/" ./producer ./reader ./pushconsumer ./check ./txproducer ./txcheck; then
    echo "build failed (library and headers installed under $prefix? run 'make install')"
    failed=1; finish
fi
out=$(go test -count=1 -v ./... 2>&1)
grc=$?
printf '%s\n' "$out" | grep -E -e '--- (PASS|FAIL|SKIP)' -e '^(ok|FAIL)[[:space:]]'
units=$(printf '%s\n' "$out" | grep -c -- '--- PASS')
unit_fails=$(printf '%s\n' "$out" | grep -c -e '--- FAIL' -e '^FAIL[[:space:]]')
echo "== go test ./...: $units passed, exit $grc"
passed=$((passed + units))
failed=$((failed + unit_fails))
if [ "$units" -eq 0 ] || { [ "$grc" -ne 0 ] && [ "$unit_fails" -eq 0 ]; }; then
    printf '%s\n' "$out" | tail -n 20
    echo "FAIL go test ./... (exit $grc, $units tests passed)"
    failed=$((failed + 1))
fi

run_id="$(date +%s)-$$"
topic=${RMQ_GO_TOPIC:-rmq_go_$(date +%s)_$$}
sent=$bin/sent.jsonl
read=$bin/read.jsonl
signal=$bin/sent.done
rm -f "$sent" "$read" "$signal" "$bin"/push-*.jsonl "$bin"/push-*.err "$bin"/push-*.ready
tx_out=$bin/tx.jsonl
tx_log=$bin/txproducer.out
tx_read=$bin/tx-read.jsonl
rm -f "$tx_out" "$tx_log" "$tx_read"

t0=$SECONDS
if ! out=$("$brokers_sh" topic "$topic" 4 "$namesrv" 2>&1); then
    printf '%s\n' "$out"
    echo "FAIL cannot create topic $topic"
    failed=1; finish
fi
echo "== topic $topic ready ($((SECONDS - t0)) s)"

# 0. Transactions, in the background on their own fresh topic.
tx_pid=
if [ "${RMQ_GO_TX:-1}" = 0 ]; then
    echo "SKIPPED: the transaction part (5.): RMQ_GO_TX=0"
    [ -z "${RMQ_TEST_SKIPS:-}" ] || echo "the transaction part (5.): RMQ_GO_TX=0" >>"$RMQ_TEST_SKIPS"
else
    tx_topic=${RMQ_GO_TX_TOPIC:-rmq_gotx_$(date +%s)_$$}
    t0=$SECONDS
    if [ -n "${RMQ_GO_TX_TOPIC:-}" ] || out=$("$brokers_sh" topic "$tx_topic" 4 "$namesrv" 2>&1); then
        echo "== transaction topic $tx_topic ready ($((SECONDS - t0)) s)"
        tx_t0=$SECONDS
        "$bin/txproducer" -n "$namesrv" -t "$tx_topic" -out "$tx_out" -runid "$run_id" \
            -timeout "${timeout}s" >"$tx_log" 2>&1 &
        tx_pid=$!
    else
        printf '%s\n' "$out"
        echo "FAIL cannot create the transaction topic $tx_topic"
        failed=$((failed + 1))
    fi
fi

# 1. Push consumers first (they own their queues when Start returns), waiting for the signal.
declare -A push_pid reject_key
for model in concurrently orderly; do
    case $model in
        concurrently) reject_key[$model]="go-$run_id-0" ;;
        orderly) reject_key[$model]="go-$run_id-1" ;;
    esac
    "$bin/pushconsumer" -n "$namesrv" -t "$topic" -g "go_push_${model}_$run_id" -model "$model" \
        -expect "$sent" -go "$signal" -ready "$bin/push-$model.ready" -reject "${reject_key[$model]}" \
        -timeout "${timeout}s" >"$bin/push-$model.jsonl" 2>"$bin/push-$model.err" &
    push_pid[$model]=$!
done
deadline=$((SECONDS + timeout))
for model in concurrently orderly; do
    while [ ! -e "$bin/push-$model.ready" ] && kill -0 "${push_pid[$model]}" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
        sleep 0.1
    done
    [ -e "$bin/push-$model.ready" ] || echo "push consumer ($model) did not start: $(tail -c 2000 "$bin/push-$model.err")"
done

# 2. Send.
echo "== producer -> $namesrv topic $topic (run $run_id)"
"$bin/producer" -n "$namesrv" -t "$topic" -c "$count" -runid "$run_id" >"$sent"
prc=$?
touch "$signal"
cat "$sent"
if [ ! -s "$sent" ]; then
    echo "producer sent nothing (exit $prc)"
    failed=$((failed + 1))
fi
if [ $prc -ne 0 ]; then
    echo "FAIL producer exited with $prc"
    failed=$((failed + 1))
fi

# 3. Pull check. Sync sends are stored when they return, but the broker builds its consume queues
# asynchronously and oneway has no acknowledgement: re-read until everything is there or the
# deadline passes.
t0=$SECONDS
deadline=$((SECONDS + timeout))
while :; do
    "$bin/reader" -n "$namesrv" -t "$topic" >"$read"
    rrc=$?
    if [ $rrc -eq 0 ] && "$bin/check" -q -sent "$sent" -read "$read"; then
        break
    fi
    [ $SECONDS -ge $deadline ] && break
    sleep 1
done
[ $rrc -eq 0 ] || echo "reader exited with $rrc"
echo "== pull check ($(grep -c '"kind":"message"' "$read") messages in $topic, $((SECONDS - t0)) s)"
add_counts "$("$bin/check" -sent "$sent" -read "$read")"

# 4. Push checks: each consumer stops by itself once everything arrived (or after its timeout).
for model in concurrently orderly; do
    pid=${push_pid[$model]}
    deadline=$((SECONDS + timeout + 30))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "FAIL push consumer ($model) still running after its deadline; killing pid $pid"
        kill -9 "$pid" 2>/dev/null
        failed=$((failed + 1))
    fi
    wait "$pid"
    prc=$?
    echo "== push check ($model consumer, exit $prc)"
    if [ $prc -gt 1 ]; then
        echo "FAIL push consumer ($model) exit status $prc (signal $((prc > 128 ? prc - 128 : 0)))"
        tail -c 3000 "$bin/push-$model.err"
        failed=$((failed + 1))
    fi
    add_counts "$("$bin/check" -sent "$sent" -push "$bin/push-$model.jsonl" -read "$read" -reject "${reject_key[$model]}")"
done

# 5. Transactions: txproducer ends by itself (check-back deadline RMQ_GO_TIMEOUT + a 6 s quiet
# window); then the topic is read back until txcheck is satisfied or the deadline passes.
if [ -n "$tx_pid" ]; then
    deadline=$((SECONDS + timeout + 60))
    while kill -0 "$tx_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
        sleep 0.2
    done
    if kill -0 "$tx_pid" 2>/dev/null; then
        echo "FAIL txproducer still running after its deadline; killing pid $tx_pid"
        kill -9 "$tx_pid" 2>/dev/null
        failed=$((failed + 1))
    fi
    wait "$tx_pid"
    trc=$?
    echo "== txproducer -> $namesrv topic $tx_topic (exit $trc, $((SECONDS - tx_t0)) s)"
    add_counts "$(cat "$tx_log")"
    if [ $trc -gt 1 ]; then
        echo "FAIL txproducer exit status $trc"
        failed=$((failed + 1))
    fi
    if [ -s "$tx_out" ]; then
        t0=$SECONDS
        deadline=$((SECONDS + timeout))
        while :; do
            "$bin/reader" -n "$namesrv" -t "$tx_topic" >"$tx_read"
            rrc=$?
            if [ $rrc -eq 0 ] && "$bin/txcheck" -q -tx "$tx_out" -read "$tx_read"; then
                break
            fi
            [ $SECONDS -ge $deadline ] && break
            sleep 1
        done
        [ $rrc -eq 0 ] || echo "reader exited with $rrc"
        echo "== transaction check ($(grep -c '"kind":"message"' "$tx_read") messages in $tx_topic, $((SECONDS - t0)) s)"
        add_counts "$("$bin/txcheck" -tx "$tx_out" -read "$tx_read")"
    else
        echo "FAIL txproducer wrote no transactions"
        failed=$((failed + 1))
    fi
fi

finish
