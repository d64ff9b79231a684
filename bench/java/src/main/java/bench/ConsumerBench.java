package bench;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyContext;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * The Java 4.9.8 counterpart of bench/consumer_bench.c: a DefaultMQPushConsumer whose listener
 * counts each message, records born-to-consume latency (wall clock now - bornTimestamp, us) and
 * reads the body (one byte per 64). Same flags, same output lines, "client":"java" in BENCH_JSON.
 *
 * <pre>
 *   -n namesrv  -t topic  -g group  -m messages  -W warm-up messages
 *   -T consume threads (consumeThreadMin = Max; default: the client's 20)
 *   -b consumeMessageBatchMaxSize  -c pullThresholdForQueue  -x timeout s  -i idle s  -q
 * </pre>
 *
 * Measured phase: from message W+1 to message W+m (m-1 intervals). CPU/msg = the JVM's process
 * CPU time (com.sun.management.OperatingSystemMXBean.getProcessCpuTime: all threads, JIT and GC
 * included) over that phase / (m-1). Threads = peak of /proc/self/task (every JVM thread).
 */
public final class ConsumerBench {
    static String namesrv = "127.0.0.1:9876";
    static String topic = "rmq_bench";
    static String group = "bench_consumer_group_java";
    static long count = 200_000;
    static long warmup = 0;
    static int threads = 0;
    static int batch = 0;
    static int cache = 0;
    static int timeoutS = 300;
    static int idleS = 10;
    static boolean quiet = false;

    static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    static final AtomicLong seen = new AtomicLong();
    static volatile boolean started;
    static volatile boolean done;
    static volatile long t0, t1, cpu0, cpu1; // ns
    static long[] lat;
    static final AtomicLong nlat = new AtomicLong();
    static final AtomicLong negative = new AtomicLong();
    static final LongAdder bodyBytes = new LongAdder();
    static final LongAdder touch = new LongAdder();
    static final LongAdder emptyBodies = new LongAdder();
    static final java.util.Set<Thread> callbackThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final ThreadLocal<Boolean> registered = ThreadLocal.withInitial(() -> Boolean.FALSE);

    static long wallMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    static int countThreads() {
        String[] t = new File("/proc/self/task").list();
        return t == null ? -1 : t.length;
    }

    static void onMessage(MessageExt m) {
        long i = seen.getAndIncrement();
        if (i == warmup) {
            cpu0 = OS.getProcessCpuTime();
            t0 = System.nanoTime();
            started = true;
        }
        if (!registered.get()) {
            registered.set(Boolean.TRUE);
            callbackThreads.add(Thread.currentThread());
        }
        byte[] b = m.getBody();
        if (b != null && b.length > 0) {
            long x = 0;
            for (int k = 0; k < b.length; k += 64) {
                x += b[k] & 0xFF;
            }
            x += b[b.length - 1] & 0xFF;
            touch.add(x);
            bodyBytes.add(b.length);
        } else {
            emptyBodies.increment();
        }
        long j = i - warmup;
        if (j >= 0 && j < count) {
            long l = wallMicros() - m.getBornTimestamp() * 1000L;
            if (l < 0) {
                negative.incrementAndGet();
                l = 0;
            }
            lat[(int) j] = l;
            nlat.incrementAndGet();
            if (j == count - 1) {
                t1 = System.nanoTime();
                cpu1 = OS.getProcessCpuTime();
                done = true;
            }
        }
    }

    static void usage() {
        System.err.println("usage: ConsumerBench [-n namesrv] [-t topic] [-g group] [-m messages] [-W warmup] "
                + "[-T consume_threads] [-b batch_max] [-c max_cache_per_queue] [-x timeout_s] [-i idle_s] [-q]");
        System.exit(2);
    }

    static String js(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    public static void main(String[] args) throws Exception {
        for (int a = 0; a < args.length; a++) {
            String f = args[a];
            if (f.equals("-q")) {
                quiet = true;
                continue;
            }
            if (a + 1 >= args.length) {
                usage();
            }
            String v = args[++a];
            switch (f) {
                case "-n": namesrv = v; break;
                case "-t": topic = v; break;
                case "-g": group = v; break;
                case "-m": count = Long.parseLong(v); break;
                case "-W": warmup = Long.parseLong(v); break;
                case "-T": threads = Integer.parseInt(v); break;
                case "-b": batch = Integer.parseInt(v); break;
                case "-c": cache = Integer.parseInt(v); break;
                case "-x": timeoutS = Integer.parseInt(v); break;
                case "-i": idleS = Integer.parseInt(v); break;
                default: usage();
            }
        }
        if (count < 2 || count > Integer.MAX_VALUE || warmup < 0 || threads < 0 || batch < 0 || cache < 0) {
            usage();
        }
        lat = new long[(int) count];
        System.out.printf("consumer_bench(java): messages=%d warmup=%d threads=%d batch=%d cache=%d namesrv=%s topic=%s "
                + "group=%s client=rocketmq-client %s java=%s%n", count, warmup, threads, batch, cache, namesrv, topic,
                group, DefaultMQPushConsumer.class.getPackage().getImplementationVersion(),
                System.getProperty("java.version"));
        System.out.flush();

        int threadsBefore = countThreads();
        long tCreate = System.nanoTime();
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(namesrv);
        c.setInstanceName("consumer-bench-" + ProcessHandle.current().pid());
        if (threads > 0) {
            c.setConsumeThreadMax(Math.max(threads, 1));
            c.setConsumeThreadMin(threads);
        }
        if (batch > 0) {
            c.setConsumeMessageBatchMaxSize(batch);
        }
        if (cache > 0) {
            c.setPullThresholdForQueue(cache);
        }
        c.subscribe(topic, "*");
        c.registerMessageListener(new MessageListenerConcurrently() {
            @Override
            public ConsumeConcurrentlyStatus consumeMessage(List<MessageExt> msgs, ConsumeConcurrentlyContext ctx) {
                for (MessageExt m : msgs) {
                    onMessage(m);
                }
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }
        });
        c.start();
        double startMs = (System.nanoTime() - tCreate) / 1e6;
        int threadsAfterStart = countThreads();
        int threadsPeak = threadsAfterStart;

        long tBegin = System.nanoTime(), lastChange = tBegin, lastReport = tBegin, lastSeen = 0;
        boolean partial = false, timedOut = false;
        while (!done) {
            Thread.sleep(20);
            threadsPeak = Math.max(threadsPeak, countThreads());
            long now = System.nanoTime();
            long s = seen.get();
            if (s != lastSeen) {
                lastSeen = s;
                lastChange = now;
            }
            if (!quiet && now - lastReport >= 1_000_000_000L) {
                System.err.printf("consumer_bench(java): %d messages after %.1f s%n", s, (now - tBegin) / 1e9);
                lastReport = now;
            }
            if (started && now - lastChange >= idleS * 1_000_000_000L) {
                partial = true;
                break;
            }
            if (now - tBegin >= timeoutS * 1_000_000_000L) {
                timedOut = true;
                break;
            }
        }
        long measured;
        if (done) {
            measured = count;
        } else {
            t1 = lastChange;
            cpu1 = OS.getProcessCpuTime();
            measured = Math.max(0, seen.get() - warmup);
            if (!started) {
                t0 = t1;
                cpu0 = cpu1;
            }
        }
        threadsPeak = Math.max(threadsPeak, countThreads());

        long tSd = System.nanoTime();
        c.shutdown();
        double shutdownMs = (System.nanoTime() - tSd) / 1e6;

        int n = (int) Math.min(nlat.get(), count);
        long[] sorted = Arrays.copyOf(lat, n);
        Arrays.sort(sorted);
        double p50 = pct(sorted, 0.50) / 1000.0, p90 = pct(sorted, 0.90) / 1000.0, p99 = pct(sorted, 0.99) / 1000.0;
        double max = n > 0 ? sorted[n - 1] / 1000.0 : 0;
        long intervals = Math.max(0, measured - 1);
        double elapsed = (t1 - t0) / 1e9;
        double tps = elapsed > 0 ? intervals / elapsed : 0;
        double cpuS = (cpu1 - cpu0) / 1e9;
        double cpuPerMsg = intervals > 0 ? cpuS * 1e6 / intervals : 0;
        long delivered = seen.get();
        double meanBody = delivered > 0 ? (double) bodyBytes.sum() / delivered : 0;

        System.out.printf("Consume TPS: %d Messages: %d Elapsed(s): %.3f Born-to-consume p50(ms): %.1f p99(ms): %.1f "
                + "CPU/msg(us): %.1f Threads: %d%s%n", Math.round(tps), measured, elapsed, p50, p99, cpuPerMsg,
                threadsPeak, partial ? " (partial: no message for -i seconds)" : timedOut ? " (TIMED OUT)" : "");
        if (!quiet) {
            System.out.printf("callback threads: %d, delivered in total: %d, mean body: %.0f B, empty bodies: %d%n",
                    callbackThreads.size(), delivered, meanBody, emptyBodies.sum());
        }
        System.out.println("BENCH_JSON {\"bench\":\"consumer\",\"client\":\"java\",\"namesrv\":" + js(namesrv)
                + ",\"topic\":" + js(topic) + ",\"group\":" + js(group)
                + String.format(java.util.Locale.ROOT,
                        ",\"messages\":%d,\"warmup\":%d,\"consume_threads\":%d,\"batch_max\":%d,\"max_cache\":%d,"
                        + "\"measured\":%d,\"partial\":%s,\"timed_out\":%s,\"delivered\":%d,\"elapsed_s\":%.4f,"
                        + "\"tps\":%.1f,\"born_p50_ms\":%.3f,\"born_p90_ms\":%.3f,\"born_p99_ms\":%.3f,"
                        + "\"born_max_ms\":%.3f,\"born_negative\":%d,\"cpu_s\":%.4f,\"cpu_per_msg_us\":%.3f,"
                        + "\"mean_body_bytes\":%.1f,\"empty_bodies\":%d,\"threads_before\":%d,"
                        + "\"threads_after_start\":%d,\"threads_peak\":%d,\"start_ms\":%.2f,\"shutdown_ms\":%.2f,"
                        + "\"java\":%s,\"max_heap_mb\":%d}",
                        count, warmup, threads, batch, cache, measured, partial, timedOut, delivered, elapsed, tps,
                        p50, p90, p99, max, negative.get(), cpuS, cpuPerMsg, meanBody, emptyBodies.sum(),
                        threadsBefore, threadsAfterStart, threadsPeak, startMs, shutdownMs,
                        js(System.getProperty("java.version")), Runtime.getRuntime().maxMemory() >> 20));
        System.out.flush();
        System.exit(measured < 2 || timedOut ? 1 : 0);
    }

    static long pct(long[] s, double p) {
        return s.length == 0 ? 0 : s[(int) (p * (s.length - 1) + 0.5)];
    }
}
