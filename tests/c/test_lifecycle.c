/*
 * test_lifecycle.c - nothing is left behind. Rounds of create, start, send one message (and
 * every fifth round a push consumer that receives it), shutdown, destroy against a real broker;
 * after each round every handle is destroyed, so the process must be back to what it was before
 * the first Start: the main thread only, no socket, no file the library opened. RSS may grow
 * during a warm-up (allocator arenas, caches) and must then stay within 8 MiB.
 *
 *   test_lifecycle NAMESRV TOPIC [ROUNDS]      (ROUNDS default 1000)
 *
 * Prints the counts it checked (threads, fds, sockets, RSS after the warm-up and at the end).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CMessage.h>
#include <rocketmq/CMessageExt.h>
#include <rocketmq/CProducer.h>
#include <rocketmq/CPushConsumer.h>

#include "check.h"

#define WARMUP_ROUNDS 20
#define RSS_SLACK_KIB (8 * 1024)
#define CONSUME_TIMEOUT_MS 20000
#define SETTLE_MS 1000

static const char* g_namesrv;
static const char* g_topic;
static volatile int g_received;

/* Entries of a /proc/self directory ("task" or "fd"); sockets only when sockets_only. */
static int count_entries(const char* dir, int sockets_only)
{
    DIR* d = opendir(dir);
    if (d == NULL) {
        return -1;
    }
    int n = 0;
    struct dirent* e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        if (sockets_only) {
            char path[300], target[300];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            ssize_t len = readlink(path, target, sizeof target - 1);
            if (len <= 0) {
                continue;
            }
            target[len] = '\0';
            if (strncmp(target, "socket:", 7) != 0) {
                continue;
            }
        }
        n++;
    }
    closedir(d);
    return n;
}

static int threads(void) { return count_entries("/proc/self/task", 0); }
/* Less the directory stream that counts them. */
static int fds(void) { return count_entries("/proc/self/fd", 0) - 1; }
static int sockets(void) { return count_entries("/proc/self/fd", 1); }

static long rss_kib(void)
{
    FILE* f = fopen("/proc/self/status", "r");
    long kib = -1;
    char line[256];
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
        }
    }
    if (f != NULL) {
        fclose(f);
    }
    return kib;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(int ms)
{
    struct timespec pause = {0, ms * 1000000L};
    nanosleep(&pause, NULL);
}

static int on_message(CPushConsumer* consumer, CMessageExt* msg)
{
    (void)consumer;
    (void)msg;
    __sync_fetch_and_add(&g_received, 1);
    return E_CONSUME_SUCCESS;
}

/* One producer life; returns 1 when its send succeeded. */
static int producer_round(int round)
{
    char group[64];
    snprintf(group, sizeof group, "lifecycle_pg_%d", (int)getpid());
    CProducer* p = CreateProducer(group);
    SetProducerNameServerAddress(p, g_namesrv);
    int ok = StartProducer(p) == OK;
    CMessage* m = CreateMessage(g_topic);
    char body[64];
    snprintf(body, sizeof body, "round %d", round);
    SetMessageBody(m, body);
    CSendResult r;
    ok = ok && SendMessageSync(p, m, &r) == OK && r.sendStatus == E_SEND_OK;
    DestroyMessage(m);
    ok = ShutdownProducer(p) == OK && ok;
    ok = DestroyProducer(p) == OK && ok;
    return ok;
}

/* One push consumer life, from the last offset (CONSUME_FROM_LAST_OFFSET, the default), with a
 * producer sending once it runs; returns 1 when the consumer received something. */
static int consumer_round(int round)
{
    char group[64];
    snprintf(group, sizeof group, "lifecycle_cg_%d_%d", (int)getpid(), round);
    CPushConsumer* c = CreatePushConsumer(group);
    SetPushConsumerNameServerAddress(c, g_namesrv);
    Subscribe(c, g_topic, "*");
    RegisterMessageCallback(c, on_message);
    g_received = 0;
    int ok = StartPushConsumer(c) == OK;
    long long deadline = now_ms() + CONSUME_TIMEOUT_MS;
    /* The new group's start offset is set at its first rebalance: keep sending until one arrives. */
    while (ok && g_received == 0 && now_ms() < deadline) {
        producer_round(round);
        nap_ms(100);
    }
    int received = g_received > 0;
    ok = ShutdownPushConsumer(c) == OK && ok;
    ok = DestroyPushConsumer(c) == OK && ok;
    return ok && received;
}

int main(int argc, char** argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s NAMESRV TOPIC [ROUNDS]\n", argv[0]);
        return 2;
    }
    g_namesrv = argv[1];
    g_topic = argv[2];
    int rounds = argc > 3 ? atoi(argv[3]) : 1000;
    if (rounds <= WARMUP_ROUNDS) {
        rounds = WARMUP_ROUNDS + 1;
    }

    int threads0 = threads(), fds0 = fds(), sockets0 = sockets();
    long rss_warm = 0;
    int failed_rounds = 0, consumer_rounds = 0, leaked_rounds = 0;
    long long t0 = now_ms();
    for (int round = 1; round <= rounds; round++) {
        int ok = round % 5 == 0 ? (consumer_rounds++, consumer_round(round)) : producer_round(round);
        if (!ok && failed_rounds++ < 5) {
            CHECK(ok, "round %d (%s) failed: %s", round, round % 5 == 0 ? "push consumer" : "producer",
                  GetLatestErrorMessage());
        }
        /* Every handle is destroyed here: nothing of the library may be left. A thread that was
         * joined can still be listed in /proc for a moment while the kernel finishes its exit:
         * counts are polled briefly before they count as left behind. */
        int t, f, s;
        long long settle_until = now_ms() + SETTLE_MS;
        for (;;) {
            t = threads(), f = fds(), s = sockets();
            if ((t == threads0 && f == fds0 && s == sockets0) || now_ms() >= settle_until) {
                break;
            }
            nap_ms(5);
        }
        if ((t != threads0 || f != fds0 || s != sockets0) && leaked_rounds++ < 5) {
            CHECK(0, "after round %d: %d threads (before: %d), %d fds (%d), %d sockets (%d)", round, t, threads0, f,
                  fds0, s, sockets0);
        }
        if (round == WARMUP_ROUNDS) {
            rss_warm = rss_kib();
        }
    }
    long rss_end = rss_kib();
    printf("%d rounds (%d with a push consumer) in %.1f s; rounds failed: %d, rounds that left something: %d\n",
           rounds, consumer_rounds, (now_ms() - t0) / 1000.0, failed_rounds, leaked_rounds);
    printf("threads %d -> %d, fds %d -> %d, sockets %d -> %d, RSS after %d rounds %ld KiB, at the end %ld KiB\n",
           threads0, threads(), fds0, fds(), sockets0, sockets(), WARMUP_ROUNDS, rss_warm, rss_end);
    CHECK(failed_rounds == 0, "%d rounds failed", failed_rounds);
    CHECK(leaked_rounds == 0, "%d rounds left threads, fds or sockets behind", leaked_rounds);
    CHECK(rss_end - rss_warm <= RSS_SLACK_KIB, "RSS grew by %ld KiB after the warm-up (limit %d KiB)",
          rss_end - rss_warm, RSS_SLACK_KIB);
    return check_done();
}
