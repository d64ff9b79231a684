#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Part of librocketmq-rust.
#
# What `make install` (scripts/install.sh) put under PREFIX is a release artifact:
#   * PREFIX/lib/librocketmq.so is stripped (no symbol table, no debug sections) and at most
#     4 MiB;
#   * its debug info is PREFIX/lib/.debug/librocketmq.so.debug, named by the library's
#     .gnu_debuglink and carrying the same build id;
#   * the installed library has the shape tests/link/check.sh checks (SONAME, run-time needs,
#     exactly the C and C++ API exported).
#
#   tests/link/installed.sh PREFIX
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=${1:?usage: $0 PREFIX}
lib=$prefix/lib/librocketmq.so
debug=$prefix/lib/.debug/librocketmq.so.debug
limit=$((4 * 1024 * 1024))

fail() { echo "FAIL: $*"; exit 1; }

[ -f "$lib" ] || fail "no $lib"
size=$(wc -c <"$lib")
[ "$size" -le "$limit" ] || fail "$lib is $size bytes, more than 4 MiB ($limit)"
echo "ok: $lib is $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1048576 }') MiB, limit 4 MiB)"

sections=$(readelf -S -W "$lib" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\.(symtab|debug_)/) print $i }')
[ -z "$sections" ] || fail "$lib is not stripped: $(echo "$sections" | tr '\n' ' ')"
echo "ok: stripped (no .symtab, no .debug_* sections)"

link=$(readelf --string-dump=.gnu_debuglink "$lib" 2>/dev/null | awk '/\[ *0\]/ { print $3; exit }')
[ "$link" = librocketmq.so.debug ] || fail "$lib: .gnu_debuglink is '$link', not librocketmq.so.debug"
[ -f "$debug" ] || fail "no $debug"
readelf -S -W "$debug" | grep -q '\.debug_line' || fail "$debug has no .debug_line"
build_id() { readelf -n "$1" | awk '/Build ID/ { print $3 }'; }
lib_id=$(build_id "$lib")
[ -n "$lib_id" ] && [ "$lib_id" = "$(build_id "$debug")" ] || fail "build ids differ: $lib ($lib_id), $debug ($(build_id "$debug"))"
echo "ok: debug info in $debug (debuglink and build id $lib_id match)"

sh "$here/check.sh" "$lib"
