//! `rocketmq::fuzzing::compressed_body` under libFuzzer (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rocketmq::fuzzing::compressed_body(data));
