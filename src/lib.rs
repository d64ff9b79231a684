//! librocketmq in Rust: a drop-in replacement for the shared library of Apache
//! rocketmq-client-cpp 2.2.0.
//!
//! * [`remoting`]: frames, `RemotingCommand`, connections.
//! * [`core`]: producer, pull, routes, signing; async, no FFI types.
//! * `capi`: the exported C functions of the 2.2.0 headers (one module per header).

pub mod core;
pub mod remoting;
/// The decoders of bytes from the network as the fuzz targets in `fuzz/` call them; not API.
#[doc(hidden)]
pub mod fuzzing;
mod capi;
mod libm_shim;
