"""Load for the fault tests: a sending thread and a push consumer over the project's Python
package (bindings/python), recording what the broker acknowledged and what was delivered, and
the per-scenario report line (acknowledged, lost, longest send, time to recover)."""
from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

from rocketmq.client import ConsumeStatus, Message, Producer, PushConsumer, ReceivedMessage

from cluster import wait_for

_groups = itertools.count(1)


def unique(prefix: str) -> str:
    return '%s_%d_%d' % (prefix, int(time.time() * 1000) % 10**8, next(_groups))


@dataclass
class SendFailure:
    at: float  # time.monotonic()
    took_ms: float
    text: str


class Sender:
    """Sends `body = <sequence>` to `topic` with send_sync on its own thread, one message every
    `interval` seconds, until stopped; keeps the acknowledged ids, failures and send times."""

    def __init__(self, producer: Producer, topic: str, interval: float = 0.01) -> None:
        self.producer = producer
        self.topic = topic
        self.interval = interval
        self.acked: Dict[str, float] = {}  # msg id -> when acknowledged (monotonic)
        self.failures: List[SendFailure] = []
        self.longest_ms = 0.0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name='sender-%s' % topic, daemon=True)

    def start(self) -> 'Sender':
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        for seq in itertools.count():
            if self._stop.is_set():
                return
            msg = Message(self.topic)
            msg.set_keys('k%d' % seq)
            msg.set_body(b'%d' % seq)
            t0 = time.monotonic()
            try:
                result = self.producer.send_sync(msg)
                took = (time.monotonic() - t0) * 1000
                with self._lock:
                    self.acked[result.msg_id] = time.monotonic()
                    self.longest_ms = max(self.longest_ms, took)
            except Exception as e:  # every failure the caller sees is recorded, none ends the load
                took = (time.monotonic() - t0) * 1000
                with self._lock:
                    self.failures.append(SendFailure(time.monotonic(), took, '%s: %s' % (type(e).__name__, e)))
                    self.longest_ms = max(self.longest_ms, took)
                self._stop.wait(0.05)
            self._stop.wait(self.interval)

    def acked_ids(self) -> Set[str]:
        with self._lock:
            return set(self.acked)

    def acked_after(self, t: float) -> Set[str]:
        with self._lock:
            return {i for i, at in self.acked.items() if at > t}

    def wait_acked_after(self, t: float, count: int = 1, timeout: float = 60) -> float:
        """When the first of `count` sends acknowledged after `t` was acknowledged."""
        def check() -> Optional[float]:
            with self._lock:
                times = sorted(at for at in self.acked.values() if at > t)
            return times[0] if len(times) >= count else None
        return wait_for('%d acknowledged sends to %s' % (count, self.topic), check, timeout)


class Receiver:
    """A push consumer of `topic` recording every delivered id (and when it first came)."""

    def __init__(self, namesrv: str, topic: str, group: Optional[str] = None, log_dir: Optional[str] = None) -> None:
        self.topic = topic
        self.delivered: Dict[str, float] = {}
        self.queue_ids: Set[int] = set()  # of the queues messages came from
        self.deliveries = 0
        self._lock = threading.Lock()
        self.consumer = PushConsumer(group or unique('faults_consumer'))
        self.consumer.set_name_server_address(namesrv)
        if log_dir:
            self.consumer.set_log_path(log_dir)
        self.consumer.subscribe(topic, self._on_message)

    def _on_message(self, msg: ReceivedMessage) -> ConsumeStatus:
        with self._lock:
            self.delivered.setdefault(msg.id, time.monotonic())
            self.queue_ids.add(msg.queue_id)
            self.deliveries += 1
        return ConsumeStatus.CONSUME_SUCCESS

    def start(self) -> 'Receiver':
        self.consumer.start()
        return self

    def shutdown(self) -> None:
        self.consumer.shutdown()

    def ids(self) -> Set[str]:
        with self._lock:
            return set(self.delivered)

    def missing(self, ids: Set[str]) -> Set[str]:
        return ids - self.ids()

    def wait_all(self, ids: Set[str], timeout: float) -> Set[str]:
        """Waits until every id of `ids` was delivered, or the timeout; the ids still missing."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.missing(ids):
                return set()
            time.sleep(0.2)
        return self.missing(ids)


def settle(sender: Sender, receiver: Receiver, producer: Producer, timeout: float = 60) -> Tuple[Set[str], Set[str]]:
    """After a scenario (its sender stopped): the acknowledged ids and those of them the receiver
    still lacks after ``timeout`` s (the lost ones); shuts the receiver and the producer down."""
    try:
        acked = sender.acked_ids()
        return acked, receiver.wait_all(acked, timeout)
    finally:
        receiver.shutdown()
        producer.shutdown()


def make_producer(namesrv: str, log_dir: Optional[str] = None, timeout_ms: int = 3000,
                  group: Optional[str] = None) -> Producer:
    producer = Producer(group or unique('faults_producer'), timeout=timeout_ms)
    producer.set_name_server_address(namesrv)
    if log_dir:
        producer.set_log_path(log_dir)
    producer.start()
    return producer


@dataclass
class Report:
    scenario: str
    acknowledged: int
    lost: int
    longest_send_ms: float
    recover_s: Optional[float]
    notes: List[str] = field(default_factory=list)

    def line(self) -> str:
        recover = 'n/a' if self.recover_s is None else '%.1f s' % self.recover_s
        text = '%s: acknowledged %d, lost %d, longest send %.0f ms, time to recover %s' % (
            self.scenario, self.acknowledged, self.lost, self.longest_send_ms, recover)
        return text + ''.join('; ' + n for n in self.notes)


REPORTS: List[Report] = []


def report(r: Report) -> Report:
    REPORTS.append(r)
    print('[faults] ' + r.line(), flush=True)
    return r


def first_error_window(failures: List[SendFailure]) -> Tuple[Optional[float], Optional[float]]:
    if not failures:
        return None, None
    return failures[0].at, failures[-1].at
