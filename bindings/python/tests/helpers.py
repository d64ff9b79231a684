# -*- coding: utf-8 -*-
"""What the tests of the installed ``rocketmq`` package (rocketmq-client-rs) share.

Addresses come from the environment (see conftest.py for the fixtures built on them):

  NAMESRV_ADDRS          plain pair, "v4=127.0.0.1:9876;v5=127.0.0.1:19876" (the default); a
                         label starting with v4 / v5 names the broker's major version
  RMQ_ACL_NAMESRV_ADDRS  ACL pair, same format; with RMQ_ACL_ACCESS_KEY / RMQ_ACL_SECRET_KEY
  RMQ_TLS_NAMESRV        TLS-only pair, one address or the same list format; with RMQ_TLS_CA
                         and RMQ_TLS_WRONG_CA (an unrelated CA)
  RMQ_BROKERS_SH         scripts/brokers.sh (topic creation)
  RMQ_PY_DEADLINE        seconds any single wait may take (default 30)

Nothing here sleeps and hopes: every wait polls a condition against a deadline.
"""
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_DIR = os.path.join(HERE, 'seed')
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
BROKERS_SH = os.environ.get('RMQ_BROKERS_SH', os.path.join(REPO, 'scripts', 'brokers.sh'))
RUN_ID = uuid.uuid4().hex[:8]
DEADLINE = float(os.environ.get('RMQ_PY_DEADLINE', '30'))
TOPIC_QUEUES = 8


# ------------------------------------------------------------------------------ addresses

def _namesrvs_module():
    """tests/python/namesrvs.py, the one parser of the name-server lists both Python suites read."""
    path = os.path.join(REPO, 'tests', 'python', 'namesrvs.py')
    spec = importlib.util.spec_from_file_location('rocketmq_tests_namesrvs', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# 'label=addr;label=addr' -> [(label, addr), ...]; a bare address gets the label nsN
parse_namesrvs = _namesrvs_module().parse


def env(name):
    return os.environ.get(name, '').strip()


PLAIN = parse_namesrvs(env('NAMESRV_ADDRS') or 'v4=127.0.0.1:9876;v5=127.0.0.1:19876')
ACL = parse_namesrvs(env('RMQ_ACL_NAMESRV_ADDRS'))
TLS = parse_namesrvs(env('RMQ_TLS_NAMESRV'))


def major_version(label):
    """4 or 5 from a label such as v4 / v5 / v5.5.0, else None."""
    m = re.match(r'v(\d+)', label)
    return int(m.group(1)) if m else None


def missing(*names):
    """The environment variables of ``names`` that are empty, for a skip reason."""
    return [n for n in names if not env(n)]


# ------------------------------------------------------------------------------ waiting

def wait_until(predicate, timeout=DEADLINE, interval=0.05):
    """Polls predicate() until it returns something true (returned) or the deadline passes
    (returns the last false value)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def unique(prefix):
    return '%s_%s_%s' % (prefix, RUN_ID, uuid.uuid4().hex[:6])


# ------------------------------------------------------------------------------ topics

class TopicJobs(object):
    """Topics created with ``scripts/brokers.sh topic NAME QUEUES WHERE`` in the background, all
    at once (each creation starts admin JVMs: seconds on a loaded machine)."""

    def __init__(self):
        self._jobs = {}  # key -> (name, Popen, log file)
        self._done = {}  # key -> name, or an error text

    def start(self, key, name, profile='', where='all'):
        if key in self._jobs:
            return
        log = tempfile.TemporaryFile()
        environ = dict(os.environ)
        environ.pop('RMQ_PROFILE', None)
        if profile:
            environ['RMQ_PROFILE'] = profile
        proc = subprocess.Popen([BROKERS_SH, 'topic', name, str(TOPIC_QUEUES), where], env=environ,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._jobs[key] = (name, proc, log)

    def get(self, key, timeout=300):
        """The topic's name once created; fails the caller's test if creation failed."""
        if key not in self._done:
            name, proc, log = self._jobs[key]
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.seek(0)
            out = log.read().decode('utf-8', 'replace')
            log.close()
            self._done[key] = name if proc.returncode == 0 else RuntimeError(
                'scripts/brokers.sh topic %s failed (exit %s):\n%s' % (name, proc.returncode, out[-3000:]))
        result = self._done[key]
        if isinstance(result, Exception):
            raise result
        return result

    def close(self):
        for name, proc, log in self._jobs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def where_of(namesrvs):
    """brokers.sh's WHERE for a list of (label, address): the one address, or all."""
    return namesrvs[0][1] if len(namesrvs) == 1 else 'all'


# ------------------------------------------------------------------------------ push consumers

def snapshot(msg):
    """The fields of a ReceivedMessage, read inside the callback (its handle dies with the call)."""
    return {
        'id': msg.id, 'topic': msg.topic, 'tags': msg.tags, 'keys': msg.keys, 'body': msg.body,
        'queue_id': msg.queue_id, 'queue_offset': msg.queue_offset, 'reconsume_times': msg.reconsume_times,
        'store_timestamp': msg.store_timestamp, 'born_timestamp': msg.born_timestamp,
        'deliver_time': msg.get_property('__STARTDELIVERTIME'),
        'received_ms': time.time() * 1000.0, 'received': time.monotonic(),
    }


class Inbox(object):
    """A PushConsumer callback that records every delivery. ``decide(snapshot, deliveries of
    this key so far)`` picks the return value (default CONSUME_SUCCESS) or raises."""

    def __init__(self, decide=None):
        self.cond = threading.Condition()
        self.got = []
        self.decide = decide

    def __call__(self, msg):
        from rocketmq.client import ConsumeStatus
        snap = snapshot(msg)
        with self.cond:
            earlier = len([s for s in self.got if s['keys'] == snap['keys']])
            self.got.append(snap)
            self.cond.notify_all()
        if self.decide is None:
            return ConsumeStatus.CONSUME_SUCCESS
        return self.decide(snap, earlier)

    def wait(self, predicate, timeout=DEADLINE):
        """Waits until predicate(list of snapshots) is true; returns that value."""
        with self.cond:
            return self.cond.wait_for(lambda: predicate(list(self.got)), timeout)

    def wait_keys(self, keys, timeout=DEADLINE):
        """Waits until every key in ``keys`` was delivered at least once."""
        want = set(_b(k) for k in keys)
        return self.wait(lambda got: want <= set(s['keys'] for s in got), timeout)

    def wait_ids(self, ids, timeout=DEADLINE):
        want = set(ids)
        return self.wait(lambda got: want <= set(s['id'] for s in got), timeout)

    def of_key(self, key):
        with self.cond:
            return [s for s in self.got if s['keys'] == _b(key)]

    def of_id(self, msg_id):
        with self.cond:
            return [s for s in self.got if s['id'] == msg_id]

    def keys(self):
        with self.cond:
            return [s['keys'] for s in self.got]


def _b(text):
    return text.encode('utf-8') if isinstance(text, str) else text


def push_consumer(namesrv, topic, callback, expression='*', group=None, orderly=False, setup=None):
    """A started PushConsumer of a fresh group (``setup(consumer)`` runs before start())."""
    from rocketmq.client import PushConsumer
    consumer = PushConsumer(group or unique('py_c'), orderly=orderly)
    consumer.set_name_server_address(namesrv)
    if setup is not None:
        setup(consumer)
    consumer.subscribe(topic, callback, expression)
    consumer.start()
    return consumer


def shutdown_within(client, limit=20.0):
    """client.shutdown() on a helper thread; fails if it does not return within ``limit`` s."""
    box = {}

    def run():
        try:
            client.shutdown()
        except BaseException as e:  # reported below
            box['error'] = e

    t = threading.Thread(target=run, name='shutdown-helper', daemon=True)
    t.start()
    t.join(limit)
    assert not t.is_alive(), '%r.shutdown() did not return within %.0f s' % (client, limit)
    assert 'error' not in box, '%r.shutdown() raised %r' % (client, box['error'])


def message(topic, tag, key, body=None):
    from rocketmq.client import Message
    msg = Message(topic)
    msg.set_tags(tag)
    msg.set_keys(key)
    msg.set_body(key if body is None else body)
    return msg


def warm_up(producer, inbox, topic, tag, timeout=DEADLINE):
    """Sends messages of ``tag`` until the consumer behind ``inbox`` gets one: from then on it
    holds its queues and takes new messages as they come."""
    deadline = time.monotonic() + timeout
    sent = []
    while time.monotonic() < deadline:
        key = unique('warm')
        producer.send_sync(message(topic, tag, key))
        sent.append(key)
        if inbox.wait(lambda got: set(sent) & set(s['keys'].decode() for s in got), 1.0):
            return
    raise AssertionError('the consumer got none of %d warm-up messages within %.0f s' % (len(sent), timeout))


# ------------------------------------------------------------------------------ pull read-back

def pull_all(consumer, topic, expression='*', predicate=None):
    """Every message of every queue of ``topic`` from offset 0, pulled with the package's
    PullConsumer (started by the caller); returns (MessageQueue, ReceivedMessage) pairs."""
    from rocketmq.client import PullStatus
    out = []
    for queue in consumer.get_message_queues(topic):
        offset = 0
        for _ in range(10000):
            result = consumer.pull(queue, expression, offset, 32)
            if result.status == PullStatus.BROKER_TIMEOUT:
                continue
            for m in result.messages:
                if predicate is None or predicate(m):
                    out.append((queue, m))
            if result.status != PullStatus.FOUND or result.next_begin_offset >= result.max_offset:
                break
            assert result.next_begin_offset > offset, 'pull does not advance: %r' % (result,)
            offset = result.next_begin_offset
    return out


# ------------------------------------------------------------------------------ child processes

def child_env(**extra):
    environ = dict(os.environ)
    environ.update(PYTHONUNBUFFERED='1', PYTHONDONTWRITEBYTECODE='1', PYTHONFAULTHANDLER='1')
    for k, v in extra.items():
        if v is None:
            environ.pop(k, None)
        else:
            environ[k] = str(v)
    return environ


class Child(object):
    """A Python child process (this interpreter, so the same venv and package) whose stdout and
    stderr are read line by line as they come."""

    def __init__(self, args, environ=None, cwd=None):
        self.args = args
        self.proc = subprocess.Popen([sys.executable] + list(args), env=environ or child_env(), cwd=cwd,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.cond = threading.Condition()
        self.out = []
        self.err = []
        self.ended_at = None
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True),
                         threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True)]
        for r in self._readers:
            r.start()

    @classmethod
    def code(cls, source, *args, **kw):
        """A child running ``source`` (python -c)."""
        return cls(['-c', source] + [str(a) for a in args], **kw)

    def _read(self, stream, lines):
        for raw in iter(stream.readline, b''):
            with self.cond:
                lines.append(raw.decode('utf-8', 'replace').rstrip('\n'))
                self.cond.notify_all()
        stream.close()
        self.proc.wait()  # the stream ends when the child does: wake the waiters for its status
        with self.cond:
            self.cond.notify_all()

    def wait(self, predicate, timeout=DEADLINE):
        """Waits until predicate() is true (it runs under the output lock) or the child ended;
        returns predicate()'s last value."""
        with self.cond:
            self.cond.wait_for(lambda: predicate() or self.proc.poll() is not None, timeout)
            return predicate()

    def wait_line(self, predicate, timeout=DEADLINE):
        """The first stdout line with predicate(line) true, or None at the deadline or once the
        child has ended without printing it."""
        def found():
            for line in self.out:
                if predicate(line):
                    return line
            return None

        with self.cond:
            self.cond.wait_for(lambda: found() is not None or self.proc.poll() is not None, timeout)
            return found()

    def finish(self, timeout=DEADLINE):
        """Waits for the exit (killing the child after ``timeout``); returns its exit status
        (negative: the signal that ended it), None if it had to be killed."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None
        finally:
            self.ended_at = time.monotonic()
            for r in self._readers:
                r.join(5)
        return rc

    def interrupt(self):
        self.proc.send_signal(signal.SIGINT)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def text(self):
        """Both outputs, for assertion messages; a child still running is taken apart first:
        its native stacks (gdb, when there is one) and its Python stacks (faulthandler, which
        the child has on: SIGABRT makes it print them, and ends the child)."""
        native = ''
        state = 'exit status %s' % self.proc.poll()
        if self.proc.poll() is None:
            state = 'still running: stopped with SIGABRT for its stacks'
            native = self._native_stacks()
            self.proc.send_signal(signal.SIGABRT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
            for r in self._readers:
                r.join(2)
        with self.cond:
            return 'command: %s\n--- %s\n--- stdout\n%s\n--- stderr\n%s%s' % (
                ' '.join(self.args)[:300], state, '\n'.join(self.out[-60:]), '\n'.join(self.err[-80:]), native)

    def _native_stacks(self):
        gdb = shutil.which('gdb')
        if not gdb:
            return ''
        try:
            out = subprocess.run([gdb, '-p', str(self.proc.pid), '-batch', '-ex', 'thread apply all bt 15'],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired) as e:
            return '\n--- gdb failed: %r' % (e,)
        lines = [line for line in out.decode('utf-8', 'replace').splitlines() if line.startswith(('Thread ', '#'))]
        return '\n--- native stacks (still running)\n' + '\n'.join(lines[:200])

    def stderr(self):
        with self.cond:
            return '\n'.join(self.err)


def crashed(rc):
    """An exit status that means a crash (core dump signals), not an interrupt or an error."""
    return rc is not None and rc < 0 and -rc in (signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS, signal.SIGILL,
                                                 signal.SIGFPE)


class SilentServer(object):
    """A TCP server on 127.0.0.1 that accepts connections and never answers (a hung name server)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.address = '127.0.0.1:%d' % self.sock.getsockname()[1]
        self.accepted = threading.Event()
        self._conns = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            self.accepted.set()

    def close(self):
        for c in self._conns:
            c.close()
        self.sock.close()
