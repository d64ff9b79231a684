"""Scenario 5b: ACL on a real broker, 4.x (ACL 1.0, plain_acl.yml) and 5.x (ACL 2.0,
authentication and authorization, users and policies made with mqadmin).

A client with the right secret sends and reads back (the control); with a wrong secret the
producer, the push consumer and the pull consumer are each refused with a text saying access was
denied; a topic the client's account is denied on is refused to its sends and pulls. Python
package over the C ABI, as in scenario 1.
"""
import time

import pytest

from cluster import VERSION_4, VERSION_5, Cluster, Credentials
from conftest import PORTS
from rocketmq.exceptions import latest_error_message
from rocketmq.client import ConsumeStatus, Message, Producer, PullConsumer, PullStatus, PushConsumer
from traffic import Report, report, unique

ADMIN = Credentials('rmq_admin', 'rmq_admin_secret_1')
CLIENT = Credentials('rmq_client', 'rmq_client_secret_1')
WRONG = Credentials(CLIENT.access_key, 'not_the_secret_1')
DENIED_TOPIC = 'faults_acl_denied'
ACCESS_DENIED = 'access denied'

PLAIN_ACL_4 = """accounts:
  - accessKey: {admin.access_key}
    secretKey: {admin.secret_key}
    whiteRemoteAddress:
    admin: true
  - accessKey: {client.access_key}
    secretKey: {client.secret_key}
    whiteRemoteAddress:
    admin: false
    defaultTopicPerm: PUB|SUB
    defaultGroupPerm: PUB|SUB
    topicPerms:
      - {denied}=DENY
"""

AUTH_5 = {
    'authenticationEnabled': 'true', 'authorizationEnabled': 'true',
    'authenticationProvider': 'org.apache.rocketmq.auth.authentication.provider.DefaultAuthenticationProvider',
    'authenticationMetadataProvider': 'org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider',
    'authorizationProvider': 'org.apache.rocketmq.auth.authorization.provider.DefaultAuthorizationProvider',
    'authorizationMetadataProvider': 'org.apache.rocketmq.auth.authorization.provider.LocalAuthorizationMetadataProvider',
    'initAuthenticationUser': '{"username":"%s","password":"%s"}' % (ADMIN.access_key, ADMIN.secret_key),
    'innerClientAuthenticationCredentials': '{"accessKey":"%s","secretKey":"%s"}' % (ADMIN.access_key, ADMIN.secret_key),
}


class AclSetup:
    def __init__(self, cluster, namesrv, broker, topic):
        self.cluster, self.namesrv, self.broker, self.topic = cluster, namesrv, broker, topic
        self.version = broker.version


@pytest.fixture(scope='module', params=[VERSION_4, VERSION_5], ids=['4.x', '5.x'])
def acl(request):
    version = request.param
    major = version.split('.')[0]
    cluster = Cluster('acl%s' % major, admin=ADMIN)
    try:
        namesrv = cluster.add_namesrv(PORTS['acl%s-ns' % major], version=version)
        if major == '4':
            broker = cluster.add_broker('acl4-broker', PORTS['acl4-broker'], [namesrv], version=version,
                                        extra={'aclEnable': 'true'})
            (broker.home / 'rocketmq-home' / 'conf' / 'plain_acl.yml').write_text(
                PLAIN_ACL_4.format(admin=ADMIN, client=CLIENT, denied=DENIED_TOPIC))
        else:
            broker = cluster.add_broker('acl5-broker', PORTS['acl5-broker'], [namesrv], version=version, extra=AUTH_5)
        cluster.start()
        topic = unique('faults_acl')
        cluster.create_topic(topic, [broker])
        cluster.create_topic(DENIED_TOPIC, [broker])
        if major == '5':
            at = '-n %s -c FaultCluster' % namesrv.addr
            out = cluster.admin_batch(version, [
                'createUser %s -u %s -p %s -t Normal' % (at, CLIENT.access_key, CLIENT.secret_key),
                'createAcl %s -s User:%s -r Topic:*,Group:* -a Pub,Sub -d Allow' % (at, CLIENT.access_key),
                'createAcl %s -s User:%s -r Topic:%s -a Pub,Sub -d Deny' % (at, CLIENT.access_key, DENIED_TOPIC),
            ])
            assert out.count(' success.') == 3, out
        yield AclSetup(cluster, namesrv, broker, topic)
    finally:
        cluster.close()


def producer_with(setup, credentials, log_dir):
    p = Producer(unique('faults_acl_producer'), timeout=3000)
    p.set_name_server_address(setup.namesrv.addr)
    p.set_session_credentials(credentials.access_key, credentials.secret_key, '')
    p.set_log_path(log_dir)
    p.start()
    return p


def pull_consumer_with(setup, credentials, log_dir):
    c = PullConsumer(unique('faults_acl_puller'))
    c.set_name_server_address(setup.namesrv.addr)
    c.set_session_credentials(credentials.access_key, credentials.secret_key, '')
    c.set_log_path(log_dir)
    c.start()
    return c


def send(producer, topic):
    """(msg id, None) or (None, error text), and the milliseconds it took."""
    msg = Message(topic)
    msg.set_body(b'acl')
    t0 = time.monotonic()
    try:
        return producer.send_sync(msg).msg_id, None, (time.monotonic() - t0) * 1000
    except Exception as e:
        return None, str(e), (time.monotonic() - t0) * 1000


def pull_all(consumer, topic):
    """(messages, None) or (None, error text) of every queue of the topic from offset 0."""
    try:
        found = []
        for q in consumer.get_message_queues(topic):
            result = consumer.pull(q, '*', 0, 32)
            if result.status not in (PullStatus.FOUND, PullStatus.NO_NEW_MSG, PullStatus.NO_MATCHED_MSG):
                # a pull reports a failure by its status; the library keeps the reason
                return None, '%s: %s' % (result.status.name, latest_error_message())
            found.extend(result.messages)
        return found, None
    except Exception as e:
        return None, str(e)


def test_acl_right_secret_sends_and_reads_back(acl, log_dir):
    producer = producer_with(acl, CLIENT, log_dir)
    try:
        msg_id, error, ms = send(producer, acl.topic)
    finally:
        producer.shutdown()
    assert error is None, error
    reader = pull_consumer_with(acl, CLIENT, log_dir)
    try:
        found, error = pull_all(reader, acl.topic)
    finally:
        reader.shutdown()
    assert error is None, error
    assert msg_id in {m.id for m in found}
    report(Report('ACL, right secret (%s)' % acl.version, 1, 0, ms, None, ['sent and pulled back']))


def test_acl_wrong_secret_producer_is_refused(acl, log_dir):
    producer = producer_with(acl, WRONG, log_dir)
    try:
        msg_id, error, ms = send(producer, acl.topic)
    finally:
        producer.shutdown()
    report(Report('ACL, wrong secret, producer (%s)' % acl.version, 0, 0, ms, None, ['refused: %s' % error]))
    assert msg_id is None
    assert ACCESS_DENIED in error, error


def test_acl_wrong_secret_pull_consumer_is_refused(acl, log_dir):
    reader = pull_consumer_with(acl, WRONG, log_dir)
    try:
        found, error = pull_all(reader, acl.topic)
    finally:
        reader.shutdown()
    report(Report('ACL, wrong secret, pull consumer (%s)' % acl.version, 0, 0, 0, None, ['refused: %s' % error]))
    assert found is None
    assert ACCESS_DENIED in error, error


def test_acl_wrong_secret_push_consumer_is_refused(acl, log_dir):
    delivered = []
    consumer = PushConsumer(unique('faults_acl_pusher'))
    consumer.set_name_server_address(acl.namesrv.addr)
    consumer.set_session_credentials(WRONG.access_key, WRONG.secret_key, '')
    consumer.set_log_path(log_dir)
    consumer.subscribe(acl.topic, lambda m: delivered.append(m.id) or ConsumeStatus.CONSUME_SUCCESS)
    error = None
    try:
        consumer.start()
    except Exception as e:
        error = str(e)
    if error is None:
        time.sleep(5)
        consumer.shutdown()
    report(Report('ACL, wrong secret, push consumer (%s)' % acl.version, 0, 0, 0, None,
                  ['refused: %s' % error, 'delivered %d' % len(delivered)]))
    assert not delivered
    assert error is not None and ACCESS_DENIED in error, error


def test_acl_denied_topic_is_refused(acl, log_dir):
    producer = producer_with(acl, CLIENT, log_dir)
    try:
        msg_id, error, ms = send(producer, DENIED_TOPIC)
    finally:
        producer.shutdown()
    reader = pull_consumer_with(acl, CLIENT, log_dir)
    try:
        found, pull_error = pull_all(reader, DENIED_TOPIC)
    finally:
        reader.shutdown()
    report(Report('ACL, denied topic (%s)' % acl.version, 0, 0, ms, None,
                  ['send refused: %s' % error, 'pull refused: %s' % pull_error]))
    assert msg_id is None
    assert ACCESS_DENIED in error, error
    assert found is None and ACCESS_DENIED in pull_error, pull_error
