#!/usr/bin/env bash
# The fault tests (tests/faults, pytest) against real Apache RocketMQ servers that they start
# themselves on ports 31876-34912 (scripts/brokers.sh's shared pairs are never touched): broker
# kill -9 and restart, master failover, name server failover, dead-letter queue and local
# retry, TLS and ACL refusals. Each scenario prints what was acknowledged, lost, the longest
# send and the time to recover; they are repeated in pytest's summary.
#
#   tests/faults/run.sh [pytest args...]
#
# Env: ROCKETMQ_PY_WHEEL  the bindings/python wheel to test (else built by build-wheel.sh)
#      PYTHON            the interpreter of the venv (default python3)
#      RMQ_FAULTS_KEEP=1 keep the servers' work dirs (logs, stores) under /dev/shm
#      RMQ_TEST_SKIPS    a file: one line per skipped test is appended (make test's summary)
# Fails when no test ran.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
say() { printf '[faults] %s\n' "$*"; }

# the jars scripts/brokers.sh keeps in .build/rocketmq-cache (downloaded once)
"$repo/scripts/brokers.sh" fetch all || { say "no RocketMQ jars" >&2; exit 2; }

wheel=${ROCKETMQ_PY_WHEEL:-}
if [ -z "$wheel" ]; then
    say "building the wheel (bindings/python/build-wheel.sh)"
    wheel=$(sh "$repo/bindings/python/build-wheel.sh" "$repo/.build/faults-wheel" | tail -n 1) || wheel=
fi
if [ -z "$wheel" ] || [ ! -f "$wheel" ]; then
    say "no wheel to test: '$wheel'" >&2
    exit 2
fi

venv=$repo/.build/faults-venv
if ! "${PYTHON:-python3}" -m venv --clear "$venv" ||
    ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel" pytest; then
    say "could not make the venv $venv" >&2
    exit 2
fi

junit=$(mktemp)
trap 'rm -f "$junit"' EXIT
# a whole run takes about 3 minutes; the bound only stops a hang (the tests clean up on SIGTERM)
(cd "$here" && PYTHONDONTWRITEBYTECODE=1 timeout -k 30 "${RMQ_FAULTS_TIMEOUT:-900}" \
    "$venv/bin/python" -m pytest -p no:cacheprovider --rootdir="$here" --junitxml="$junit" -v -ra "$@" "$here")
rc=$?
ran=$("$venv/bin/python" - "$junit" <<'EOF'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print(0)
    sys.exit()
suites = [root] if root.tag == 'testsuite' else root.findall('testsuite')
print(sum(int(s.get('tests', 0)) - int(s.get('skipped', 0)) for s in suites))
EOF
)
# skipped tests, with their reasons, for make test's summary (RMQ_TEST_SKIPS, see test-all.sh)
if [ -n "${RMQ_TEST_SKIPS:-}" ]; then
    "$venv/bin/python" - "$junit" >>"$RMQ_TEST_SKIPS" <<'EOF'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    sys.exit()
for case in root.iter('testcase'):
    for s in case.findall('skipped'):
        print('faults: %s skipped (%s)' % (case.get('name'), (s.get('message') or '').strip()))
EOF
fi
if [ "${ran:-0}" -le 0 ]; then
    say "NO TEST RAN" >&2
    exit 1
fi
say "$ran tests ran"
exit $rc
