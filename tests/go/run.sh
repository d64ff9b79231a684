#!/usr/bin/env bash
# Go tests: the unchanged cgo client github.com/apache/rocketmq-client-go v1.2.4 (package core)
# against the installed librocketmq.
#
#   tests/go/run.sh NAMESRV [COUNT]        e.g. tests/go/run.sh 127.0.0.1:9876
#
# Env: PREFIX (where scripts/install.sh put the library and headers, default /usr/local),
#      RMQ_GO_TOPIC (default rmq_go_test; must exist or be auto-creatable), RMQ_GO_TIMEOUT (s, 30).
# Builds producer, reader and check into .build/go, sends, reads the topic back from offset 0 and
# compares by key. The last line is "N passed, M failed"; exit status 0 only if M == 0.
set -uo pipefail

if [ $# -lt 1 ] || [ -z "$1" ]; then
    echo "usage: $0 NAMESRV [COUNT]" >&2
    exit 2
fi
namesrv=$1
count=${2:-10}
topic=${RMQ_GO_TOPIC:-rmq_go_test}
timeout=${RMQ_GO_TIMEOUT:-30}
prefix=${PREFIX:-/usr/local}

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=$repo/.build/go
mkdir -p "$bin"

# core's own #cgo lines are `-L/usr/local/lib -lrocketmq` and `#include <rocketmq/C*.h>`; the
# environment flags come first on the command line, so PREFIX wins over /usr/local.
export CGO_ENABLED=1
export CGO_CFLAGS="-I$prefix/include ${CGO_CFLAGS:-}"
export CGO_LDFLAGS="-L$prefix/lib -Wl,-rpath,$prefix/lib ${CGO_LDFLAGS:-}"

cd "$here"
if ! go mod download; then
    echo "go mod download failed"
    echo "0 passed, 1 failed"
    exit 1
fi
if ! go build -o "$bin/" ./producer ./reader ./check; then
    echo "build failed (library and headers installed under $prefix? run 'make install')"
    echo "0 passed, 1 failed"
    exit 1
fi

run_id="$(date +%s)-$$"
sent=$bin/sent.jsonl
read=$bin/read.jsonl

echo "== producer -> $namesrv topic $topic (run $run_id)"
"$bin/producer" -n "$namesrv" -t "$topic" -c "$count" -runid "$run_id" >"$sent"
prc=$?
cat "$sent"
if [ ! -s "$sent" ]; then
    echo "producer sent nothing (exit $prc)"
    echo "0 passed, 1 failed"
    exit 1
fi

# Sync sends are stored when they return, but the broker builds its consume queues asynchronously
# and oneway has no acknowledgement: re-read until everything is there or the deadline passes.
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
echo "== check ($(grep -c '"kind":"message"' "$read") messages in $topic)"
"$bin/check" -sent "$sent" -read "$read"
crc=$?
if [ $prc -ne 0 ] && [ $crc -eq 0 ]; then
    echo "producer exited with $prc"
    exit 1
fi
exit $crc
