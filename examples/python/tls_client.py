# -*- coding: utf-8 -*-
"""A Producer and a PushConsumer over TLS with the unchanged 2.0.0 package, which has no TLS
setting of its own: the library reads two environment variables when a handle is created.

    ROCKETMQ_TLS=1 ROCKETMQ_TLS_PROPERTY_FILE=/path/tls.properties python tls_client.py [NAMESRV [TOPIC]]
    python tls_client.py NAMESRV TOPIC /path/tls.properties     (sets both variables itself)

  ROCKETMQ_TLS=1 (or true)        TLS for every client whose Set*Ssl was not called (C programs
                                  call SetProducerSsl & co. instead: see tls_client.c)
  ROCKETMQ_TLS_PROPERTY_FILE      the property file for clients whose Set*SslPropertyFile was not
                                  called (default /etc/rocketmq/tls.properties), e.g. one line
                                  tls.client.trustCertPath=/path/ca.pem

1. With TLS on: two messages sent and consumed.
2. A producer created while ROCKETMQ_TLS=0 is plain, and a TLS-only server turns it away
   (send_sync raises ProducerSendSyncFailed "... (does the server require TLS?)").
Exit 1 if any of that did not happen.
"""
import os
import sys

from rocketmq.client import Message, Producer
from rocketmq.exceptions import RocketMQException

from collect import Collector, say
from readback import example_args, run_tag

COUNT = 2


def main():
    namesrv, topic = example_args()
    if len(sys.argv) > 3:  # the same as exporting both before starting Python
        os.environ['ROCKETMQ_TLS'] = '1'
        os.environ['ROCKETMQ_TLS_PROPERTY_FILE'] = sys.argv[3]
    if os.environ.get('ROCKETMQ_TLS', '').lower() not in ('1', 'true', 'yes', 'on'):
        sys.stderr.write('set ROCKETMQ_TLS=1 and ROCKETMQ_TLS_PROPERTY_FILE (or pass the property file as '
                         'the third argument)\n')
        sys.exit(2)
    tag = run_tag('tls')
    say('TLS to %s, topic %s, ROCKETMQ_TLS=%s ROCKETMQ_TLS_PROPERTY_FILE=%s' % (
        namesrv, topic, os.environ['ROCKETMQ_TLS'], os.environ.get('ROCKETMQ_TLS_PROPERTY_FILE', '(default)')))

    # 1. over TLS: both handles are created while ROCKETMQ_TLS=1
    collector = Collector(namesrv, topic, tag)
    producer = Producer('example_py_tls_producer')
    producer.set_name_server_address(namesrv)
    try:
        collector.start()  # an unusable property file fails here, a failed handshake at the first send
        producer.start()
        for i in range(COUNT):
            msg = Message(topic)
            msg.set_tags('TagTls')
            msg.set_keys('%s-%d' % (tag, i))
            msg.set_body('sent over TLS')
            say('sent %s-%d msg_id=%s' % (tag, i, producer.send_sync(msg).msg_id))
    except RocketMQException as e:
        sys.exit('ERROR: %s: %s\n(a library without TLS ignores ROCKETMQ_TLS: examples/c/tls_client --probe tells)'
                 % (type(e).__name__, e))
    producer.shutdown()
    ok = collector.wait(COUNT, timeout=30)
    collector.close()
    failed = not ok
    if not ok:
        say('ERROR: consumed %d of %d messages' % (len(collector.arrivals), COUNT))

    # 2. without TLS: the variable is read when the handle is created
    say('\nnow without TLS (a producer created while ROCKETMQ_TLS=0):')
    saved = os.environ['ROCKETMQ_TLS']
    os.environ['ROCKETMQ_TLS'] = '0'
    plain = Producer('example_py_tls_plain_producer', timeout=3000)
    os.environ['ROCKETMQ_TLS'] = saved
    plain.set_name_server_address(namesrv)
    plain.start()
    msg = Message(topic)
    msg.set_body('plain text to a TLS-only server')
    try:
        plain.send_sync(msg)
        say('ERROR: a plain client could send to %s: does the server accept plain connections too?' % namesrv)
        failed = True
    except RocketMQException as e:
        say('send_sync raised %s: %s' % (type(e).__name__, e))
    plain.shutdown()

    if failed:
        sys.exit('ERROR: TLS did not behave as described')
    say('tls_client.py: %d messages sent and consumed over TLS; a plain client is turned away' % COUNT)


if __name__ == '__main__':
    main()
