# -*- coding: utf-8 -*-
"""A Producer and a PushConsumer on brokers with ACL on: set_session_credentials(access_key,
secret_key, channel).

    ROCKETMQ_ACCESS_KEY=... ROCKETMQ_SECRET_KEY=... python acl_client.py [NAMESRV [TOPIC]]

The keys come from the environment: ROCKETMQ_ACCESS_KEY / ROCKETMQ_SECRET_KEY, else
RMQ_ACL_ACCESS_KEY / RMQ_ACL_SECRET_KEY (what `RMQ_PROFILE=acl scripts/brokers.sh env` prints).
These are this example's names; the library reads no credentials from the environment.

Every request to a broker is signed (HMAC-SHA1; the secret is never sent) and checked by the
broker: Apache RocketMQ 4.x with ACL 1.0 (plain_acl.yml), 5.x with ACL 2.0 authentication. The
code is the same for both; name servers do not check.

1. Right keys: two messages sent and consumed.
2. Wrong secret: producer.start() works (name server only), send_sync raises ProducerSendSyncFailed
   and PushConsumer.start() raises PushConsumerStartFailed, both with a text that says
   "access denied by broker ...".
Exit 1 if any of that did not happen.
"""
import os
import sys

from rocketmq.client import Message, Producer, PushConsumer
from rocketmq.exceptions import RocketMQException

from collect import Collector, say
from readback import example_args, run_tag

COUNT = 2


def env2(name, fallback):
    return os.environ.get(name) or os.environ.get(fallback)


def expect_denied(what, call):
    """Runs call(), which must be refused with "access denied"; True if it was."""
    try:
        call()
    except RocketMQException as e:
        say('%s raised %s: %s' % (what, type(e).__name__, e))
        if 'access denied' in str(e).lower():
            return True
    else:
        say('%s succeeded' % what)
    say('ERROR: %s should have been refused with "access denied"' % what)
    return False


def main():
    namesrv, topic = example_args()
    access_key = env2('ROCKETMQ_ACCESS_KEY', 'RMQ_ACL_ACCESS_KEY')
    secret_key = env2('ROCKETMQ_SECRET_KEY', 'RMQ_ACL_SECRET_KEY')
    if not access_key or not secret_key:
        sys.stderr.write('set ROCKETMQ_ACCESS_KEY and ROCKETMQ_SECRET_KEY '
                         '(or: eval "$(RMQ_PROFILE=acl scripts/brokers.sh env)")\n')
        sys.exit(2)
    tag = run_tag('acl')
    say('access key %s on %s, topic %s' % (access_key, namesrv, topic))

    # 1. the right keys. channel: 'ALIYUN' is 2.2.0's default; Apache brokers ignore it.
    collector = Collector(namesrv, topic, tag)
    collector.consumer.set_session_credentials(access_key, secret_key, 'ALIYUN')
    collector.start()
    producer = Producer('example_py_acl_producer')
    producer.set_name_server_address(namesrv)
    producer.set_session_credentials(access_key, secret_key, 'ALIYUN')
    producer.start()
    try:
        for i in range(COUNT):
            msg = Message(topic)
            msg.set_tags('TagAcl')
            msg.set_keys('%s-%d' % (tag, i))
            msg.set_body('signed with the right keys')
            say('sent %s-%d msg_id=%s' % (tag, i, producer.send_sync(msg).msg_id))
    finally:
        producer.shutdown()
    ok = collector.wait(COUNT, timeout=30)
    collector.close()
    failed = not ok
    if not ok:
        say('ERROR: consumed %d of %d messages' % (len(collector.arrivals), COUNT))

    # 2. a wrong secret
    say('\nnow with a wrong secret:')
    wrong = secret_key + '-wrong'
    producer = Producer('example_py_acl_producer', timeout=3000)
    producer.set_name_server_address(namesrv)
    producer.set_session_credentials(access_key, wrong, 'ALIYUN')
    producer.start()
    msg = Message(topic)
    msg.set_keys(tag + '-refused')
    msg.set_body('signed with a wrong secret')
    failed |= not expect_denied('send_sync', lambda: producer.send_sync(msg))
    producer.shutdown()

    refused = PushConsumer('example_py_acl_refused_' + tag)
    refused.set_name_server_address(namesrv)
    refused.set_session_credentials(access_key, wrong, 'ALIYUN')
    refused.subscribe(topic, collector._on_message)
    failed |= not expect_denied('PushConsumer.start', refused.start)

    if failed:
        sys.exit('ERROR: ACL did not behave as described')
    say('acl_client.py: %d messages sent and consumed with the right keys; a wrong secret is refused' % COUNT)


if __name__ == '__main__':
    main()
