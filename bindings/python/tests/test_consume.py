# -*- coding: utf-8 -*-
"""Consumer features of the package against each plain broker: the PullConsumer
(get_message_queues, pull with tag expressions and offsets), the consume rate limit (measured),
cache limits, a started PushConsumer whose only reference was dropped, and callbacks that raise
or return None (logged once through the ``rocketmq`` logger, the message delivered again)."""
import gc
import logging
import threading
import weakref

import pytest

from helpers import DEADLINE, TOPIC_QUEUES, Inbox, message, pull_all, push_consumer, shutdown_within, unique, \
    wait_until
from rocketmq.client import ConsumeStatus, PullStatus


# ------------------------------------------------------------------------------ pull consumer

def test_get_message_queues(topic, puller):
    queues = puller.get_message_queues(topic)
    assert sorted(q.queue_id for q in queues) == list(range(TOPIC_QUEUES))
    assert all(q.topic == topic for q in queues)
    assert all(isinstance(q.broker_name, str) and q.broker_name for q in queues)


def test_pull_with_tag_expressions_and_offsets(topic, producer, puller):
    tag_a, tag_b = unique('pa'), unique('pb')
    shard = unique('shard')  # one sharding key: one queue
    sent = []
    for i, tag in enumerate([tag_a, tag_b, tag_a, tag_b, tag_a]):
        key = 'pull-%d' % i
        sent.append((key, tag, producer.send_orderly_with_sharding_key(message(topic, tag, key), shard).msg_id))
    expression = '%s || %s' % (tag_a, tag_b)
    # where they went (a stored message reaches its queue a moment after the send's answer)
    found = wait_until(lambda: len(pull_all(puller, topic, expression)) == 5 and pull_all(puller, topic, expression),
                       DEADLINE, 0.1)
    assert found, pull_all(puller, topic, expression)
    [queue] = set(q for q, _ in found)
    first = min(m.queue_offset for _, m in found)

    both = puller.pull(queue, expression, first, 32)
    assert both.status == PullStatus.FOUND
    assert [(m.keys.decode(), m.tags.decode(), m.id) for m in both.messages] == sent
    assert [m.queue_offset for m in both.messages] == list(range(first, first + 5))
    assert all(m.topic == topic and m.queue_id == queue.queue_id for m in both.messages)

    only_a = puller.pull(queue, tag_a, first, 32)
    assert [m.keys.decode() for m in only_a.messages] == ['pull-0', 'pull-2', 'pull-4']

    two = puller.pull(queue, expression, first, 2)
    assert [m.keys.decode() for m in two.messages] == ['pull-0', 'pull-1']
    assert two.next_begin_offset == first + 2

    # the end of the queue
    end = puller.pull(queue, expression, both.max_offset, 32)
    assert end.status == PullStatus.NO_NEW_MSG and not end.messages

    # pulled messages outlive their PullResult
    kept = both.messages
    del both, only_a, two
    gc.collect()
    assert [m.body for m in kept] == [k.encode() for k, _, _ in sent]


# ------------------------------------------------------------------------------ flow control

def test_max_consume_tps_bounds_the_rate(topic, producer, consumers):
    tps, count = 20, 60
    tag = unique('tps')
    keys = ['tps-%d' % i for i in range(count)]
    for i in range(0, count, 20):  # all stored before the consumer starts: it could take them at once
        producer.send_batch([message(topic, tag, k) for k in keys[i:i + 20]])
    inbox = Inbox()
    consumers(inbox, tag, setup=lambda c: c.set_max_consume_tps(tps))
    assert inbox.wait_keys(keys, 60), '%d of %d consumed' % (len(set(inbox.keys())), count)
    first = {}
    for s in inbox.got:
        first.setdefault(s['keys'], s['received'])
    times = sorted(first.values())
    span = times[-1] - times[0]
    assert span >= 0.9 * (count - 1) / tps, 'all %d in %.2f s: not limited to %d/s' % (count, span, tps)
    # (a consume thread the machine runs late can bunch a few slots together)
    busiest = max(len([t for t in times if start <= t < start + 1.0]) for start in times)
    assert busiest <= 1.5 * tps, '%d messages in one second with a limit of %d/s' % (busiest, tps)


def test_cache_limits_accepted_and_consumption_completes(topic, producer, consumers):
    count = 120
    tag = unique('cache')
    keys = ['cache-%d' % i for i in range(count)]
    for i in range(0, count, 30):
        producer.send_batch([message(topic, tag, k, 'x' * 512) for k in keys[i:i + 30]])

    def limits(c):
        c.set_max_cache_message_size(4)
        c.set_max_cache_message_size_in_mb(1)
        c.set_thread_count(2)
        c.set_message_batch_max_size(1)

    inbox = Inbox()
    consumers(inbox, tag, setup=limits)
    assert inbox.wait_keys(keys, 60), '%d of %d consumed' % (len(set(inbox.keys())), count)


def test_consume_from_first_offset_reads_what_was_stored_before_the_start(topic, producer, consumers):
    """A new group starts at the last offset by default; FIRST_OFFSET makes it read the messages
    stored before it started."""
    from rocketmq.client import ConsumeFromWhere
    tag = unique('first')
    keys = ['first-%d' % i for i in range(5)]
    producer.send_batch([message(topic, tag, k) for k in keys])
    earlier, first = Inbox(), Inbox()
    consumers(earlier, tag)
    consumers(first, tag, setup=lambda c: c.set_consume_from_where(ConsumeFromWhere.FIRST_OFFSET))
    assert first.wait_keys(keys, 60), 'FIRST_OFFSET: %d of %d stored messages consumed' % (
        len(set(first.keys()) & set(keys)), len(keys))
    assert not set(earlier.keys()) & set(keys), 'the default (LAST_OFFSET) group read messages stored before it started'


# ------------------------------------------------------------------------------ lifetimes

def test_started_consumer_without_reference_keeps_consuming(ns, topic, producer):
    tag = unique('alive')
    inbox = Inbox()
    # the callback is a lambda only the consumer refers to
    consumer = push_consumer(ns[1], topic, lambda msg: inbox(msg), tag)
    ref = weakref.ref(consumer)
    del consumer
    gc.collect()
    try:
        for round_ in range(3):
            keys = ['alive-%d-%d' % (round_, i) for i in range(3)]
            for k in keys:
                producer.send_sync(message(topic, tag, k))
            assert inbox.wait_keys(keys), 'round %d: %r' % (round_, inbox.keys())
            gc.collect()
        assert ref() is not None  # the package holds a started client
    finally:
        if ref() is not None:
            shutdown_within(ref())
    gc.collect()
    assert ref() is None, 'a shut down consumer nobody refers to is collected'


# ------------------------------------------------------------------------------ failing callbacks

class Records(logging.Handler):
    def __init__(self):
        logging.Handler.__init__(self, logging.DEBUG)
        self.records = []
        self.lock_ = threading.Lock()

    def emit(self, record):
        with self.lock_:
            self.records.append(record)

    def about(self, msg_id):
        with self.lock_:
            return [r for r in self.records if msg_id in r.getMessage()]


@pytest.fixture(scope='module')
def failing_callbacks(ns, topic, producer):
    """One consumer; its callback raises for 'raises' and returns None for 'none' on the first
    delivery, succeeds on later ones. Returns (inbox, records of the 'rocketmq' logger)."""
    logger = logging.getLogger('rocketmq')
    records = Records()
    logger.addHandler(records)
    tag = unique('fail')

    def decide(snap, earlier):
        if earlier == 0 and snap['keys'] == b'raises':
            raise ValueError('boom from the test callback')
        if earlier == 0 and snap['keys'] == b'none':
            return None
        return ConsumeStatus.CONSUME_SUCCESS

    inbox = Inbox(decide)
    consumer = push_consumer(ns[1], topic, inbox, tag)
    try:
        ids = dict((k, producer.send_sync(message(topic, tag, k)).msg_id) for k in ('raises', 'none', 'fine'))
        assert inbox.wait(lambda got: all(len([s for s in got if s['keys'] == k.encode()]) >= 2
                                          for k in ('raises', 'none')), 60), inbox.keys()
    finally:
        shutdown_within(consumer)
        logger.removeHandler(records)
    return inbox, records, ids


def assert_redelivered(inbox, key, msg_id):
    deliveries = inbox.of_key(key)
    assert [d['id'] for d in deliveries[:2]] == [msg_id, msg_id]
    assert deliveries[0]['reconsume_times'] == 0
    assert deliveries[1]['reconsume_times'] >= 1, deliveries


def test_exception_in_callback_logged_once_and_redelivered(failing_callbacks):
    inbox, records, ids = failing_callbacks
    assert_redelivered(inbox, 'raises', ids['raises'])
    about = records.about(ids['raises'])
    assert len(about) == 1, [r.getMessage() for r in about]
    [record] = about
    assert record.levelno == logging.ERROR and record.exc_info, record.__dict__
    assert record.exc_info[0] is ValueError and 'boom from the test callback' in str(record.exc_info[1])
    assert 'decide' in logging.Formatter().formatException(record.exc_info)  # the user's frame


def test_callback_returning_none_logged_and_redelivered(failing_callbacks):
    inbox, records, ids = failing_callbacks
    assert_redelivered(inbox, 'none', ids['none'])
    about = records.about(ids['none'])
    assert len(about) == 1, [r.getMessage() for r in about]
    assert about[0].levelno == logging.WARNING and not about[0].exc_info
    assert 'None' in about[0].getMessage()


def test_successful_callback_not_logged_nor_redelivered(failing_callbacks):
    inbox, records, ids = failing_callbacks
    assert [d['id'] for d in inbox.of_key('fine')] == [ids['fine']]
    assert not records.about(ids['fine'])
    # nothing else was logged about these messages: no traceback spam
    assert not [r for r in records.records if r.exc_info and ids['raises'] not in r.getMessage()]
