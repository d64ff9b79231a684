"""Fixtures of the fault tests: the plain cluster of scenarios 1-4 (two name servers, two 4.x
master brokers, started once per session), a log dir for the library, and the report lines
printed in pytest's summary."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cluster import VERSION_4, Broker, Cluster, NameServer  # noqa: E402
import traffic  # noqa: E402

# Ports: 3xxxx, apart from scripts/brokers.sh (9876/10911, 19876/20911, 10876/11911, 20876/21911,
# 11876/12911, 21876/22911) and the benchmark (29876). A broker also uses port-2 and port+1.
PORTS = {
    'ns1': 31876, 'ns2': 31886, 'broker-a': 31911, 'broker-b': 31921,
    'tls-ns': 32876, 'tls-broker': 32911,
    'acl4-ns': 33876, 'acl4-broker': 33911, 'acl5-ns': 34876, 'acl5-broker': 34911,
}


class Plain:
    """Two name servers and two masters (broker-a, broker-b), each registered with both."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.ns1: NameServer = cluster.add_namesrv(PORTS['ns1'])
        self.ns2: NameServer = cluster.add_namesrv(PORTS['ns2'])
        self.a: Broker = cluster.add_broker('broker-a', PORTS['broker-a'], [self.ns1, self.ns2])
        self.b: Broker = cluster.add_broker('broker-b', PORTS['broker-b'], [self.ns1, self.ns2])
        self.version = VERSION_4


@pytest.fixture(scope='session')
def plain() -> Iterator[Plain]:
    cluster = Cluster('plain')
    try:
        p = Plain(cluster)
        cluster.start()
        yield p
    finally:
        cluster.close()


@pytest.fixture
def log_dir(tmp_path: Path) -> str:
    d = tmp_path / 'client-logs'
    d.mkdir()
    return str(d)


def pytest_terminal_summary(terminalreporter) -> None:
    if traffic.REPORTS:
        terminalreporter.section('fault scenarios')
        for r in traffic.REPORTS:
            terminalreporter.write_line(r.line())
    path = os.environ.get('RMQ_FAULTS_REPORT')
    if path:
        with open(path, 'w') as f:
            f.writelines(r.line() + '\n' for r in traffic.REPORTS)
