# -*- coding: utf-8 -*-
"""ACL with the rocketmq package of the target under test (target.py: the UNCHANGED PyPI package
rocketmq-client-python 2.0.0 on our installed library, or this project's bindings/python package),
against brokers that check every request's signature (scripts/brokers.sh with RMQ_PROFILE=acl: 4.x ACL 1.0,
5.x ACL 2.0 authentication, no address whitelisted).

Per name server:
  right keys      Producer.set_session_credentials + send_sync -> SEND_OK, and a PushConsumer with
                  the same keys receives that message (it is first fed probe messages until it
                  gets one: a new group starts at the queues' ends, so the message must be sent
                  after the consumer owns its queues; a consumer whose heartbeats were refused
                  would own none)
  wrong secret    send_sync raises ProducerSendSyncFailed whose text says "access denied",
                  within a bound derived from the send timeout
  no credentials  the same

Skipped unless the ACL environment is set (eval "$(RMQ_PROFILE=acl scripts/brokers.sh env)"):
  RMQ_ACL_NAMESRV_ADDRS  "label=host:port;..." (as NAMESRV_ADDRS), or else
                         RMQ_ACL_NAMESRV_4 / RMQ_ACL_NAMESRV_5 (labels v4 / v5)
  RMQ_ACL_ACCESS_KEY, RMQ_ACL_SECRET_KEY   the client account
  RMQ_ACL_PY_TOPIC       topic (default rmq_acl_py, made by the profile's `up`)
  RMQ_PY_CONSUME_TIMEOUT seconds to wait for deliveries (default 40)
"""
import os
import threading
import time
import uuid

import pytest

from rocketmq.client import ConsumeStatus, Message, Producer, PushConsumer, SendStatus
from rocketmq.exceptions import ProducerSendSyncFailed

import namesrvs


def _namesrvs():
    raw = os.environ.get('RMQ_ACL_NAMESRV_ADDRS', '').strip()
    if not raw:
        raw = ';'.join('%s=%s' % (label, os.environ[var])
                       for label, var in (('v4', 'RMQ_ACL_NAMESRV_4'), ('v5', 'RMQ_ACL_NAMESRV_5'))
                       if os.environ.get(var, '').strip())
    return namesrvs.parse(raw)


NAMESRVS = _namesrvs()
ACCESS_KEY = os.environ.get('RMQ_ACL_ACCESS_KEY', '')
SECRET_KEY = os.environ.get('RMQ_ACL_SECRET_KEY', '')
if not NAMESRVS or not ACCESS_KEY or not SECRET_KEY:
    pytest.skip('ACL brokers not configured (RMQ_ACL_NAMESRV_4/5 or RMQ_ACL_NAMESRV_ADDRS, '
                'RMQ_ACL_ACCESS_KEY, RMQ_ACL_SECRET_KEY)', allow_module_level=True)

TOPIC = os.environ.get('RMQ_ACL_PY_TOPIC', 'rmq_acl_py')
RUN_ID = uuid.uuid4().hex[:10]
CONSUME_TIMEOUT = float(os.environ.get('RMQ_PY_CONSUME_TIMEOUT', '40'))
SEND_TIMEOUT_MS = 3000
REFUSAL_LIMIT = SEND_TIMEOUT_MS / 1000.0 + 3.0  # seconds a refused send may take, retries included


@pytest.fixture(scope='module', params=NAMESRVS, ids=[label for label, _ in NAMESRVS])
def namesrv(request):
    return request.param


def _producer(namesrv, what, credentials):
    label, addr = namesrv
    p = Producer('py_acl_%s_%s_%s' % (what, label, RUN_ID), timeout=SEND_TIMEOUT_MS)
    p.set_name_server_address(addr)
    if credentials is not None:
        p.set_session_credentials(credentials[0], credentials[1], '')
    p.start()
    return p


def _msg(key):
    m = Message(TOPIC)
    m.set_keys(key)
    m.set_tags('acl')
    m.set_body('body of %s' % key)
    return m


class Collector(object):
    """Keys of the messages a push consumer got."""

    def __init__(self):
        self.cond = threading.Condition()
        self.keys = []

    def __call__(self, msg):
        with self.cond:
            k = msg.keys
            self.keys.append(k.decode('utf-8') if isinstance(k, bytes) else k)
            self.cond.notify_all()
        return ConsumeStatus.CONSUME_SUCCESS

    def wait(self, pred, timeout):
        deadline = time.time() + timeout
        with self.cond:
            while not pred(self.keys):
                left = deadline - time.time()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.2))
            return True


def test_send_and_push_with_credentials(namesrv):
    label, addr = namesrv
    creds = (ACCESS_KEY, SECRET_KEY)
    producer = _producer(namesrv, 'ok', creds)
    got = Collector()
    consumer = PushConsumer('py_acl_push_%s_%s' % (label, RUN_ID))
    consumer.set_name_server_address(addr)
    consumer.set_session_credentials(ACCESS_KEY, SECRET_KEY, '')
    consumer.subscribe(TOPIC, got)
    consumer.start()
    try:
        # probes (8 per round: one per queue in the profile's topic) until the consumer gets one
        probes = set()
        deadline = time.time() + CONSUME_TIMEOUT
        ready = False
        rnd = 0
        while not ready and time.time() < deadline:
            for i in range(8):
                key = 'pyacl-%s-probe-%d-%d' % (RUN_ID, rnd, i)
                probes.add(key)
                r = producer.send_sync(_msg(key))
                assert r.status == SendStatus.OK
            rnd += 1
            ready = got.wait(lambda keys: any(k in probes for k in keys), 2.0)
        assert ready, 'the push consumer with credentials got none of %d probes within %.0f s' % (
            len(probes), CONSUME_TIMEOUT)

        key = 'pyacl-%s-%s-main' % (RUN_ID, label)
        r = producer.send_sync(_msg(key))
        assert r.status == SendStatus.OK
        assert r.msg_id
        assert got.wait(lambda keys: key in keys, CONSUME_TIMEOUT), \
            'the push consumer with credentials did not get %s within %.0f s' % (key, CONSUME_TIMEOUT)
    finally:
        consumer.shutdown()
        producer.shutdown()


@pytest.mark.parametrize('case', ['wrong_secret', 'no_credentials'])
def test_refused_send_raises_access_denied(namesrv, case):
    creds = (ACCESS_KEY, SECRET_KEY + '-wrong') if case == 'wrong_secret' else None
    producer = _producer(namesrv, case, creds)
    try:
        t0 = time.time()
        with pytest.raises(ProducerSendSyncFailed) as info:
            producer.send_sync(_msg('pyacl-%s-%s' % (RUN_ID, case)))
        took = time.time() - t0
        text = str(info.value)
        print('%s %s: %.2f s: %s' % (namesrv[0], case, took, text))
        assert 'access denied' in text.lower(), text
        assert took <= REFUSAL_LIMIT, 'the refused send took %.1f s' % took
    finally:
        producer.shutdown()
