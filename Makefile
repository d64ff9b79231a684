# librocketmq in Rust: build, install, brokers, tests, demo, bench.
PREFIX ?= /usr/local
CARGO ?= cargo
LIB := target/release/librocketmq.so

.PHONY: all build install uninstall broker-up broker-down test test-rust test-c test-python test-go headers-check demo bench clean

all: build

build:
	$(CARGO) build --release

install: build
	scripts/install.sh "$(PREFIX)"

uninstall:
	scripts/install.sh --uninstall "$(PREFIX)"

broker-up:
	scripts/brokers.sh up

broker-down:
	scripts/brokers.sh down

# The whole suite against real brokers (4.9.8 and 5.x), started and stopped here.
test:
	scripts/test-all.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

clean:
	$(CARGO) clean
	rm -rf .build
