#!/usr/bin/env bash
# Go benchmark: this project's Go binding (bindings/go, over librocketmq) and the pure Go client
# github.com/apache/rocketmq-client-go/v2 v2.1.1 on the same broker, one case after the other,
# each case in its own process:
#   sync1   synchronous sends of 1 KiB from one goroutine for SECONDS
#   sync8   the same from eight goroutines
#   push    a push consumer (new group, from the first offset) takes N messages put into a
#           fresh topic beforehand (by our producer, not measured)
# Prints one line per case: rate, client CPU per message (user+sys, getrusage), threads, errors,
# context switches of the process per message, voluntary and involuntary (getrusage).
#
#   bench/go/run.sh [NAMESRV]       (default $NAMESRV_4, else 127.0.0.1:9876)
# Env: SECONDS_PER_CASE (10), N (20000 messages for push), PREFIX (library prefix, default
#      .build/go-prefix, installed here with scripts/install.sh unless SKIP_INSTALL=1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
namesrv=${1:-${NAMESRV_4:-127.0.0.1:9876}}
prefix=${PREFIX:-$root/.build/go-prefix}
secs=${SECONDS_PER_CASE:-10}
n=${N:-20000}

[ "${SKIP_INSTALL:-0}" = 1 ] || "$root/scripts/install.sh" "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig" LD_LIBRARY_PATH="$prefix/lib"
export ROCKETMQ_GO_LOG_LEVEL=error
bin=$(mktemp -d)/gobench
trap 'rm -rf "$(dirname "$bin")"' EXIT
(cd "$here" && go build -o "$bin" .)

stamp=$(date +%s)
send_topic=bench_go_send_$stamp
push_topic=bench_go_push_$stamp
"$root/scripts/brokers.sh" topic "$send_topic" 8 "$namesrv" >/dev/null
"$root/scripts/brokers.sh" topic "$push_topic" 8 "$namesrv" >/dev/null

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), name server $namesrv, commit $(git -C "$root" rev-parse --short HEAD)"
for c in sync1 sync8; do
    for client in ours v2; do
        "$bin" -client "$client" -case "$c" -namesrv "$namesrv" -topic "$send_topic" -seconds "$secs"
    done
done
"$bin" -client ours -case fill -namesrv "$namesrv" -topic "$push_topic" -n "$n" >/dev/null
for client in ours v2; do
    "$bin" -client "$client" -case push -namesrv "$namesrv" -topic "$push_topic" -n "$n"
done
