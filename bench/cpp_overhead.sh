#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Part of librocketmq-rust: what the C++ API adds per synchronous send over the C API, measured
# two ways against rmq-sink (bench/sink), 1 KiB bodies:
#   1. CPU time: PAIRS alternating runs of bench/producer_bench.c (C API, a fresh CMessage per
#      send) and bench/cpp_producer_bench.cpp (C++ API, a fresh MQMessage per send), one thread
#      and eight, everything pinned to CPU 0 (as scripts/bench.sh's BENCH_TASKSET=same); prints
#      each pair's CPU/msg and the median of the differences. Noisy on a shared machine.
#   2. Instructions: each program under valgrind --tool=callgrind at two message counts (one
#      thread, no warm-up); the per-message count is the slope between the two, so start-up and
#      shutdown cancel out. Deterministic: the robust figure.
# Uses the library in target/release (build it first) and bench/target/release/rmq-sink
# (scripts/bench.sh builds it). Env: PAIRS (default 5), MSGS (default 20000 per thread),
# CG_LOW / CG_HIGH (callgrind message counts, default 2000 / 6000), BENCH_SINK_PORT (29877).
# Prints the results; logs go to bench/target/cpp-overhead/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
lib=$root/target/release
out=bench/target/cpp-overhead
mkdir -p "$out"
port=${BENCH_SINK_PORT:-29877}
pairs=${PAIRS:-5}
msgs=${MSGS:-20000}
low=${CG_LOW:-2000}
high=${CG_HIGH:-6000}
pin="taskset -c 0"

gcc -O2 -pthread -I include -o "$out/producer_bench" bench/producer_bench.c -L "$lib" -lrocketmq -Wl,-rpath,"$lib"
g++ -O2 -std=c++11 -pthread -I include/rocketmq -o "$out/cpp_producer_bench" bench/cpp_producer_bench.cpp \
    -L "$lib" -lrocketmq -Wl,-rpath,"$lib"

$pin bench/target/release/rmq-sink --port "$port" --max-seconds 3600 >"$out/sink.out" 2>"$out/sink.err" &
sink=$!
trap 'kill -TERM $sink 2>/dev/null; wait $sink 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q listening "$out/sink.out" 2>/dev/null && break; sleep 0.05; done
ns=127.0.0.1:$port

# cpu PROGRAM THREADS LOG: the run's CPU per message (us), from its BENCH_JSON line
cpu() {
    $pin "$out/$1" -q -n "$ns" -t rmq_bench -g "overhead_$1_$2" -m "$msgs" -T "$2" -s 1024 >"$3" 2>&1
    grep '^BENCH_JSON' "$3" | sed 's/.*"cpu_per_msg_us":\([0-9.]*\).*/\1/'
}

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
for threads in 1 8; do
    diffs=()
    for i in $(seq "$pairs"); do
        c=$(cpu producer_bench "$threads" "$out/c_T${threads}_$i.log")
        cpp=$(cpu cpp_producer_bench "$threads" "$out/cpp_T${threads}_$i.log")
        d=$(awk -v a="$cpp" -v b="$c" 'BEGIN { printf "%.2f", a - b }')
        diffs+=("$d")
        echo "T$threads pair $i: C $c us/msg, C++ $cpp us/msg, difference $d us"
    done
    median=$(printf '%s\n' "${diffs[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    echo "T$threads: median C++ - C CPU per message over $pairs pairs: $median us"
done

# instructions PROGRAM COUNT: total instructions (Ir) of the whole process under callgrind
instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$out/cg.$1.$2.%p" "$out/$1" -q -n "$ns" -t rmq_bench \
        -g "overhead_cg_$1" -m "$2" -T 1 -W 0 -s 1024 >"$out/cg_$1_$2.log" 2>&1
    grep -h '^summary:' "$out"/cg."$1"."$2".* | awk '{ s += $2 } END { print s }'
    rm -f "$out"/cg."$1"."$2".*
}
c_low=$(instructions producer_bench "$low")
c_high=$(instructions producer_bench "$high")
cpp_low=$(instructions cpp_producer_bench "$low")
cpp_high=$(instructions cpp_producer_bench "$high")
awk -v cl="$c_low" -v ch="$c_high" -v pl="$cpp_low" -v ph="$cpp_high" -v l="$low" -v h="$high" 'BEGIN {
    c = (ch - cl) / (h - l); p = (ph - pl) / (h - l)
    printf "callgrind, instructions per message (slope %d..%d messages): C %.0f, C++ %.0f, C++ layer %+.0f (%+.1f %%)\n",
        l, h, c, p, p - c, 100 * (p - c) / c
}'
