#!/usr/bin/env bash
# Producer and consumer benchmarks: our librocketmq.so against the sink broker and a real broker.
#
#   1. builds the library (cargo build --release), the sink (bench/sink) and the
#      C programs (bench/loopback_rtt.c, bench/producer_bench.c);
#   2. starts rmq-sink (name server + broker on one port that acknowledges
#      everything), measures the raw loopback round trip (loopback_rtt against
#      the sink and against an in-process echo), then runs producer_bench
#      against the sink: sync and async, 1 and 8 threads, 1 KiB bodies; the sync cases also
#      through the C++ API (bench/cpp_producer_bench.cpp, DefaultMQProducer::send; *_cpp), the
#      summary showing the C++ layer's CPU per message (bench/cpp_overhead.sh: pinned pairs and
#      callgrind instruction counts, the careful measurement);
#   3. runs the same four cases against the real Apache broker (v4 line,
#      scripts/brokers.sh), starting it if it is not running and stopping it
#      again afterwards;
#   4. consumer (BENCH_CONSUMER=0 skips it): a second rmq-sink with --pull-backlog (an endless
#      backlog of BENCH_SIZE-byte messages in every queue) and bench/consumer_bench.c on it
#      (2 consume threads, then 1; the Java consumer too, with 2); against the real broker, a
#      fresh topic gets a backlog of 100k messages (producer_bench, async) that fresh groups
#      drain: ours, then the Java 4.9.8 push consumer (bench/java, built with mvn; skipped
#      without mvn/java);
#   5. Python (BENCH_PYTHON=0 skips it): bench/python_bench.py, one program written against the
#      rocketmq-client-python 2.0.0 API, sync sends of BENCH_SIZE bytes from one thread (the same
#      Message reused, then a new one per send) against a fresh rmq-sink, and push consumption
#      (2 consume threads) against rmq-sink --pull-backlog, with (a) this repository's package
#      (bindings/python: the wheel from bindings/python/build-wheel.sh, or ROCKETMQ_PY_WHEEL, in
#      the venv .build/bench-py-binding), (b) the unchanged PyPI rocketmq-client-python 2.0.0 over
#      $LIB_DIR/librocketmq.so (venv .build/bench-py-upstream; the library is copied next to its
#      ffi.py, which it prefers to any other), (c) with BENCH_BASELINE_LIB_DIR, 2.0.0 over that
#      library (venv .build/bench-py-upstream-baseline); each next to the same case run by
#      producer_bench (-R, then without) and consumer_bench right before it, so the summary shows
#      the binding's CPU per message over the C call it wraps;
#   6. prints a summary table; logs and BENCH_JSON lines go to
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
#   BENCH_NO_BUILD=1     do not run cargo build for the library (nor build the Python wheel when
#                        .build/bench-wheel holds one)
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
#   BENCH_PYTHON=0       skip the Python cases (default: run them when python3 can make venvs)
#   BENCH_GO=0           skip the Go cases (bench/go/run.sh against the real broker: bindings/go
#                        and rocketmq-client-go/v2 v2.1.1; needs go and the real broker)
#   BENCH_PYTHON_EXE=P   the interpreter of the Python venvs (default python3)
#   ROCKETMQ_PY_WHEEL=F  the rocketmq-client-rs wheel to benchmark (default: build it with
#                        bindings/python/build-wheel.sh into .build/bench-wheel)
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
# the C++ API's sync sends (the C++ layer's cost beside producer_bench's C calls)
g++ -O2 -std=c++11 -pthread -I include/rocketmq -o "$BIN/cpp_producer_bench" bench/cpp_producer_bench.cpp \
  -L "$LIB_DIR" -lrocketmq -Wl,-rpath,"$LIB_DIR" || die "cpp_producer_bench build failed"
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

# C++ API cases (sync only): NAME TARGET NAMESRV MSGS THREADS, cpp_producer_bench.
cpp_case() {
  local name=$1 target=$2 ns=$3 msgs=$4 threads=$5
  # shellcheck disable=SC2086
  run_case "$name" "$target" $CLIENT_CPU "$BIN/cpp_producer_bench" -q -n "$ns" -t rmq_bench -g "bench_${name//[^a-zA-Z0-9]/_}" \
    -m "$msgs" -T "$threads" -s "$SIZE"
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
  # message trace on (-r): the same case right after, for the CPU per message side by side
  producer_case sink_sync_T1_trace sink "$SINK" "$(scaled 20000)" 1 -r
  # the same sync sends through the C++ API (DefaultMQProducer::send), right after the C ones
  cpp_case sink_sync_T1_cpp sink "$SINK" "$(scaled 20000)" 1
  producer_case sink_sync_T8 sink "$SINK" "$(scaled 10000)" 8
  cpp_case sink_sync_T8_cpp sink "$SINK" "$(scaled 10000)" 8
  producer_case sink_async_T1 sink "$SINK" "$(scaled 50000)" 1 -y -w 1000
  producer_case sink_async_T1_trace sink "$SINK" "$(scaled 50000)" 1 -y -w 1000 -r
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
        producer_case broker_sync_T1_trace broker "$NAMESRV_4" "$(scaled 5000)" 1 -W 500 -r
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
      if [[ "${BENCH_GO:-1}" != 0 ]]; then
        # our Go binding and the pure Go client v2.1.1, same program, one after the other on this
        # broker (the pure Go client cannot be pointed at the sink); its own table, in go.log
        if command -v go >/dev/null; then
          log "Go: bench/go/run.sh $NAMESRV_4 (log: $OUT/go.log)"
          SECONDS_PER_CASE=$(scaled 10) N=$(scaled 20000) bench/go/run.sh "$NAMESRV_4" 2>&1 | tee "$OUT/go.log" >&2 ||
            log "bench/go/run.sh failed (see $OUT/go.log)"
        else
          log "no go on PATH: no Go cases"
        fi
      fi
      if [[ "$STARTED_BROKERS" == 1 ]]; then
        "$BROKERS" down >&2 || true
        STARTED_BROKERS=0
      fi
    fi
  fi
fi

# ------------------------------------------------------------------ Python
# bench/python_bench.py (2.0.0 API) with our package, with the PyPI 2.0.0 package over our library
# and over the baseline library, each right after the same case run by the C programs: the
# difference of CPU per message is what the Python layer costs.
PY_EXE=${BENCH_PYTHON_EXE:-python3}

# py_upstream_venv DIR LIBRARY: the unchanged rocketmq-client-python 2.0.0 in the venv DIR, with a
# copy of LIBRARY next to its ffi.py (2.0.0 loads rocketmq/librocketmq.so before it asks ldconfig).
py_upstream_venv() {
  local venv=$1 lib=$2 pkg
  [[ -x "$venv/bin/python" ]] || "$PY_EXE" -m venv "$venv" >&2 || return 1
  if ! "$venv/bin/python" -m pip show rocketmq-client-python >/dev/null 2>&1; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'rocketmq-client-python==2.0.0' >&2 ||
      return 1
  fi
  # the import name is shared with this repository's package and with an unrelated PyPI "rocketmq"
  if "$venv/bin/python" -m pip show rocketmq-client-rs >/dev/null 2>&1 ||
    "$venv/bin/python" -m pip show rocketmq >/dev/null 2>&1; then
    log "$venv holds another package named rocketmq besides rocketmq-client-python"
    return 1
  fi
  # rocketmq/__init__.py of 2.0.0 imports nothing: this finds the folder without loading a library
  pkg=$(cd / && env -u PYTHONPATH "$venv/bin/python" -c 'import os, rocketmq; print(os.path.dirname(rocketmq.__file__))') ||
    return 1
  cp -f "$lib" "$pkg/librocketmq.so" || return 1
  log "$venv: rocketmq-client-python 2.0.0 with $pkg/librocketmq.so = $lib (md5 $(md5sum "$lib" | cut -c1-12))"
}

# py_binding_venv DIR WHEEL: this repository's package, from its wheel, in the venv DIR.
py_binding_venv() {
  local venv=$1 wheel=$2
  [[ -x "$venv/bin/python" ]] || "$PY_EXE" -m venv "$venv" >&2 || return 1
  if "$venv/bin/python" -m pip show rocketmq-client-python >/dev/null 2>&1 ||
    "$venv/bin/python" -m pip show rocketmq >/dev/null 2>&1; then
    log "$venv holds another package named rocketmq besides rocketmq-client-rs"
    return 1
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel" >&2 ||
    return 1
  log "$venv: $(basename "$wheel"), library $(cd / && env -u PYTHONPATH "$venv/bin/python" -c 'import rocketmq; print(rocketmq.library_path())' 2>/dev/null || echo '?')"
}

# py_run NAME TARGET VENV LABEL [python_bench.py arguments]: python_bench.py with that venv's
# package, pinned like the C clients; LABEL names the library in the JSON line.
py_run() {
  local name=$1 target=$2 venv=$3 label=$4
  shift 4
  local home=$OUT/python-home
  mkdir -p "$home"
  # shellcheck disable=SC2086
  run_case "$name" "$target" env -u PYTHONPATH HOME="$home" $CLIENT_CPU "$venv/bin/python" bench/python_bench.py \
    "$@" -q --library-label "$label"
}

if [[ "${BENCH_PYTHON:-1}" != 0 ]]; then
  PY_BINDING_VENV=$ROOT/.build/bench-py-binding
  PY_UPSTREAM_VENV=$ROOT/.build/bench-py-upstream
  PY_BASELINE_VENV=$ROOT/.build/bench-py-upstream-baseline
  PY_BINDING=0 PY_UPSTREAM=0 PY_BASELINE=0
  if ! command -v "$PY_EXE" >/dev/null || ! "$PY_EXE" -c 'import venv, ensurepip' 2>/dev/null; then
    log "$PY_EXE cannot make venvs: no Python cases"
  else
    PY_WHEEL=${ROCKETMQ_PY_WHEEL:-}
    if [[ -z "$PY_WHEEL" && "${BENCH_NO_BUILD:-0}" == 1 ]]; then
      PY_WHEEL=$(ls -t "$ROOT"/.build/bench-wheel/rocketmq_client_rs-*.whl 2>/dev/null | head -n 1) || PY_WHEEL=
      [[ -n "$PY_WHEEL" ]] && log "BENCH_NO_BUILD=1: the wheel built before, $PY_WHEEL"
    fi
    if [[ -z "$PY_WHEEL" && ! -x bindings/python/build-wheel.sh ]]; then
      log "no bindings/python/build-wheel.sh and no ROCKETMQ_PY_WHEEL: no python-binding cases"
    elif [[ -z "$PY_WHEEL" ]]; then
      log "bindings/python/build-wheel.sh .build/bench-wheel (log: $OUT/python-wheel.log)"
      PY_WHEEL=$(PYTHON=$PY_EXE bindings/python/build-wheel.sh "$ROOT/.build/bench-wheel" 2>"$OUT/python-wheel.log" |
        tail -n 1) || PY_WHEEL=
    fi
    if [[ -n "$PY_WHEEL" && -f "$PY_WHEEL" ]]; then
      py_binding_venv "$PY_BINDING_VENV" "$PY_WHEEL" && PY_BINDING=1 ||
        log "installing $PY_WHEEL into $PY_BINDING_VENV failed: no python-binding cases"
    else
      log "no rocketmq-client-rs wheel (see $OUT/python-wheel.log): no python-binding cases"
    fi
    py_upstream_venv "$PY_UPSTREAM_VENV" "$LIB_DIR/librocketmq.so" && PY_UPSTREAM=1 ||
      log "rocketmq-client-python 2.0.0 not installed in $PY_UPSTREAM_VENV: no python-2.0.0 cases"
    if [[ -n "$BASELINE_BIN" ]]; then
      py_upstream_venv "$PY_BASELINE_VENV" "$BASE_DIR/librocketmq.so" && PY_BASELINE=1 ||
        log "rocketmq-client-python 2.0.0 not installed in $PY_BASELINE_VENV: no python-2.0.0 cases over $BENCH_BASELINE_LABEL"
    fi
  fi
  if [[ "$PY_BINDING$PY_UPSTREAM$PY_BASELINE" != 000 ]]; then
    # the C reference first, then the Python clients over the same library; then the baseline's pair
    py_produce() {
      local case=$1
      shift
      local msgs
      msgs=$(scaled 20000)
      # shellcheck disable=SC2086
      run_case "$case/c" sink $CLIENT_CPU "$BIN/producer_bench" -q -n "$SINK" -t rmq_bench -g "bench_${case}_c" \
        -m "$msgs" -T 1 -s "$SIZE" "$@"
      [[ "$PY_BINDING" == 1 ]] && py_run "$case/python-binding" sink "$PY_BINDING_VENV" ours produce -n "$SINK" \
        -t rmq_bench -g "bench_${case}_pyb" -m "$msgs" -s "$SIZE" "$@"
      [[ "$PY_UPSTREAM" == 1 ]] && py_run "$case/python-2.0.0" sink "$PY_UPSTREAM_VENV" ours produce -n "$SINK" \
        -t rmq_bench -g "bench_${case}_py200" -m "$msgs" -s "$SIZE" "$@"
      if [[ "$PY_BASELINE" == 1 ]]; then
        mkdir -p "$OUT/baseline-home"
        # shellcheck disable=SC2086
        run_case "$case/c-$BENCH_BASELINE_LABEL" sink env HOME="$OUT/baseline-home" $CLIENT_CPU "$BASELINE_BIN" -q \
          -n "$SINK" -t rmq_bench -g "bench_${case}_c_base" -m "$msgs" -T 1 -s "$SIZE" "$@"
        py_run "$case/python-2.0.0-$BENCH_BASELINE_LABEL" sink "$PY_BASELINE_VENV" "$BENCH_BASELINE_LABEL" produce \
          -n "$SINK" -t rmq_bench -g "bench_${case}_py200_base" -m "$msgs" -s "$SIZE" "$@"
      fi
      return 0
    }
    start_sink sink-python
    py_produce py_sync_T1_reuse -R
    py_produce py_sync_T1_new
    stop_sink sink-python

    start_sink sink-python-consumer --pull-backlog --backlog-body "$SIZE"
    PY_CMSGS=$(scaled 200000)
    PY_GROUP="bench_py_consume_${STAMP//-/_}"
    # shellcheck disable=SC2086
    run_case py_consume_T2/c sink $CLIENT_CPU "$BIN/consumer_bench" -q -n "$SINK" -t rmq_bench -g "${PY_GROUP}_c" \
      -m "$PY_CMSGS" -T 2 -x "$RUN_TIMEOUT"
    [[ "$PY_BINDING" == 1 ]] && py_run py_consume_T2/python-binding sink "$PY_BINDING_VENV" ours consume -n "$SINK" \
      -t rmq_bench -g "${PY_GROUP}_pyb" -m "$PY_CMSGS" -T 2 -x "$RUN_TIMEOUT"
    [[ "$PY_UPSTREAM" == 1 ]] && py_run py_consume_T2/python-2.0.0 sink "$PY_UPSTREAM_VENV" ours consume -n "$SINK" \
      -t rmq_bench -g "${PY_GROUP}_py200" -m "$PY_CMSGS" -T 2 -x "$RUN_TIMEOUT"
    if [[ "$PY_BASELINE" == 1 ]]; then
      mkdir -p "$OUT/baseline-home"
      # shellcheck disable=SC2086
      run_case "py_consume_T2/c-$BENCH_BASELINE_LABEL" sink env HOME="$OUT/baseline-home" $CLIENT_CPU \
        "$BASELINE_CONSUMER_BIN" -q -n "$SINK" -t rmq_bench -g "${PY_GROUP}_c_base" -m "$PY_CMSGS" -T 2 -x "$RUN_TIMEOUT"
      py_run "py_consume_T2/python-2.0.0-$BENCH_BASELINE_LABEL" sink "$PY_BASELINE_VENV" "$BENCH_BASELINE_LABEL" \
        consume -n "$SINK" -t rmq_bench -g "${PY_GROUP}_py200_base" -m "$PY_CMSGS" -T 2 -x "$RUN_TIMEOUT"
    fi
    stop_sink sink-python-consumer
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
def rss_mib(d):
    """Peak RSS of the bench process (the C programs report it; other clients' JSON may not)."""
    return "%.1f" % (d["peak_rss_kib"] / 1024.0) if d.get("peak_rss_kib") else "-"
def is_consumer(name, d):
    return d.get("bench") == "consumer" or (not d and name.startswith("consume"))

# the Python section's rows (py_*: python_bench.py and its C references) have a table of their own
py = [r for r in rows if r[0].startswith("py_")]
rows = [r for r in rows if not r[0].startswith("py_")]
prod = [r for r in rows if r[4].get("bench") != "loopback_rtt" and not is_consumer(r[0], r[4])]
cons = [r for r in rows if is_consumer(r[0], r[4])]
if prod:
    print()
    hdr = ("case", "TPS", "avg ms", "p50 us", "p99 us", "p999 us", "max ms", "CPU/msg", "sink/msg", "thr", "RSS MiB",
           "fail", "rfail")
    fmt = "%-20s %9s %7s %7s %7s %8s %7s %8s %8s %4s %7s %5s %5s"
    print("Producer (%s-byte bodies; CPU/msg = client process user+sys per message, us):" %
          next((d.get("body_size") for n, t, rc, s, d in rows if d.get("bench") == "producer"), "?"))
    print(fmt % hdr)
    for name, target, rc, sink_us, d in prod:
        if not d:
            print(fmt % ((name, "FAILED (exit %d)" % rc) + ("",) * 11))
            continue
        # the sink also served the warm-up messages: divide by everything it saw
        msgs = d["ok"] + d["send_failed"] + d["warmup_per_thread"] * d["threads"]
        sink = ("%.1f" % (sink_us / msgs)) if target == "sink" and msgs else "-"
        print(fmt % (name, "%.0f" % d["tps"], "%.3f" % d["avg_rt_ms"], d["p50_us"], d["p99_us"], d["p999_us"],
                     d["max_rt_ms"], "%.1f" % d["cpu_per_msg_us"], sink, d["threads_peak"], rss_mib(d),
                     d["send_failed"], d["response_failed"]))
        if d.get("first_error"):
            print("    first error: %s" % d["first_error"][:200])
    # message trace: each *_trace case against the same case without it
    plain = {name: d for name, target, rc, sink_us, d in prod if d}
    for name, d in plain.items():
        off = plain.get(name[:-len("_trace")]) if name.endswith("_trace") else None
        if off and off.get("cpu_per_msg_us") and d.get("cpu_per_msg_us"):
            print("  trace on, %s: %.1f us CPU/msg vs %.1f off (%+.1f %%)" % (name[:-len("_trace")], d["cpu_per_msg_us"],
                  off["cpu_per_msg_us"], 100.0 * (d["cpu_per_msg_us"] / off["cpu_per_msg_us"] - 1)))
    # the C++ API: each *_cpp case against the same case through the C API
    for name, d in plain.items():
        c = plain.get(name[:-len("_cpp")]) if name.endswith("_cpp") else None
        if c and c.get("cpu_per_msg_us") and d.get("cpu_per_msg_us"):
            print("  C++ API, %s: %.1f us CPU/msg vs %.1f through the C API (%+.1f us)" % (name[:-len("_cpp")],
                  d["cpu_per_msg_us"], c["cpu_per_msg_us"], d["cpu_per_msg_us"] - c["cpu_per_msg_us"]))
if cons:
    print()
    print("Consumer (push, concurrent; CPU/msg = client process CPU per consumed message, us; born p50/p99 =")
    print("wall clock at the callback - born timestamp, ms: against the broker's backlog, the messages' age):")
    hdr = ("case", "client", "TPS", "messages", "born p50", "born p99", "CPU/msg", "sink/msg", "thr", "RSS MiB", "T",
           "note")
    fmt = "%-18s %-11s %9s %9s %9s %9s %8s %8s %4s %7s %3s %s"
    print(fmt % hdr)
    for name, target, rc, sink_us, d in cons:
        base, _, label = name.partition("/")
        if not d:
            print(fmt % ((base, label or "ours", "FAILED (exit %d)" % rc) + ("",) * 9))
            continue
        # the sink's CPU over the whole run (start, cache fill, shutdown) per delivered message
        sink = ("%.1f" % (sink_us / d["delivered"])) if target == "sink" and d.get("delivered") else "-"
        note = "partial" if d.get("partial") else ("TIMED OUT" if d.get("timed_out") else "")
        print(fmt % (base, label or "ours", "%.0f" % d["tps"], d["measured"], "%.1f" % d["born_p50_ms"],
                     "%.1f" % d["born_p99_ms"], "%.1f" % d["cpu_per_msg_us"], sink, d["threads_peak"], rss_mib(d),
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
if py:
    def c_ref(label):  # the C row a row is compared with: c for ours, c-<label> for the baseline's
        if label == "c" or label.startswith("c-"):
            return None
        if label in ("python-binding", "python-2.0.0"):
            return "c"
        return "c-" + label[len("python-2.0.0-"):] if label.startswith("python-2.0.0-") else None
    cases = {}
    for name, target, rc, sink_us, d in py:
        base, _, label = name.partition("/")
        cases.setdefault(base, []).append((label, rc, sink_us, d))
    print()
    print("Python (bench/python_bench.py on the rocketmq-client-python 2.0.0 API, right after the same case run by")
    print("producer_bench / consumer_bench, row c; +CPU = CPU/msg minus the C row's over the same library, us):")
    pfmt = "%-17s %-26s %8s %7s %7s %8s %7s %8s %4s %5s"
    cfmt = "%-17s %-26s %8s %8s %9s %9s %8s %7s %8s %4s %s"
    for kind in ("producer", "consumer"):
        shown = [(b, v) for b, v in cases.items() if b.startswith("py_consume") == (kind == "consumer")]
        if not shown:
            continue
        if kind == "producer":
            print(pfmt % ("case", "client", "TPS", "p50 us", "p99 us", "CPU/msg", "+CPU", "sink/msg", "thr", "fail"))
        else:
            print(cfmt % ("case", "client", "TPS", "messages", "born p50", "born p99", "CPU/msg", "+CPU", "sink/msg",
                          "thr", "note"))
        for base, entries in shown:
            by_label = {label: d for label, rc, s, d in entries}
            for label, rc, sink_us, d in entries:
                if not d:
                    print("%-17s %-26s FAILED (exit %d)" % (base, label, rc))
                    continue
                ref = by_label.get(c_ref(label) or "")
                over = "%+.1f" % (d["cpu_per_msg_us"] - ref["cpu_per_msg_us"]) if ref else "-"
                if kind == "producer":
                    msgs = d["ok"] + d["send_failed"] + d["warmup_per_thread"] * d["threads"]
                    sink = ("%.1f" % (sink_us / msgs)) if msgs else "-"
                    print(pfmt % (base, label, "%.0f" % d["tps"], d["p50_us"], d["p99_us"], "%.1f" % d["cpu_per_msg_us"],
                                  over, sink, d["threads_peak"], d["send_failed"]))
                else:
                    sink = ("%.1f" % (sink_us / d["delivered"])) if d.get("delivered") else "-"
                    note = "partial" if d.get("partial") else ("TIMED OUT" if d.get("timed_out") else "")
                    print(cfmt % (base, label, "%.0f" % d["tps"], d["measured"], "%.1f" % d["born_p50_ms"],
                                  "%.1f" % d["born_p99_ms"], "%.1f" % d["cpu_per_msg_us"], over, sink,
                                  d["threads_peak"], note))
    print("Binding overhead = Python CPU/msg - C CPU/msg, same case, same run (target: <= 10 us per message):")
    for base, entries in cases.items():
        by_label = {label: d for label, rc, s, d in entries if d}
        for label, d in by_label.items():
            c = by_label.get(c_ref(label) or "")
            if c:
                over = d["cpu_per_msg_us"] - c["cpu_per_msg_us"]
                print("  %-17s %-26s %6.1f - %6.1f = %6.1f us  %s" % (base, "%s (vs %s)" % (label, c_ref(label)),
                      d["cpu_per_msg_us"], c["cpu_per_msg_us"], over,
                      ("within 10 us" if over <= 10 else "OVER 10 us") if label == "python-binding" else ""))
    libs = {}
    for name, target, rc, sink_us, d in py:
        if d.get("client", "").startswith("python"):
            libs.setdefault((d["client"], d.get("library_label", "")), (d.get("library", "?"), d.get("library_md5", "?"),
                                                                       d.get("package_file", "?")))
    for (client, label), (lib, md5, pkg) in sorted(libs.items()):
        print("  %s (%s): package %s, library %s (md5 %s)" % (client, label or "?", pkg, lib, md5))
print()
print("sink/msg = rmq-sink CPU per message it served (us, warm-up included). thr = process threads")
print("(main + library; the JVM's own threads for Java) at peak during the run. T = consume threads.")
print("Logs: %s" % sys.argv[1].rsplit("/", 1)[0])
PY
