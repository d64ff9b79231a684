# -*- coding: utf-8 -*-
"""TLS through the environment, with the rocketmq package of the target under test (target.py):
the UNCHANGED rocketmq-client-python 2.0.0 package, which has no TLS setting of its own, or this
project's bindings/python package (which has set_tls() too; the environment works the same):
ROCKETMQ_TLS=1 and ROCKETMQ_TLS_PROPERTY_FILE turn TLS on for every producer and consumer
created afterwards.

Runs only against a name server + broker that accept TLS only (tls.server.mode=enforcing), e.g.
the pair of `RMQ_PROFILE=tls scripts/brokers.sh up`; skipped unless these are set:
  RMQ_TLS_NAMESRV   its name server, e.g. 127.0.0.1:21876
  RMQ_TLS_CA        the CA (PEM) that signed its certificates
  RMQ_TLS_WRONG_CA  optional: an unrelated CA for the negative case (else that case is skipped)
  RMQ_TLS_PY_TOPIC  topic (default rmq_tls_py; must exist there)

The package must load the library under test. upstream: 2.0.0 calls dlopen("librocketmq.so"), so
LD_LIBRARY_PATH=<repo>/target/release picks a build that is not installed. binding: the library
inside the wheel, built from this checkout.
"""
import os
import time
import uuid

import pytest

from rocketmq.client import ConsumeStatus, Message, Producer, PushConsumer, SendStatus

NAMESRV = os.environ.get('RMQ_TLS_NAMESRV', '').strip()
CA = os.environ.get('RMQ_TLS_CA', '').strip()
WRONG_CA = os.environ.get('RMQ_TLS_WRONG_CA', '').strip()
TOPIC = os.environ.get('RMQ_TLS_PY_TOPIC', 'rmq_tls_py')
RUN_ID = uuid.uuid4().hex[:12]
TAG = 'tls-' + RUN_ID
DEADLINE = 30.0

pytestmark = pytest.mark.skipif(not (NAMESRV and CA), reason='RMQ_TLS_NAMESRV and RMQ_TLS_CA not set')


def _property_file(tmp_path, name, trust):
    path = tmp_path / name
    path.write_text('tls.client.trustCertPath=%s\n' % trust)
    return str(path)


@pytest.fixture
def tls_env(tmp_path, monkeypatch):
    """TLS on by the environment, trusting the servers' CA."""
    monkeypatch.setenv('ROCKETMQ_TLS', '1')
    monkeypatch.setenv('ROCKETMQ_TLS_PROPERTY_FILE', _property_file(tmp_path, 'ok.properties', CA))


def _message(body):
    msg = Message(TOPIC)
    msg.set_tags(TAG)
    msg.set_keys(body)
    msg.set_body(body)
    return msg


def _producer(name):
    p = Producer('py_tls_%s_%s' % (name, RUN_ID), timeout=5000)
    p.set_name_server_address(NAMESRV)
    return p


def test_send_and_consume_over_tls_from_the_environment(tls_env):
    received = []

    def on_message(msg):
        received.append(msg.body.decode('utf-8'))
        return ConsumeStatus.CONSUME_SUCCESS

    consumer = PushConsumer('py_tls_push_' + RUN_ID)
    consumer.set_name_server_address(NAMESRV)
    consumer.subscribe(TOPIC, on_message, TAG)
    consumer.start()
    producer = _producer('ok')
    producer.start()
    try:
        # A new group starts at the queues' ends once they are assigned: send until one arrives.
        sent = []
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline and not set(sent) & set(received):
            body = 'py tls %d %s' % (len(sent), RUN_ID)
            result = producer.send_sync(_message(body))
            assert result.status == SendStatus.OK
            assert result.msg_id
            sent.append(body)
            wait_until = time.monotonic() + 1.0
            while time.monotonic() < wait_until and body not in received:
                time.sleep(0.05)
        assert set(sent) & set(received), 'the push consumer got none of %d messages sent over TLS' % len(sent)
        assert set(received) <= set(sent), 'foreign messages: %r' % (set(received) - set(sent))
    finally:
        producer.shutdown()
        consumer.shutdown()


def test_tls_off_against_an_enforcing_server_says_so(monkeypatch):
    monkeypatch.delenv('ROCKETMQ_TLS', raising=False)
    producer = _producer('plain')
    producer.start()
    try:
        with pytest.raises(Exception) as failure:
            producer.send_sync(_message('py plain ' + RUN_ID))
        assert 'does the server require TLS?' in str(failure.value)
    finally:
        producer.shutdown()


@pytest.mark.skipif(not WRONG_CA, reason='RMQ_TLS_WRONG_CA not set')
def test_the_wrong_ca_names_the_certificate_problem(tmp_path, monkeypatch):
    monkeypatch.setenv('ROCKETMQ_TLS', '1')
    monkeypatch.setenv('ROCKETMQ_TLS_PROPERTY_FILE', _property_file(tmp_path, 'wrong.properties', WRONG_CA))
    producer = _producer('wrong')
    producer.start()
    try:
        with pytest.raises(Exception) as failure:
            producer.send_sync(_message('py wrong ca ' + RUN_ID))
        text = str(failure.value)
        assert 'TLS handshake with' in text and 'UnknownIssuer' in text, text
    finally:
        producer.shutdown()


def test_a_missing_property_file_fails_start(monkeypatch):
    monkeypatch.setenv('ROCKETMQ_TLS', '1')
    monkeypatch.setenv('ROCKETMQ_TLS_PROPERTY_FILE', '/nonexistent/rocketmq-tls.properties')
    producer = _producer('missing')
    with pytest.raises(Exception) as failure:
        producer.start()
    assert 'cannot read the TLS property file /nonexistent/rocketmq-tls.properties' in str(failure.value)
