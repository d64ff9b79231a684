# -*- coding: utf-8 -*-
"""Read messages back with the pull consumer of librocketmq's C API (ctypes).

rocketmq-client-python 2.0.0 has no pull consumer, so this helper calls the C functions
directly, in the very library the package loaded (rocketmq.ffi._DYLIB_PATH). It uses its own
ctypes.CDLL handle: the declarations below never touch the package's function objects.

    reader = Reader(namesrv, topic)     # BEFORE sending: remembers where every queue ends
    ... send messages whose keys contain a tag unique to this run ...
    msgs = reader.wait(tag, n)          # pulls what arrived since, prints the messages whose
                                        # keys contain tag, until n were seen (else raises)
    reader.close()

Also: example_args() (name server and topic from argv / $NAMESRV_ADDR) and run_tag().
"""
import ctypes
import os
import sys
import time
from ctypes import POINTER, Structure, byref, c_char, c_char_p, c_int, c_longlong, c_void_p

import rocketmq.ffi


def example_args():
    """(name server, topic): argv[1] or $NAMESRV_ADDR or 127.0.0.1:9876; argv[2] or rmq_demo."""
    namesrv = sys.argv[1] if len(sys.argv) > 1 else (os.environ.get('NAMESRV_ADDR') or '127.0.0.1:9876')
    topic = sys.argv[2] if len(sys.argv) > 2 else 'rmq_demo'
    return namesrv, topic


def run_tag(example):
    """A tag unique to this run, e.g. 'py-sync-1234-1700000000', to put into the keys."""
    return 'py-%s-%d-%d' % (example, os.getpid(), int(time.time()))


# --- the C declarations (CMessageQueue.h, CPullResult.h, CPullConsumer.h, CMessageExt.h)

class CMessageQueue(Structure):
    _fields_ = [('topic', c_char * 512), ('brokerName', c_char * 256), ('queueId', c_int)]


class CPullResult(Structure):
    _fields_ = [('pullStatus', c_int), ('nextBeginOffset', c_longlong), ('minOffset', c_longlong),
                ('maxOffset', c_longlong), ('msgFoundList', POINTER(c_void_p)), ('size', c_int),
                ('pData', c_void_p)]


E_FOUND, E_NO_NEW_MSG, E_NO_MATCHED_MSG, E_OFFSET_ILLEGAL, E_BROKER_TIMEOUT = range(5)

lib = ctypes.CDLL(rocketmq.ffi._DYLIB_PATH)
lib.GetLatestErrorMessage.restype = c_char_p
lib.CreatePullConsumer.argtypes = [c_char_p]
lib.CreatePullConsumer.restype = c_void_p
for _name in ('StartPullConsumer', 'ShutdownPullConsumer', 'DestroyPullConsumer'):
    getattr(lib, _name).argtypes = [c_void_p]
lib.SetPullConsumerNameServerAddress.argtypes = [c_void_p, c_char_p]
lib.FetchSubscriptionMessageQueues.argtypes = [c_void_p, c_char_p, POINTER(POINTER(CMessageQueue)), POINTER(c_int)]
lib.ReleaseSubscriptionMessageQueue.argtypes = [POINTER(CMessageQueue)]
lib.Pull.argtypes = [c_void_p, POINTER(CMessageQueue), c_char_p, c_longlong, c_int]
lib.Pull.restype = CPullResult      # a struct returned by value
lib.ReleasePullResult.argtypes = [CPullResult]
for _name in ('GetMessageTopic', 'GetMessageTags', 'GetMessageKeys', 'GetMessageBody', 'GetMessageId'):
    getattr(lib, _name).argtypes = [c_void_p]
    getattr(lib, _name).restype = c_char_p
lib.GetMessageProperty.argtypes = [c_void_p, c_char_p]
lib.GetMessageProperty.restype = c_char_p
lib.GetMessageQueueId.argtypes = [c_void_p]
lib.GetMessageQueueOffset.argtypes = [c_void_p]
lib.GetMessageQueueOffset.restype = c_longlong


def check(rc, what):
    if rc != 0:
        raise RuntimeError('%s failed (%d): %s' % (what, rc, _text(lib.GetLatestErrorMessage())))


def _text(b):
    return b.decode('utf-8', 'replace') if b is not None else None


class Reader(object):
    def __init__(self, namesrv, topic, show_property=None):
        self.show_property = show_property  # a user property to print as well
        self._h = lib.CreatePullConsumer(b'py_example_reader')
        if not self._h:
            check(-1, 'CreatePullConsumer')
        check(lib.SetPullConsumerNameServerAddress(self._h, namesrv.encode()), 'SetPullConsumerNameServerAddress')
        check(lib.StartPullConsumer(self._h), 'StartPullConsumer')
        mqs, size = POINTER(CMessageQueue)(), c_int()
        check(lib.FetchSubscriptionMessageQueues(self._h, topic.encode(), byref(mqs), byref(size)),
              'FetchSubscriptionMessageQueues')
        # copy the structs out of the C array before it is freed
        self.queues = [CMessageQueue.from_buffer_copy(mqs[i]) for i in range(size.value)]
        lib.ReleaseSubscriptionMessageQueue(mqs)
        # Where does each queue end now? Every pull answer carries the queue's maxOffset.
        self.next = [self._pull(mq, 0, 1, lambda r: r.maxOffset) for mq in self.queues]

    def _pull(self, mq, offset, max_nums, use):
        """One pull; use(result) runs before the result (and its messages) is released."""
        r = lib.Pull(self._h, byref(mq), b'*', offset, max_nums)
        try:
            if r.pullStatus == E_BROKER_TIMEOUT:  # how the C API reports any pull failure
                check(-1, 'Pull')
            return use(r)
        finally:
            lib.ReleasePullResult(r)

    def _message(self, h):
        m = {'topic': _text(lib.GetMessageTopic(h)), 'tags': _text(lib.GetMessageTags(h)),
             'keys': _text(lib.GetMessageKeys(h)), 'body': _text(lib.GetMessageBody(h)),
             'queue_id': lib.GetMessageQueueId(h), 'offset': lib.GetMessageQueueOffset(h),
             'msg_id': _text(lib.GetMessageId(h))}
        if self.show_property:
            m[self.show_property] = _text(lib.GetMessageProperty(h, self.show_property.encode()))
        return m

    def poll(self, tag):
        """Pulls everything new in every queue once; returns the messages whose keys contain tag."""
        found = []

        def take(r):
            for i in range(r.size if r.pullStatus == E_FOUND else 0):
                m = self._message(r.msgFoundList[i])
                if m['keys'] and tag in m['keys']:
                    found.append(m)
            more = r.pullStatus == E_FOUND and r.nextBeginOffset < r.maxOffset
            return more, (r.nextBeginOffset if r.pullStatus != E_NO_NEW_MSG else None)

        for q, mq in enumerate(self.queues):
            more = True
            while more:
                more, nxt = self._pull(mq, self.next[q], 32, take)
                if nxt is not None:
                    self.next[q] = nxt
        return found

    def wait(self, tag, expected, timeout=15):
        """Polls until `expected` messages tagged `tag` were read back; prints and returns them."""
        deadline = time.time() + timeout
        seen = []
        while True:
            for m in self.poll(tag):
                print('read back  ' + ' '.join('%s=%s' % (k, m[k]) for k in
                      ['topic', 'tags', 'keys', 'body', 'queue_id', 'offset', 'msg_id'] +
                      ([self.show_property] if self.show_property else [])))
                seen.append(m)
            if len(seen) >= expected:
                return seen
            if time.time() >= deadline:
                raise RuntimeError('read back %d of %d messages tagged %s within %d s' %
                                   (len(seen), expected, tag, timeout))
            time.sleep(0.2)

    def close(self):
        lib.ShutdownPullConsumer(self._h)
        lib.DestroyPullConsumer(self._h)
