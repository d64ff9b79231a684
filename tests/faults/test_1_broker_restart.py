"""Scenario 1: kill -9 of the only broker of a topic under a sending and consuming client, then a
restart on its store.

Drives the project's Python package (bindings/python, installed from the wheel by run.sh):
it is what users of the binding run, and it goes through the whole C ABI, so the faults are met
by the same library the C and Python hosts load. The broker is the judge: every id it
acknowledged must be delivered to the consumer afterwards.
"""
import time

from traffic import Receiver, Report, Sender, make_producer, report, settle, unique


def test_only_broker_killed_and_restarted(plain, log_dir):
    cluster, broker = plain.cluster, plain.a
    topic = unique('faults_restart')
    cluster.create_topic(topic, [broker])
    producer = make_producer(plain.ns1.addr, log_dir)
    receiver = Receiver(plain.ns1.addr, topic, log_dir=log_dir).start()
    sender = Sender(producer, topic).start()
    try:
        t0 = time.monotonic()
        sender.wait_acked_after(t0, count=50, timeout=30)
        assert not receiver.wait_all(set(list(sender.acked_ids())[:10]), 30), 'nothing consumed before the fault'

        killed = time.monotonic()
        broker.kill9()
        # the client meets the outage before the broker comes back
        while not sender.failures and time.monotonic() - killed < 10:
            time.sleep(0.05)
        time.sleep(1)
        cluster.restart(broker)
        ready = time.monotonic()
        first_ack = sender.wait_acked_after(ready, count=1, timeout=60)
        after_restart = sender.acked_after(first_ack)
        while not after_restart:
            time.sleep(0.05)
            after_restart = sender.acked_after(ready)
        probe = set(list(after_restart)[:1])
        assert not receiver.wait_all(probe, 60), 'no message sent after the restart was consumed'
        consumed_again = receiver.delivered[next(iter(probe))]
        time.sleep(1)
    finally:
        sender.stop()
    acked, lost = settle(sender, receiver, producer)
    r = report(Report('only broker kill -9 + restart (%s)' % plain.version, len(acked), len(lost), sender.longest_ms,
                      max(first_ack, consumed_again) - ready,
                      ['broker down %.1f s' % (ready - killed), '%d sends failed while it was down' % len(sender.failures),
                       'time to recover counted from the restarted broker being ready']))
    assert not lost, 'acknowledged but never consumed: %s' % sorted(lost)[:10]
    # what failed did so while the broker was down (or while the client met it again)
    late = [f for f in sender.failures if f.at > first_ack]
    assert not late, 'sends failed after the broker was back: %s' % [f.text for f in late[:3]]
    assert r.acknowledged > 50
