# -*- coding: utf-8 -*-
"""The native library of this package and its C API, declared for ctypes.

The library is the ``librocketmq.so`` that the wheel carries next to this file. It is loaded by
absolute path, so no other ``librocketmq.so`` on the system (``/usr/local/lib``, the ldconfig
cache, ``LD_LIBRARY_PATH``) can be picked up instead; ``rocketmq.library_path()`` names the file.

The names this module exports (``dll``, ``_DYLIB_PATH``, ``_CStatus``, ``_CSendResult``,
``MessageModel``, the ``*_CALLBACK`` types, ...) are the ones rocketmq-client-python 2.0.0's
``rocketmq.ffi`` has, so code that reached into that module keeps working. Every status-returning
function returns a plain ``int`` here (2.0.0 converted them to an enum, which failed on codes it
did not list); ``exceptions.ffi_check`` takes either.
"""
import ctypes
import os
import sys
from ctypes import POINTER, Structure, c_char, c_char_p, c_int, c_long, c_longlong, c_void_p
from enum import IntEnum

if sys.platform == 'win32':
    raise ImportError('rocketmq: Windows is not supported')

_DYLIB_SUFFIX = '.dylib' if sys.platform == 'darwin' else '.so'
_CURR_DIR = os.path.dirname(os.path.abspath(__file__))
_PKG_DYLIB_PATH = os.path.join(_CURR_DIR, 'librocketmq' + _DYLIB_SUFFIX)
if not os.path.isfile(_PKG_DYLIB_PATH):
    raise ImportError(
        'rocketmq: the native library %s is missing; this package must be installed from its wheel '
        '(pip install rocketmq-client-rs), not imported from a source checkout' % _PKG_DYLIB_PATH)
_DYLIB_PATH = _PKG_DYLIB_PATH
# A path with a slash makes dlopen load exactly this file, even when a library with the same
# SONAME was loaded before by something else in the process.
dll = ctypes.CDLL(_DYLIB_PATH)


class CtypesEnum(IntEnum):
    """An IntEnum that ctypes passes as a C int."""

    @classmethod
    def from_param(cls, obj):
        return int(obj)


class _CStatus(CtypesEnum):
    OK = 0
    NULL_POINTER = 1
    MALLOC_FAILED = 2
    PRODUCER_START_FAILED = 10
    PRODUCER_SEND_SYNC_FAILED = 11
    PRODUCER_SEND_ONEWAY_FAILED = 12
    PRODUCER_SEND_ORDERLY_FAILED = 13
    PRODUCER_SEND_ASYNC_FAILED = 14
    PRODUCER_SEND_ORDERLYASYNC_FAILED = 15
    PRODUCER_SEND_TRANSACTION_FAILED = 16
    PUSH_CONSUMER_START_FAILED = 20
    PULL_CONSUMER_START_FAILED = 30
    PULL_CONSUMER_FETCH_MQ_FAILED = 31
    PULL_CONSUMER_FETCH_MESSAGE_FAILED = 32
    NOT_SUPPORT_NOW = -1


class _CLogLevel(CtypesEnum):
    FATAL = 1
    ERROR = 2
    WARN = 3
    INFO = 4
    DEBUG = 5
    TRACE = 6
    LEVEL_NUM = 7


class MessageModel(CtypesEnum):
    BROADCASTING = 0
    CLUSTERING = 1


class TraceModel(CtypesEnum):
    OPEN = 0
    CLOSE = 1


class _CPullStatus(CtypesEnum):
    FOUND = 0
    NO_NEW_MSG = 1
    NO_MATCHED_MSG = 2
    OFFSET_ILLEGAL = 3
    BROKER_TIMEOUT = 4


class _CSendResult(Structure):
    _fields_ = [('sendStatus', c_int), ('msgId', c_char * 256), ('offset', c_longlong)]


class _CMessageQueue(Structure):
    _fields_ = [('topic', c_char * 512), ('brokerName', c_char * 256), ('queueId', c_int)]


class _CMQException(Structure):
    # The C layout (CMQException.h); 2.0.0 declared other array sizes but never used the type.
    _fields_ = [('error', c_int), ('line', c_int), ('file', c_char * 256), ('msg', c_char * 512),
                ('type', c_char * 128)]


class _CPullResult(Structure):
    _fields_ = [('pullStatus', c_int), ('nextBeginOffset', c_longlong), ('minOffset', c_longlong),
                ('maxOffset', c_longlong), ('msgFoundList', POINTER(c_void_p)), ('size', c_int),
                ('pData', c_void_p)]


QUEUE_SELECTOR_CALLBACK = ctypes.CFUNCTYPE(c_int, c_int, c_void_p, c_void_p)
SEND_SUCCESS_CALLBACK = ctypes.CFUNCTYPE(None, _CSendResult)
SEND_EXCEPTION_CALLBACK = ctypes.CFUNCTYPE(None, _CMQException)
ON_SEND_SUCCESS_CALLBACK = ctypes.CFUNCTYPE(None, _CSendResult, c_void_p, c_void_p)
ON_SEND_EXCEPTION_CALLBACK = ctypes.CFUNCTYPE(None, _CMQException, c_void_p, c_void_p)
TRANSACTION_CHECK_CALLBACK = ctypes.CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p)
LOCAL_TRANSACTION_EXECUTE_CALLBACK = ctypes.CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p)
MSG_CALLBACK_FUNC = ctypes.CFUNCTYPE(c_int, c_void_p, c_void_p)

_handle = c_void_p
_text = c_char_p
_status = c_int

# name: (restype, argtypes). Handles are c_void_p; texts are NUL-terminated UTF-8.
_PROTOTYPES = {
    # CMessage.h, CMessageExt.h, CBatchMessage.h
    'CreateMessage': (_handle, [_text]),
    'DestroyMessage': (_status, [_handle]),
    'SetMessageTopic': (_status, [_handle, _text]),
    'SetMessageKeys': (_status, [_handle, _text]),
    'SetMessageTags': (_status, [_handle, _text]),
    'SetMessageBody': (_status, [_handle, _text]),
    'SetByteMessageBody': (_status, [_handle, _text, c_int]),
    'SetMessageProperty': (_status, [_handle, _text, _text]),
    'SetDelayTimeLevel': (_status, [_handle, c_int]),
    'GetMessageTopic': (_text, [_handle]),
    'GetMessageTags': (_text, [_handle]),
    'GetMessageKeys': (_text, [_handle]),
    'GetMessageBody': (_text, [_handle]),
    'GetMessageBodyLength': (c_int, [_handle]),
    'GetMessageProperty': (_text, [_handle, _text]),
    'GetMessageId': (_text, [_handle]),
    'GetMessageDelayTimeLevel': (c_int, [_handle]),
    'GetMessageQueueId': (c_int, [_handle]),
    'GetMessageReconsumeTimes': (c_int, [_handle]),
    'GetMessageStoreSize': (c_int, [_handle]),
    'GetMessageBornTimestamp': (c_longlong, [_handle]),
    'GetMessageStoreTimestamp': (c_longlong, [_handle]),
    'GetMessageQueueOffset': (c_longlong, [_handle]),
    'GetMessageCommitLogOffset': (c_longlong, [_handle]),
    'GetMessagePreparedTransactionOffset': (c_longlong, [_handle]),
    'GetMessageBornHost': (_text, [_handle]),
    'GetMessageStoreHost': (_text, [_handle]),
    'CreateBatchMessage': (_handle, []),
    'AddMessage': (_status, [_handle, _handle]),
    'DestroyBatchMessage': (_status, [_handle]),
    # CProducer.h
    'CreateProducer': (_handle, [_text]),
    'CreateOrderlyProducer': (_handle, [_text]),
    'CreateTransactionProducer': (_handle, [_text, TRANSACTION_CHECK_CALLBACK, c_void_p]),
    'DestroyProducer': (_status, [_handle]),
    'StartProducer': (_status, [_handle]),
    'ShutdownProducer': (_status, [_handle]),
    'SetProducerNameServerAddress': (_status, [_handle, _text]),
    'SetProducerNameServerDomain': (_status, [_handle, _text]),
    'SetProducerGroupName': (_status, [_handle, _text]),
    'SetProducerInstanceName': (_status, [_handle, _text]),
    'SetProducerSessionCredentials': (_status, [_handle, _text, _text, _text]),
    'SetProducerLogPath': (_status, [_handle, _text]),
    'SetProducerLogFileNumAndSize': (_status, [_handle, c_int, c_long]),
    'SetProducerLogLevel': (_status, [_handle, _CLogLevel]),
    'SetProducerSendMsgTimeout': (_status, [_handle, c_int]),
    'SetProducerCompressLevel': (_status, [_handle, c_int]),
    'SetProducerMaxMessageSize': (_status, [_handle, c_int]),
    'SetProducerMessageTrace': (_status, [_handle, TraceModel]),
    'SetProducerSsl': (_status, [_handle, c_int]),
    'SetProducerSslPropertyFile': (_status, [_handle, _text]),
    'SendMessageSync': (_status, [_handle, _handle, POINTER(_CSendResult)]),
    'SendMessageOneway': (_status, [_handle, _handle]),
    'SendBatchMessage': (_status, [_handle, _handle, POINTER(_CSendResult)]),
    'SendAsync': (_status, [_handle, _handle, ON_SEND_SUCCESS_CALLBACK, ON_SEND_EXCEPTION_CALLBACK,
                            c_void_p]),
    'SendMessageOrderly': (_status, [_handle, _handle, QUEUE_SELECTOR_CALLBACK, c_void_p, c_int,
                                     POINTER(_CSendResult)]),
    'SendMessageOrderlyByShardingKey': (_status, [_handle, _handle, _text, POINTER(_CSendResult)]),
    'SendMessageTransaction': (_status, [_handle, _handle, LOCAL_TRANSACTION_EXECUTE_CALLBACK,
                                         c_void_p, POINTER(_CSendResult)]),
    'CancelScheduledMessage': (_status, [_handle, _text, _text, c_longlong]),
    # CPushConsumer.h
    'CreatePushConsumer': (_handle, [_text]),
    'DestroyPushConsumer': (_status, [_handle]),
    'StartPushConsumer': (_status, [_handle]),
    'ShutdownPushConsumer': (_status, [_handle]),
    'SetPushConsumerGroupID': (_status, [_handle, _text]),
    'GetPushConsumerGroupID': (_text, [_handle]),
    'SetPushConsumerNameServerAddress': (_status, [_handle, _text]),
    'SetPushConsumerNameServerDomain': (_status, [_handle, _text]),
    'Subscribe': (_status, [_handle, _text, _text]),
    'RegisterMessageCallbackOrderly': (_status, [_handle, MSG_CALLBACK_FUNC]),
    'RegisterMessageCallback': (_status, [_handle, MSG_CALLBACK_FUNC]),
    'UnregisterMessageCallbackOrderly': (_status, [_handle]),
    'UnregisterMessageCallback': (_status, [_handle]),
    'SetPushConsumerThreadCount': (_status, [_handle, c_int]),
    'SetPushConsumerMessageBatchMaxSize': (_status, [_handle, c_int]),
    'SetPushConsumerInstanceName': (_status, [_handle, _text]),
    'SetPushConsumerSessionCredentials': (_status, [_handle, _text, _text, _text]),
    'SetPushConsumerLogPath': (_status, [_handle, _text]),
    'SetPushConsumerLogFileNumAndSize': (_status, [_handle, c_int, c_long]),
    'SetPushConsumerLogLevel': (_status, [_handle, _CLogLevel]),
    'SetPushConsumerMessageModel': (_status, [_handle, MessageModel]),
    'SetPushConsumerMaxCacheMessageSize': (_status, [_handle, c_int]),
    'SetPushConsumerMaxCacheMessageSizeInMb': (_status, [_handle, c_int]),
    'SetPushConsumerMaxConsumeTps': (_status, [_handle, c_int]),
    'SetPushConsumerMaxReconsumeTimes': (_status, [_handle, c_int]),
    'SetPushConsumerConsumeFromWhere': (_status, [_handle, c_int, c_longlong]),
    'SetPushConsumerMessageTrace': (_status, [_handle, TraceModel]),
    'SetPushConsumerSsl': (_status, [_handle, c_int]),
    'SetPushConsumerSslPropertyFile': (_status, [_handle, _text]),
    # CPullConsumer.h
    'CreatePullConsumer': (_handle, [_text]),
    'DestroyPullConsumer': (_status, [_handle]),
    'StartPullConsumer': (_status, [_handle]),
    'ShutdownPullConsumer': (_status, [_handle]),
    'SetPullConsumerGroupID': (_status, [_handle, _text]),
    'GetPullConsumerGroupID': (_text, [_handle]),
    'SetPullConsumerNameServerAddress': (_status, [_handle, _text]),
    'SetPullConsumerNameServerDomain': (_status, [_handle, _text]),
    'SetPullConsumerSessionCredentials': (_status, [_handle, _text, _text, _text]),
    'SetPullConsumerLogPath': (_status, [_handle, _text]),
    'SetPullConsumerLogFileNumAndSize': (_status, [_handle, c_int, c_long]),
    'SetPullConsumerLogLevel': (_status, [_handle, _CLogLevel]),
    'SetPullConsumerSsl': (_status, [_handle, c_int]),
    'SetPullConsumerSslPropertyFile': (_status, [_handle, _text]),
    'FetchSubscriptionMessageQueues': (_status, [_handle, _text, POINTER(POINTER(_CMessageQueue)),
                                                 POINTER(c_int)]),
    'ReleaseSubscriptionMessageQueue': (_status, [POINTER(_CMessageQueue)]),
    'Pull': (_CPullResult, [_handle, POINTER(_CMessageQueue), _text, c_longlong, c_int]),
    'ReleasePullResult': (_status, [_CPullResult]),
    # CErrorMessage.h
    'GetLatestErrorMessage': (_text, []),
}

for _name, (_restype, _argtypes) in _PROTOTYPES.items():
    _function = getattr(dll, _name)
    _function.restype = _restype
    _function.argtypes = _argtypes

# GetMessageBody as a pointer to bytes: sliced to GetMessageBodyLength it reads bodies that hold
# NUL bytes (the c_char_p declaration above stops at the first one, as 2.0.0 did).
body_pointer = dll['GetMessageBody']
body_pointer.restype = POINTER(c_char)
body_pointer.argtypes = [c_void_p]


def unchecked_function(name, restype):
    """A function of the library with no argtypes, for hot paths whose callers pass arguments of
    the right C type already (ctypes objects, bytes or None for texts, ints for C ints)."""
    function = dll[name]  # a new function object: the declared one keeps its argtypes
    function.restype = restype
    return function
