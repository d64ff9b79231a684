#!/usr/bin/env bash
# `make fuzz`: builds the fuzz targets (cargo fuzz, libFuzzer + AddressSanitizer) and runs each
# for a bounded number of inputs or seconds, one job at a time, memory capped. Exits non-zero
# on the first crash, leaving its input in fuzz/artifacts/<target>/ (make it a regression seed:
# fuzz/regressions/<target>/, replayed by `cargo test --lib`).
#
# Knobs (environment):
#   FUZZ_TARGETS   targets to run (default: all in fuzz/fuzz_targets)
#   FUZZ_RUNS      inputs per target (default 200000; -1 = no limit, then FUZZ_SECONDS bounds it)
#   FUZZ_SECONDS   seconds per target at most (default 300; 0 = no limit)
#   FUZZ_RSS_MB    memory limit per process, MiB (default 2048; also the largest single malloc)
#   FUZZ_MAX_LEN   largest input, bytes (default 65536)
#   FUZZ_BUILD     0: run the binaries already built, do not rebuild
#   FUZZ_TOOLCHAIN toolchain for cargo fuzz (default nightly; with a stable one RUSTC_BOOTSTRAP=1
#                  is set, which lets it take the -Z sanitizer flags)
set -euo pipefail

cd "$(dirname "$0")"
toolchain=${FUZZ_TOOLCHAIN:-nightly}
targets=${FUZZ_TARGETS:-$(cd fuzz_targets && ls *.rs | sed 's/\.rs$//')}
runs=${FUZZ_RUNS:-200000}
seconds=${FUZZ_SECONDS:-300}
rss=${FUZZ_RSS_MB:-2048}
max_len=${FUZZ_MAX_LEN:-65536}
bin=target/x86_64-unknown-linux-gnu/release

if ! cargo "+$toolchain" fuzz --version >/dev/null 2>&1; then
    echo "cargo fuzz is missing: cargo install cargo-fuzz (and a nightly toolchain: rustup toolchain install nightly --profile minimal)" >&2
    exit 2
fi
if [ "${FUZZ_BUILD:-1}" != 0 ]; then
    [[ $toolchain == nightly* ]] || export RUSTC_BOOTSTRAP=1
    cargo "+$toolchain" fuzz build
fi

total=0
for t in $targets; do
    mkdir -p "work-corpus/$t" "artifacts/$t"
    log="artifacts/$t/last-run.log"
    # The binary itself, not `cargo fuzz run`: no rebuild when the tree changes while it runs.
    # work-corpus/ gathers what libFuzzer finds (git-ignored); corpus/ holds the committed seeds.
    if ! "$bin/$t" "work-corpus/$t" "corpus/$t" -runs="$runs" -max_total_time="$seconds" -rss_limit_mb="$rss" \
        -malloc_limit_mb="$rss" -max_len="$max_len" -timeout=10 -artifact_prefix="artifacts/$t/" \
        -print_final_stats=1 >"$log" 2>&1; then
        tail -40 "$log" >&2
        echo "fuzz target $t FAILED; its input is in fuzz/artifacts/$t/" >&2
        exit 1
    fi
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    rss_peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
    total=$((total + n))
    printf '%-16s %10s inputs %7s exec/s  peak RSS %5s MiB  0 crashes\n' "$t" "$n" "$rate" "$rss_peak"
done
echo "total: $total inputs"
