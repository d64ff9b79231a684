# Seed copy: dms-rocketmq-developer-guide.txt, 5.5 "Adding User Authentication Information to
# the Producer" (normal, ordered and scheduled messages).
# Changed, nothing else: topic, gid and name_srv come from the environment (SEED_TOPIC,
# SEED_GROUP, SEED_NAMESRV) instead of 'TopicTest', 'test' and '192.168.0.1:8100'; the
# guide's `// Hard-coded ...` remark after set_session_credentials (not Python) is a `#` comment.
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

def send_message_sync():
    producer = Producer(gid)
    producer.set_name_server_address(name_srv)
    producer.set_session_credentials(os.getenv("ROCKETMQ_AK"), os.getenv("ROCKETMQ_SK"), "") # Hard-coded or plaintext username and key are risky. You are advised to store them in ciphertext in a configuration file or an environment variable.
    producer.start()
    msg = create_message()
    ret = producer.send_sync(msg)
    print('send message status: ' + str(ret.status) + ' msgId: ' + ret.msg_id)
    producer.shutdown()

if __name__ == '__main__':
    send_message_sync()
