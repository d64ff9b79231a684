# -*- coding: utf-8 -*-
"""A batch send from Python. rocketmq-client-python 2.0.0 has no batch API, but its ffi module
declares the C functions CreateBatchMessage / AddMessage / SendBatchMessage / DestroyBatchMessage
on rocketmq.ffi.dll; they take the C handles the package's own objects hold in `_handle`
(Message._handle, Producer._handle).

    python batch_producer.py [NAMESRV [TOPIC]]  (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
"""
import ctypes

from rocketmq.client import Message, Producer, SendResult, SendStatus
from rocketmq.exceptions import ffi_check  # raises the package's exception for a C status code
from rocketmq.ffi import _CSendResult, dll

from readback import Reader, example_args, run_tag

COUNT = 4


def send_batch(producer, messages):
    """Sends Message objects as one batch (same topic, no delay level); returns a SendResult."""
    batch = dll.CreateBatchMessage()
    if not batch:
        raise MemoryError('CreateBatchMessage returned NULL')
    try:
        for msg in messages:
            ffi_check(dll.AddMessage(batch, msg._handle))  # copies the message into the batch
        c_result = _CSendResult()
        ffi_check(dll.SendBatchMessage(producer._handle, batch, ctypes.byref(c_result)))
    finally:
        dll.DestroyBatchMessage(batch)
    return SendResult(SendStatus(c_result.sendStatus), c_result.msgId.decode('utf-8'), c_result.offset)


def main():
    namesrv, topic = example_args()
    tag = run_tag('batch')
    reader = Reader(namesrv, topic)

    producer = Producer('example_py_batch_producer')
    producer.set_name_server_address(namesrv)
    producer.start()
    try:
        messages = []
        for i in range(COUNT):
            msg = Message(topic)
            msg.set_tags('TagBatch')
            msg.set_keys('%s-%d' % (tag, i))
            msg.set_body('hello from batch_producer.py #%d' % i)
            messages.append(msg)
        result = send_batch(producer, messages)
        # one result for the whole batch: msg_id lists every message's id, offset is the first's
        print('sent batch status=%s msg_id=%s offset=%d' % (result.status.name, result.msg_id, result.offset))
    finally:
        producer.shutdown()

    got = reader.wait(tag, COUNT)
    reader.close()
    assert sorted(m['msg_id'] for m in got) == sorted(result.msg_id.split(','))
    assert len(set(m['queue_id'] for m in got)) == 1, 'a batch is stored in one queue'
    print('batch_producer.py: a batch of %d messages sent and read back (queue %d)' % (COUNT, got[0]['queue_id']))


if __name__ == '__main__':
    main()
