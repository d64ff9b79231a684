# -*- coding: utf-8 -*-
"""send_oneway: fire and forget (no send result); then read the messages back by their keys.

    python oneway_producer.py [NAMESRV [TOPIC]]  (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
"""
from rocketmq.client import Message, Producer

from readback import Reader, example_args, run_tag

COUNT = 3


def main():
    namesrv, topic = example_args()
    tag = run_tag('oneway')
    reader = Reader(namesrv, topic)

    producer = Producer('example_py_oneway_producer')
    producer.set_name_server_address(namesrv)
    producer.start()
    try:
        for i in range(COUNT):
            msg = Message(topic)
            msg.set_tags('TagOneway')
            msg.set_keys('%s-%d' % (tag, i))
            msg.set_body('hello from oneway_producer.py #%d' % i)
            producer.send_oneway(msg)  # returns None: the broker does not answer
            print('sent %s-%d (oneway: no send result)' % (tag, i))
    finally:
        producer.shutdown()

    reader.wait(tag, COUNT)  # matched by the keys: a oneway send gives no msg_id
    reader.close()
    print('oneway_producer.py: %d messages sent and read back' % COUNT)


if __name__ == '__main__':
    main()
