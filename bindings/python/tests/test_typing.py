# -*- coding: utf-8 -*-
"""Type hints: the installed package (not a source folder) ships py.typed, and mypy (when this
venv has it: run.sh installs it into the newest Python's venv) checks a small user program
against the package's hints, strictly: a correct one passes, mistakes are reported."""
import os
import subprocess
import sys
import textwrap

import pytest

import rocketmq

GOOD = '''
import datetime
from concurrent.futures import Future
from typing import List

from rocketmq.client import (ConsumeStatus, Message, Producer, PullConsumer, PushConsumer, ReceivedMessage,
                             SendResult, SendStatus)


def on_message(msg: ReceivedMessage) -> ConsumeStatus:
    body: bytes = msg.body
    print(msg.id, len(body), msg.reconsume_times)
    return ConsumeStatus.CONSUME_SUCCESS


def main(namesrv: str, topic: str) -> None:
    with Producer('typed_group', timeout=3000) as producer:
        producer.set_name_server_address(namesrv)
        msg = Message(topic)
        msg.set_body(b'\\x00binary')
        when: int = msg.set_start_deliver_time(datetime.datetime.now() + datetime.timedelta(seconds=3))
        result: SendResult = producer.send_sync(msg)
        ok: bool = result.status == SendStatus.OK
        future: 'Future[SendResult]' = producer.send_async(msg, on_success=lambda r: None)
        batch: SendResult = producer.send_batch([Message(topic), Message(topic)])
        producer.cancel_scheduled_message(topic, result.msg_id, when)
        print(ok, future, batch)
    consumer = PushConsumer('typed_consumer')
    consumer.subscribe(topic, on_message)
    consumer.set_max_consume_tps(10)
    puller = PullConsumer('typed_puller')
    for queue in puller.get_message_queues(topic):
        messages: List[ReceivedMessage] = puller.pull(queue, '*', 0, 32).messages
        print(queue.queue_id, messages)
'''

BAD = '''
from rocketmq.client import Message, Producer

producer = Producer('typed_group')
producer.send_sync('not a message')
count: int = producer.send_sync(Message('t'))
Message('t').set_start_deliver_time('soon')
'''


def test_installed_package_ships_py_typed():
    folder = os.path.dirname(os.path.abspath(rocketmq.__file__))
    assert os.path.basename(os.path.dirname(folder)) == 'site-packages', folder  # the wheel, not a checkout
    assert os.path.isfile(os.path.join(folder, 'py.typed'))
    assert rocketmq.library_path() == os.path.join(folder, 'librocketmq.so')
    try:
        from importlib.metadata import files
    except ImportError:  # pragma: no cover - Python < 3.8
        pytest.skip('no importlib.metadata')
    recorded = [str(f) for f in files('rocketmq-client-rs') or []]
    assert 'rocketmq/py.typed' in recorded, recorded


def mypy(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return subprocess.run([sys.executable, '-m', 'mypy', '--strict', '--no-incremental', '--cache-dir', os.devnull,
                           name], cwd=str(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=300)


def test_mypy_checks_user_code_against_the_hints(tmp_path):
    pytest.importorskip('mypy', reason='mypy is not installed in this venv (run.sh puts it in the newest one)')
    good = mypy(tmp_path, 'good.py', GOOD)
    assert good.returncode == 0, good.stdout
    bad = mypy(tmp_path, 'bad.py', BAD)
    assert bad.returncode == 1, bad.stdout
    for expected in ('bad.py:5: error: Argument 1 to "send_sync" of "Producer" has incompatible type "str"; '
                     'expected "Message"',
                     'bad.py:6: error: Incompatible types in assignment (expression has type "SendResult", '
                     'variable has type "int")',
                     'bad.py:7: error: Argument 1 to "set_start_deliver_time" of "Message" has incompatible type '
                     '"str"'):
        assert expected in bad.stdout, bad.stdout
