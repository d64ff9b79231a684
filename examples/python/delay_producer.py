# -*- coding: utf-8 -*-
"""set_delay_time_level(2): the broker delivers the message 5 s later (levels: 1s 5s 10s 30s
1m ...). The send result's offset is an offset in the broker's internal schedule topic; the
message reaches the real topic - and can be read back - when the delay is over.

    python delay_producer.py [NAMESRV [TOPIC]]  (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
"""
import time

from rocketmq.client import Message, Producer

from readback import Reader, example_args, run_tag


def main():
    namesrv, topic = example_args()
    tag = run_tag('delay')
    reader = Reader(namesrv, topic)

    producer = Producer('example_py_delay_producer')
    producer.set_name_server_address(namesrv)
    producer.start()
    try:
        msg = Message(topic)
        msg.set_tags('TagDelay')
        msg.set_keys('%s-0' % tag)
        msg.set_body('hello from delay_producer.py (level 2 = 5 s)')
        msg.set_delay_time_level(2)
        sent_at = time.time()
        result = producer.send_sync(msg)
        print('sent %s-0 status=%s msg_id=%s offset=%d' % (tag, result.status.name, result.msg_id, result.offset))
    finally:
        producer.shutdown()

    print('waiting for the delayed message (about 5 s)...')
    got = reader.wait(tag, 1, timeout=30)
    reader.close()
    assert got[0]['msg_id'] == result.msg_id
    print('delay_producer.py: read back %.1f s after sending' % (time.time() - sent_at))


if __name__ == '__main__':
    main()
