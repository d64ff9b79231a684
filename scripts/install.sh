#!/usr/bin/env bash
# Install (or remove) librocketmq the way rocketmq-client-cpp 2.2.0's packages did:
#
#   PREFIX/lib/librocketmq.so        (SONAME librocketmq.so, found by ldconfig / ctypes.util.find_library)
#   PREFIX/lib/librocketmq.a
#   PREFIX/include/rocketmq/*.h      (flat: cgo clients do `#include <rocketmq/CProducer.h>`)
#   PREFIX/lib/pkgconfig/rocketmq.pc
#
# Usage: scripts/install.sh [--uninstall] [PREFIX]      (PREFIX defaults to /usr/local)
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
    rm -f "$libdir/librocketmq.so" "$libdir/librocketmq.a" "$pcdir/rocketmq.pc"
    for h in "${headers[@]}"; do
        rm -f "$incdir/$(basename "$h")"
    done
    # Remove the header directory only if it is now empty (it is ours); leave shared dirs alone.
    [ -d "$incdir" ] && rmdir --ignore-fail-on-non-empty "$incdir"
    run_ldconfig
    echo "uninstalled librocketmq from $prefix"
    exit 0
fi

[ -f "$so" ] || { echo "$repo/$so not found: run 'cargo build --release' (or 'make build') first" >&2; exit 1; }
[ ${#headers[@]} -gt 0 ] || { echo "no headers in $repo/include/rocketmq/" >&2; exit 1; }

install -d -m 0755 "$libdir" "$incdir" "$pcdir"
install -m 0755 "$so" "$libdir/librocketmq.so"
if [ -f "$ar" ]; then
    install -m 0644 "$ar" "$libdir/librocketmq.a"
else
    echo "warning: $ar not built; installing the shared library only" >&2
fi
install -m 0644 "${headers[@]}" "$incdir/"

tmp_pc=$(mktemp)
trap 'rm -f "$tmp_pc"' EXIT
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
Libs.private: -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
Cflags: -I\${includedir}
EOF
install -m 0644 "$tmp_pc" "$pcdir/rocketmq.pc"

run_ldconfig
echo "installed librocketmq $crate_version into $prefix (lib: $libdir, headers: $incdir)"
