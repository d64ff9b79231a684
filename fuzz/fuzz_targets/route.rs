//! `rocketmq::fuzzing::route` under libFuzzer (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rocketmq::fuzzing::route(data));
