#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Part of librocketmq-rust.
#
# Checks that the hand-written C headers (include/rocketmq/*.h) still describe what the Rust
# code exports: cbindgen generates one header from the crate (src/capi, see cbindgen.toml) into
# .build/generated/rocketmq_capi.h, and cbindgen_compare.py compares the two:
#   * the exported functions are exactly the 144 of prototypes.txt, each with the same return
#     type, parameter types (constness included) and parameter names, in the same order;
#   * the structs (CSendResult, CSendResultEx, CMessageExtFields, CMQException, CMessageQueue, CPullResult): field names, types,
#     array sizes, order, and sizeof/offsetof as compiled;
#   * the callback typedefs (signature and parameter names), the opaque handles, the enum
#     typedefs (Rust: `int` aliases of the same name);
#   * the constants (#define and enumerators) equal the Rust constants, as compiled;
#   * nothing else is exported but VERSION_FOR_PUSH_CONSUMER / VERSION_FOR_PULL_CONSUMER.
# Prints one line per mismatch and "N passed, M failed"; exits 1 on a mismatch.
#
# cbindgen (pinned version below) is taken from $CBINDGEN, else .build/tools/bin, else PATH
# when its version matches, else installed with
#   cargo install --root .build/tools cbindgen --version <pinned> --locked
# (crates.io; about 1-2 minutes on 2 cores, once per clone).
#
# Usage: cbindgen-check.sh [-v]   (-v: also list what matched)
# Environment: CC (default gcc), CARGO (default cargo), PYTHON (default python3),
#              CBINDGEN (path of a cbindgen binary to use as is).
set -u

CBINDGEN_VERSION=0.29.4

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CARGO=${CARGO:-cargo}
PYTHON=${PYTHON:-python3}
export CC="${CC:-gcc}"
verbose=
case "${1:-}" in
  -v) verbose=-v ;;
  "") ;;
  *) echo "usage: $0 [-v]" >&2; exit 2 ;;
esac

tools=$root/.build/tools
generated=$root/.build/generated/rocketmq_capi.h

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rocketmq-cbindgen.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

give_up() {
  echo "FAIL $1"
  [ -f "$tmp/log" ] && sed 's/^/    /' "$tmp/log" | tail -n 30
  echo "0 passed, 1 failed"
  exit 1
}

has_version() {
  [ -x "$1" ] || command -v "$1" >/dev/null 2>&1 || return 1
  [ "$("$1" --version 2>/dev/null)" = "cbindgen $CBINDGEN_VERSION" ]
}

if [ -n "${CBINDGEN:-}" ]; then
  cbindgen=$CBINDGEN
elif has_version "$tools/bin/cbindgen"; then
  cbindgen=$tools/bin/cbindgen
elif has_version cbindgen; then
  cbindgen=$(command -v cbindgen)
else
  echo "installing cbindgen $CBINDGEN_VERSION into .build/tools (cargo install --locked) ..."
  start=$(date +%s)
  if ! "$CARGO" install --quiet --root "$tools" cbindgen --version "$CBINDGEN_VERSION" --locked >"$tmp/log" 2>&1; then
    give_up "cargo install cbindgen $CBINDGEN_VERSION"
  fi
  echo "installed cbindgen in $(($(date +%s) - start)) s"
  cbindgen=$tools/bin/cbindgen
fi

mkdir -p "$(dirname "$generated")"
rm -f "$generated"
if ! (cd "$root" && "$cbindgen" --quiet --config cbindgen.toml --crate rocketmq --output "$generated") >"$tmp/log" 2>&1 \
  || [ ! -s "$generated" ]; then
  give_up "cbindgen --config cbindgen.toml --crate rocketmq ($cbindgen)"
fi

"$PYTHON" "$here/cbindgen_compare.py" $verbose "$root" "$generated" "$tmp"
