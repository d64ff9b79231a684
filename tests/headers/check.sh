#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Part of librocketmq-rust.
#
# Compile-time checks of the C API headers in include/rocketmq/:
#   * every header on its own, as C99 and as C++11, found both as <X.h>
#     (-I include/rocketmq) and as <rocketmq/X.h> (-I include);
#   * all headers together, twice, in reverse order (include guards);
#   * the 21 C++ API headers (2.2.0's) alone and together with the C headers, as C++11;
#   * the include graph between the headers;
#   * layout.c (struct sizes/offsets, enum values, constants) as C11 and
#     C++11;
#   * the extracted prototype list equals prototypes.txt (144 functions);
#   * a C++ translation unit references every function with C linkage
#     (unmangled symbols);
#   * the headers match the Rust code (cbindgen-check.sh: a header generated
#     by cbindgen from src/capi compared with include/rocketmq).
# Prints one line per check and "N passed, M failed"; exits 1 on failure.
# Environment: CC (default gcc), CXX (default g++).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
inc=$root/include
CC=${CC:-gcc}
CXX=${CXX:-g++}
CFLAGS99="-std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only"
CXXFLAGS11="-std=c++11 -Wall -Wextra -Werror -pedantic -fsyntax-only"

HEADERS="CCommon.h CErrorMessage.h CMQException.h CMessage.h CMessageExt.h
CBatchMessage.h CMessageQueue.h CSendResult.h CPullResult.h
CTransactionStatus.h CProducer.h CPushConsumer.h CPullConsumer.h"
EXPECTED_FUNCTIONS=144

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rocketmq-headers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

passed=0
failed=0
# check <label> <command...>: run the command, record and print the outcome.
check() {
  label=$1
  shift
  if "$@" >"$tmp/log" 2>&1; then
    passed=$((passed + 1))
    echo "PASS $label"
  else
    failed=$((failed + 1))
    echo "FAIL $label"
    sed 's/^/    /' "$tmp/log" | head -n 40
  fi
}

# 1. Each header alone, C and C++, both include styles.
for h in $HEADERS; do
  printf '#include <%s>\n' "$h" >"$tmp/flat.c"
  printf '#include <rocketmq/%s>\n' "$h" >"$tmp/sub.c"
  check "c99   -I include/rocketmq  <$h>" $CC $CFLAGS99 -I "$inc/rocketmq" "$tmp/flat.c"
  check "c++11 -I include/rocketmq  <$h>" $CXX $CXXFLAGS11 -x c++ -I "$inc/rocketmq" "$tmp/flat.c"
  check "c99   -I include  <rocketmq/$h>" $CC $CFLAGS99 -I "$inc" "$tmp/sub.c"
  check "c++11 -I include  <rocketmq/$h>" $CXX $CXXFLAGS11 -x c++ -I "$inc" "$tmp/sub.c"
done

# 2. All headers, reverse order, each twice.
: >"$tmp/all.c"
for h in $(printf '%s\n' $HEADERS | sed '1!G;h;$!d'); do
  printf '#include <rocketmq/%s>\n#include <rocketmq/%s>\n' "$h" "$h" >>"$tmp/all.c"
done
check "c99   all headers twice (include guards)" $CC $CFLAGS99 -I "$inc" "$tmp/all.c"
check "c++11 all headers twice (include guards)" $CXX $CXXFLAGS11 -x c++ -I "$inc" "$tmp/all.c"

# 2b. The C headers and the 2.2.0 C++ headers in one C++ translation unit (programs mix them).
CPP_HEADERS="RocketMQClient.h MQClient.h ConsumeType.h MQClientException.h MQMessage.h MQMessageExt.h
MQMessageQueue.h SendResult.h TransactionSendResult.h PullResult.h AsyncCallback.h MQSelector.h
MQMessageListener.h MQueueListener.h TransactionListener.h SessionCredentials.h Arg_helper.h
DefaultMQProducer.h TransactionMQProducer.h DefaultMQPushConsumer.h DefaultMQPullConsumer.h"
: >"$tmp/mixed.cpp"
for h in $HEADERS $CPP_HEADERS; do
  printf '#include <%s>\n' "$h" >>"$tmp/mixed.cpp"
done
check "c++11 C and C++ headers together" $CXX $CXXFLAGS11 -I "$inc/rocketmq" "$tmp/mixed.cpp"
for h in $CPP_HEADERS; do
  printf '#include <rocketmq/%s>\n' "$h" >"$tmp/cpp_one.cpp"
  check "c++11 -I include  <rocketmq/$h> (C++ API)" $CXX $CXXFLAGS11 -I "$inc" "$tmp/cpp_one.cpp"
done

# 3. Include graph (quote includes, flat directory) as in 2.2.0.
expected_includes() {
  case $1 in
    CCommon.h | CTransactionStatus.h) echo "" ;;
    CErrorMessage.h | CMQException.h | CMessage.h | CMessageExt.h | CMessageQueue.h | CSendResult.h) echo "CCommon.h" ;;
    CBatchMessage.h) echo "CCommon.h CMessage.h" ;;
    CPullResult.h) echo "CCommon.h CMessageExt.h" ;;
    CPushConsumer.h) echo "CCommon.h CMessageExt.h CMessageQueue.h" ;;
    CProducer.h) echo "CBatchMessage.h CMQException.h CMessage.h CMessageExt.h CMessageQueue.h CSendResult.h CTransactionStatus.h" ;;
    CPullConsumer.h) echo "CCommon.h CMessageExt.h CMessageQueue.h CPullResult.h" ;;
  esac
}
include_graph() {
  rc=0
  for h in $HEADERS; do
    got=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\(.*\)$/\1/p' "$inc/rocketmq/$h" | tr '\n' ' ' | sed 's/ $//')
    want=$(expected_includes "$h" | sed 's/\([^ ][^ ]*\)/"\1"/g')
    if [ "$got" != "$want" ]; then
      echo "$h: includes [$got], expected [$want]"
      rc=1
    fi
  done
  return $rc
}
check "include graph of the 13 headers" include_graph

# 4. Layout / enum / constant assertions.
check "c11   layout.c" $CC -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only -I "$inc/rocketmq" "$here/layout.c"
check "c++11 layout.c" $CXX $CXXFLAGS11 -x c++ -I "$inc/rocketmq" "$here/layout.c"

# 5. Prototype list.
check "list-prototypes.sh runs" sh -c "CC='$CC' '$here/list-prototypes.sh' >'$tmp/protos.txt'"
check "prototypes match tests/headers/prototypes.txt" diff -u "$here/prototypes.txt" "$tmp/protos.txt"
count_functions() {
  n=$(wc -l <"$tmp/protos.txt")
  n=$((n + 0))
  u=$(sed 's/(.*//; s/.*[ *]//' "$tmp/protos.txt" | sort -u | wc -l)
  u=$((u + 0))
  echo "functions: $n (distinct names: $u), expected $EXPECTED_FUNCTIONS"
  [ "$n" -eq "$EXPECTED_FUNCTIONS" ] && [ "$u" -eq "$EXPECTED_FUNCTIONS" ]
}
check "$EXPECTED_FUNCTIONS functions declared" count_functions

# 6. C linkage: a C++ TU taking the address of every function must
#    reference the plain (unmangled) symbol names.
c_linkage() {
  "$here/list-prototypes.sh" -n >"$tmp/names.txt" || return 1
  {
    for h in $HEADERS; do printf '#include <rocketmq/%s>\n' "$h"; done
    echo 'typedef void (*any_fn)(void);'
    echo 'any_fn rocketmq_header_functions[] = {'
    sed 's/.*/  reinterpret_cast<any_fn>(\&&),/' "$tmp/names.txt"
    echo '};'
  } >"$tmp/linkage.cpp"
  $CXX -std=c++11 -Wall -Wextra -Werror -c -I "$inc" -o "$tmp/linkage.o" "$tmp/linkage.cpp" || return 1
  nm -u "$tmp/linkage.o" | awk '{print $NF}' | sort >"$tmp/undef.txt"
  sort "$tmp/names.txt" >"$tmp/names.sorted"
  missing=$(comm -23 "$tmp/names.sorted" "$tmp/undef.txt")
  if [ -n "$missing" ]; then
    echo "not referenced with C linkage:"
    echo "$missing"
    return 1
  fi
}
check "c++11 all functions have C linkage (nm)" c_linkage

# 7. The headers against the Rust code: cbindgen generates a header from src/capi and
#    cbindgen-check.sh compares functions, parameter names, structs, callbacks and constants
#    (installs cbindgen into .build/tools on first use).
check "cbindgen: include/rocketmq matches src/capi (cbindgen-check.sh)" sh "$here/cbindgen-check.sh"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
