# librocketmq in Rust: build, install, brokers, tests, demo, bench.
PREFIX ?= /usr/local
CARGO ?= cargo
LIB := target/release/librocketmq.so

.PHONY: all build install uninstall broker-up broker-down test demo bench fuzz clean

all: build

build:
	$(CARGO) build --release

install:
	scripts/install.sh "$(PREFIX)"

uninstall:
	scripts/install.sh --uninstall "$(PREFIX)"

broker-up:
	scripts/brokers.sh up

broker-down:
	scripts/brokers.sh down

# The whole suite against real brokers (4.9.8, or 4.9.7 where 4.9.8 is not served, and 5.5.0), started and stopped here.
test:
	scripts/test-all.sh

demo:
	scripts/demo.sh

# The wire decoders under libFuzzer (cargo fuzz, nightly), bounded; not part of `make test`.
# Knobs: FUZZ_RUNS (inputs per target, default 200000), FUZZ_SECONDS (per target, default 300),
# FUZZ_TARGETS, FUZZ_RSS_MB, FUZZ_MAX_LEN, FUZZ_BUILD=0; see fuzz/README.md.
fuzz:
	fuzz/run.sh

bench:
	scripts/bench.sh

clean:
	$(CARGO) clean
	rm -rf .build
