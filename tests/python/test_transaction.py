# -*- coding: utf-8 -*-
"""Transactional messages with the rocketmq package of the target under test (target.py: the UNCHANGED
PyPI package rocketmq-client-python 2.0.0 on our installed library, or this project's
bindings/python package).

The package's TransactionMQProducer sends; the package's PushConsumer (a fresh group per name
server) receives. Cases, one test each, in this order, then a final exactly-once audit:

  commit     local_execute returns COMMIT                  -> consumed
  rollback   local_execute returns ROLLBACK                -> never consumed (also not after a quiet
                                                              window beyond the broker's check window)
  unknown    local_execute returns UNKNOWN, the application later decides commit; the broker's
             check-back asks the checker, which answers COMMIT -> consumed

The checker answers from the application's own record of each transaction (written by
local_execute), never a constant, as an application must.

Exactly once: every committed transaction is consumed exactly once, with the msg_id the send
returned; a rolled back one never. A 5.x broker writes its transaction op records in batches
(transactionOpBatchInterval, default 3 s) and, with this test broker's transactionTimeOut of 2 s,
often checks transactions that were already committed or rolled back, each time on a new copy of
the half message. The library answers those checks itself (it waited for the broker's answer to
the earlier END_TRANSACTION), without calling the checker, so the broker stores nothing twice:
every committed transaction gets exactly one COMMIT answer (local_execute or one check-back).

The topic is fresh (rmq_pytx_<run id>, 4 queues, created with scripts/brokers.sh topic on every
running broker); every name server gets its own tag, producer group and consumer group.

Environment: NAMESRV_ADDRS (as test_producer.py), RMQ_BROKERS_SH, RMQ_PY_TX_TIMEOUT (seconds to
wait for check-backs / deliveries, default 30).
"""
import os
import subprocess
import threading
import time
import uuid

import pytest

from rocketmq.client import ConsumeStatus, Message, PushConsumer, SendStatus, TransactionMQProducer, \
    TransactionStatus

import namesrvs

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BROKERS_SH = os.environ.get('RMQ_BROKERS_SH', os.path.join(REPO, 'scripts', 'brokers.sh'))
RUN_ID = uuid.uuid4().hex[:10]
TOPIC = 'rmq_pytx_%s' % RUN_ID
TIMEOUT = float(os.environ.get('RMQ_PY_TX_TIMEOUT', '30'))
QUIET = 6.0        # seconds without a resolving check-back: > check interval 1 s + timeout 2 s
N = 3              # transactions per case
EXEC_ARG = 0x5eed  # user_args of send_message_in_transaction (a void*: an int round trip)
NON_ASCII = u'ünïcødé – 中文 – 🚀'
TIMINGS = []       # (test, what, seconds): written to the terminal after each name server's tests
# Producers stay referenced until the interpreter exits: ShutdownProducer may return while check-backs
# are still queued in the library, which then call the checker's ctypes thunk; once the
# TransactionMQProducer (which owns the thunk) was collected that is a jump into freed memory
# (SIGSEGV, seen with a 1 s checker). See the report of this test's introduction.
_KEEP = []


NAMESRVS = namesrvs.from_env()


def _s(v):
    return v.decode('utf-8') if isinstance(v, bytes) else v


def timing(what, seconds, test=None):
    TIMINGS.append((test or os.environ.get('PYTEST_CURRENT_TEST', '?').split(' ')[0], what, seconds))


@pytest.fixture(scope='session')
def topic():
    t0 = time.monotonic()
    p = subprocess.run([BROKERS_SH, 'topic', TOPIC, '4'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=180)
    assert p.returncode == 0, 'scripts/brokers.sh topic %s 4 failed:\n%s' % (TOPIC, p.stdout.decode('utf-8', 'replace'))
    timing('create topic %s' % TOPIC, time.monotonic() - t0)
    return TOPIC


class App(object):
    """The application: its record of every transaction, the executor and the checker (both only
    record problems; an exception inside a ctypes callback would turn into a return value of 0,
    i.e. COMMIT)."""

    def __init__(self, group, tag):
        self.group = group
        self.tag = tag
        self.cond = threading.Condition()
        self.tx = {}          # key -> dict
        self.errors = []
        self.foreign_checks = []
        self.deliveries = {}  # key -> list of (queue id, queue offset, msg id, body, tags, props ok)
        self.foreign_deliveries = []
        self.last_resolve = 0.0
        self.main_thread = threading.get_ident()

    def new(self, case, i, exec_result, final):
        key = '%s:%s:%s:%d' % (RUN_ID, self.tag, case, i)
        t = dict(case=case, key=key, body='tx %s #%d %s' % (case, i, NON_ASCII), exec_result=exec_result,
                 final=final, recorded=None, exec_calls=0, checks=0, resolving_checks=0, commit_answers=0,
                 first_check=None, msg_id=None, sent_at=None)
        with self.cond:
            self.tx[key] = t
        return t

    def message(self, t):
        m = Message(TOPIC)
        m.set_keys(t['key'])
        m.set_tags(self.tag)
        m.set_property('p_case', t['case'])
        m.set_property('p_text', NON_ASCII)
        m.set_body(t['body'])
        return m

    def error(self, text):
        with self.cond:
            self.errors.append(text)

    # local_execute(ReceivedMessage over the caller's CMessage*, user_args)
    def execute(self, msg, user_args):
        try:
            key = _s(msg.keys)
            with self.cond:
                t = self.tx.get(key)
            if t is None:
                self.error('executor: unknown keys %r' % (key,))
                return TransactionStatus.UNKNOWN
            t['exec_calls'] += 1
            if user_args != EXEC_ARG:
                self.error('executor %s: user_args %r, expected %r' % (key, user_args, EXEC_ARG))
            if threading.get_ident() != self.main_thread:
                self.error('executor %s: not on the thread that called send_message_in_transaction' % key)
            for what, got, want in (('body', _s(msg.body), t['body']), ('tags', _s(msg.tags), self.tag),
                                    ('TRAN_MSG', _s(msg.get_property('TRAN_MSG')), 'true'),
                                    ('PGROUP', _s(msg.get_property('PGROUP')), self.group),
                                    ('p_case', _s(msg.get_property('p_case')), t['case']),
                                    ('p_text', _s(msg.get_property('p_text')), NON_ASCII)):
                if got != want:
                    self.error('executor %s: %s %r, expected %r' % (key, what, got, want))
            uniq = _s(msg.get_property('UNIQ_KEY'))
            if not uniq:
                self.error('executor %s: no UNIQ_KEY on the half message' % key)
            t['uniq_in_exec'] = uniq
            with self.cond:
                t['recorded'] = t['final']  # the local transaction's outcome, as the application knows it
                if t['exec_result'] == TransactionStatus.COMMIT:
                    t['commit_answers'] += 1
            return t['exec_result']
        except BaseException as e:  # never let it reach ctypes
            self.error('executor raised %r' % (e,))
            return TransactionStatus.UNKNOWN

    # checker_callback(ReceivedMessage over the broker's CMessageExt*)
    def check(self, msg):
        try:
            now = time.monotonic()
            key = _s(msg.keys)
            with self.cond:
                t = self.tx.get(key)
                if t is None:
                    self.foreign_checks.append(key)
                    return TransactionStatus.UNKNOWN
                t['checks'] += 1
                if t['first_check'] is None:
                    t['first_check'] = now
                answer = t['recorded'] if t['recorded'] is not None else TransactionStatus.UNKNOWN
                if answer != TransactionStatus.UNKNOWN:
                    t['resolving_checks'] += 1
                    self.last_resolve = now
                if answer == TransactionStatus.COMMIT:
                    t['commit_answers'] += 1
                sent_id = t['msg_id']
            if threading.get_ident() == self.main_thread:
                self.error('checker %s: called on the main thread' % key)
            for what, got, want in (('topic', msg.topic, TOPIC), ('tags', _s(msg.tags), self.tag),
                                    ('body', _s(msg.body), t['body']), ('id', msg.id, sent_id),
                                    ('TRAN_MSG', _s(msg.get_property('TRAN_MSG')), 'true'),
                                    ('PGROUP', _s(msg.get_property('PGROUP')), self.group),
                                    ('UNIQ_KEY', _s(msg.get_property('UNIQ_KEY')), sent_id),
                                    ('p_case', _s(msg.get_property('p_case')), t['case']),
                                    ('p_text', _s(msg.get_property('p_text')), NON_ASCII)):
                if got != want:
                    self.error('checker %s: %s %r, expected %r' % (key, what, got, want))
            with self.cond:
                self.cond.notify_all()
            return answer
        except BaseException as e:
            self.error('checker raised %r' % (e,))
            return TransactionStatus.UNKNOWN

    # PushConsumer callback
    def consume(self, msg):
        try:
            key = _s(msg.keys)
            d = (msg.queue_id, msg.queue_offset, msg.id, _s(msg.body), _s(msg.tags),
                 _s(msg.get_property('p_case')), _s(msg.get_property('p_text')))
            with self.cond:
                if key in self.tx:
                    self.deliveries.setdefault(key, []).append(d)
                else:
                    self.foreign_deliveries.append(key)
                self.cond.notify_all()
        except BaseException as e:
            self.error('consumer callback raised %r' % (e,))
        return ConsumeStatus.CONSUME_SUCCESS

    def wait(self, pred, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not pred():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.2))
            return True

    def wait_quiet(self, since):
        """Until QUIET seconds passed since `since` and since the last resolving check-back."""
        while True:
            with self.cond:
                last = max(since, self.last_resolve)
            left = last + QUIET - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.2))

    def of(self, case):
        with self.cond:
            return [t for t in self.tx.values() if t['case'] == case]


@pytest.fixture(scope='module', params=NAMESRVS, ids=[label for label, _ in NAMESRVS])
def namesrv(request):
    return request.param


@pytest.fixture(scope='module')
def app(request, namesrv, topic):
    label, addr = namesrv
    a = App('py_txp_%s_%s' % (label, RUN_ID), 'pytx_%s_%s' % (label, RUN_ID))
    consumer = PushConsumer('py_txc_%s_%s' % (label, RUN_ID))
    consumer.set_name_server_address(addr)
    consumer.subscribe(topic, a.consume, a.tag)
    t0 = time.monotonic()
    consumer.start()
    timing('start push consumer', time.monotonic() - t0)
    producer = TransactionMQProducer(a.group, a.check, timeout=10000)
    producer.set_name_server_address(addr)
    t0 = time.monotonic()
    producer.start()
    timing('start transaction producer', time.monotonic() - t0)
    a.producer = producer
    _KEEP.append(producer)
    yield a
    t0 = time.monotonic()
    producer.shutdown()
    consumer.shutdown()
    timing('shutdown producer + consumer', time.monotonic() - t0, test='(module teardown, %s)' % label)
    # conftest.py only knows test_consumer's timings: print ours directly (outside the capture).
    tr = request.config.pluginmanager.get_plugin('terminalreporter')
    cm = request.config.pluginmanager.get_plugin('capturemanager')
    if tr is not None and cm is not None:
        with cm.global_and_fixture_disabled():
            tr.write_line('')
            tr.write_line('---- transaction timings (%s, %s, topic %s)' % (label, addr, TOPIC))
            for test, what, secs in TIMINGS:
                tr.write_line('%-40s %-72s %6.2f s' % (test.replace('test_transaction.py::', ''), what, secs))
    del TIMINGS[:]
    assert not a.errors, '\n'.join(a.errors[:20])


def send(app, t):
    t0 = time.monotonic()
    r = app.producer.send_message_in_transaction(app.message(t), app.execute, EXEC_ARG)
    t['sent_at'] = time.monotonic()
    with app.cond:
        t['msg_id'] = r.msg_id
    assert r.status == SendStatus.OK and r.msg_id, 'send_message_in_transaction(%s): %r' % (t['key'], r)
    assert t['exec_calls'] == 1, '%s: local_execute ran %d times' % (t['key'], t['exec_calls'])
    assert t.get('uniq_in_exec') == r.msg_id, '%s: UNIQ_KEY in local_execute %r != msg_id %r' % (
        t['key'], t.get('uniq_in_exec'), r.msg_id)
    return time.monotonic() - t0


def assert_consumed(app, ts):
    with app.cond:
        for t in ts:
            ds = app.deliveries.get(t['key'], [])
            assert ds, '%s: never consumed' % t['key']
            for q, off, msg_id, body, tags, p_case, p_text in ds:
                assert (msg_id, body, tags, p_case, p_text) == (t['msg_id'], t['body'], app.tag, t['case'], NON_ASCII), \
                    '%s: delivered %r' % (t['key'], (msg_id, body, tags, p_case, p_text))


def test_commit(app):
    ts = [app.new('commit', i, TransactionStatus.COMMIT, TransactionStatus.COMMIT) for i in range(N)]
    send_time = sum(send(app, t) for t in ts)
    timing('send_message_in_transaction x%d (commit)' % N, send_time)
    t0 = time.monotonic()
    ok = app.wait(lambda: all(t['key'] in app.deliveries for t in ts))
    missing = [t['key'] for t in ts if t['key'] not in app.deliveries]
    assert ok, 'committed transactions not consumed within %.0f s: %s' % (TIMEOUT, missing)
    timing('commit -> consumed', time.monotonic() - t0)
    assert_consumed(app, ts)
    assert not app.errors, '\n'.join(app.errors[:20])


def test_rollback(app):
    ts = [app.new('rollback', i, TransactionStatus.ROLLBACK, TransactionStatus.ROLLBACK) for i in range(N)]
    for t in ts:
        send(app, t)
    t0 = time.monotonic()
    app.wait_quiet(t0)
    timing('rollback quiet window', time.monotonic() - t0)
    with app.cond:
        got = dict((t['key'], app.deliveries[t['key']]) for t in ts if t['key'] in app.deliveries)
    assert not got, 'rolled back transactions were consumed: %r' % got
    assert not app.errors, '\n'.join(app.errors[:20])


def test_unknown_then_commit(app):
    ts = [app.new('unknown', i, TransactionStatus.UNKNOWN, TransactionStatus.COMMIT) for i in range(N)]
    for t in ts:
        send(app, t)
    t0 = time.monotonic()
    ok = app.wait(lambda: all(t['resolving_checks'] > 0 for t in ts))
    assert ok, 'unknown transactions not checked back within %.0f s: %s' % (
        TIMEOUT, [t['key'] for t in ts if not t['resolving_checks']])
    timing('unknown -> first check-back (after the last send)', max(t['first_check'] for t in ts) - t0)
    ok = app.wait(lambda: all(t['key'] in app.deliveries for t in ts))
    assert ok, 'transactions committed by the checker not consumed within %.0f s: %s' % (
        TIMEOUT, [t['key'] for t in ts if t['key'] not in app.deliveries])
    timing('unknown -> consumed', time.monotonic() - t0)
    assert_consumed(app, ts)
    assert not app.errors, '\n'.join(app.errors[:20])


def test_exactly_once(app):
    """After a quiet window: each committed transaction consumed exactly once (one stored copy) with
    its send result's id after exactly one COMMIT answer, nothing of a rolled back transaction,
    nothing foreign, and every unknown transaction checked back."""
    t0 = time.monotonic()
    app.wait_quiet(t0)
    timing('final quiet window', time.monotonic() - t0)
    problems = []
    with app.cond:
        for key, t in sorted(app.tx.items()):
            ds = app.deliveries.get(key, [])
            copies = set((q, off) for q, off, _, _, _, _, _ in ds)
            if t['final'] == TransactionStatus.COMMIT:
                if len(ds) != 1:
                    problems.append('%s: committed, consumed %d times (%d stored copies), expected exactly once' % (
                        key, len(ds), len(copies)))
                if t['commit_answers'] != 1:
                    problems.append('%s: %d COMMIT answers (local_execute + checker), expected 1' % (
                        key, t['commit_answers']))
                bad = [d[2] for d in ds if d[2] != t['msg_id']]
                if bad:
                    problems.append('%s: delivered with id(s) %r, the send returned %r' % (key, bad, t['msg_id']))
            if t['final'] == TransactionStatus.ROLLBACK:
                if ds:
                    problems.append('%s: rolled back, consumed %d times' % (key, len(ds)))
                if t['commit_answers']:
                    problems.append('%s: rolled back, but %d COMMIT answers' % (key, t['commit_answers']))
            if t['exec_result'] == TransactionStatus.UNKNOWN and not t['checks']:
                problems.append('%s: unknown, never checked back' % key)
        if app.foreign_checks:
            problems.append('check-backs for messages not sent by this test: %r' % app.foreign_checks[:5])
        if app.foreign_deliveries:
            problems.append('deliveries of messages not sent by this test: %r' % app.foreign_deliveries[:5])
        for t in app.tx.values():
            timing('%s: checks %d, commit answers %d, deliveries %d' % (
                t['key'].split(':', 2)[2], t['checks'], t['commit_answers'], len(app.deliveries.get(t['key'], []))), 0)
    assert not problems, '\n'.join(problems)
    assert not app.errors, '\n'.join(app.errors[:20])
