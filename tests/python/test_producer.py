# -*- coding: utf-8 -*-
"""Producer round trips with the rocketmq package of the target under test (target.py: the
UNCHANGED PyPI package rocketmq-client-python 2.0.0 on our installed library, or this project's
bindings/python package with its own copy of the library).

Every test sends through the package's public API and then reads the messages back from the broker
(readback.py: the C pull consumer of the same library, via ctypes) and compares the fields.

Environment:
  NAMESRV_ADDRS     "label=host:port;label2=host:port" (default "default=127.0.0.1:9876");
                    every test runs once per name server.
  RMQ_PY_TOPIC      topic (default rmq_py_test); must exist or be auto-creatable on every broker.
  RMQ_DELAY_LEVEL2_MS  the broker's delay for level 2 (default 5000, the broker default table).

Messages accumulate in the topic across runs, so each run tags its messages with a unique RUN_ID
in keys/bodies and finds them by message id or key, never by position.
"""
import ctypes
import os
import re
import sys
import sysconfig
import time
import uuid

import pytest

from rocketmq.client import Message, Producer, SendStatus
from rocketmq.exceptions import ProducerSendSyncFailed

import namesrvs
import readback
from target import BINDING, UPSTREAM, per_target
from readback import PullReader, expected_queue_index, find_by_key, find_by_msg_id, std_hash


NAMESRVS = namesrvs.from_env()
TOPIC = os.environ.get('RMQ_PY_TOPIC', 'rmq_py_test')
DELAY_LEVEL2_MS = int(os.environ.get('RMQ_DELAY_LEVEL2_MS', '5000'))
RUN_ID = uuid.uuid4().hex[:12]
READ_TIMEOUT = 20.0  # seconds to wait for a stored message to become pullable

NON_ASCII = u'中文 – ünïcødé – emoji 🚀 – ελληνικά'


# Module-scoped, parametrized by name server: pytest runs all tests for one name server, tears the
# producers/reader down, then goes on with the next one. (cpp 2.2.0 shares one client "factory"
# per process+instance name, so having clients for two name servers alive at once is asking for
# trouble, and the 2.0.0 package cannot set an instance name.)
@pytest.fixture(scope='module', params=NAMESRVS, ids=[label for label, _ in NAMESRVS])
def namesrv(request):
    return request.param


@pytest.fixture(scope='module')
def producer(namesrv):
    label, addr = namesrv
    p = Producer('py_prod_%s_%s' % (label, RUN_ID), timeout=10000)
    p.set_name_server_address(addr)
    p.start()
    yield p
    p.shutdown()


@pytest.fixture(scope='module')
def orderly_producer(namesrv):
    label, addr = namesrv
    p = Producer('py_oprod_%s_%s' % (label, RUN_ID), orderly=True)
    p.set_name_server_address(addr)
    p.start()
    yield p
    p.shutdown()


@pytest.fixture(scope='module')
def reader(namesrv):
    with PullReader(namesrv[1]) as r:
        yield r


def _msg(keys, tags=None, body=None, props=None, delay=None):
    m = Message(TOPIC)
    m.set_keys(keys)
    if tags is not None:
        m.set_tags(tags)
    for k, v in (props or {}).items():
        m.set_property(k, v)
    if delay is not None:
        m.set_delay_time_level(delay)
    if body is not None:
        m.set_body(body)
    return m


def _wait(reader, pred, what, timeout=READ_TIMEOUT, props=()):
    m = reader.wait_for(TOPIC, pred, timeout, props=props)
    assert m is not None, '%s not found in topic %s within %.0fs (saw %d new messages)' % (
        what, TOPIC, timeout, len(reader.seen))
    return m


def _assert_common(m, keys, tags, body):
    assert m['topic'] == TOPIC
    assert m['tags'] == tags
    assert m['keys'] == keys
    assert m['body'] == body.encode('utf-8')
    assert m['reconsume_times'] == 0
    assert m['born_timestamp'] > 0 and m['store_timestamp'] >= m['born_timestamp'] - 5000


# ---------------------------------------------------------------------------------------------

def test_std_hash_vectors():
    """libstdc++ std::hash<std::string> test vectors (c-api.md 4.6), no broker needed."""
    assert std_hash('') == 6142509188972423790
    assert std_hash('a') == 4993892634952068459
    assert std_hash('abc') == 3663726644998027833
    assert std_hash('order-1') == 1888478096483860501


def _mapped_libraries():
    """The distinct librocketmq files mapped into this process (/proc/self/maps)."""
    paths = set()
    with open('/proc/self/maps') as f:
        for line in f:
            fields = line.split(None, 5)
            if len(fields) == 6 and os.path.basename(fields[5].strip()).startswith('librocketmq'):
                paths.add(os.path.realpath(fields[5].strip()))
    return sorted(paths)


@per_target
def test_reader_uses_the_package_library(behaviour):
    """readback.py talks to the very library the package loaded (same dlopen handle), and it is
    this project's library. upstream: the one 2.0.0 found (the installed one, or LD_LIBRARY_PATH's).
    binding: the copy inside the installed package, rocketmq.library_path(), under this venv's
    site-packages, and no other librocketmq is mapped."""
    import rocketmq.ffi
    assert rocketmq.ffi._DYLIB_PATH, 'package found no library'
    ours = ctypes.cast(readback.lib().GetMessageTopic, ctypes.c_void_p).value
    pkg = ctypes.cast(rocketmq.ffi.dll.GetMessageTopic, ctypes.c_void_p).value
    assert ours == pkg, 'readback loaded %s, the package %s' % (readback.lib()._name, rocketmq.ffi._DYLIB_PATH)
    # and it is this project's library, not an original librocketmq.so found first: only ours
    # exports SetPushConsumerMaxConsumeTps
    assert hasattr(rocketmq.ffi.dll, 'SetPushConsumerMaxConsumeTps'), \
        'the package loaded %s, which is not this project\'s library' % rocketmq.ffi._DYLIB_PATH
    mapped = _mapped_libraries()
    assert len(mapped) == 1, 'more than one librocketmq in this process: %s' % mapped
    if behaviour == BINDING:
        import rocketmq
        path = rocketmq.library_path()
        assert path == rocketmq.ffi._DYLIB_PATH and os.path.isabs(path), (path, rocketmq.ffi._DYLIB_PATH)
        package_dir = os.path.realpath(os.path.dirname(rocketmq.__file__))
        site = {os.path.realpath(sysconfig.get_paths()[k]) for k in ('purelib', 'platlib')}
        assert os.path.dirname(package_dir) in site, \
            'the rocketmq package is in %s, not in site-packages %s' % (package_dir, sorted(site))
        assert os.path.realpath(sys.prefix) != os.path.realpath(sys.base_prefix), 'not running in a venv'
        assert os.path.realpath(path) == os.path.join(package_dir, os.path.basename(path)), \
            'library_path() %s is not inside the installed package %s' % (path, package_dir)
        assert mapped == [os.path.realpath(path)], 'mapped %s, library_path() %s' % (mapped, path)
    else:
        assert behaviour == UPSTREAM
        assert not hasattr(rocketmq, 'library_path'), 'rocketmq-client-python 2.0.0 has no library_path()'


def test_send_sync(namesrv, producer, reader):
    label = namesrv[0]
    key = 'py-sync-%s-%s' % (label, RUN_ID)
    keys = key + ' second-' + RUN_ID  # several keys, space-separated
    tags = 'TagSync'
    body = u'sync body %s – %s' % (RUN_ID, NON_ASCII)
    props = {'prop_text': NON_ASCII, 'prop_ascii': 'plain-value'}

    r = producer.send_sync(_msg(keys, tags, body, props))
    assert r.status == SendStatus.OK
    assert r.msg_id, 'send_sync returned an empty message id'

    m = _wait(reader, lambda x: x['msg_id'] == r.msg_id, 'message %s' % r.msg_id, props=tuple(props))
    _assert_common(m, keys, tags, body)
    assert m['msg_id'] == r.msg_id
    assert m['properties'].get('UNIQ_KEY') == r.msg_id
    assert m['properties'].get('prop_text') == NON_ASCII
    assert m['properties'].get('prop_ascii') == 'plain-value'
    assert m['delay_level'] == 0
    assert m['queue_offset'] == r.offset, 'SendResult.offset is the queue offset of the message'

    # The one-shot helper reading everything from offset 0 sees the same message exactly once.
    all_msgs = readback.read_all(namesrv[1], TOPIC, props=tuple(props))
    again = find_by_msg_id(all_msgs, r.msg_id)
    assert again is not None
    assert again == m
    assert [x['msg_id'] for x in find_by_key(all_msgs, key)] == [r.msg_id]


def test_send_oneway(namesrv, producer, reader):
    key = 'py-oneway-%s-%s' % (namesrv[0], RUN_ID)
    tags = 'TagOneway'
    body = u'oneway body %s – %s' % (RUN_ID, NON_ASCII)
    props = {'prop_text': NON_ASCII}

    assert producer.send_oneway(_msg(key, tags, body, props)) is None

    # Oneway returns no id: find it by its unique key.
    m = _wait(reader, lambda x: find_by_key([x], key), 'oneway message key=%s' % key, props=tuple(props))
    _assert_common(m, key, tags, body)
    assert m['properties'].get('prop_text') == NON_ASCII
    assert m['msg_id'] and m['properties'].get('UNIQ_KEY') == m['msg_id']
    assert len(find_by_key(reader.seen, key)) == 1, 'oneway message stored more than once'


def test_message_trace_from_the_environment(namesrv, monkeypatch):
    """ROCKETMQ_MESSAGE_TRACE=1 turns message trace on for clients created afterwards: the way
    on for the 2.0.0 package, which has no setter. The send's Pub record reaches
    RMQ_SYS_TRACE_TOPIC (the brokers run with traceTopicEnable=true), keyed by its message id."""
    label, addr = namesrv
    with PullReader(addr) as trace_reader:
        trace_reader.read_new('RMQ_SYS_TRACE_TOPIC')  # from here on, only new trace messages
        monkeypatch.setenv('ROCKETMQ_MESSAGE_TRACE', '1')
        p = Producer('py_trace_env_%s_%s' % (label, RUN_ID))
        p.set_name_server_address(addr)
        p.start()
        try:
            msg_id = p.send_sync(_msg('py-trace-env-%s-%s' % (label, RUN_ID), 'TagTrace', 'traced', {})).msg_id
        finally:
            p.shutdown()  # sends the records still queued
        record = trace_reader.wait_for('RMQ_SYS_TRACE_TOPIC', lambda m: msg_id in (m['keys'] or '').split(' '),
                                       READ_TIMEOUT)
    assert record is not None, 'no trace message keyed %s in RMQ_SYS_TRACE_TOPIC' % msg_id
    assert record['body'].startswith(b'Pub\x01') and msg_id.encode() in record['body'], record['body'][:200]


def test_send_orderly_with_sharding_key(namesrv, orderly_producer, reader):
    label = namesrv[0]
    tags = 'TagShard'
    shard_keys = ['shard-%s-%s-%d' % (label, RUN_ID, i) for i in range(4)]
    sent = []  # (sharding_key, seq, keys, body, SendResult)
    for seq in range(3):  # 3 rounds over the keys: same key -> same queue, in send order
        for sk in shard_keys:
            keys = 'py-shard-%s-%s-%d' % (sk, RUN_ID, seq)
            body = u'sharded %s #%d – %s' % (sk, seq, NON_ASCII)
            r = orderly_producer.send_orderly_with_sharding_key(
                _msg(keys, tags, body, {'prop_text': NON_ASCII, 'seq': str(seq)}), sk)
            assert r.status == SendStatus.OK
            assert r.msg_id
            sent.append((sk, seq, keys, body, r))

    queues = reader.queues(TOPIC)  # [(broker, queueId)], route order
    assert queues, 'no queues for topic %s' % TOPIC
    assert len({b for b, _ in queues}) == 1, 'expected queue index assumes a single broker: %r' % queues

    got = {}
    for sk, seq, keys, body, r in sent:
        m = _wait(reader, lambda x, i=r.msg_id: x['msg_id'] == i, 'sharded message %s' % keys,
                  props=('prop_text', 'seq'))
        _assert_common(m, keys, tags, body)
        assert m['properties'].get('prop_text') == NON_ASCII
        assert m['properties'].get('seq') == str(seq)
        assert m['properties'].get('__SHARDINGKEY') == sk
        assert m['queue_offset'] == r.offset
        broker, qid = queues[expected_queue_index(sk, len(queues))]
        assert (m['broker_name'], m['queue_id']) == (broker, qid), (
            'sharding key %r: std::hash %% %d -> queue %d, message is in queue %d' % (
                sk, len(queues), qid, m['queue_id']))
        got.setdefault(sk, []).append((seq, m['queue_offset']))

    for sk, lst in got.items():
        offsets = [off for _, off in sorted(lst)]
        assert offsets == sorted(offsets), 'messages of sharding key %s stored out of order' % sk


def test_send_batch(namesrv, producer, reader):
    """Batch send.

    The 2.0.0 Python API has no batch method. Its ffi module does declare CreateBatchMessage,
    AddMessage, SendBatchMessage and DestroyBatchMessage (argtypes/restype) without using them, so
    the batch is sent here through those declarations with the package's own Producer and Message
    handles - still the unchanged package, just below its public API. The binding's ffi module
    offers the same declarations (and the binding has a public batch send too, not what this
    test checks), so the test is the same on both targets.
    """
    from rocketmq import ffi
    from rocketmq.exceptions import ffi_check
    if not all(hasattr(ffi.dll, n) for n in ('CreateBatchMessage', 'AddMessage', 'SendBatchMessage',
                                              'DestroyBatchMessage')):
        pytest.skip('rocketmq-client-python has no batch API and its ffi declares no batch functions')

    label = namesrv[0]
    tags = 'TagBatch'
    items = []
    for i in range(5):
        keys = 'py-batch-%s-%s-%d' % (label, RUN_ID, i)
        body = u'batch %s #%d – %s' % (RUN_ID, i, NON_ASCII)
        items.append((keys, body, _msg(keys, tags, body, {'prop_text': NON_ASCII, 'idx': str(i)})))

    batch = ffi.dll.CreateBatchMessage()
    assert batch
    try:
        for _, _, m in items:
            ffi_check(ffi.dll.AddMessage(batch, m))
        result = ffi._CSendResult()
        ffi_check(ffi.dll.SendBatchMessage(producer._handle, batch, ctypes.pointer(result)))
    finally:
        ffi.dll.DestroyBatchMessage(batch)
    assert result.sendStatus == SendStatus.OK
    # 2.2.0 returned "" as a batch's msgId; ours is the messages' ids joined by commas, in batch
    # order: each one must be on the broker, as the message added at that place.
    ids = result.msgId.decode().split(',')
    assert len(ids) == len(items) and all(re.match(r'^[0-9A-F]{32}$', i) for i in ids), result.msgId

    found = []
    for i, (keys, body, _) in enumerate(items):
        m = _wait(reader, lambda x, mid=ids[i]: x['msg_id'] == mid, 'batch message %s (id %s)' % (keys, ids[i]),
                  props=('prop_text', 'idx'))
        _assert_common(m, keys, tags, body)
        assert m['properties'].get('prop_text') == NON_ASCII
        assert m['properties'].get('idx') == str(i)
        assert m['msg_id'] == ids[i] and m['properties'].get('UNIQ_KEY') == m['msg_id']
        found.append(m)
    assert len({m['msg_id'] for m in found}) == len(items), 'batch messages share a message id'
    assert len({(m['broker_name'], m['queue_id']) for m in found}) == 1, 'a batch goes to one queue'
    offsets = [m['queue_offset'] for m in found]
    assert offsets == list(range(result.offset, result.offset + len(items))), (
        'batch messages must be stored consecutively, in order, from SendResult.offset')


def test_send_delay_level_2(namesrv, producer, reader):
    key = 'py-delay-%s-%s' % (namesrv[0], RUN_ID)
    tags = 'TagDelay'
    body = u'delayed body %s – %s' % (RUN_ID, NON_ASCII)
    props = {'prop_text': NON_ASCII}

    sent_at = time.monotonic()
    r = producer.send_sync(_msg(key, tags, body, props, delay=2))
    assert r.status == SendStatus.OK and r.msg_id

    def pred(x):
        return x['msg_id'] == r.msg_id

    # One immediate look: the message must not be in the topic before its delay has passed.
    early = reader.wait_for(TOPIC, pred, 0, props=tuple(props))
    if early is not None:
        assert time.monotonic() - sent_at >= 0.8 * DELAY_LEVEL2_MS / 1000.0, \
            'delay level 2 message was delivered immediately'

    # Poll with a deadline (level 2 = 5 s on a default broker; the schedule service ticks ~100 ms).
    m = early or _wait(reader, pred, 'delayed message %s' % r.msg_id,
                       timeout=DELAY_LEVEL2_MS / 1000.0 + 30, props=tuple(props))
    _assert_common(m, key, tags, body)
    assert m['msg_id'] == r.msg_id
    assert m['properties'].get('prop_text') == NON_ASCII
    assert m['delay_level'] == 2, 'DELAY property of the delivered message'
    assert m['properties'].get('REAL_TOPIC') == TOPIC
    assert m['store_timestamp'] - m['born_timestamp'] >= 0.8 * DELAY_LEVEL2_MS, (
        'stored %d ms after birth, expected about %d ms' % (
            m['store_timestamp'] - m['born_timestamp'], DELAY_LEVEL2_MS))


@per_target
def test_with_statement(namesrv, reader, behaviour):
    """``with producer as p:`` starts the producer and shuts it down at the end of the block.
    binding: ``p`` is the producer. upstream: 2.0.0's ``__enter__`` returns None, so ``p`` is None
    (the block must use the object itself)."""
    label, addr = namesrv
    producer = Producer('py_with_%s_%s' % (label, RUN_ID), timeout=10000)
    producer.set_name_server_address(addr)
    key = 'py-with-%s-%s' % (label, RUN_ID)
    body = u'with %s – %s' % (RUN_ID, NON_ASCII)
    with producer as p:
        if behaviour == BINDING:
            assert p is producer
        else:
            assert p is None
        r = producer.send_sync(_msg(key, 'TagWith', body))
        assert r.status == SendStatus.OK and r.msg_id
    m = _wait(reader, lambda x: x['msg_id'] == r.msg_id, 'message %s' % r.msg_id)
    _assert_common(m, key, 'TagWith', body)
    # shut down by the end of the block
    with pytest.raises(ProducerSendSyncFailed):
        producer.send_sync(_msg(key + '-after', 'TagWith', body))
