//! Keeps libm out of the library's run-time needs.
//!
//! tokio's multi-thread scheduler calls `pow` (for its average task poll time), and that one
//! call would make `librocketmq.so` need `libm.so.6`. Here `pow` is defined inside the library
//! (the `libm` crate's pure-Rust port), weak and hidden: the link resolves tokio's call to it,
//! `--as-needed` then drops libm, and no host ever sees or binds to this symbol.

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
std::arch::global_asm!(
    ".weak pow",
    ".hidden pow",
    ".type pow, @function",
    ".set pow, {implementation}",
    implementation = sym pow,
);

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
extern "C" fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

#[cfg(all(test, target_os = "linux", target_arch = "x86_64"))]
mod tests {
    // Expected values from CPython's `**` (glibc's pow); std's `powf` would call this very
    // `pow` here, so it cannot serve as the reference.
    #[test]
    fn pow_matches_glibc() {
        let cases = [(0.5, 3.0, 0.125), (2.0, 10.0, 1024.0), (0.9, 0.25, 0.9740037464252967), (0.8, 7.5, 0.18757497724598562)];
        for (x, y, expected) in cases {
            assert_eq!(super::pow(x, y), expected, "pow({x}, {y})");
        }
    }
}
