# -*- coding: utf-8 -*-
"""send_sync: send, wait for the broker's answer, print it; then read the messages back.

    python sync_producer.py [NAMESRV [TOPIC]]   (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
"""
from rocketmq.client import Message, Producer

from readback import Reader, example_args, run_tag

COUNT = 3


def main():
    namesrv, topic = example_args()
    tag = run_tag('sync')
    reader = Reader(namesrv, topic, show_property='order_source')  # before sending

    producer = Producer('example_py_sync_producer', timeout=3000)  # send timeout in ms
    producer.set_name_server_address(namesrv)
    producer.start()
    ids = []
    try:
        for i in range(COUNT):
            msg = Message(topic)  # a new Message per send (a resent Message keeps its msgId)
            msg.set_tags('TagA')
            msg.set_keys('%s-%d' % (tag, i))
            msg.set_body('hello from sync_producer.py #%d' % i)
            msg.set_property('order_source', 'example')
            result = producer.send_sync(msg)  # SendResult(status, msg_id, offset)
            print('sent %s status=%s msg_id=%s offset=%d' % ('%s-%d' % (tag, i), result.status.name,
                                                             result.msg_id, result.offset))
            ids.append(result.msg_id)
    finally:
        producer.shutdown()

    got = reader.wait(tag, COUNT)
    reader.close()
    assert sorted(m['msg_id'] for m in got) == sorted(ids), 'read back other messages than sent'
    print('sync_producer.py: %d messages sent and read back' % COUNT)


if __name__ == '__main__':
    main()
