#!/usr/bin/env bash
# Message trace against a real broker (started with traceTopicEnable=true by scripts/brokers.sh).
#
#   tests/trace/run.sh NAMESRV          e.g. tests/trace/run.sh 127.0.0.1:9876
#
# 1. trace_clients.c (our library, trace on) sends one message of every kind (sync, async,
#    oneway, batch, orderly, transaction commit and rollback), consumes them with a traced push
#    consumer (one message fails once), and does the same with trace off (another producer group
#    and consumer group); see its header.
# 2. `mqadmin queryMsgTraceById -i <id>` for every id, all in one JVM per round, repeated until
#    every expected row is there or the deadline passes (the broker indexes keys asynchronously):
#    Pub rows of the producer groups, Sub rows of the traced consumer group (failed, then success
#    for the message that failed once), nothing of the untraced groups (check.py admin).
# 3. The Java 4.9.8 client's decoder (tests/java, compat.TraceRecords) reads every trace message
#    keyed by those ids: every record decodes, with the right fields (check.py decoded).
# The last line is "N passed, M failed"; exit 0 only if M == 0 and N > 0.
#
# Needs: target/release/librocketmq.so, gcc, java 17, mvn (tests/java), python3, the brokers of
# scripts/brokers.sh. Env: TRACE_DEADLINE (s, default 90; one mqadmin round takes 5-25 s on a busy machine), CC (default gcc),
# JAVA_COMPAT_MVN_ARGS (extra mvn arguments, e.g. -o). Outputs in .build/trace/run-<port>/.
set -uo pipefail

if [ $# -lt 1 ] || [ -z "$1" ]; then
    echo "usage: $0 NAMESRV" >&2
    exit 2
fi
namesrv=$1
deadline=${TRACE_DEADLINE:-90}
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(cd "$here/../.." && pwd)
lib=$repo/target/release
out=$repo/.build/trace/run-${namesrv##*:}
say() { echo "[trace $(date +%T)] $*"; }
die() {
    echo "FAIL run.sh: $*"
    echo "0 passed, 1 failed"
    exit 1
}
rm -rf "$out"
mkdir -p "$out/home"
[ -f "$lib/librocketmq.so" ] || die "no $lib/librocketmq.so: run 'cargo build --release' first"

stamp=$(date +%s)_$$
topic=rmq_trace_$stamp
prefix=trace_$stamp
custom_trace_topic=rmq_trace_custom_$stamp
{ "$repo/scripts/brokers.sh" topic "$topic" 4 "$namesrv" &&
  "$repo/scripts/brokers.sh" topic "$custom_trace_topic" 1 "$namesrv"; } >"$out/topic.log" 2>&1 &
topic_pid=$!
# shellcheck disable=SC2086
(cd "$repo/tests/java" && mvn -B -q ${JAVA_COMPAT_MVN_ARGS:-} package) >"$out/mvn.log" 2>&1 &
mvn_pid=$!
"${CC:-gcc}" -std=c99 -Wall -Wextra -Werror -O1 -g -I "$repo/include/rocketmq" "$here/trace_clients.c" -o "$out/trace_clients" \
    -L "$lib" -lrocketmq "-Wl,-rpath,$lib" -lpthread || die "build of trace_clients.c failed"
wait "$topic_pid" || { cat "$out/topic.log"; die "topic creation failed"; }

say "clients: trace on and off, topic $topic"
HOME=$out/home timeout -k 5 120 "$out/trace_clients" "$namesrv" "$topic" "$prefix" "$custom_trace_topic" \
    >"$out/clients.txt" 2>"$out/clients.err"
clients_rc=$?
sed 's/^/  /' "$out/clients.txt"
grep '^FAIL ' "$out/clients.err" | sed 's/^/  /'
clients_summary=$(tail -n 1 "$out/clients.txt")
[[ "$clients_summary" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]] || die "trace_clients ended without a summary (exit $clients_rc)"
passed=${BASH_REMATCH[1]}
failed=${BASH_REMATCH[2]}
[ "$clients_rc" = 0 ] || [ "$failed" -gt 0 ] || failed=$((failed + 1))

mapfile -t ids < <(awk 'NF == 2 && $2 ~ /^[0-9A-F,]+$/ && length($2) >= 32 { print $2 }' "$out/clients.txt" | sort -u)
[ "${#ids[@]}" -ge 10 ] || die "trace_clients printed ${#ids[@]} ids"

# ---- mqadmin, polled: one JVM per round for all ids
say "mqadmin queryMsgTraceById for ${#ids[@]} ids (deadline ${deadline} s)"
end=$((SECONDS + deadline))
round=0
while :; do
    round=$((round + 1))
    printf 'queryMsgTraceById -i %s\n' "${ids[@]}" | "$repo/scripts/brokers.sh" admin "$namesrv" --batch >"$out/admin.txt" 2>&1
    if python3 "$here/check.py" --quiet admin "$out/clients.txt" "$out/admin.txt" "$prefix" || [ $SECONDS -ge $end ]; then
        break
    fi
    sleep 1
done
say "mqadmin: $round round(s)"
python3 "$here/check.py" admin "$out/clients.txt" "$out/admin.txt" "$prefix" >"$out/check_admin.txt"
sed 's/^/  /' "$out/check_admin.txt"

# ---- the Java decoder on the same trace messages (indexed by now)
wait "$mvn_pid" || { cat "$out/mvn.log"; die "mvn package (tests/java) failed"; }
java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "-Duser.home=$out/home" "-Drocketmq.client.logRoot=$out/home/logs" \
    -cp "$repo/tests/java/target/rocketmq-java-compat.jar:$repo/tests/java/target/lib/*" \
    compat.TraceRecords "$namesrv" RMQ_SYS_TRACE_TOPIC "${ids[@]}" >"$out/decoded.jsonl" 2>"$out/decoded.err"
python3 "$here/check.py" decoded "$out/clients.txt" "$out/decoded.jsonl" "$prefix" >"$out/check_decoded.txt"
sed 's/^/  /' "$out/check_decoded.txt"

# ---- the producer that named its own trace topic: its Pub record is there, decodable
custom_id=$(awk '$1 == "custom-trace-topic" { print $3 }' "$out/clients.txt")
if [ -n "$custom_id" ]; then
    java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "-Duser.home=$out/home" "-Drocketmq.client.logRoot=$out/home/logs" \
        -cp "$repo/tests/java/target/rocketmq-java-compat.jar:$repo/tests/java/target/lib/*" \
        compat.TraceRecords "$namesrv" "$custom_trace_topic" "$custom_id" >"$out/decoded_custom.jsonl" 2>"$out/decoded_custom.err"
    if grep -q "\"type\":\"Pub\".*\"$custom_id\"\|\"$custom_id\".*\"type\":\"Pub\"" "$out/decoded_custom.jsonl"; then
        echo "  ok: the Pub record of $custom_id is in the custom trace topic $custom_trace_topic"
        passed=$((passed + 1))
    else
        echo "  FAIL: no Pub record of $custom_id in the custom trace topic $custom_trace_topic"
        failed=$((failed + 1))
    fi
else
    echo "  FAIL: trace_clients printed no custom-trace-topic line"
    failed=$((failed + 1))
fi

for f in "$out/check_admin.txt" "$out/check_decoded.txt"; do
    if [[ "$(tail -n 1 "$f")" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
    else
        failed=$((failed + 1))
    fi
done
say "done against $namesrv; outputs in $out"
if [ "$passed" -eq 0 ]; then
    echo "FAIL run.sh: no check ran"
    failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
