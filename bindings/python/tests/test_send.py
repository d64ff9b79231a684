# -*- coding: utf-8 -*-
"""Producer features of the package against each plain broker, checked on what the broker
delivered (a PushConsumer) or stores (the package's PullConsumer): binary bodies, send_async
with callbacks and its Future, batch sends, ``with``, trace setters, delivery at a chosen time
(set_start_deliver_time) and its cancellation."""
import datetime
import threading
import time

import pytest

from helpers import DEADLINE, Inbox, message, pull_all, unique, wait_until, warm_up
from rocketmq.client import Message, Producer, PushConsumer, SendStatus
from rocketmq.consts import MessageProperty
from rocketmq.exceptions import NullPointerException, ProducerSendAsyncFailed, ProducerSendSyncFailed


def pulled(puller, topic, tag, keys):
    """{keys: ReceivedMessage} of the topic's messages with this tag, once all of ``keys`` are
    there (a message the broker acknowledged reaches its queue a moment later)."""
    def read():
        found = dict((m.keys.decode(), m) for _, m in pull_all(puller, topic, tag))
        return found if set(keys) <= set(found) else None

    return wait_until(read, DEADLINE, 0.1) or dict((m.keys.decode(), m) for _, m in pull_all(puller, topic, tag))


def test_binary_bodies_are_whole(topic, producer, consumers, puller):
    tag = unique('bin')
    bodies = {
        'nul-first': b'\x00' + bytes(range(256)) + b'\x00tail',
        'only-nuls': b'\x00' * 17,
        'compressed': bytes(range(256)) * 40 + b'\x00end',  # 10 KiB: zlib on the wire (>= 4096)
        'text-with-nul': u'a\x00b ünï'.encode('utf-8'),
    }
    inbox = Inbox()
    consumers(inbox, tag)
    ids = {}
    for key, body in bodies.items():
        msg = message(topic, tag, key, body if key != 'text-with-nul' else u'a\x00b ünï')
        ids[key] = producer.send_sync(msg).msg_id
    assert inbox.wait_keys(bodies), 'delivered: %r' % inbox.keys()
    for key, body in bodies.items():
        got = inbox.of_key(key)[0]
        assert (got['id'], got['body']) == (ids[key], body), key
    stored = pulled(puller, topic, tag, bodies)
    assert sorted(stored) == sorted(bodies)
    for key, body in bodies.items():
        assert (stored[key].id, stored[key].body, bytes(stored[key])) == (ids[key], body, body), key


def test_message_fields_arrive_whichever_way_it_is_sent(topic, producer, puller):
    """A Message stays in Python until a call needs a native one (send_sync passes its parts in
    one call); each setter must reach the broker either way, before and after that point."""
    tag = unique('fields')
    parts = Message(topic)
    parts.set_tags(tag)
    parts.set_keys('by-parts')
    parts.set_property('colour', 'red')
    parts.set_property('colour', 'blue')  # set twice: the later value counts
    parts.set_body(b'parts\x00body')
    first = producer.send_sync(parts)
    again = producer.send_sync(parts)  # the same Message again: a message of its own

    native = Message(topic)
    native.set_tags(tag)
    native.set_keys('oneway')
    native.set_body('oneway body')
    producer.send_oneway(native)  # needs the native message: made here
    native.set_keys('native-after')
    native.set_property('colour', 'green')
    native.set_body(b'native\x00after')
    after = producer.send_sync(native)

    parts.set_keys('batched')  # sent by its parts before, now in a batch (a native message)
    batch = producer.send_batch([parts])

    def read():
        found = [m for _, m in pull_all(puller, topic, tag)]
        return found if len(found) >= 5 else None

    stored = wait_until(read, DEADLINE, 0.1) or [m for _, m in pull_all(puller, topic, tag)]
    by_id = dict((m.id, m) for m in stored)
    assert sorted(m.keys.decode() for m in stored) == sorted(['by-parts', 'by-parts', 'oneway', 'native-after',
                                                              'batched']), [m.keys for m in stored]
    assert first.msg_id != again.msg_id
    for result in (first, again):
        got = by_id[result.msg_id]
        assert (got.keys, got.tags, got.get_property('colour'), got.body) == (
            b'by-parts', tag.encode(), b'blue', b'parts\x00body')
    got = by_id[after.msg_id]
    assert (got.keys, got.get_property('colour'), got.body) == (b'native-after', b'green', b'native\x00after')
    got = by_id[batch.msg_id]
    assert (got.keys, got.get_property('colour'), got.body) == (b'batched', b'blue', b'parts\x00body')


def test_message_handle_of_2_0_0_is_the_native_message():
    """Programs written for 2.0.0 hand ``msg._handle`` to C functions it had no method for (a
    batch's AddMessage: examples/python/batch_producer.py)."""
    from rocketmq.ffi import dll
    msg = Message('rmq_pyb_handle')
    msg.set_keys('before')
    msg.set_body(b'a\x00b')
    handle = msg._handle
    assert (dll.GetMessageTopic(handle), dll.GetMessageKeys(handle), dll.GetMessageBodyLength(handle)) == (
        b'rmq_pyb_handle', b'before', 3)
    msg.set_keys('after')  # once made, the native message follows every setter
    assert msg._handle == handle and dll.GetMessageKeys(handle) == b'after'


def test_a_reused_message_keeps_one_value_per_property():
    """Properties set again replace the earlier value, so a Message reused with new keys for
    every send stays the same size."""
    msg = Message('rmq_pyb_reused')
    msg.set_tags('t')
    for i in range(1000):
        msg.set_keys('key-%d' % i)
        msg.set_delay_time_level(i % 3)
    assert msg._properties == b'TAGS\x01t\x02KEYS\x01key-999\x02DELAY\x010\x02'
    handle = msg._handle  # the native message made from them has the last values
    from rocketmq.ffi import dll
    assert (dll.GetMessageKeys(handle), dll.GetMessageTags(handle), dll.GetMessageDelayTimeLevel(handle)) == (
        b'key-999', b't', 0)


def test_message_setters_refuse_none_as_before(producer):
    msg = Message('rmq_pyb_none')
    for setter in (msg.set_keys, msg.set_tags, msg.set_topic, msg.set_body):
        with pytest.raises(NullPointerException):
            setter(None)
    with pytest.raises(NullPointerException):
        msg.set_property('k', None)


def test_send_async_callbacks_and_future(topic, producer, puller):
    tag = unique('async')
    main = threading.current_thread()
    successes, threads, errors = [], [], []

    def on_success(result):
        threads.append(threading.current_thread())
        successes.append(result)

    keys = ['async-%d' % i for i in range(5)]
    # the Message objects are not kept here: the package holds each one until its send completes
    futures = [producer.send_async(message(topic, tag, k), on_success, errors.append) for k in keys]
    results = [f.result(DEADLINE) for f in futures]
    assert all(r.status == SendStatus.OK for r in results), results
    assert not errors
    # each callback ran (on the library's callback thread) before its future completed
    assert sorted(successes) == sorted(results)
    assert all(t is not main for t in threads)
    stored = pulled(puller, topic, tag, keys)
    assert dict((k, stored[k].id) for k in keys) == dict((k, r.msg_id) for k, r in zip(keys, results))


def test_send_async_failure_reaches_callback_and_future(producer):
    errors, successes = [], []
    future = producer.send_async(message('rmq_pyb_no_such_topic_' + unique('t'), 'x', 'k'), successes.append,
                                 errors.append)
    error = future.exception(DEADLINE)
    assert isinstance(error, ProducerSendAsyncFailed), error
    assert 'No route info' in str(error)
    assert errors == [error] and not successes
    with pytest.raises(ProducerSendAsyncFailed):
        future.result(0)


def test_batch_send(topic, producer, puller):
    tag = unique('batch')
    keys = ['batch-%d' % i for i in range(4)]
    result = producer.send_batch([message(topic, tag, k, 'body %s' % k) for k in keys])
    assert result.status == SendStatus.OK
    ids = result.msg_id.split(',')
    assert len(ids) == 4 and len(set(ids)) == 4, result
    pulled(puller, topic, tag, keys)
    found = pull_all(puller, topic, tag)
    assert sorted(m.keys.decode() for _, m in found) == keys
    by_key = dict((m.keys.decode(), (q.queue_id, m.queue_offset, m.id, m.body)) for q, m in found)
    # one request, one queue, consecutive offsets in batch order
    assert len(set(v[0] for v in by_key.values())) == 1, by_key
    offsets = [by_key[k][1] for k in keys]
    assert offsets == list(range(offsets[0], offsets[0] + 4)), by_key
    assert [by_key[k][2] for k in keys] == ids
    assert [by_key[k][3] for k in keys] == [('body %s' % k).encode() for k in keys]


def test_with_statement_binds_starts_and_shuts_down(ns, topic, puller, monkeypatch):
    tag = unique('with')
    p = Producer(unique('py_with'))
    p.set_name_server_address(ns[1])
    with p as bound:
        assert bound is p
        first = bound.send_sync(message(topic, tag, 'with-1'))
    with pytest.raises(ProducerSendSyncFailed, match='not started|shut down'):
        p.send_sync(message(topic, tag, 'after-exit'))
    # the plain form, the name server from NAMESRV_ADDR (read at start)
    monkeypatch.setenv('NAMESRV_ADDR', ns[1])
    with Producer(unique('py_with')) as q:
        assert isinstance(q, Producer)
        second = q.send_sync(message(topic, tag, 'with-2'))
    stored = pulled(puller, topic, tag, ['with-1', 'with-2'])
    assert sorted(stored) == ['with-1', 'with-2']
    assert (stored['with-1'].id, stored['with-2'].id) == (first.msg_id, second.msg_id)


def test_with_statement_push_consumer(ns, topic, producer):
    tag = unique('withc')
    inbox = Inbox()
    c = PushConsumer(unique('py_withc'))
    c.set_name_server_address(ns[1])
    c.subscribe(topic, inbox, tag)
    with c as bound:
        assert bound is c
        producer.send_sync(message(topic, tag, 'withc-1'))
        assert inbox.wait_keys(['withc-1'])


def test_message_trace_setters_accepted(ns, topic, consumers):
    tag = unique('trace')
    inbox = Inbox()

    def trace_on(c):
        c.set_message_trace(False)
        c.set_message_trace(True)

    consumers(inbox, tag, setup=trace_on)
    p = Producer(unique('py_trace'))
    p.set_name_server_address(ns[1])
    p.set_message_trace(False)
    p.set_message_trace(True)
    with p:
        p.send_sync(message(topic, tag, 'traced'))
    assert inbox.wait_keys(['traced'])


# ------------------------------------------------------------------------------ delivery time

@pytest.fixture
def warm_inbox(topic, producer, consumers):
    """(inbox, tag): a consumer of a fresh tag that already holds its queues, so a message
    delivered at once arrives at once."""
    tag = unique('when')
    inbox = Inbox()
    consumers(inbox, tag)
    warm_up(producer, inbox, topic, tag)
    return inbox, tag


def test_start_deliver_time(version, topic, producer, warm_inbox):
    inbox, tag = warm_inbox
    soon = time.time() + 3
    whens = {
        'millis': int(soon * 1000),
        'aware-datetime': datetime.datetime.fromtimestamp(soon, datetime.timezone.utc),
        'naive-datetime': datetime.datetime.fromtimestamp(soon),  # local time
    }
    expected = {}
    for key, when in whens.items():
        msg = message(topic, tag, key)
        millis = msg.set_start_deliver_time(when)
        assert abs(millis - soon * 1000) <= 1, (key, millis)
        expected[key] = millis
        producer.send_sync(msg)
    assert inbox.wait_keys(whens, 30), inbox.keys()
    for key, millis in expected.items():
        got = inbox.of_key(key)[0]
        assert got['deliver_time'] == str(millis).encode(), got
        if version >= 5:
            assert got['store_timestamp'] >= millis and got['received_ms'] >= millis, (key, got)
        else:  # 4.x: at once
            assert got['received_ms'] < millis, (key, got)


def test_start_deliver_time_rejects_other_types():
    msg = Message('t')
    for bad in ('soon', None, True, [1]):
        with pytest.raises(TypeError):
            msg.set_start_deliver_time(bad)


def test_start_deliver_time_more_than_a_year_ahead_refused(topic, producer):
    msg = message(topic, unique('far'), 'far')
    msg.set_start_deliver_time(datetime.datetime.now() + datetime.timedelta(days=400))
    with pytest.raises(ProducerSendSyncFailed, match='more than one year ahead'):
        producer.send_sync(msg)


def test_cancel_scheduled_message(version, topic, producer, warm_inbox, puller):
    """5.x: a cancelled message is never delivered, the other one of the same time is; too late
    is refused. 4.x (no timer messages): the cancellation is refused, nothing is sent."""
    inbox, tag = warm_inbox
    when = datetime.datetime.now() + datetime.timedelta(seconds=3 if version >= 5 else 60)
    ids = {}
    for key in ('cancelled', 'control'):
        msg = message(topic, tag, key)
        millis = msg.set_start_deliver_time(when)
        ids[key] = producer.send_sync(msg).msg_id
    if version < 5:
        with pytest.raises(ProducerSendSyncFailed, match='4.x') as refused:
            producer.cancel_scheduled_message(topic, ids['cancelled'], when)
        assert 'nothing was sent' in str(refused.value)
        # both delivered at once; no cancellation message stored
        assert inbox.wait_keys(['cancelled', 'control'], 30), inbox.keys()
        cancels = [m for _, m in pull_all(puller, topic)
                   if m.get_property('__CANCEL_SCHEDULED_MSG') == ids['cancelled'].encode()]
        assert not cancels
        return
    producer.cancel_scheduled_message(topic, ids['cancelled'], when)
    assert inbox.wait_keys(['control'], 30), inbox.keys()
    assert inbox.of_key('control')[0]['received_ms'] >= millis
    # due at the same time as the control message: it would have come with it
    assert not inbox.wait_keys(['cancelled'], 2.0), inbox.of_key('cancelled')
    with pytest.raises(ProducerSendSyncFailed, match='too late'):
        producer.cancel_scheduled_message(topic, ids['cancelled'], millis)


def test_delivery_time_property_name():
    assert MessageProperty.START_DELIVER_TIME.value == '__STARTDELIVERTIME'
