//! `CTransactionStatus.h`: what a local transaction decided.
#![allow(dead_code)] // constants of the header, not all used by the library itself

use std::ffi::c_int;

/// `CTransactionStatus`: commit 0, rollback 1, unknown 2 (any other value counts as unknown).
pub type CTransactionStatus = c_int;

pub const E_COMMIT_TRANSACTION: c_int = 0;
pub const E_ROLLBACK_TRANSACTION: c_int = 1;
pub const E_UNKNOWN_TRANSACTION: c_int = 2;
