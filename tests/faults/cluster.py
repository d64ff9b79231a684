"""Apache RocketMQ name servers and brokers on 127.0.0.1 for the fault tests, started, killed
(SIGKILL), restarted on their store and stopped from Python.

Each `Cluster` has a fresh work dir (under /dev/shm when it is a tmpfs, else /tmp) holding every
process's home, logs and store, and its own ports (3xxxx, apart from scripts/brokers.sh's pairs
and the benchmark's). The jars are the ones `scripts/brokers.sh fetch` keeps in
.build/rocketmq-cache/lib-<version>/. Everything started is killed at `close()`, at interpreter
exit and on SIGTERM, also after a failure.

Readiness is polled with a deadline: a name server accepts a route query, a broker is listed by
every one of its name servers, a topic's route shows every broker with its queues.

The wire helpers (`request`, `route`, `create_topic`) speak the remoting protocol (JSON headers)
themselves, signed when the cluster has ACL admin credentials and over TLS when it has a CA: one
admin JVM per topic would cost seconds of CPU each.
"""
from __future__ import annotations

import atexit
import base64
import hashlib
import hmac
import itertools
import json
import os
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, TypeVar

REPO = Path(__file__).resolve().parents[2]
HOST = '127.0.0.1'
VERSION_4 = os.environ.get('RMQ_VERSION_4') or '4.9.7'
VERSION_5 = os.environ.get('RMQ_VERSION_5') or '5.5.0'
CACHE = Path(os.environ.get('RMQ_CACHE') or REPO / '.build' / 'rocketmq-cache')

T = TypeVar('T')


class ClusterError(RuntimeError):
    pass


def wait_for(what: str, check: Callable[[], Optional[T]], timeout: float, every: float = 0.1) -> T:
    """Polls `check` until it returns something other than None/False, or fails after `timeout`
    seconds naming `what` and the last exception `check` raised."""
    deadline = time.monotonic() + timeout
    last_error: Optional[BaseException] = None
    while True:
        try:
            value = check()
            if value is not None and value is not False:
                return value
        except (OSError, ClusterError, ValueError) as e:
            last_error = e
        if time.monotonic() >= deadline:
            raise ClusterError('timed out after %.0f s waiting for %s%s'
                               % (timeout, what, ' (last error: %s)' % last_error if last_error else ''))
        time.sleep(every)


def lib_dir(version: str) -> Path:
    d = CACHE / ('lib-%s' % version)
    if not (d / '.complete').exists():
        raise ClusterError('RocketMQ %s jars are not in %s: run scripts/brokers.sh fetch all' % (version, d))
    return d


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(('0.0.0.0', port))  # 4.x brokers listen on 0.0.0.0
            return True
        except OSError:
            return False


def admin_batch_classes() -> Path:
    """The dir of ci/rocketmq/AdminBatch.class, compiled once into the cache where
    scripts/brokers.sh keeps it (adminbatch-<first 12 hex digits of the source's SHA-1>)."""
    source = REPO / 'ci' / 'rocketmq' / 'AdminBatch.java'
    d = CACHE / ('adminbatch-%s' % hashlib.sha1(source.read_bytes()).hexdigest()[:12])
    if not (d / 'AdminBatch.class').exists():
        tmp = Path(tempfile.mkdtemp(prefix=d.name + '.tmp.', dir=str(CACHE)))
        subprocess.run(['javac', '-J-XX:-UsePerfData', '-nowarn', '-d', str(tmp), str(source)], check=True)
        shutil.rmtree(d, ignore_errors=True)
        tmp.rename(d)
    return d


# ---------------------------------------------------------------------------------- remoting

@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str


@dataclass(frozen=True)
class Response:
    code: int
    remark: str
    ext: Dict[str, str]
    body: bytes


_opaque = itertools.count(1)


def _sign(fields: Dict[str, str], body: bytes, secret: str) -> str:
    # The ACL 1.0 signature: values of all fields sorted by name, then the body, HMAC-SHA1.
    content = ''.join(fields[k] for k in sorted(fields)).encode() + body
    return base64.b64encode(hmac.new(secret.encode(), content, hashlib.sha1).digest()).decode()


def request(addr: str, code: int, fields: Optional[Dict[str, object]] = None, body: bytes = b'',
            timeout: float = 3.0, credentials: Optional[Credentials] = None,
            tls: Optional[ssl.SSLContext] = None) -> Response:
    """One request over a fresh connection; the response."""
    ext = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in (fields or {}).items()}
    if credentials:
        ext['AccessKey'] = credentials.access_key
        ext['Signature'] = _sign(ext, body, credentials.secret_key)
    header = json.dumps({'code': code, 'extFields': ext, 'flag': 0, 'language': 'JAVA',
                         'opaque': next(_opaque), 'serializeTypeCurrentRPC': 'JSON',
                         'version': 399}).encode()
    frame = struct.pack('>II', 4 + len(header) + len(body), len(header)) + header + body
    host, port = addr.rsplit(':', 1)
    raw = socket.create_connection((host, int(port)), timeout=timeout)
    sock = tls.wrap_socket(raw, server_hostname=host) if tls else raw
    with sock:
        sock.settimeout(timeout)
        sock.sendall(frame)
        (length,) = struct.unpack('>I', _read(sock, 4))
        payload = _read(sock, length)
    (mark,) = struct.unpack('>I', payload[:4])
    if mark >> 24 != 0:
        raise ClusterError('%s answered with a non-JSON header' % addr)
    header_len = mark & 0xFFFFFF
    head = json.loads(payload[4:4 + header_len].decode())
    return Response(head.get('code', -1), head.get('remark') or '', head.get('extFields') or {},
                    payload[4 + header_len:])


def _read(sock: socket.socket, n: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            raise ConnectionError('connection closed after %d of %d bytes' % (len(chunks), n))
        chunks += chunk
    return bytes(chunks)


GET_ROUTEINFO_BY_TOPIC = 105
GET_BROKER_CLUSTER_INFO = 106
UPDATE_AND_CREATE_TOPIC = 17
GET_MAX_OFFSET = 30


def _loose_json(body: bytes) -> dict:
    # fastjson writes maps with integer keys ({0:"127.0.0.1:31911"}), which json refuses
    import re
    return json.loads(re.sub(r'([{,])(-?\d+):', r'\1"\2":', body.decode()))


def presented_certificate(addr: str) -> bytes:
    """The DER certificate a TLS server presents (not verified)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    host, port = addr.rsplit(':', 1)
    with socket.create_connection((host, int(port)), timeout=2) as raw:
        with context.wrap_socket(raw) as tls:
            return tls.getpeercert(binary_form=True) or b''


# ---------------------------------------------------------------------------------- processes

@dataclass
class Server:
    """One JVM: a name server or a broker."""
    name: str
    version: str
    port: int
    home: Path
    main_class: str
    heap: str
    args: List[str]
    cluster: 'Cluster'
    process: Optional[subprocess.Popen] = None
    starts: int = 0
    # where this start's output begins in out_file (its "boot success" must be after it)
    boot_mark: int = 0
    # more JVM options, after the cluster's (a -D here wins)
    jvm_extra: List[str] = field(default_factory=list)

    @property
    def addr(self) -> str:
        return '%s:%d' % (HOST, self.port)

    @property
    def out_file(self) -> Path:
        return self.home / ('%s.out' % self.name)

    def start(self) -> None:
        if self.alive():
            raise ClusterError('%s is already running' % self.name)
        self.starts += 1
        with open(self.out_file, 'a') as out:
            out.write('\n--- start %d\n' % self.starts)
        self.boot_mark = self.out_file.stat().st_size
        out = open(self.out_file, 'ab')
        env = dict(os.environ, ROCKETMQ_HOME=str(self.home / 'rocketmq-home'))
        env.pop('NAMESRV_ADDR', None)
        cmd = ['java'] + self.cluster.jvm_options(self) + self.jvm_extra + ['-cp', '%s/*' % lib_dir(self.version),
                                                           self.main_class] + self.args
        self.process = subprocess.Popen(cmd, cwd=str(self.home), stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT, env=env, start_new_session=True,
                                        preexec_fn=_die_with_parent)
        out.close()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def booted(self) -> bool:
        """The JVM printed its "boot success" line since the last start."""
        if not self.alive():
            raise ClusterError('%s exited (status %s); tail of %s:\n%s' % (
                self.name, self.process.returncode if self.process else None, self.out_file, self.tail()))
        with open(self.out_file, 'rb') as f:
            f.seek(self.boot_mark)
            return b'boot success' in f.read()

    def tail(self, lines: int = 30) -> str:
        try:
            return '\n'.join(self.out_file.read_text(errors='replace').splitlines()[-lines:])
        except OSError:
            return ''

    def kill9(self) -> None:
        """SIGKILL, and the process reaped (its ports are free again)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self, grace: float = 15.0) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.kill9()


@dataclass
class NameServer(Server):
    def ready(self) -> bool:
        if not self.booted():
            return False
        return self.cluster.request(self.addr, GET_BROKER_CLUSTER_INFO, timeout=1).code == 0


@dataclass
class Broker(Server):
    broker_name: str = ''
    namesrvs: List[NameServer] = field(default_factory=list)

    def registered_with(self, ns: NameServer) -> bool:
        r = self.cluster.request(ns.addr, GET_BROKER_CLUSTER_INFO, timeout=1)
        return r.code == 0 and ('"%s"' % self.addr) in r.body.decode(errors='replace')

    def ready(self) -> bool:
        return self.booted() and all(self.registered_with(ns) for ns in self.namesrvs if ns.alive())


_clusters: List['Cluster'] = []


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL when the test process dies, even by a crash that
    skips atexit (PR_SET_PDEATHSIG)."""
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG


def _close_all() -> None:
    for c in list(_clusters):
        c.close()


atexit.register(_close_all)


def _on_sigterm(signum, frame):  # a test runner's timeout: leave no JVM behind
    _close_all()
    raise SystemExit(128 + signum)


if hasattr(signal, 'SIGTERM') and signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
    signal.signal(signal.SIGTERM, _on_sigterm)


@dataclass
class Tls:
    """A TLS-only cluster: the servers' certificate and key, and the CA the tools verify them by."""
    cert: Path
    key: Path
    ca: Path


class Cluster:
    """Servers of one test topology. `name` keeps work dirs apart; `admin` signs the admin
    requests (ACL brokers), `tls` makes every listener TLS-only."""

    def __init__(self, name: str, admin: Optional[Credentials] = None, tls: Optional[Tls] = None,
                 startup_timeout: float = 90.0) -> None:
        base = '/dev/shm' if os.path.isdir('/dev/shm') and os.access('/dev/shm', os.W_OK) else tempfile.gettempdir()
        self.dir = Path(tempfile.mkdtemp(prefix='rocketmq-faults-%s-' % name, dir=base))
        self.admin = admin
        self.tls = tls
        self.startup_timeout = startup_timeout
        self.servers: List[Server] = []
        self._tls_context: Optional[ssl.SSLContext] = None
        if tls:
            self._tls_context = ssl.create_default_context(cafile=str(tls.ca))
        _clusters.append(self)

    # ---------------------------------------------------------------- configuration
    def jvm_options(self, server: Server) -> List[str]:
        home = server.home
        opts = ['-server', '-Xms%s' % server.heap, '-Xmx%s' % server.heap, '-XX:MaxDirectMemorySize=256m',
                '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData', '-Xshare:auto',
                '-XX:ErrorFile=%s/hs_err_%%p.log' % home,
                '-Djava.net.preferIPv4Stack=true', '-Dfile.encoding=UTF-8',
                '-Duser.home=%s/home' % home, '-Djava.io.tmpdir=%s/tmp' % home,
                '-Drocketmq.home.dir=%s/rocketmq-home' % home,
                '-Drmq.logback.configurationFile=%s/rocketmq-home/conf/logback.xml' % home,
                '-Dtls.config.file=%s/rocketmq-home/conf/tls.properties' % home,
                '--add-opens', 'java.base/java.nio=ALL-UNNAMED',
                '--add-opens', 'java.base/sun.nio.ch=ALL-UNNAMED',
                '--add-opens', 'java.base/jdk.internal.ref=ALL-UNNAMED']
        if self.tls:
            opts += ['-Dtls.server.mode=enforcing', '-Dtls.enable=true', '-Dtls.test.mode.enable=false',
                     '-Dtls.server.certPath=%s' % self.tls.cert, '-Dtls.server.keyPath=%s' % self.tls.key]
        else:
            # plain TCP only: no certificate made at startup (seconds of CPU)
            opts.append('-Dtls.server.mode=disabled')
        return opts

    def _home(self, name: str) -> Path:
        home = self.dir / name
        conf = home / 'rocketmq-home' / 'conf'
        for d in (conf, home / 'home' / 'logs', home / 'tmp'):
            d.mkdir(parents=True, exist_ok=True)
        logback = ('<configuration><appender name="F" class="ch.qos.logback.core.FileAppender">'
                   '<file>${user.home}/logs/%s.log</file><encoder><pattern>%%d{HH:mm:ss.SSS} %%-5p [%%t] %%c{0} - %%m%%n'
                   '</pattern></encoder></appender><root level="INFO"><appender-ref ref="F"/></root></configuration>\n'
                   % name)
        # 4.x reads conf/logback_<role>.xml under ROCKETMQ_HOME, 5.x the file named by a property
        for f in ('logback.xml', 'logback_namesrv.xml', 'logback_broker.xml', 'logback_tools.xml'):
            (conf / f).write_text(logback)
        tls_props = ''
        if self.tls:
            tls_props = 'tls.test.mode.enable=false\ntls.client.authServer=true\ntls.client.trustCertPath=%s\n' % self.tls.ca
        (conf / 'tls.properties').write_text(tls_props)
        if self.admin:
            (conf / 'tools.yml').write_text('accessKey: %s\nsecretKey: %s\n' % (self.admin.access_key, self.admin.secret_key))
        return home

    @staticmethod
    def _check_ports(*ports: int) -> None:
        busy = [p for p in ports if not port_free(p)]
        if busy:
            raise ClusterError('port(s) %s already in use on this machine' % busy)

    # ---------------------------------------------------------------- servers
    def add_namesrv(self, port: int, version: str = VERSION_4) -> NameServer:
        name = 'namesrv-%d' % port
        home = self._home(name)
        conf = home / 'namesrv.conf'
        conf.write_text('listenPort=%d\nbindAddress=%s\nkvConfigPath=%s/kvConfig.json\nconfigStorePath=%s/namesrv.properties\n'
                        % (port, HOST, home, home))
        ns = NameServer(name=name, version=version, port=port, home=home,
                        main_class='org.apache.rocketmq.namesrv.NamesrvStartup', heap='128m',
                        args=['-c', str(conf)], cluster=self)
        self.servers.append(ns)
        return ns

    def add_broker(self, broker_name: str, port: int, namesrvs: Sequence[NameServer], version: str = VERSION_4,
                   extra: Optional[Dict[str, object]] = None, cluster_name: str = 'FaultCluster') -> Broker:
        """A master broker on `port` (also port-2, the 4.x fast port, and port+1, HA)."""
        name = 'broker-%s' % broker_name
        home = self._home(name)
        store = home / 'store'
        conf: Dict[str, object] = {
            'brokerClusterName': cluster_name, 'brokerName': broker_name, 'brokerId': 0,
            'brokerRole': 'ASYNC_MASTER', 'flushDiskType': 'ASYNC_FLUSH',
            'namesrvAddr': ';'.join(ns.addr for ns in namesrvs), 'brokerIP1': HOST,
            'listenPort': port, 'haListenPort': port + 1, 'bindAddress': HOST,
            'storePathRootDir': store, 'storePathCommitLog': store / 'commitlog',
            'mappedFileSizeCommitLog': 32 * 1024 * 1024, 'mappedFileSizeConsumeQueue': 30000 * 20,
            'maxIndexNum': 10000, 'maxHashSlotNum': 40000,
            'diskMaxUsedSpaceRatio': 98, 'autoCreateTopicEnable': 'false',
            'autoCreateSubscriptionGroup': 'true', 'defaultTopicQueueNums': 4,
            # retries (level 3 + n) after 1 s: dead-letter tests take seconds
            'messageDelayLevel': '1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s',
            # a loaded 2-core machine: no "[TIMEOUT_CLEAN_QUEUE]broker busy" after 200 ms
            'waitTimeMillsInSendQueue': 3000,
            # the consumer learns new messages within a second of a restart
            'longPollingEnable': 'true',
        }
        conf.update(extra or {})
        path = home / 'broker.conf'
        path.write_text(''.join('%s=%s\n' % (k, v) for k, v in conf.items()))
        broker = Broker(name=name, version=version, port=port, home=home,
                        main_class='org.apache.rocketmq.broker.BrokerStartup',
                        heap='384m' if version.startswith('5') else '256m',
                        args=['-c', str(path)], cluster=self, broker_name=broker_name, namesrvs=list(namesrvs))
        self.servers.append(broker)
        return broker

    def start(self, *servers: Server) -> None:
        """Starts the servers (all not running when none are named) and waits until they are
        ready: name servers first, then brokers."""
        chosen = list(servers) or [s for s in self.servers if not s.alive()]
        for kind in (NameServer, Broker):
            group = [s for s in chosen if isinstance(s, kind)]
            for s in group:
                self._check_ports(*([s.port] if kind is NameServer else [s.port - 2, s.port, s.port + 1]))
                s.start()
            for s in group:
                self.wait_ready(s)

    def wait_ready(self, server: Server, timeout: Optional[float] = None) -> float:
        """Seconds it took (from now) until `server` is ready."""
        t0 = time.monotonic()
        check = server.ready  # type: ignore[attr-defined]
        wait_for('%s ready' % server.name, check, timeout or self.startup_timeout, every=0.2)
        return time.monotonic() - t0

    def restart(self, server: Server) -> float:
        """Starts a stopped (killed) server again on its store; the seconds until it is ready."""
        t0 = time.monotonic()
        wait_for('ports of %s free' % server.name, lambda: port_free(server.port), 30)
        server.start()
        self.wait_ready(server)
        return time.monotonic() - t0

    def close(self) -> None:
        """Kills every server (the store is thrown away) and removes the work dir, unless
        RMQ_FAULTS_KEEP=1."""
        for s in self.servers:
            s.kill9()
        if self in _clusters:
            _clusters.remove(self)
        if os.environ.get('RMQ_FAULTS_KEEP') != '1':
            shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self) -> str:
        return '\n'.join('--- %s\n%s' % (s.out_file, s.tail(15)) for s in self.servers)

    # ---------------------------------------------------------------- requests
    def request(self, addr: str, code: int, fields: Optional[Dict[str, object]] = None,
                timeout: float = 3.0, admin: bool = True) -> Response:
        return request(addr, code, fields, timeout=timeout, credentials=self.admin if admin else None,
                       tls=self._tls_context)

    def route(self, namesrv: NameServer, topic: str) -> Optional[dict]:
        """The topic's route from one name server, or None when it has none."""
        r = self.request(namesrv.addr, GET_ROUTEINFO_BY_TOPIC, {'topic': topic}, timeout=2)
        return _loose_json(r.body) if r.code == 0 else None

    def route_brokers(self, namesrv: NameServer, topic: str) -> Dict[str, int]:
        """broker name -> write queues of the topic, as the name server has it."""
        route = self.route(namesrv, topic) or {}
        return {q['brokerName']: q['writeQueueNums'] for q in route.get('queueDatas', [])}

    def create_topic(self, topic: str, brokers: Sequence[Broker], queues: int = 4, timeout: float = 30) -> None:
        """Creates (or updates) the topic on each broker and waits until every running name
        server routes it to all of them."""
        fields = {'topic': topic, 'defaultTopic': 'TBW102', 'readQueueNums': queues, 'writeQueueNums': queues,
                  'perm': 6, 'topicFilterType': 'SINGLE_TAG', 'topicSysFlag': 0, 'order': False}
        for b in brokers:
            r = wait_for('topic %s created on %s' % (topic, b.name),
                         lambda: self.request(b.addr, UPDATE_AND_CREATE_TOPIC, fields, timeout=5), timeout)
            if r.code != 0:
                raise ClusterError('creating %s on %s: code %d %s' % (topic, b.name, r.code, r.remark))
        namesrvs = {ns.name: ns for b in brokers for ns in b.namesrvs}.values()
        want = {b.broker_name: queues for b in brokers}
        for ns in namesrvs:
            if ns.alive():
                wait_for('route of %s on %s' % (topic, ns.name),
                         lambda: all(self.route_brokers(ns, topic).get(k) == v for k, v in want.items()), timeout)

    def max_offset(self, broker: Broker, topic: str, queue_id: int) -> int:
        r = self.request(broker.addr, GET_MAX_OFFSET, {'topic': topic, 'queueId': queue_id}, timeout=3)
        if r.code != 0:
            raise ClusterError('max offset of %s:%d on %s: %d %s' % (topic, queue_id, broker.name, r.code, r.remark))
        return int(r.ext['offset'])

    def admin_batch(self, version: str, commands: Sequence[str], timeout: float = 90) -> str:
        """mqadmin commands in one JVM (ci/rocketmq/AdminBatch.java, compiled by
        scripts/brokers.sh into the cache); their output. Signed by conf/tools.yml."""
        classes = admin_batch_classes()
        home = self._home('admin-%s' % version)
        tool = Server(name='admin', version=version, port=0, home=home, main_class='AdminBatch', heap='128m',
                      args=[], cluster=self)
        env = dict(os.environ, ROCKETMQ_HOME=str(home / 'rocketmq-home'))
        cmd = (['java'] + self.jvm_options(tool) + ['-Drocketmq.client.logUseSlf4j=true', '-cp',
               '%s:%s/*' % (classes, lib_dir(version)), 'AdminBatch'])
        done = subprocess.run(cmd, input='\n'.join(commands) + '\n', capture_output=True, text=True, env=env,
                              cwd=str(home), timeout=timeout)
        return done.stdout + done.stderr
