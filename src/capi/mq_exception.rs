//! `CMQException.h`: the error handed to asynchronous send callbacks, by value.

use std::ffi::{c_char, c_int};

pub const MAX_EXEPTION_MSG_LENGTH: usize = 512;
pub const MAX_EXEPTION_FILE_LENGTH: usize = 256;
pub const MAX_EXEPTION_TYPE_LENGTH: usize = 128;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct CMQException {
    pub error: c_int,
    pub line: c_int,
    pub file: [c_char; MAX_EXEPTION_FILE_LENGTH],
    pub msg: [c_char; MAX_EXEPTION_MSG_LENGTH],
    pub r#type: [c_char; MAX_EXEPTION_TYPE_LENGTH],
}

impl CMQException {
    /// Fully initialised (2.2.0 left `type` as garbage).
    pub fn new(error: c_int, text: &str) -> Self {
        let mut e = CMQException {
            error,
            line: 0,
            file: [0; MAX_EXEPTION_FILE_LENGTH],
            msg: [0; MAX_EXEPTION_MSG_LENGTH],
            r#type: [0; MAX_EXEPTION_TYPE_LENGTH],
        };
        super::copy_to_buf("librocketmq-rust", &mut e.file);
        super::copy_to_buf(text, &mut e.msg);
        super::copy_to_buf("MQClientException", &mut e.r#type);
        e
    }
}
