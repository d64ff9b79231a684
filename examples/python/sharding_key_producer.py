# -*- coding: utf-8 -*-
"""send_orderly_with_sharding_key: messages with the same sharding key go to the same queue,
in order. Reading back shows each key's messages in one queue.

    python sharding_key_producer.py [NAMESRV [TOPIC]]  (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
"""
from rocketmq.client import Message, Producer

from readback import Reader, example_args, run_tag

SHARDING_KEYS = ['customer-alice', 'customer-bob']
PER_KEY = 3


def main():
    namesrv, topic = example_args()
    tag = run_tag('sharding')
    reader = Reader(namesrv, topic)

    producer = Producer('example_py_sharding_key_producer', orderly=True)  # CreateOrderlyProducer
    producer.set_name_server_address(namesrv)
    producer.start()
    sent = {}  # msg_id -> sharding key
    try:
        for i in range(PER_KEY):
            for key in SHARDING_KEYS:
                msg = Message(topic)
                msg.set_tags('TagSharding')
                msg.set_keys('%s-%s-%d' % (tag, key, i))
                msg.set_body('event %d of %s' % (i, key))
                result = producer.send_orderly_with_sharding_key(msg, key)
                print('sent %s-%s-%d status=%s msg_id=%s offset=%d' % (tag, key, i, result.status.name,
                                                                     result.msg_id, result.offset))
                sent[result.msg_id] = key
    finally:
        producer.shutdown()

    got = reader.wait(tag, len(sent))
    reader.close()
    for key in SHARDING_KEYS:
        queues = set(m['queue_id'] for m in got if sent.get(m['msg_id']) == key)
        assert len(queues) == 1, 'messages of %s are in queues %s' % (key, sorted(queues))
        print('sharding key %s -> queue %d' % (key, queues.pop()))
    print('sharding_key_producer.py: %d messages sent and read back' % len(sent))


if __name__ == '__main__':
    main()
