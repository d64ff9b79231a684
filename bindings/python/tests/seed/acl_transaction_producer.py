# Seed copy: dms-rocketmq-developer-guide.txt, 5.5 "Adding User Authentication Information to
# the Producer" (transactional messages).
# Changed, nothing else: topic, gid and name_srv come from the environment (SEED_TOPIC,
# SEED_GROUP, SEED_NAMESRV) instead of 'TopicTest', 'test' and '192.168.0.1:8100'; the
# guide's `// Hard-coded ...` remark after set_session_credentials (not Python) is a `#` comment;
# the endless `while True: time.sleep(3600)` is bounded: until_stopped() (seed_bound.py)
# returns when the test says so.
import os
import time

from rocketmq.client import Message, TransactionMQProducer, TransactionStatus
from seed_bound import until_stopped

topic = os.environ['SEED_TOPIC']
gid = os.environ['SEED_GROUP']
name_srv = os.environ['SEED_NAMESRV']

def create_message():
    msg = Message(topic)
    msg.set_keys('XXX')
    msg.set_tags('XXX')
    msg.set_property('property', 'test')
    msg.set_body('message body')
    return msg

def check_callback(msg):
    print('check: ' + msg.body.decode('utf-8'))
    return TransactionStatus.COMMIT

def local_execute(msg, user_args):
    print('local: ' + msg.body.decode('utf-8'))
    return TransactionStatus.UNKNOWN

def send_transaction_message(count):
    producer = TransactionMQProducer(gid, check_callback)
    producer.set_name_server_address(name_srv)
    producer.set_session_credentials(os.getenv("ROCKETMQ_AK"), os.getenv("ROCKETMQ_SK"), "") # Hard-coded or plaintext username and key are risky. You are advised to store them in ciphertext in a configuration file or an environment variable.
    producer.start()
    for n in range(count):
        msg = create_message()
        ret = producer.send_message_in_transaction(msg, local_execute, None)
        print('send message status: ' + str(ret.status) + ' msgId: ' + ret.msg_id)
        print('send transaction message done')

    until_stopped()

if __name__ == '__main__':
    send_transaction_message(10)
