# -*- coding: utf-8 -*-
"""Producers, consumers and messages.

The API of rocketmq-client-python 2.0.0 (same classes, methods, arguments, defaults, return values
and exceptions), and what it lacked: binary bodies, asynchronous and batch sends, delivery at a
chosen time and its cancellation, a pull consumer, consume rate and cache limits, TLS, message
trace and log settings, ``with Producer(...) as p``. Every behaviour lives in the native library;
this module only converts arguments and keeps Python callbacks alive while the library can call
them.

Lifetimes: a started client is held by this module until ``shutdown()`` (or interpreter exit,
which shuts it down), so its callbacks stay valid even if the program drops its own reference.
Handles are destroyed when their Python objects are collected.
"""
from __future__ import annotations

import atexit
import ctypes
import datetime
import itertools
import logging
import sys
import threading
from collections import OrderedDict, namedtuple
from concurrent.futures import Future
from enum import IntEnum
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Union

from . import ffi
from .consts import MessageProperty
from .exceptions import (NullPointerException, ProducerSendAsyncFailed, RocketMQException, ffi_check,
                         latest_error_message)
from .ffi import (LOCAL_TRANSACTION_EXECUTE_CALLBACK, MSG_CALLBACK_FUNC, ON_SEND_EXCEPTION_CALLBACK,
                  ON_SEND_SUCCESS_CALLBACK, TRANSACTION_CHECK_CALLBACK, MessageModel, _CMessageQueue,
                  _CSendResult, dll)

__all__ = ['SendStatus', 'Message', 'ReceivedMessage', 'Producer', 'PushConsumer', 'TransactionMQProducer',
           'TransactionStatus', 'ConsumeStatus', 'PullConsumer', 'PullStatus', 'PullResult', 'MessageQueue',
           'LogLevel', 'SendResult', 'MessageModel', 'ConsumeFromWhere']

_log = logging.getLogger('rocketmq')

# hot paths bind their C functions once
_send_message_sync = dll.SendMessageSync
# Without argtypes: ctypes then converts bytes, ints and ctypes objects itself instead of calling
# a from_param per argument, a fifth of the binding's own cost of a send (bench/RESULTS.md). So
# every argument must already have its C type: the producer as a c_void_p, texts as bytes (or
# None), the body length as an int.
_send_message_sync_parts = ffi.unchecked_function('SendMessageSyncParts', ctypes.c_int)
_create_message = dll.CreateMessage
_set_byte_body = dll.SetByteMessageBody
_destroy_message = dll.DestroyMessage
_body_pointer = ffi.body_pointer
_body_text = dll.GetMessageBody
_body_length = dll.GetMessageBodyLength
_byref = ctypes.byref

SendResult = namedtuple('SendResult', ['status', 'msg_id', 'offset'])
MessageQueue = namedtuple('MessageQueue', ['topic', 'broker_name', 'queue_id'])
PullResult = namedtuple('PullResult', ['status', 'next_begin_offset', 'min_offset', 'max_offset', 'messages'])

Text = Union[str, bytes]
When = Union[int, float, datetime.datetime]


class SendStatus(IntEnum):
    OK = 0
    FLUSH_DISK_TIMEOUT = 1
    FLUSH_SLAVE_TIMEOUT = 2
    SLAVE_NOT_AVAILABLE = 3


class TransactionStatus(IntEnum):
    COMMIT = 0
    ROLLBACK = 1
    UNKNOWN = 2


class ConsumeStatus(IntEnum):
    CONSUME_SUCCESS = 0
    RECONSUME_LATER = 1


class ConsumeFromWhere(IntEnum):
    """Where a push consumer's group starts on a queue it has no stored offset for."""
    LAST_OFFSET = 0
    FIRST_OFFSET = 1
    TIMESTAMP = 2


PullStatus = ffi._CPullStatus  # FOUND, NO_NEW_MSG, NO_MATCHED_MSG, OFFSET_ILLEGAL, BROKER_TIMEOUT
LogLevel = ffi._CLogLevel  # FATAL, ERROR, WARN, INFO, DEBUG, TRACE


def _to_bytes(s):
    if isinstance(s, str):
        return s.encode('utf-8')
    return s


def _epoch_millis(when: When) -> int:
    """Milliseconds since the epoch of an int/float (already milliseconds) or a datetime (naive
    ones are local time, as datetime.timestamp() reads them)."""
    if isinstance(when, datetime.datetime):
        return int(round(when.timestamp() * 1000))
    if isinstance(when, (int, float)) and not isinstance(when, bool):
        return int(when)
    raise TypeError('expected milliseconds since the epoch or a datetime, got %r' % (when,))


_SEND_STATUSES = tuple(SendStatus)  # by value: indexing is much cheaper than calling the enum


def _send_result(c_result: _CSendResult) -> SendResult:
    return SendResult(_SEND_STATUSES[c_result.sendStatus], c_result.msgId.decode('utf-8'), c_result.offset)


# ------------------------------------------------------------------------------------ messages

class _NativeMessage(object):
    """Owns a CMessage handle: destroys it when collected."""
    __slots__ = ('handle',)

    def __init__(self, handle):
        self.handle = handle

    def __del__(self, _destroy_message=_destroy_message):
        # bound as a default: module globals may be gone when this runs at interpreter exit
        handle, self.handle = self.handle, None
        if handle:
            try:
                _destroy_message(handle)
            except Exception:
                pass


class Message(object):
    """A message to send. The same Message may be sent more than once.

    A message lives in Python (topic, body, and its properties in the wire encoding, which tags,
    keys and the delay level are part of) until a call needs a native one: ``send_sync`` hands
    the parts to the library in one foreign call (``SendMessageSyncParts``) where a native
    message costs four, the common case of a new Message per send (bench/RESULTS.md, Python
    sections). Any other call makes the native message once, and from then on every setter
    updates both. (Every send gives the message a new UNIQ_KEY, the result's msg_id.)"""

    # defaults until set (the class's: cheaper than three more stores per Message)
    _body = b''
    _properties = b''  # b'name\x01value\x02...', each name once (_put_property)
    _native = None     # a _NativeMessage once a call needed one

    def __init__(self, topic: Text):
        self._topic = topic.encode('utf-8') if isinstance(topic, str) else topic

    @property
    def _as_parameter_(self):
        native = self._native
        if native is None:
            native = self._native = _NativeMessage(self._make_native())
        return native.handle

    @property
    def _handle(self):
        """The native message: 2.0.0's attribute, which programs hand to C functions the package
        had no method for (e.g. AddMessage for a batch)."""
        return self._as_parameter_

    def _make_native(self):
        handle = _create_message(self._topic)
        if handle:
            if self._body:
                ffi_check(_set_byte_body(handle, self._body, len(self._body)))
            for pair in self._properties.split(b'\x02'):
                if pair:
                    name, _, value = pair.partition(b'\x01')
                    ffi_check(dll.SetMessageProperty(handle, name, value))
        return handle

    def _set_property(self, name: bytes, value: Text, set_native) -> None:
        value = _to_bytes(value)
        if self._native is not None or type(value) is not bytes:
            # None or a wrong type: the library's or ctypes' error, as for a native message
            ffi_check(set_native(self._as_parameter_, value))
            if type(value) is not bytes:
                return
        self._put_property(name, value)

    def _put_property(self, name: bytes, value: bytes) -> None:
        """Sets a property of the Python side; a name set again replaces its earlier pair, so a
        Message reused with new keys per send does not grow."""
        properties = self._properties
        if properties.startswith(name + b'\x01') or (b'\x02' + name + b'\x01') in properties:
            properties = b''.join(pair + b'\x02' for pair in properties.split(b'\x02')
                                  if pair and pair.partition(b'\x01')[0] != name)
        self._properties = properties + name + b'\x01' + value + b'\x02'

    def set_topic(self, topic: Text) -> None:
        topic = _to_bytes(topic)
        if self._native is not None or type(topic) is not bytes:
            ffi_check(dll.SetMessageTopic(self._as_parameter_, topic))
        self._topic = topic

    def set_keys(self, keys: Text) -> None:
        self._set_property(b'KEYS', keys, dll.SetMessageKeys)

    def set_tags(self, tags: Text) -> None:
        self._set_property(b'TAGS', tags, dll.SetMessageTags)

    def set_body(self, body: Text) -> None:
        """The body, text (sent as UTF-8) or bytes; bytes may hold NUL bytes."""
        data = body.encode('utf-8') if isinstance(body, str) else body
        if data is None:
            ffi_check(dll.SetMessageBody(self._as_parameter_, None))
            return
        if self._native is not None or type(data) is not bytes:
            ffi_check(_set_byte_body(self._as_parameter_, data, len(data)))
            if type(data) is not bytes:
                return
        self._body = data

    def set_property(self, key: Text, value: Text) -> None:
        key = _to_bytes(key)
        if type(key) is not bytes:
            ffi_check(dll.SetMessageProperty(self._as_parameter_, key, _to_bytes(value)))
            return
        self._set_property(key, value, lambda handle, v: dll.SetMessageProperty(handle, key, v))

    def set_delay_time_level(self, delay_time_level: int) -> None:
        if self._native is not None or not isinstance(delay_time_level, int):
            ffi_check(dll.SetDelayTimeLevel(self._as_parameter_, delay_time_level))
        self._put_property(b'DELAY', b'%d' % delay_time_level)

    def set_start_deliver_time(self, when: When) -> int:
        """Deliver the message at a chosen time (at most a year ahead): milliseconds since the
        epoch, or a datetime. Sets the ``__STARTDELIVERTIME`` property and returns its value,
        which cancel_scheduled_message() needs. Apache RocketMQ 5.x brokers honour it; 4.x ones
        deliver at once."""
        millis = _epoch_millis(when)
        self.set_property(MessageProperty.START_DELIVER_TIME.value, str(millis))
        return millis


class ReceivedMessage(object):
    """A message handed to a callback or returned by a pull. One handed to a push or transaction
    callback is valid only during that call; a pulled one as long as it is referenced."""

    def __init__(self, handle, owner=None):
        self._handle = handle
        self._owner = owner  # what keeps the native message alive (a pull's result), if anything

    @property
    def topic(self) -> str:
        return _decode(dll.GetMessageTopic(self._handle))

    @property
    def tags(self) -> bytes:
        return dll.GetMessageTags(self._handle)

    @property
    def keys(self) -> bytes:
        return dll.GetMessageKeys(self._handle)

    @property
    def body(self) -> bytes:
        """The whole body, NUL bytes included."""
        handle = self._handle
        length = _body_length(handle)
        text = _body_text(handle)  # up to the first NUL: the whole body unless it holds one
        if text is None or len(text) == length:
            return text or b''
        return _body_pointer(handle)[:length]

    @property
    def id(self) -> str:
        return _decode(dll.GetMessageId(self._handle))

    @property
    def delay_time_level(self) -> int:
        return dll.GetMessageDelayTimeLevel(self._handle)

    @property
    def queue_id(self) -> int:
        return dll.GetMessageQueueId(self._handle)

    @property
    def reconsume_times(self) -> int:
        return dll.GetMessageReconsumeTimes(self._handle)

    @property
    def store_size(self) -> int:
        return dll.GetMessageStoreSize(self._handle)

    @property
    def born_timestamp(self) -> int:
        return dll.GetMessageBornTimestamp(self._handle)

    @property
    def store_timestamp(self) -> int:
        return dll.GetMessageStoreTimestamp(self._handle)

    @property
    def queue_offset(self) -> int:
        return dll.GetMessageQueueOffset(self._handle)

    @property
    def commit_log_offset(self) -> int:
        return dll.GetMessageCommitLogOffset(self._handle)

    @property
    def prepared_transaction_offset(self) -> int:
        return dll.GetMessagePreparedTransactionOffset(self._handle)

    @property
    def born_host(self) -> str:
        return _decode(dll.GetMessageBornHost(self._handle))

    @property
    def store_host(self) -> str:
        return _decode(dll.GetMessageStoreHost(self._handle))

    def get_property(self, prop: Union[Text, MessageProperty]) -> bytes:
        if isinstance(prop, MessageProperty):
            prop = prop.value
        return dll.GetMessageProperty(self._handle, _to_bytes(prop))

    def __getitem__(self, key):
        return self.get_property(key)

    def __str__(self):
        return self.body.decode('utf-8')

    def __bytes__(self):
        return self.body

    def __repr__(self):
        return '<ReceivedMessage topic={!r} id={!r} body={!r}>'.format(self.topic, self.id, self.body)


def _decode(val) -> str:
    if isinstance(val, bytes):
        return val.decode('utf-8')
    if isinstance(val, str):
        return val
    raise TypeError('Expects string types, but got %s' % type(val))


maybe_decode = _decode  # 2.0.0's public name for it


def _destroy(destroy, handle):
    # From __del__, possibly while the interpreter shuts down and module globals are gone.
    try:
        destroy(handle)
    except Exception:
        pass


# ------------------------------------------------------------------------------------ callbacks

class _FailureLog(object):
    """Logs a failing callback's traceback once per message; its redeliveries get one line."""

    def __init__(self, capacity=10000):
        self._seen = OrderedDict()
        self._lock = threading.Lock()
        self._capacity = capacity

    def first_time(self, key) -> bool:
        with self._lock:
            if key in self._seen:
                return False
            self._seen[key] = True
            if len(self._seen) > self._capacity:
                self._seen.popitem(last=False)
            return True


_failures = _FailureLog()


def _report_failure(what: str, message_id: str, answer: IntEnum, error: Optional[BaseException],
                    result: Any = None) -> None:
    """Logs a callback that raised (``error``) or returned something other than a member of
    ``answer``'s enum (``result``); ``answer`` is what the library was told instead."""
    first = _failures.first_time((what, message_id))
    if error is not None:
        if first:
            _log.error('%s raised for message %s; answered %s', what, message_id, answer.name, exc_info=error)
        else:
            _log.warning('%s raised again for message %s: %r', what, message_id, error)
    elif first:
        _log.warning('%s returned %r for message %s, which is not a %s; treated as %s', what, result,
                     message_id, type(answer).__name__, answer.name)


def _message_id(message: ReceivedMessage) -> str:
    try:
        return message.id
    except Exception:
        return '?'


# ------------------------------------------------------------------------------------ clients

_running = set()  # type: Set[_Client]  # started clients, held so their callbacks outlive the program's references
_running_lock = threading.Lock()


def _shutdown_running_clients():
    """At interpreter exit: shut down what the program left running (offsets committed, no
    callback into a finalizing interpreter)."""
    with _running_lock:
        clients = list(_running)
    for client in clients:
        try:
            client.shutdown()
        except Exception as e:
            _log.warning('shutting down %r at exit failed: %s', client, e)


atexit.register(_shutdown_running_clients)


class _Client(object):
    """What producers and consumers share: life cycle, name servers, credentials, TLS, logs.
    Subclasses name their C functions in ``_native``."""

    _native = {}  # type: Dict[str, Any]
    _handle = None

    def _call(self, name, *args):
        ffi_check(self._native[name](self._handle, *args))

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exec_type, value, traceback):  # 2.0.0's parameter names
        self.shutdown()

    def __del__(self):
        handle, self._handle = self._handle, None
        # not while the interpreter finalizes: running clients were shut down at exit, and a
        # native shutdown now would wait for consume threads that may no longer enter Python
        if handle and not sys.is_finalizing():
            _destroy(self._native['destroy'], handle)

    def start(self) -> None:
        # held before the call: a KeyboardInterrupt raised as the call returns must not leave a
        # running client that exit would not shut down
        with _running_lock:
            _running.add(self)
        try:
            self._call('start')
        except RocketMQException:
            with _running_lock:
                _running.discard(self)
            raise

    def shutdown(self) -> None:
        try:
            self._call('shutdown')
        finally:
            with _running_lock:
                _running.discard(self)

    def set_name_server_address(self, addr: Text) -> None:
        self._call('namesrv', _to_bytes(addr))

    def set_name_server_domain(self, domain: Text) -> None:
        self._call('domain', _to_bytes(domain))

    def set_session_credentials(self, access_key: Text, access_secret: Text, channel: Text) -> None:
        self._call('credentials', _to_bytes(access_key), _to_bytes(access_secret), _to_bytes(channel))

    def set_tls(self, enabled: bool = True, property_file: Optional[str] = None) -> None:
        """TLS to name servers and brokers. ``property_file`` is a ``tls.client.*`` properties file
        (trust store, client certificate and key); the server certificate is verified."""
        self._call('ssl', 1 if enabled else 0)
        if property_file is not None:
            self._call('ssl_file', _to_bytes(property_file))

    def set_log_level(self, level: Union[LogLevel, int]) -> None:
        """The process-wide level of the library's log file."""
        self._call('log_level', int(level))

    def set_log_path(self, path: str) -> None:
        """The directory of the library's (process-wide) log file."""
        self._call('log_path', _to_bytes(path))

    def set_log_file_num_and_size(self, file_num: int, file_size: int) -> None:
        self._call('log_size', file_num, file_size)


class Producer(_Client):
    _native = {
        'destroy': dll.DestroyProducer, 'start': dll.StartProducer, 'shutdown': dll.ShutdownProducer,
        'namesrv': dll.SetProducerNameServerAddress, 'domain': dll.SetProducerNameServerDomain,
        'credentials': dll.SetProducerSessionCredentials, 'ssl': dll.SetProducerSsl,
        'ssl_file': dll.SetProducerSslPropertyFile, 'log_level': dll.SetProducerLogLevel,
        'log_path': dll.SetProducerLogPath, 'log_size': dll.SetProducerLogFileNumAndSize,
    }

    def __init__(self, group_id: Text, orderly: bool = False, timeout: Optional[int] = None,
                 compress_level: Optional[int] = None, max_message_size: Optional[int] = None):
        create = dll.CreateOrderlyProducer if orderly else dll.CreateProducer
        self._handle = create(_to_bytes(group_id))
        if self._handle is None:
            raise NullPointerException('Returned null pointer when create Producer')
        self._c_handle = ctypes.c_void_p(self._handle)  # for unchecked functions; lives as long
        self._callback_refs = []  # type: List[Any]
        self._apply_options(timeout, compress_level, max_message_size)

    def _apply_options(self, timeout, compress_level, max_message_size):
        if timeout is not None:
            self.set_timeout(timeout)
        if compress_level is not None:
            self.set_compress_level(compress_level)
        if max_message_size is not None:
            self.set_max_message_size(max_message_size)

    def __repr__(self):
        return '<%s handle=%#x>' % (type(self).__name__, self._handle or 0)

    # -- sends

    def send_sync(self, msg: Message) -> SendResult:
        c_result = _CSendResult()
        native = msg._native
        if native is None:
            body = msg._body
            status = _send_message_sync_parts(self._c_handle, msg._topic, body, len(body), msg._properties,
                                              _byref(c_result))
        else:
            status = _send_message_sync(self._handle, native.handle, _byref(c_result))
        if status:
            ffi_check(status)
        return _send_result(c_result)

    def send_oneway(self, msg: Message) -> None:
        ffi_check(dll.SendMessageOneway(self._handle, msg))

    def send_orderly_with_sharding_key(self, msg: Message, sharding_key: Text) -> SendResult:
        """Every message of one sharding key goes to the same queue of the topic."""
        c_result = _CSendResult()
        ffi_check(dll.SendMessageOrderlyByShardingKey(self._handle, msg, _to_bytes(sharding_key),
                                                      ctypes.byref(c_result)))
        return _send_result(c_result)

    def send_batch(self, messages: Iterable[Message]) -> SendResult:
        """Sends messages of one topic in one request; ``msg_id`` lists their ids, comma-separated."""
        batch = dll.CreateBatchMessage()
        if not batch:
            raise NullPointerException('could not create a batch')
        try:
            for msg in messages:
                ffi_check(dll.AddMessage(batch, msg))
            c_result = _CSendResult()
            ffi_check(dll.SendBatchMessage(self._handle, batch, ctypes.byref(c_result)))
            return _send_result(c_result)
        finally:
            dll.DestroyBatchMessage(batch)

    def send_async(self, msg: Message, on_success: Optional[Callable[[SendResult], Any]] = None,
                   on_exception: Optional[Callable[[ProducerSendAsyncFailed], Any]] = None) -> 'Future[SendResult]':
        """Sends without waiting. Returns a concurrent.futures.Future of the SendResult (or of a
        ProducerSendAsyncFailed); ``on_success(result)`` / ``on_exception(error)`` are called too,
        on the library's callback thread, before the future completes."""
        return _async_sends.send(self, msg, on_success, on_exception)

    def cancel_scheduled_message(self, topic: Text, msg_id: Text, start_deliver_time: When) -> None:
        """Cancels a message sent with set_start_deliver_time() before it is delivered: its topic,
        its msg_id from the SendResult, and the same delivery time. Apache RocketMQ 5.x only."""
        ffi_check(dll.CancelScheduledMessage(self._handle, _to_bytes(topic), _to_bytes(msg_id),
                                             _epoch_millis(start_deliver_time)))

    # -- settings

    def set_group(self, group_name: Text) -> None:
        ffi_check(dll.SetProducerGroupName(self._handle, _to_bytes(group_name)))

    def set_instance_name(self, name: Text) -> None:
        ffi_check(dll.SetProducerInstanceName(self._handle, _to_bytes(name)))

    def set_timeout(self, timeout: int) -> None:
        """Send timeout in milliseconds (default 3000)."""
        ffi_check(dll.SetProducerSendMsgTimeout(self._handle, timeout))

    def set_compress_level(self, level: int) -> None:
        ffi_check(dll.SetProducerCompressLevel(self._handle, level))

    def set_max_message_size(self, max_size: int) -> None:
        ffi_check(dll.SetProducerMaxMessageSize(self._handle, max_size))

    def set_message_trace(self, enabled: bool) -> None:
        """Message trace records for this producer's sends (default off)."""
        ffi_check(dll.SetProducerMessageTrace(self._handle, ffi.TraceModel.OPEN if enabled else ffi.TraceModel.CLOSE))


class _AsyncSends(object):
    """In-flight asynchronous sends. One pair of C callbacks serves them all; each send's userData
    is a token that finds its message (kept alive until the send completes), future and callbacks."""

    def __init__(self):
        self._pending = {}  # type: Dict[int, tuple]
        self._lock = threading.Lock()
        self._tokens = itertools.count(1)
        self.on_success = ON_SEND_SUCCESS_CALLBACK(self._succeeded)
        self.on_exception = ON_SEND_EXCEPTION_CALLBACK(self._failed)

    def send(self, producer, msg, on_success, on_exception):
        future = Future()  # type: Future
        token = next(self._tokens)
        with self._lock:
            self._pending[token] = (msg, future, on_success, on_exception)
        status = dll.SendAsync(producer._handle, msg, self.on_success, self.on_exception, token)
        if status != 0:
            with self._lock:
                self._pending.pop(token, None)
            raise ProducerSendAsyncFailed(latest_error_message(), status)
        return future

    def _take(self, token):
        with self._lock:
            return self._pending.pop(token, None)

    def _succeeded(self, c_result, _msg, token):
        entry = self._take(token)
        if entry is None:
            return
        _, future, on_success, _ = entry
        result = _send_result(c_result)
        if on_success is not None:
            _call_user('send_async success callback', on_success, result)
        future.set_result(result)

    def _failed(self, c_error, _msg, token):
        entry = self._take(token)
        if entry is None:
            return
        _, future, _, on_exception = entry
        error = ProducerSendAsyncFailed(c_error.msg.decode('utf-8', 'replace'), c_error.error,
                                        c_error.file.decode('utf-8', 'replace'), c_error.line,
                                        c_error.type.decode('utf-8', 'replace'))
        if on_exception is not None:
            _call_user('send_async exception callback', on_exception, error)
        future.set_exception(error)


def _call_user(what, function, *args):
    try:
        function(*args)
    except Exception:
        _log.exception('%s raised', what)


_async_sends = _AsyncSends()


class TransactionMQProducer(Producer):
    """A producer of transactional messages. ``checker_callback(msg)`` answers the broker's check
    of a transaction left UNKNOWN (on a library thread); ``user_args`` must be None or an int."""

    def __init__(self, group_id: Text, checker_callback: Callable[[ReceivedMessage], TransactionStatus],
                 user_args: Optional[int] = None, timeout: Optional[int] = None,
                 compress_level: Optional[int] = None, max_message_size: Optional[int] = None):
        def on_check(_producer, c_message, _user_data):
            return _transaction_verdict('transaction check callback', checker_callback, ReceivedMessage(c_message))

        self._checker = TRANSACTION_CHECK_CALLBACK(on_check)
        self._callback_refs = [self._checker]
        self._handle = dll.CreateTransactionProducer(_to_bytes(group_id), self._checker, user_args)
        if self._handle is None:
            raise NullPointerException('Returned null pointer when create transaction producer')
        self._apply_options(timeout, compress_level, max_message_size)

    def send_message_in_transaction(self, message: Message,
                                    local_execute: Callable[[ReceivedMessage, Any], TransactionStatus],
                                    user_args: Optional[int] = None) -> SendResult:
        """Sends the half message, then runs ``local_execute(msg, user_args)`` on this thread; its
        answer commits, rolls back or leaves the transaction to the broker's check. An exception
        in it is logged and answers UNKNOWN (KeyboardInterrupt and SystemExit are re-raised here
        once the library has returned)."""
        interrupted = []

        def on_execute(_producer, c_message, c_user_args):
            try:
                return _transaction_verdict('local transaction', local_execute, ReceivedMessage(c_message),
                                            c_user_args)
            except BaseException as e:  # KeyboardInterrupt / SystemExit: never into the library
                interrupted.append(e)
                return TransactionStatus.UNKNOWN

        callback = LOCAL_TRANSACTION_EXECUTE_CALLBACK(on_execute)
        c_result = _CSendResult()
        status = dll.SendMessageTransaction(self._handle, message, callback, user_args, ctypes.byref(c_result))
        if interrupted:
            raise interrupted[0]
        ffi_check(status)
        return _send_result(c_result)


def _transaction_verdict(what, function, *args) -> int:
    message = args[0]
    try:
        result = function(*args)
    except Exception as e:
        _report_failure(what, _message_id(message), TransactionStatus.UNKNOWN, e)
        return TransactionStatus.UNKNOWN
    if result in (TransactionStatus.COMMIT, TransactionStatus.ROLLBACK, TransactionStatus.UNKNOWN):
        return int(result)
    _report_failure(what, _message_id(message), TransactionStatus.UNKNOWN, None, result)
    return TransactionStatus.UNKNOWN


class PushConsumer(_Client):
    """Messages pushed to callbacks, on the consumer's own threads. Each subscribed topic has its
    own callback; a callback returns ConsumeStatus (anything else, or an exception, is logged
    and the message is delivered again later)."""

    _native = {
        'destroy': dll.DestroyPushConsumer, 'start': dll.StartPushConsumer, 'shutdown': dll.ShutdownPushConsumer,
        'namesrv': dll.SetPushConsumerNameServerAddress, 'domain': dll.SetPushConsumerNameServerDomain,
        'credentials': dll.SetPushConsumerSessionCredentials, 'ssl': dll.SetPushConsumerSsl,
        'ssl_file': dll.SetPushConsumerSslPropertyFile, 'log_level': dll.SetPushConsumerLogLevel,
        'log_path': dll.SetPushConsumerLogPath, 'log_size': dll.SetPushConsumerLogFileNumAndSize,
    }

    def __init__(self, group_id: Text, orderly: bool = False, message_model: MessageModel = MessageModel.CLUSTERING):
        self._handle = dll.CreatePushConsumer(_to_bytes(group_id))
        if self._handle is None:
            raise NullPointerException('Returned null pointer when create PushConsumer')
        self._orderly = orderly
        # topic -> callback, and None -> the last one subscribed (for a topic not found)
        self._callbacks = {}  # type: Dict[Optional[str], Callable[[ReceivedMessage], Any]]
        self._callback_refs = []  # type: List[Any]
        self.set_message_model(message_model)

    def __repr__(self):
        return '<PushConsumer handle=%#x>' % (self._handle or 0)

    def subscribe(self, topic: Text, callback: Callable[[ReceivedMessage], ConsumeStatus],
                  expression: Text = '*') -> None:
        """Subscribes to a topic with a tag expression ('*', 'TagA || TagB')."""
        ffi_check(dll.Subscribe(self._handle, _to_bytes(topic), _to_bytes(expression)))
        name = topic.decode('utf-8') if isinstance(topic, bytes) else topic
        self._callbacks[name] = callback
        self._callbacks[None] = callback
        if not self._callback_refs:
            self._register_callback(_consume_trampoline(self._callbacks))

    def _register_callback(self, callback):
        register = dll.RegisterMessageCallbackOrderly if self._orderly else dll.RegisterMessageCallback
        function = MSG_CALLBACK_FUNC(callback)
        self._callback_refs.append(function)
        ffi_check(register(self._handle, function))

    def _unregister_callback(self):
        if self._orderly:
            ffi_check(dll.UnregisterMessageCallbackOrderly(self._handle))
        ffi_check(dll.UnregisterMessageCallback(self._handle))
        self._callback_refs = []
        self._callbacks.clear()

    def set_message_model(self, model: MessageModel) -> None:
        ffi_check(dll.SetPushConsumerMessageModel(self._handle, model))

    def set_group(self, group_id: Text) -> None:
        ffi_check(dll.SetPushConsumerGroupID(self._handle, _to_bytes(group_id)))

    def set_thread_count(self, thread_count: int) -> None:
        ffi_check(dll.SetPushConsumerThreadCount(self._handle, thread_count))

    def set_message_batch_max_size(self, max_size: int) -> None:
        ffi_check(dll.SetPushConsumerMessageBatchMaxSize(self._handle, max_size))

    def set_instance_name(self, name: Text) -> None:
        ffi_check(dll.SetPushConsumerInstanceName(self._handle, _to_bytes(name)))

    def set_max_consume_tps(self, tps: int) -> None:
        """At most this many messages per second reach the callbacks (excess ones wait)."""
        ffi_check(dll.SetPushConsumerMaxConsumeTps(self._handle, tps))

    def set_max_reconsume_times(self, times: int) -> None:
        """Deliveries of a message whose callback keeps failing before it goes to the group's
        dead-letter topic ``%DLQ%<group>`` (negative: the default, 16; unlimited when orderly)."""
        ffi_check(dll.SetPushConsumerMaxReconsumeTimes(self._handle, times))

    def set_consume_from_where(self, where: 'ConsumeFromWhere', timestamp: When = 0) -> None:
        """Where a queue the group has no stored offset for starts: its last offset (the
        default), its first, or the first message stored at or after ``timestamp``
        (milliseconds since the epoch, or a datetime; ConsumeFromWhere.TIMESTAMP only)."""
        millis = _epoch_millis(timestamp) if where == ConsumeFromWhere.TIMESTAMP else 0
        ffi_check(dll.SetPushConsumerConsumeFromWhere(self._handle, where, millis))

    def set_max_cache_message_size(self, count: int) -> None:
        """Pulling from a queue pauses while it holds this many unconsumed messages."""
        ffi_check(dll.SetPushConsumerMaxCacheMessageSize(self._handle, count))

    def set_max_cache_message_size_in_mb(self, megabytes: int) -> None:
        """Pulling from a queue pauses while its unconsumed messages take this many MiB."""
        ffi_check(dll.SetPushConsumerMaxCacheMessageSizeInMb(self._handle, megabytes))

    def set_message_trace(self, enabled: bool) -> None:
        """Message trace records for this consumer (default off)."""
        ffi_check(dll.SetPushConsumerMessageTrace(self._handle, ffi.TraceModel.OPEN if enabled else ffi.TraceModel.CLOSE))


def _consume_trampoline(callbacks):
    """The function the library calls per message: finds the message's callback in
    ``callbacks`` (the consumer's dict, not the consumer: no reference cycle, so a consumer that is
    neither started nor referenced is collected) and turns its answer into 0 or 1."""

    def on_message(_consumer, handle):
        message = ReceivedMessage(handle)
        callback = callbacks[None] if len(callbacks) <= 2 else callbacks.get(message.topic) or callbacks[None]
        try:
            result = callback(message)
        except Exception as e:
            _report_failure('consume callback', _message_id(message), ConsumeStatus.RECONSUME_LATER, e)
            return 1
        if result == 0:  # ConsumeStatus.CONSUME_SUCCESS
            return 0
        if result != 1:  # not ConsumeStatus.RECONSUME_LATER either
            _report_failure('consume callback', _message_id(message), ConsumeStatus.RECONSUME_LATER, None, result)
        return 1

    return on_message


class PullConsumer(_Client):
    """Reads queues at offsets the program chooses and keeps."""

    _native = {
        'destroy': dll.DestroyPullConsumer, 'start': dll.StartPullConsumer, 'shutdown': dll.ShutdownPullConsumer,
        'namesrv': dll.SetPullConsumerNameServerAddress, 'domain': dll.SetPullConsumerNameServerDomain,
        'credentials': dll.SetPullConsumerSessionCredentials, 'ssl': dll.SetPullConsumerSsl,
        'ssl_file': dll.SetPullConsumerSslPropertyFile, 'log_level': dll.SetPullConsumerLogLevel,
        'log_path': dll.SetPullConsumerLogPath, 'log_size': dll.SetPullConsumerLogFileNumAndSize,
    }

    def __init__(self, group_id: Text):
        self._handle = dll.CreatePullConsumer(_to_bytes(group_id))
        if self._handle is None:
            raise NullPointerException('Returned null pointer when create PullConsumer')

    def __repr__(self):
        return '<PullConsumer handle=%#x>' % (self._handle or 0)

    def set_group(self, group_id: Text) -> None:
        ffi_check(dll.SetPullConsumerGroupID(self._handle, _to_bytes(group_id)))

    def get_message_queues(self, topic: Text) -> List[MessageQueue]:
        """The queues of a topic, from the name server."""
        queues = ctypes.POINTER(_CMessageQueue)()
        size = ctypes.c_int(0)
        ffi_check(dll.FetchSubscriptionMessageQueues(self._handle, _to_bytes(topic), ctypes.byref(queues),
                                                     ctypes.byref(size)))
        try:
            return [MessageQueue(queues[i].topic.decode('utf-8'), queues[i].brokerName.decode('utf-8'),
                                 queues[i].queueId) for i in range(size.value)]
        finally:
            if queues:
                dll.ReleaseSubscriptionMessageQueue(queues)

    def pull(self, queue: MessageQueue, expression: Text = '*', offset: int = 0, max_num: int = 32) -> PullResult:
        """Up to ``max_num`` messages of ``queue`` from ``offset`` on that match the tag expression.
        Continue at ``next_begin_offset``."""
        c_queue = _CMessageQueue(_to_bytes(queue.topic), _to_bytes(queue.broker_name), queue.queue_id)
        c_result = dll.Pull(self._handle, ctypes.byref(c_queue), _to_bytes(expression), offset, max_num)
        # A result without messages has nothing to release; releasing it anyway (a failing call)
        # would replace the text of a failed pull (BROKER_TIMEOUT, e.g. access denied) that
        # rocketmq.exceptions.latest_error_message() reads.
        batch = _PulledBatch(c_result) if c_result.size > 0 else None
        messages = [ReceivedMessage(c_result.msgFoundList[i], batch) for i in range(c_result.size)]
        return PullResult(PullStatus(c_result.pullStatus), c_result.nextBeginOffset, c_result.minOffset,
                          c_result.maxOffset, messages)


class _PulledBatch(object):
    """Owns the native messages of one pull; released when no pulled message refers to it."""

    def __init__(self, c_result):
        self._c_result = c_result

    def __del__(self):
        c_result, self._c_result = getattr(self, '_c_result', None), None
        if c_result is not None:
            _destroy(dll.ReleasePullResult, c_result)
