#!/usr/bin/env bash
# Python tests: the unchanged rocketmq-client-python 2.0.0 against the installed librocketmq.
#   tests/python/run.sh [pytest args...]
# Env: NAMESRV_ADDRS="v4=127.0.0.1:9876;v5=127.0.0.1:19876", RMQ_PY_TOPIC (see test_producer.py).
# test_consumer.py creates its own fresh topics with scripts/brokers.sh (RMQ_BROKERS_SH), see there.
# test_tls.py runs when RMQ_TLS_NAMESRV and RMQ_TLS_CA (and, for its wrong-CA case,
# RMQ_TLS_WRONG_CA) name a TLS-enforcing pair, e.g. `RMQ_PROFILE=tls scripts/brokers.sh env`.
# LD_LIBRARY_PATH=<repo>/target/release makes the package load a build that is not installed.
#   tests/python/run.sh -k test_consumer     only the push consumer tests
# pytest runs from an empty temporary directory so that no rocketmq/ source folder can shadow the
# installed package; the exit code is pytest's.
set -uo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(cd "$here/../.." && pwd)

"$here/setup.sh" || { echo "tests/python/setup.sh failed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

export PYTHONDONTWRITEBYTECODE=1
"$repo/.build/pyenv/bin/python" -m pytest -p no:cacheprovider --rootdir="$here" -v -ra "$@" "$here"
rc=$?
exit $rc
