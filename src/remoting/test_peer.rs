//! For tests that play a peer on a plain socket (a fault a real broker cannot produce).

use std::io::Read;
use std::net::TcpStream;

use super::RemotingCommand;

/// The next request frame on `s`, blocking; `None` when the socket closes or the frame is bad.
pub fn read_request(s: &mut TcpStream) -> Option<RemotingCommand> {
    let mut len = [0u8; 4];
    s.read_exact(&mut len).ok()?;
    let mut frame = vec![0u8; u32::from_be_bytes(len) as usize];
    s.read_exact(&mut frame).ok()?;
    RemotingCommand::decode(frame.into()).ok()
}
