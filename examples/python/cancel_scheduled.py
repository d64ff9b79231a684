# -*- coding: utf-8 -*-
"""Cancel a message scheduled with __STARTDELIVERTIME before it is delivered, with the unchanged
2.0.0 package: send a message to the same topic with the properties
    __CANCEL_SCHEDULED_MSG = the msg_id send_sync returned for the scheduled message
    __STARTDELIVERTIME     = the same epoch milliseconds it was scheduled with
through send_sync (not send_oneway or send_orderly_with_sharding_key: a cancellation must reach
every broker of the topic, and fails with a text otherwise). C programs can call
CancelScheduledMessage(producer, topic, msgId, startDeliverTime), which does the same.

    python cancel_scheduled.py [NAMESRV [TOPIC]]  (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)

The library turns the cancellation into the 5.x broker's timer delete markers, sent to every
broker of the topic; neither the cancelled message nor the cancellation is ever delivered. No
broker setting is needed. Two messages are scheduled for now + 5 s, one is cancelled: the
PushConsumer must get the control message at its time and never the cancelled one nor the
cancellation (it waits 3 s more); otherwise exit 1. A cancellation after the time fails ("too late").

Apache RocketMQ 5.x only: 4.x has no timer messages (a scheduled message is delivered at once),
so there the cancellation fails with ProducerSendSyncFailed, a text saying the broker is 4.x,
and nothing is sent (a 4.x broker would deliver the cancellation as an ordinary message).
"""
import sys
import time

from rocketmq.client import Message, Producer
from rocketmq.exceptions import ProducerSendSyncFailed, RocketMQException

from collect import Collector, clock, say
from readback import example_args, run_tag

DELAY = 5.0
QUIET = 3.0


def main():
    namesrv, topic = example_args()
    tag = run_tag('cancel')
    keys = {'cancelled': tag + '-cancelled', 'control': tag + '-control', 'cancellation': tag + '-cancellation'}

    collector = Collector(namesrv, topic, tag)
    collector.start()

    producer = Producer('example_py_cancel_producer')
    producer.set_name_server_address(namesrv)
    producer.start()
    try:
        deliver_at_ms = int(time.time() * 1000 + DELAY * 1000)
        say('both scheduled for %s (__STARTDELIVERTIME=%d)' % (clock(deliver_at_ms / 1000.0), deliver_at_ms))
        ids = {}
        for name in ('cancelled', 'control'):
            msg = Message(topic)
            msg.set_tags('TagScheduled')
            msg.set_keys(keys[name])
            msg.set_body('cancelled before its time: never delivered' if name == 'cancelled' else 'control: delivered')
            msg.set_property('__STARTDELIVERTIME', str(deliver_at_ms))
            ids[name] = producer.send_sync(msg).msg_id
            say('sent %-10s msg_id=%s' % (name, ids[name]))

        def cancellation():
            cancel = Message(topic)
            cancel.set_keys(keys['cancellation'])  # only to show it is never delivered either
            cancel.set_body('cancel')
            cancel.set_property('__CANCEL_SCHEDULED_MSG', ids['cancelled'])
            cancel.set_property('__STARTDELIVERTIME', str(deliver_at_ms))
            return producer.send_sync(cancel)

        r = cancellation()
        say('cancelled  %s (send_sync of the cancellation: status=%s msg_id=%s)' % (
            ids['cancelled'], r.status.name, r.msg_id))

        say('waiting for the control message (about 5 s)...')
        ok = collector.wait(1, timeout=30)
        time.sleep(QUIET)  # the cancelled one was due at the same time: would it come?

        try:  # too late: the time has passed, the library refuses (nothing is sent)
            cancellation()
            too_late = None
        except ProducerSendSyncFailed as e:
            too_late = e
        say('cancelling again after its time: %s: %s' % (type(too_late).__name__, too_late))
    except RocketMQException as e:
        sys.exit('ERROR: %s: %s' % (type(e).__name__, e))
    finally:
        producer.shutdown()
        collector.close()

    failed = False
    control = collector.find(keys['control'])
    if not ok or control is None:
        say('ERROR: the control message did not arrive within 30 s')
        failed = True
    else:
        say('control      arrived %+d ms relative to its time' % (control['at'] * 1000 - deliver_at_ms))
    for name in ('cancelled', 'cancellation'):
        got = collector.count(keys[name])
        say('%-12s consumed %d time(s), expected 0' % (name, got))
        failed = failed or got != 0
    if too_late is None:
        say('ERROR: a cancellation after the message\'s time succeeded')
        failed = True
    if failed:
        sys.exit('ERROR: the cancellation did not work as described')
    say('cancel_scheduled.py: the cancelled message was not delivered, the control message was')


if __name__ == '__main__':
    main()
