#!/usr/bin/env python3
"""python_bench: producer and push consumer benchmark of a Python RocketMQ package.

Written against the rocketmq-client-python 2.0.0 API only (rocketmq.client: Producer, Message,
PushConsumer, ConsumeStatus, SendStatus), so the same program runs unchanged on that package
(over whichever librocketmq.so it loads) and on this repository's own package
(bindings/python, distribution rocketmq-client-rs). It mirrors bench/producer_bench.c and
bench/consumer_bench.c, so its numbers sit next to theirs:

  python_bench.py produce [-n namesrv] [-t topic] [-g group] [-m count] [-s bytes] [-W warmup]
                          [-R] [-o timeout_ms] [-q] [--client NAME] [--library-label NAME]
  python_bench.py consume [-n namesrv] [-t topic] [-g group] [-m count] [-W warmup] [-T threads]
                          [-x timeout_s] [-i idle_s] [-q] [--client NAME] [--library-label NAME]

produce: one thread, Producer.send_sync of an -s byte body (default 1024; printable bytes, as
2.0.0's set_body is NUL-terminated), -W warm-up sends (default 2000), then -m measured ones.
-R sends the same Message object every time (one CreateMessage for the run); without it every
send builds a new Message and sets its body, as producer_bench.c does without -R (2.0.0's
Message has no destructor: its handles are never freed, as in any program using that package).
RT = time.perf_counter_ns() around send_sync, successes only. Send Failed = send_sync raised;
Response Failed = status != SendStatus.OK.

consume: a PushConsumer (clustering, concurrent) on -t; -T calls set_thread_count (default 0:
not called, the library's default). The callback counts the message, records born-to-consume
(wall clock - born_timestamp) and reads the body (msg.body, one byte per 64 summed), then
returns ConsumeStatus.CONSUME_SUCCESS. The measured phase runs from the callback of message W+1
to that of message W+m; TPS = (m-1) / its duration.

Both: CPU/msg = resource.getrusage(RUSAGE_SELF) user+sys over the measured phase (every thread
of the process: the interpreter, the library's threads) / messages. Threads = peak of
/proc/self/task (main thread + library threads; this program starts no thread of its own).
Output: the same lines as the C programs, then `BENCH_JSON {...}` with the C programs' fields
plus "client" (python-binding or python-2.0.0, from the package imported), "library" (the
librocketmq.so this process mapped) and its md5.
"""
import argparse
import hashlib
import itertools
import json
import os
import platform
import random
import resource
import sys
import threading
import time


def count_threads():
    try:
        return len(os.listdir('/proc/self/task'))
    except OSError:
        return -1


def cpu_seconds(ru):
    return ru.ru_utime + ru.ru_stime


def mapped_library():
    """The librocketmq.so this process has mapped (the one the package really loaded)."""
    try:
        with open('/proc/self/maps') as f:
            for line in f:
                parts = line.rstrip('\n').split(None, 5)
                if len(parts) == 6 and os.path.basename(parts[5]).startswith('librocketmq'):
                    return parts[5]
    except OSError:
        pass
    return ''


def md5_12(path):
    try:
        with open(path, 'rb') as f:
            return hashlib.md5(f.read()).hexdigest()[:12]
    except OSError:
        return ''


def percentile(sorted_values, p):
    if not sorted_values:
        return 0
    return sorted_values[int(p * (len(sorted_values) - 1) + 0.5)]


def package_info(args):
    import rocketmq
    from rocketmq import ffi
    client = args.client or ('python-binding' if hasattr(rocketmq, 'library_path') else 'python-2.0.0')
    library = mapped_library() or getattr(ffi, '_DYLIB_PATH', '') or ''
    return {
        'client': client,
        'library_label': args.library_label,
        'package_file': os.path.dirname(os.path.abspath(rocketmq.__file__)),
        'package_version': getattr(rocketmq, '__version__', ''),
        'library': library,
        'library_md5': md5_12(library),
        'python': platform.python_version(),
    }


def emit_json(fields):
    print('BENCH_JSON ' + json.dumps(fields, separators=(',', ':')))
    sys.stdout.flush()


def printable_body(size, seed=1):
    rnd = random.Random(seed)
    alphabet = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
    return bytes(rnd.choice(alphabet) for _ in range(size))


# ------------------------------------------------------------------------------------ produce

def produce(args):
    from rocketmq.client import Message, Producer, SendStatus
    from rocketmq.exceptions import RocketMQException

    info = package_info(args)
    print('python_bench: mode=produce client=%s threads=1 messages=%d body=%dB warmup=%d reuse_msg=%d '
          'namesrv=%s topic=%s group=%s library=%s' % (info['client'], args.messages, args.size, args.warmup,
                                                      int(args.reuse), args.namesrv, args.topic, args.group,
                                                      info['library']))
    sys.stdout.flush()
    body = printable_body(args.size)
    topic = args.topic
    ok_status = SendStatus.OK

    t_create = time.perf_counter_ns()
    producer = Producer(args.group)
    producer.set_name_server_address(args.namesrv)
    producer.set_timeout(args.timeout)
    producer.start()
    start_ms = (time.perf_counter_ns() - t_create) / 1e6
    info['library'] = mapped_library() or info['library']  # loaded for sure by now
    info['library_md5'] = md5_12(info['library'])
    threads_after_start = count_threads()

    shared = None
    if args.reuse:
        shared = Message(topic)
        shared.set_body(body)

    state = {'first_error': '', 'threads_peak': threads_after_start}

    def run(n, rts):
        """n sends; RTs (ns) of the successes go to rts when it is a list."""
        ok = send_failed = response_failed = 0
        clock = time.perf_counter_ns
        send = producer.send_sync
        for i in range(n):
            if shared is not None:
                msg = shared
            else:
                msg = Message(topic)
                msg.set_body(body)
            t0 = clock()
            try:
                result = send(msg)
            except RocketMQException as e:
                send_failed += 1
                if not state['first_error']:
                    state['first_error'] = 'send_sync %s: %s' % (type(e).__name__, e)
                continue
            t1 = clock()
            ok += 1
            if result.status != ok_status:
                response_failed += 1
            if rts is not None:
                rts.append(t1 - t0)
            if i & 1023 == 0:
                nt = count_threads()
                if nt > state['threads_peak']:
                    state['threads_peak'] = nt
        return ok, send_failed, response_failed

    run(args.warmup, None)
    if not args.quiet:
        print('python_bench: warm-up done, measuring', file=sys.stderr)
    rts = []
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter_ns()
    ok, send_failed, response_failed = run(args.messages, rts)
    t1 = time.perf_counter_ns()
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    threads_end = count_threads()
    threads_peak = max(state['threads_peak'], threads_end)

    t_sd = time.perf_counter_ns()
    producer.shutdown()
    shutdown_ms = (time.perf_counter_ns() - t_sd) / 1e6

    us = sorted((v + 500) // 1000 for v in rts)
    elapsed = (t1 - t0) / 1e9
    tps = ok / elapsed if elapsed > 0 else 0.0
    cpu_user = ru1.ru_utime - ru0.ru_utime
    cpu_sys = ru1.ru_stime - ru0.ru_stime
    attempted = ok + send_failed
    cpu_per_msg = (cpu_user + cpu_sys) * 1e6 / attempted if attempted else 0.0
    avg_us = sum(us) / len(us) if us else 0.0
    p50, p90, p99, p999 = (percentile(us, p) for p in (0.50, 0.90, 0.99, 0.999))
    max_us = us[-1] if us else 0
    min_us = us[0] if us else 0

    print('Send TPS: %d Max RT(ms): %d Average RT(ms): %7.3f Send Failed: %d Response Failed: %d' %
          (int(tps + 0.5), max_us // 1000, avg_us / 1000.0, send_failed, response_failed))
    print('RT p50(us): %d p99(us): %d p999(us): %d CPU/msg(us): %.1f Threads: %d' %
          (p50, p99, p999, cpu_per_msg, threads_peak))
    if state['first_error']:
        print('first error: %s' % state['first_error'])
    fields = {
        'bench': 'producer', 'mode': 'sync', 'namesrv': args.namesrv, 'topic': args.topic, 'group': args.group,
        'threads': 1, 'messages_per_thread': args.messages, 'body_size': args.size, 'max_inflight': 1,
        'warmup_per_thread': args.warmup, 'reuse_msg': bool(args.reuse), 'send_timeout_ms': args.timeout,
        'ok': ok, 'send_failed': send_failed, 'response_failed': response_failed, 'lost_callbacks': 0,
        'rt_samples': len(us), 'elapsed_s': round(elapsed, 4), 'tps': round(tps, 1), 'max_rt_ms': max_us // 1000,
        'avg_rt_ms': round(avg_us / 1000.0, 4), 'min_us': min_us, 'p50_us': p50, 'p90_us': p90, 'p99_us': p99,
        'p999_us': p999, 'max_us': max_us, 'avg_us': round(avg_us, 2), 'cpu_user_s': round(cpu_user, 4),
        'cpu_sys_s': round(cpu_sys, 4), 'cpu_per_msg_us': round(cpu_per_msg, 3),
        'vol_ctx_switches': ru1.ru_nvcsw - ru0.ru_nvcsw, 'invol_ctx_switches': ru1.ru_nivcsw - ru0.ru_nivcsw,
        'threads_after_start': threads_after_start, 'threads_peak': threads_peak, 'threads_end': threads_end,
        'start_ms': round(start_ms, 2), 'shutdown_ms': round(shutdown_ms, 2), 'first_error': state['first_error'],
    }
    fields.update(info)
    emit_json(fields)
    return 0 if ok else 1


# ------------------------------------------------------------------------------------ consume

def consume(args):
    from rocketmq.client import ConsumeStatus, PushConsumer

    info = package_info(args)
    print('python_bench: mode=consume client=%s messages=%d warmup=%d threads=%d namesrv=%s topic=%s group=%s '
          'library=%s' % (info['client'], args.messages, args.warmup, args.threads, args.namesrv, args.topic,
                          args.group, info['library']))
    sys.stdout.flush()

    warmup, count = args.warmup, args.messages
    success = ConsumeStatus.CONSUME_SUCCESS
    seen = itertools.count()  # next() is atomic under the GIL
    lat_us = [0] * count
    marks = {}  # 't0', 'ru0', 't1', 'ru1'
    started = threading.Event()
    done = threading.Event()
    # Per library thread: [messages, body bytes, touch, empty bodies]. Keyed by the OS thread:
    # a ctypes callback on a thread Python did not start may get a fresh thread state (and so
    # fresh threading.local data) on every call.
    per_thread = {}
    last_seen = [0]
    negative = [0]
    clock = time.perf_counter_ns
    wall_ns = time.time_ns
    ident = threading.get_ident
    getrusage = resource.getrusage
    self_ = resource.RUSAGE_SELF

    def on_message(msg):
        i = next(seen)
        if i == warmup:
            marks['ru0'] = getrusage(self_)
            marks['t0'] = clock()
            started.set()
        slot = per_thread.get(ident())
        if slot is None:
            slot = per_thread.setdefault(ident(), [0, 0, 0, 0])
        body = msg.body
        n = len(body) if body else 0
        if n:
            slot[1] += n
            slot[2] += sum(body[::64]) + body[-1]
        else:
            slot[3] += 1
        slot[0] += 1
        j = i - warmup
        if 0 <= j < count:
            lat = wall_ns() // 1000 - msg.born_timestamp * 1000
            if lat < 0:
                negative[0] += 1
                lat = 0
            lat_us[j] = lat
            if j == count - 1:
                marks['t1'] = clock()
                marks['ru1'] = getrusage(self_)
                done.set()
        last_seen[0] = i + 1
        return success

    threads_before = count_threads()
    t_create = clock()
    consumer = PushConsumer(args.group)
    consumer.set_name_server_address(args.namesrv)
    if args.threads > 0:
        consumer.set_thread_count(args.threads)
    consumer.subscribe(args.topic, on_message)
    consumer.start()
    start_ms = (clock() - t_create) / 1e6
    info['library'] = mapped_library() or info['library']
    info['library_md5'] = md5_12(info['library'])
    threads_after_start = count_threads()
    threads_peak = threads_after_start

    t_begin = clock()
    last_change = last_report = t_begin
    last_count = 0
    partial = timed_out = False
    while not done.wait(0.02):
        nt = count_threads()
        if nt > threads_peak:
            threads_peak = nt
        now = clock()
        n = last_seen[0]
        if n != last_count:
            last_count, last_change = n, now
        if not args.quiet and now - last_report >= 1e9:
            print('python_bench: %d messages after %.1f s' % (n, (now - t_begin) / 1e9), file=sys.stderr)
            last_report = now
        if started.is_set() and now - last_change >= args.idle * 1e9:
            partial = True
            break
        if now - t_begin >= args.timeout_s * 1e9:
            timed_out = True
            break
    if done.is_set():
        measured = count
        t0, t1, ru0, ru1 = marks['t0'], marks['t1'], marks['ru0'], marks['ru1']
    else:
        ru1 = getrusage(self_)
        t1 = last_change
        measured = max(0, last_seen[0] - warmup)
        t0 = marks.get('t0', t1)
        ru0 = marks.get('ru0', ru1)
    threads_end = count_threads()
    threads_peak = max(threads_peak, threads_end)

    t_sd = clock()
    consumer.shutdown()
    shutdown_ms = (clock() - t_sd) / 1e6

    nlat = min(measured, count)
    lats = sorted(lat_us[:nlat])
    p50, p90, p99 = (percentile(lats, p) / 1000.0 for p in (0.50, 0.90, 0.99))
    max_ms = lats[-1] / 1000.0 if lats else 0.0
    intervals = measured - 1 if measured > 1 else 0
    elapsed = (t1 - t0) / 1e9
    tps = intervals / elapsed if elapsed > 0 else 0.0
    cpu_user = ru1.ru_utime - ru0.ru_utime
    cpu_sys = ru1.ru_stime - ru0.ru_stime
    cpu_per_msg = (cpu_user + cpu_sys) * 1e6 / intervals if intervals else 0.0
    slots = list(per_thread.values())
    delivered = last_seen[0]
    body_bytes = sum(s[1] for s in slots)
    empty = sum(s[3] for s in slots)

    note = ' (partial: no message for -i seconds)' if partial else (' (TIMED OUT)' if timed_out else '')
    print('Consume TPS: %d Messages: %d Elapsed(s): %.3f Born-to-consume p50(ms): %.1f p99(ms): %.1f '
          'CPU/msg(us): %.1f Threads: %d%s' % (int(tps + 0.5), measured, elapsed, p50, p99, cpu_per_msg,
                                             threads_peak, note))
    if not args.quiet:
        print('callback threads: %d, delivered in total: %d, mean body: %.0f B, empty bodies: %d' %
              (len(slots), delivered, body_bytes / delivered if delivered else 0.0, empty))
    fields = {
        'bench': 'consumer', 'namesrv': args.namesrv, 'topic': args.topic, 'group': args.group,
        'messages': count, 'warmup': warmup, 'consume_threads': args.threads, 'batch_max': 0, 'max_cache': 0,
        'measured': measured, 'partial': partial, 'timed_out': timed_out, 'delivered': delivered,
        'elapsed_s': round(elapsed, 4), 'tps': round(tps, 1), 'born_p50_ms': p50, 'born_p90_ms': p90,
        'born_p99_ms': p99, 'born_max_ms': max_ms, 'born_negative': negative[0], 'cpu_user_s': round(cpu_user, 4),
        'cpu_sys_s': round(cpu_sys, 4), 'cpu_per_msg_us': round(cpu_per_msg, 3),
        'vol_ctx_switches': ru1.ru_nvcsw - ru0.ru_nvcsw, 'invol_ctx_switches': ru1.ru_nivcsw - ru0.ru_nivcsw,
        'callback_threads': len(slots), 'max_per_callback_thread': max((s[0] for s in slots), default=0),
        'mean_body_bytes': round(body_bytes / delivered, 1) if delivered else 0.0, 'empty_bodies': empty,
        'threads_before': threads_before, 'threads_after_start': threads_after_start, 'threads_peak': threads_peak,
        'start_ms': round(start_ms, 2), 'shutdown_ms': round(shutdown_ms, 2),
    }
    fields.update(info)
    emit_json(fields)
    return 1 if (measured < 2 or timed_out) else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('mode', choices=('produce', 'consume'))
    ap.add_argument('-n', dest='namesrv', default='127.0.0.1:9876', help='name server list')
    ap.add_argument('-t', dest='topic', default='rmq_bench')
    ap.add_argument('-g', dest='group', default=None, help='group (default bench_python_<mode>)')
    ap.add_argument('-m', dest='messages', type=int, default=None,
                    help='measured messages (default 20000 produce, 200000 consume)')
    ap.add_argument('-s', dest='size', type=int, default=1024, help='body bytes (produce)')
    ap.add_argument('-W', dest='warmup', type=int, default=None,
                    help='warm-up messages (default 2000 produce, 0 consume)')
    ap.add_argument('-R', dest='reuse', action='store_true', help='produce: send the same Message every time')
    ap.add_argument('-o', dest='timeout', type=int, default=3000, help='send timeout, ms (produce)')
    ap.add_argument('-T', dest='threads', type=int, default=0,
                    help='consume: set_thread_count (default: not called)')
    ap.add_argument('-x', dest='timeout_s', type=float, default=300, help='consume: give up after this long')
    ap.add_argument('-i', dest='idle', type=float, default=10,
                    help='consume: stop early after this long without a message (result partial)')
    ap.add_argument('-q', dest='quiet', action='store_true', help='no progress lines on stderr')
    ap.add_argument('--client', default=None, help='the "client" field (default: from the package imported)')
    ap.add_argument('--library-label', default='', help='what librocketmq.so this is (e.g. ours, cpp-2.2.0)')
    args = ap.parse_args(argv)
    if args.group is None:
        args.group = 'bench_python_' + args.mode
    if args.messages is None:
        args.messages = 20000 if args.mode == 'produce' else 200000
    if args.warmup is None:
        args.warmup = 2000 if args.mode == 'produce' else 0
    if args.messages < (1 if args.mode == 'produce' else 2) or args.warmup < 0 or args.size < 1:
        ap.error('bad -m, -W or -s')
    if args.mode == 'produce' and args.size >= 4096:
        print('python_bench: note: body >= 4096 bytes will be compressed by the client', file=sys.stderr)
    return produce(args) if args.mode == 'produce' else consume(args)


if __name__ == '__main__':
    sys.exit(main())
