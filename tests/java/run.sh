#!/usr/bin/env bash
# Compatibility with the official Java client 4.9.8, through a real broker.
#
#   tests/java/run.sh NAMESRV            e.g. tests/java/run.sh 127.0.0.1:9876
#
# (a) Java -> ours: JavaProducer (rocketmq-client 4.9.8) sends messages of every kind (keys, tags,
#     non-ASCII user properties and tag, a 10 KiB body the Java producer compresses (zlib, sysflag
#     0x301), exactly 4095/4096 bytes, binary bodies with NUL bytes) to a fresh topic; our library
#     consumes them with c_consumer.c four times: push consumer (Subscribe "*"), the same with
#     RegisterMessageCallbackOrderly, pull consumer (FetchSubscriptionMessageQueues + Pull), and
#     push consumer with "TagA || TagBin" (only those may arrive). Java also sends a batch and
#     LZ4/ZSTD-compressed bodies. Every field must equal what was sent and the Java SendResult
#     (msgId = UNIQ_KEY, queue id, queue offset); timestamps, hosts, store size and commit log
#     offset must equal what the Java consumer reads for the same message.
# (b) ours -> Java: c_producer.c sends the same kinds with our library (SendMessageSync, then
#     SendMessageOrderly to a known queue, then a SendBatchMessage of 3) to another fresh topic;
#     a Java 4.9.8
#     DefaultMQPushConsumer receives them: MessageExt.getMsgId() must equal CSendResult.msgId, and
#     keys, tags, body bytes, user properties, queue id/offset and the sysflag (0x1 exactly when
#     the body is >= 4096 bytes) must match; then a delay level and a flag, a sharding key (two
#     messages, one queue, __SHARDINGKEY) and a committed transaction (PGROUP), and for every
#     message the flag and the born timestamp (within the send's window). The same JVM also reads
#     topic (a): a control of the Java client against itself.
# compare.py does the field-by-field comparison; the last line is "N passed, M failed" (exit 1 if
# M > 0, or if N == 0). Outputs (JSON lines, logs) stay in tests/java/target/run-<port>/.
#
# Needs: target/release/librocketmq.so (cargo build --release), java 17, mvn, gcc, python3, the
# brokers of scripts/brokers.sh (fresh topics are created with `scripts/brokers.sh topic`).
# Env: JAVA_COMPAT_DEADLINE (s, per consumer, default 60), CC (default gcc),
#      JAVA_COMPAT_MVN_ARGS (extra mvn arguments, e.g. -o).
set -uo pipefail

if [ $# -lt 1 ] || [ -z "$1" ]; then
    echo "usage: $0 NAMESRV" >&2
    exit 2
fi
namesrv=$1
deadline=${JAVA_COMPAT_DEADLINE:-60}
cc=${CC:-gcc}

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(cd "$here/../.." && pwd)
lib=$repo/target/release
out=$here/target/run-${namesrv##*:}
t0=$(date +%s.%N)
elapsed() { python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$(date +%s.%N)"; }
say() { echo "[java-compat $(elapsed)s] $*"; }
die() { # message: a failure that stops the run
    echo "FAIL run.sh: $*"
    echo "0 passed, 1 failed"
    exit 1
}

rm -rf "$out"
mkdir -p "$out/home" "$out/clog" "$out/bin"
[ -f "$lib/librocketmq.so" ] || die "no $lib/librocketmq.so: run 'cargo build --release' first"

stamp=$(date +%s)_$$
topic_a=jc_j2c_$stamp # Java -> ours
topic_b=jc_c2j_$stamp # ours -> Java
queues=4

# ---------------------------------------------------------------- topics (in the background) + build
(
    "$repo/scripts/brokers.sh" topic "$topic_a" "$queues" "$namesrv" &&
        "$repo/scripts/brokers.sh" topic "$topic_b" "$queues" "$namesrv"
) >"$out/topics.log" 2>&1 &
topics_pid=$!

# shellcheck disable=SC2086
(cd "$here" && mvn -B -q ${JAVA_COMPAT_MVN_ARGS:-} package) >"$out/mvn.log" 2>&1 \
    || { cat "$out/mvn.log"; die "mvn package failed"; }
cflags=(-std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O1 -g -I "$repo/include")
ldflags=(-L "$lib" -lrocketmq "-Wl,-rpath,$lib" -lpthread)
for p in c_producer c_consumer; do
    "$cc" "${cflags[@]}" "$here/$p.c" -o "$out/bin/$p" "${ldflags[@]}" || die "build of $p.c failed"
done
say "built (mvn, gcc)"
wait "$topics_pid" || { cat "$out/topics.log"; die "topic creation failed"; }
say "topics $topic_a, $topic_b ($queues queues) created"

# Everything the JVMs and the library write goes below $out (no ~/logs).
export HOME=$out/home COMPAT_LOG_DIR=$out/clog
java_cmd=(java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "-Duser.home=$out/home"
    "-Drocketmq.client.logRoot=$out/home/logs" -Drocketmq.client.logLevel=INFO
    -cp "$here/target/rocketmq-java-compat.jar:$here/target/lib/*")
exits=()
run_bg() { # name command...: runs in the background (killed after deadline + 30 s), stdout to $out/name.jsonl
    local name=$1
    shift
    timeout -k 5 $((deadline + 30)) "$@" >"$out/$name.jsonl" 2>"$out/$name.err" &
    pids+=("$!")
    names+=("$name")
}
wait_all() {
    local i
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}"
        exits+=("${names[$i]}=$?")
    done
    pids=()
    names=()
}

# ---------------------------------------------------------------- producers
pids=()
names=()
run_bg java_producer "${java_cmd[@]}" compat.JavaProducer "$namesrv" "$topic_a" "jc_jp_$stamp" "$stamp"
run_bg c_producer "$out/bin/c_producer" "$namesrv" "$topic_b" "jc_cp_$stamp" "$stamp" "$queues"
wait_all
say "sent: $(wc -l <"$out/java_producer.jsonl") by Java to $topic_a, $(wc -l <"$out/c_producer.jsonl") by ours to $topic_b"

# ---------------------------------------------------------------- consumers
mapfile -t prop_keys < <(python3 "$here/compare.py" keys "$out/java_producer.jsonl")
filter="TagA || TagBin"
n_a=$(python3 "$here/compare.py" count "$out/java_producer.jsonl" "*")
n_a_filter=$(python3 "$here/compare.py" count "$out/java_producer.jsonl" "$filter")
n_b=$(python3 "$here/compare.py" count "$out/c_producer.jsonl" "*")
run_bg ours_push "$out/bin/c_consumer" push "$namesrv" "$topic_a" "jc_push_$stamp" "$n_a" "$deadline" "*" 1000 "${prop_keys[@]}"
run_bg ours_push_orderly "$out/bin/c_consumer" push-orderly "$namesrv" "$topic_a" "jc_pusho_$stamp" "$n_a" "$deadline" "*" 1000 \
    "${prop_keys[@]}"
run_bg ours_pull "$out/bin/c_consumer" pull "$namesrv" "$topic_a" "jc_pull_$stamp" "$n_a" "$deadline" "*" 0 "${prop_keys[@]}"
run_bg ours_push_filter "$out/bin/c_consumer" push "$namesrv" "$topic_a" "jc_pushf_$stamp" "$n_a_filter" "$deadline" \
    "$filter" 1500 "${prop_keys[@]}"
run_bg java_consumer "${java_cmd[@]}" compat.JavaConsumer "$namesrv" "$topic_b,$topic_a" "jc_jc_$stamp" \
    $((n_b + n_a)) "$deadline" "*" 1000
wait_all
say "consumed: $(for n in ours_push ours_push_orderly ours_pull ours_push_filter java_consumer; do printf '%s %s  ' "$n" "$(wc -l <"$out/$n.jsonl")"; done)"

# ---------------------------------------------------------------- compare
grep -h "" "$out"/*.err 2>/dev/null | sed 's/^/  stderr: /' | head -20
python3 "$here/compare.py" check --expr "ours-push-filter=$filter" --reference java-control "$out/java_producer.jsonl" \
    "ours-push=$out/ours_push.jsonl" "ours-push-orderly=$out/ours_push_orderly.jsonl" "ours-pull=$out/ours_pull.jsonl" \
    "ours-push-filter=$out/ours_push_filter.jsonl" "java-control=$out/java_consumer.jsonl" >"$out/check_a.txt"
python3 "$here/compare.py" check "$out/c_producer.jsonl" "java-push=$out/java_consumer.jsonl" >"$out/check_b.txt"
echo "== (a) Java 4.9.8 producer -> our consumers ($topic_a)"
sed '$d' "$out/check_a.txt"
echo "== (b) our producer -> Java 4.9.8 push consumer ($topic_b)"
sed '$d' "$out/check_b.txt"

passed=0
failed=0
for f in "$out/check_a.txt" "$out/check_b.txt"; do
    last=$(tail -n 1 "$f")
    if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
    else
        echo "FAIL compare.py on $f: no summary line"
        failed=$((failed + 1))
    fi
done
for e in "${exits[@]}"; do
    if [ "${e##*=}" = 0 ]; then
        passed=$((passed + 1))
    else
        echo "FAIL process ${e%=*} exited ${e##*=} (see $out/${e%=*}.err)"
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
