# -*- coding: utf-8 -*-
"""Delivery at a chosen time, its cancellation, and delay levels, with the rocketmq package of the
target under test (target.py: the UNCHANGED PyPI package rocketmq-client-python 2.0.0 on our
installed library, or this project's bindings/python package), through the 2.0.0 API both have
(Message.set_property / set_delay_time_level, Producer.send_sync, PushConsumer).

On Apache RocketMQ 5.x (timer messages):
  * a message with __STARTDELIVERTIME = now + 3 s is delivered at its time: not before it, at most
    1.5 s after it (the broker fires its 1 s time slot once the clock is past it);
  * a message cancelled by sending a message with __CANCEL_SCHEDULED_MSG = <the id send_sync
    returned for it> and the same __STARTDELIVERTIME is never delivered, while a control message
    scheduled for the same time is; the cancellation message itself is never delivered either.
On Apache RocketMQ 4.x (no timer messages), as the README says:
  * a message with __STARTDELIVERTIME is delivered at once, and the library log says so (WARN
    "has no timer messages", with the message id);
  * the cancellation fails (ProducerSendSyncFailed, a text naming 4.x), nothing is sent.
On both:
  * delay level 2 (set_delay_time_level(2)) waits RMQ_DELAY_LEVEL2_MS (default 5000: the test
    brokers' messageDelayLevel "1s 5s 1s 2s ..." of scripts/brokers.sh);
  * a cancellation whose time has passed fails ("too late").

Which broker has timers: a name-server label starting with "v5", or an address on port 19876
(scripts/brokers.sh), is 5.x; anything else is 4.x.

The topic is fresh (rmq_pysched_<run id>, 4 queues, created with scripts/brokers.sh topic on every
running broker); every name server gets its own tag, producer group and consumer group.

Environment: NAMESRV_ADDRS (as test_producer.py), RMQ_BROKERS_SH, RMQ_DELAY_LEVEL2_MS.
"""
import glob
import os
import subprocess
import threading
import time
import uuid

import pytest

from rocketmq.client import ConsumeStatus, Message, Producer, PushConsumer, SendStatus
from rocketmq.exceptions import ProducerSendSyncFailed

import namesrvs

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BROKERS_SH = os.environ.get('RMQ_BROKERS_SH', os.path.join(REPO, 'scripts', 'brokers.sh'))
RUN_ID = uuid.uuid4().hex[:10]
TOPIC = 'rmq_pysched_%s' % RUN_ID
DELAY_LEVEL2_MS = int(os.environ.get('RMQ_DELAY_LEVEL2_MS', '5000'))
LATE_MS = 1500        # 5.x: delivered at most this long after its time
EARLY_MS = 50         # clock granularity allowed before the time
DEADLINE_S = 20.0     # waiting for an expected delivery
LOG_GLOB = os.path.join(os.path.expanduser('~'), 'logs', 'rocketmq-rust', 'rocketmq_client.log*')


NAMESRVS = namesrvs.from_env()


def now_ms():
    return int(time.time() * 1000)


def _s(v):
    return v.decode('utf-8') if isinstance(v, bytes) else v


@pytest.fixture(scope='session')
def topic():
    p = subprocess.run([BROKERS_SH, 'topic', TOPIC, '4'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=180)
    assert p.returncode == 0, 'scripts/brokers.sh topic %s 4 failed:\n%s' % (TOPIC, p.stdout.decode('utf-8', 'replace'))
    return TOPIC


class Inbox(object):
    """What the push consumer got: key -> list of (wall-clock ms at delivery, msg id)."""

    def __init__(self, tag):
        self.tag = tag
        self.cond = threading.Condition()
        self.got = {}
        self.errors = []

    def consume(self, msg):
        try:
            t = now_ms()
            key = _s(msg.keys)
            with self.cond:
                self.got.setdefault(key, []).append((t, msg.id))
                self.cond.notify_all()
        except BaseException as e:  # never let it reach ctypes
            self.errors.append(repr(e))
        return ConsumeStatus.CONSUME_SUCCESS

    def wait_for(self, keys, timeout=DEADLINE_S):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not all(k in self.got for k in keys):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.2))
            return True

    def deliveries(self, key):
        with self.cond:
            return list(self.got.get(key, []))


class Env(object):
    pass


@pytest.fixture(scope='module', params=NAMESRVS, ids=[label for label, _ in NAMESRVS])
def env(request, topic):
    label, addr = request.param
    e = Env()
    e.label, e.addr = label, addr
    e.timers = label.startswith('v5') or addr.endswith(':19876')
    e.tag = 'pysched_%s_%s' % (label, RUN_ID)
    e.inbox = Inbox(e.tag)
    consumer = PushConsumer('py_schedc_%s_%s' % (label, RUN_ID))
    consumer.set_name_server_address(addr)
    consumer.subscribe(topic, e.inbox.consume, e.tag)
    consumer.start()
    producer = Producer('py_schedp_%s_%s' % (label, RUN_ID), timeout=10000)
    producer.set_name_server_address(addr)
    producer.start()
    e.producer = producer
    yield e
    producer.shutdown()
    consumer.shutdown()
    assert not e.inbox.errors, e.inbox.errors


def message(e, what, at=None, cancel=None):
    m = Message(TOPIC)
    m.set_keys('%s-%s' % (e.tag, what))
    m.set_tags(e.tag)
    m.set_body('%s %s' % (what, RUN_ID))
    if at is not None:
        m.set_property('__STARTDELIVERTIME', str(at))
    if cancel is not None:
        m.set_property('__CANCEL_SCHEDULED_MSG', cancel)
    return m


def key(e, what):
    return '%s-%s' % (e.tag, what)


def send(e, what, at=None):
    r = e.producer.send_sync(message(e, what, at))
    assert r.status == SendStatus.OK and r.msg_id, 'send %s: %r' % (what, r)
    return r.msg_id


def log_text():
    text = ''
    for path in glob.glob(LOG_GLOB):
        with open(path, 'rb') as f:
            text += f.read().decode('utf-8', 'replace')
    return text


def test_start_deliver_time(env):
    due = now_ms() + 3000
    msg_id = send(env, 'due', due)
    assert env.inbox.wait_for([key(env, 'due')]), 'the scheduled message never arrived'
    (t, got_id), = env.inbox.deliveries(key(env, 'due'))
    assert got_id == msg_id
    if env.timers:
        assert due - EARLY_MS <= t <= due + LATE_MS, \
            'delivered %+d ms from its time, expected [-%d, +%d]' % (t - due, EARLY_MS, LATE_MS)
    else:
        assert t < due - 2000, '4.x: delivered %+d ms from its time, expected at once' % (t - due)
        deadline = time.monotonic() + 5
        while msg_id not in log_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        lines = [l for l in log_text().splitlines() if msg_id in l]
        assert any('has no timer messages' in l for l in lines), \
            '4.x: no log line says %s is delivered at once (%s): %r' % (msg_id, LOG_GLOB, lines)


def test_cancel(env):
    at = now_ms() + 4000
    target = send(env, 'cancelled', at)
    send(env, 'control', at)
    cancel = message(env, 'marker', at, cancel=target)
    if env.timers:
        r = env.producer.send_sync(cancel)
        assert r.status == SendStatus.OK and r.msg_id, 'the cancellation: %r' % (r,)
        assert env.inbox.wait_for([key(env, 'control')]), 'the control message never arrived'
        (t, _), = env.inbox.deliveries(key(env, 'control'))
        assert at - EARLY_MS <= t <= at + LATE_MS, 'control delivered %+d ms from its time' % (t - at)
        while now_ms() < at + 3000:  # past the slot, with a margin
            time.sleep(0.1)
        assert env.inbox.deliveries(key(env, 'cancelled')) == [], 'the cancelled message was delivered'
        assert env.inbox.deliveries(key(env, 'marker')) == [], 'the cancellation message was delivered'
    else:
        with pytest.raises(ProducerSendSyncFailed) as err:
            env.producer.send_sync(cancel)
        text = str(err.value)
        assert '4.x' in text and 'no timer messages' in text and target in text, text
        assert env.inbox.wait_for([key(env, 'cancelled'), key(env, 'control')]), \
            '4.x: the scheduled messages were not delivered at once'
        for what in ('cancelled', 'control'):
            (t, _), = env.inbox.deliveries(key(env, what))
            assert t < at - 2000, '4.x: %s delivered %+d ms from its time, expected at once' % (what, t - at)
        time.sleep(1.0)  # deliberate: a cancellation message, had one been sent, would be here by now
        assert env.inbox.deliveries(key(env, 'marker')) == [], '4.x: a cancellation message was sent'


def test_cancel_too_late(env):
    with pytest.raises(ProducerSendSyncFailed) as err:
        env.producer.send_sync(message(env, 'marker-late', now_ms() - 1000, cancel='C0FFEE'))
    assert 'too late' in str(err.value), str(err.value)


def test_delay_level(env):
    m = message(env, 'delay2')
    m.set_delay_time_level(2)
    t0 = now_ms()
    r = env.producer.send_sync(m)
    assert r.status == SendStatus.OK
    assert env.inbox.wait_for([key(env, 'delay2')]), 'the level-2 message never arrived'
    (t, got_id), = env.inbox.deliveries(key(env, 'delay2'))
    assert got_id == r.msg_id
    waited = t - t0
    assert DELAY_LEVEL2_MS - 100 <= waited <= DELAY_LEVEL2_MS + 2500, \
        'delay level 2: delivered after %d ms, expected about %d ms' % (waited, DELAY_LEVEL2_MS)
