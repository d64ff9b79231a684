# -*- coding: utf-8 -*-
"""Fixtures of the rocketmq-client-rs tests (addresses and topics: see helpers.py).

Every module that talks to the plain pair runs once per name server of NAMESRV_ADDRS (``ns``).
One fresh topic per pair (plain, ACL, TLS) and run, created in the background at the first
request (``topic_jobs``); tests keep apart by tags, keys, message ids and fresh groups.
ACL and TLS fixtures skip, naming the missing variable, when their pair is not given.
"""
import pytest

import helpers
from helpers import ACL, PLAIN, RUN_ID, TLS, missing, shutdown_within, unique, where_of


def _ids(namesrvs):
    return [label for label, _ in namesrvs] or ['absent']


_NEEDED = set()  # the topic fixtures the selected tests use


@pytest.hookimpl(trylast=True)  # after -k / -m deselected what will not run
def pytest_collection_modifyitems(items):
    for item in items:
        _NEEDED.update(f for f in getattr(item, 'fixturenames', ()) if f in ('topic', 'acl_topic', 'tls_topic'))


@pytest.fixture(scope='session')
def topic_jobs():
    """The run's topics that the selected tests need, created in parallel as soon as a test
    needs one of them."""
    jobs = helpers.TopicJobs()
    if 'topic' in _NEEDED:
        jobs.start('plain', 'rmq_pyb_%s' % RUN_ID, '', where_of(PLAIN))
    if 'acl_topic' in _NEEDED and ACL:
        jobs.start('acl', 'rmq_pyb_acl_%s' % RUN_ID, 'acl', where_of(ACL))
    if 'tls_topic' in _NEEDED and TLS and not missing('RMQ_TLS_CA'):
        jobs.start('tls', 'rmq_pyb_tls_%s' % RUN_ID, 'tls', where_of(TLS))
    yield jobs
    jobs.close()


# ------------------------------------------------------------------------------ plain pair

@pytest.fixture(scope='module', params=PLAIN, ids=_ids(PLAIN))
def ns(request):
    """(label, name server address) of the plain pair."""
    return request.param


@pytest.fixture(scope='module')
def version(ns):
    """The broker's major version (4 or 5), from the name server's label."""
    v = helpers.major_version(ns[0])
    if v is None:
        pytest.skip('name server label %r does not say v4 or v5 (NAMESRV_ADDRS="v4=...;v5=...")' % ns[0])
    return v


@pytest.fixture(scope='session')
def topic(topic_jobs):
    return topic_jobs.get('plain')


@pytest.fixture(scope='module')
def producer(ns, topic):
    from rocketmq.client import Producer
    p = Producer(unique('py_p_' + ns[0]), timeout=10000)
    p.set_name_server_address(ns[1])
    p.start()
    yield p
    shutdown_within(p)


@pytest.fixture
def consumers(ns, topic):
    """consumers(callback, expression='*', **kw) -> a started PushConsumer of a fresh group on
    the run's topic; all are shut down (bounded) at teardown."""
    made = []

    def make(callback, expression='*', **kw):
        c = helpers.push_consumer(ns[1], topic, callback, expression, **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        shutdown_within(c)


@pytest.fixture(scope='module')
def puller(ns, topic):
    """A started PullConsumer (the package's) for read-backs."""
    from rocketmq.client import PullConsumer
    c = PullConsumer(unique('py_pull_' + ns[0]))
    c.set_name_server_address(ns[1])
    c.start()
    yield c
    shutdown_within(c)


# ------------------------------------------------------------------------------ ACL pair

def _skip_without_acl():
    if not ACL:
        pytest.skip('RMQ_ACL_NAMESRV_ADDRS is not set: no ACL pair to test against')
    absent = missing('RMQ_ACL_ACCESS_KEY', 'RMQ_ACL_SECRET_KEY')
    if absent:
        pytest.skip('%s not set: no ACL account' % ' and '.join(absent))


@pytest.fixture(scope='module', params=ACL or [None], ids=_ids(ACL))
def acl_ns(request):
    _skip_without_acl()
    return request.param


@pytest.fixture(scope='session')
def acl_topic(topic_jobs):
    _skip_without_acl()  # (session fixtures are set up before acl_ns)
    return topic_jobs.get('acl')


# ------------------------------------------------------------------------------ TLS pair

def _skip_without_tls():
    if not TLS:
        pytest.skip('RMQ_TLS_NAMESRV is not set: no TLS pair to test against')
    if missing('RMQ_TLS_CA'):
        pytest.skip('RMQ_TLS_CA is not set: the TLS pair\'s CA is unknown')


@pytest.fixture(scope='module', params=TLS or [None], ids=_ids(TLS))
def tls_ns(request):
    _skip_without_tls()
    return request.param


@pytest.fixture(scope='session')
def tls_topic(topic_jobs):
    _skip_without_tls()  # (session fixtures are set up before tls_ns)
    return topic_jobs.get('tls')
