"""Scenario 3: two name servers, kill -9 of the one the clients use first.

No error reaches the user (sends, a route looked up for the first time, a consumer started
after the kill), and routes keep refreshing from the other name server: a topic grown from 4 to
8 queues after the kill (known only to the surviving name server) gets messages in its new
queues from the producer and the consumer. Python package over the C ABI, as in scenario 1.
"""
import time

from cluster import wait_for
from rocketmq.client import Message
from traffic import Receiver, Report, Sender, make_producer, report, settle, unique


def test_namesrv_killed_routes_refresh_from_the_other(plain, log_dir):
    cluster, broker, dead, alive = plain.cluster, plain.b, plain.ns1, plain.ns2
    namesrvs = '%s;%s' % (dead.addr, alive.addr)  # the dead one first: the clients start with it
    topic, fresh_topic = unique('faults_ns'), unique('faults_ns_fresh')
    cluster.create_topic(topic, [broker], queues=4)
    cluster.create_topic(fresh_topic, [broker], queues=4)
    producer = make_producer(namesrvs, log_dir)
    receiver = Receiver(namesrvs, topic, log_dir=log_dir).start()
    sender = Sender(producer, topic).start()
    late_receiver = None
    try:
        sender.wait_acked_after(time.monotonic(), count=50, timeout=30)
        killed = time.monotonic()
        dead.kill9()

        # a route never looked up before, and a consumer started now: through the other one
        late_receiver = Receiver(namesrvs, fresh_topic, log_dir=log_dir).start()
        msg = Message(fresh_topic)
        msg.set_body(b'first send after the kill')
        fresh_id = producer.send_sync(msg).msg_id
        assert not late_receiver.wait_all({fresh_id}, 60), 'the consumer started after the kill got nothing'

        # a route change only the surviving name server knows
        cluster.create_topic(topic, [broker], queues=8)
        grown = time.monotonic()
        wait_for('sends to the new queues 4-7', lambda: sum(cluster.max_offset(broker, topic, q) for q in range(4, 8)) > 0,
                 75, every=0.5)
        producer_saw = time.monotonic()
        wait_for('deliveries from the new queues 4-7', lambda: receiver.queue_ids & {4, 5, 6, 7}, 75, every=0.5)
        consumer_saw = time.monotonic()
    finally:
        sender.stop()
        if late_receiver:
            late_receiver.shutdown()
    try:
        acked, lost = settle(sender, receiver, producer)
    finally:
        cluster.restart(dead)  # for the scenarios after this one
    report(Report('two name servers, kill -9 of one (%s)' % plain.version, len(acked), len(lost), sender.longest_ms,
                  max(producer_saw, consumer_saw) - grown,
                  ['%d send errors' % len(sender.failures),
                   'route change after the kill seen by the producer in %.1f s, the consumer in %.1f s'
                   % (producer_saw - grown, consumer_saw - grown),
                   'time to recover: until both saw it (route refresh every 30 s)']))
    assert not sender.failures, 'errors reached the caller: %s' % [f.text for f in sender.failures[:5]]
    assert not lost, 'acknowledged but never consumed: %s' % sorted(lost)[:10]
