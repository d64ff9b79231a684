# librocketmq in Rust: build, install, brokers, tests, demo, bench.
PREFIX ?= /usr/local
CARGO ?= cargo
LIB := target/release/librocketmq.so

.PHONY: all build install uninstall broker-up broker-down test demo bench clean

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

bench:
	scripts/bench.sh

clean:
	$(CARGO) clean
	rm -rf .build
