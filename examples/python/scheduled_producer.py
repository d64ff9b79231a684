# -*- coding: utf-8 -*-
"""Delivery at a chosen time (the property __STARTDELIVERTIME) and after a fixed delay
(set_delay_time_level), consumed by a PushConsumer that prints how late each came.

    python scheduled_producer.py [NAMESRV [TOPIC [4|5]]]  (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)

Two messages, sent at the same moment:
  timer  set_property('__STARTDELIVERTIME', str(epoch milliseconds of now + 4 s)); the library also
         sets the 5.x broker's TIMER_DELIVER_MS from it.
         Apache RocketMQ 5.x delivers it at that time (at the first whole second at or after it:
           the broker's timer works in 1 s slots); a past time is delivered at once, more than a
           year ahead fails at send.
         Apache RocketMQ 4.x has NO timer messages: delivered AT ONCE, and the library log
           ($HOME/logs/rocketmq-rust/rocketmq_client.log) has a WARN "broker ... has no timer
           messages: <msg_id> with __STARTDELIVERTIME is delivered at once".
  level  set_delay_time_level(2): the broker's fixed delay level 2 (5 s), on 4.x and 5.x alike.

The optional third argument says which broker this is and makes the program check it: 5 = the
timer message must arrive at its time (0 to 5 s late), 4 = at once. Without it the program only
reports. The delay-level message must arrive about 5 s after sending. Otherwise exit 1.
"""
import sys
import time

from rocketmq.client import Message, Producer

from collect import Collector, clock, say
from readback import example_args, run_tag

TIMER_DELAY = 4.0
LEVEL, LEVEL_DELAY = 2, 5.0


def main():
    namesrv, topic = example_args()
    version = sys.argv[3] if len(sys.argv) > 3 else None
    tag = run_tag('sched')
    timer_keys, level_keys = tag + '-timer', tag + '-level'

    collector = Collector(namesrv, topic, tag)
    collector.start()

    producer = Producer('example_py_scheduled_producer')
    producer.set_name_server_address(namesrv)
    producer.start()
    try:
        sent_at = time.time()
        deliver_at_ms = int(sent_at * 1000 + TIMER_DELAY * 1000)
        timer = Message(topic)
        timer.set_tags('TagTimer')
        timer.set_keys(timer_keys)
        timer.set_body('deliver me at __STARTDELIVERTIME')
        timer.set_property('__STARTDELIVERTIME', str(deliver_at_ms))
        r = producer.send_sync(timer)
        say('sent timer status=%s msg_id=%s, __STARTDELIVERTIME=%d (%s)' % (
            r.status.name, r.msg_id, deliver_at_ms, clock(deliver_at_ms / 1000.0)))

        level = Message(topic)
        level.set_tags('TagDelayLevel')
        level.set_keys(level_keys)
        level.set_body('deliver me after delay level 2 (5 s)')
        level.set_delay_time_level(LEVEL)
        r = producer.send_sync(level)
        say('sent level status=%s msg_id=%s' % (r.status.name, r.msg_id))
    finally:
        producer.shutdown()

    say('waiting for both (about 5 s)...')
    collector.wait(2, timeout=30)
    collector.close()

    failed = False
    t, l = collector.find(timer_keys), collector.find(level_keys)
    if t is None:
        say('ERROR: the timer message did not arrive within 30 s')
        failed = True
    else:
        late = t['at'] * 1000 - deliver_at_ms
        say('timer  message: arrived %+d ms relative to __STARTDELIVERTIME (%d ms after sending)' % (
            late, (t['at'] - sent_at) * 1000))
        at_once = late < -TIMER_DELAY * 1000 / 2
        if at_once:
            say('       -> delivered at once: this broker has no timer messages (Apache RocketMQ 4.x);\n'
                  '          the library logs a WARN "has no timer messages" for %s' % t['msg_id'])
        else:
            say("       -> delivered at its time by the broker's timer (Apache RocketMQ 5.x)")
        if version == '5' and not -200 <= late <= 5000:
            say('ERROR: on 5.x the timer message must arrive at its time (0 to 5000 ms late)')
            failed = True
        if version == '4' and not at_once:
            say('ERROR: on 4.x the timer message must arrive at once')
            failed = True
    if l is None:
        say('ERROR: the delay-level message did not arrive within 30 s')
        failed = True
    else:
        after = l['at'] - sent_at
        say('level  message: arrived %d ms after sending (level %d = %d ms, %+d ms)' % (
            after * 1000, LEVEL, LEVEL_DELAY * 1000, (after - LEVEL_DELAY) * 1000))
        if not LEVEL_DELAY - 0.5 <= after <= 2 * LEVEL_DELAY:
            say('ERROR: delay level %d must deliver after about %d s' % (LEVEL, LEVEL_DELAY))
            failed = True
    if failed:
        sys.exit('ERROR: scheduled delivery did not behave as described')
    say('scheduled_producer.py: both messages arrived when expected')


if __name__ == '__main__':
    main()
