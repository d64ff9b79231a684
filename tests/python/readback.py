# -*- coding: utf-8 -*-
"""Read messages back from the broker through OUR library's C pull-consumer API (ctypes).

rocketmq-client-python 2.0.0 has only a push consumer, which cannot re-read a topic from offset 0
(the binding target has a pull consumer, but the suite reads back the same way on both targets).
The C API of librocketmq (cpp 2.2.0) has a pull consumer; we call it directly on the very same
shared object the package loaded (``rocketmq.ffi.dll``), through a second ``ctypes.CDLL`` handle
so that our argtypes/restype declarations never touch the package's own function objects.

Public helpers:

* ``PullReader(namesrv)`` - a started pull consumer (unique group); ``read_all(topic)`` pulls every
  queue of ``topic`` from offset 0, ``read_new(topic)`` continues where the previous call stopped.
  Use it as a context manager (``with PullReader(ns) as r:``) or call ``close()``.
* ``read_all(namesrv, topic)`` - one-shot convenience wrapper.
* ``find_by_msg_id(msgs, msg_id)``, ``find_by_key(msgs, key)`` - look a message up in the result.
* ``std_hash(key)`` / ``expected_queue_index(key, n)`` - libstdc++ ``std::hash<std::string>``
  (``_Hash_bytes``, seed 0xc70f6907), the queue choice of ``SendMessageOrderlyByShardingKey``.

Each message is a dict::

    {"topic": str, "tags": str, "keys": str, "body": bytes, "msg_id": str, "queue_id": int,
     "broker_name": str, "delay_level": int, "reconsume_times": int, "queue_offset": int,
     "commit_log_offset": int, "born_timestamp": int, "store_timestamp": int, "store_size": int,
     "properties": {name: str}}   # only the names in DEFAULT_PROPERTIES + those asked for

(The C API cannot enumerate properties, so the names to capture must be known in advance; they are
captured before ReleasePullResult frees the messages.)
"""
import ctypes
import time
import uuid
from ctypes import (POINTER, Structure, c_char, c_char_p, c_int, c_longlong, c_void_p)

# ---------------------------------------------------------------------------------------------
# libstdc++ std::hash<std::string> (64-bit std::_Hash_bytes, seed 0xc70f6907)

_MASK = (1 << 64) - 1
_MUL = 0xc6a4a7935bd1e995
STD_HASH_SEED = 0xc70f6907


def _shift_mix(v):
    return v ^ (v >> 47)


def std_hash(key, seed=STD_HASH_SEED):
    """std::hash<std::string>{}(key) of g++/libstdc++ on x86-64 (key: str as UTF-8, or bytes)."""
    data = key.encode('utf-8') if isinstance(key, str) else bytes(key)
    n = len(data)
    h = (seed ^ (n * _MUL)) & _MASK
    aligned = n & ~7
    for i in range(0, aligned, 8):
        w = int.from_bytes(data[i:i + 8], 'little')
        h ^= (_shift_mix((w * _MUL) & _MASK) * _MUL) & _MASK
        h = (h * _MUL) & _MASK
    if n & 7:
        h ^= int.from_bytes(data[aligned:], 'little')
        h = (h * _MUL) & _MASK
    h = (_shift_mix(h) * _MUL) & _MASK
    return _shift_mix(h)


def expected_queue_index(sharding_key, queue_count):
    """Index into the topic's write-queue list that cpp 2.2.0 picks for a sharding key."""
    return std_hash(sharding_key) % queue_count


# ---------------------------------------------------------------------------------------------
# C structures (x86-64 LP64, see c-api.md section 2.3)

MAX_TOPIC_LENGTH = 512
MAX_BROKER_NAME_ID_LENGTH = 256

E_FOUND, E_NO_NEW_MSG, E_NO_MATCHED_MSG, E_OFFSET_ILLEGAL, E_BROKER_TIMEOUT = range(5)
PULL_STATUS_NAMES = {0: 'FOUND', 1: 'NO_NEW_MSG', 2: 'NO_MATCHED_MSG', 3: 'OFFSET_ILLEGAL',
                     4: 'BROKER_TIMEOUT'}


class CMessageQueue(Structure):
    _fields_ = [
        ('topic', c_char * MAX_TOPIC_LENGTH),
        ('brokerName', c_char * MAX_BROKER_NAME_ID_LENGTH),
        ('queueId', c_int),
    ]


class CPullResult(Structure):
    _fields_ = [
        ('pullStatus', c_int),
        ('nextBeginOffset', c_longlong),
        ('minOffset', c_longlong),
        ('maxOffset', c_longlong),
        ('msgFoundList', POINTER(c_void_p)),
        ('size', c_int),
        ('pData', c_void_p),
    ]


assert ctypes.sizeof(CMessageQueue) == 772, ctypes.sizeof(CMessageQueue)
assert ctypes.sizeof(CPullResult) == 56, ctypes.sizeof(CPullResult)

# Properties captured for every pulled message (system ones the tests look at).
# (Not MIN_OFFSET/MAX_OFFSET: the client stamps those per pull, so they change between reads.)
DEFAULT_PROPERTIES = ('UNIQ_KEY', 'KEYS', 'TAGS', 'DELAY', 'REAL_TOPIC', 'REAL_QID', '__SHARDINGKEY',
                      'WAIT')


class ReadbackError(RuntimeError):
    pass


def _dll_path():
    import rocketmq.ffi  # the package picks the library (bundled copy, or find_library)
    return rocketmq.ffi._DYLIB_PATH


_LIB = None


def lib():
    """Our own CDLL handle on the library the rocketmq package loaded (same dlopen handle)."""
    global _LIB
    if _LIB is not None:
        return _LIB
    d = ctypes.CDLL(_dll_path())
    d.GetLatestErrorMessage.argtypes = []
    d.GetLatestErrorMessage.restype = c_char_p
    d.CreatePullConsumer.argtypes = [c_char_p]
    d.CreatePullConsumer.restype = c_void_p
    d.DestroyPullConsumer.argtypes = [c_void_p]
    d.DestroyPullConsumer.restype = c_int
    d.StartPullConsumer.argtypes = [c_void_p]
    d.StartPullConsumer.restype = c_int
    d.ShutdownPullConsumer.argtypes = [c_void_p]
    d.ShutdownPullConsumer.restype = c_int
    d.SetPullConsumerNameServerAddress.argtypes = [c_void_p, c_char_p]
    d.SetPullConsumerNameServerAddress.restype = c_int
    d.FetchSubscriptionMessageQueues.argtypes = [c_void_p, c_char_p, POINTER(POINTER(CMessageQueue)),
                                                 POINTER(c_int)]
    d.FetchSubscriptionMessageQueues.restype = c_int
    d.ReleaseSubscriptionMessageQueue.argtypes = [POINTER(CMessageQueue)]
    d.ReleaseSubscriptionMessageQueue.restype = c_int
    d.Pull.argtypes = [c_void_p, POINTER(CMessageQueue), c_char_p, c_longlong, c_int]
    d.Pull.restype = CPullResult  # returned by value (hidden sret pointer; libffi handles it)
    d.ReleasePullResult.argtypes = [CPullResult]  # passed by value
    d.ReleasePullResult.restype = c_int
    for name in ('GetMessageTopic', 'GetMessageTags', 'GetMessageKeys', 'GetMessageId'):
        getattr(d, name).argtypes = [c_void_p]
        getattr(d, name).restype = c_char_p
    d.GetMessageBody.argtypes = [c_void_p]
    d.GetMessageBody.restype = c_void_p  # read with the length, a body may contain NUL bytes
    d.GetMessageProperty.argtypes = [c_void_p, c_char_p]
    d.GetMessageProperty.restype = c_char_p
    for name in ('GetMessageDelayTimeLevel', 'GetMessageQueueId', 'GetMessageReconsumeTimes',
                 'GetMessageStoreSize'):
        getattr(d, name).argtypes = [c_void_p]
        getattr(d, name).restype = c_int
    for name in ('GetMessageBornTimestamp', 'GetMessageStoreTimestamp', 'GetMessageQueueOffset',
                 'GetMessageCommitLogOffset'):
        getattr(d, name).argtypes = [c_void_p]
        getattr(d, name).restype = c_longlong
    # GetMessageBodyLength is not in the 2.2.0 C API (it came later on cpp master); use it when the
    # library exports it, else fall back to strlen.
    try:
        d.GetMessageBodyLength.argtypes = [c_void_p]
        d.GetMessageBodyLength.restype = c_int
        d.has_body_length = True
    except AttributeError:
        d.has_body_length = False
    _LIB = d
    return d


def _last_error():
    try:
        e = lib().GetLatestErrorMessage()
        return e.decode('utf-8', 'replace') if e else ''
    except Exception:  # pragma: no cover - diagnostics only
        return ''


def _s(b):
    return b.decode('utf-8', 'replace') if b is not None else None


def _message_to_dict(d, h, broker_name, props):
    body_ptr = d.GetMessageBody(h)
    if not body_ptr:
        body = None
    elif d.has_body_length:
        body = ctypes.string_at(body_ptr, d.GetMessageBodyLength(h))
    else:
        body = ctypes.string_at(body_ptr)
    properties = {}
    for name in props:
        v = d.GetMessageProperty(h, name.encode('utf-8'))
        if v:  # missing property reads as "" (cpp) or NULL
            properties[name] = _s(v)
    return {
        'topic': _s(d.GetMessageTopic(h)),
        'tags': _s(d.GetMessageTags(h)),
        'keys': _s(d.GetMessageKeys(h)),
        'body': body,
        'msg_id': _s(d.GetMessageId(h)),
        'queue_id': d.GetMessageQueueId(h),
        'broker_name': broker_name,
        'delay_level': d.GetMessageDelayTimeLevel(h),
        'reconsume_times': d.GetMessageReconsumeTimes(h),
        'store_size': d.GetMessageStoreSize(h),
        'born_timestamp': d.GetMessageBornTimestamp(h),
        'store_timestamp': d.GetMessageStoreTimestamp(h),
        'queue_offset': d.GetMessageQueueOffset(h),
        'commit_log_offset': d.GetMessageCommitLogOffset(h),
        'properties': properties,
    }


class PullReader(object):
    """A started C pull consumer with its own group; reads whole queues from offset 0."""

    def __init__(self, namesrv, group=None, batch=32, timeout_retries=3):
        self._d = lib()
        self._batch = batch
        self._timeout_retries = timeout_retries
        self._cursors = {}  # (topic, broker, queueId) -> next offset, for read_new()
        self.group = group or 'py_readback_' + uuid.uuid4().hex[:12]
        self._h = self._d.CreatePullConsumer(self.group.encode())
        if not self._h:
            raise ReadbackError('CreatePullConsumer returned NULL')
        rc = self._d.SetPullConsumerNameServerAddress(self._h, namesrv.encode())
        if rc != 0:
            raise ReadbackError('SetPullConsumerNameServerAddress -> %d %s' % (rc, _last_error()))
        rc = self._d.StartPullConsumer(self._h)
        if rc != 0:
            self._d.DestroyPullConsumer(self._h)
            self._h = None
            raise ReadbackError('StartPullConsumer -> %d %s' % (rc, _last_error()))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._h:
            self._d.ShutdownPullConsumer(self._h)
            self._d.DestroyPullConsumer(self._h)
            self._h = None

    def queues(self, topic):
        """[(brokerName, queueId)] of the topic's readable queues, sorted like cpp's route order."""
        mqs = POINTER(CMessageQueue)()
        size = c_int(0)
        rc = self._d.FetchSubscriptionMessageQueues(self._h, topic.encode('utf-8'), ctypes.byref(mqs),
                                                    ctypes.byref(size))
        if rc != 0:
            raise ReadbackError('FetchSubscriptionMessageQueues(%s) -> %d %s' % (topic, rc, _last_error()))
        try:
            out = [(_s(mqs[i].brokerName), mqs[i].queueId) for i in range(size.value)]
        finally:
            if mqs:
                self._d.ReleaseSubscriptionMessageQueue(mqs)
        return sorted(out)

    def _pull_queue(self, topic, broker, qid, offset, props):
        """Pull one queue from offset to its end. Returns (messages, next_offset)."""
        d = self._d
        mq = CMessageQueue()
        mq.topic = topic.encode('utf-8')
        mq.brokerName = broker.encode('utf-8')
        mq.queueId = qid
        msgs = []
        timeouts = 0
        for _ in range(100000):  # hard bound; each round either advances or stops
            r = d.Pull(self._h, ctypes.byref(mq), b'*', offset, self._batch)
            status = r.pullStatus
            try:
                if status == E_FOUND:
                    timeouts = 0
                    for i in range(r.size):
                        msgs.append(_message_to_dict(d, r.msgFoundList[i], broker, props))
                    nxt = r.nextBeginOffset
                    done = nxt >= r.maxOffset
                elif status in (E_NO_MATCHED_MSG, E_OFFSET_ILLEGAL):
                    nxt = r.nextBeginOffset
                    done = nxt >= r.maxOffset
                elif status == E_NO_NEW_MSG:
                    nxt, done = offset, True
                elif status == E_BROKER_TIMEOUT:
                    timeouts += 1
                    if timeouts > self._timeout_retries:
                        raise ReadbackError('Pull %s/%s/%d offset %d: BROKER_TIMEOUT %d times %s' % (
                            topic, broker, qid, offset, timeouts, _last_error()))
                    time.sleep(0.2 * timeouts)
                    continue
                else:
                    raise ReadbackError('Pull %s/%s/%d offset %d: unknown status %d' % (
                        topic, broker, qid, offset, status))
            finally:
                d.ReleasePullResult(r)
            if nxt <= offset and not done:
                raise ReadbackError('Pull %s/%s/%d: offset does not advance (%s at %d, next %d)' % (
                    topic, broker, qid, PULL_STATUS_NAMES.get(status), offset, nxt))
            offset = max(offset, nxt)
            if done:
                return msgs, offset
        raise ReadbackError('Pull %s/%s/%d: too many rounds' % (topic, broker, qid))

    def read_all(self, topic, props=()):
        """Every message of every queue of topic, from offset 0 (list of dicts)."""
        wanted = tuple(DEFAULT_PROPERTIES) + tuple(p for p in props if p not in DEFAULT_PROPERTIES)
        out = []
        for broker, qid in self.queues(topic):
            msgs, nxt = self._pull_queue(topic, broker, qid, 0, wanted)
            self._cursors[(topic, broker, qid)] = nxt
            out.extend(msgs)
        return out

    def read_new(self, topic, props=()):
        """Messages that arrived since the previous read_all/read_new of this reader (from 0 at first)."""
        wanted = tuple(DEFAULT_PROPERTIES) + tuple(p for p in props if p not in DEFAULT_PROPERTIES)
        out = []
        for broker, qid in self.queues(topic):
            start = self._cursors.get((topic, broker, qid), 0)
            msgs, nxt = self._pull_queue(topic, broker, qid, start, wanted)
            self._cursors[(topic, broker, qid)] = nxt
            out.extend(msgs)
        return out

    def wait_for(self, topic, predicate, timeout, interval=0.5, props=()):
        """Poll read_new() until predicate(msg) holds for some message; returns it, or None at the
        deadline. Messages seen while polling are kept in self.seen."""
        deadline = time.monotonic() + timeout
        self.seen = getattr(self, 'seen', [])
        while True:
            for m in self.read_new(topic, props):
                self.seen.append(m)
            for m in self.seen:
                if predicate(m):
                    return m
            if time.monotonic() >= deadline:
                return None
            time.sleep(interval)


def read_all(namesrv, topic, props=()):
    """Pull every message of every queue of topic from offset 0; returns a list of dicts."""
    with PullReader(namesrv) as r:
        return r.read_all(topic, props)


def find_by_msg_id(msgs, msg_id):
    """The pulled message whose GetMessageId equals msg_id (the id send_sync returned = UNIQ_KEY)."""
    hits = [m for m in msgs if m['msg_id'] == msg_id]
    if len(hits) > 1:
        raise ReadbackError('message id %s found %d times' % (msg_id, len(hits)))
    return hits[0] if hits else None


def find_by_key(msgs, key):
    """Messages whose KEYS (space-separated list) contain key."""
    return [m for m in msgs if m['keys'] and key in m['keys'].split(' ')]
