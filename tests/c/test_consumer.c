/*
 * test_consumer.c - the push consumer (CPushConsumer.h) against a real broker. One scenario per
 * process, so that run.sh can run them side by side and a hang or crash stays in its scenario:
 *
 *   test_consumer NAMESRV SCENARIO [TOPIC]   (default topic rmq_ct_<SCENARIO>, the prefix can be
 *                                            changed with RMQ_CT_TOPIC_PREFIX; "all" runs every
 *                                            scenario one after the other)
 *   test_consumer NAMESRV --topics           prints "TOPIC QUEUES" for every scenario's topic
 *   test_consumer NAMESRV --missing-topics   the same, only those without a route with that many
 *                                            queues on NAMESRV (run.sh creates them)
 *
 * Scenarios (each asserts on what came back from the broker, as sets of message keys with
 * deadlines; the only fixed waits are short "nothing more arrives" windows):
 *   basic      every message received once, every field (topic, tags, keys, body, properties incl.
 *              non-ASCII, msgId == send result, queue id / offset == send result); after Shutdown
 *              the group's offsets are committed (a restarted consumer gets only new messages)
 *   split      two consumers of one group split the 8 queues as the Java "averagely" allocation
 *              does and together see every message exactly once
 *   joinleave  a consumer joining and leaving mid-stream: nothing lost (duplicates allowed)
 *   orderly    RegisterMessageCallbackOrderly + SendMessageOrderlyByShardingKey with failures
 *              injected: per key in send order, a failed message comes again (~1 s later, reconsume
 *              times + 1) before anything later of its queue, one callback at a time per queue
 *   ordsplit   orderly, a second consumer joins while 2 s callbacks run on every queue: a queue
 *              that moves is never consumed by two consumers at the same time, offsets never go
 *              back
 *   broadcast  two BROADCASTING consumers each see every message sent after their start (not the
 *              ones before), a failure is not redelivered, offsets are kept in a local file and a
 *              restarted consumer continues from it
 *   retry      a message refused twice comes back with reconsume times 2 and its original topic;
 *              with SetPushConsumerMessageBatchMaxSize(10) only the refused messages come again
 *   rate       SetPushConsumerMaxConsumeTps(c, 50): 50/s +-10%, winning over the environment
 *              variable ROCKETMQ_PUSH_CONSUMER_MAX_TPS=40 (set by this program), which alone gives
 *              40/s +-10% to another consumer; Shutdown of a 1/s consumer with 8 threads and a
 *              backlog returns promptly when no callback runs
 *   flow       a 1-queue topic, callbacks blocked: with SetPushConsumerMaxCacheMessageSize(10) at
 *              most 10 + 32 (one pull) messages are handed over at a time, with
 *              SetPushConsumerMaxCacheMessageSizeInMb(1) at most 1 MiB + one pull; a consumer
 *              with a 512 MiB limit (control) gets far more; afterwards nothing is lost
 *   shutdown   Shutdown during 2 s callbacks waits for them, no callback starts after it returned,
 *              and a consumer of the same group started afterwards gets the rest (nothing lost) but
 *              not what the waited-for callbacks accepted (their offsets are committed)
 *   drain      Shutdown during a 13 s callback returns within the ~10 s drain bound
 *   selfstop   Shutdown / Destroy from inside the consumer's own callback return 20 with an error
 *              text instead of deadlocking; the consumer keeps working
 *   destroy    Destroy without Shutdown shuts down (offsets committed, no callback afterwards, also
 *              with callbacks in flight); a consumer of the same group started again in the
 *              process gets all the queues
 *
 * Groups, tags and keys carry a per-run id; the topics are reused between runs, so every
 * subscription is to this run's tag only (older messages are filtered out by the broker).
 * Broadcasting offsets are written below $HOME (run.sh points HOME at .build/c/home).
 * RMQ_CT_TIME_FACTOR=N multiplies the deadlines (run.sh: 4 under valgrind).
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rocketmq/CCommon.h>
#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CMessage.h>
#include <rocketmq/CMessageExt.h>
#include <rocketmq/CProducer.h>
#include <rocketmq/CPullConsumer.h>
#include <rocketmq/CPushConsumer.h>

#include "check.h"

/* Non-ASCII UTF-8 text ("grün — 日本"), written as separate literals so no hex escape overruns. */
#define UTF8_TEXT "gr\xc3\xbc" "n \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac"

static const char* g_namesrv;
static const char* g_scen = "-";
static char g_topic[128];
static char g_run[64];     /* pid-time */
static char g_prefix[128]; /* "<scenario>-<run>": every key of this run starts with it */
static char g_tag[128];    /* the tag of this run's messages */
static long long g_t0;
static int g_factor = 1;
static pthread_t g_main_thread;

/* ------------------------------------------------------------------------------------------ */
/* Small helpers.                                                                              */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* A deadline `ms` (times RMQ_CT_TIME_FACTOR) from now. */
static long long deadline_in(long long ms)
{
    return now_ms() + ms * g_factor;
}

static void note(const char* fmt, ...)
{
    va_list ap;
    flockfile(stdout);
    printf("[%s +%.1fs] ", g_scen, (double)(now_ms() - g_t0) / 1000.0);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    funlockfile(stdout);
}

/* Gives up on a scenario that cannot go on safely (e.g. a callback that never returns): prints
 * the summary and leaves without running any library shutdown. */
static void exit_now(void)
{
    fflush(stdout);
    fflush(stderr);
    _exit(check_done());
}

/* Names that are valid groups / instance names / tags: ct-<what>-<run>. */
static void make_name(char* buf, size_t n, const char* what)
{
    snprintf(buf, n, "ct-%s-%s-%s", g_scen, what, g_run);
}

static void make_key(char* buf, size_t n, const char* label, int i)
{
    snprintf(buf, n, "%s:%s:%d", g_prefix, label, i);
}

/* The index i of a key "<prefix>:<label>:<i>" (the first of space-separated keys), else -1. */
static int key_index(const char* keys, const char* label)
{
    size_t pl = strlen(g_prefix), ll = strlen(label);
    const char* p;
    char* end;
    long v;
    if (keys == NULL || strncmp(keys, g_prefix, pl) != 0 || keys[pl] != ':') {
        return -1;
    }
    p = keys + pl + 1;
    if (strncmp(p, label, ll) != 0 || p[ll] != ':') {
        return -1;
    }
    p += ll + 1;
    v = strtol(p, &end, 10);
    if (end == p || (*end != '\0' && *end != ' ') || v < 0 || v > 1000000) {
        return -1;
    }
    return (int)v;
}

/* True for a key of this run (any label). */
static int own_key(const char* keys)
{
    size_t pl = strlen(g_prefix);
    return keys != NULL && strncmp(keys, g_prefix, pl) == 0 && keys[pl] == ':';
}

static char* dup_str(const char* s)
{
    size_t n;
    char* d;
    if (s == NULL) {
        return NULL;
    }
    n = strlen(s);
    d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n + 1);
    }
    return d;
}

static int str_eq(const char* a, const char* b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static const char* nn(const char* s)
{
    return s ? s : "(NULL)";
}

static void atomic_max(int* where, int v)
{
    int cur = __sync_fetch_and_add(where, 0);
    while (v > cur) {
        int seen = __sync_val_compare_and_swap(where, cur, v);
        if (seen == cur) {
            break;
        }
        cur = seen;
    }
}

static int atomic_get(int* where)
{
    return __sync_fetch_and_add(where, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* What a callback saw: a copy of every getter, taken during the call.                         */

typedef struct {
    int consumer;           /* the scenario's index of the consumer */
    CPushConsumer* handle;  /* the callback's consumer argument */
    int verdict;            /* what the callback returned */
    int on_main_thread;
    long long t_start, t_end;
    char* topic;
    char* tags;
    char* keys;
    char* body; /* only when the consumer copies bodies */
    char* msg_id;
    char* p_ascii;
    char* p_utf8;
    char* uniq;
    char* store_host;
    char* born_host;
    int body_len, queue_id, reconsume, store_size, delay_level;
    long long queue_offset, commit_log_offset, born_ts, store_ts;
} rec;

static void capture(rec* r, CMessageExt* m, int copy_body)
{
    r->topic = dup_str(GetMessageTopic(m));
    r->tags = dup_str(GetMessageTags(m));
    r->keys = dup_str(GetMessageKeys(m));
    r->msg_id = dup_str(GetMessageId(m));
    r->body_len = GetMessageBodyLength(m);
    if (copy_body) {
        const char* b = GetMessageBody(m);
        if (b != NULL && r->body_len >= 0) {
            r->body = malloc((size_t)r->body_len + 1);
            if (r->body != NULL) {
                memcpy(r->body, b, (size_t)r->body_len);
                r->body[r->body_len] = '\0';
            }
        }
        r->p_ascii = dup_str(GetMessageProperty(m, "p_ascii"));
        r->p_utf8 = dup_str(GetMessageProperty(m, "p_utf8"));
        r->uniq = dup_str(GetMessageProperty(m, "UNIQ_KEY"));
        r->store_host = dup_str(GetMessageStoreHost(m));
        r->born_host = dup_str(GetMessageBornHost(m));
    }
    r->queue_id = GetMessageQueueId(m);
    r->reconsume = GetMessageReconsumeTimes(m);
    r->store_size = GetMessageStoreSize(m);
    r->delay_level = GetMessageDelayTimeLevel(m);
    r->queue_offset = GetMessageQueueOffset(m);
    r->commit_log_offset = GetMessageCommitLogOffset(m);
    r->born_ts = GetMessageBornTimestamp(m);
    r->store_ts = GetMessageStoreTimestamp(m);
}

static void rec_free(rec* r)
{
    free(r->topic);
    free(r->tags);
    free(r->keys);
    free(r->body);
    free(r->msg_id);
    free(r->p_ascii);
    free(r->p_utf8);
    free(r->uniq);
    free(r->store_host);
    free(r->born_host);
}

/* Every callback of a scenario, in the order the callbacks ended. */
typedef struct {
    pthread_mutex_t lock;
    rec* v;
    int n, cap;
} coll;

static void coll_init(coll* c)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
}

static void coll_add(coll* c, const rec* r)
{
    pthread_mutex_lock(&c->lock);
    if (c->n == c->cap) {
        int cap = c->cap ? c->cap * 2 : 256;
        rec* v = realloc(c->v, (size_t)cap * sizeof *v);
        if (v == NULL) {
            pthread_mutex_unlock(&c->lock);
            CHECK(0, "out of memory");
            return;
        }
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = *r;
    pthread_mutex_unlock(&c->lock);
}

/* Only call once no callback can add records any more (after every consumer is shut down) or
 * under c->lock. */
static void coll_free(coll* c)
{
    int i;
    for (i = 0; i < c->n; i++) {
        rec_free(&c->v[i]);
    }
    free(c->v);
    c->v = NULL;
    c->n = c->cap = 0;
}

/*
 * Fills cnt[0..n) with the number of deliveries of the keys <label>:0..n-1 to consumer `who`
 * (-1: any consumer); ok_only counts only those the callback accepted. Returns how many of the n
 * keys were delivered at least once.
 */
static int tally(coll* c, int who, const char* label, int n, int ok_only, int* cnt)
{
    int i, covered = 0;
    memset(cnt, 0, (size_t)n * sizeof *cnt);
    pthread_mutex_lock(&c->lock);
    for (i = 0; i < c->n; i++) {
        const rec* r = &c->v[i];
        int k;
        if ((who >= 0 && r->consumer != who) || (ok_only && r->verdict != 0)) {
            continue;
        }
        k = key_index(r->keys, label);
        if (k >= 0 && k < n) {
            if (cnt[k]++ == 0) {
                covered++;
            }
        }
    }
    pthread_mutex_unlock(&c->lock);
    return covered;
}

/* Polls until every key <label>:0..n-1 was delivered (to `who`, -1 any), or the timeout; returns
 * how many were. */
static int wait_all(coll* c, int who, const char* label, int n, int ok_only, long long timeout_ms)
{
    long long until = deadline_in(timeout_ms);
    int* cnt = calloc((size_t)n, sizeof *cnt);
    int covered = 0;
    if (cnt == NULL) {
        return 0;
    }
    for (;;) {
        covered = tally(c, who, label, n, ok_only, cnt);
        if (covered >= n || now_ms() >= until) {
            break;
        }
        sleep_ms(20);
    }
    free(cnt);
    return covered;
}

/* Number of records so far (all consumers). */
static int coll_count(coll* c)
{
    int n;
    pthread_mutex_lock(&c->lock);
    n = c->n;
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* Records whose keys are not of this run (the tag subscription must filter them out). */
static int foreign(coll* c)
{
    int i, n = 0;
    pthread_mutex_lock(&c->lock);
    for (i = 0; i < c->n; i++) {
        if (!own_key(c->v[i].keys)) {
            n++;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* Checks that every key <label>:0..n-1 reached `who` (-1: anyone) exactly once / at least once. */
static void check_counts(coll* c, int who, const char* label, int n, int exactly_once, const char* what)
{
    int* cnt = calloc((size_t)n, sizeof *cnt);
    int i, missing = 0, dups = 0, first_missing = -1, first_dup = -1;
    if (cnt == NULL) {
        return;
    }
    tally(c, who, label, n, 0, cnt);
    for (i = 0; i < n; i++) {
        if (cnt[i] == 0) {
            if (missing++ == 0) {
                first_missing = i;
            }
        } else if (cnt[i] > 1) {
            dups += cnt[i] - 1;
            if (first_dup < 0) {
                first_dup = i;
            }
        }
    }
    CHECK(missing == 0, "%s: %s: %d of %d messages never delivered (first: %s:%d)", g_scen, what, missing, n, label,
          first_missing);
    if (exactly_once) {
        CHECK(dups == 0, "%s: %s: %d duplicate deliveries (first: %s:%d delivered %d times)", g_scen, what, dups, label,
              first_dup, first_dup >= 0 ? cnt[first_dup] : 0);
    }
    note("%s: %d/%d delivered, %d duplicates", what, n - missing, n, dups);
    free(cnt);
}

/* Bit mask of the queue ids of the deliveries of <label> keys to `who`. */
static unsigned queue_mask(coll* c, int who, const char* label)
{
    unsigned mask = 0;
    int i;
    pthread_mutex_lock(&c->lock);
    for (i = 0; i < c->n; i++) {
        const rec* r = &c->v[i];
        if (r->consumer == who && key_index(r->keys, label) >= 0 && r->queue_id >= 0 && r->queue_id < 32) {
            mask |= 1u << r->queue_id;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return mask;
}

/* ------------------------------------------------------------------------------------------ */
/* Consumers: one generic C callback finds the scenario's context by the consumer pointer.      */

typedef struct cons cons;
/* Decides the callback's return value; r already holds the message's fields. */
typedef int (*handler_fn)(cons* x, CPushConsumer* c, CMessageExt* m, rec* r);

struct cons {
    CPushConsumer* c;
    int index;
    coll* coll;
    handler_fn handler;
    void* arg;
    int copy_body;
    int started, finished, max_inflight, late;
    int closed; /* set once Shutdown / Destroy returned: no callback may start afterwards */
};

static pthread_mutex_t g_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static cons* g_reg[64];
static int g_nreg;
static int g_unknown_calls;

static void reg_add(cons* x)
{
    pthread_mutex_lock(&g_reg_lock);
    if (g_nreg < (int)(sizeof g_reg / sizeof g_reg[0])) {
        g_reg[g_nreg++] = x;
    }
    pthread_mutex_unlock(&g_reg_lock);
}

/* The newest registration of this handle (a freed handle's address may be reused). */
static cons* reg_find(CPushConsumer* c)
{
    cons* x = NULL;
    int i;
    pthread_mutex_lock(&g_reg_lock);
    for (i = g_nreg - 1; i >= 0; i--) {
        if (g_reg[i]->c == c) {
            x = g_reg[i];
            break;
        }
    }
    pthread_mutex_unlock(&g_reg_lock);
    return x;
}

static int on_message(CPushConsumer* c, CMessageExt* m)
{
    cons* x = reg_find(c);
    rec r;
    int inflight;
    if (x == NULL) {
        if (__sync_fetch_and_add(&g_unknown_calls, 1) < 3) {
            CHECK(0, "%s: callback with a consumer pointer %p that no consumer of this test has", g_scen, (void*)c);
        }
        return E_CONSUME_SUCCESS;
    }
    if (atomic_get(&x->closed)) {
        if (__sync_fetch_and_add(&x->late, 1) < 3) {
            CHECK(0, "%s: consumer %d: a callback started after ShutdownPushConsumer/DestroyPushConsumer returned",
                  g_scen, x->index);
        }
    }
    inflight = __sync_add_and_fetch(&x->started, 1) - atomic_get(&x->finished);
    atomic_max(&x->max_inflight, inflight);
    memset(&r, 0, sizeof r);
    r.t_start = now_ms();
    r.consumer = x->index;
    r.handle = c;
    r.on_main_thread = pthread_equal(pthread_self(), g_main_thread);
    capture(&r, m, x->copy_body);
    r.verdict = x->handler ? x->handler(x, c, m, &r) : E_CONSUME_SUCCESS;
    r.t_end = now_ms();
    coll_add(x->coll, &r);
    __sync_fetch_and_add(&x->finished, 1);
    return r.verdict;
}

/* A configured, registered (not started) consumer of g_topic for `expression`. */
static int new_consumer(cons* x, coll* col, int index, const char* group, const char* instance,
                        const char* expression, int orderly, handler_fn handler, void* arg)
{
    int rc;
    memset(x, 0, sizeof *x);
    x->index = index;
    x->coll = col;
    x->handler = handler;
    x->arg = arg;
    x->c = CreatePushConsumer(group);
    CHECK(x->c != NULL, "%s: CreatePushConsumer(%s) returned NULL: %s", g_scen, group, GetLatestErrorMessage());
    if (x->c == NULL) {
        return -1;
    }
    rc = SetPushConsumerNameServerAddress(x->c, g_namesrv);
    CHECK(rc == 0, "%s: SetPushConsumerNameServerAddress = %d", g_scen, rc);
    if (instance != NULL) {
        rc = SetPushConsumerInstanceName(x->c, instance);
        CHECK(rc == 0, "%s: SetPushConsumerInstanceName = %d", g_scen, rc);
    }
    rc = Subscribe(x->c, g_topic, expression);
    CHECK(rc == 0, "%s: Subscribe = %d", g_scen, rc);
    rc = orderly ? RegisterMessageCallbackOrderly(x->c, on_message) : RegisterMessageCallback(x->c, on_message);
    CHECK(rc == 0, "%s: Register callback = %d", g_scen, rc);
    reg_add(x);
    return 0;
}

static int start_consumer(cons* x)
{
    long long t0 = now_ms();
    int rc = StartPushConsumer(x->c);
    CHECK(rc == 0, "%s: StartPushConsumer (consumer %d) = %d: %s", g_scen, x->index, rc, GetLatestErrorMessage());
    note("consumer %d started in %lld ms", x->index, now_ms() - t0);
    return rc;
}

/* Shuts down; returns the time it took (ms). */
static long long shutdown_consumer(cons* x)
{
    long long t0 = now_ms(), dt;
    int rc = ShutdownPushConsumer(x->c);
    dt = now_ms() - t0;
    __sync_lock_test_and_set(&x->closed, 1);
    CHECK(rc == 0, "%s: ShutdownPushConsumer (consumer %d) = %d: %s", g_scen, x->index, rc, GetLatestErrorMessage());
    note("consumer %d shut down in %lld ms", x->index, dt);
    return dt;
}

static long long destroy_consumer(cons* x)
{
    long long t0 = now_ms(), dt;
    int rc = DestroyPushConsumer(x->c);
    dt = now_ms() - t0;
    __sync_lock_test_and_set(&x->closed, 1);
    CHECK(rc == 0, "%s: DestroyPushConsumer (consumer %d) = %d: %s", g_scen, x->index, rc, GetLatestErrorMessage());
    return dt;
}

/* Shutdown + Destroy, for the end of a scenario. */
static void close_consumer(cons* x)
{
    if (!atomic_get(&x->closed)) {
        shutdown_consumer(x);
    }
    destroy_consumer(x);
}

/* ------------------------------------------------------------------------------------------ */
/* Producing.                                                                                  */

typedef struct {
    char msg_id[MAX_MESSAGE_ID_LENGTH];
    long long offset;
    int queue; /* the queue the selector picked, -1 when the library chose */
    int ok;
} sent;

typedef struct {
    int want;
    int chosen;
} qsel;

static int select_queue(int size, CMessage* msg, void* arg)
{
    qsel* s = arg;
    (void)msg;
    s->chosen = size > 0 ? s->want % size : 0;
    return s->chosen;
}

static CProducer* start_producer(void)
{
    char group[160];
    CProducer* p;
    int rc;
    make_name(group, sizeof group, "producer");
    p = CreateProducer(group);
    CHECK(p != NULL, "%s: CreateProducer returned NULL: %s", g_scen, GetLatestErrorMessage());
    if (p == NULL) {
        exit_now();
    }
    SetProducerNameServerAddress(p, g_namesrv);
    SetProducerInstanceName(p, group);
    /* These programs test consumers; their sends only feed them. Under valgrind, started next to
     * the other scenarios' valgrind runs, a first send has taken more than the default 3 s. */
    SetProducerSendMsgTimeout(p, 15000);
    rc = StartProducer(p);
    CHECK(rc == 0, "%s: StartProducer = %d: %s", g_scen, rc, GetLatestErrorMessage());
    if (rc != 0) {
        exit_now();
    }
    return p;
}

static void stop_producer(CProducer* p)
{
    ShutdownProducer(p);
    DestroyProducer(p);
}

enum { ANY_QUEUE = -1 };

/*
 * Sends one message of this run's tag (tags NULL) with the given key and body; queue >= 0 picks
 * the queue (SendMessageOrderly), sharding != NULL uses SendMessageOrderlyByShardingKey, else
 * SendMessageSync. p_ascii / p_utf8: user properties (NULL: none).
 */
static int send_full(CProducer* p, const char* tags, const char* key, const char* body, int len, int queue,
                     const char* sharding, const char* p_ascii, const char* p_utf8, sent* out)
{
    CMessage* m = CreateMessage(g_topic);
    CSendResult r;
    int rc;
    sent dummy;
    if (out == NULL) {
        out = &dummy;
    }
    memset(out, 0, sizeof *out);
    out->queue = -1;
    if (m == NULL) {
        CHECK(0, "%s: CreateMessage returned NULL", g_scen);
        return -1;
    }
    SetMessageTags(m, tags ? tags : g_tag);
    SetMessageKeys(m, key);
    SetByteMessageBody(m, body, len);
    if (p_ascii != NULL) {
        SetMessageProperty(m, "p_ascii", p_ascii);
    }
    if (p_utf8 != NULL) {
        SetMessageProperty(m, "p_utf8", p_utf8);
    }
    memset(&r, 0, sizeof r);
    if (queue >= 0) {
        qsel s;
        s.want = queue;
        s.chosen = -1;
        rc = SendMessageOrderly(p, m, select_queue, &s, 1, &r);
        out->queue = s.chosen;
    } else if (sharding != NULL) {
        rc = SendMessageOrderlyByShardingKey(p, m, sharding, &r);
    } else {
        rc = SendMessageSync(p, m, &r);
    }
    CHECK(rc == 0 && r.sendStatus == E_SEND_OK, "%s: send of %s: rc %d status %d: %s", g_scen, key, rc,
          (int)r.sendStatus, GetLatestErrorMessage());
    out->ok = rc == 0;
    snprintf(out->msg_id, sizeof out->msg_id, "%s", r.msgId);
    out->offset = r.offset;
    DestroyMessage(m);
    return rc;
}

/* Sends <label>:i with a short text body. */
static int send_simple(CProducer* p, const char* label, int i, int queue, sent* out)
{
    char key[200], body[256];
    make_key(key, sizeof key, label, i);
    snprintf(body, sizeof body, "body of %s", key);
    return send_full(p, NULL, key, body, (int)strlen(body), queue, NULL, NULL, NULL, out);
}

/* Sends <label>:from..to-1 (SendMessageSync, or queue i % 8 when by_queue). */
static void send_range(CProducer* p, const char* label, int from, int to, int by_queue, sent* out)
{
    int i;
    for (i = from; i < to; i++) {
        send_simple(p, label, i, by_queue ? i : ANY_QUEUE, out ? &out[i] : NULL);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* 1. basic                                                                                    */

#define BASIC_N 200

static void basic_message(int i, char* key, size_t key_n, char* keys, size_t keys_n, char* body, int* len,
                          char* p_ascii, char* p_utf8)
{
    make_key(key, key_n, "m", i);
    if (i % 10 == 0) {
        snprintf(keys, keys_n, "%s alt-%d", key, i);
    } else {
        snprintf(keys, keys_n, "%s", key);
    }
    if (i % 7 == 3) {
        /* Binary, with NUL bytes and bytes >= 0x80. */
        int j;
        for (j = 0; j < 64; j++) {
            body[j] = (char)((i * 31 + j * 37) & 0xff);
        }
        body[5] = '\0';
        body[6] = (char)0xff;
        *len = 64;
    } else {
        *len = snprintf(body, 256, "body %d " UTF8_TEXT " %s", i, g_run);
    }
    snprintf(p_ascii, 64, "v%d", i);
    snprintf(p_utf8, 128, UTF8_TEXT " %d", i);
}

static void scen_basic(void)
{
    coll col;
    cons a, b;
    char group[160], created[160], key[200], keys[256], body[256], pa[64], pu[128];
    sent* s = calloc(BASIC_N + 16, sizeof *s);
    CProducer* p;
    long long t_send0 = 0, t_first = 0, t_last = 0;
    int i, len, got, checked = 0, wrong = 0;

    coll_init(&col);
    p = start_producer();
    make_name(group, sizeof group, "group");
    make_name(created, sizeof created, "created");
    /* The group comes from SetPushConsumerGroupID, not CreatePushConsumer: the restarted
     * consumer below (CreatePushConsumer(group)) gets none of the messages again only if the
     * broker kept this one's offsets under that group. */
    new_consumer(&a, &col, 0, created, NULL, g_tag, 0, NULL, NULL);
    CHECK_EQ_INT(SetPushConsumerGroupID(a.c, group), 0, "basic: SetPushConsumerGroupID");
    CHECK(str_eq(GetPushConsumerGroupID(a.c), group), "basic: GetPushConsumerGroupID \"%s\"",
          nn(GetPushConsumerGroupID(a.c)));
    a.copy_body = 1;
    SetPushConsumerThreadCount(a.c, 4);

    /* Half before the start (a new group reads a fresh queue from offset 0), half after.
     * Even ones go to a chosen queue (SendMessageOrderly), odd ones where the library sends. */
    t_send0 = (long long)time(NULL) * 1000;
    for (i = 0; i < BASIC_N; i++) {
        if (i == BASIC_N / 2) {
            start_consumer(&a);
        }
        basic_message(i, key, sizeof key, keys, sizeof keys, body, &len, pa, pu);
        send_full(p, NULL, keys, body, len, i % 2 == 0 ? i / 2 : ANY_QUEUE, NULL, pa, pu, &s[i]);
    }
    note("sent %d messages", BASIC_N);
    got = wait_all(&col, 0, "m", BASIC_N, 0, 30000);
    CHECK(got == BASIC_N, "basic: %d of %d messages received within 30 s", got, BASIC_N);
    note("received %d/%d", got, BASIC_N);
    check_counts(&col, 0, "m", BASIC_N, 1, "all messages");
    CHECK_EQ_INT(foreign(&col), 0, "basic: messages of other tags / runs delivered");

    pthread_mutex_lock(&col.lock);
    for (i = 0; i < col.n; i++) {
        const rec* r = &col.v[i];
        int k = key_index(r->keys, "m"), bad = 0;
        char label[64];
        if (k < 0 || k >= BASIC_N) {
            continue;
        }
        snprintf(label, sizeof label, "basic m:%d", k);
        basic_message(k, key, sizeof key, keys, sizeof keys, body, &len, pa, pu);
#define FIELD(cond, ...)                                                                            \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            bad++;                                                                                  \
            if (wrong < 20) {                                                                       \
                CHECK(0, __VA_ARGS__);                                                              \
            }                                                                                       \
        }                                                                                           \
    } while (0)
        FIELD(r->handle == a.c, "%s: callback consumer %p, expected %p", label, (void*)r->handle, (void*)a.c);
        FIELD(!r->on_main_thread, "%s: callback ran on the main thread", label);
        FIELD(r->verdict == 0, "%s: verdict", label);
        FIELD(str_eq(r->topic, g_topic), "%s: topic \"%s\"", label, nn(r->topic));
        FIELD(str_eq(r->tags, g_tag), "%s: tags \"%s\", expected \"%s\"", label, nn(r->tags), g_tag);
        FIELD(str_eq(r->keys, keys), "%s: keys \"%s\", expected \"%s\"", label, nn(r->keys), keys);
        FIELD(r->body_len == len && r->body != NULL && memcmp(r->body, body, (size_t)len) == 0,
              "%s: body (length %d, expected %d) differs", label, r->body_len, len);
        FIELD(str_eq(r->p_ascii, pa), "%s: property p_ascii \"%s\", expected \"%s\"", label, nn(r->p_ascii), pa);
        FIELD(str_eq(r->p_utf8, pu), "%s: property p_utf8 \"%s\", expected \"%s\"", label, nn(r->p_utf8), pu);
        FIELD(s[k].ok && str_eq(r->msg_id, s[k].msg_id), "%s: msgId \"%s\", send result \"%s\"", label,
              nn(r->msg_id), s[k].msg_id);
        FIELD(str_eq(r->uniq, s[k].msg_id), "%s: UNIQ_KEY \"%s\", send result \"%s\"", label, nn(r->uniq),
              s[k].msg_id);
        FIELD(r->queue_offset == s[k].offset, "%s: queue offset %lld, send result %lld", label, r->queue_offset,
              s[k].offset);
        FIELD(s[k].queue < 0 || r->queue_id == s[k].queue, "%s: queue id %d, sent to %d", label, r->queue_id,
              s[k].queue);
        FIELD(r->queue_id >= 0 && r->queue_id < 8, "%s: queue id %d", label, r->queue_id);
        FIELD(r->reconsume == 0, "%s: reconsume times %d", label, r->reconsume);
        FIELD(r->delay_level == 0, "%s: delay level %d", label, r->delay_level);
        FIELD(r->store_size > len, "%s: store size %d", label, r->store_size);
        FIELD(r->commit_log_offset >= 0, "%s: commit log offset %lld", label, r->commit_log_offset);
        FIELD(r->born_ts >= t_send0 - 60000 && r->born_ts <= (long long)time(NULL) * 1000 + 60000,
              "%s: born timestamp %lld (sent at about %lld)", label, r->born_ts, t_send0);
        FIELD(r->store_ts >= r->born_ts - 60000 && r->store_ts <= r->born_ts + 60000,
              "%s: store timestamp %lld, born %lld", label, r->store_ts, r->born_ts);
        FIELD(r->store_host != NULL && strchr(r->store_host, ':') != NULL, "%s: store host \"%s\"", label,
              nn(r->store_host));
        FIELD(r->born_host != NULL && strchr(r->born_host, ':') != NULL, "%s: born host \"%s\"", label,
              nn(r->born_host));
#undef FIELD
        if (bad) {
            wrong++;
        }
        if (t_first == 0 || r->t_start < t_first) {
            t_first = r->t_start;
        }
        if (r->t_end > t_last) {
            t_last = r->t_end;
        }
        checked++;
    }
    pthread_mutex_unlock(&col.lock);
    CHECK(wrong == 0, "basic: %d of %d deliveries with wrong fields", wrong, checked);
    note("fields of %d deliveries checked, %d wrong; first to last callback %lld ms", checked, wrong,
         t_last - t_first);

    /* Shutdown commits the offsets: a consumer of the same group started afterwards gets the
     * new messages (16: two per queue) and none of the 200 again. The callbacks recorded the
     * messages just before returning: give the library a moment to take the last verdicts, so
     * that this checks the commit at shutdown, not what happens to callbacks still in flight
     * (the shutdown scenario checks that). */
    {
        long long until = deadline_in(5000);
        while (atomic_get(&a.finished) < atomic_get(&a.started) && now_ms() < until) {
            sleep_ms(10);
        }
        sleep_ms(300L * g_factor);
    }
    shutdown_consumer(&a);
    new_consumer(&b, &col, 1, group, NULL, g_tag, 0, NULL, NULL);
    start_consumer(&b);
    send_range(p, "after", 0, 16, 1, NULL);
    got = wait_all(&col, 1, "after", 16, 0, 20000);
    CHECK(got == 16, "basic: restarted consumer received %d of 16 new messages within 20 s", got);
    {
        int cnt[BASIC_N];
        int again = tally(&col, 1, "m", BASIC_N, 0, cnt);
        CHECK(again == 0, "basic: the consumer restarted after Shutdown got %d of the %d already consumed messages "
                          "again (offsets not committed at shutdown?)", again, BASIC_N);
    }
    close_consumer(&b);
    destroy_consumer(&a);
    stop_producer(p);
    coll_free(&col);
    free(s);
}

/* ------------------------------------------------------------------------------------------ */
/* 2. split                                                                                    */

#define SPLIT_N 200

static void scen_split(void)
{
    coll col;
    cons a, b;
    char group[160], ia[160], ib[160], label[32];
    CProducer* p = start_producer();
    long long t_start, until;
    unsigned prev_a = 0, prev_b = 0, qa, qb;
    int round, stable = 0, got;

    coll_init(&col);
    make_name(group, sizeof group, "group");
    make_name(ia, sizeof ia, "a"); /* client ids differ by instance name; "...-a-" sorts first */
    make_name(ib, sizeof ib, "b");
    new_consumer(&a, &col, 0, group, ia, g_tag, 0, NULL, NULL);
    new_consumer(&b, &col, 1, group, ib, g_tag, 0, NULL, NULL);
    start_consumer(&a);
    start_consumer(&b);
    t_start = now_ms();

    /* Probe rounds (one message per queue) until two rounds in a row show the same clean split:
     * every queue delivered to exactly one consumer, both consumers used. */
    until = deadline_in(30000);
    for (round = 0; now_ms() < until; round++) {
        int cnt_a[8], cnt_b[8], j, clean = 1;
        snprintf(label, sizeof label, "probe%d", round);
        for (j = 0; j < 8; j++) {
            send_simple(p, label, j, j, NULL);
        }
        got = wait_all(&col, -1, label, 8, 0, 10000);
        sleep_ms(300); /* a consumer still holding the queue would get it too */
        tally(&col, 0, label, 8, 0, cnt_a);
        tally(&col, 1, label, 8, 0, cnt_b);
        qa = qb = 0;
        for (j = 0; j < 8; j++) {
            if (cnt_a[j] > 0) {
                qa |= 1u << j;
            }
            if (cnt_b[j] > 0) {
                qb |= 1u << j;
            }
        }
        clean = got == 8 && (qa & qb) == 0 && (qa | qb) == 0xff && qa != 0 && qb != 0;
        if (clean && qa == prev_a && qb == prev_b) {
            stable = 1;
            break;
        }
        prev_a = clean ? qa : 0;
        prev_b = clean ? qb : 0;
    }
    CHECK(stable, "split: no stable split of the queues within 30 s (last round: A %02x, B %02x)", qa, qb);
    note("stable split after %d probe rounds, %lld ms after the second start: A queues %02x, B queues %02x", round + 1,
         now_ms() - t_start, qa, qb);

    send_range(p, "m", 0, SPLIT_N, 0, NULL);
    got = wait_all(&col, -1, "m", SPLIT_N, 0, 20000);
    CHECK(got == SPLIT_N, "split: %d of %d messages received within 20 s", got, SPLIT_N);
    sleep_ms(1000); /* duplicates would arrive right after the originals */
    check_counts(&col, -1, "m", SPLIT_N, 1, "both consumers together");
    qa = queue_mask(&col, 0, "m");
    qb = queue_mask(&col, 1, "m");
    CHECK((qa & qb) == 0 && (qa | qb) == 0xff, "split: queues of A %02x and of B %02x overlap or leave gaps", qa, qb);
    /* AllocateMessageQueueAveragely over sorted client ids (same ip@pid, instance a < b). */
    CHECK(qa == 0x0f && qb == 0xf0, "split: A got queues %02x, B %02x; the averagely allocation gives 0f / f0", qa,
          qb);
    {
        int cnt[SPLIT_N];
        note("A received %d, B received %d of the %d", tally(&col, 0, "m", SPLIT_N, 0, cnt),
             tally(&col, 1, "m", SPLIT_N, 0, cnt), SPLIT_N);
    }
    CHECK_EQ_INT(foreign(&col), 0, "split: messages of other tags / runs delivered");

    /* A leaves (Shutdown unregisters it): B takes all 8 queues without waiting for the 20 s
     * rebalance period. */
    shutdown_consumer(&a);
    t_start = now_ms();
    send_range(p, "alone", 0, 8, 1, NULL);
    got = wait_all(&col, 1, "alone", 8, 0, 15000);
    CHECK(got == 8, "split: after A's Shutdown B received %d of 8 messages (one per queue) within 15 s", got);
    note("after A left, B had all 8 queues within %lld ms", now_ms() - t_start);
    CHECK(now_ms() - t_start < 10000, "split: B took A's queues only after %lld ms", now_ms() - t_start);
    destroy_consumer(&a);
    close_consumer(&b);
    stop_producer(p);
    coll_free(&col);
}

/* ------------------------------------------------------------------------------------------ */
/* 3. joinleave                                                                                */

#define JL_N 300

typedef struct {
    CProducer* p;
    int sent;
} jl_sender;

static void* jl_send(void* arg)
{
    jl_sender* s = arg;
    int i;
    for (i = 0; i < JL_N; i++) {
        send_simple(s->p, "m", i, ANY_QUEUE, NULL);
        __sync_fetch_and_add(&s->sent, 1);
        sleep_ms(10);
    }
    return NULL;
}

static void wait_sent(jl_sender* s, int n)
{
    long long until = deadline_in(30000);
    while (atomic_get(&s->sent) < n && now_ms() < until) {
        sleep_ms(5);
    }
}

static void scen_joinleave(void)
{
    coll col;
    cons a, b;
    char group[160], ia[160], ib[160];
    jl_sender s;
    pthread_t t;
    int got, cnt[JL_N], by_b;

    coll_init(&col);
    s.p = start_producer();
    s.sent = 0;
    make_name(group, sizeof group, "group");
    make_name(ia, sizeof ia, "a");
    make_name(ib, sizeof ib, "b");
    new_consumer(&a, &col, 0, group, ia, g_tag, 0, NULL, NULL);
    new_consumer(&b, &col, 1, group, ib, g_tag, 0, NULL, NULL);
    start_consumer(&a);
    if (pthread_create(&t, NULL, jl_send, &s) != 0) {
        CHECK(0, "joinleave: pthread_create failed");
        exit_now();
    }
    wait_sent(&s, JL_N / 4);
    note("B joins after %d sent", atomic_get(&s.sent));
    start_consumer(&b);
    wait_sent(&s, JL_N * 2 / 3);
    note("B leaves after %d sent", atomic_get(&s.sent));
    shutdown_consumer(&b);
    note("B left, %d sent", atomic_get(&s.sent));
    pthread_join(t, NULL);
    note("all %d sent", JL_N);
    got = wait_all(&col, -1, "m", JL_N, 0, 30000);
    CHECK(got == JL_N, "joinleave: %d of %d messages received within 30 s of the last send", got, JL_N);
    check_counts(&col, -1, "m", JL_N, 0, "A and B together");
    by_b = tally(&col, 1, "m", JL_N, 0, cnt);
    CHECK(by_b > 0, "joinleave: B received nothing while it was in the group");
    note("A received %d, B received %d distinct messages", tally(&col, 0, "m", JL_N, 0, cnt), by_b);
    CHECK_EQ_INT(foreign(&col), 0, "joinleave: messages of other tags / runs delivered");
    close_consumer(&a);
    destroy_consumer(&b);
    stop_producer(s.p);
    coll_free(&col);
}

/* ------------------------------------------------------------------------------------------ */
/* 4. orderly                                                                                  */

#define ORD_KEYS 5
#define ORD_SEQ 15

typedef struct {
    int attempts[ORD_KEYS * 100];
    int inq[64];
    int overlap;
    int bad_key;
} ord_state;

/* Index j * 100 + seq; fails: every 5th message's first delivery (E_RECONSUME_LATER), key 0 seq 0
 * once with 3 (any non-zero value means "later"), key 1 seq 7 twice. */
static int ord_expected_failures(int j, int seq)
{
    if (j == 0 && seq == 0) {
        return 1;
    }
    if (j == 1 && seq == 7) {
        return 2;
    }
    return seq % 5 == 4 ? 1 : 0;
}

static int ord_handler(cons* x, CPushConsumer* c, CMessageExt* m, rec* r)
{
    ord_state* s = x->arg;
    int idx = key_index(r->keys, "o"), q = r->queue_id, verdict = E_CONSUME_SUCCESS;
    (void)c;
    (void)m;
    if (q >= 0 && q < 64 && __sync_add_and_fetch(&s->inq[q], 1) > 1) {
        __sync_fetch_and_add(&s->overlap, 1);
    }
    sleep_ms(3); /* widen the window in which an overlapping callback would be seen */
    if (idx >= 0 && idx < ORD_KEYS * 100 && idx % 100 < ORD_SEQ) {
        int a = __sync_add_and_fetch(&s->attempts[idx], 1);
        if (a <= ord_expected_failures(idx / 100, idx % 100)) {
            verdict = idx == 0 ? 3 : E_RECONSUME_LATER;
        }
    } else {
        __sync_fetch_and_add(&s->bad_key, 1);
    }
    if (q >= 0 && q < 64) {
        __sync_fetch_and_sub(&s->inq[q], 1);
    }
    return verdict;
}

static void scen_orderly(void)
{
    coll col;
    cons a;
    char group[160], key[200], body[128], shard[ORD_KEYS][96];
    ord_state* st = calloc(1, sizeof *st);
    CProducer* p = start_producer();
    int j, seq, i, n, expected_calls = 0, fails = 0;
    long long until, t0;
    int key_queue[ORD_KEYS];

    coll_init(&col);
    make_name(group, sizeof group, "group");
    new_consumer(&a, &col, 0, group, NULL, g_tag, 1, ord_handler, st);
    SetPushConsumerThreadCount(a.c, 4);
    for (j = 0; j < ORD_KEYS; j++) {
        snprintf(shard[j], sizeof shard[j], "shard-%d-%s", j, g_run);
        for (seq = 0; seq < ORD_SEQ; seq++) {
            expected_calls += 1 + ord_expected_failures(j, seq);
        }
    }
    /* Keys interleaved; the first third before the start. */
    for (seq = 0; seq < ORD_SEQ; seq++) {
        if (seq == ORD_SEQ / 3) {
            start_consumer(&a);
        }
        for (j = 0; j < ORD_KEYS; j++) {
            make_key(key, sizeof key, "o", j * 100 + seq);
            snprintf(body, sizeof body, "%d:%d", j, seq);
            send_full(p, NULL, key, body, (int)strlen(body), ANY_QUEUE, shard[j], NULL, NULL, NULL);
        }
    }
    t0 = now_ms();
    until = deadline_in(45000);
    while (now_ms() < until && coll_count(&col) < expected_calls) {
        sleep_ms(20);
    }
    n = coll_count(&col);
    CHECK(n >= expected_calls, "orderly: %d of %d expected callbacks within 45 s", n, expected_calls);
    note("%d callbacks (%d expected) in %lld ms after the last send", n, expected_calls, now_ms() - t0);
    sleep_ms(500); /* nothing more may come */
    shutdown_consumer(&a);

    CHECK_EQ_INT(st->overlap, 0, "orderly: callbacks of one queue that overlapped");
    CHECK_EQ_INT(st->bad_key, 0, "orderly: deliveries with keys not of this run");
    for (j = 0; j < ORD_KEYS; j++) {
        key_queue[j] = -1;
    }
    /* Per key: accepted exactly once each, in send order; each failure delivered again. */
    for (j = 0; j < ORD_KEYS; j++) {
        int next = 0, order_ok = 1, calls[ORD_SEQ];
        memset(calls, 0, sizeof calls);
        for (i = 0; i < col.n; i++) {
            const rec* r = &col.v[i];
            int idx = key_index(r->keys, "o");
            if (idx < 0 || idx / 100 != j) {
                continue;
            }
            seq = idx % 100;
            if (seq >= ORD_SEQ) {
                continue;
            }
            calls[seq]++;
            if (key_queue[j] < 0) {
                key_queue[j] = r->queue_id;
            }
            CHECK(r->queue_id == key_queue[j], "orderly: key %d in queues %d and %d (sharding key ignored?)", j,
                  key_queue[j], r->queue_id);
            if (r->verdict == 0) {
                if (seq != next && order_ok) {
                    CHECK(0, "orderly: key %d: accepted %d:%d when %d:%d was next (out of order or duplicate)", j, j,
                          seq, j, next);
                    order_ok = 0;
                }
                next = seq + 1;
            }
        }
        CHECK(next == ORD_SEQ, "orderly: key %d: last accepted seq %d of %d", j, next - 1, ORD_SEQ);
        for (seq = 0; seq < ORD_SEQ; seq++) {
            CHECK(calls[seq] == 1 + ord_expected_failures(j, seq),
                  "orderly: %d:%d delivered %d times, expected %d", j, seq, calls[seq],
                  1 + ord_expected_failures(j, seq));
        }
    }
    /* Per queue: after a refused message the next callback of the queue is that message again,
     * reconsume times + 1, about 1 s later; accepted offsets strictly increase. */
    for (i = 0; i < col.n; i++) {
        const rec* r = &col.v[i];
        const rec* prev = NULL;
        int k;
        for (k = i - 1; k >= 0; k--) {
            if (col.v[k].queue_id == r->queue_id) {
                prev = &col.v[k];
                break;
            }
        }
        if (prev == NULL) {
            continue;
        }
        if (prev->verdict != 0) {
            fails++;
            CHECK(r->queue_offset == prev->queue_offset && str_eq(r->keys, prev->keys),
                  "orderly: queue %d: after %s (offset %lld) failed, %s (offset %lld) came next", r->queue_id,
                  nn(prev->keys), prev->queue_offset, nn(r->keys), r->queue_offset);
            CHECK(r->reconsume == prev->reconsume + 1, "orderly: %s: reconsume times %d after %d", nn(r->keys),
                  r->reconsume, prev->reconsume);
            CHECK(r->t_start - prev->t_end >= 800 && r->t_start - prev->t_end <= 5000,
                  "orderly: %s redelivered %lld ms after the failure (expected about 1 s)", nn(r->keys),
                  r->t_start - prev->t_end);
        } else {
            CHECK(r->queue_offset > prev->queue_offset, "orderly: queue %d: offset %lld after %lld", r->queue_id,
                  r->queue_offset, prev->queue_offset);
        }
    }
    note("%d redeliveries after failures checked; key queues %d %d %d %d %d", fails, key_queue[0], key_queue[1],
         key_queue[2], key_queue[3], key_queue[4]);
    destroy_consumer(&a);
    stop_producer(p);
    coll_free(&col);
    free(st);
}

/* ------------------------------------------------------------------------------------------ */
/* 4b. ordsplit: orderly consumers rebalancing while callbacks run                              */

#define OS_PER_QUEUE 4
#define OS_SLOW_MS 2000

typedef struct {
    int inq[8];
    int overlap;
    int overlap_queue;
} os_state;

static os_state g_os;

static int os_handler(cons* x, CPushConsumer* c, CMessageExt* m, rec* r)
{
    int q = r->queue_id;
    (void)x;
    (void)c;
    (void)m;
    if (q >= 0 && q < 8 && __sync_add_and_fetch(&g_os.inq[q], 1) > 1) {
        __sync_fetch_and_add(&g_os.overlap, 1);
        g_os.overlap_queue = q;
    }
    sleep_ms(OS_SLOW_MS);
    if (q >= 0 && q < 8) {
        __sync_fetch_and_sub(&g_os.inq[q], 1);
    }
    return E_CONSUME_SUCCESS;
}

static void scen_ordsplit(void)
{
    coll col;
    cons a, b;
    char group[160], ia[160], ib[160];
    CProducer* p = start_producer();
    long long until;
    int q, k, i, got, dups = 0, regress = 0;
    unsigned qa, qb;

    coll_init(&col);
    make_name(group, sizeof group, "group");
    make_name(ia, sizeof ia, "a");
    make_name(ib, sizeof ib, "b");
    new_consumer(&a, &col, 0, group, ia, g_tag, 1, os_handler, NULL);
    new_consumer(&b, &col, 1, group, ib, g_tag, 1, os_handler, NULL);
    SetPushConsumerThreadCount(a.c, 8);
    SetPushConsumerThreadCount(b.c, 8);
    for (k = 0; k < OS_PER_QUEUE; k++) {
        for (q = 0; q < 8; q++) {
            send_simple(p, "o", q * 100 + k, q, NULL);
        }
    }
    /* A alone takes all queues; once it runs a 2 s callback on every queue, B joins: the queues
     * that move to B must not be consumed by B while A's callback of that queue still runs. */
    start_consumer(&a);
    until = deadline_in(20000);
    while (atomic_get(&a.started) < 8 && now_ms() < until) {
        sleep_ms(5);
    }
    note("A has %d callbacks in flight; B joins", atomic_get(&a.started) - atomic_get(&a.finished));
    start_consumer(&b);
    /* Generous: a Java-like hand-over keeps a queue that is still being consumed until the next
     * rebalance (20 s) and may delay the unlock by another 20 s. */
    until = deadline_in(75000);
    for (;;) {
        int cnt[8 * 100];
        got = tally(&col, -1, "o", 8 * 100, 0, cnt);
        if (got >= 8 * OS_PER_QUEUE || now_ms() >= until) {
            break;
        }
        sleep_ms(50);
    }
    CHECK(got == 8 * OS_PER_QUEUE, "ordsplit: %d of %d messages consumed within 75 s", got, 8 * OS_PER_QUEUE);
    note("all consumed");
    close_consumer(&a);
    close_consumer(&b);
    CHECK(g_os.overlap == 0, "ordsplit: %d callbacks started while another callback of the same queue was running "
                             "(last: queue %d): a queue moved to B while A still consumed it", g_os.overlap,
          g_os.overlap_queue);
    /* Per queue, in the order the callbacks ended: offsets never go back except to repeat. */
    for (q = 0; q < 8; q++) {
        long long last = -1;
        for (i = 0; i < col.n; i++) {
            const rec* r = &col.v[i];
            if (r->queue_id != q || key_index(r->keys, "o") < 0) {
                continue;
            }
            if (r->queue_offset == last) {
                dups++;
            } else if (r->queue_offset < last) {
                regress++;
                CHECK(0, "ordsplit: queue %d: offset %lld consumed after %lld (consumer %d)", q, r->queue_offset, last,
                      r->consumer);
            }
            if (r->queue_offset > last) {
                last = r->queue_offset;
            }
        }
    }
    if (g_os.overlap > 0) {
        /* The evidence: the deliveries of the last queue where callbacks overlapped. */
        for (i = 0; i < col.n; i++) {
            const rec* r = &col.v[i];
            if (r->queue_id == g_os.overlap_queue) {
                note("  queue %d: consumer %c offset %lld callback %+lld .. %+lld ms", r->queue_id,
                     r->consumer == 0 ? 'A' : 'B', r->queue_offset, r->t_start - g_t0, r->t_end - g_t0);
            }
        }
    }
    qa = queue_mask(&col, 0, "o");
    qb = queue_mask(&col, 1, "o");
    note("A consumed from queues %02x, B from %02x; %d repeated deliveries, %d going back", qa, qb, dups, regress);
    CHECK(qb != 0, "ordsplit: B never consumed anything");
    CHECK_EQ_INT(foreign(&col), 0, "ordsplit: messages of other tags / runs delivered");
    stop_producer(p);
    coll_free(&col);
}

/* ------------------------------------------------------------------------------------------ */
/* 5. broadcast                                                                                */

#define BC_N 100

static int bc_handler(cons* x, CPushConsumer* c, CMessageExt* m, rec* r)
{
    (void)c;
    (void)m;
    /* Consumer 1 refuses m:7: broadcasting drops it (no redelivery). */
    return x->index == 1 && key_index(r->keys, "m") == 7 ? E_RECONSUME_LATER : E_CONSUME_SUCCESS;
}

/* Counts offsets.json files below $HOME/.rocketmq_offsets/<client>/<group>/ that mention the
 * topic. */
static int offset_files(const char* group)
{
    const char* home = getenv("HOME");
    char dir[1024], path[2048];
    DIR* d;
    struct dirent* e;
    int n = 0;
    if (home == NULL) {
        return 0;
    }
    snprintf(dir, sizeof dir, "%s/.rocketmq_offsets", home);
    d = opendir(dir);
    if (d == NULL) {
        return 0;
    }
    while ((e = readdir(d)) != NULL) {
        FILE* f;
        char buf[8192];
        size_t len;
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof path, "%s/%s/%s/offsets.json", dir, e->d_name, group);
        f = fopen(path, "r");
        if (f == NULL) {
            continue;
        }
        len = fread(buf, 1, sizeof buf - 1, f);
        buf[len] = '\0';
        fclose(f);
        if (strstr(buf, g_topic) != NULL) {
            n++;
        }
    }
    closedir(d);
    return n;
}

static void scen_broadcast(void)
{
    coll col;
    cons a, b, a2;
    char group[160], ia[160], ib[160];
    CProducer* p = start_producer();
    int got, cnt[BC_N], files;

    coll_init(&col);
    make_name(group, sizeof group, "group");
    make_name(ia, sizeof ia, "a");
    make_name(ib, sizeof ib, "b");
    new_consumer(&a, &col, 0, group, ia, g_tag, 0, bc_handler, NULL);
    new_consumer(&b, &col, 1, group, ib, g_tag, 0, bc_handler, NULL);
    SetPushConsumerMessageModel(a.c, BROADCASTING);
    SetPushConsumerMessageModel(b.c, BROADCASTING);

    /* Sent before the start: a new broadcasting consumer starts at the queues' end. */
    send_range(p, "pre", 0, 16, 1, NULL);
    start_consumer(&a);
    start_consumer(&b);
    send_range(p, "m", 0, BC_N, 0, NULL);
    got = wait_all(&col, 0, "m", BC_N, 0, 20000);
    CHECK(got == BC_N, "broadcast: consumer A received %d of %d within 20 s", got, BC_N);
    got = wait_all(&col, 1, "m", BC_N, 0, 20000);
    CHECK(got == BC_N, "broadcast: consumer B received %d of %d within 20 s", got, BC_N);
    check_counts(&col, 0, "m", BC_N, 1, "consumer A");
    got = tally(&col, -1, "pre", 16, 0, cnt);
    CHECK(got == 0, "broadcast: %d of the 16 messages sent before the start were delivered (a new broadcasting "
                    "consumer starts at the end)", got);

    /* A's offsets are in a local file after its shutdown; restarted (same group and instance,
     * so the same client id), it continues from there: gets what was sent meanwhile, not the
     * old ones. */
    shutdown_consumer(&a);
    files = offset_files(group);
    CHECK(files >= 1, "broadcast: no offsets.json for group %s mentioning %s below $HOME/.rocketmq_offsets "
                      "(HOME=%s) after Shutdown", group, g_topic, nn(getenv("HOME")));
    send_range(p, "down", 0, 16, 1, NULL);
    new_consumer(&a2, &col, 2, group, ia, g_tag, 0, bc_handler, NULL);
    SetPushConsumerMessageModel(a2.c, BROADCASTING);
    start_consumer(&a2);
    got = wait_all(&col, 2, "down", 16, 0, 20000);
    CHECK(got == 16, "broadcast: restarted consumer A received %d of the 16 messages sent while it was down", got);
    got = wait_all(&col, 1, "down", 16, 0, 20000);
    CHECK(got == 16, "broadcast: consumer B received %d of the 16 messages sent while A was down", got);
    got = tally(&col, 2, "m", BC_N, 0, cnt);
    CHECK(got == 0, "broadcast: restarted consumer A got %d old messages again (local offsets not used)", got);
    /* B refused m:7: broadcasting does not redeliver (a local retry would come after ~1 s). */
    {
        long long refused = 0;
        int i;
        pthread_mutex_lock(&col.lock);
        for (i = 0; i < col.n; i++) {
            if (col.v[i].consumer == 1 && col.v[i].verdict != 0) {
                refused = col.v[i].t_end;
            }
        }
        pthread_mutex_unlock(&col.lock);
        CHECK(refused != 0, "broadcast: B never refused m:7");
        while (now_ms() < refused + 2500) {
            sleep_ms(50);
        }
    }
    check_counts(&col, 1, "m", BC_N, 1, "consumer B (m:7 refused once)");
    CHECK_EQ_INT(foreign(&col), 0, "broadcast: messages of other tags / runs delivered");
    note("offset files for the group: %d", files);
    close_consumer(&a2);
    close_consumer(&b);
    destroy_consumer(&a);
    stop_producer(p);
    coll_free(&col);
}

/* ------------------------------------------------------------------------------------------ */
/* 6. retry                                                                                    */

#define RETRY_N 30
#define RETRY_TWICE 14 /* refused twice: E_RECONSUME_LATER, then -5 */
#define RETRY_ONCE 25  /* refused once: 7 */

typedef struct {
    int attempts[RETRY_N];
} retry_state;

static int retry_handler(cons* x, CPushConsumer* c, CMessageExt* m, rec* r)
{
    retry_state* s = x->arg;
    int k = key_index(r->keys, "m"), a;
    (void)c;
    (void)m;
    if (k < 0 || k >= RETRY_N) {
        return E_CONSUME_SUCCESS;
    }
    a = __sync_add_and_fetch(&s->attempts[k], 1);
    if (k == RETRY_TWICE && a == 1) {
        return E_RECONSUME_LATER;
    }
    if (k == RETRY_TWICE && a == 2) {
        return -5;
    }
    if (k == RETRY_ONCE && a == 1) {
        return 7;
    }
    return E_CONSUME_SUCCESS;
}

static void scen_retry(void)
{
    coll col;
    cons a;
    char group[160];
    CProducer* p = start_producer();
    retry_state* st = calloc(1, sizeof *st);
    sent s[RETRY_N];
    int i, cnt[RETRY_N], got, seen_twice = 0, seen_once = 0;
    long long until, t0, times[3] = {0, 0, 0};

    coll_init(&col);
    make_name(group, sizeof group, "group");
    new_consumer(&a, &col, 0, group, NULL, g_tag, 0, retry_handler, st);
    a.copy_body = 1;
    SetPushConsumerMessageBatchMaxSize(a.c, 10);
    SetPushConsumerThreadCount(a.c, 2);
    /* All on queue 0 before the start: one pull of 30, three batches of 10. */
    for (i = 0; i < RETRY_N; i++) {
        send_simple(p, "m", i, 0, &s[i]);
    }
    start_consumer(&a);
    t0 = now_ms();
    until = deadline_in(40000);
    while (now_ms() < until) {
        tally(&col, 0, "m", RETRY_N, 0, cnt);
        if (cnt[RETRY_TWICE] >= 3 && cnt[RETRY_ONCE] >= 2) {
            break;
        }
        sleep_ms(20);
    }
    got = tally(&col, 0, "m", RETRY_N, 0, cnt);
    CHECK(cnt[RETRY_TWICE] >= 3 && cnt[RETRY_ONCE] >= 2,
          "retry: within 40 s m:%d delivered %d times (expected 3), m:%d %d times (expected 2)", RETRY_TWICE,
          cnt[RETRY_TWICE], RETRY_ONCE, cnt[RETRY_ONCE]);
    note("retries done %lld ms after the start", now_ms() - t0);
    sleep_ms(1500); /* batch-mates sent back with them would show up by now */
    got = tally(&col, 0, "m", RETRY_N, 0, cnt);
    CHECK(got == RETRY_N, "retry: %d of %d delivered", got, RETRY_N);
    for (i = 0; i < RETRY_N; i++) {
        int expected = i == RETRY_TWICE ? 3 : i == RETRY_ONCE ? 2 : 1;
        CHECK(cnt[i] == expected, "retry: m:%d delivered %d times, expected %d%s", i, cnt[i], expected,
              expected == 1 ? " (only the refused messages of a batch may come again)" : "");
    }
    pthread_mutex_lock(&col.lock);
    for (i = 0; i < col.n; i++) {
        const rec* r = &col.v[i];
        int k = key_index(r->keys, "m");
        char body[256], key[200];
        if (k < 0 || k >= RETRY_N) {
            continue;
        }
        make_key(key, sizeof key, "m", k);
        snprintf(body, sizeof body, "body of %s", key);
        CHECK(str_eq(r->topic, g_topic), "retry: m:%d (reconsume %d) topic \"%s\", expected the original %s", k,
              r->reconsume, nn(r->topic), g_topic);
        CHECK(str_eq(r->body, body), "retry: m:%d (reconsume %d) body \"%s\"", k, r->reconsume, nn(r->body));
        CHECK(str_eq(r->tags, g_tag), "retry: m:%d (reconsume %d) tags \"%s\"", k, r->reconsume, nn(r->tags));
        CHECK(str_eq(r->msg_id, s[k].msg_id), "retry: m:%d (reconsume %d) msgId %s, sent as %s", k, r->reconsume,
              nn(r->msg_id), s[k].msg_id);
        if (k == RETRY_TWICE) {
            CHECK(r->reconsume == seen_twice, "retry: delivery %d of m:%d has reconsume times %d, expected %d",
                  seen_twice + 1, k, r->reconsume, seen_twice);
            if (seen_twice < 3) {
                times[seen_twice] = r->t_start;
            }
            seen_twice++;
        } else if (k == RETRY_ONCE) {
            CHECK(r->reconsume == seen_once, "retry: delivery %d of m:%d has reconsume times %d, expected %d",
                  seen_once + 1, k, r->reconsume, seen_once);
            seen_once++;
        } else {
            CHECK(r->reconsume == 0, "retry: m:%d reconsume times %d", k, r->reconsume);
        }
    }
    pthread_mutex_unlock(&col.lock);
    note("m:%d delivered at +0, +%lld, +%lld ms (reconsume 0, 1, 2)", RETRY_TWICE, times[1] - times[0],
         times[2] - times[0]);
    CHECK_EQ_INT(foreign(&col), 0, "retry: messages of other tags / runs delivered");
    close_consumer(&a);
    stop_producer(p);
    coll_free(&col);
    free(st);
}

/* ------------------------------------------------------------------------------------------ */
/* 7. rate                                                                                     */

#define RATE_N 150
#define RATE_SET 50
#define RATE_ENV 40

/* Messages per second from the first to the last callback of consumer `who`. */
static double measured_rate(coll* c, int who, int* n_out)
{
    long long first = 0, last = 0;
    int i, n = 0;
    pthread_mutex_lock(&c->lock);
    for (i = 0; i < c->n; i++) {
        const rec* r = &c->v[i];
        if (r->consumer != who) {
            continue;
        }
        if (n == 0 || r->t_start < first) {
            first = r->t_start;
        }
        if (n == 0 || r->t_start > last) {
            last = r->t_start;
        }
        n++;
    }
    pthread_mutex_unlock(&c->lock);
    *n_out = n;
    return n > 1 && last > first ? (double)(n - 1) * 1000.0 / (double)(last - first) : 0.0;
}

/* The most callbacks of `who` that started within any window of `window_ms`. */
static int max_in_window(coll* c, int who, long long window_ms)
{
    long long* t;
    int i, j, n = 0, best = 0;
    pthread_mutex_lock(&c->lock);
    t = malloc((size_t)(c->n + 1) * sizeof *t);
    for (i = 0; t != NULL && i < c->n; i++) {
        if (c->v[i].consumer == who) {
            t[n++] = c->v[i].t_start;
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (t == NULL) {
        return 0;
    }
    /* insertion sort: n is small */
    for (i = 1; i < n; i++) {
        long long v = t[i];
        for (j = i - 1; j >= 0 && t[j] > v; j--) {
            t[j + 1] = t[j];
        }
        t[j + 1] = v;
    }
    for (i = 0, j = 0; i < n; i++) {
        while (t[i] - t[j] >= window_ms) {
            j++;
        }
        if (i - j + 1 > best) {
            best = i - j + 1;
        }
    }
    free(t);
    return best;
}

static void scen_rate(void)
{
    coll col;
    cons a, b, slow;
    char ga[160], gb[160], gs[160];
    CProducer* p = start_producer();
    double ra, rb;
    int na, nb, got, wa, wb;
    long long until, dt;

    coll_init(&col);
    make_name(ga, sizeof ga, "set");
    make_name(gb, sizeof gb, "env");
    make_name(gs, sizeof gs, "slow");
    new_consumer(&a, &col, 0, ga, NULL, g_tag, 0, NULL, NULL);
    new_consumer(&b, &col, 1, gb, NULL, g_tag, 0, NULL, NULL);
    new_consumer(&slow, &col, 2, gs, NULL, g_tag, 0, NULL, NULL);
    SetPushConsumerThreadCount(a.c, 8);
    SetPushConsumerThreadCount(b.c, 8);
    SetPushConsumerThreadCount(slow.c, 8);
    CHECK_EQ_INT(SetPushConsumerMaxConsumeTps(a.c, RATE_SET), 0, "rate: SetPushConsumerMaxConsumeTps");
    CHECK_EQ_INT(SetPushConsumerMaxConsumeTps(slow.c, 1), 0, "rate: SetPushConsumerMaxConsumeTps(1)");
    /* b: no setter, only ROCKETMQ_PUSH_CONSUMER_MAX_TPS (set in main before anything ran). */
    send_range(p, "m", 0, RATE_N, 0, NULL);
    start_consumer(&a);
    start_consumer(&b);
    start_consumer(&slow);

    /* 1/s with 8 threads and a backlog: Shutdown while no callback runs (just after one ended)
     * must not wait for the threads' rate-limit sleeps. */
    until = deadline_in(10000);
    while (atomic_get(&slow.finished) < 2 && now_ms() < until) {
        sleep_ms(5);
    }
    CHECK(atomic_get(&slow.finished) >= 2, "rate: the 1/s consumer had no 2 callbacks within 10 s");
    dt = shutdown_consumer(&slow);
    note("Shutdown of the 1/s consumer (8 threads, %d callbacks so far, none running) took %lld ms",
         atomic_get(&slow.finished), dt);
    CHECK(dt <= 3000, "rate: Shutdown of a consumer limited to 1/s with 8 threads took %lld ms although no callback "
                      "was running (it waits for the consume threads' rate-limit sleeps)", dt);
    got = wait_all(&col, 0, "m", RATE_N, 0, 30000);
    CHECK(got == RATE_N, "rate: consumer with the setter received %d of %d within 30 s", got, RATE_N);
    got = wait_all(&col, 1, "m", RATE_N, 0, 30000);
    CHECK(got == RATE_N, "rate: consumer with the environment variable received %d of %d within 30 s", got, RATE_N);
    check_counts(&col, 0, "m", RATE_N, 1, "setter consumer");
    check_counts(&col, 1, "m", RATE_N, 1, "env consumer");
    ra = measured_rate(&col, 0, &na);
    rb = measured_rate(&col, 1, &nb);
    wa = max_in_window(&col, 0, 2000);
    wb = max_in_window(&col, 1, 2000);
    note("SetPushConsumerMaxConsumeTps(%d) with env %d: %.1f/s over %d callbacks, at most %d in any 2 s", RATE_SET,
         RATE_ENV, ra, na, wa);
    note("env ROCKETMQ_PUSH_CONSUMER_MAX_TPS=%d alone: %.1f/s over %d callbacks, at most %d in any 2 s", RATE_ENV, rb,
         nb, wb);
    CHECK(ra >= RATE_SET * 0.9 && ra <= RATE_SET * 1.1, "rate: %.1f/s with SetPushConsumerMaxConsumeTps(%d) "
                                                        "(env %d; the function must win)", ra, RATE_SET, RATE_ENV);
    if (getenv("ROCKETMQ_PUSH_CONSUMER_MAX_TPS") != NULL) {
        CHECK(rb >= RATE_ENV * 0.9 && rb <= RATE_ENV * 1.1, "rate: %.1f/s with ROCKETMQ_PUSH_CONSUMER_MAX_TPS=%d", rb,
              RATE_ENV);
        CHECK(wb <= RATE_ENV * 2 * 1.15, "rate: %d callbacks within 2 s (env limit %d/s)", wb, RATE_ENV);
    }
    /* No burst allowance: any 2 s hold at most ~2 s worth (+15% for scheduling jitter on a busy
     * machine; a bucket of one second's worth would show ~3 s worth). */
    CHECK(wa <= RATE_SET * 2 * 1.15, "rate: %d callbacks within 2 s (limit %d/s)", wa, RATE_SET);
    close_consumer(&a);
    close_consumer(&b);
    destroy_consumer(&slow);
    stop_producer(p);
    coll_free(&col);
}

/* ------------------------------------------------------------------------------------------ */
/* 8. flow                                                                                     */

#define FLOW_SMALL_N 100
#define FLOW_BIG_N 40
#define FLOW_BIG_LEN (128 * 1024)
#define FLOW_THREADS 64
#define FLOW_PULL_BATCH 32 /* messages one pull may bring */

static pthread_mutex_t g_gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_gate_cond = PTHREAD_COND_INITIALIZER;
static int g_gate_open;

static int gate_handler(cons* x, CPushConsumer* c, CMessageExt* m, rec* r)
{
    struct timespec until;
    (void)x;
    (void)c;
    (void)m;
    (void)r;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 60;
    pthread_mutex_lock(&g_gate_lock);
    while (!g_gate_open) {
        if (pthread_cond_timedwait(&g_gate_cond, &g_gate_lock, &until) == ETIMEDOUT) {
            break;
        }
    }
    pthread_mutex_unlock(&g_gate_lock);
    return E_CONSUME_SUCCESS;
}

/* Waits until no consumer's `started` changed for quiet_ms. */
static void wait_plateau(cons** xs, int n, long long quiet_ms, long long timeout_ms)
{
    long long until = deadline_in(timeout_ms), since = now_ms();
    int last[8], i;
    for (i = 0; i < n; i++) {
        last[i] = atomic_get(&xs[i]->started);
    }
    while (now_ms() < until) {
        int changed = 0;
        sleep_ms(50);
        for (i = 0; i < n; i++) {
            int s = atomic_get(&xs[i]->started);
            if (s != last[i] || s == 0) {
                changed = 1;
                last[i] = s;
            }
        }
        if (changed) {
            since = now_ms();
        } else if (now_ms() - since >= quiet_ms) {
            return;
        }
    }
}

static void scen_flow(void)
{
    coll col;
    cons a, b, ctl;
    cons* all[3];
    char ga[160], gb[160], gc[160], ta[160], tb[160], both[340], key[200];
    char* big = malloc(FLOW_BIG_LEN);
    CProducer* p = start_producer();
    unsigned seed = (unsigned)getpid();
    int i, got, sa, sb, sc, bound_b;

    coll_init(&col);
    make_name(ga, sizeof ga, "count");
    make_name(gb, sizeof gb, "mb");
    make_name(gc, sizeof gc, "control");
    snprintf(ta, sizeof ta, "%s-small", g_tag);
    snprintf(tb, sizeof tb, "%s-big", g_tag);
    snprintf(both, sizeof both, "%s || %s", ta, tb);
    new_consumer(&a, &col, 0, ga, NULL, ta, 0, gate_handler, NULL);
    new_consumer(&b, &col, 1, gb, NULL, tb, 0, gate_handler, NULL);
    new_consumer(&ctl, &col, 2, gc, NULL, both, 0, gate_handler, NULL);
    all[0] = &a;
    all[1] = &b;
    all[2] = &ctl;
    for (i = 0; i < 3; i++) {
        SetPushConsumerThreadCount(all[i]->c, FLOW_THREADS);
    }
    CHECK_EQ_INT(SetPushConsumerMaxCacheMessageSize(a.c, 10), 0, "flow: SetPushConsumerMaxCacheMessageSize(10)");
    CHECK_EQ_INT(SetPushConsumerMaxCacheMessageSizeInMb(b.c, 1), 0, "flow: SetPushConsumerMaxCacheMessageSizeInMb(1)");
    /* The control: a per-queue limit far above what is sent (with none at all, the library's
     * default budget of 4 MiB cached across a consumer's queues would bound it too). */
    CHECK_EQ_INT(SetPushConsumerMaxCacheMessageSizeInMb(ctl.c, 512), 0, "flow: SetPushConsumerMaxCacheMessageSizeInMb(512)");

    for (i = 0; i < FLOW_SMALL_N; i++) {
        char body[64];
        make_key(key, sizeof key, "s", i);
        snprintf(body, sizeof body, "small %d", i);
        send_full(p, ta, key, body, (int)strlen(body), ANY_QUEUE, NULL, NULL, NULL, NULL);
    }
    for (i = 0; i < FLOW_BIG_N && big != NULL; i++) {
        int j;
        for (j = 0; j < FLOW_BIG_LEN; j++) { /* incompressible */
            seed = seed * 1103515245u + 12345u;
            big[j] = (char)(seed >> 16);
        }
        make_key(key, sizeof key, "b", i);
        send_full(p, tb, key, big, FLOW_BIG_LEN, ANY_QUEUE, NULL, NULL, NULL, NULL);
    }
    note("sent %d small and %d x %d KiB messages to the 1-queue topic", FLOW_SMALL_N, FLOW_BIG_N, FLOW_BIG_LEN / 1024);

    /* Every callback blocks: how many messages does each consumer take while nothing is acked? */
    for (i = 0; i < 3; i++) {
        start_consumer(all[i]);
    }
    wait_plateau(all, 3, 1500, 20000);
    sa = atomic_get(&a.started);
    sb = atomic_get(&b.started);
    sc = atomic_get(&ctl.started);
    /* 1 MiB of 128 KiB bodies is 8 messages; one more pull may add up to 32 (the broker also caps a
     * pull's bytes, typically to 256 KiB, i.e. 2 of these). */
    bound_b = (1024 * 1024 + FLOW_BIG_LEN - 1) / FLOW_BIG_LEN + FLOW_PULL_BATCH;
    note("with every callback blocked: %d handed over with max cache 10, %d with max cache 1 MiB, %d with max cache 512 MiB "
         "(%d threads each)", sa, sb, sc, FLOW_THREADS);
    CHECK(sa >= 1 && sa <= 10 + FLOW_PULL_BATCH, "flow: %d messages handed over while none was acknowledged, with "
                                                 "SetPushConsumerMaxCacheMessageSize(10) (at most 10 + one pull of %d)",
          sa, FLOW_PULL_BATCH);
    CHECK(sb >= 1 && sb <= bound_b, "flow: %d x %d KiB messages handed over while none was acknowledged, with "
                                    "SetPushConsumerMaxCacheMessageSizeInMb(1) (at most %d)",
          sb, FLOW_BIG_LEN / 1024, bound_b);
    CHECK(sc > 10 + FLOW_PULL_BATCH, "flow: the control consumer (512 MiB) took only %d (the check would not "
                                     "see a missing limit)", sc);

    pthread_mutex_lock(&g_gate_lock);
    g_gate_open = 1;
    pthread_cond_broadcast(&g_gate_cond);
    pthread_mutex_unlock(&g_gate_lock);

    got = wait_all(&col, 0, "s", FLOW_SMALL_N, 0, 30000);
    CHECK(got == FLOW_SMALL_N, "flow: count-limited consumer received %d of %d", got, FLOW_SMALL_N);
    got = wait_all(&col, 1, "b", FLOW_BIG_N, 0, 30000);
    CHECK(got == FLOW_BIG_N, "flow: size-limited consumer received %d of %d", got, FLOW_BIG_N);
    got = wait_all(&col, 2, "s", FLOW_SMALL_N, 0, 30000) + wait_all(&col, 2, "b", FLOW_BIG_N, 0, 30000);
    CHECK(got == FLOW_SMALL_N + FLOW_BIG_N, "flow: control consumer received %d of %d", got,
          FLOW_SMALL_N + FLOW_BIG_N);
    check_counts(&col, 0, "s", FLOW_SMALL_N, 1, "count-limited consumer");
    check_counts(&col, 1, "b", FLOW_BIG_N, 1, "size-limited consumer");
    check_counts(&col, 2, "s", FLOW_SMALL_N, 1, "control consumer (small)");
    check_counts(&col, 2, "b", FLOW_BIG_N, 1, "control consumer (big)");
    pthread_mutex_lock(&col.lock);
    for (i = 0; i < col.n; i++) {
        if (col.v[i].consumer == 1 && key_index(col.v[i].keys, "b") >= 0) {
            CHECK(col.v[i].body_len == FLOW_BIG_LEN, "flow: big body length %d", col.v[i].body_len);
        }
    }
    pthread_mutex_unlock(&col.lock);
    note("most callbacks in flight at once: %d (count limit), %d (size limit), %d (control)", a.max_inflight,
         b.max_inflight, ctl.max_inflight);
    CHECK(a.max_inflight <= 10 + FLOW_PULL_BATCH, "flow: %d callbacks in flight at once with max cache 10",
          a.max_inflight);
    CHECK(b.max_inflight <= bound_b, "flow: %d callbacks in flight at once with max cache 1 MiB", b.max_inflight);
    CHECK_EQ_INT(foreign(&col), 0, "flow: messages of other tags / runs delivered");
    for (i = 0; i < 3; i++) {
        close_consumer(all[i]);
    }
    stop_producer(p);
    coll_free(&col);
    free(big);
}

/* ------------------------------------------------------------------------------------------ */
/* 9. shutdown / drain                                                                         */

static int sleepy_handler(cons* x, CPushConsumer* c, CMessageExt* m, rec* r)
{
    (void)c;
    (void)m;
    (void)r;
    sleep_ms(*(int*)x->arg);
    return E_CONSUME_SUCCESS;
}

#define SD_N 20

static void scen_shutdown(void)
{
    coll col;
    cons a, b;
    char group[160];
    CProducer* p = start_producer();
    int slow = 2000, got, inflight_before, inflight_after, cnt[SD_N], first_got;
    long long until, dt, t_closed;

    coll_init(&col);
    make_name(group, sizeof group, "group");
    new_consumer(&a, &col, 0, group, NULL, g_tag, 0, sleepy_handler, &slow);
    SetPushConsumerThreadCount(a.c, 4);
    send_range(p, "m", 0, SD_N, 0, NULL);
    start_consumer(&a);
    until = deadline_in(20000);
    while (atomic_get(&a.started) < 1 && now_ms() < until) {
        sleep_ms(5);
    }
    CHECK(atomic_get(&a.started) >= 1, "shutdown: no callback within 20 s");
    /* the other consume threads pick up their messages too (4 threads, one message each) */
    until = deadline_in(2000);
    while (atomic_get(&a.started) < 4 && now_ms() < until) {
        sleep_ms(5);
    }
    inflight_before = atomic_get(&a.started) - atomic_get(&a.finished);
    dt = shutdown_consumer(&a);
    t_closed = now_ms();
    inflight_after = atomic_get(&a.started) - atomic_get(&a.finished);
    note("Shutdown with %d callbacks (2 s each) in flight took %lld ms; %d still in flight after it", inflight_before,
         dt, inflight_after);
    CHECK(dt <= 12000, "shutdown: ShutdownPushConsumer took %lld ms (drain bound ~10 s)", dt);
    CHECK(inflight_after == 0, "shutdown: %d callbacks still running after ShutdownPushConsumer returned (it must "
                               "wait for callbacks in flight)", inflight_after);
    /* No callback may start after Shutdown returned: watch for 2.5 s (more than one callback). */
    while (now_ms() - t_closed < 2500) {
        sleep_ms(50);
    }
    CHECK_EQ_INT(a.late, 0, "shutdown: callbacks started after ShutdownPushConsumer returned");
    first_got = tally(&col, 0, "m", SD_N, 0, cnt);

    /* Nothing lost: a new consumer of the group gets everything the first did not finish. */
    new_consumer(&b, &col, 1, group, NULL, g_tag, 0, NULL, NULL);
    start_consumer(&b);
    got = wait_all(&col, -1, "m", SD_N, 0, 20000);
    CHECK(got == SD_N, "shutdown: %d of %d messages consumed by the first and the restarted consumer", got, SD_N);
    {
        int again = 0, i, cb[SD_N];
        tally(&col, 1, "m", SD_N, 0, cb);
        for (i = 0; i < SD_N; i++) {
            if (cnt[i] > 0 && cb[i] > 0) {
                again++;
            }
        }
        note("first consumer finished %d, the restarted one got %d of those again", first_got, again);
        /* Shutdown waited for them and then committed the offsets, so what the first consumer
         * accepted before Shutdown returned is not delivered again (as the Java client, which
         * persists offsets after the consume threads have ended). */
        CHECK(again == 0, "shutdown: %d of the %d messages accepted by callbacks that Shutdown waited for were "
                          "delivered again to the next consumer of the group (their offsets were not committed)",
              again, first_got);
    }
    close_consumer(&b);
    destroy_consumer(&a);
    stop_producer(p);
    coll_free(&col);
}

#ifndef DRAIN_SLEEP_MS
#define DRAIN_SLEEP_MS 13000 /* longer than the ~10 s drain bound */
#endif

static void scen_drain(void)
{
    coll col;
    cons a;
    char group[160];
    CProducer* p = start_producer();
    int slow = DRAIN_SLEEP_MS;
    long long until, dt, t_closed, t_done;

    coll_init(&col);
    make_name(group, sizeof group, "group");
    new_consumer(&a, &col, 0, group, NULL, g_tag, 0, sleepy_handler, &slow);
    SetPushConsumerThreadCount(a.c, 1);
    send_range(p, "m", 0, 3, 0, NULL);
    start_consumer(&a);
    until = deadline_in(20000);
    while (atomic_get(&a.started) < 1 && now_ms() < until) {
        sleep_ms(5);
    }
    CHECK(atomic_get(&a.started) >= 1, "drain: no callback within 20 s");
    dt = shutdown_consumer(&a);
    t_closed = now_ms();
    note("Shutdown during a %d ms callback took %lld ms; callback still running: %s", slow, dt,
         atomic_get(&a.started) > atomic_get(&a.finished) ? "yes" : "no");
    CHECK(dt <= 12000, "drain: ShutdownPushConsumer during a %d ms callback took %lld ms (the drain bound is ~10 s)",
          slow, dt);
    /* Wait for the callback to end, then watch 1.5 s longer: the other two messages must not start
     * on the freed consume thread. */
    until = deadline_in(slow + 10000);
    while (atomic_get(&a.started) > atomic_get(&a.finished) && now_ms() < until) {
        sleep_ms(50);
    }
    t_done = now_ms();
    CHECK(atomic_get(&a.started) == atomic_get(&a.finished), "drain: the slow callback never ended");
    while (now_ms() - t_done < 1500) {
        sleep_ms(50);
    }
    CHECK_EQ_INT(a.late, 0, "drain: callbacks started after ShutdownPushConsumer returned");
    note("callback ended %lld ms after Shutdown returned; %d callbacks in all", t_done - t_closed,
         atomic_get(&a.started));
    destroy_consumer(&a);
    stop_producer(p);
    coll_free(&col);
}

/* ------------------------------------------------------------------------------------------ */
/* 10. selfstop                                                                                */

typedef struct {
    int done;
    int shutdown_rc, destroy_rc;
    char shutdown_err[512], destroy_err[512];
} self_state;

static int self_handler(cons* x, CPushConsumer* c, CMessageExt* m, rec* r)
{
    self_state* s = x->arg;
    (void)m;
    (void)r;
    if (__sync_bool_compare_and_swap(&s->done, 0, 1)) {
        s->shutdown_rc = ShutdownPushConsumer(c);
        snprintf(s->shutdown_err, sizeof s->shutdown_err, "%s", nn(GetLatestErrorMessage()));
        s->destroy_rc = DestroyPushConsumer(c);
        snprintf(s->destroy_err, sizeof s->destroy_err, "%s", nn(GetLatestErrorMessage()));
        __sync_lock_test_and_set(&s->done, 2);
    }
    return E_CONSUME_SUCCESS;
}

static void scen_selfstop(void)
{
    coll col;
    cons a;
    char group[160];
    CProducer* p = start_producer();
    self_state st;
    long long until, dt;
    int got;

    memset(&st, 0, sizeof st);
    coll_init(&col);
    make_name(group, sizeof group, "group");
    new_consumer(&a, &col, 0, group, NULL, g_tag, 0, self_handler, &st);
    send_range(p, "m", 0, 8, 1, NULL);
    start_consumer(&a);
    until = deadline_in(20000);
    while (atomic_get(&st.done) != 2 && now_ms() < until) {
        sleep_ms(10);
    }
    if (atomic_get(&st.done) != 2) {
        CHECK(0, "selfstop: Shutdown/Destroy from inside the callback did not return within 20 s (deadlock; "
                 "state %d)", atomic_get(&st.done));
        exit_now();
    }
    note("from the callback: Shutdown -> %d \"%s\"; Destroy -> %d \"%s\"", st.shutdown_rc, st.shutdown_err,
         st.destroy_rc, st.destroy_err);
    CHECK_EQ_INT(st.shutdown_rc, PUSHCONSUMER_START_FAILED, "selfstop: ShutdownPushConsumer from the callback");
    CHECK(st.shutdown_err[0] != '\0', "selfstop: no error text after ShutdownPushConsumer from the callback");
    CHECK_EQ_INT(st.destroy_rc, PUSHCONSUMER_START_FAILED, "selfstop: DestroyPushConsumer from the callback");
    CHECK(st.destroy_err[0] != '\0', "selfstop: no error text after DestroyPushConsumer from the callback");
    /* The consumer is still running: everything arrives, also what is sent now. */
    send_range(p, "later", 0, 8, 1, NULL);
    got = wait_all(&col, 0, "m", 8, 0, 20000);
    CHECK(got == 8, "selfstop: %d of 8 messages received", got);
    got = wait_all(&col, 0, "later", 8, 0, 20000);
    CHECK(got == 8, "selfstop: %d of 8 messages sent after the refused shutdown received", got);
    dt = shutdown_consumer(&a);
    CHECK(dt < 5000, "selfstop: Shutdown from the main thread took %lld ms", dt);
    destroy_consumer(&a);
    stop_producer(p);
    coll_free(&col);
}

/* ------------------------------------------------------------------------------------------ */
/* 11. destroy                                                                                 */

/* Sleeps *arg ms for messages of label "c". */
static int slow_c_handler(cons* x, CPushConsumer* c, CMessageExt* m, rec* r)
{
    (void)c;
    (void)m;
    if (key_index(r->keys, "c") >= 0) {
        sleep_ms(*(int*)x->arg);
    }
    return E_CONSUME_SUCCESS;
}

#define DESTROY_SLOW_N 20

static void scen_destroy(void)
{
    coll col;
    cons a, b, c, never;
    char group[160];
    CProducer* p = start_producer();
    long long dt, t_closed, until;
    int got, cnt[40], slow = 500, inflight_before, inflight_after;
    unsigned mask;

    coll_init(&col);
    make_name(group, sizeof group, "group");

    /* Never started: Destroy is fine. */
    new_consumer(&never, &col, 9, group, NULL, g_tag, 0, NULL, NULL);
    destroy_consumer(&never);

    /* 1. Idle consumer destroyed without Shutdown: offsets committed, unregistered. */
    new_consumer(&a, &col, 0, group, NULL, g_tag, 0, NULL, NULL);
    start_consumer(&a);
    send_range(p, "a", 0, 40, 1, NULL);
    got = wait_all(&col, 0, "a", 40, 0, 20000);
    CHECK(got == 40, "destroy: first consumer received %d of 40", got);
    /* b's handle exists before a is freed, so the two never share an address. */
    new_consumer(&b, &col, 1, group, NULL, g_tag, 0, slow_c_handler, &slow);
    SetPushConsumerThreadCount(b.c, 2);
    dt = destroy_consumer(&a); /* no Shutdown before */
    t_closed = now_ms();
    note("DestroyPushConsumer of a running (idle) consumer took %lld ms", dt);
    CHECK(dt <= 12000, "destroy: DestroyPushConsumer of a running consumer took %lld ms", dt);

    /* Same group (and client id) again in this process: it gets all the queues. */
    send_range(p, "b", 0, 40, 1, NULL);
    start_consumer(&b);
    got = wait_all(&col, 1, "b", 40, 0, 20000);
    CHECK(got == 40, "destroy: the consumer started after Destroy received %d of 40 new messages", got);
    mask = queue_mask(&col, 1, "b");
    CHECK(mask == 0xff, "destroy: the new consumer got messages of queues %02x, expected all 8", mask);
    check_counts(&col, 1, "b", 40, 1, "new consumer");
    got = tally(&col, 1, "a", 40, 0, cnt);
    CHECK(got == 0, "destroy: the new consumer got %d of the 40 already consumed messages again (Destroy did not "
                    "commit the offsets)", got);
    CHECK_EQ_INT(a.late, 0, "destroy: callbacks of the destroyed consumer after DestroyPushConsumer returned");
    note("no callback of the first consumer in the %lld ms after its Destroy", now_ms() - t_closed);

    /* 2. Destroyed without Shutdown while 500 ms callbacks run: waits for them, none starts
     * afterwards, and the next consumer of the group gets whatever was left (nothing lost). */
    new_consumer(&c, &col, 2, group, NULL, g_tag, 0, NULL, NULL);
    send_range(p, "c", 0, DESTROY_SLOW_N, 1, NULL);
    until = deadline_in(20000);
    while (atomic_get(&b.started) - 40 < 2 && now_ms() < until) {
        sleep_ms(5);
    }
    inflight_before = atomic_get(&b.started) - atomic_get(&b.finished);
    dt = destroy_consumer(&b);
    t_closed = now_ms();
    inflight_after = atomic_get(&b.started) - atomic_get(&b.finished);
    note("DestroyPushConsumer with %d callbacks (500 ms) in flight took %lld ms, %d still in flight after it",
         inflight_before, dt, inflight_after);
    CHECK(inflight_before >= 1, "destroy: no callback was in flight at DestroyPushConsumer");
    CHECK(inflight_after == 0, "destroy: %d callbacks still running after DestroyPushConsumer returned",
          inflight_after);
    CHECK(dt <= 12000, "destroy: DestroyPushConsumer with callbacks in flight took %lld ms", dt);
    start_consumer(&c);
    got = wait_all(&col, -1, "c", DESTROY_SLOW_N, 0, 20000);
    CHECK(got == DESTROY_SLOW_N, "destroy: %d of %d messages consumed by the destroyed and the next consumer", got,
          DESTROY_SLOW_N);
    while (now_ms() - t_closed < 1500) {
        sleep_ms(50);
    }
    CHECK_EQ_INT(b.late, 0, "destroy: callbacks of the consumer destroyed mid-stream after Destroy returned");
    {
        int cb[DESTROY_SLOW_N], cc[DESTROY_SLOW_N];
        note("mid-stream: the destroyed consumer finished %d, the next one got %d (union %d of %d)",
             tally(&col, 1, "c", DESTROY_SLOW_N, 0, cb), tally(&col, 2, "c", DESTROY_SLOW_N, 0, cc), got,
             DESTROY_SLOW_N);
    }
    CHECK_EQ_INT(foreign(&col), 0, "destroy: messages of other tags / runs delivered");
    close_consumer(&c);
    stop_producer(p);
    coll_free(&col);
}

/* ------------------------------------------------------------------------------------------ */

typedef struct {
    const char* name;
    int queues;
    void (*run)(void);
} scenario;

static const scenario g_scenarios[] = {
    {"basic", 8, scen_basic},         {"split", 8, scen_split},       {"joinleave", 8, scen_joinleave},
    {"orderly", 8, scen_orderly},     {"ordsplit", 8, scen_ordsplit}, {"broadcast", 8, scen_broadcast},
    {"retry", 8, scen_retry},
    {"rate", 8, scen_rate},           {"flow", 1, scen_flow},         {"shutdown", 8, scen_shutdown},
    {"drain", 8, scen_drain},         {"selfstop", 8, scen_selfstop}, {"destroy", 8, scen_destroy},
};
#define N_SCENARIOS ((int)(sizeof g_scenarios / sizeof g_scenarios[0]))

/* Scenario topics are <prefix><scenario>: RMQ_CT_TOPIC_PREFIX, default rmq_ct_. */
static const char* topic_prefix(void)
{
    const char* p = getenv("RMQ_CT_TOPIC_PREFIX");
    return p != NULL && p[0] != '\0' ? p : "rmq_ct_";
}

/* Prints "topic queues" for every scenario topic (only_missing: those the name server has no
 * route with that many queues for). */
static int list_topics(int only_missing)
{
    CPullConsumer* c = NULL;
    char group[160];
    int i;
    if (only_missing) {
        snprintf(group, sizeof group, "ct-topics-%s", g_run);
        c = CreatePullConsumer(group);
        if (c == NULL || SetPullConsumerNameServerAddress(c, g_namesrv) != 0 || StartPullConsumer(c) != 0) {
            fprintf(stderr, "cannot start a pull consumer: %s\n", GetLatestErrorMessage());
            return 1;
        }
    }
    for (i = 0; i < N_SCENARIOS; i++) {
        char topic[128];
        snprintf(topic, sizeof topic, "%s%s", topic_prefix(), g_scenarios[i].name);
        if (only_missing) {
            CMessageQueue* mqs = NULL;
            int size = 0;
            int rc = FetchSubscriptionMessageQueues(c, topic, &mqs, &size);
            if (rc == 0 && mqs != NULL) {
                ReleaseSubscriptionMessageQueue(mqs);
            }
            if (rc == 0 && size == g_scenarios[i].queues) {
                continue;
            }
        }
        printf("%s %d\n", topic, g_scenarios[i].queues);
    }
    if (c != NULL) {
        ShutdownPullConsumer(c);
        DestroyPullConsumer(c);
    }
    return 0;
}

static void run_scenario(const scenario* s, const char* topic)
{
    long long t0 = now_ms();
    g_scen = s->name;
    snprintf(g_topic, sizeof g_topic, "%s", topic ? topic : "");
    if (topic == NULL) {
        snprintf(g_topic, sizeof g_topic, "%s%s", topic_prefix(), s->name);
    }
    snprintf(g_prefix, sizeof g_prefix, "%s-%s", s->name, g_run);
    snprintf(g_tag, sizeof g_tag, "ct-%s-%s", s->name, g_run);
    note("topic %s, tag %s, name server %s", g_topic, g_tag, g_namesrv);
    s->run();
    note("done in %lld ms", now_ms() - t0);
}

int main(int argc, char** argv)
{
    const char* f = getenv("RMQ_CT_TIME_FACTOR");
    int i, found = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3) {
        fprintf(stderr, "usage: %s NAMESRV SCENARIO|all|--topics|--missing-topics [TOPIC]\n", argv[0]);
        return 2;
    }
    g_namesrv = argv[1];
    g_t0 = now_ms();
    g_main_thread = pthread_self();
    snprintf(g_run, sizeof g_run, "%ld-%lld", (long)getpid(), (long long)time(NULL));
    if (f != NULL && atoi(f) > 1) {
        g_factor = atoi(f);
    }
    if (strcmp(argv[2], "--topics") == 0 || strcmp(argv[2], "--missing-topics") == 0) {
        return list_topics(strcmp(argv[2], "--missing-topics") == 0);
    }
    /* Read by StartPushConsumer; set before any thread exists. Only the rate scenario's second
     * consumer has no SetPushConsumerMaxConsumeTps, so the others are unaffected. */
    if (strcmp(argv[2], "rate") == 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", RATE_ENV);
        setenv("ROCKETMQ_PUSH_CONSUMER_MAX_TPS", v, 1);
    }
    for (i = 0; i < N_SCENARIOS; i++) {
        if (strcmp(argv[2], "all") == 0 || strcmp(argv[2], g_scenarios[i].name) == 0) {
            found = 1;
            run_scenario(&g_scenarios[i], argc > 3 ? argv[3] : NULL);
        }
    }
    if (!found) {
        fprintf(stderr, "unknown scenario %s\n", argv[2]);
        return 2;
    }
    CHECK_EQ_INT(g_unknown_calls, 0, "callbacks with an unknown consumer pointer");
    return check_done();
}
