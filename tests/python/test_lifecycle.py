# -*- coding: utf-8 -*-
"""Nothing left behind, seen from Python: rounds of create, start, send, shutdown (and every fifth
round a push consumer that receives the round's message) through the package of the target under
test, in a child process that starts no thread of its own. After each round, once the package's
objects are collected, the process must have the threads and open files it had before the first
start (the library's threads, sockets and log file are all gone), and RSS must stay within 8 MiB
after a warm-up.

Environment: NAMESRV_ADDRS, RMQ_PY_TOPIC (test_producer.py); RMQ_PY_LIFECYCLE_ROUNDS (default 200).
"""
import os
import subprocess
import sys
import textwrap

import pytest

import namesrvs

NAMESRVS = namesrvs.from_env()
TOPIC = os.environ.get('RMQ_PY_TOPIC', 'rmq_py_test')
ROUNDS = int(os.environ.get('RMQ_PY_LIFECYCLE_ROUNDS', '200'))
WARMUP_ROUNDS = 20
RSS_SLACK_KIB = 8 * 1024

CHILD = textwrap.dedent('''
    import gc, os, sys, threading, time
    from rocketmq.client import ConsumeStatus, Message, Producer, PushConsumer, SendStatus

    namesrv, topic, rounds, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    pid = os.getpid()

    def threads():
        return len(os.listdir('/proc/self/task'))

    def fds():
        return len(os.listdir('/proc/self/fd')) - 1  # less the one listdir opened

    def rss_kib():
        with open('/proc/self/status') as f:
            return [int(l.split()[1]) for l in f if l.startswith('VmRSS:')][0]

    def send(i):
        p = Producer('py_life_p%d' % pid)
        p.set_name_server_address(namesrv)
        p.start()
        msg = Message(topic)
        msg.set_body('round %d' % i)
        ok = p.send_sync(msg).status == SendStatus.OK
        p.shutdown()
        return ok

    def consume(i):
        got = threading.Event()
        def on_message(msg):
            got.set()
            return ConsumeStatus.CONSUME_SUCCESS
        c = PushConsumer('py_life_c%d_%d' % (pid, i))
        c.set_name_server_address(namesrv)
        c.subscribe(topic, on_message)
        c.start()
        deadline = time.monotonic() + 20
        # the new group starts at the last offset once it has a queue: send until one arrives
        while not got.is_set() and time.monotonic() < deadline:
            send(i)
            got.wait(0.1)
        c.shutdown()
        return got.is_set()

    threads0, fds0 = threads(), fds()
    failed = leaked = 0
    rss_warm = 0
    for i in range(1, rounds + 1):
        ok = consume(i) if i % 5 == 0 else send(i)
        gc.collect()
        if not ok:
            failed += 1
        # a joined thread can stay listed in /proc for a moment while the kernel ends it
        settle_until = time.monotonic() + 1.0
        t, f = threads(), fds()
        while (t, f) != (threads0, fds0) and time.monotonic() < settle_until:
            time.sleep(0.005)
            t, f = threads(), fds()
        if (t, f) != (threads0, fds0):
            leaked += 1
            if leaked <= 3:
                print('after round %d: %d threads (before: %d), %d fds (%d)' % (i, t, threads0, f, fds0))
        if i == warmup:
            rss_warm = rss_kib()
    print('result', rounds, failed, leaked, threads0, threads(), fds0, fds(), rss_warm, rss_kib())
''')


@pytest.mark.parametrize('ns', NAMESRVS, ids=[label for label, _ in NAMESRVS])
def test_rounds_leave_no_thread_fd_or_memory_behind(ns, tmp_path):
    env = dict(os.environ, HOME=str(tmp_path))  # the library's default log directory
    proc = subprocess.run([sys.executable, '-c', CHILD, ns[1], TOPIC, str(ROUNDS), str(WARMUP_ROUNDS)],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=600)
    out = proc.stdout.decode('utf-8', 'replace')
    assert proc.returncode == 0, out
    [line] = [line for line in out.splitlines() if line.startswith('result ')]
    rounds, failed, leaked, threads0, threads1, fds0, fds1, rss_warm, rss_end = map(int, line.split()[1:])
    print(out)
    assert rounds == ROUNDS
    assert failed == 0, '%d of %d rounds failed\n%s' % (failed, rounds, out)
    assert leaked == 0, '%d of %d rounds left threads or fds behind\n%s' % (leaked, rounds, out)
    assert (threads1, fds1) == (threads0, fds0)
    assert rss_end - rss_warm <= RSS_SLACK_KIB, 'RSS grew from %d to %d KiB after the warm-up' % (rss_warm, rss_end)
