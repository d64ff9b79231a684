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
    println!("cargo:rerun-if-changed=build.rs");
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
