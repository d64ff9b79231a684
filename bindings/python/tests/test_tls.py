# -*- coding: utf-8 -*-
"""TLS settings (set_tls with a ``tls.client.*`` property file) against the TLS-only pair
(``RMQ_PROFILE=tls scripts/brokers.sh``): with the pair's CA a producer, a push consumer and a
pull consumer work; with an unrelated CA the send fails with a text that says why; a client
without TLS is turned away with a text that says so. Skipped (naming the variable) without
RMQ_TLS_NAMESRV / RMQ_TLS_CA / RMQ_TLS_WRONG_CA."""
import time

import pytest

from helpers import DEADLINE, Inbox, env, message, missing, pull_all, shutdown_within, unique, wait_until
from rocketmq.client import Producer, PullConsumer, PushConsumer, SendStatus
from rocketmq.exceptions import ProducerSendSyncFailed


def property_file(tmp_path, ca):
    path = tmp_path / 'tls.properties'
    path.write_text(u'tls.client.trustCertPath=%s\n' % ca)
    return str(path)


def tls_producer(namesrv, properties):
    p = Producer(unique('py_tls'), timeout=5000)
    p.set_name_server_address(namesrv)
    if properties is not None:
        p.set_tls(True, properties)
    return p


def test_tls_with_the_right_ca(tls_ns, tls_topic, tmp_path):
    properties = property_file(tmp_path, env('RMQ_TLS_CA'))
    tag = unique('tls')
    inbox = Inbox()
    consumer = PushConsumer(unique('py_tls_c'))
    consumer.set_name_server_address(tls_ns[1])
    consumer.set_tls(True, properties)
    consumer.subscribe(tls_topic, inbox, tag)
    consumer.start()
    puller = PullConsumer(unique('py_tls_pull'))
    puller.set_name_server_address(tls_ns[1])
    puller.set_tls(True, properties)
    puller.start()
    try:
        with tls_producer(tls_ns[1], properties) as p:
            result = p.send_sync(message(tls_topic, tag, 'over-tls', b'\x00tls body'))
        assert result.status == SendStatus.OK
        assert inbox.wait_keys(['over-tls']), inbox.keys()
        assert inbox.of_key('over-tls')[0]['body'] == b'\x00tls body'
        stored = wait_until(lambda: [m for _, m in pull_all(puller, tls_topic, tag)], DEADLINE, 0.1)
        assert [(m.id, m.body) for m in stored] == [(result.msg_id, b'\x00tls body')]
    finally:
        shutdown_within(consumer)
        shutdown_within(puller)


def test_tls_with_a_wrong_ca_fails_with_a_clear_text(tls_ns, tls_topic, tmp_path):
    if missing('RMQ_TLS_WRONG_CA'):
        pytest.skip('RMQ_TLS_WRONG_CA is not set: no unrelated CA for the negative case')
    p = tls_producer(tls_ns[1], property_file(tmp_path, env('RMQ_TLS_WRONG_CA')))
    p.start()
    try:
        t0 = time.monotonic()
        with pytest.raises(ProducerSendSyncFailed) as failed:
            p.send_sync(message(tls_topic, unique('tls'), 'wrong-ca'))
        assert time.monotonic() - t0 < 5.5  # within the send timeout, not a hang
    finally:
        p.shutdown()
    text = str(failed.value)
    assert 'TLS handshake' in text and 'certificate' in text and 'tls.client.trustCertPath' in text, text


def test_plain_client_turned_away_by_a_tls_server(tls_ns, tls_topic):
    p = tls_producer(tls_ns[1], None)
    p.start()
    try:
        with pytest.raises(ProducerSendSyncFailed, match='does the server require TLS'):
            p.send_sync(message(tls_topic, unique('tls'), 'plain'))
    finally:
        p.shutdown()
