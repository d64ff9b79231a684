#!/usr/bin/env bash
# Producer and consumer benchmarks: our librocketmq.so against the sink broker and a real broker.
#
#   1. builds the library (cargo build --release), the sink (bench/sink) and the
#      C programs (bench/loopback_rtt.c, bench/producer_bench.c);
#   2. starts rmq-sink (name server + broker on one port that acknowledges
#      everything), measures the raw loopback round trip (loopback_rtt against
#      the sink and against an in-process echo), then runs producer_bench
#      against the sink: sync and async, 1 and 8 threads, 1 KiB bodies;
#   3. runs the same four cases against the real Apache broker (v4 line,
#      scripts/brokers.sh), starting it if it is not running and stopping it
#      again afterwards;
#   4. consumer (BENCH_CONSUMER=0 skips it): a second rmq-sink with --pull-backlog (an endless
#      backlog of BENCH_SIZE-byte messages in every queue) and bench/consumer_bench.c on it
#      (2 consume threads, then 1; the Java consumer too, with 2); against the real broker, a
#      fresh topic gets a backlog of 100k messages (producer_bench, async) that fresh groups
#      drain: ours, then the Java 4.9.8 push consumer (bench/java, built with mvn; skipped
#      without mvn/java);
#   5. prints a summary table; logs and BENCH_JSON lines go to
#      bench/target/results/<timestamp>/.
#
# With BENCH_BASELINE_LIB_DIR, every producer and consumer case of ours is followed by the
# same program linked against that librocketmq.so (e.g. the original 2.2.0).
#
# Environment:
#   BENCH_TASKSET=1      pin the sink to CPU 1 and every client to CPU 0;
#                =same   pin both to CPU 0; =S:C  sink to CPU list S, clients to C
#                        (default: no pinning; placement changes loopback RTT ~3x)
#   BENCH_SCALE=F        multiply all message counts (default 1; 0.1 = smoke run)
#   BENCH_SIZE=N         body bytes (default 1024)
#   BENCH_BROKER=auto|0  auto (default): benchmark the real broker too; 0: sink only
#   BENCH_LIB_DIR=DIR    directory holding the librocketmq.so to benchmark
#                        (default target/release; e.g. the original 2.2.0 build)
#   BENCH_NO_BUILD=1     do not run cargo build for the library
#   BENCH_SINK_PORT=N    sink port (default 29876)
#   BENCH_TIMEOUT=S      per-run timeout in seconds (default 300)
#   BENCH_BROKERS_SH=P   broker control script (default scripts/brokers.sh)
#   BENCH_BASELINE_LIB_DIR=DIR  also run every case with the librocketmq.so in DIR
#   BENCH_BASELINE_LABEL=L      its name in the summary (default baseline)
#   BENCH_PRODUCER=0     skip the loopback and producer cases
#   BENCH_CONSUMER=0     skip the consumer cases
#   BENCH_JAVA=0         skip the Java 4.9.8 consumer (default: run it when mvn and java exist)
#   BENCH_MVN_ARGS=...   extra mvn arguments for building bench/java (e.g. -o)
#   BENCH_JAVA_OPTS=...  JVM options of the Java consumer (default -Xmx512m)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

SIZE=${BENCH_SIZE:-1024}
SCALE=${BENCH_SCALE:-1}
PORT=${BENCH_SINK_PORT:-29876}
RUN_TIMEOUT=${BENCH_TIMEOUT:-300}
LIB_DIR=$(cd "${BENCH_LIB_DIR:-target/release}" 2>/dev/null && pwd || echo "$ROOT/${BENCH_LIB_DIR:-target/release}")
BIN=bench/target
BROKERS=${BENCH_BROKERS_SH:-scripts/brokers.sh}
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$BIN/results/$STAMP
RESULTS=$OUT/results.tsv

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

scaled() { awk -v n="$1" -v s="$SCALE" 'BEGIN { v = int(n * s + 0.5); if (v < 1) v = 1; print v }'; }

SINK_CPU=""
CLIENT_CPU=""
PLACEMENT="unpinned (scheduler decides; loopback RTT varies ~3x with placement, compare within one run)"
case "${BENCH_TASKSET:-0}" in
  0 | "") ;;
  1) SINK_CPUS=1 CLIENT_CPUS=0 ;;
  same) SINK_CPUS=0 CLIENT_CPUS=0 ;;
  *:*) SINK_CPUS=${BENCH_TASKSET%%:*} CLIENT_CPUS=${BENCH_TASKSET#*:} ;;
  *) die "BENCH_TASKSET must be 0, 1, same or SINKCPUS:CLIENTCPUS" ;;
esac
if [[ -n "${SINK_CPUS:-}" ]]; then
  command -v taskset >/dev/null || die "BENCH_TASKSET needs taskset"
  SINK_CPU="taskset -c $SINK_CPUS"
  CLIENT_CPU="taskset -c $CLIENT_CPUS"
  PLACEMENT="pinned: sink CPU $SINK_CPUS, clients CPU $CLIENT_CPUS (BENCH_TASKSET=$BENCH_TASKSET; real broker not pinned)"
fi

# ------------------------------------------------------------------ cleanup
SINK_PID=""
STARTED_BROKERS=0
cleanup() {
  local rc=$?
  if [[ -n "$SINK_PID" ]] && kill -0 "$SINK_PID" 2>/dev/null; then
    kill -TERM "$SINK_PID" 2>/dev/null || true
    wait "$SINK_PID" 2>/dev/null || true
  fi
  SINK_PID=""
  if [[ "$STARTED_BROKERS" == 1 ]]; then
    log "stopping the brokers this script started"
    "$BROKERS" down >&2 || true
    STARTED_BROKERS=0
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ build
mkdir -p "$OUT"
if [[ "${BENCH_NO_BUILD:-0}" != 1 && -z "${BENCH_LIB_DIR:-}" ]]; then
  log "cargo build --release (library)"
  cargo build --release --lib >&2 || die "library build failed"
fi
[[ -f "$LIB_DIR/librocketmq.so" ]] || die "no librocketmq.so in $LIB_DIR"

log "cargo build --release (rmq-sink)"
cargo build --release --manifest-path bench/sink/Cargo.toml --target-dir "$BIN" >&2 || die "sink build failed"

CFLAGS=(-O2 -g -Wall -pthread)
log "gcc bench/loopback_rtt.c bench/producer_bench.c bench/consumer_bench.c"
gcc "${CFLAGS[@]}" -o "$BIN/loopback_rtt" bench/loopback_rtt.c || die "loopback_rtt build failed"
gcc "${CFLAGS[@]}" -I include -o "$BIN/producer_bench" bench/producer_bench.c \
  -L "$LIB_DIR" -lrocketmq -Wl,-rpath,"$LIB_DIR" || die "producer_bench build failed"
gcc "${CFLAGS[@]}" -I include -o "$BIN/consumer_bench" bench/consumer_bench.c \
  -L "$LIB_DIR" -lrocketmq -Wl,-rpath,"$LIB_DIR" || die "consumer_bench build failed"
# Optional side-by-side baseline: the same bench linked against another librocketmq.so (e.g. the
# original rocketmq-client-cpp 2.2.0 built by hand; never part of this repository).
BASELINE_BIN=
BASELINE_CONSUMER_BIN=
if [[ -n "${BENCH_BASELINE_LIB_DIR:-}" ]]; then
  BASE_DIR=$(cd "$BENCH_BASELINE_LIB_DIR" && pwd) || die "no directory $BENCH_BASELINE_LIB_DIR"
  [[ -f "$BASE_DIR/librocketmq.so" ]] || die "no librocketmq.so in $BASE_DIR"
  BASELINE_BIN=$BIN/producer_bench_baseline
  gcc "${CFLAGS[@]}" -I include -o "$BASELINE_BIN" bench/producer_bench.c \
    -L "$BASE_DIR" -lrocketmq -Wl,-rpath,"$BASE_DIR" || die "baseline producer_bench build failed"
  BASELINE_CONSUMER_BIN=$BIN/consumer_bench_baseline
  gcc "${CFLAGS[@]}" -I include -o "$BASELINE_CONSUMER_BIN" bench/consumer_bench.c \
    -L "$BASE_DIR" -lrocketmq -Wl,-rpath,"$BASE_DIR" || die "baseline consumer_bench build failed"
  log "baseline: $BASE_DIR/librocketmq.so (md5 $(md5sum "$BASE_DIR/librocketmq.so" | cut -c1-12)), label ${BENCH_BASELINE_LABEL:=baseline}"
fi

# ------------------------------------------------------------------ environment
{
  echo "date:       $(date -Is)"
  echo "host:       $(uname -srm)"
  echo "nproc:      $(nproc)"
  echo "cpu:        $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "library:    $LIB_DIR/librocketmq.so ($(stat -c %s "$LIB_DIR/librocketmq.so") bytes, md5 $(md5sum "$LIB_DIR/librocketmq.so" | cut -c1-12))"
  echo "git:        $(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')$(git diff --quiet HEAD -- 2>/dev/null || echo ' (dirty)')"
  echo "body:       $SIZE bytes, scale $SCALE"
  echo "placement:  $PLACEMENT"
} | tee "$OUT/env.txt" >&2

# ------------------------------------------------------------------ helpers
proc_ticks() { # utime+stime of a pid in clock ticks
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
TICK_US=$(awk -v t="$(getconf CLK_TCK)" 'BEGIN { print 1000000 / t }')

# run_case NAME TARGET CMD... : runs a benchmark, keeps its log, records its BENCH_JSON line.
run_case() {
  local name=$1 target=$2
  shift 2
  local logf="$OUT/${name//\//_}.log" t0=0 t1=0 rc=0
  log "run $name: $*"
  [[ "$target" == sink ]] && t0=$(proc_ticks "$SINK_PID")
  timeout -k 5 "$RUN_TIMEOUT" "$@" >"$logf" 2>&1 || rc=$?
  [[ "$target" == sink ]] && t1=$(proc_ticks "$SINK_PID")
  grep -v '^BENCH_JSON' "$logf" | grep -E 'Send TPS|Consume TPS|RT p50|RTT p50|first error|failed|ERROR|error' >&2 || true
  local json
  json=$(grep '^BENCH_JSON ' "$logf" | tail -n 1 | cut -d' ' -f2-)
  if [[ -z "$json" ]]; then
    log "  $name produced no result (exit $rc); last lines of $logf:"
    tail -n 15 "$logf" >&2
    json='{}'
  elif [[ $rc != 0 ]]; then
    log "  $name exited with $rc"
  fi
  local sink_us
  sink_us=$(awk -v a="$t0" -v b="$t1" -v u="$TICK_US" 'BEGIN { printf "%.0f", (b - a) * u }')
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$target" "$rc" "$sink_us" "$json" >>"$RESULTS"
}

# producer cases: NAME TARGET NAMESRV MSGS THREADS [extra flags]; with a baseline library, the
# same case runs right after with it, as NAME/<label>.
producer_case() {
  local name=$1 target=$2 ns=$3 msgs=$4 threads=$5
  shift 5
  # shellcheck disable=SC2086
  run_case "$name" "$target" $CLIENT_CPU "$BIN/producer_bench" -q -n "$ns" -t rmq_bench -g "bench_${name//[^a-zA-Z0-9]/_}" \
    -m "$msgs" -T "$threads" -s "$SIZE" "$@"
  if [[ -n "$BASELINE_BIN" ]]; then
    mkdir -p "$OUT/baseline-home"
    # shellcheck disable=SC2086
    run_case "$name/$BENCH_BASELINE_LABEL" "$target" env HOME="$OUT/baseline-home" $CLIENT_CPU "$BASELINE_BIN" -q -n "$ns" -t rmq_bench \
      -g "bench_${name//[^a-zA-Z0-9]/_}_base" -m "$msgs" -T "$threads" -s "$SIZE" "$@"
  fi
}

# consumer cases: NAME TARGET NAMESRV TOPIC MSGS [extra flags]: consumer_bench with ours, then
# (with a baseline library) the same program with it as NAME/<label>; fresh group names each.
consumer_case() {
  local name=$1 target=$2 ns=$3 topic=$4 msgs=$5
  shift 5
  local group="bench_${name//[^a-zA-Z0-9]/_}_${STAMP//-/_}"
  # shellcheck disable=SC2086
  run_case "$name" "$target" $CLIENT_CPU "$BIN/consumer_bench" -q -n "$ns" -t "$topic" -g "$group" -m "$msgs" \
    -x "$RUN_TIMEOUT" "$@"
  if [[ -n "$BASELINE_CONSUMER_BIN" ]]; then
    mkdir -p "$OUT/baseline-home"
    # shellcheck disable=SC2086
    run_case "$name/$BENCH_BASELINE_LABEL" "$target" env HOME="$OUT/baseline-home" $CLIENT_CPU "$BASELINE_CONSUMER_BIN" \
      -q -n "$ns" -t "$topic" -g "${group}_base" -m "$msgs" -x "$RUN_TIMEOUT" "$@"
  fi
}

# The Java 4.9.8 push consumer (bench/java): NAME TARGET NAMESRV TOPIC MSGS [extra flags].
JAVA_OK=0
JAVA_TRIED=0
build_java() {
  [[ "$JAVA_TRIED" == 1 ]] && return 0
  JAVA_TRIED=1
  [[ "${BENCH_JAVA:-1}" == 0 ]] && { log "BENCH_JAVA=0: no Java consumer"; return 0; }
  if ! command -v mvn >/dev/null || ! command -v java >/dev/null; then
    log "mvn or java not found: no Java consumer"
    return 0
  fi
  log "mvn package (bench/java: rocketmq-client 4.9.8 push consumer)"
  # shellcheck disable=SC2086
  if mvn -B -q ${BENCH_MVN_ARGS:-} -f bench/java/pom.xml package >"$OUT/java-build.log" 2>&1; then
    JAVA_OK=1
  else
    log "bench/java build failed (see $OUT/java-build.log): no Java consumer"
  fi
}
java_case() {
  local name=$1 target=$2 ns=$3 topic=$4 msgs=$5
  shift 5
  [[ "$JAVA_OK" == 1 ]] || return 0
  local jhome="$OUT/java-home"
  mkdir -p "$jhome"
  # shellcheck disable=SC2086
  run_case "$name" "$target" $CLIENT_CPU java ${BENCH_JAVA_OPTS:--Xmx512m} -Duser.home="$jhome" \
    -Drocketmq.client.logRoot="$jhome/logs" -cp "$BIN/java/rocketmq-consumer-bench.jar:$BIN/java/lib/*" \
    bench.ConsumerBench -q -n "$ns" -t "$topic" -g "bench_${name//[^a-zA-Z0-9]/_}_${STAMP//-/_}" -m "$msgs" \
    -x "$RUN_TIMEOUT" "$@"
}

# start_sink [flags]: rmq-sink on $PORT (pinned like the clients' counterpart), sets SINK_PID.
start_sink() {
  local tag=$1
  shift
  # shellcheck disable=SC2086
  $SINK_CPU "$BIN/release/rmq-sink" --port "$PORT" --max-seconds 1800 "$@" >"$OUT/$tag.out" 2>"$OUT/$tag.err" &
  SINK_PID=$!
  for _ in $(seq 100); do
    grep -q 'listening' "$OUT/$tag.out" 2>/dev/null && break
    kill -0 "$SINK_PID" 2>/dev/null || { cat "$OUT/$tag.err" >&2; SINK_PID=""; die "rmq-sink did not start (port $PORT busy?)"; }
    sleep 0.05
  done
  grep -q 'listening' "$OUT/$tag.out" || die "rmq-sink did not report listening"
  log "$(cat "$OUT/$tag.out")"
}
stop_sink() {
  kill -TERM "$SINK_PID" 2>/dev/null || true
  wait "$SINK_PID" 2>/dev/null || true
  SINK_PID=""
  log "$(tail -n 1 "$OUT/$1.err")"
}

# ------------------------------------------------------------------ sink
: >"$RESULTS"
SINK=127.0.0.1:$PORT
if [[ "${BENCH_PRODUCER:-1}" != 0 ]]; then
  start_sink sink

  # raw loopback reference: same frame, same sink, no client library
  # shellcheck disable=SC2086
  run_case rtt_sink sink $CLIENT_CPU "$BIN/loopback_rtt" -p "$PORT" -s "$SIZE" -n "$(scaled 50000)"
  # shellcheck disable=SC2086
  run_case rtt_echo echo $CLIENT_CPU "$BIN/loopback_rtt" -E -s "$SIZE" -n "$(scaled 50000)"

  producer_case sink_sync_T1 sink "$SINK" "$(scaled 20000)" 1
  producer_case sink_sync_T8 sink "$SINK" "$(scaled 10000)" 8
  producer_case sink_async_T1 sink "$SINK" "$(scaled 50000)" 1 -y -w 1000
  producer_case sink_async_T8 sink "$SINK" "$(scaled 20000)" 8 -y -w 1000

  stop_sink sink
fi

# ------------------------------------------------------------------ consumer against the sink
if [[ "${BENCH_CONSUMER:-1}" != 0 ]]; then
  build_java
  # every queue holds an endless backlog: the consumer is the only limit
  start_sink sink-consumer --pull-backlog --backlog-body "$SIZE"
  consumer_case consume_sink_T2 sink "$SINK" rmq_bench "$(scaled 300000)" -T 2
  java_case consume_sink_T2/java-4.9.8 sink "$SINK" rmq_bench "$(scaled 300000)" -T 2
  consumer_case consume_sink_T1 sink "$SINK" rmq_bench "$(scaled 200000)" -T 1
  stop_sink sink-consumer
fi

# ------------------------------------------------------------------ real broker
if [[ "${BENCH_BROKER:-auto}" != 0 ]]; then
  if [[ ! -x "$BROKERS" ]]; then
    log "$BROKERS not found: skipping the real broker"
  else
    if "$BROKERS" status 4 >/dev/null 2>&1; then
      log "real broker already running: using it (left running)"
    else
      log "starting the real broker: $BROKERS up 4"
      STARTED_BROKERS=1
      if ! "$BROKERS" up 4 >&2; then
        log "$BROKERS up 4 failed: skipping the real broker"
        "$BROKERS" down >&2 || true
        STARTED_BROKERS=0
      fi
    fi
    if "$BROKERS" status 4 >/dev/null 2>&1; then
      eval "$("$BROKERS" env)"
      log "real broker: RocketMQ ${RMQ_VERSION_4:-4.x}, name server $NAMESRV_4, topic rmq_bench"
      if [[ "${BENCH_PRODUCER:-1}" != 0 ]]; then
        producer_case broker_sync_T1 broker "$NAMESRV_4" "$(scaled 5000)" 1 -W 500
        producer_case broker_sync_T8 broker "$NAMESRV_4" "$(scaled 3000)" 8 -W 500
        producer_case broker_async_T1 broker "$NAMESRV_4" "$(scaled 20000)" 1 -y -w 1000 -W 500
        producer_case broker_async_T8 broker "$NAMESRV_4" "$(scaled 5000)" 8 -y -w 1000 -W 500
      fi
      if [[ "${BENCH_CONSUMER:-1}" != 0 ]]; then
        # A fresh topic with a backlog; each consumer drains it with a fresh group, which
        # starts at offset 0 (the broker answers 0 while the queues' min offset is 0).
        CTOPIC="rmq_cbench_${STAMP//-/_}"
        BACKLOG=$(scaled 100000)
        if "$BROKERS" topic "$CTOPIC" >&2; then
          build_java
          # shellcheck disable=SC2086
          run_case backlog_fill broker $CLIENT_CPU "$BIN/producer_bench" -q -n "$NAMESRV_4" -t "$CTOPIC" \
            -g "bench_fill_${STAMP//-/_}" -m "$BACKLOG" -T 1 -y -w 1000 -W 0 -s "$SIZE"
          FILLED=$(awk -F'\t' '$1 == "backlog_fill" { print $5 }' "$RESULTS" | python3 -c \
            'import json,sys; print(json.load(sys.stdin).get("ok", 0))' 2>/dev/null || echo 0)
          if [[ "${FILLED:-0}" -ge 2 ]]; then
            log "backlog: $FILLED messages of $SIZE bytes in $CTOPIC"
            consumer_case consume_broker_T2 broker "$NAMESRV_4" "$CTOPIC" "$FILLED" -T 2
            java_case consume_broker_T2/java-4.9.8 broker "$NAMESRV_4" "$CTOPIC" "$FILLED" -T 2
          else
            log "filling the backlog failed: no consumer case against the broker"
          fi
        else
          log "$BROKERS topic $CTOPIC failed: no consumer case against the broker"
        fi
      fi
      if [[ "$STARTED_BROKERS" == 1 ]]; then
        "$BROKERS" down >&2 || true
        STARTED_BROKERS=0
      fi
    fi
  fi
fi

# ------------------------------------------------------------------ summary
python3 - "$RESULTS" "$OUT/env.txt" <<'PY' | tee "$OUT/summary.txt"
import json, sys
rows = []
for line in open(sys.argv[1]):
    name, target, rc, sink_us, js = line.rstrip("\n").split("\t", 4)
    try:
        d = json.loads(js)
    except ValueError:
        d = {}
    rows.append((name, target, int(rc), float(sink_us), d))
print(open(sys.argv[2]).read().rstrip())
if any(d.get("bench") == "loopback_rtt" for n, t, rc, s, d in rows):
    print()
    print("Raw loopback round trip (%s-byte SEND_MESSAGE_V2 frame, one in flight, no client library):" %
          next((d.get("body_size") for n, t, rc, s, d in rows if d.get("bench") == "loopback_rtt"), "?"))
    print("  %-10s %9s %8s %8s %8s %8s %12s" % ("target", "rt/s", "p50 us", "p90 us", "p99 us", "p999 us", "sink CPU/rt"))
    for name, target, rc, sink_us, d in rows:
        if d.get("bench") != "loopback_rtt":
            continue
        n = d.get("round_trips", 0) + d.get("warmup", 0)
        sc = ("%.1f us" % (sink_us / n)) if target == "sink" and n else "-"
        print("  %-10s %9.0f %8.1f %8.1f %8.1f %8.1f %12s" % (target, d["rtt_per_s"], d["p50_us"], d["p90_us"],
                                                          d["p99_us"], d["p999_us"], sc))
def is_consumer(name, d):
    return d.get("bench") == "consumer" or (not d and name.startswith("consume"))

prod = [r for r in rows if r[4].get("bench") != "loopback_rtt" and not is_consumer(r[0], r[4])]
cons = [r for r in rows if is_consumer(r[0], r[4])]
if prod:
    print()
    hdr = ("case", "TPS", "avg ms", "p50 us", "p99 us", "p999 us", "max ms", "CPU/msg", "sink/msg", "thr", "fail", "rfail")
    fmt = "%-16s %9s %7s %7s %7s %8s %7s %8s %8s %4s %5s %5s"
    print("Producer (%s-byte bodies; CPU/msg = client process user+sys per message, us):" %
          next((d.get("body_size") for n, t, rc, s, d in rows if d.get("bench") == "producer"), "?"))
    print(fmt % hdr)
    for name, target, rc, sink_us, d in prod:
        if not d:
            print(fmt % ((name, "FAILED (exit %d)" % rc) + ("",) * 10))
            continue
        # the sink also served the warm-up messages: divide by everything it saw
        msgs = d["ok"] + d["send_failed"] + d["warmup_per_thread"] * d["threads"]
        sink = ("%.1f" % (sink_us / msgs)) if target == "sink" and msgs else "-"
        print(fmt % (name, "%.0f" % d["tps"], "%.3f" % d["avg_rt_ms"], d["p50_us"], d["p99_us"], d["p999_us"],
                     d["max_rt_ms"], "%.1f" % d["cpu_per_msg_us"], sink, d["threads_peak"], d["send_failed"],
                     d["response_failed"]))
        if d.get("first_error"):
            print("    first error: %s" % d["first_error"][:200])
if cons:
    print()
    print("Consumer (push, concurrent; CPU/msg = client process CPU per consumed message, us; born p50/p99 =")
    print("wall clock at the callback - born timestamp, ms: against the broker's backlog, the messages' age):")
    hdr = ("case", "client", "TPS", "messages", "born p50", "born p99", "CPU/msg", "sink/msg", "thr", "T", "note")
    fmt = "%-18s %-11s %9s %9s %9s %9s %8s %8s %4s %3s %s"
    print(fmt % hdr)
    for name, target, rc, sink_us, d in cons:
        base, _, label = name.partition("/")
        if not d:
            print(fmt % ((base, label or "ours", "FAILED (exit %d)" % rc) + ("",) * 8))
            continue
        # the sink's CPU over the whole run (start, cache fill, shutdown) per delivered message
        sink = ("%.1f" % (sink_us / d["delivered"])) if target == "sink" and d.get("delivered") else "-"
        note = "partial" if d.get("partial") else ("TIMED OUT" if d.get("timed_out") else "")
        print(fmt % (base, label or "ours", "%.0f" % d["tps"], d["measured"], "%.1f" % d["born_p50_ms"],
                     "%.1f" % d["born_p99_ms"], "%.1f" % d["cpu_per_msg_us"], sink, d["threads_peak"],
                     d["consume_threads"] or "def", note))
    by = {}
    for name, target, rc, sink_us, d in cons:
        base, _, label = name.partition("/")
        if d and not d.get("partial") and not d.get("timed_out"):
            by.setdefault(base, {})[label or "ours"] = d
    for base, libs in by.items():
        ours = libs.get("ours")
        for label, d in libs.items():
            if ours is None or label == "ours" or not d["tps"] or not d["cpu_per_msg_us"]:
                continue
            print("  %s: ours / %s = %.2fx the messages per second, %.2fx the CPU per message" %
                  (base, label, ours["tps"] / d["tps"], ours["cpu_per_msg_us"] / d["cpu_per_msg_us"]))
print()
print("sink/msg = rmq-sink CPU per message it served (us, warm-up included). thr = process threads")
print("(main + library; the JVM's own threads for Java) at peak during the run. T = consume threads.")
print("Logs: %s" % sys.argv[1].rsplit("/", 1)[0])
PY
