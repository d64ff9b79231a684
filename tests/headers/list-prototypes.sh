#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Part of librocketmq-rust.
#
# Print every function prototype declared in the C API headers
# (include/rocketmq/*.h), one per line, normalised:
#   - ROCKETMQCLIENT_API and comments removed (the headers are run through
#     the C preprocessor; only text that comes from the header itself is
#     kept, not text of the headers it includes);
#   - whitespace collapsed to single spaces, '*' attached to the type
#     ("const char* X(CMessage* msg, int len);"), ", " between parameters,
#     no space before '(' and a trailing ';'.
# Headers are visited in the fixed order below, prototypes in declaration
# order.
#
# Usage: list-prototypes.sh [-n | -H | -c]
#   (none)  prototypes
#   -n      function names only
#   -H      "Header.h: prototype"
#   -c      "Header.h N" per header, then "total N"
# Environment: CC (default gcc), INCLUDE_DIR (default <repo>/include/rocketmq)
set -eu

mode=proto
case "${1:-}" in
  -n) mode=names ;;
  -H) mode=header ;;
  -c) mode=count ;;
  "") ;;
  *) echo "usage: $0 [-n | -H | -c]" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
INCLUDE_DIR=${INCLUDE_DIR:-$root/include/rocketmq}
CC=${CC:-gcc}

HEADERS="CCommon.h CErrorMessage.h CMQException.h CMessage.h CMessageExt.h
CBatchMessage.h CMessageQueue.h CSendResult.h CPullResult.h
CTransactionStatus.h CProducer.h CPushConsumer.h CPullConsumer.h"

total=0
for h in $HEADERS; do
  if [ ! -f "$INCLUDE_DIR/$h" ]; then
    echo "list-prototypes.sh: missing $INCLUDE_DIR/$h" >&2
    exit 1
  fi
  out=$("$CC" -E -std=c99 -x c -I "$INCLUDE_DIR" "$INCLUDE_DIR/$h" | awk -v want="$h" -v mode="$mode" '
    # Line markers: # <line> "<file>" [flags]
    /^# [0-9]+ "/ {
      f = $3; gsub(/"/, "", f); n = split(f, parts, "/"); cur = parts[n]
      next
    }
    cur == want { buf = buf " " $0 }
    END {
      depth = 0; stmt = ""
      for (i = 1; i <= length(buf); i++) {
        ch = substr(buf, i, 1)
        if (ch == "{") depth++
        if (ch == "}") depth--
        if (ch == ";" && depth == 0) { emit(stmt); stmt = ""; continue }
        stmt = stmt ch
      }
    }
    function emit(s,   name) {
      gsub(/[ \t\r\n]+/, " ", s)
      sub(/^ /, "", s); sub(/ $/, "", s)
      if (s == "" || s ~ /^typedef / || s !~ /\(/) return
      gsub(/ *\*/, "*", s)
      while (match(s, /\*[A-Za-z_]/)) s = substr(s, 1, RSTART) " " substr(s, RSTART + 1)
      gsub(/ *, */, ", ", s)
      gsub(/ *\( */, "(", s)
      gsub(/ *\) */, ")", s)
      s = s ";"
      if (mode == "names") {
        match(s, /[A-Za-z_][A-Za-z0-9_]*\(/)
        print substr(s, RSTART, RLENGTH - 1)
      } else if (mode == "header") {
        print want ": " s
      } else {
        print s
      }
    }')
  if [ "$mode" = count ]; then
    if [ -n "$out" ]; then c=$(printf '%s\n' "$out" | wc -l); else c=0; fi
    c=$((c + 0))
    echo "$h $c"
    total=$((total + c))
  elif [ -n "$out" ]; then
    printf '%s\n' "$out"
  fi
done
if [ "$mode" = count ]; then echo "total $total"; fi
