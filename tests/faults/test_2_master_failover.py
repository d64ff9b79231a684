"""Scenario 2: two masters of one topic on one name server, kill -9 of one under load.

Sends go on through the other master with no error reaching the caller and each within the
send timeout; consumption goes on; the restarted master gets traffic again (its own queue
offsets grow, read from the broker). Every acknowledged id is consumed. Python package over the
C ABI, as in scenario 1.
"""
import time

from cluster import wait_for
from traffic import Receiver, Report, Sender, make_producer, report, settle, unique

SEND_TIMEOUT_MS = 3000
QUEUES = 4
# Longer than the client's route refresh (30 s): the dead master leaves the client's route, so
# its return must be found by a later refresh, not only by a send that happens to succeed.
OUTAGE_S = 35


def stored(cluster, broker, topic):
    """Messages the broker holds for the topic (sum of its queues' max offsets)."""
    return sum(cluster.max_offset(broker, topic, q) for q in range(QUEUES))


def test_master_killed_under_load_sends_go_to_the_other(plain, log_dir):
    cluster, victim, survivor = plain.cluster, plain.a, plain.b
    topic = unique('faults_failover')
    cluster.create_topic(topic, [victim, survivor], queues=QUEUES)
    producer = make_producer(plain.ns1.addr, log_dir, timeout_ms=SEND_TIMEOUT_MS)
    receiver = Receiver(plain.ns1.addr, topic, log_dir=log_dir).start()
    sender = Sender(producer, topic).start()
    try:
        sender.wait_acked_after(time.monotonic(), count=50, timeout=30)
        wait_for('messages on both masters', lambda: stored(cluster, victim, topic) > 0 and stored(cluster, survivor, topic) > 0, 10)

        killed = time.monotonic()
        victim.kill9()
        # under load through the survivor for a while, then the restart
        sender.wait_acked_after(killed, count=100, timeout=30)
        assert not receiver.wait_all(sender.acked_after(killed), 30), 'consumption stopped with one master down'
        time.sleep(max(0.0, killed + OUTAGE_S - time.monotonic()))
        assert not receiver.wait_all(sender.acked_after(killed), 30), 'consumption stopped with one master down'
        restart_began = time.monotonic()
        cluster.restart(victim)
        ready = time.monotonic()
        before = stored(cluster, victim, topic)
        wait_for('traffic on the restarted master', lambda: stored(cluster, victim, topic) > before + 5, 75, every=0.5)
        traffic_back = time.monotonic()
        time.sleep(1)
    finally:
        sender.stop()
    acked, lost = settle(sender, receiver, producer)
    report(Report('two masters, kill -9 of one under load (%s)' % plain.version, len(acked), len(lost),
                  sender.longest_ms, traffic_back - ready,
                  ['master down %.1f s' % (ready - killed), '%d send errors' % len(sender.failures),
                   'restarted master ready in %.1f s' % (ready - restart_began),
                   'time to recover: from ready to its first traffic']))
    assert not sender.failures, 'errors reached the caller: %s' % [f.text for f in sender.failures[:5]]
    assert sender.longest_ms < SEND_TIMEOUT_MS, 'a send took %.0f ms' % sender.longest_ms
    assert not lost, 'acknowledged but never consumed: %s' % sorted(lost)[:10]
