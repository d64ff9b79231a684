fn main() {
    // Hosts find the library through its SONAME (ctypes.util.find_library returns only the SONAME),
    // and rocketmq-client-cpp 2.2.0 used a plain one without a version suffix.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,librocketmq.so");
    // Unwinding (needed to catch panics at the C boundary) comes from the static libgcc_eh,
    // linked ahead of std's libgcc_s, which `--as-needed` then drops: the library needs nothing
    // but glibc at run time.
    if let Some(dir) = gcc_eh_dir() {
        println!("cargo:rustc-link-search=native={dir}");
        println!("cargo:rustc-link-lib=static:-bundle=gcc_eh");
    }
    build_cpp_api();
    println!("cargo:rerun-if-changed=build.rs");
}

/// The C++ API of 2.2.0 (bindings/cpp, glue over the C API) in the same library: an archive
/// bundled into librocketmq.a, and all of it (nothing in Rust refers to it) in librocketmq.so,
/// whose version script also exports namespace rocketmq. libstdc++ is the system's, linked
/// dynamically.
fn build_cpp_api() {
    const SOURCES: [&str; 7] = ["values", "glue", "client_ops", "producer", "transaction_producer", "push_consumer", "pull_consumer"];
    let mut build = cc::Build::new();
    build.cpp(true).std("c++11").include("include/rocketmq").include("bindings/cpp").warnings(true).extra_warnings(true);
    for source in SOURCES {
        build.file(format!("bindings/cpp/{source}.cpp"));
    }
    build.compile("rocketmq_cpp");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    println!("cargo:rustc-cdylib-link-arg=-Wl,--whole-archive,{out_dir}/librocketmq_cpp.a,--no-whole-archive");
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-cdylib-link-arg=-Wl,--version-script={root}/bindings/cpp/exports.map");
    println!("cargo:rerun-if-changed=bindings/cpp");
    println!("cargo:rerun-if-changed=include/rocketmq");
}

fn gcc_eh_dir() -> Option<String> {
    if std::env::var("CARGO_CFG_TARGET_OS").ok()? != "linux" || std::env::var("CARGO_CFG_TARGET_ENV").ok()? != "gnu" {
        return None;
    }
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = std::process::Command::new(cc).arg("-print-file-name=libgcc_eh.a").output().ok()?;
    let path = std::path::PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    if !path.is_absolute() || !path.exists() {
        return None;
    }
    Some(path.parent()?.to_string_lossy().into_owned())
}
