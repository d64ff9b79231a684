# -*- coding: utf-8 -*-
"""Transactional messages: TransactionMQProducer, send_message_in_transaction, the local
executor and the broker's check-back.

    python transaction_producer.py [NAMESRV [TOPIC]]  (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)

send_message_in_transaction stores a "half" message (invisible to consumers), calls
local_execute(msg, user_args) on this thread and sends its verdict: COMMIT (delivered), ROLLBACK
(dropped) or UNKNOWN (the broker asks again later through the checker given to the producer, on
a library thread, until it gets COMMIT or ROLLBACK). The checker answers from the application's
own record of the transaction.

Three transactions: committed, rolled back, and UNKNOWN then committed by the checker. A
PushConsumer must get exactly the two committed messages, each once; else the program exits 1.
The broker checks undecided transactions older than transactionTimeOut (default 6 s) every
transactionCheckInterval (default 60 s on 4.x, 30 s on 5.x); scripts/brokers.sh sets 2 s / 1 s.
Same on Apache RocketMQ 4.x and 5.x.
"""
import sys
import threading
import time

from rocketmq.client import Message, TransactionMQProducer, TransactionStatus

from collect import Collector, say
from readback import example_args, run_tag

QUIET = 4.0  # seconds the rolled-back message must stay away after the last commit arrived
NAMES = ['commit', 'rollback', 'unknown']
_KEEP = []   # the producer (and its checker thunk) lives as long as the process


def main():
    namesrv, topic = example_args()
    tag = run_tag('tx')
    keys = {name: '%s-%s' % (tag, name) for name in NAMES}
    state = {}  # the application's record: keys -> 'committed' | 'rolled back' | 'pending'
    lock = threading.Lock()
    checks = []

    def local_execute(msg, user_args):  # on this thread, inside send_message_in_transaction
        k = msg.keys.decode('utf-8')
        name = k.rsplit('-', 1)[1]
        verdict = {'commit': TransactionStatus.COMMIT, 'rollback': TransactionStatus.ROLLBACK}.get(
            name, TransactionStatus.UNKNOWN)  # 'unknown': the local transaction is not finished yet
        with lock:
            state[k] = {TransactionStatus.COMMIT: 'committed', TransactionStatus.ROLLBACK: 'rolled back'}.get(
                verdict, 'pending')
        say('executor   %-8s -> %s' % (name, verdict.name))
        return verdict

    def check(msg):  # the broker's check-back, on a library thread; msg is the whole half message
        k = msg.keys.decode('utf-8')
        with lock:
            if k not in state:
                verdict = TransactionStatus.UNKNOWN  # not one of ours
            else:
                checks.append(k)
                if state[k] == 'pending':  # the local transaction has finished meanwhile: it worked
                    state[k] = 'committed'
                verdict = TransactionStatus.COMMIT if state[k] == 'committed' else TransactionStatus.ROLLBACK
        say('checker    keys=%s msg_id=%s -> %s' % (k, msg.id, verdict.name))
        return verdict

    collector = Collector(namesrv, topic, tag)
    collector.start()

    # Check-backs go to any producer of the group: a group of its own keeps other programs'
    # transactions away from this checker.
    producer = TransactionMQProducer('example_py_tx_producer_' + tag, check)
    _KEEP.append(producer)
    producer.set_name_server_address(namesrv)
    producer.start()
    ids = {}
    for i, name in enumerate(NAMES):
        msg = Message(topic)
        msg.set_tags('TagTx')
        msg.set_keys(keys[name])
        msg.set_body('transaction %d: the executor answers %s' % (i, name))
        result = producer.send_message_in_transaction(msg, local_execute)
        ids[name] = result.msg_id
        say('sent %-10s status=%s msg_id=%s offset=%d' % (name, result.status.name, result.msg_id, result.offset))

    say('waiting for the two committed messages (the checker runs within a few seconds)...')
    ok = collector.wait(2, timeout=60)
    time.sleep(QUIET)  # would the rolled-back one (or a duplicate) still come?
    producer.shutdown()  # no checker runs after this returned
    collector.close()

    failed = not ok
    for name in NAMES:
        want, got = (0 if name == 'rollback' else 1), collector.count(keys[name])
        say('%-8s consumed %d time(s), expected %d' % (name, got, want))
        a = collector.find(keys[name])
        if got != want:
            failed = True
        elif a is not None and a['msg_id'] != ids[name]:
            say('ERROR: %s arrived with id %s, the send returned %s' % (name, a['msg_id'], ids[name]))
            failed = True
    if not checks:
        say('ERROR: the checker was never called')
        failed = True
    if failed:
        sys.exit('ERROR: the consumer did not get exactly the committed transactions')
    say('transaction_producer.py: committed and checked-then-committed messages consumed once each, '
          'the rolled-back one never (%d check-back(s))' % len(checks))


if __name__ == '__main__':
    main()
