# -*- coding: utf-8 -*-
"""Exceptions, one class per status code of the C API (the classes and codes of
rocketmq-client-python 2.0.0, plus the pull consumer's and the transaction send's)."""
from typing import Dict, Optional, Type

from .ffi import _CStatus, dll

__all__ = [
    'RocketMQException', 'NullPointerException', 'MallocFailed', 'ProducerException',
    'ProducerStartFailed', 'ProducerSendSyncFailed', 'ProducerSendOnewayFailed',
    'ProducerSendOrderlyFailed', 'ProducerSendAsyncFailed', 'ProducerSendTransactionFailed',
    'ConsumerException', 'PushConsumerStartFailed', 'PullConsumerStartFailed',
    'PullConsumerFetchQueuesFailed', 'PullConsumerPullFailed', 'ffi_check',
]


class RocketMQException(Exception):
    """Base of every error this package raises for a failed call into the library."""


class NullPointerException(RocketMQException):
    """A required argument was missing (None), or a handle could not be created."""


class MallocFailed(RocketMQException):
    pass


class ProducerException(RocketMQException):
    pass


class ProducerStartFailed(ProducerException):
    """start() failed, or a producer setting was refused."""


class ProducerSendSyncFailed(ProducerException):
    pass


class ProducerSendOnewayFailed(ProducerException):
    pass


class ProducerSendOrderlyFailed(ProducerException):
    pass


class ProducerSendAsyncFailed(ProducerException):
    """An asynchronous send failed: raised by its future, or passed to its exception callback."""

    def __init__(self, msg, error=None, file=None, line=None, type=None):
        super(ProducerSendAsyncFailed, self).__init__(msg)
        self.error = error
        self.file = file
        self.line = line
        self.type = type


class ProducerSendTransactionFailed(ProducerException):
    pass


class ConsumerException(RocketMQException):
    pass


class PushConsumerStartFailed(ConsumerException):
    pass


class PullConsumerStartFailed(ConsumerException):
    pass


class PullConsumerFetchQueuesFailed(ConsumerException):
    pass


class PullConsumerPullFailed(ConsumerException):
    pass


# Status code -> class. 14 (async) stays with the base class as in 2.0.0: a failed SendAsync call
# raises RocketMQException there, and its callbacks get ProducerSendAsyncFailed here.
_EXCEPTION_MAP = {
    _CStatus.NULL_POINTER: NullPointerException,
    _CStatus.MALLOC_FAILED: MallocFailed,
    _CStatus.PRODUCER_START_FAILED: ProducerStartFailed,
    _CStatus.PRODUCER_SEND_SYNC_FAILED: ProducerSendSyncFailed,
    _CStatus.PRODUCER_SEND_ONEWAY_FAILED: ProducerSendOnewayFailed,
    _CStatus.PRODUCER_SEND_ORDERLY_FAILED: ProducerSendOrderlyFailed,
    _CStatus.PRODUCER_SEND_TRANSACTION_FAILED: ProducerSendTransactionFailed,
    _CStatus.PUSH_CONSUMER_START_FAILED: PushConsumerStartFailed,
    _CStatus.PULL_CONSUMER_START_FAILED: PullConsumerStartFailed,
    _CStatus.PULL_CONSUMER_FETCH_MQ_FAILED: PullConsumerFetchQueuesFailed,
    _CStatus.PULL_CONSUMER_FETCH_MESSAGE_FAILED: PullConsumerPullFailed,
}  # type: Dict[int, Type[RocketMQException]]


def latest_error_message():
    # type: () -> Optional[str]
    """The library's text for the last failed call on this thread."""
    text = dll.GetLatestErrorMessage()
    if text is None:
        return None
    text = text.decode('utf-8', 'replace')
    return text[5:] if text.startswith('msg: ') else text


def ffi_check(status_code):
    # type: (int) -> None
    """Raises the exception class of a non-zero status, with the library's error text."""
    if status_code == 0:
        return
    raise _EXCEPTION_MAP.get(status_code, RocketMQException)(latest_error_message())
