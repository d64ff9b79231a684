# -*- coding: utf-8 -*-
"""Push consumer tests with the rocketmq package of the target under test (target.py: the UNCHANGED
PyPI package rocketmq-client-python 2.0.0 on our installed library, or this project's
bindings/python package with its own copy of the library).

The package's Producer sends, the package's PushConsumer receives; every ReceivedMessage field is
compared with what was set, with the SendResult, and with the same message pulled back through the
C pull consumer (readback.py). Every test runs once per name server (NAMESRV_ADDRS, as in
test_producer.py).

Each scenario uses its own fresh topic, created at session start with
``scripts/brokers.sh topic NAME [QUEUES]`` on every running broker (RMQ_BROKERS_SH overrides the
script path; the topics are named rmq_pyc_<scenario>_<run id>), and its own consumer group, so
no test sees another test's (or run's) messages or offsets.

Waiting is always polling against a deadline (a condition variable in the collector); the only
sleeps are inside callbacks, where they are the point of the test.

Environment: NAMESRV_ADDRS, RMQ_BROKERS_SH, RMQ_PY_CONSUME_TIMEOUT (seconds to wait for
deliveries, default 60).
"""
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

from rocketmq.client import ConsumeStatus, Message, Producer, PushConsumer, SendStatus

import namesrvs
from readback import PullReader, expected_queue_index
from target import BINDING, UPSTREAM, per_target

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BROKERS_SH = os.environ.get('RMQ_BROKERS_SH', os.path.join(REPO, 'scripts', 'brokers.sh'))
RUN_ID = uuid.uuid4().hex[:10]
CONSUME_TIMEOUT = float(os.environ.get('RMQ_PY_CONSUME_TIMEOUT', '60'))
SHUTDOWN_LIMIT = 15.0     # seconds a shutdown may take, even with a callback in flight
EXIT_LIMIT = 30.0         # seconds for the exit-without-shutdown child after its first message
NON_ASCII = u'中文 – ünïcødé – emoji 🚀 – ελληνικά'
TIMINGS = []              # (test, what, seconds), printed by conftest.py at the end


NAMESRVS = namesrvs.from_env()

# scenario -> queue count; one fresh topic each, shared by both name servers (separate clusters).
SCENARIOS = {'conc': 8, 'orderly': 4, 'oretry': 4, 'retry': 8, 'retryexc': 4, 'shutdown': 4, 'exit': 4,
             'admin': 4, 'binary': 4, 'two_a': 4, 'two_b': 4}


def topic_of(scenario):
    return 'rmq_pyc_%s_%s' % (scenario, RUN_ID)


def timing(what, seconds):
    TIMINGS.append((os.environ.get('PYTEST_CURRENT_TEST', '?').split(' ')[0], what, seconds))


@pytest.fixture(scope='session', autouse=True)
def topics():
    """Create the scenario topics (in parallel) on every running broker."""
    t0 = time.monotonic()
    procs = {}
    for scenario, queues in SCENARIOS.items():
        procs[scenario] = subprocess.Popen(
            [BROKERS_SH, 'topic', topic_of(scenario), str(queues)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    failures = []
    for scenario, p in procs.items():
        out, _ = p.communicate(timeout=120)
        if p.returncode != 0:
            failures.append('%s: exit %d\n%s' % (topic_of(scenario), p.returncode,
                                                   out.decode('utf-8', 'replace')))
    assert not failures, 'topic creation failed:\n' + '\n'.join(failures)
    timing('create %d topics' % len(SCENARIOS), time.monotonic() - t0)
    yield


@pytest.fixture(scope='module', params=NAMESRVS, ids=[label for label, _ in NAMESRVS])
def namesrv(request):
    return request.param


@pytest.fixture(scope='module')
def producer(namesrv):
    label, addr = namesrv
    p = Producer('py_cprod_%s_%s' % (label, RUN_ID), timeout=10000)
    p.set_name_server_address(addr)
    p.start()
    yield p
    p.shutdown()


@pytest.fixture(scope='module')
def orderly_producer(namesrv):
    label, addr = namesrv
    p = Producer('py_coprod_%s_%s' % (label, RUN_ID), orderly=True, timeout=10000)
    p.set_name_server_address(addr)
    p.start()
    yield p
    p.shutdown()


@pytest.fixture(scope='module')
def reader(namesrv):
    with PullReader(namesrv[1]) as r:
        yield r


def shutdown_within(consumer, limit=SHUTDOWN_LIMIT):
    """consumer.shutdown() on a helper thread; returns (seconds, monotonic time it returned).
    Fails (without hanging the test run) if it has not returned after `limit` seconds."""
    box = {}

    def run():
        t0 = time.monotonic()
        try:
            consumer.shutdown()
        except BaseException as e:  # reported below
            box['error'] = e
        box['returned'] = time.monotonic()
        box['elapsed'] = box['returned'] - t0

    t = threading.Thread(target=run, name='shutdown-helper', daemon=True)
    t.start()
    t.join(limit)
    assert not t.is_alive(), 'PushConsumer.shutdown() did not return within %.0f s' % limit
    assert 'error' not in box, 'PushConsumer.shutdown() raised %r' % (box['error'],)
    return box['elapsed'], box['returned']


@pytest.fixture
def consumers(namesrv):
    """Factory for started PushConsumers; every consumer is shut down (bounded) at teardown and
    stays referenced until then (the package keeps the CFUNCTYPE thunks in the object)."""
    made = []

    def make(scenario, callback, orderly=False, group=None, threads=None, batch=None,
             instance=None, expression='*', also=()):
        """also: more (scenario, callback) subscriptions of the same consumer."""
        label, addr = namesrv
        c = PushConsumer(group or 'py_cons_%s_%s_%s' % (scenario, label, RUN_ID), orderly=orderly)
        c.set_name_server_address(addr)
        if threads is not None:
            c.set_thread_count(threads)
        if batch is not None:
            c.set_message_batch_max_size(batch)
        if instance is not None:
            c.set_instance_name(instance)
        c.subscribe(topic_of(scenario), callback, expression)
        for other, other_callback in also:
            c.subscribe(topic_of(other), other_callback, expression)
        t0 = time.monotonic()
        c.start()
        timing('start consumer (%s)' % ('orderly' if orderly else 'concurrent'), time.monotonic() - t0)
        made.append(c)
        return c

    yield make
    for c in made:
        shutdown_within(c)


# ---------------------------------------------------------------------------------------------
# Collecting deliveries

PROPS = ('prop_text', 'prop_ascii', 'seq', 'case', 'UNIQ_KEY', 'KEYS', 'TAGS', 'DELAY', 'RETRY_TOPIC',
         '__SHARDINGKEY', 'no_such_property_' + RUN_ID)


def snapshot(msg):
    """Every ReceivedMessage field, read inside the callback (the handle dies with the call)."""
    th = threading.current_thread()
    return {
        'id': msg.id, 'topic': msg.topic, 'keys': msg.keys, 'tags': msg.tags, 'body': msg.body,
        'queue_id': msg.queue_id, 'queue_offset': msg.queue_offset,
        'commit_log_offset': msg.commit_log_offset,
        'reconsume_times': msg.reconsume_times, 'born_timestamp': msg.born_timestamp,
        'store_timestamp': msg.store_timestamp, 'store_size': msg.store_size,
        'delay_time_level': msg.delay_time_level,
        'prepared_transaction_offset': msg.prepared_transaction_offset,
        'props': dict((p, msg.get_property(p)) for p in PROPS),
        'str': str(msg), 'bytes': bytes(msg),
        'thread': th.name, 'main_thread': th is threading.main_thread(),
        'received_ms': int(time.time() * 1000),
    }


class Collector(object):
    """The user callback. decide(snapshot, deliveries_so_far_of_this_id) -> return value (or
    raises); `hold` seconds of sleep inside the callback (per message, via hold_for)."""

    def __init__(self, decide=None, hold_for=None):
        self.cond = threading.Condition()
        self.got = []           # snapshots, in callback-entry order
        self.errors = []
        self.active = 0
        self.max_active = 0
        self.decide = decide
        self.hold_for = hold_for

    def __call__(self, msg):
        enter = time.monotonic()
        snap = {'enter': enter}
        try:
            snap.update(snapshot(msg))
        except BaseException as e:
            self.errors.append('reading the message failed: %r' % (e,))
            raise
        with self.cond:
            prior = sum(1 for s in self.got if s['id'] == snap['id'])
            self.got.append(snap)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            hold = self.hold_for(snap) if self.hold_for else 0
            if hold:
                time.sleep(hold)
            result = self.decide(snap, prior) if self.decide else ConsumeStatus.CONSUME_SUCCESS
            snap['result'] = result
            return result
        except BaseException as e:
            snap['result'] = e
            raise
        finally:
            with self.cond:
                snap['exit'] = time.monotonic()
                self.active -= 1
                self.cond.notify_all()

    def wait(self, pred, timeout=CONSUME_TIMEOUT):
        """Wait until pred(finished deliveries) holds; returns whether it did."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not pred([s for s in self.got if 'exit' in s]):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(min(left, 0.5))
            return True

    def by_id(self, msg_id):
        with self.cond:
            return [s for s in self.got if s['id'] == msg_id]

    def ids(self):
        with self.cond:
            return [s['id'] for s in self.got]


def all_ids_done(ids):
    ids = set(ids)
    return lambda done: ids <= {s['id'] for s in done if s.get('result') == ConsumeStatus.CONSUME_SUCCESS}


def wait_all(collector, sent, what):
    t0 = time.monotonic()
    ok = collector.wait(all_ids_done(r.msg_id for _, r in sent))
    missing = sorted({r.msg_id for _, r in sent} - set(collector.ids()))
    assert ok, '%s: %d of %d messages not consumed within %.0f s (missing %s); errors %s' % (
        what, len(missing), len(sent), CONSUME_TIMEOUT, missing[:5], collector.errors)
    timing('receive %d messages (%s)' % (len(sent), what), time.monotonic() - t0)


# ---------------------------------------------------------------------------------------------
# Sending

class Sent(object):
    def __init__(self, topic, keys, tags, body, props, delay=0, sharding_key=None):
        self.topic, self.keys, self.tags, self.body = topic, keys, tags, body
        self.props, self.delay, self.sharding_key = props, delay, sharding_key

    def message(self):
        m = Message(self.topic)
        m.set_keys(self.keys)
        m.set_tags(self.tags)
        for k, v in self.props.items():
            m.set_property(k, v)
        if self.delay:
            m.set_delay_time_level(self.delay)
        m.set_body(self.body)
        return m


def send(producer, s):
    s.sent_from_ms = int(time.time() * 1000)
    if s.sharding_key is None:
        r = producer.send_sync(s.message())
    else:
        r = producer.send_orderly_with_sharding_key(s.message(), s.sharding_key)
    s.sent_to_ms = int(time.time() * 1000)
    assert r.status == SendStatus.OK and r.msg_id, 'send failed: %r' % (r,)
    return s, r


def pulled(reader, topic, msg_ids):
    """The messages as the C pull consumer sees them, by id (polled with a deadline)."""
    want = set(msg_ids)
    found = {}
    deadline = time.monotonic() + 30
    while True:
        for m in reader.read_new(topic, props=PROPS):
            if m['msg_id'] in want:
                assert m['msg_id'] not in found, 'message %s stored twice' % m['msg_id']
                found[m['msg_id']] = m
        if set(found) == want or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert set(found) == want, 'pull readback misses %s' % sorted(want - set(found))
    return found


def check_delivery(g, s, r, p):
    """g: snapshot of the first delivery, s: Sent, r: SendResult, p: the pulled message."""
    problems = []

    def eq(what, got, want):
        if got != want:
            problems.append('%s: got %r, want %r' % (what, got, want))

    enc = lambda t: t.encode('utf-8')
    eq('id', g['id'], r.msg_id)
    eq('topic', g['topic'], s.topic)
    eq('keys', g['keys'], enc(s.keys))
    eq('tags', g['tags'], enc(s.tags))
    eq('body', g['body'], enc(s.body))
    eq('str(msg)', g['str'], s.body)
    eq('bytes(msg)', g['bytes'], enc(s.body))
    if not s.delay:  # a delayed message's SendResult.offset is its offset in SCHEDULE_TOPIC_XXXX
        eq('queue_offset (SendResult.offset)', g['queue_offset'], r.offset)
    eq('reconsume_times', g['reconsume_times'], 0)
    eq('delay_time_level', g['delay_time_level'], s.delay)
    eq('prepared_transaction_offset', g['prepared_transaction_offset'], 0)
    if not g['store_size'] > 0:
        problems.append('store_size %r not > 0' % g['store_size'])
    # Same host clock: born while send_sync ran (1 s slack), stored after birth (+ the delay),
    # and before the callback saw it.
    if not s.sent_from_ms - 1000 <= g['born_timestamp'] <= s.sent_to_ms + 1000:
        problems.append('born_timestamp %d outside the send call [%d, %d]' % (
            g['born_timestamp'], s.sent_from_ms, s.sent_to_ms))
    min_store = g['born_timestamp'] - 1000 + (800 if s.delay else 0)
    if not min_store <= g['store_timestamp'] <= g['received_ms'] + 1000:
        problems.append('store_timestamp %d not in [%d, received %d]' % (
            g['store_timestamp'], min_store, g['received_ms']))
    # Properties: what was set, and the system ones that mirror fields.
    for k, v in s.props.items():
        eq('property %s' % k, g['props'][k], enc(v))
    eq('property UNIQ_KEY', g['props']['UNIQ_KEY'], enc(r.msg_id))
    eq('property KEYS', g['props']['KEYS'], enc(s.keys))
    eq('property TAGS', g['props']['TAGS'], enc(s.tags))
    if s.delay:
        eq('property DELAY', g['props']['DELAY'], enc(str(s.delay)))
    elif g['props']['DELAY'] not in (b'', None):
        problems.append('property DELAY %r on a message sent without delay' % g['props']['DELAY'])
    if s.sharding_key is not None:
        eq('property __SHARDINGKEY', g['props']['__SHARDINGKEY'], enc(s.sharding_key))
    if g['props']['no_such_property_' + RUN_ID] not in (b'', None):
        problems.append('missing property reads as %r' % g['props']['no_such_property_' + RUN_ID])
    # The same message through the pull consumer: identical broker-side fields.
    for f_push, f_pull in (('queue_id', 'queue_id'), ('queue_offset', 'queue_offset'),
                           ('commit_log_offset', 'commit_log_offset'), ('store_size', 'store_size'),
                           ('born_timestamp', 'born_timestamp'), ('store_timestamp', 'store_timestamp'),
                           ('delay_time_level', 'delay_level')):
        eq('%s vs pulled' % f_push, g[f_push], p[f_pull])
    if g['main_thread']:
        problems.append('callback ran on the main thread')
    return problems


def check_all(collector, sent, reader, topic):
    pulls = pulled(reader, topic, [r.msg_id for _, r in sent])
    problems = []
    for s, r in sent:
        ds = collector.by_id(r.msg_id)
        if len(ds) != 1:
            problems.append('%s (%s): delivered %d times' % (r.msg_id, s.keys, len(ds)))
        if ds:
            problems += ['%s (%s): %s' % (r.msg_id, s.keys, p) for p in check_delivery(ds[0], s, r, pulls[r.msg_id])]
    stray = set(collector.ids()) - {r.msg_id for _, r in sent}
    if stray:
        problems.append('unexpected deliveries: %s' % sorted(stray))
    assert not problems, '\n'.join(problems)


# ---------------------------------------------------------------------------------------------
# Tests

def test_concurrent_receives_every_field(namesrv, producer, reader, consumers):
    label = namesrv[0]
    topic = topic_of('conc')
    col = Collector()
    consumers('conc', col, threads=4, batch=4, instance='py_inst_%s_%s' % (label, RUN_ID))

    sent = []
    for i in range(8):
        keys = 'py-conc-%s-%s-%d' % (label, RUN_ID, i)
        if i % 3 == 0:
            keys += ' extra-%s-%d' % (RUN_ID, i)  # several keys
        sent.append(send(producer, Sent(topic, keys, 'TagConc%d' % (i % 2),
                                        u'concurrent #%d %s %s' % (i, RUN_ID, NON_ASCII),
                                        {'prop_text': NON_ASCII, 'prop_ascii': 'v%d' % i, 'seq': str(i)})))
    # One delayed message (level 1 = 1 s on the test brokers).
    sent.append(send(producer, Sent(topic, 'py-conc-delay-%s-%s' % (label, RUN_ID), 'TagDelay',
                                    u'delayed %s %s' % (RUN_ID, NON_ASCII), {'prop_text': NON_ASCII}, delay=1)))

    wait_all(col, sent, 'concurrent')
    check_all(col, sent, reader, topic)
    assert len({s['thread'] for s in col.got}) >= 1


def test_orderly_keeps_sharding_key_order(namesrv, orderly_producer, reader, consumers):
    label = namesrv[0]
    topic = topic_of('orderly')
    col = Collector(hold_for=lambda s: 0.02)  # long enough for overlapping callbacks to show
    consumers('orderly', col, orderly=True, threads=4)

    # Four sharding keys on four different queues (std::hash % 4), so that queues run in parallel.
    shard_keys, used = [], set()
    for i in range(1000):
        sk = 'sk-%s-%s-%d' % (label, RUN_ID, i)
        q = expected_queue_index(sk, SCENARIOS['orderly'])
        if q not in used:
            used.add(q)
            shard_keys.append(sk)
        if len(shard_keys) == 4:
            break
    sent = []
    for seq in range(6):
        for sk in shard_keys:
            keys = 'py-ord-%s-%d' % (sk, seq)
            sent.append(send(orderly_producer, Sent(topic, keys, 'TagOrd', u'orderly %s #%d %s' % (sk, seq, NON_ASCII),
                                                    {'prop_text': NON_ASCII, 'seq': str(seq)}, sharding_key=sk)))

    wait_all(col, sent, 'orderly')
    check_all(col, sent, reader, topic)

    # Per sharding key: delivered in send order. Per queue: never two callbacks at once.
    problems = []
    for sk in shard_keys:
        seqs = [int(g['props']['seq']) for g in col.got if g['props']['__SHARDINGKEY'] == sk.encode()]
        if seqs != list(range(6)):
            problems.append('sharding key %s delivered in order %s' % (sk, seqs))
    by_queue = {}
    for g in col.got:
        by_queue.setdefault(g['queue_id'], []).append(g)
    for qid, gs in by_queue.items():
        gs.sort(key=lambda g: g['enter'])
        offsets = [g['queue_offset'] for g in gs]
        if offsets != sorted(offsets):
            problems.append('queue %d consumed out of offset order: %s' % (qid, offsets))
        for a, b in zip(gs, gs[1:]):
            if b['enter'] < a['exit']:
                problems.append('queue %d: callbacks for offsets %d and %d overlapped' % (
                    qid, a['queue_offset'], b['queue_offset']))
    assert not problems, '\n'.join(problems)
    timing('orderly: max concurrent callbacks %d over %d queues' % (col.max_active, len(by_queue)), 0)


@per_target
def test_binary_body(namesrv, producer, reader, consumers, behaviour):
    """A body with NUL bytes, set as bytes. binding: stored and received whole (set_body hands
    the library its length, ReceivedMessage.body reads that many bytes). upstream: 2.0.0 hands
    set_body's bytes over as a C string and reads ReceivedMessage.body as one, so the broker
    stores the body up to its first NUL, and that is what the callback gets."""
    label = namesrv[0]
    topic = topic_of('binary')
    body = b'head\x00middle\x00\x00tail ' + NON_ASCII.encode('utf-8') + b'\x00'
    want = body if behaviour == BINDING else body[:body.index(b'\x00')]
    col = Collector()
    consumers('binary', col, threads=2)
    s, r = send(producer, Sent(topic, 'py-binary-%s-%s' % (label, RUN_ID), 'TagBinary', body, {}))
    wait_all(col, [(s, r)], 'binary body')
    stored = pulled(reader, topic, [r.msg_id])[r.msg_id]['body']
    assert stored == want, 'stored body %r, want %r (%s)' % (stored, want, behaviour)
    (g,) = col.by_id(r.msg_id)
    assert g['body'] == want and g['bytes'] == want, 'received body %r, want %r (%s)' % (g['body'], want, behaviour)


@per_target
def test_two_topics_two_callbacks(namesrv, producer, consumers, behaviour):
    """One consumer subscribed to two topics, each with its own callback; one message of the first
    topic is answered RECONSUME_LATER once and comes back. binding: each topic's messages, the
    redelivered one too, reach that topic's callback. upstream: 2.0.0 registers every
    subscribe()'s callback with the library, which keeps one per consumer: the last one gets the
    messages of both topics."""
    label = namesrv[0]

    def decide(snap, prior):
        if snap['keys'].endswith(b'-later') and prior == 0:
            return ConsumeStatus.RECONSUME_LATER
        return ConsumeStatus.CONSUME_SUCCESS

    col_a, col_b = Collector(decide=decide), Collector(decide=decide)
    consumers('two_a', col_a, threads=2, also=[('two_b', col_b)])
    sent = {}
    for scenario in ('two_a', 'two_b'):
        sent[scenario] = [send(producer, Sent(topic_of(scenario), 'py-%s-%s-%s-%d%s' % (
            scenario, label, RUN_ID, i, '-later' if (scenario, i) == ('two_a', 0) else ''),
            'TagTwo', u'%s #%d %s' % (scenario, i, NON_ASCII), {})) for i in range(3)]
    ids = {scenario: {r.msg_id for _, r in lst} for scenario, lst in sent.items()}
    later_id = sent['two_a'][0][1].msg_id

    def consumed():
        return {g['id'] for col in (col_a, col_b) for g in col.got
                if g.get('result') == ConsumeStatus.CONSUME_SUCCESS}

    t0 = time.monotonic()
    ok = col_a.wait(lambda _: consumed() >= ids['two_a'] | ids['two_b'])
    assert ok, 'not all of %d messages consumed within %.0f s: callback a got %d deliveries, b %d' % (
        len(ids['two_a'] | ids['two_b']), CONSUME_TIMEOUT, len(col_a.ids()), len(col_b.ids()))
    timing('receive 6 messages of two topics, one redelivered', time.monotonic() - t0)
    got_a, got_b = set(col_a.ids()), set(col_b.ids())
    if behaviour == BINDING:
        assert (got_a, got_b) == (ids['two_a'], ids['two_b']), \
            'callback a got %d of a and %d of b, callback b %d of a and %d of b' % (
                len(got_a & ids['two_a']), len(got_a & ids['two_b']), len(got_b & ids['two_a']),
                len(got_b & ids['two_b']))
        later_col = col_a
    else:
        assert (got_a, got_b) == (set(), ids['two_a'] | ids['two_b']), \
            'the last callback should get everything: a got %d, b got %d of %d' % (
                len(got_a), len(got_b), len(ids['two_a'] | ids['two_b']))
        later_col = col_b
    deliveries = [(g['topic'], g['reconsume_times'], g['result']) for g in later_col.by_id(later_id)]
    assert deliveries == [(topic_of('two_a'), 0, ConsumeStatus.RECONSUME_LATER),
                          (topic_of('two_a'), 1, ConsumeStatus.CONSUME_SUCCESS)], deliveries
    for col in (col_a, col_b):
        for g in col.got:
            want = topic_of('two_a') if g['id'] in ids['two_a'] else topic_of('two_b')
            assert g['topic'] == want, (g['id'], g['topic'], want)


def _retry_scenario(namesrv, producer, consumers, scenario, cases, timeout=CONSUME_TIMEOUT):
    """Send one message per case; the callback acts per delivery as the case says ('later',
    'raise', 'none', then success). Checks that every message comes back with reconsume_times
    0, 1, ... and its own topic, id and content, after the retry delay."""
    label = namesrv[0]
    topic = topic_of(scenario)
    plan = dict(cases)  # case property -> action per delivery (then success)

    def decide(snap, prior):
        actions = plan.get((snap['props']['case'] or b'').decode(), [])
        action = actions[prior] if prior < len(actions) else 'ok'
        if action == 'later':
            return ConsumeStatus.RECONSUME_LATER
        if action == 'raise':
            raise RuntimeError('test: consume failed on purpose')
        if action == 'none':
            return None  # 2.0.0's wrapper raises ValueError for this, the binding logs it
        return ConsumeStatus.CONSUME_SUCCESS

    col = Collector(decide=decide)
    consumers(scenario, col, threads=2)
    sent = []
    for name, actions in cases:
        s, r = send(producer, Sent(topic, 'py-%s-%s-%s-%s' % (scenario, name, label, RUN_ID), 'TagRetry',
                                   u'retry %s %s %s' % (name, RUN_ID, NON_ASCII),
                                   {'prop_text': NON_ASCII, 'case': name}))
        sent.append((s, r, actions))

    def finished(done):
        ok_ids = {g['id'] for g in done if g.get('result') == ConsumeStatus.CONSUME_SUCCESS}
        return all(r.msg_id in ok_ids for _, r, _ in sent)

    t0 = time.monotonic()
    assert col.wait(finished, timeout), (
        'not all messages consumed successfully within %.0f s; deliveries (reconsume_times, result): %s' % (
            timeout, ['%s: %s' % (s.keys, [(g['reconsume_times'], g.get('result')) for g in col.by_id(r.msg_id)])
                      for s, r, _ in sent]))
    timing('%s: all redeliveries done' % scenario, time.monotonic() - t0)

    problems = []
    for s, r, actions in sent:
        ds = col.by_id(r.msg_id)
        times = [g['reconsume_times'] for g in ds]
        if times != list(range(len(actions) + 1)):
            problems.append('%s: reconsume_times per delivery %s, want %s' % (
                s.keys, times, list(range(len(actions) + 1))))
        for n, g in enumerate(ds):
            for f, want in (('topic', s.topic), ('keys', s.keys.encode()), ('tags', s.tags.encode()),
                            ('body', s.body.encode()), ('id', r.msg_id)):
                if g[f] != want:
                    problems.append('%s delivery %d: %s %r, want %r' % (s.keys, n, f, g[f], want))
            if g['props']['prop_text'] != NON_ASCII.encode():
                problems.append('%s delivery %d: property prop_text %r' % (s.keys, n, g['props']['prop_text']))
            if n > 0:
                gap = g['enter'] - ds[n - 1]['exit']
                timing('%s %s: redelivery %d after' % (scenario, g['props']['case'].decode(), n), gap)
                if gap < 0.5:
                    problems.append('%s: redelivery %d came after %.2f s, want the retry delay (>= 1 s)' % (
                        s.keys, n, gap))
                if g['props']['RETRY_TOPIC'] not in (s.topic.encode(), b'', None):
                    problems.append('%s: RETRY_TOPIC property %r' % (s.keys, g['props']['RETRY_TOPIC']))
    assert not problems, '\n'.join(problems)
    return dict((s.props['case'], r.msg_id) for s, r, _ in sent)


def test_reconsume_later_is_redelivered(namesrv, producer, consumers):
    """RECONSUME_LATER: the message comes back through the retry topic with reconsume_times + 1."""
    _retry_scenario(namesrv, producer, consumers, 'retry',
                    [('later', ['later']), ('later2', ['later', 'later']), ('ok', [])])


class FailureReports(object):
    """What becomes of a callback's exception: Python's unraisable-exception reports (chained to
    the hook in place, pytest's) and the records of the 'rocketmq' logger, while in use."""

    def __init__(self):
        self.unraisable = []  # (exception type, text, err_msg)
        self.records = []

    def __enter__(self):
        import logging
        self._previous_hook = sys.unraisablehook
        self._logger = logging.getLogger('rocketmq')
        self._handler = logging.Handler(logging.DEBUG)
        self._handler.emit = self.records.append
        self._logger.addHandler(self._handler)
        sys.unraisablehook = self._hook
        return self

    def _hook(self, unraisable):
        self.unraisable.append((unraisable.exc_type, str(unraisable.exc_value), unraisable.err_msg))
        self._previous_hook(unraisable)

    def __exit__(self, *exc):
        sys.unraisablehook = self._previous_hook
        self._logger.removeHandler(self._handler)

    def logged(self, msg_id):
        return [r for r in self.records if msg_id in r.getMessage()]


@per_target
@pytest.mark.filterwarnings('ignore::pytest.PytestUnraisableExceptionWarning')
def test_callback_exception_is_redelivered(namesrv, producer, consumers, behaviour):
    """A callback that raises, or returns something that is not a ConsumeStatus (None), must not
    acknowledge the message (python-binding.md 6.3, upstream #88: such messages come back).
    upstream: 2.0.0's wrapper re-raises the exception (a ValueError for None) out of the ctypes
    callback, which Python reports as an unraisable exception; ctypes leaves the C return value
    unwritten then, so the library sees whatever the callback's return slot held (anything but 0
    means "again later"). binding: the package logs it on the 'rocketmq' logger (with the
    traceback) and answers RECONSUME_LATER; nothing is unraisable."""
    with FailureReports() as reports:
        ids = _retry_scenario(namesrv, producer, consumers, 'retryexc',
                              [('raise', ['raise']), ('none', ['none']), ('ok', [])], timeout=30)
    raised = [u for u in reports.unraisable if u[0] is RuntimeError and 'consume failed on purpose' in u[1]]
    not_a_status = [u for u in reports.unraisable if u[0] is ValueError and 'ConsumeStatus' in u[1]]
    if behaviour == UPSTREAM:
        assert raised and not_a_status, 'unraisable exceptions reported: %r' % reports.unraisable
        assert all(u in raised + not_a_status for u in reports.unraisable), reports.unraisable
    else:
        assert behaviour == BINDING
        assert not reports.unraisable, 'unraisable exceptions reported: %r' % reports.unraisable
        raise_logs = reports.logged(ids['raise'])
        assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in raise_logs), \
            'no log record with the RuntimeError for %s: %r' % (ids['raise'], [r.getMessage() for r in reports.records])
        none_logs = reports.logged(ids['none'])
        assert any('None' in r.getMessage() for r in none_logs), \
            'no log record of the None result for %s: %r' % (ids['none'], [r.getMessage() for r in reports.records])
        assert not reports.logged(ids['ok']), [r.getMessage() for r in reports.logged(ids['ok'])]


def test_orderly_reconsume_later_keeps_order(namesrv, orderly_producer, consumers):
    """Orderly: RECONSUME_LATER suspends the queue and delivers the same message again (reconsume
    times + 1) before any later message of its queue."""
    label = namesrv[0]
    topic = topic_of('oretry')
    sk = 'sk-oretry-%s-%s' % (label, RUN_ID)

    def decide(snap, prior):
        if snap['props']['seq'] == b'2' and prior < 2:  # third message: RECONSUME_LATER twice
            return ConsumeStatus.RECONSUME_LATER
        return ConsumeStatus.CONSUME_SUCCESS

    col = Collector(decide=decide)
    consumers('oretry', col, orderly=True, threads=2)
    sent = []
    for seq in range(5):
        s, r = send(orderly_producer, Sent(topic, 'py-oretry-%s-%d' % (sk, seq), 'TagORetry',
                                           u'orderly retry #%d %s' % (seq, NON_ASCII),
                                           {'seq': str(seq)}, sharding_key=sk))
        sent.append((s, r))

    t0 = time.monotonic()
    wait_all(col, sent, 'orderly retry')
    order = [(int(g['props']['seq']), g['reconsume_times'], g['result']) for g in col.got]
    want = [(0, 0, 0), (1, 0, 0), (2, 0, 1), (2, 1, 1), (2, 2, 0), (3, 0, 0), (4, 0, 0)]
    assert order == want, 'deliveries (seq, reconsume_times, result) %s, want %s' % (order, want)
    timing('orderly retry: 2 local redeliveries', time.monotonic() - t0)
    ds = col.by_id(sent[2][1].msg_id)
    assert [g['queue_offset'] for g in ds] == [sent[2][1].offset] * 3, 'redelivered from the same queue offset'


def admin(namesrv, *args):
    """One mqadmin command against the broker of `namesrv` (scripts/brokers.sh admin)."""
    p = subprocess.run([BROKERS_SH, 'admin', namesrv[1]] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    return p.stdout.decode('utf-8', 'replace')


def test_broker_requests_running_info_and_direct_consumption(namesrv, producer, consumers):
    """The broker's requests to a consumer, made by mqadmin: consumerStatus (running info,
    GET_CONSUMER_RUNNING_INFO) and queryMsgByUniqueKey -g -d (CONSUME_MESSAGE_DIRECTLY): the
    consumer answers both, and a directly consumed message reaches the Python callback again."""
    label = namesrv[0]
    topic = topic_of('admin')
    group = 'py_cons_admin_%s_%s' % (label, RUN_ID)
    col = Collector()
    consumers('admin', col, group=group, threads=2, instance='adm%s' % RUN_ID)
    sent = [send(producer, Sent(topic, 'py-adm-%s' % label, 'TagAdm', u'direct %s' % NON_ASCII, {}))]
    wait_all(col, sent, 'admin')
    msg_id = sent[0][1].msg_id

    # Our client id, as the broker knows it.
    out = admin(namesrv, 'consumerConnection', '-g', group)
    ids = [w for line in out.splitlines() for w in line.split() if w.endswith('#adm%s' % RUN_ID)]
    assert len(ids) == 1, 'consumerConnection did not list our one client:\n%s' % out
    client_id = ids[0]

    out = admin(namesrv, 'consumerStatus', '-g', group, '-i', client_id)
    for want in ('PROP_CONSUMEORDERLY', 'PROP_CONSUME_TYPE', 'CONSUME_PASSIVELY', topic):
        assert want in out, 'running info lacks %r:\n%s' % (want, out)

    out = admin(namesrv, 'queryMsgByUniqueKey', '-i', msg_id, '-t', topic, '-g', group, '-d', client_id)
    assert 'CR_SUCCESS' in out, 'direct consumption did not answer CR_SUCCESS:\n%s' % out
    assert col.wait(lambda done: len([s for s in done if s['id'] == msg_id]) >= 2, timeout=30), \
        'the directly consumed message did not reach the callback again'
    again = col.by_id(msg_id)[1]
    assert (again['topic'], again['body'], again['keys']) == (topic, sent[0][0].body.encode('utf-8'),
                                                               sent[0][0].keys.encode('utf-8'))


def test_shutdown_while_callback_runs(namesrv, orderly_producer, consumers):
    """shutdown() with a callback sleeping 2 s: returns in time, the callback finishes before it
    returns, nothing is delivered afterwards; a new consumer of the same group (same process)
    continues after what was consumed."""
    label = namesrv[0]
    topic = topic_of('shutdown')
    group = 'py_cons_shutdown_%s_%s' % (label, RUN_ID)
    sk = 'sk-shutdown-%s-%s' % (label, RUN_ID)  # one queue, so the start offset is deterministic
    col = Collector(hold_for=lambda s: 2.0 if s['props']['seq'] == b'0' else 0)
    c1 = consumers('shutdown', col, group=group, threads=1)

    sent = [send(orderly_producer, Sent(topic, 'py-shut-%s-%d' % (sk, i), 'TagShut', u'shutdown #%d' % i,
                                        {'seq': str(i)}, sharding_key=sk)) for i in range(5)]
    first_id = sent[0][1].msg_id
    deadline = time.monotonic() + CONSUME_TIMEOUT
    with col.cond:
        while not any(g['id'] == first_id for g in col.got):
            assert time.monotonic() < deadline, 'first message not delivered within %.0f s' % CONSUME_TIMEOUT
            col.cond.wait(0.2)
        entered = [g for g in col.got if g['id'] == first_id][0]['enter']

    elapsed, returned = shutdown_within(c1)
    timing('shutdown with a 2 s callback in flight (%.2f s after entry)' % (returned - elapsed - entered), elapsed)
    with col.cond:
        snapshot_before = list(col.got)
        unfinished = [g['id'] for g in col.got if 'exit' not in g or g['exit'] > returned]
    assert not unfinished, 'callbacks still running after shutdown() returned: %s' % unfinished
    g0 = [g for g in snapshot_before if g['id'] == first_id][0]
    assert g0['result'] == ConsumeStatus.CONSUME_SUCCESS and g0['exit'] - g0['enter'] >= 1.9

    # Same group again in the same process: gets the rest, and not what was consumed.
    col2 = Collector()
    consumers('shutdown', col2, group=group, threads=1)
    consumed = {g['id'] for g in snapshot_before if g.get('result') == ConsumeStatus.CONSUME_SUCCESS}
    rest = [(s, r) for s, r in sent if r.msg_id not in consumed]
    if rest:
        wait_all(col2, rest, 'after restart')
    again = consumed & set(col2.ids())
    assert not again, 'consumed before shutdown and delivered again: %s' % sorted(again)
    with col.cond:
        late = col.got[len(snapshot_before):]
    assert not late, 'the shut-down consumer delivered %d messages after shutdown()' % len(late)


backlog_done = {}

CHILD = textwrap.dedent(r'''
    import sys, threading, time
    from rocketmq.client import PushConsumer, ConsumeStatus

    namesrv, topic, group, hold, how = sys.argv[1:6]
    hold = float(hold)
    got = threading.Event()

    def on_message(msg):
        msg.body, msg.id, msg.get_property('UNIQ_KEY')
        got.set()
        if hold:
            time.sleep(hold)
        return ConsumeStatus.CONSUME_SUCCESS

    consumer = PushConsumer(group)          # stays referenced (module global) until exit
    consumer.set_name_server_address(namesrv)
    consumer.set_thread_count(4)
    consumer.subscribe(topic, on_message)
    consumer.start()
    print('READY', flush=True)
    if not got.wait(60):
        print('NO MESSAGE', flush=True)
        sys.exit(3)
    print('GOT', flush=True)
    if how == 'sys.exit':
        sys.exit(0)
    # else: fall off the end of the script, consumer still running
''')


@pytest.mark.parametrize('hold,how', [(0.0, 'end'), (0.5, 'end'), (0.5, 'sys.exit')],
                         ids=['fast-end', 'slow-end', 'slow-sys.exit'])
def test_exit_without_shutdown_is_clean(namesrv, producer, tmp_path, hold, how):
    """A script that starts a consumer, receives a message and exits without shutdown(): exit
    status 0, no crash, no hang. The topic has a backlog (a new group on a fresh topic starts at
    offset 0) and the test keeps sending until the child is gone, so consume threads enter the
    Python callback while the interpreter finalizes (python-binding.md 6.5). 'slow': each
    callback sleeps 0.5 s (4 threads), so callbacks are also in flight at exit."""
    label, addr = namesrv
    topic = topic_of('exit')
    group = 'py_cons_exit_%s_%s_%s' % (label, RUN_ID, uuid.uuid4().hex[:6])
    if not backlog_done.get(addr):
        for i in range(200):
            send(producer, Sent(topic, 'py-exit-backlog-%s-%d' % (RUN_ID, i), 'TagExit', u'backlog', {}))
        backlog_done[addr] = True

    script = tmp_path / 'child.py'
    script.write_text(CHILD)
    env = dict(os.environ, PYTHONUNBUFFERED='1', PYTHONFAULTHANDLER='1')
    child = subprocess.Popen([sys.executable, str(script), addr, topic, group, str(hold), how],
                             cwd=str(tmp_path), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = []
    stderr = []
    seen = threading.Condition()

    def pump_out():
        for line in child.stdout:
            with seen:
                lines.append(line.decode('utf-8', 'replace').strip())
                seen.notify_all()

    def pump_err():
        stderr.append(child.stderr.read().decode('utf-8', 'replace'))

    pumps = [threading.Thread(target=pump_out, daemon=True), threading.Thread(target=pump_err, daemon=True)]
    for p in pumps:
        p.start()

    def wait_line(text, timeout):
        deadline = time.monotonic() + timeout
        while True:
            exited = child.poll() is not None
            if exited:
                pumps[0].join(5)  # everything it printed
            with seen:
                if text in lines:
                    return True
                if exited or time.monotonic() > deadline:
                    return False
                seen.wait(0.2)

    stop_sending = threading.Event()
    send_errors = []

    def keep_sending():  # a steady stream until the child is gone (bounded)
        for i in range(3000):
            if stop_sending.is_set():
                return
            try:
                send(producer, Sent(topic, 'py-exit-%s-%s-%d' % (label, RUN_ID, i), 'TagExit', u'exit #%d' % i, {}))
            except BaseException as e:
                send_errors.append(e)
                return
            stop_sending.wait(0.005)

    sender = threading.Thread(target=keep_sending, name='exit-sender', daemon=True)
    try:
        assert wait_line('READY', 60), 'child did not start: %s %s' % (lines, stderr)
        sender.start()
        assert wait_line('GOT', CONSUME_TIMEOUT), 'child got no message: %s %s' % (lines, send_errors)
        t0 = time.monotonic()
        try:
            rc = child.wait(EXIT_LIMIT)
        except subprocess.TimeoutExpired:
            pytest.fail('child did not exit within %.0f s after its first message' % EXIT_LIMIT)
        timing('exit without shutdown (%s, hold %.1f)' % (how, hold), time.monotonic() - t0)
        for p in pumps:
            p.join(10)
        err = ''.join(stderr)
        assert rc == 0, 'child exit status %d (%s); stderr:\n%s' % (
            rc, 'signal %d' % -rc if rc < 0 else 'no signal', err[-4000:])
        for bad in ('Fatal Python error', 'Segmentation fault', 'panicked', 'FATAL', 'Traceback'):
            assert bad not in err, 'child stderr has %r:\n%s' % (bad, err[-4000:])
        assert not send_errors, 'sending failed: %r' % send_errors
    finally:
        stop_sending.set()
        if sender.is_alive():
            sender.join(15)
        if child.poll() is None:
            child.kill()
            child.wait()
