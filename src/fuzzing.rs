//! Entry points for the fuzz targets in `fuzz/` (cargo fuzz) and for their replay as ordinary
//! tests: each takes bytes as a broker or name server could send them and runs them through the
//! decoders the client uses on the wire, the way the client uses them. Not part of the API
//! (hidden from the docs); nothing here runs in the library itself.
//!
//! Every function must return for any input: an error is fine, a panic, a hang or an
//! allocation out of proportion to the input is a bug in the decoder it calls.

use bytes::{Bytes, BytesMut};

use crate::core::consumer::rebalance::parse_consumer_list;
use crate::core::error::access_denied_reason;
use crate::core::message::{decode_message, decode_messages, decode_properties, decompress, encode_properties, sysflag, MessageExt};
use crate::core::pull::{pull_result, TagFilter};
use crate::core::route::TopicRouteData;
use crate::core::transaction::commit_log_offset;
use crate::remoting::command::split_frame;
use crate::remoting::RemotingCommand;

/// A fuzz target: bytes in, nothing out (it must only not panic).
pub type Target = fn(&[u8]);

/// The fuzz targets, by name: `fuzz/fuzz_targets/<name>.rs` calls the function, and
/// `fuzz/corpus/<name>/` holds its seeds.
pub const TARGETS: &[(&str, Target)] = &[
    ("frames", frames),
    ("command", command),
    ("stored_messages", stored_messages),
    ("compressed_body", compressed_body),
    ("properties", properties),
    ("route", route),
    ("consumer_list", consumer_list),
    ("pull_result", pull_result_frame),
];

/// A byte stream from a peer, cut into frames and decoded as the connections do. The first byte
/// sets how many bytes arrive per read (1 to 256), so frames split across reads are covered.
pub fn frames(data: &[u8]) {
    let Some((&chunk, stream)) = data.split_first() else { return };
    let chunk = chunk as usize + 1;
    let mut buf = BytesMut::new();
    for piece in stream.chunks(chunk) {
        buf.extend_from_slice(piece);
        loop {
            match split_frame(&mut buf) {
                Ok(Some(frame)) => {
                    if let Ok(cmd) = RemotingCommand::decode(frame) {
                        interpret_header(&cmd);
                    }
                }
                Ok(None) => break,
                Err(_) => return, // the connection is dropped here
            }
        }
    }
}

/// One frame without its length prefix: the header (JSON or binary `ROCKETMQ`) and the body.
pub fn command(data: &[u8]) {
    if let Ok(cmd) = RemotingCommand::decode(Bytes::copy_from_slice(data)) {
        interpret_header(&cmd);
        // What we decode, we must be able to send back (a response echoes fields).
        let _ = cmd.encode();
    }
}

/// What the client reads from any response header: numeric fields, the refusal reason in a
/// remark, and the commit-log offset inside a `msgId`.
fn interpret_header(cmd: &RemotingCommand) {
    for key in cmd.ext_fields.keys() {
        let _ = cmd.field_i64(key);
    }
    let _ = access_denied_reason(cmd.code, &cmd.remark);
    let _ = commit_log_offset(cmd.field("msgId").unwrap_or_default());
}

/// A pull body (back-to-back stored messages, compressed ones inflated), and the same bytes as
/// the single message of a transaction check.
pub fn stored_messages(data: &[u8]) {
    let bytes = Bytes::copy_from_slice(data);
    if let Ok(messages) = decode_messages(bytes.clone()) {
        messages.iter().for_each(read_message);
    }
    if let Ok(m) = decode_message(bytes) {
        read_message(&m);
    }
}

/// What a consumer reads from every message (ids are made from the decoded fields).
fn read_message(m: &MessageExt) {
    let _ = m.msg_id();
    let _ = m.offset_msg_id();
    let _ = m.message.delay_level();
}

/// A compressed body: the first byte's low three bits are the compression type of the sys flag
/// (0 and 3 zlib, 1 LZ4, 2 zstd), the rest is the body.
pub fn compressed_body(data: &[u8]) {
    let Some((&kind, body)) = data.split_first() else { return };
    let sys_flag = sysflag::COMPRESSED | ((kind as i32 & 0x7) << 8);
    let _ = decompress(body, sys_flag);
}

/// A properties string (`name\x01value\x02`…). Whatever it decodes to encodes to a string that
/// decodes to the same map.
pub fn properties(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let decoded = decode_properties(&text);
    let again = decode_properties(&encode_properties(&decoded));
    assert_eq!(again, decoded, "properties do not survive a round trip");
}

/// A name server's route data, and the queue lists a producer and a consumer derive from it.
pub fn route(data: &[u8]) {
    if let Ok(route) = TopicRouteData::parse(data) {
        let _ = route.write_queues("T");
        let _ = route.read_queues("T");
        for b in &route.broker_datas {
            let _ = route.master_addr(&b.broker_name);
        }
    }
}

/// A broker's GET_CONSUMER_LIST_BY_GROUP answer body.
pub fn consumer_list(data: &[u8]) {
    let _ = parse_consumer_list(data);
}

/// A whole PULL_MESSAGE response frame (prefix excluded): status, offsets, messages, tag filter.
pub fn pull_result_frame(data: &[u8]) {
    if let Ok(resp) = RemotingCommand::decode(Bytes::copy_from_slice(data)) {
        let filter = TagFilter::parse("TagA || TagB");
        if let Ok(result) = pull_result(resp, &filter, 0, "broker") {
            result.messages.iter().for_each(read_message);
        }
    }
}

/// The committed corpus and crash seeds, replayed through every target on each `cargo test`.
#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::TARGETS;

    fn files_in(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    /// `fuzz/corpus/<target>/*` and `fuzz/regressions/<target>/*` (the inputs that once crashed
    /// a target, kept after the fix) through their own target, and every file through every
    /// target: a seed of one decoder is hostile input for the others.
    #[test]
    fn the_fuzz_corpus_and_crash_seeds_decode_without_panics() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
        let mut replayed = 0;
        let mut all = Vec::new();
        for (name, _) in TARGETS {
            for kind in ["corpus", "regressions"] {
                all.extend(files_in(&root.join(kind).join(name)));
            }
        }
        for file in &all {
            let data = std::fs::read(file).unwrap();
            for (name, target) in TARGETS {
                let outcome = std::panic::catch_unwind(|| target(&data));
                assert!(outcome.is_ok(), "{name} panicked on {}", file.display());
                replayed += 1;
            }
        }
        assert!(all.len() >= TARGETS.len(), "the fuzz corpus is missing: {} files under {}", all.len(), root.display());
        eprintln!("replayed {} files through {} targets ({replayed} runs)", all.len(), TARGETS.len());
    }
}
