fn main() {
    // Hosts find the library through its SONAME (ctypes.util.find_library returns only the SONAME),
    // and rocketmq-client-cpp 2.2.0 used a plain one without a version suffix.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,librocketmq.so");
    println!("cargo:rerun-if-changed=build.rs");
}
