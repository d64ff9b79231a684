#!/usr/bin/env bash
# Tests of the rocketmq-client-rs Python package (bindings/python) against real brokers, on
# several Pythons: builds the wheel once (bindings/python/build-wheel.sh), then for each Python
# makes a fresh venv under .build/pybind-<major.minor>/ (python -m venv --clear), installs the
# wheel and pytest (plus auditwheel and mypy into the newest one, which alone runs
# test_wheel.py), and runs pytest on this folder from an empty temporary directory, so no source
# folder can shadow the installed package.
#
#   bindings/python/tests/run.sh [pytest args...]      e.g. -k test_seed, -x
#
# Env:
#   ROCKETMQ_PY_WHEEL     a built wheel to test (no build)
#   RMQ_PY_VERSIONS       Pythons to run, e.g. "3.8 3.13" (default: 3.8 and the newest installed);
#                         looked up in $PYENV_ROOT/versions (default ~/.pyenv), else with uv
#                         (`uv python install`, after `pip install uv` if needed)
#   NAMESRV_ADDRS         plain pair, "v4=127.0.0.1:9876;v5=127.0.0.1:19876"; default: from
#                         `scripts/brokers.sh env` (the pair must be up: scripts/brokers.sh up all)
#   RMQ_ACL_NAMESRV_ADDRS, RMQ_ACL_ACCESS_KEY, RMQ_ACL_SECRET_KEY    the ACL pair (same format)
#   RMQ_TLS_NAMESRV, RMQ_TLS_CA, RMQ_TLS_WRONG_CA                    the TLS-only pair
#                         without them those tests skip, and the summary names what was skipped
#                         (also appended to the file named by RMQ_TEST_SKIPS, for test-all.sh)
#   RMQ_PY_SECURED_FROM_BROKERS=1   take the ACL and TLS variables from the pairs that
#                         `RMQ_PROFILE=acl|tls scripts/brokers.sh status` finds up
#   RMQ_PY_RUN_TIMEOUT    seconds one Python's pytest run may take (default 900)
#   RMQ_BROKERS_SH, RMQ_PY_DEADLINE   see helpers.py
#
# Exit status: non-zero if a venv could not be made, a run failed, or a run executed no test.
set -uo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
pkg=$(cd "$here/.." && pwd)
repo=$(cd "$pkg/../.." && pwd)
cd "$repo"

say() { echo "[pybind] $*"; }

# ---------------------------------------------------------------- brokers
if [ -z "${NAMESRV_ADDRS:-}" ]; then
    if ! scripts/brokers.sh status >/dev/null 2>&1; then
        say "NAMESRV_ADDRS is not set and the plain brokers are not up (scripts/brokers.sh up all)" >&2
        exit 2
    fi
    eval "$(scripts/brokers.sh env)"
    export NAMESRV_ADDRS="v4=$NAMESRV_4;v5=$NAMESRV_5"
fi
if [ "${RMQ_PY_SECURED_FROM_BROKERS:-0}" = 1 ]; then
    if [ -z "${RMQ_ACL_NAMESRV_ADDRS:-}" ] && RMQ_PROFILE=acl scripts/brokers.sh status >/dev/null 2>&1; then
        eval "$(RMQ_PROFILE=acl scripts/brokers.sh env)"
        export RMQ_ACL_NAMESRV_ADDRS="v4=$RMQ_ACL_NAMESRV_4;v5=$RMQ_ACL_NAMESRV_5"
    fi
    if [ -z "${RMQ_TLS_NAMESRV:-}" ] && RMQ_PROFILE=tls scripts/brokers.sh status >/dev/null 2>&1; then
        eval "$(RMQ_PROFILE=tls scripts/brokers.sh env)"
        export RMQ_TLS_NAMESRV="v4=$RMQ_TLS_NAMESRV_4;v5=$RMQ_TLS_NAMESRV_5"
    fi
fi
say "plain pair: $NAMESRV_ADDRS"
say "ACL pair:   ${RMQ_ACL_NAMESRV_ADDRS:-(RMQ_ACL_NAMESRV_ADDRS not set: ACL tests skip)}"
say "TLS pair:   ${RMQ_TLS_NAMESRV:-(RMQ_TLS_NAMESRV not set: TLS tests skip)}"

# ---------------------------------------------------------------- the wheel
if [ -n "${ROCKETMQ_PY_WHEEL:-}" ]; then
    wheel=$ROCKETMQ_PY_WHEEL
else
    say "building the wheel (bindings/python/build-wheel.sh)"
    wheel=$("$pkg/build-wheel.sh" "$repo/.build/pybind-wheel" | tail -n 1) || wheel=
fi
if [ -z "$wheel" ] || [ ! -f "$wheel" ]; then
    say "no wheel to test (ROCKETMQ_PY_WHEEL or build-wheel.sh): '${wheel}'" >&2
    exit 2
fi
wheel=$(readlink -f "$wheel")
export ROCKETMQ_PY_WHEEL=$wheel
export ROCKETMQ_TEST_WHEEL=$wheel  # test_wheel.py checks this wheel instead of building one
say "wheel: $wheel"

# ---------------------------------------------------------------- the Pythons
pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}

# installed_versions: X.Y.Z of the CPythons under pyenv, oldest first
installed_versions() {
    local d
    for d in "$pyenv_root"/versions/*; do
        [ -x "$d/bin/python3" ] || continue
        basename "$d"
    done | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | sort -V
}

# find_python VERSION: the newest installed python3 of VERSION (3.8 or 3.8.18), else uv's
find_python() {
    local v=$1 match
    match=$(installed_versions | grep -E "^${v//./\\.}(\.|$)" | tail -n 1)
    if [ -n "$match" ]; then
        echo "$pyenv_root/versions/$match/bin/python3"
        return 0
    fi
    if ! command -v uv >/dev/null 2>&1; then
        python3 -m pip install --quiet --disable-pip-version-check uv >&2 || return 1
    fi
    uv python install "$v" >&2 || return 1
    uv python find "$v"
}

if [ -n "${RMQ_PY_VERSIONS:-}" ]; then
    read -r -a versions <<<"$RMQ_PY_VERSIONS"
else
    newest=$(installed_versions | tail -n 1)
    if [ -n "$newest" ]; then
        versions=(3.8 "${newest%.*}")
    else
        versions=(3.8 3.13)
    fi
fi
newest_requested=$(printf '%s\n' "${versions[@]}" | sort -V | tail -n 1)

# ---------------------------------------------------------------- one run per Python
export PYTHONDONTWRITEBYTECODE=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
summary=()
ran=()
status=0

for v in "${versions[@]}"; do
    echo
    say "=== Python $v ==="
    start=$SECONDS
    py=$(find_python "$v") || py=
    if [ -z "$py" ]; then
        say "Python $v: not found (pyenv or uv)" >&2
        summary+=("Python $v: NOT FOUND")
        status=1
        continue
    fi
    full=$("$py" -c 'import platform; print(platform.python_version())')
    venv="$repo/.build/pybind-$v"
    extras=()
    only=()
    if [ "$v" = "$newest_requested" ]; then
        extras=(auditwheel mypy)  # test_wheel.py's auditwheel check, test_typing.py's mypy check
    else
        only=(--ignore="$here/test_wheel.py")  # the wheel's own checks run once, with auditwheel
    fi
    if ! "$py" -m venv --clear "$venv" ||
        ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel" pytest "${extras[@]}"; then
        say "Python $full: could not make the venv $venv" >&2
        summary+=("Python $full: VENV FAILED")
        status=1
        continue
    fi
    cwd="$work/cwd-$v"
    mkdir -p "$cwd"
    junit="$work/junit-$v.xml"
    (cd "$cwd" && timeout -k 30 "${RMQ_PY_RUN_TIMEOUT:-900}" "$venv/bin/python" -m pytest -p no:cacheprovider \
        --rootdir="$here" --junitxml="$junit" -v -ra "${only[@]}" "$@" "$here")
    rc=$?
    took=$((SECONDS - start))
    counts=$("$venv/bin/python" - "$junit" <<'EOF'
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print('0 0 0 0')
    sys.exit()
suites = [root] if root.tag == 'testsuite' else root.findall('testsuite')
total = sum(int(s.get('tests', 0)) for s in suites)
failed = sum(int(s.get('failures', 0)) + int(s.get('errors', 0)) for s in suites)
skipped = sum(int(s.get('skipped', 0)) for s in suites)
print(total, failed, skipped, total - failed - skipped)
reasons = {}
for case in root.iter('testcase'):
    for s in case.findall('skipped'):
        reason = (s.get('message') or '').strip()
        reasons.setdefault(reason, []).append(case.get('name'))
for reason, names in sorted(reasons.items()):
    print('    skipped %d: %s (%s)' % (len(names), reason, ', '.join(names[:4]) + (', ...' if len(names) > 4 else '')))
EOF
)
    read -r total failed skipped passed <<<"$(head -n 1 <<<"$counts")"
    line="Python $full: $passed passed, $skipped skipped, $failed failed, $took s"
    if [ "$rc" -ne 0 ]; then
        line+=" (pytest exit status $rc)"
        status=1
    fi
    if [ "$((total - skipped))" -le 0 ]; then
        line+=" - NO TEST RAN"
        status=1
    fi
    summary+=("$line")
    if [ "$skipped" -gt 0 ]; then
        summary+=("$(tail -n +2 <<<"$counts")")
        # for scripts/test-all.sh's summary
        [ -n "${RMQ_TEST_SKIPS:-}" ] && tail -n +2 <<<"$counts" | sed "s/^ *skipped/Python $full: skipped/" >>"$RMQ_TEST_SKIPS"
    fi
    ran+=("$full")
done

echo
say "=== summary ==="
for s in "${summary[@]}"; do echo "$s"; done
say "Python versions run: ${ran[*]:-none}"
[ "${#ran[@]}" -gt 0 ] || status=1
exit $status
