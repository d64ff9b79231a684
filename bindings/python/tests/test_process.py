# -*- coding: utf-8 -*-
"""Process-level behaviour, each in a child process of this venv's Python (the slow tests):

- Ctrl-C (SIGINT) during a blocking send to a name server that accepts and never answers, and
  during a ``while True: time.sleep(1)`` loop with a running PushConsumer: the child ends by
  KeyboardInterrupt within a few seconds; no core dump, no hang.
- Interpreter exit with a running PushConsumer (never shut down): exit status 0 within a bound,
  and its offsets were committed (a new consumer of the group does not get those messages again).
- set_log_path + set_log_level: the log file appears in that directory, at that level.
- Handles are destroyed with their Python objects: 10k messages and 1.5k clients created and
  dropped leave the RSS flat; started-and-shut-down clients leave no thread behind.
"""
import re
import signal
import textwrap
import threading
import time

from helpers import Child, DEADLINE, Inbox, SilentServer, crashed, message, push_consumer, shutdown_within, \
    unique

SIGINT_LIMIT = 6.0   # seconds from SIGINT to the child's end
EXIT_LIMIT = 15.0    # seconds from the end of the main program to the child's end


def program(source, interruptible=False):
    """A child's program (the ones with consume threads print a line with one write: print()'s
    pieces of two threads can interleave, and a line the test waits for would never appear).
    ``interruptible``: SIGINT raises KeyboardInterrupt, as in a terminal, even when the test run
    was started in the background of a non-interactive shell (SIGINT ignored, and inherited)."""
    prelude = ''
    if interruptible:
        prelude = 'import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n'
    return prelude + textwrap.dedent(source).strip() + '\n'


def assert_interrupted(child, signalled_at, limit):
    rc = child.finish(limit + 10)
    took = child.ended_at - signalled_at
    assert rc is not None, 'still running %.0f s after SIGINT (killed)\n%s' % (limit + 10, child.text())
    assert not crashed(rc), 'crashed: exit status %s\n%s' % (rc, child.text())
    # an uncaught KeyboardInterrupt ends CPython (3.8+) by SIGINT, after printing the traceback
    assert rc == -signal.SIGINT, 'exit status %s\n%s' % (rc, child.text())
    assert 'KeyboardInterrupt' in child.stderr(), child.text()
    assert 'Fatal Python error' not in child.stderr(), child.text()
    assert took <= limit, 'ended %.1f s after SIGINT (limit %.0f s)\n%s' % (took, limit, child.text())


SEND_TO_SILENT_NAMESRV = program('''
    import sys
    from rocketmq.client import Message, Producer
    producer = Producer('py_sigint_send')
    producer.set_name_server_address(sys.argv[1])
    producer.set_timeout(3000)
    producer.start()
    msg = Message('rmq_pyb_sigint')
    msg.set_body('never sent')
    print('sending')
    producer.send_sync(msg)
    print('send returned')
''', interruptible=True)


def test_sigint_during_a_blocking_send():
    server = SilentServer()
    child = Child.code(SEND_TO_SILENT_NAMESRV, server.address)
    try:
        assert child.wait_line(lambda line: line == 'sending'), child.text()
        # the send is under way: it has connected to the silent name server and waits there
        assert server.accepted.wait(DEADLINE), 'the child never connected to %s\n%s' % (server.address, child.text())
        signalled_at = time.monotonic()
        child.interrupt()
        # the library returns within the 3 s send timeout; Python raises KeyboardInterrupt then
        assert_interrupted(child, signalled_at, 3.0 + 2.0)
        assert 'send returned' not in child.out
    finally:
        child.kill()
        server.close()


SLEEP_WITH_CONSUMER = program('''
    import sys, time
    from rocketmq.client import ConsumeStatus, PushConsumer
    def say(line):  # one write per line: print() writes its pieces apart, and threads interleave them
        sys.stdout.write(line + '\\n')
    namesrv, topic, tag, group = sys.argv[1:5]
    def on_message(msg):
        say('got ' + msg.keys.decode())
        return ConsumeStatus.CONSUME_SUCCESS
    consumer = PushConsumer(group)
    consumer.set_name_server_address(namesrv)
    consumer.subscribe(topic, on_message, tag)
    consumer.start()
    say('started')
    while True:
        time.sleep(1)
''', interruptible=True)


class Sender(object):
    """Sends a message of ``tag`` every 20 ms on a thread until stopped (callbacks keep running
    while the child is interrupted or exits)."""

    def __init__(self, producer, topic, tag):
        self.stopped = threading.Event()
        self.sent = 0
        self.errors = []

        def run():
            while not self.stopped.wait(0.02):
                try:
                    producer.send_sync(message(topic, tag, 'load-%d' % self.sent))
                    self.sent += 1
                except Exception as e:  # reported by the test
                    self.errors.append(e)
                    return

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopped.set()
        self.thread.join(DEADLINE)
        assert not self.errors, self.errors


def test_sigint_in_a_sleep_loop_with_a_running_consumer(ns, topic, producer):
    tag = unique('sigint')
    child = Child.code(SLEEP_WITH_CONSUMER, ns[1], topic, tag, unique('py_sigint'))
    sender = Sender(producer, topic, tag)
    try:
        # in the loop (start() returned), with messages being consumed
        assert child.wait_line(lambda line: line == 'started'), child.text()
        assert child.wait_line(lambda line: line.startswith('got ')), child.text()
        signalled_at = time.monotonic()
        child.interrupt()
        assert_interrupted(child, signalled_at, SIGINT_LIMIT)
    finally:
        sender.stop()
        child.kill()


INTERRUPTED_START = program('''
    import os, signal, sys, threading, time
    from rocketmq.client import ConsumeStatus, PushConsumer
    def say(line):  # one write per line: print() writes its pieces apart, and threads interleave them
        sys.stdout.write(line + '\\n')
    namesrv, topic, tag, group = sys.argv[1:5]
    entered = []
    cond = threading.Condition()
    def on_message(msg):
        say('enter ' + msg.keys.decode())
        with cond:
            entered.append(msg.keys.decode())
            cond.notify_all()
        time.sleep(0.05)
        return ConsumeStatus.CONSUME_SUCCESS
    consumer = PushConsumer(group)
    consumer.set_name_server_address(namesrv)
    consumer.set_thread_count(1)  # one callback at a time: entering one means the one before returned
    consumer.set_message_batch_max_size(1)
    consumer.subscribe(topic, on_message, tag)
    # Ctrl-C while StartPushConsumer runs (it takes some milliseconds)
    threading.Timer(0.004, os.kill, (os.getpid(), signal.SIGINT)).start()
    try:
        say('starting')
        consumer.start()
        say('started')
        while True:
            time.sleep(1)
    finally:
        # the program's own clean-up; meanwhile the consumer works on the waiting messages
        with cond:
            cond.wait_for(lambda: len(entered) >= 4, 10)
        say('cleaning up after %d callbacks' % len(entered))
''', interruptible=True)


def test_sigint_during_consumer_start(ns, topic, producer):
    """A KeyboardInterrupt that CPython raises as StartPushConsumer returns leaves a running
    consumer: the exit must still shut it down (promptly) and commit what it consumed."""
    for attempt in range(3):
        tag, group, shard = unique('sigstart'), unique('py_sigstart'), unique('shard')
        keys = ['waiting-%d' % i for i in range(30)]
        for k in keys:  # one queue, consumed in order
            producer.send_orderly_with_sharding_key(message(topic, tag, k), shard)
        child = Child.code(INTERRUPTED_START, ns[1], topic, tag, group)
        try:
            assert child.wait_line(lambda line: line == 'starting'), child.text()
            signalled_at = time.monotonic()
            assert_interrupted(child, signalled_at, SIGINT_LIMIT)
        finally:
            child.kill()
        if re.search(r'client\.py", line \d+, in start\n', child.stderr() + '\n'):
            break  # the interrupt came out of start(), as intended
    else:
        raise AssertionError('the SIGINT never arrived during start() in 3 attempts\n' + child.text())
    entered = [line.split(' ', 1)[1] for line in child.out if line.startswith('enter ')]
    assert len(entered) >= 4, child.text()
    completed = set(entered[:-1])  # the last one may have been cut short by the exit
    # the same group again, after a marker in the same queue: nothing completed comes again
    inbox = Inbox()

    def one_by_one(c):
        c.set_thread_count(1)
        c.set_message_batch_max_size(1)

    consumer = push_consumer(ns[1], topic, inbox, tag, group=group, setup=one_by_one)
    try:
        producer.send_orderly_with_sharding_key(message(topic, tag, 'marker'), shard)
        assert inbox.wait_keys(['marker']), inbox.keys()
        again = sorted(completed & set(k.decode() for k in inbox.keys()))
        assert not again, 'consumed before the exit and delivered again (offsets not committed): %s\n%s' % (
            again, child.text())
    finally:
        shutdown_within(consumer)


EXIT_WITHOUT_SHUTDOWN = program('''
    import sys, time
    from rocketmq.client import ConsumeStatus, PushConsumer
    def say(line):  # one write per line: print() writes its pieces apart, and threads interleave them
        sys.stdout.write(line + '\\n')
    namesrv, topic, tag, group, count = sys.argv[1:6]
    seen = set()
    def on_message(msg):
        seen.add(msg.keys.decode())
        say('got ' + msg.keys.decode())
        return ConsumeStatus.CONSUME_SUCCESS
    consumer = PushConsumer(group)
    consumer.set_name_server_address(namesrv)
    consumer.subscribe(topic, on_message, tag)
    consumer.start()
    deadline = time.monotonic() + 60
    while len(seen) < int(count) and time.monotonic() < deadline:
        time.sleep(0.05)
    say('leaving with %d consumed' % len(seen))
''')


def test_exit_with_a_running_consumer_commits_its_offsets(ns, topic, producer):
    tag, group, shard = unique('exit'), unique('py_exit'), unique('shard')
    keys = ['exit-%d' % i for i in range(5)]
    for k in keys:  # one queue, so that a replay would come before the marker below
        producer.send_orderly_with_sharding_key(message(topic, tag, k), shard)
    child = Child.code(EXIT_WITHOUT_SHUTDOWN, ns[1], topic, tag, group, len(keys))
    try:
        left = child.wait_line(lambda line: line.startswith('leaving'), 60)
        left_at = time.monotonic()
        assert left == 'leaving with 5 consumed', child.text()
        rc = child.finish(EXIT_LIMIT + 10)
        assert rc == 0, 'exit status %s\n%s' % (rc, child.text())
        assert child.ended_at - left_at <= EXIT_LIMIT, child.text()
        assert not child.stderr().strip(), child.text()
    finally:
        child.kill()
    # the same group again: it starts after what the child consumed
    inbox = Inbox()

    def one_by_one(c):
        c.set_thread_count(1)
        c.set_message_batch_max_size(1)

    consumer = push_consumer(ns[1], topic, inbox, tag, group=group, setup=one_by_one)
    try:
        producer.send_orderly_with_sharding_key(message(topic, tag, 'marker'), shard)
        assert inbox.wait_keys(['marker']), inbox.keys()
        assert inbox.keys() == [b'marker'], 'consumed again after the restart: %r' % inbox.keys()
    finally:
        shutdown_within(consumer)


LOG_SETTINGS = program('''
    import os, sys
    from rocketmq.client import LogLevel, Message, Producer
    namesrv, topic, log_dir, level, group = sys.argv[1:6]
    producer = Producer(group)
    producer.set_name_server_address(namesrv)
    producer.set_log_path(log_dir)
    producer.set_log_level(LogLevel[level])
    producer.set_log_file_num_and_size(3, 1 << 20)
    producer.start()
    msg = Message(topic)
    msg.set_body('logged')
    producer.send_sync(msg)
    producer.shutdown()
''')


def test_log_path_and_level(ns, topic, tmp_path):
    logs = {}
    for level in ('INFO', 'ERROR'):
        log_dir = tmp_path / level
        log_dir.mkdir()
        group = unique('py_log')
        child = Child.code(LOG_SETTINGS, ns[1], topic, str(log_dir), level, group)
        assert child.finish(DEADLINE) == 0, child.text()
        logs[level] = dict((p.name, p.read_text()) for p in log_dir.iterdir())
        logs[level + '-group'] = group
    assert list(logs['INFO']) == ['rocketmq_client.log'], logs
    info = logs['INFO']['rocketmq_client.log']
    assert 'producer %s started' % logs['INFO-group'] in info, info
    # at ERROR, nothing of that run is INFO
    assert not [text for text in logs['ERROR'].values() if ' INFO ' in text], logs['ERROR']


HANDLES = program('''
    import gc, os, sys
    from rocketmq.client import Message, Producer, PullConsumer, PushConsumer
    def rss():
        with open('/proc/self/status') as f:
            return [int(l.split()[1]) for l in f if l.startswith('VmRSS:')][0]
    def messages(n):
        for i in range(n):
            msg = Message('rmq_pyb_handles')
            msg.set_body(b'\\0' * 4096)
            msg.set_keys('key-%d' % i)
            msg.set_property('prop', 'v' * 256)
    def clients(n):
        for i in range(n):
            Producer('py_handles_p%d' % i)
            PushConsumer('py_handles_c%d' % i)
            PullConsumer('py_handles_l%d' % i)
    messages(3000)
    clients(300)
    gc.collect()
    before = rss()
    messages(10000)
    clients(500)
    gc.collect()
    print('rss', before, rss())
''')


def test_handles_destroyed_with_their_objects():
    child = Child.code(HANDLES)
    rc = child.finish(120)
    assert rc == 0, 'exit status %s\n%s' % (rc, child.text())
    [line] = [line for line in child.out if line.startswith('rss ')]
    before, after = (int(x) for x in line.split()[1:])
    # 10k messages of 4.4 KiB left behind would be 43 MiB
    assert after - before < 4096, 'RSS grew from %d to %d KiB over 10k messages and 1.5k clients' % (before, after)


STARTED_CLIENTS = program('''
    import gc, os, sys
    from rocketmq.client import ConsumeStatus, Producer, PullConsumer, PushConsumer
    namesrv, topic = sys.argv[1:3]
    def threads():
        return len(os.listdir('/proc/self/task'))
    def cycle(i):
        p = Producer('py_cycle_p%d' % i)
        p.set_name_server_address(namesrv)
        p.start()
        p.shutdown()
        c = PushConsumer('py_cycle_c%d' % i)
        c.set_name_server_address(namesrv)
        c.subscribe(topic, lambda msg: ConsumeStatus.CONSUME_SUCCESS, 'none')
        c.start()
        c.shutdown()
        l = PullConsumer('py_cycle_l%d' % i)
        l.set_name_server_address(namesrv)
        l.start()
        l.get_message_queues(topic)
        l.shutdown()
    cycle(0)
    gc.collect()
    first = threads()
    for i in range(1, 11):
        cycle(i)
    gc.collect()
    print('threads', first, threads())
''')


def test_started_clients_leave_no_threads(ns, topic):
    child = Child.code(STARTED_CLIENTS, ns[1], topic)
    rc = child.finish(120)
    assert rc == 0, 'exit status %s\n%s' % (rc, child.text())
    [line] = [line for line in child.out if line.startswith('threads ')]
    first, last = (int(x) for x in line.split()[1:])
    assert last <= first, 'threads after 1 start/shutdown cycle: %d, after 11: %d' % (first, last)
