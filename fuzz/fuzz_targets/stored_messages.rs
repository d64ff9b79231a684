//! `rocketmq::fuzzing::stored_messages` under libFuzzer (see fuzz/README.md).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rocketmq::fuzzing::stored_messages(data));
