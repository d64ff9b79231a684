# Seed copy: dms-rocketmq-developer-guide.txt, 5.5 "Adding User Authentication Information to
# the Consumer".
# Changed, nothing else: the group, name server and topic come from the environment
# (SEED_CONSUMER_GROUP, SEED_NAMESRV, SEED_TOPIC) instead of 'consumer_group',
# '192.168.0.1:8100' and 'TopicTest'; the guide's `//Hard-coded ...` remark after
# set_session_credentials (not Python) is a `#` comment; the endless `while True:
# time.sleep(3600)` is bounded: until_stopped() (seed_bound.py) returns when the test says so.
import os
import time

from rocketmq.client import PushConsumer, ConsumeStatus
from seed_bound import until_stopped

def callback(msg):
    print(msg.id, msg.body, msg.get_property('property'))
    return ConsumeStatus.CONSUME_SUCCESS

def start_consume_message():
    consumer = PushConsumer(os.environ['SEED_CONSUMER_GROUP'])
    consumer.set_name_server_address(os.environ['SEED_NAMESRV'])
    consumer.set_session_credentials(os.getenv("ROCKETMQ_AK"), os.getenv("ROCKETMQ_SK"), "") # Hard-coded or plaintext username and key are risky. You are advised to store them in ciphertext in a configuration file or an environment variable.
    consumer.subscribe(os.environ['SEED_TOPIC'], callback)
    print('start consume message')
    consumer.start()

    until_stopped()

if __name__ == '__main__':
    start_consume_message()
