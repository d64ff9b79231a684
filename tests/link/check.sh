#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Part of librocketmq-rust.
#
# The shape of the built shared library (target/release/librocketmq.so, or $1):
#   * its SONAME is librocketmq.so, as 2.2.0's was;
#   * at run time it needs nothing but glibc's libc.so.6, the dynamic loader and the system's
#     C++ runtime (libstdc++.so.6, for the C++ API);
#   * it exports exactly the C API (the functions of tests/headers/prototypes.txt and the two
#     VERSION_FOR_* arrays 2.2.0 exported) and the C++ API (the symbols of namespace rocketmq
#     listed in bindings/cpp/exports.map), and nothing else a host could bind to by accident.
# Exits 1 on the first mismatch, printing it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lib=${1:-$root/target/release/librocketmq.so}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rocketmq-link.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() { echo "FAIL: $*"; exit 1; }

soname=$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = librocketmq.so ] || fail "SONAME is '$soname', not librocketmq.so"
echo "ok: SONAME librocketmq.so"

objdump -p "$lib" | awk '$1 == "NEEDED" { print $2 }' | sort >"$tmp/needed"
extra=$(grep -v -x -e 'libc\.so\.6' -e 'libstdc++\.so\.6' -e 'ld-linux-x86-64\.so\.2' -e 'ld-linux-aarch64\.so\.1' "$tmp/needed" || true)
[ -z "$extra" ] || fail "needs more than glibc's libc and libstdc++ at run time: $(echo "$extra" | tr '\n' ' ')"
echo "ok: needs only $(tr '\n' ' ' <"$tmp/needed")"

sed -E 's/^.*[ *]([A-Za-z_][A-Za-z_0-9]*)\(.*$/\1/' "$root/tests/headers/prototypes.txt" >"$tmp/api"
printf '%s\n' VERSION_FOR_PULL_CONSUMER VERSION_FOR_PUSH_CONSUMER >>"$tmp/api"
c_api=$(wc -l <"$tmp/api")
sed -n 's/^ *\(_Z[A-Za-z0-9_]*\);$/\1/p' "$root/bindings/cpp/exports.map" >>"$tmp/api"
cpp_api=$(($(wc -l <"$tmp/api") - c_api))
sort -o "$tmp/api" "$tmp/api"
nm -D --defined-only "$lib" | awk '{ print $NF }' | sed 's/@.*//' | sort -u >"$tmp/exported"
missing=$(comm -23 "$tmp/api" "$tmp/exported")
unexpected=$(comm -13 "$tmp/api" "$tmp/exported")
[ -z "$missing" ] || fail "not exported: $(echo "$missing" | tr '\n' ' ')"
[ -z "$unexpected" ] || fail "exported but in neither API: $(echo "$unexpected" | tr '\n' ' ')"
echo "ok: exports exactly the $((c_api)) C API symbols and the $cpp_api C++ API symbols"
