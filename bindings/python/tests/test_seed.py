# -*- coding: utf-8 -*-
"""The seed's chapter 5 Python programs (dms-rocketmq-developer-guide.txt, copied into seed/
with only addresses, names and endless loops changed), each run as a child process of this
venv's Python against real brokers, asserting on what the broker delivered:

  5.1 normal      sync_producer.py -> push_consumer.py prints that message id (its keys, tags,
                  body and property are checked on the copy pulled back from the broker)
  5.2 ordered     orderly_producer.py three times -> orderly_consumer.py prints them in send
                  order; pulled back, they sit in one queue at growing offsets
  5.3 transaction transaction_producer.py's local_execute answers UNKNOWN: only the broker's
                  check (check_callback -> COMMIT) can commit; push_consumer.py gets all 10
  5.4 scheduled   scheduled_producer.py (__STARTDELIVERTIME = now + 3 s): a 5.x broker delivers
                  it at that time, not before; a 4.x broker at once (no timer messages)
  5.5 ACL         acl_producer.py + acl_transaction_producer.py -> acl_consumer.py gets all 11,
                  on the ACL pair with the client account; a wrong secret key is refused

The programs print what the seed prints; the tests read those lines as they come (the children
run with PYTHONUNBUFFERED=1) and tell the bounded loops to end (seed/seed_bound.py).
"""
import os
import re

import pytest

from helpers import SEED_DIR, Child, Inbox, child_env, env, pull_all, push_consumer, shutdown_within, unique, \
    warm_up

# one print() of one string, but its newline is a write of its own: lines of two threads can run
# together, so the output is searched as a whole
SEND_LINE = re.compile(r'send message status: (\S+?) msgId: ([0-9A-F]{32})')
# str(SendStatus.OK): 'SendStatus.OK' before Python 3.11, '0' from 3.11 on (IntEnum.__str__)
OK_STATUS = ('SendStatus.OK', '0')
TX_COUNT = 10
EXIT_LIMIT = 30.0


class Seed(Child):
    """One seed program as a child process; stop() ends its bounded loop."""

    def __init__(self, program, namesrv, topic, tmp_path, **extra):
        self.stop_file = str(tmp_path / ('stop-%s' % unique(program)))
        environ = child_env(SEED_NAMESRV=namesrv, SEED_TOPIC=topic, SEED_GROUP=unique('seed_p'),
                            SEED_CONSUMER_GROUP=unique('seed_c'), SEED_STOP_FILE=self.stop_file,
                            SEED_DEADLINE=240, **extra)
        Child.__init__(self, [os.path.join(SEED_DIR, program)], environ, cwd=str(tmp_path))

    def stop(self):
        open(self.stop_file, 'w').close()

    def output(self):
        with self.cond:
            return '\n'.join(self.out)

    def sends(self):
        """(status, msgId) of every 'send message status' line so far."""
        return SEND_LINE.findall(self.output())

    def consumed(self):
        """The message ids the seed consumer printed so far, in order of first appearance. (Its
        callback prints from several consume threads with one print() call of three items, and
        the pieces of two lines can interleave: ids are found anywhere in the output; bodies and
        properties are checked on what is pulled back from the broker.)"""
        order = []
        for i in re.findall(r'[0-9A-F]{32}', self.output()):
            if i not in order:
                order.append(i)
        return order

    def end(self, limit=EXIT_LIMIT):
        """stop() and wait; asserts a clean exit (status 0) within ``limit`` seconds."""
        self.stop()
        rc = self.finish(limit)
        assert rc == 0, 'exit status %s\n%s' % (rc, self.text())


@pytest.fixture
def seeds(tmp_path):
    """seeds(program, namesrv, topic, **env) -> a started Seed; any still running is killed."""
    made = []

    def run(program, namesrv, topic, **extra):
        s = Seed(program, namesrv, topic, tmp_path, **extra)
        made.append(s)
        return s

    yield run
    for s in made:
        s.kill()


def run_producer(seeds, program, namesrv, topic, **extra):
    """Runs a seed producer to its end; returns the msgId it printed (status checked)."""
    p = seeds(program, namesrv, topic, **extra)
    rc = p.finish(60)
    assert rc == 0, p.text()
    sends = p.sends()
    assert len(sends) == 1, p.text()
    status, msg_id = sends[0]
    assert status in OK_STATUS, p.text()
    return msg_id


def wait_consumed(consumer, ids, timeout=60):
    """Waits until the seed consumer printed every id; returns them in print order."""
    consumer.wait(lambda: set(ids) <= set(consumer.consumed()), timeout)
    order = consumer.consumed()
    missing = [i for i in ids if i not in order]
    assert not missing, 'not consumed: %s\n%s' % (missing, consumer.text())
    return [i for i in order if i in ids]


def assert_on_broker(namesrv, topic, ids, credentials=None):
    """Pulls the topic back (the package's PullConsumer): each id is there once, with the seed's
    keys, tags, body and property. Returns {id: (queue id, queue offset)}."""
    from rocketmq.client import PullConsumer
    puller = PullConsumer(unique('seed_pull'))
    puller.set_name_server_address(namesrv)
    if credentials:
        puller.set_session_credentials(credentials['ROCKETMQ_AK'], credentials['ROCKETMQ_SK'], '')
    puller.start()
    try:
        found = [(q, m) for q, m in pull_all(puller, topic, 'XXX') if m.id in ids]
        assert sorted(m.id for _, m in found) == sorted(ids)
        for _, m in found:
            assert (m.keys, m.tags, m.body, m.get_property('property')) == (b'XXX', b'XXX', b'message body', b'test')
        return dict((m.id, (q.queue_id, m.queue_offset)) for q, m in found)
    finally:
        shutdown_within(puller)


def transaction_ids(tx):
    """The transaction program's 10 msgIds, once it has sent them all."""
    tx.wait(lambda: len(tx.sends()) >= TX_COUNT, 60)
    sends = tx.sends()
    assert len(sends) == TX_COUNT, tx.text()
    assert all(s in OK_STATUS for s, _ in sends), tx.text()
    return [i for _, i in sends]


def assert_checked_and_committed(tx):
    """local_execute ran for each message and answered UNKNOWN, so each delivery needed the
    broker's check, answered COMMIT by check_callback (which prints before answering)."""
    text = tx.output()
    assert text.count('local: message body') == TX_COUNT, tx.text()
    assert text.count('check: message body') >= TX_COUNT, tx.text()


# ------------------------------------------------------------------------------ plain pair

def test_normal_send_and_subscribe(ns, topic, seeds):
    msg_id = run_producer(seeds, 'sync_producer.py', ns[1], topic)
    consumer = seeds('push_consumer.py', ns[1], topic)
    wait_consumed(consumer, [msg_id])
    assert consumer.out[0] == 'start consume message'
    consumer.end()
    assert_on_broker(ns[1], topic, [msg_id])


def test_ordered_send_and_subscribe(ns, topic, seeds):
    ids = [run_producer(seeds, 'orderly_producer.py', ns[1], topic) for _ in range(3)]
    consumer = seeds('orderly_consumer.py', ns[1], topic)
    assert wait_consumed(consumer, ids) == ids, 'not in send order:\n%s' % consumer.text()
    consumer.end()
    # one sharding key: one queue, at growing offsets
    found = assert_on_broker(ns[1], topic, ids)
    assert len(set(q for q, _ in found.values())) == 1, found
    assert [found[i][1] for i in ids] == sorted(found[i][1] for i in ids), found


def test_transaction_committed_by_the_brokers_check(ns, topic, seeds):
    tx = seeds('transaction_producer.py', ns[1], topic)
    ids = transaction_ids(tx)
    consumer = seeds('push_consumer.py', ns[1], topic)
    wait_consumed(consumer, ids)
    assert_checked_and_committed(tx)
    consumer.end()
    tx.end()
    assert_on_broker(ns[1], topic, ids)


def test_scheduled_message(ns, version, topic, seeds, producer):
    inbox = Inbox()
    warm_tag = unique('warm')
    consumer = push_consumer(ns[1], topic, inbox, 'XXX || ' + warm_tag)
    try:
        warm_up(producer, inbox, topic, warm_tag)
        msg_id = run_producer(seeds, 'scheduled_producer.py', ns[1], topic)
        assert inbox.wait_ids([msg_id], 30), 'scheduled message %s not delivered within 30 s' % msg_id
    finally:
        shutdown_within(consumer)
    [got] = inbox.of_id(msg_id)
    deliver_at = int(got['deliver_time'])
    assert 2900 <= deliver_at - got['born_timestamp'] <= 4000, got  # the seed's "now + 3 s"
    if version >= 5:
        # delivered at its time, not before (the broker's clock and ours are the same clock)
        assert got['store_timestamp'] >= deliver_at, got
        assert got['received_ms'] >= deliver_at, got
    else:
        # 4.x has no timer messages: stored and delivered at once, well before that time
        assert got['store_timestamp'] - got['born_timestamp'] < 2000, got
        assert got['received_ms'] < deliver_at, got


# ------------------------------------------------------------------------------ ACL pair

def acl_keys(secret=None):
    return dict(ROCKETMQ_AK=env('RMQ_ACL_ACCESS_KEY'), ROCKETMQ_SK=secret or env('RMQ_ACL_SECRET_KEY'))


def test_acl_send_transaction_and_subscribe(acl_ns, acl_topic, seeds):
    keys = acl_keys()
    msg_id = run_producer(seeds, 'acl_producer.py', acl_ns[1], acl_topic, **keys)
    tx = seeds('acl_transaction_producer.py', acl_ns[1], acl_topic, **keys)
    ids = transaction_ids(tx)
    consumer = seeds('acl_consumer.py', acl_ns[1], acl_topic, **keys)
    wait_consumed(consumer, [msg_id] + ids)
    assert_checked_and_committed(tx)
    consumer.end()
    tx.end()
    assert_on_broker(acl_ns[1], acl_topic, [msg_id] + ids, keys)


def test_acl_wrong_secret_refused(acl_ns, acl_topic, seeds):
    p = seeds('acl_producer.py', acl_ns[1], acl_topic, **acl_keys(secret='not-the-secret'))
    rc = p.finish(60)
    assert rc == 1, p.text()
    assert not p.sends(), p.text()
    assert 'ProducerSendSyncFailed' in p.stderr() and 'access denied' in p.stderr(), p.text()
