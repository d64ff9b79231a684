"""Scenario 4: a consumer whose callback keeps failing.

- After max reconsume times (2 here) the broker moves the message to the group's `%DLQ%` topic,
  and it is read back from there with a pull consumer (the broker makes that topic write-only;
  it is made readable the way an operator would, by updating it).
- A retry whose send-back fails (the broker was killed while the callback ran) is consumed
  again locally, while the broker is still down.

Python package over the C ABI, as in scenario 1 (max reconsume times: set_max_reconsume_times).
"""
import threading
import time
from collections import defaultdict

from cluster import wait_for
from rocketmq.client import ConsumeStatus, Message, PullConsumer, PullStatus, PushConsumer
from traffic import Report, make_producer, report, unique

MAX_RECONSUME = 2


def read_queue(consumer, queue, expect: int, timeout: float = 30):
    """Every message of the queue from offset 0 (at least `expect` of them)."""
    found = []

    def more():
        offset = found[-1].queue_offset + 1 if found else 0
        result = consumer.pull(queue, '*', offset, 32)
        if result.status == PullStatus.FOUND:
            found.extend(result.messages)
        return len(found) >= expect

    wait_for('%d messages in %s' % (expect, queue.topic), more, timeout, every=0.3)
    return found


def test_failing_callback_ends_in_the_dead_letter_queue(plain, log_dir):
    cluster, broker = plain.cluster, plain.b
    topic, group = unique('faults_dlq'), unique('faults_dlq_group')
    cluster.create_topic(topic, [broker])
    deliveries = defaultdict(list)  # msg id -> reconsume times of each delivery
    lock = threading.Lock()

    def always_fail(msg):
        with lock:
            deliveries[msg.id].append(msg.reconsume_times)
        return ConsumeStatus.RECONSUME_LATER

    consumer = PushConsumer(group)
    consumer.set_name_server_address(plain.ns1.addr)
    consumer.set_log_path(log_dir)
    consumer.set_max_reconsume_times(MAX_RECONSUME)
    consumer.subscribe(topic, always_fail)
    consumer.start()
    producer = make_producer(plain.ns1.addr, log_dir)
    longest_ms, acked = 0.0, {}
    try:
        for i in range(3):
            msg = Message(topic)
            msg.set_keys('dlq%d' % i)
            msg.set_body(b'dead letter %d' % i)
            t0 = time.monotonic()
            acked[producer.send_sync(msg).msg_id] = b'dead letter %d' % i
            longest_ms = max(longest_ms, (time.monotonic() - t0) * 1000)
        sent = time.monotonic()
        dlq = '%DLQ%' + group
        wait_for('the dead-letter topic %s on the name server' % dlq, lambda: cluster.route_brokers(plain.ns1, dlq), 60,
                 every=0.5)
        # 4.x creates it write-only (perm 2): readable for this test
        cluster.create_topic(dlq, [broker], queues=1)
        reader = PullConsumer(unique('faults_dlq_reader'))
        reader.set_name_server_address(plain.ns1.addr)
        reader.set_log_path(log_dir)
        reader.start()
        try:
            (queue,) = reader.get_message_queues(dlq)
            dead = read_queue(reader, queue, len(acked))
            in_dlq = {m.id: m.body for m in dead}
            took = time.monotonic() - sent
        finally:
            reader.shutdown()
    finally:
        producer.shutdown()
        consumer.shutdown()
    lost = {i for i in acked if in_dlq.get(i) != acked[i]}
    report(Report('callback always fails, max reconsume times %d (%s)' % (MAX_RECONSUME, plain.version), len(acked),
                  len(lost), longest_ms, None,
                  ['all in %s after %.1f s' % (dlq, took),
                   'deliveries per message %s' % sorted(len(d) for d in deliveries.values())]))
    assert not lost, 'not in the dead-letter queue (or changed): %s' % sorted(lost)
    # three deliveries 1 s apart: no wait for the 20 s rebalance to find the new retry topic
    assert took < 15, 'the dead-letter queue got them after %.1f s' % took
    for msg_id in acked:
        # the first delivery and MAX_RECONSUME retries, then no more
        assert deliveries[msg_id] == list(range(MAX_RECONSUME + 1)), (msg_id, deliveries[msg_id])


def test_failed_send_back_is_consumed_again_locally(plain, log_dir):
    cluster, broker = plain.cluster, plain.a
    topic = unique('faults_local_retry')
    cluster.create_topic(topic, [broker])
    in_callback, broker_killed = threading.Event(), threading.Event()
    deliveries = []  # (when, msg id, reconsume times)

    def fail_once(msg):
        deliveries.append((time.monotonic(), msg.id, msg.reconsume_times))
        if len(deliveries) == 1:
            in_callback.set()
            broker_killed.wait(30)
            return ConsumeStatus.RECONSUME_LATER  # its send-back meets a dead broker
        return ConsumeStatus.CONSUME_SUCCESS

    consumer = PushConsumer(unique('faults_retry_group'))
    consumer.set_name_server_address(plain.ns1.addr)
    consumer.set_log_path(log_dir)
    consumer.subscribe(topic, fail_once)
    consumer.start()
    producer = make_producer(plain.ns1.addr, log_dir)
    try:
        msg = Message(topic)
        msg.set_body(b'retried here')
        t0 = time.monotonic()
        msg_id = producer.send_sync(msg).msg_id
        longest_ms = (time.monotonic() - t0) * 1000
        assert in_callback.wait(60), 'the message was never delivered'
        broker.kill9()
        killed = time.monotonic()
        broker_killed.set()
        wait_for('a second delivery', lambda: len(deliveries) >= 2, 20)
        again = deliveries[1]
        restart_began = time.monotonic()
        cluster.restart(broker)
    finally:
        broker_killed.set()
        producer.shutdown()
        consumer.shutdown()
    report(Report('send-back fails, consumed again locally (%s)' % plain.version, 1, 0 if again[1] == msg_id else 1,
                  longest_ms, again[0] - killed,
                  ['delivered again %.1f s after the kill, broker restarted %.1f s after it'
                   % (again[0] - killed, restart_began - killed)]))
    assert again[1] == msg_id
    assert again[0] < restart_began, 'delivered again only after the broker came back'
    assert again[2] == 1, 'reconsume times of the local retry: %d' % again[2]
