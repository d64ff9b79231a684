# -*- coding: utf-8 -*-
"""PushConsumer: the library pulls and calls a Python function for every message.

    python push_consumer.py [NAMESRV [TOPIC]]   (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)

Sends a few messages, consumes them with a push consumer (one refused once, so it is delivered
again), then shuts down.
"""
import threading
import time

from rocketmq.client import ConsumeStatus, Message, Producer, PushConsumer

from readback import example_args, run_tag

COUNT = 4


def main():
    namesrv, topic = example_args()
    tag = run_tag('pypush')
    seen = set()
    refused = set()
    done = threading.Event()

    def on_message(msg):  # runs on a consume thread of the library
        keys = msg.keys.decode('utf-8')  # keys, tags, body: bytes; topic, id: str
        if tag not in keys:
            return ConsumeStatus.CONSUME_SUCCESS
        if keys.endswith('-0') and keys not in refused:
            refused.add(keys)
            print('consumed %s -> RECONSUME_LATER (delivered again later)' % keys)
            return ConsumeStatus.RECONSUME_LATER
        print('consumed %s body=%r queue=%d reconsume_times=%d id=%s' % (
            keys, msg.body.decode('utf-8'), msg.queue_id, msg.reconsume_times, msg.id))
        seen.add(keys)
        if len(seen) == COUNT:
            done.set()
        return ConsumeStatus.CONSUME_SUCCESS

    consumer = PushConsumer('example_py_push_' + tag)  # a new group starts at the queue ends
    consumer.set_name_server_address(namesrv)
    consumer.subscribe(topic, on_message)
    consumer.start()

    producer = Producer('example_py_push_producer')
    producer.set_name_server_address(namesrv)
    producer.start()
    try:
        for i in range(COUNT):
            msg = Message(topic)
            msg.set_keys('%s-%d' % (tag, i))
            msg.set_body('hello push consumer #%d' % i)
            print('sent %s-%d msg_id=%s' % (tag, i, producer.send_sync(msg).msg_id))
    finally:
        producer.shutdown()

    deadline = time.time() + 30
    while not done.is_set() and time.time() < deadline:
        done.wait(0.1)
    consumer.shutdown()
    assert done.is_set(), 'consumed %d of %d' % (len(seen), COUNT)
    print('push_consumer.py: %d messages consumed (one of them twice)' % COUNT)


if __name__ == '__main__':
    main()
