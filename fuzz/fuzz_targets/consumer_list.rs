//! `rocketmq::fuzzing::consumer_list` under libFuzzer (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rocketmq::fuzzing::consumer_list(data));
