#!/usr/bin/env bash
# Python tests: one suite, two targets (tests/python/target.py), against real brokers.
#   tests/python/run.sh [--target upstream|binding] [pytest args...]
#     upstream (default)  the unchanged rocketmq-client-python 2.0.0 (.build/pyenv) on the
#                         installed librocketmq (`make install`)
#     binding             this project's bindings/python package (.build/pyenv-binding), installed
#                         from the wheel named by ROCKETMQ_PY_WHEEL, else from one that
#                         bindings/python/build-wheel.sh builds into .build/wheels; it loads the
#                         library inside the wheel
# tests/python/setup.sh --target ... makes (or refreshes) the target's venv first.
# Env: NAMESRV_ADDRS="v4=127.0.0.1:9876;v5=127.0.0.1:19876", RMQ_PY_TOPIC (see test_producer.py).
# test_consumer.py creates its own fresh topics with scripts/brokers.sh (RMQ_BROKERS_SH), see there.
# test_acl.py runs when RMQ_ACL_NAMESRV_ADDRS (or RMQ_ACL_NAMESRV_4/5) and the ACL keys are set,
# test_tls.py when RMQ_TLS_NAMESRV and RMQ_TLS_CA (and, for its wrong-CA case, RMQ_TLS_WRONG_CA)
# name a TLS-enforcing pair, e.g. `RMQ_PROFILE=tls scripts/brokers.sh env`.
# upstream: LD_LIBRARY_PATH=<repo>/target/release makes the package load a build that is not
# installed (the binding target always loads its own copy).
#   tests/python/run.sh -k test_consumer                     only the push consumer tests
#   tests/python/run.sh --target binding -k test_producer    the producer tests on our package
# pytest runs from an empty temporary directory so that no rocketmq/ source folder can shadow the
# installed package; the exit code is pytest's, or 1 when no test ran (none collected, or every one
# skipped). Skipped tests are listed with their reasons at the end, and appended to the file named
# by RMQ_TEST_SKIPS (scripts/test-all.sh prints them in its summary).
set -uo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(cd "$here/../.." && pwd)

target=upstream
case "${1:-}" in
    --target) [ $# -ge 2 ] || { echo "run.sh: --target needs a value" >&2; exit 2; }
              target=$2; shift 2 ;;
    --target=*) target=${1#--target=}; shift ;;
esac
case "$target" in
    upstream) venv=$repo/.build/pyenv ;;
    binding) venv=$repo/.build/pyenv-binding ;;
    *) echo "run.sh: unknown target '$target' (upstream or binding)" >&2; exit 2 ;;
esac

"$here/setup.sh" --target "$target" || { echo "tests/python/setup.sh --target $target failed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

export PYTHONDONTWRITEBYTECODE=1
export RMQ_PY_TARGET=$target
"$venv/bin/python" -m pytest -p no:cacheprovider --rootdir="$here" --junitxml="$work/junit.xml" -v -ra "$@" "$here"
rc=$?
# counts and skip reasons from the JUnit report: "TOTAL SKIPPED" then one line per skip reason
counts=$("$venv/bin/python" - "$work/junit.xml" <<'EOF'
import ast, sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print(0, 0)
    sys.exit()
cases = list(root.iter('testcase'))
reasons = {}
for case in cases:
    for s in case.findall('skipped'):
        reason = (s.get('message') or '').strip()
        if reason == 'collection skipped':  # a module-level skip: its reason is in the text
            try:
                reason = ast.literal_eval(s.text)[2].replace('Skipped: ', '', 1)
            except (ValueError, SyntaxError, TypeError, IndexError):
                pass
        reasons.setdefault(reason, []).append(case.get('name'))
print(len(cases), sum(len(n) for n in reasons.values()))
for reason, names in sorted(reasons.items()):
    print('%d skipped: %s (%s)' % (len(names), reason, ', '.join(names[:4]) + (', ...' if len(names) > 4 else '')))
EOF
)
read -r total skipped <<<"$(head -n 1 <<<"$counts")"
echo "tests/python ($target): $total tests, $skipped skipped"
if [ "$skipped" -gt 0 ]; then
    tail -n +2 <<<"$counts"
    [ -n "${RMQ_TEST_SKIPS:-}" ] && tail -n +2 <<<"$counts" >>"$RMQ_TEST_SKIPS"
fi
if [ "$((total - skipped))" -le 0 ]; then
    echo "FAIL: no test ran ($total collected, $skipped skipped; pytest exit status $rc)"
    exit 1
fi
exit $rc
