# Seed copy: dms-rocketmq-developer-guide.txt, 5.2 "Sending Ordered Messages".
# Changed, nothing else: topic, gid and name_srv come from the environment (SEED_TOPIC,
# SEED_GROUP, SEED_NAMESRV) instead of 'TopicTest', 'test' and '192.168.0.1:8100', hence `import os`.
import os

from rocketmq.client import Producer, Message

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

def send_orderly_with_sharding_key():
    producer = Producer(gid, True)
    producer.set_name_server_address(name_srv)
    producer.start()
    msg = create_message()
    ret = producer.send_orderly_with_sharding_key(msg, 'orderId')
    print('send message status: ' + str(ret.status) + ' msgId: ' + ret.msg_id)
    producer.shutdown()

if __name__ == '__main__':
    send_orderly_with_sharding_key()
