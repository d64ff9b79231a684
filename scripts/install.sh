#!/usr/bin/env bash
# Install (or remove) librocketmq the way rocketmq-client-cpp 2.2.0's packages did:
#
#   PREFIX/lib/librocketmq.so        (SONAME librocketmq.so, found by ldconfig / ctypes.util.find_library;
#                                    stripped, with a .gnu_debuglink to the file below)
#   PREFIX/lib/.debug/librocketmq.so.debug   its debug info (line tables), where gdb looks for it
#   PREFIX/lib/librocketmq.a          (without debug info)
#   PREFIX/include/rocketmq/*.h      (flat: cgo clients do `#include <rocketmq/CProducer.h>`)
#   PREFIX/lib/pkgconfig/rocketmq.pc
#
# Usage: scripts/install.sh [--uninstall] [PREFIX]      (PREFIX defaults to /usr/local)
#
# The library is the release build (Cargo.toml: one LTO unit), built here first (cargo does
# nothing when it is current); INSTALL_NO_BUILD=1 skips that.
#
# Idempotent: installing twice gives the same result, uninstalling what is not there is fine.
# `install` replaces files by unlink + create, so running processes keep their mapped copy.
set -euo pipefail

usage() {
    echo "usage: $0 [--uninstall] [PREFIX]   (default PREFIX: /usr/local)" >&2
    exit 2
}

mode=install
prefix=
for arg in "$@"; do
    case "$arg" in
        --uninstall) mode=uninstall ;;
        -h|--help) usage ;;
        -*) echo "unknown option: $arg" >&2; usage ;;
        *) [ -z "$prefix" ] || usage; prefix=$arg ;;
    esac
done
prefix=${prefix:-/usr/local}
# Absolute prefix (the .pc file must not contain a relative path); resolved before the cd below.
prefix=$(realpath -m -- "$prefix")

# Work from the repository root whatever the caller's cwd is.
cd "$(dirname "$(readlink -f "$0")")/.."
repo=$(pwd)

libdir=$prefix/lib
incdir=$prefix/include/rocketmq
pcdir=$libdir/pkgconfig

so=target/release/librocketmq.so
ar=target/release/librocketmq.a
debugdir=$libdir/.debug
headers=()
for h in include/rocketmq/*.h; do
    [ -e "$h" ] && headers+=("$h")
done

# Crate version from Cargo.toml's [package] section.
crate_version=$(awk '
    /^\[/ { in_pkg = ($0 == "[package]") }
    in_pkg && /^[[:space:]]*version[[:space:]]*=/ {
        sub(/^[^=]*=[[:space:]]*"/, ""); sub(/".*$/, ""); print; exit
    }' Cargo.toml)
[ -n "$crate_version" ] || { echo "cannot read the crate version from $repo/Cargo.toml" >&2; exit 1; }

run_ldconfig() {
    # Refresh the linker cache so ctypes.util.find_library('rocketmq') sees the change. For a prefix
    # outside ld.so.conf this changes nothing, which is fine. Not fatal (e.g. non-root staging installs).
    if command -v ldconfig >/dev/null 2>&1; then
        ldconfig 2>/dev/null || ldconfig -n "$libdir" 2>/dev/null \
            || echo "warning: ldconfig failed (not root?); run it yourself" >&2
    elif [ -x /sbin/ldconfig ]; then
        /sbin/ldconfig || echo "warning: ldconfig failed" >&2
    else
        echo "warning: ldconfig not found" >&2
    fi
}

if [ "$mode" = uninstall ]; then
    rm -f "$libdir/librocketmq.so" "$libdir/librocketmq.a" "$pcdir/rocketmq.pc" "$debugdir/librocketmq.so.debug"
    [ -d "$debugdir" ] && rmdir --ignore-fail-on-non-empty "$debugdir"
    for h in "${headers[@]}"; do
        rm -f "$incdir/$(basename "$h")"
    done
    # Remove the header directory only if it is now empty (it is ours); leave shared dirs alone.
    [ -d "$incdir" ] && rmdir --ignore-fail-on-non-empty "$incdir"
    run_ldconfig
    echo "uninstalled librocketmq from $prefix"
    exit 0
fi

if [ "${INSTALL_NO_BUILD:-0}" != 1 ]; then
    "${CARGO:-cargo}" build --release --locked >&2 || { echo "cargo build --release failed" >&2; exit 1; }
fi
[ -f "$so" ] || { echo "$repo/$so not found: run 'cargo build --release' first" >&2; exit 1; }
[ ${#headers[@]} -gt 0 ] || { echo "no headers in $repo/include/rocketmq/" >&2; exit 1; }
for tool in objcopy strip; do
    command -v "$tool" >/dev/null || { echo "$tool (binutils) not found" >&2; exit 1; }
done

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# The debug info goes to its own file; the library keeps its dynamic symbols (the API) and a
# .gnu_debuglink naming that file, which gdb finds in the .debug folder beside the library.
objcopy --only-keep-debug "$so" "$stage/librocketmq.so.debug"
objcopy --strip-all --add-gnu-debuglink="$stage/librocketmq.so.debug" "$so" "$stage/librocketmq.so"
install -d -m 0755 "$libdir" "$incdir" "$pcdir" "$debugdir"
install -m 0755 "$stage/librocketmq.so" "$libdir/librocketmq.so"
install -m 0644 "$stage/librocketmq.so.debug" "$debugdir/librocketmq.so.debug"
if [ -f "$ar" ]; then
    strip --strip-debug -o "$stage/librocketmq.a" "$ar"
    install -m 0644 "$stage/librocketmq.a" "$libdir/librocketmq.a"
else
    echo "warning: $ar not built; installing the shared library only" >&2
fi
install -m 0644 "${headers[@]}" "$incdir/"

tmp_pc=$stage/rocketmq.pc
cat >"$tmp_pc" <<EOF
prefix=$prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include
# C API / ABI this library is a drop-in for: pkg-config --variable=compat_version rocketmq
compat_version=2.2.0

Name: rocketmq
Description: RocketMQ client library, drop-in replacement for rocketmq-client-cpp 2.2.0 (C API compatible, written in Rust)
Version: $crate_version
Libs: -L\${libdir} -lrocketmq
Libs.private: -lstdc++ -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
Cflags: -I\${includedir}
EOF
install -m 0644 "$tmp_pc" "$pcdir/rocketmq.pc"

run_ldconfig
echo "installed librocketmq $crate_version into $prefix (lib: $libdir, headers: $incdir)"
