//! For tests that play a peer on a socket (a fault a real broker cannot produce, or a peer that
//! records what we send).

use std::io::Read;

use super::RemotingCommand;

/// The next frame on `s` without its length prefix, blocking; `None` when the stream ends.
pub fn read_frame(s: &mut impl Read) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).ok()?;
    let mut frame = vec![0u8; u32::from_be_bytes(len) as usize];
    s.read_exact(&mut frame).ok()?;
    Some(frame)
}

/// The next request on `s`, blocking; `None` when the stream ends or the frame is bad.
pub fn read_request(s: &mut impl Read) -> Option<RemotingCommand> {
    RemotingCommand::decode(read_frame(s)?.into()).ok()
}
