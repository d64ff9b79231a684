"""Scenario 5a: TLS against a real TLS-only broker (4.x, tls.server.mode=enforcing).

The name server keeps a good certificate; the broker's certificate is swapped on disk and the
broker reloads it (its file watch), checked by the certificate it presents. A client trusting
the test CA must refuse, with a text that says why: a certificate for another host name, an
expired one, one from a CA it does not know. A good certificate first, so the refusals are the
certificates' doing. Python package over the C ABI, as in scenario 1.
"""
import re
import shutil
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from cluster import Cluster, Tls, presented_certificate, wait_for
from conftest import PORTS
from rocketmq.client import Message, Producer
from traffic import Report, report, unique

REPO = Path(__file__).resolve().parents[2]

CA_CONFIG = """[ ca ]
default_ca = test_ca
[ test_ca ]
database = index.txt
new_certs_dir = .
serial = serial.txt
default_md = sha256
policy = any_name
copy_extensions = copy
[ any_name ]
commonName = supplied
"""


def openssl(cwd: Path, *args: str) -> None:
    subprocess.run(('openssl',) + args, cwd=str(cwd), check=True, capture_output=True)


def make_certs(d: Path) -> None:
    """tests/tls/make-certs.sh's set (ca, other-ca, server, wrong-name, ...) plus, for 127.0.0.1,
    `expired` (from the test CA, valid only in January 2020) and `stranger` (from other-ca)."""
    subprocess.run(['bash', str(REPO / 'tests/tls/make-certs.sh'), str(d)], check=True, capture_output=True)
    (d / 'leaf.ext').write_text('basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n'
                                'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
    for name in ('expired', 'stranger'):
        openssl(d, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name + '.key')
        openssl(d, 'req', '-new', '-key', name + '.key', '-out', name + '.csr', '-subj', '/CN=127.0.0.1')
    # `openssl ca` sets both dates (x509 -req only counts days from now)
    (d / 'ca.cnf').write_text(CA_CONFIG)
    (d / 'index.txt').write_text('')
    (d / 'serial.txt').write_text('1000\n')
    openssl(d, 'ca', '-batch', '-notext', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key',
            '-in', 'expired.csr', '-out', 'expired.pem', '-extfile', 'leaf.ext',
            '-startdate', '20200101000000Z', '-enddate', '20200131000000Z')
    openssl(d, 'x509', '-req', '-in', 'stranger.csr', '-CA', 'other-ca.pem', '-CAkey', 'other-ca.key',
            '-CAcreateserial', '-out', 'stranger.pem', '-days', '2', '-extfile', 'leaf.ext')


class TlsSetup:
    def __init__(self, certs: Path, cluster: Cluster, broker, namesrv) -> None:
        self.certs, self.cluster, self.broker, self.namesrv = certs, cluster, broker, namesrv

    def use_broker_certificate(self, name: str) -> None:
        """Puts `name`.pem/.key where the broker reads its certificate and waits until it
        presents it."""
        want = ssl.PEM_cert_to_DER_cert((self.certs / (name + '.pem')).read_text())
        if presented_certificate(self.broker.addr) == want:
            return
        # the key first: the broker reloads once both files changed
        shutil.copy(self.certs / (name + '.key'), self.certs / 'broker.key')
        shutil.copy(self.certs / (name + '.pem'), self.certs / 'broker.pem')
        wait_for('the broker presenting %s.pem' % name, lambda: presented_certificate(self.broker.addr) == want, 30,
                 every=0.2)


@pytest.fixture(scope='module')
def tls(tmp_path_factory):
    certs = tmp_path_factory.mktemp('certs')
    make_certs(certs)
    shutil.copy(certs / 'server.pem', certs / 'broker.pem')
    shutil.copy(certs / 'server.key', certs / 'broker.key')
    cluster = Cluster('tls', tls=Tls(cert=certs / 'server.pem', key=certs / 'server.key', ca=certs / 'ca.pem'))
    try:
        namesrv = cluster.add_namesrv(PORTS['tls-ns'])
        broker = cluster.add_broker('tls-broker', PORTS['tls-broker'], [namesrv])
        broker.jvm_extra = ['-Dtls.server.certPath=%s' % (certs / 'broker.pem'),
                            '-Dtls.server.keyPath=%s' % (certs / 'broker.key')]
        cluster.start()
        yield TlsSetup(certs, cluster, broker, namesrv)
    finally:
        cluster.close()


def send_one(setup: TlsSetup, topic: str, log_dir: str):
    """(msg id or None, error text or None, ms) of one send from a fresh producer trusting the test CA."""
    producer = Producer(unique('faults_tls'), timeout=3000)
    producer.set_name_server_address(setup.namesrv.addr)
    producer.set_log_path(log_dir)
    producer.set_tls(True, str(setup.certs / 'client-ok.properties'))
    producer.start()
    msg = Message(topic)
    msg.set_body(b'over TLS')
    t0 = time.monotonic()
    try:
        return producer.send_sync(msg).msg_id, None, (time.monotonic() - t0) * 1000
    except Exception as e:
        return None, str(e), (time.monotonic() - t0) * 1000
    finally:
        producer.shutdown()


def test_tls_good_certificate_is_accepted(tls, log_dir):
    tls.use_broker_certificate('server')
    topic = unique('faults_tls_ok')
    tls.cluster.create_topic(topic, [tls.broker])
    msg_id, error, ms = send_one(tls, topic, log_dir)
    assert error is None and msg_id, error
    report(Report('TLS, good certificate (%s)' % tls.broker.version, 1, 0, ms, None, ['sent %s' % msg_id]))


@pytest.mark.parametrize('certificate, why', [
    ('wrong-name', r'not valid for name|NotValidForName'),
    ('expired', r'expired'),
    ('stranger', r'not signed by a CA of tls\.client\.trustCertPath'),
], ids=['wrong host name', 'expired certificate', 'unknown CA'])
def test_tls_bad_certificate_is_refused_with_a_clear_text(tls, log_dir, certificate, why):
    topic = unique('faults_tls_bad')
    tls.cluster.create_topic(topic, [tls.broker])
    tls.use_broker_certificate(certificate)
    try:
        msg_id, error, ms = send_one(tls, topic, log_dir)
    finally:
        tls.use_broker_certificate('server')
    report(Report('TLS, broker certificate %s (%s)' % (certificate, tls.broker.version), 0, 0, ms, None,
                  ['refused: %s' % error]))
    assert msg_id is None, 'sent to a broker with the %s certificate' % certificate
    assert re.search(why, error, re.I), error
    assert 'certificate' in error.lower(), error
