# -*- coding: utf-8 -*-
"""A PushConsumer that records what it receives, for the examples that show WHETHER and WHEN
messages arrive (transaction, scheduled, cancel, ACL, TLS).

    c = Collector(namesrv, topic, tag)   # created and subscribed, NOT started: set credentials
    c.consumer.set_session_credentials(...)   # ... here if needed, then
    c.start()                            # a new group starts at the queue ends: start BEFORE sending
    ... send messages whose keys contain tag ...
    c.wait(n, timeout=30)                # True once n messages tagged `tag` arrived
    c.find('tag-1'), c.count('tag-1')    # first arrival with exactly these keys / how often
    c.close()

Only messages whose keys contain the tag are recorded (and printed, with the time they arrived);
every other message (other runs' leftovers) is acknowledged untouched.
"""
import sys
import threading
import time

from rocketmq.client import ConsumeStatus, PushConsumer


_print_lock = threading.Lock()


def say(text=''):
    """print() for several threads: the whole line in one write, never mixed with another."""
    with _print_lock:
        sys.stdout.write(text + '\n')
        sys.stdout.flush()


def clock(t):
    """'12:34:56.789' for a time.time() value."""
    return time.strftime('%H:%M:%S', time.localtime(t)) + '.%03d' % (int(t * 1000) % 1000)


class Collector(object):
    def __init__(self, namesrv, topic, tag):
        self.tag = tag
        self.arrivals = []  # dicts: keys, tags, body, msg_id, at (time.time())
        self._cond = threading.Condition()
        self.consumer = PushConsumer('example_py_consumer_' + tag)
        self.consumer.set_name_server_address(namesrv)
        self.consumer.subscribe(topic, self._on_message)

    def _on_message(self, msg):  # runs on a consume thread of the library
        keys = (msg.keys or b'').decode('utf-8')  # keys, tags, body: bytes; topic, id: str
        if self.tag not in keys:
            return ConsumeStatus.CONSUME_SUCCESS
        a = {'keys': keys, 'tags': (msg.tags or b'').decode('utf-8'), 'body': msg.body.decode('utf-8'),
             'msg_id': msg.id, 'at': time.time()}
        say('consumed   at %s keys=%s tags=%s body=%r msg_id=%s' % (clock(a['at']), keys, a['tags'], a['body'],
                                                                     a['msg_id']))
        with self._cond:
            self.arrivals.append(a)
            self._cond.notify_all()
        return ConsumeStatus.CONSUME_SUCCESS

    def start(self):
        self.consumer.start()

    def wait(self, n, timeout=30):
        """True once at least n messages of this run arrived, False after timeout seconds."""
        deadline = time.time() + timeout
        with self._cond:
            while len(self.arrivals) < n:
                left = deadline - time.time()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.2))
            return True

    def count(self, keys):
        with self._cond:
            return sum(1 for a in self.arrivals if a['keys'] == keys)

    def find(self, keys):
        with self._cond:
            return next((a for a in self.arrivals if a['keys'] == keys), None)

    def close(self):
        self.consumer.shutdown()  # waits for callbacks in flight, commits offsets
