/*
 * test_transaction.c - transactional messages (CreateTransactionProducer, SendMessageTransaction,
 * the broker's check-backs) against a real broker, checked by what a push consumer of a fresh
 * group receives.
 *
 *   test_transaction NAMESRV TOPIC        (TOPIC: a fresh topic, run.sh creates one per run)
 *
 * Transactions, by case (the key is "<run>:<case>:<i>", the tag "ctx-<run>"):
 *   commit     the executor commits                          -> consumed (exactly once, see below)
 *   rollback   the executor rolls back                       -> never consumed
 *   ucommit    the executor answers unknown, the checker commits   -> checked, consumed
 *   urollback  the executor answers unknown, the checker rolls back -> checked, never consumed
 *   weird      the executor returns 42 (= unknown), the checker rolls back -> never consumed
 *              (and, on the 4.x broker, necessarily checked)
 *   big        as ucommit with a 16000-byte body (sent compressed): the checker and the consumer
 *              get the whole body back
 *   nochecker  a transaction producer created without a checker: SendMessageTransaction succeeds
 *              but does not call the executor (as 2.2.0) -> never consumed
 *
 * The checker answers from the application's own record of each transaction (written by the
 * executor), never a constant, as an application must: the executor's answer may get lost.
 *
 * Every executor call is checked for: the producer pointer, the caller's own CMessage* and
 * execUserData, the caller's thread, GetOriginMessageProperty TRAN_MSG == "true", PGROUP == group,
 * UNIQ_KEY == the send result's msgId. Every checker call for: the producer pointer and the
 * creation userData, a library thread, and a CMessageExt whose topic, keys, body, tags, user
 * properties, TRAN_MSG, PGROUP and GetMessageId equal what was sent.
 *
 * Misuse: SendMessageSync on a transaction producer -> 11 + text, SendMessageTransaction on a normal
 * producer -> 16 + text, NULL executor -> 1.
 *
 * Shutdown (last): a third transaction producer whose checker takes SLOW_CHECK_MS sends SLOW_N
 * unknown transactions; while its first check-back runs (the others queued behind it),
 * ShutdownProducer + DestroyProducer. Afterwards no checker may still run or start: the host frees
 * what the checker uses once Destroy returned (2.2.0 joined its check thread on shutdown and dropped
 * the queued checks). Those transactions are never consumed.
 *
 * The consumer's deliveries are compared with the expected set by key, with deadlines; rolled back
 * messages must still be absent TX_QUIET_MS after the last check-back that resolved a transaction.
 *
 * Exactly once: every committed transaction is delivered exactly once (one stored copy, delivered
 * once), carrying the send result's message id; a rolled back one never. A 5.x broker writes its
 * op records (what END_TRANSACTION resolved) in batches every transactionOpBatchInterval (default
 * 3 s), so with transactionTimeOut = 2 s it often checks a transaction that was already committed
 * or rolled back (on a new copy of the half message); the library answers those checks itself
 * from the broker's confirmation of the earlier END_TRANSACTION, without the checker, so the
 * message is not stored a second time. Hence also: the broker gets exactly one COMMIT answer per
 * committed transaction (from the executor or one check-back), and none otherwise.
 * RMQ_CT_TIME_FACTOR=N multiplies the deadlines, and doubles the quiet window, for valgrind.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rocketmq/CCommon.h>
#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CMessage.h>
#include <rocketmq/CMessageExt.h>
#include <rocketmq/CProducer.h>
#include <rocketmq/CPushConsumer.h>

#include "check.h"

/* Non-ASCII UTF-8 text ("grün — 日本"), written as separate literals so no hex escape overruns. */
#define UTF8_TEXT "gr\xc3\xbc" "n \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac"

#define CONSUME_DEADLINE_MS 30000 /* committed messages consumed */
#define CHECK_DEADLINE_MS 30000   /* first check-back of every unknown transaction */
#define TX_QUIET_MS 6000          /* after the last resolving check-back: > interval 1 s + timeout 2 s */

static const char* g_namesrv;
static const char* g_topic;
static char g_run[64];
static char g_tag[128];
static char g_group[160];
static long long g_t0;
static int g_factor = 1;
static pthread_t g_main_thread;

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

static long long deadline_in(long long ms)
{
    return now_ms() + ms * g_factor;
}

static void note(const char* fmt, ...)
{
    va_list ap;
    flockfile(stdout);
    printf("[tx +%.1fs] ", (double)(now_ms() - g_t0) / 1000.0);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    funlockfile(stdout);
}

static const char* nn(const char* s)
{
    return s ? s : "(NULL)";
}

static int str_eq(const char* a, const char* b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The application's transactions.                                                             */

enum { ST_NONE = -1 }; /* not decided yet (the executor has not run) */

typedef struct {
    const char* name;
    int count;
    int exec_ret;    /* what the executor returns */
    int final;       /* what the application decides in the end (recorded by the executor) */
    int consumed;    /* expected in the topic */
    int with_checker;
} tx_case;

static const tx_case g_cases[] = {
    {"commit", 4, E_COMMIT_TRANSACTION, E_COMMIT_TRANSACTION, 1, 1},
    {"rollback", 4, E_ROLLBACK_TRANSACTION, E_ROLLBACK_TRANSACTION, 0, 1},
    {"ucommit", 3, E_UNKNOWN_TRANSACTION, E_COMMIT_TRANSACTION, 1, 1},
    {"urollback", 3, E_UNKNOWN_TRANSACTION, E_ROLLBACK_TRANSACTION, 0, 1},
    {"weird", 1, 42, E_ROLLBACK_TRANSACTION, 0, 1},
    {"big", 1, E_UNKNOWN_TRANSACTION, E_COMMIT_TRANSACTION, 1, 1},
    {"nochecker", 1, E_COMMIT_TRANSACTION, E_COMMIT_TRANSACTION, 0, 0},
};
#define N_CASES ((int)(sizeof g_cases / sizeof g_cases[0]))
#define MAX_TX 32
#define BIG_BODY 16000 /* bytes: above the 4 KiB compression threshold */

typedef struct {
    const tx_case* c;
    int index;
    char key[160];
    char body[BIG_BODY + 256];
    char msg_id[MAX_MESSAGE_ID_LENGTH]; /* the send result's */
    long long sent_at;
    int recorded;     /* the application's record: ST_NONE until the executor ran */
    int exec_calls;
    int check_calls;
    int check_resolved; /* check-backs answered with commit / rollback */
    long long first_check_at, last_check_at;
    int commit_answers; /* COMMIT from the executor + COMMIT answers of the checker */
    int consumed;       /* deliveries */
    int consumed_ok;    /* all fields of every delivery as sent */
    int bad_id;         /* deliveries whose msgId != the send result's (counted at the end) */
    int ncopies;        /* distinct stored copies (queue id, queue offset) delivered */
    int redelivered;    /* deliveries of a copy already delivered */
    int copy_queue[8];
    long long copy_offset[8];
    char consumed_id[MAX_MESSAGE_ID_LENGTH];
    char delivered_ids[8][MAX_MESSAGE_ID_LENGTH]; /* of the first 8 deliveries */
} tx;

static tx g_tx[MAX_TX];
static int g_ntx;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static long long g_last_resolve_at; /* last check-back answered commit / rollback */
static int g_foreign_checks, g_foreign_deliveries;

static tx* find_tx(const char* keys)
{
    int i;
    for (i = 0; keys != NULL && i < g_ntx; i++) {
        if (strcmp(g_tx[i].key, keys) == 0) {
            return &g_tx[i];
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Executor and checker.                                                                       */

static CProducer* g_producer;          /* the transaction producer with a checker */
static CProducer* g_producer_nocheck;  /* created with a NULL checker */
static int g_checker_ud;               /* &g_checker_ud: the creation userData */

/* execUserData of one SendMessageTransaction: what the executor must see. */
typedef struct {
    CProducer* producer;
    CMessage* msg;
    tx* t;
    int calls;
    char uniq_in_exec[MAX_MESSAGE_ID_LENGTH];
} exec_ctx;

static CTransactionStatus executor(CProducer* producer, CMessage* msg, void* data)
{
    exec_ctx* x = data;
    tx* t;
    const char* v;
    if (x == NULL || x->t == NULL) {
        CHECK(0, "executor: execUserData %p is not this test's", data);
        return E_UNKNOWN_TRANSACTION;
    }
    t = x->t;
    x->calls++;
    t->exec_calls++;
    CHECK(producer == x->producer, "executor %s: producer %p, expected %p", t->key, (void*)producer,
          (void*)x->producer);
    CHECK(msg == x->msg, "executor %s: message %p, expected the caller's own CMessage* %p", t->key, (void*)msg,
          (void*)x->msg);
    CHECK(pthread_equal(pthread_self(), g_main_thread), "executor %s: not run on the caller's thread", t->key);
    v = GetOriginMessageProperty(msg, "TRAN_MSG");
    CHECK(str_eq(v, "true"), "executor %s: TRAN_MSG = \"%s\", expected \"true\"", t->key, nn(v));
    v = GetOriginMessageProperty(msg, "PGROUP");
    CHECK(str_eq(v, g_group), "executor %s: PGROUP = \"%s\", expected \"%s\"", t->key, nn(v), g_group);
    v = GetOriginMessageKeys(msg);
    CHECK(str_eq(v, t->key), "executor: keys \"%s\", expected \"%s\"", nn(v), t->key);
    v = GetOriginMessageBody(msg);
    CHECK(str_eq(v, t->body), "executor %s: body \"%.80s\" (%d bytes), expected \"%.80s\" (%d bytes)", t->key, nn(v),
          v ? (int)strlen(v) : -1, t->body, (int)strlen(t->body));
    v = GetOriginMessageProperty(msg, "p_case");
    CHECK(str_eq(v, t->c->name), "executor %s: p_case = \"%s\"", t->key, nn(v));
    v = GetOriginMessageProperty(msg, "UNIQ_KEY");
    CHECK(v != NULL && v[0] != '\0', "executor %s: no UNIQ_KEY on the half message", t->key);
    snprintf(x->uniq_in_exec, sizeof x->uniq_in_exec, "%s", nn(v));
    /* The local transaction: decide and record the outcome (the checker answers from this). */
    pthread_mutex_lock(&g_lock);
    t->recorded = t->c->final;
    if (t->c->exec_ret == E_COMMIT_TRANSACTION) {
        t->commit_answers++;
    }
    pthread_mutex_unlock(&g_lock);
    return (CTransactionStatus)t->c->exec_ret;
}

/* The slow producer of the shutdown phase. */
#define SLOW_N 3
#define SLOW_CHECK_MS 1000
static CProducer* g_producer_slow;
static int g_slow_ud;
static int g_slow_started, g_slow_finished, g_slow_closed, g_slow_late, g_slow_bad;

static CTransactionStatus slow_executor(CProducer* producer, CMessage* msg, void* data)
{
    (void)producer;
    (void)msg;
    (void)data;
    return E_UNKNOWN_TRANSACTION;
}

static CTransactionStatus slow_checker(CProducer* producer, CMessageExt* msg, void* data)
{
    int late = __sync_fetch_and_add(&g_slow_closed, 0);
    (void)msg;
    if (producer != g_producer_slow || data != &g_slow_ud) {
        __sync_fetch_and_add(&g_slow_bad, 1);
    }
    __sync_fetch_and_add(&g_slow_started, 1);
    if (late) {
        __sync_fetch_and_add(&g_slow_late, 1);
        /* The handle and userData are gone: touch nothing, answer at once. */
        __sync_fetch_and_add(&g_slow_finished, 1);
        return E_ROLLBACK_TRANSACTION;
    }
    sleep_ms(SLOW_CHECK_MS);
    __sync_fetch_and_add(&g_slow_finished, 1);
    return E_ROLLBACK_TRANSACTION;
}

static CTransactionStatus checker(CProducer* producer, CMessageExt* msg, void* data)
{
    const char* keys = GetMessageKeys(msg);
    const char* v;
    tx* t;
    int answer, body_len;
    long long now = now_ms();
    char sent_id[MAX_MESSAGE_ID_LENGTH];

    CHECK(producer == g_producer, "checker: producer %p, expected %p", (void*)producer, (void*)g_producer);
    CHECK(data == &g_checker_ud, "checker: userData %p, expected the creation userData %p", data,
          (void*)&g_checker_ud);
    CHECK(!pthread_equal(pthread_self(), g_main_thread), "checker: called on the main thread");
    pthread_mutex_lock(&g_lock);
    t = find_tx(keys);
    if (t == NULL) {
        g_foreign_checks++;
        pthread_mutex_unlock(&g_lock);
        CHECK(0, "checker: a message with keys \"%s\" (id %s) that this test never sent", nn(keys),
              nn(GetMessageId(msg)));
        return E_UNKNOWN_TRANSACTION;
    }
    t->check_calls++;
    if (t->first_check_at == 0) {
        t->first_check_at = now;
    }
    t->last_check_at = now;
    answer = t->recorded == ST_NONE ? E_UNKNOWN_TRANSACTION : t->recorded;
    if (answer != E_UNKNOWN_TRANSACTION) {
        t->check_resolved++;
        g_last_resolve_at = now;
    }
    if (answer == E_COMMIT_TRANSACTION) {
        t->commit_answers++;
    }
    snprintf(sent_id, sizeof sent_id, "%s", t->msg_id);
    pthread_mutex_unlock(&g_lock);

    /* The whole half message as it was sent. */
    v = GetMessageTopic(msg);
    CHECK(str_eq(v, g_topic), "checker %s: topic \"%s\", expected \"%s\"", t->key, nn(v), g_topic);
    v = GetMessageTags(msg);
    CHECK(str_eq(v, g_tag), "checker %s: tags \"%s\", expected \"%s\"", t->key, nn(v), g_tag);
    v = GetMessageBody(msg);
    body_len = GetMessageBodyLength(msg);
    CHECK(v != NULL && body_len == (int)strlen(t->body) && memcmp(v, t->body, (size_t)body_len) == 0,
          "checker %s: body \"%.*s\" (%d bytes), expected \"%.80s\" (%d bytes)", t->key,
          v ? (body_len < 80 ? body_len : 80) : 6, v ? v : "(NULL)", body_len, t->body, (int)strlen(t->body));
    v = GetMessageProperty(msg, "p_case");
    CHECK(str_eq(v, t->c->name), "checker %s: property p_case = \"%s\"", t->key, nn(v));
    v = GetMessageProperty(msg, "p_utf8");
    CHECK(str_eq(v, UTF8_TEXT), "checker %s: property p_utf8 = \"%s\"", t->key, nn(v));
    v = GetMessageProperty(msg, "TRAN_MSG");
    CHECK(str_eq(v, "true"), "checker %s: TRAN_MSG = \"%s\"", t->key, nn(v));
    v = GetMessageProperty(msg, "PGROUP");
    CHECK(str_eq(v, g_group), "checker %s: PGROUP = \"%s\", expected \"%s\"", t->key, nn(v), g_group);
    v = GetMessageProperty(msg, "UNIQ_KEY");
    CHECK(str_eq(v, sent_id), "checker %s: UNIQ_KEY = \"%s\", expected the send result's \"%s\"", t->key, nn(v),
          sent_id);
    v = GetMessageId(msg);
    CHECK(str_eq(v, sent_id), "checker %s: GetMessageId = \"%s\", expected the send result's \"%s\"", t->key,
          nn(v), sent_id);
    return (CTransactionStatus)answer;
}

/* ------------------------------------------------------------------------------------------ */
/* Consumer.                                                                                   */

static int on_message(CPushConsumer* c, CMessageExt* m)
{
    const char* keys = GetMessageKeys(m);
    tx* t;
    (void)c;
    pthread_mutex_lock(&g_lock);
    t = find_tx(keys);
    if (t == NULL) {
        g_foreign_deliveries++;
        pthread_mutex_unlock(&g_lock);
        return E_CONSUME_SUCCESS;
    }
    {
        const char* body = GetMessageBody(m);
        int len = GetMessageBodyLength(m), q = GetMessageQueueId(m), j, ok;
        long long off = GetMessageQueueOffset(m);
        ok = str_eq(GetMessageTopic(m), g_topic) && str_eq(GetMessageTags(m), g_tag) && body != NULL &&
             len == (int)strlen(t->body) && memcmp(body, t->body, (size_t)len) == 0 &&
             str_eq(GetMessageProperty(m, "p_case"), t->c->name) && str_eq(GetMessageProperty(m, "p_utf8"), UTF8_TEXT);
        t->consumed_ok = t->consumed == 0 ? ok : (t->consumed_ok && ok);
        if (t->consumed == 0) {
            snprintf(t->consumed_id, sizeof t->consumed_id, "%s", nn(GetMessageId(m)));
        }
        /* Compared with the send result's id at the end: the delivery may come before
         * SendMessageTransaction returned the id to send_tx. */
        if (t->consumed < 8) {
            snprintf(t->delivered_ids[t->consumed], MAX_MESSAGE_ID_LENGTH, "%s", nn(GetMessageId(m)));
        }
        t->consumed++;
        for (j = 0; j < t->ncopies; j++) {
            if (t->copy_queue[j] == q && t->copy_offset[j] == off) {
                break;
            }
        }
        if (j < t->ncopies) {
            t->redelivered++;
        } else if (t->ncopies < 8) {
            t->copy_queue[t->ncopies] = q;
            t->copy_offset[t->ncopies] = off;
            t->ncopies++;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return E_CONSUME_SUCCESS;
}

static CPushConsumer* start_consumer(void)
{
    char group[160];
    CPushConsumer* c;
    int rc;
    long long t0 = now_ms();
    snprintf(group, sizeof group, "ctx-cons-%s", g_run);
    c = CreatePushConsumer(group);
    CHECK(c != NULL, "CreatePushConsumer: %s", GetLatestErrorMessage());
    if (c == NULL) {
        return NULL;
    }
    SetPushConsumerNameServerAddress(c, g_namesrv);
    SetPushConsumerInstanceName(c, group);
    Subscribe(c, g_topic, g_tag);
    RegisterMessageCallback(c, on_message);
    rc = StartPushConsumer(c);
    CHECK(rc == 0, "StartPushConsumer = %d: %s", rc, GetLatestErrorMessage());
    note("push consumer %s started in %lld ms", group, now_ms() - t0);
    return rc == 0 ? c : NULL;
}

/* ------------------------------------------------------------------------------------------ */

static CProducer* start_tx_producer(const char* group, CLocalTransactionCheckerCallback cb, void* ud)
{
    CProducer* p = CreateTransactionProducer(group, cb, ud);
    int rc;
    CHECK(p != NULL, "CreateTransactionProducer(%s): %s", group, GetLatestErrorMessage());
    if (p == NULL) {
        return NULL;
    }
    SetProducerNameServerAddress(p, g_namesrv);
    SetProducerInstanceName(p, group);
    SetProducerSendMsgTimeout(p, 10000);
    rc = StartProducer(p);
    CHECK(rc == 0, "StartProducer(%s) = %d: %s", group, rc, GetLatestErrorMessage());
    return rc == 0 ? p : NULL;
}

static CMessage* make_msg(const tx* t)
{
    CMessage* m = CreateMessage(g_topic);
    SetMessageTags(m, g_tag);
    SetMessageKeys(m, t->key);
    SetMessageBody(m, t->body);
    SetMessageProperty(m, "p_case", t->c->name);
    SetMessageProperty(m, "p_utf8", UTF8_TEXT);
    return m;
}

static void send_tx(tx* t)
{
    CProducer* p = t->c->with_checker ? g_producer : g_producer_nocheck;
    CMessage* m = make_msg(t);
    CSendResult r;
    exec_ctx x;
    long long t0 = now_ms();
    int rc;
    const char* uniq;

    memset(&r, 0, sizeof r);
    memset(&x, 0, sizeof x);
    x.producer = p;
    x.msg = m;
    x.t = t;
    rc = SendMessageTransaction(p, m, executor, &x, &r);
    t->sent_at = now_ms();
    CHECK(rc == 0 && r.sendStatus == E_SEND_OK, "SendMessageTransaction %s: rc %d status %d: %s", t->key, rc,
          (int)r.sendStatus, GetLatestErrorMessage());
    pthread_mutex_lock(&g_lock);
    snprintf(t->msg_id, sizeof t->msg_id, "%s", r.msgId);
    pthread_mutex_unlock(&g_lock);
    CHECK(r.msgId[0] != '\0', "SendMessageTransaction %s: empty msgId", t->key);
    uniq = GetOriginMessageProperty(m, "UNIQ_KEY");
    CHECK(str_eq(uniq, r.msgId), "SendMessageTransaction %s: caller's UNIQ_KEY \"%s\" != result msgId \"%s\"", t->key,
          nn(uniq), r.msgId);
    if (t->c->with_checker) {
        CHECK_EQ_INT(x.calls, 1, "executor calls during one SendMessageTransaction");
        CHECK(x.calls == 0 || str_eq(x.uniq_in_exec, r.msgId),
              "%s: UNIQ_KEY seen by the executor \"%s\" != result msgId \"%s\"", t->key, x.uniq_in_exec, r.msgId);
    } else {
        /* 2.2.0: without a checker the executor is not called (the transaction stays unknown). */
        CHECK_EQ_INT(x.calls, 0, "executor calls on a transaction producer without a checker");
        pthread_mutex_lock(&g_lock);
        t->recorded = t->c->final;
        pthread_mutex_unlock(&g_lock);
    }
    note("sent %-32s rc %d msgId %s in %lld ms", t->key, rc, r.msgId, t->sent_at - t0);
    DestroyMessage(m);
}

static void misuse(void)
{
    char group[160];
    CProducer* normal;
    CMessage* m = CreateMessage(g_topic);
    CSendResult r;
    exec_ctx x;
    int rc;
    const char* e;

    SetMessageTags(m, g_tag);
    SetMessageKeys(m, "misuse");
    SetMessageBody(m, "misuse");

    /* A normal send on the transaction producer. */
    memset(&r, 0, sizeof r);
    rc = SendMessageSync(g_producer, m, &r);
    e = GetLatestErrorMessage();
    CHECK_EQ_INT(rc, PRODUCER_SEND_SYNC_FAILED, "SendMessageSync on a transaction producer");
    CHECK(e != NULL && e[0] != '\0', "SendMessageSync on a transaction producer: no error text");
    note("SendMessageSync on a transaction producer -> %d \"%s\"", rc, nn(e));

    /* SendMessageTransaction on a normal producer. */
    snprintf(group, sizeof group, "ctx-normal-%s", g_run);
    normal = CreateProducer(group);
    CHECK(normal != NULL, "CreateProducer: %s", GetLatestErrorMessage());
    if (normal != NULL) {
        SetProducerNameServerAddress(normal, g_namesrv);
        SetProducerInstanceName(normal, group);
        rc = StartProducer(normal);
        CHECK(rc == 0, "StartProducer (normal) = %d: %s", rc, GetLatestErrorMessage());
        memset(&x, 0, sizeof x);
        rc = SendMessageTransaction(normal, m, executor, &x, &r);
        e = GetLatestErrorMessage();
        CHECK_EQ_INT(rc, PRODUCER_SEND_TRANSACTION_FAILED, "SendMessageTransaction on a normal producer");
        CHECK(e != NULL && e[0] != '\0', "SendMessageTransaction on a normal producer: no error text");
        CHECK_EQ_INT(x.calls, 0, "executor calls of a refused SendMessageTransaction");
        note("SendMessageTransaction on a normal producer -> %d \"%s\"", rc, nn(e));
        ShutdownProducer(normal);
        DestroyProducer(normal);
    }

    /* NULL executor. */
    rc = SendMessageTransaction(g_producer, m, NULL, NULL, &r);
    e = GetLatestErrorMessage();
    CHECK_EQ_INT(rc, NULL_POINTER, "SendMessageTransaction with a NULL executor");
    CHECK(e != NULL && e[0] != '\0', "SendMessageTransaction with a NULL executor: no error text");
    note("SendMessageTransaction(executor NULL) -> %d \"%s\"", rc, nn(e));
    DestroyMessage(m);
}

/* Number of transactions of case `name` with a delivery (and the total of deliveries). */
static int consumed_of(const char* name, int* deliveries)
{
    int i, n = 0, d = 0;
    pthread_mutex_lock(&g_lock);
    for (i = 0; i < g_ntx; i++) {
        if (strcmp(g_tx[i].c->name, name) == 0 && g_tx[i].consumed > 0) {
            n++;
            d += g_tx[i].consumed;
        }
    }
    pthread_mutex_unlock(&g_lock);
    if (deliveries != NULL) {
        *deliveries = d;
    }
    return n;
}

/* All expected-consumed transactions delivered at least once? */
static int all_committed_in(void)
{
    int i, ok = 1;
    pthread_mutex_lock(&g_lock);
    for (i = 0; i < g_ntx; i++) {
        if (g_tx[i].c->consumed && g_tx[i].consumed == 0) {
            ok = 0;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return ok;
}

/* Every transaction that stayed unknown (with a checker) was checked and resolved at least once? */
static int all_unknown_resolved(void)
{
    int i, ok = 1;
    pthread_mutex_lock(&g_lock);
    for (i = 0; i < g_ntx; i++) {
        const tx_case* c = g_tx[i].c;
        if (c->with_checker && c->exec_ret != E_COMMIT_TRANSACTION && c->exec_ret != E_ROLLBACK_TRANSACTION &&
            g_tx[i].check_resolved == 0) {
            ok = 0;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return ok;
}

int main(int argc, char** argv)
{
    const char* f = getenv("RMQ_CT_TIME_FACTOR");
    char group[160];
    CPushConsumer* consumer;
    long long until, t_sent, t_all;
    int i, k;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3) {
        fprintf(stderr, "usage: %s NAMESRV TOPIC\n", argv[0]);
        return 2;
    }
    g_namesrv = argv[1];
    g_topic = argv[2];
    g_t0 = now_ms();
    g_main_thread = pthread_self();
    if (f != NULL && atoi(f) > 1) {
        g_factor = atoi(f);
    }
    snprintf(g_run, sizeof g_run, "%ld-%lld", (long)getpid(), (long long)time(NULL));
    snprintf(g_tag, sizeof g_tag, "ctx-%s", g_run);
    snprintf(g_group, sizeof g_group, "ctx-prod-%s", g_run);
    note("topic %s, tag %s, name server %s", g_topic, g_tag, g_namesrv);

    for (k = 0; k < N_CASES; k++) {
        for (i = 0; i < g_cases[k].count && g_ntx < MAX_TX; i++) {
            tx* t = &g_tx[g_ntx++];
            memset(t, 0, sizeof *t);
            t->c = &g_cases[k];
            t->index = i;
            t->recorded = ST_NONE;
            snprintf(t->key, sizeof t->key, "%s:%s:%d", g_run, g_cases[k].name, i);
            snprintf(t->body, sizeof t->body, "tx body %s #%d %s", g_cases[k].name, i, UTF8_TEXT);
            if (strcmp(g_cases[k].name, "big") == 0) {
                size_t n = strlen(t->body);
                unsigned x = 12345;
                while (n < BIG_BODY) { /* text that compresses, but not to nothing */
                    x = x * 1103515245u + 12345u;
                    t->body[n++] = (char)('a' + (x >> 16) % 26);
                    if (n % 61 == 0) {
                        t->body[n - 1] = ' ';
                    }
                }
                t->body[n] = '\0';
            }
        }
    }

    consumer = start_consumer();
    g_producer = start_tx_producer(g_group, checker, &g_checker_ud);
    snprintf(group, sizeof group, "ctx-nocheck-%s", g_run);
    g_producer_nocheck = start_tx_producer(group, NULL, &g_checker_ud);
    if (consumer == NULL || g_producer == NULL || g_producer_nocheck == NULL) {
        return check_done();
    }

    misuse();

    /* Interleave the cases so no case profits from being last. */
    for (i = 0; i < 4; i++) {
        for (k = 0; k < g_ntx; k++) {
            if (g_tx[k].index == i) {
                send_tx(&g_tx[k]);
            }
        }
    }
    t_sent = now_ms();

    /* Unknown transactions: the broker asks the checker, which resolves them. */
    until = deadline_in(CHECK_DEADLINE_MS);
    while (!all_unknown_resolved() && now_ms() < until) {
        sleep_ms(50);
    }
    CHECK(all_unknown_resolved(), "not every unknown transaction was checked back within %d s",
          CHECK_DEADLINE_MS * g_factor / 1000);
    pthread_mutex_lock(&g_lock);
    for (i = 0; i < g_ntx; i++) {
        const tx* t = &g_tx[i];
        if (t->first_check_at) {
            note("%-32s first check-back %.1f s after its send", t->key, (double)(t->first_check_at - t->sent_at) / 1000);
        }
    }
    pthread_mutex_unlock(&g_lock);

    /* Committed (by the executor or by the checker): consumed. */
    until = deadline_in(CONSUME_DEADLINE_MS);
    while (!all_committed_in() && now_ms() < until) {
        sleep_ms(50);
    }
    t_all = now_ms();
    note("all committed messages consumed: %s, %.1f s after the last send", all_committed_in() ? "yes" : "NO",
         (double)(t_all - t_sent) / 1000);

    /* Rolled back / never resolved: nothing may arrive, also well after the last resolving check
     * (a rollback answer that the broker took as commit would show up within a second or two). */
    for (;;) {
        long long last;
        pthread_mutex_lock(&g_lock);
        last = g_last_resolve_at > t_sent ? g_last_resolve_at : t_sent;
        pthread_mutex_unlock(&g_lock);
        if (now_ms() - last >= TX_QUIET_MS * (g_factor > 1 ? 2 : 1)) {
            break;
        }
        sleep_ms(100);
    }
    note("quiet window over (%.1f s after the last send)", (double)(now_ms() - t_sent) / 1000);

    pthread_mutex_lock(&g_lock);
    for (i = 0; i < g_ntx; i++) {
        tx* t = &g_tx[i];
        for (k = 0; k < t->consumed && k < 8; k++) {
            if (!str_eq(t->delivered_ids[k], t->msg_id)) {
                t->bad_id++;
            }
        }
        if (t->c->consumed) {
            CHECK(t->consumed == 1, "%s: committed, consumed %d times (expected exactly once; %d stored copies)", t->key,
                  t->consumed, t->ncopies);
            CHECK(t->redelivered == 0, "%s: %d deliveries of a stored copy that had already been delivered", t->key,
                  t->redelivered);
            CHECK(t->ncopies <= 1, "%s: %d stored copies consumed (the broker stored the message more than once)", t->key,
                  t->ncopies);
            CHECK(t->commit_answers == 1,
                  "%s: %d COMMIT answers (executor + checker), expected 1: a check-back of a transaction the broker had "
                  "already confirmed reached the checker", t->key, t->commit_answers);
            if (t->consumed > 0) {
                CHECK(t->consumed_ok, "%s: the consumed message's topic/tags/body/properties differ from what was sent",
                      t->key);
                CHECK(t->bad_id == 0, "%s: %d deliveries with a message id != the send result's %s (first: %s)", t->key,
                      t->bad_id, t->msg_id, t->consumed_id);
            }
        } else {
            CHECK(t->consumed == 0, "%s: consumed %d times, but its transaction was %s", t->key, t->consumed,
                  t->c->with_checker ? "rolled back" : "never resolved (no checker)");
            CHECK(t->commit_answers == 0, "%s: %d COMMIT answers for a transaction that was not committed", t->key,
                  t->commit_answers);
        }
        if (t->c->with_checker) {
            CHECK_EQ_INT(t->exec_calls, 1, "executor calls for one transaction");
        }
        if (t->c->exec_ret != E_COMMIT_TRANSACTION && t->c->exec_ret != E_ROLLBACK_TRANSACTION && t->c->with_checker) {
            CHECK(t->check_calls >= 1, "%s: unknown transaction never checked back", t->key);
        }
        note("%-32s exec %d, checks %d (resolving %d), commit answers %d, consumed %d (%d copies)", t->key,
             t->exec_calls, t->check_calls, t->check_resolved, t->commit_answers, t->consumed, t->ncopies);
    }
    CHECK_EQ_INT(g_foreign_checks, 0, "check-backs for messages this test did not send");
    CHECK_EQ_INT(g_foreign_deliveries, 0, "deliveries of messages this test did not send");
    pthread_mutex_unlock(&g_lock);
    for (k = 0; k < N_CASES; k++) {
        int d, n = consumed_of(g_cases[k].name, &d);
        note("case %-10s %d of %d consumed (%d deliveries), expected %d", g_cases[k].name, n, g_cases[k].count, d,
             g_cases[k].consumed ? g_cases[k].count : 0);
    }

    /* Shutdown while a check-back runs and more are queued. */
    {
        char sgroup[160];
        long long until, t_sd, t_closed;
        int rc, started, inflight;
        snprintf(sgroup, sizeof sgroup, "ctx-slow-%s", g_run);
        g_producer_slow = start_tx_producer(sgroup, slow_checker, &g_slow_ud);
        for (i = 0; g_producer_slow != NULL && i < SLOW_N; i++) {
            char key[160];
            CMessage* m = CreateMessage(g_topic);
            CSendResult r;
            snprintf(key, sizeof key, "%s:slow:%d", g_run, i);
            SetMessageTags(m, g_tag);
            SetMessageKeys(m, key);
            SetMessageBody(m, "slow");
            rc = SendMessageTransaction(g_producer_slow, m, slow_executor, NULL, &r);
            CHECK(rc == 0, "SendMessageTransaction (slow producer) = %d: %s", rc, GetLatestErrorMessage());
            DestroyMessage(m);
        }
        until = deadline_in(CHECK_DEADLINE_MS);
        while (g_producer_slow != NULL && __sync_fetch_and_add(&g_slow_started, 0) == 0 && now_ms() < until) {
            sleep_ms(20);
        }
        started = __sync_fetch_and_add(&g_slow_started, 0);
        CHECK(started > 0, "shutdown phase: no check-back for the slow producer's transactions within %d s",
              CHECK_DEADLINE_MS * g_factor / 1000);
        if (started > 0) {
            /* Deliberate fixed wait: the broker sends the checks of all SLOW_N in the same round;
             * the ones behind the running check are queued inside the library, where the API
             * cannot see them, so there is nothing to poll. */
            sleep_ms(200);
            t_sd = now_ms();
            rc = ShutdownProducer(g_producer_slow);
            CHECK(rc == 0, "ShutdownProducer (slow) = %d: %s", rc, GetLatestErrorMessage());
            inflight = __sync_fetch_and_add(&g_slow_started, 0) - __sync_fetch_and_add(&g_slow_finished, 0);
            rc = DestroyProducer(g_producer_slow);
            CHECK(rc == 0, "DestroyProducer (slow) = %d", rc);
            __sync_lock_test_and_set(&g_slow_closed, 1);
            t_closed = now_ms();
            note("shutdown phase: Shutdown + Destroy during a %d ms check-back took %lld ms; checker still running "
                 "after Shutdown returned: %d", SLOW_CHECK_MS, t_closed - t_sd, inflight);
            CHECK(inflight == 0, "ShutdownProducer returned while the checker was still running (%d call(s) in flight)",
                  inflight);
            /* Watch for queued check-backs run after Destroy. */
            while (now_ms() - t_closed < (SLOW_N + 1) * SLOW_CHECK_MS + 500 * g_factor) {
                sleep_ms(50);
            }
            note("shutdown phase: checker calls %d, started after DestroyProducer returned %d",
                 __sync_fetch_and_add(&g_slow_started, 0), __sync_fetch_and_add(&g_slow_late, 0));
            CHECK(__sync_fetch_and_add(&g_slow_late, 0) == 0,
                  "the checker was called %d time(s) after DestroyProducer returned (with the freed CProducer* and "
                  "the creation userData): queued check-backs must be dropped at shutdown",
                  __sync_fetch_and_add(&g_slow_late, 0));
            CHECK_EQ_INT(g_slow_bad, 0, "slow checker calls with a wrong producer / userData");
        }
    }
    pthread_mutex_lock(&g_lock);
    CHECK_EQ_INT(g_foreign_deliveries, 0, "deliveries of messages this test did not send (incl. the slow producer's "
                                          "rolled back / never resolved transactions)");
    pthread_mutex_unlock(&g_lock);

    {
        long long t0 = now_ms();
        int rc = ShutdownProducer(g_producer);
        CHECK(rc == 0, "ShutdownProducer = %d: %s", rc, GetLatestErrorMessage());
        rc = DestroyProducer(g_producer);
        CHECK(rc == 0, "DestroyProducer = %d", rc);
        DestroyProducer(g_producer_nocheck);
        rc = ShutdownPushConsumer(consumer);
        CHECK(rc == 0, "ShutdownPushConsumer = %d: %s", rc, GetLatestErrorMessage());
        DestroyPushConsumer(consumer);
        note("shut down in %lld ms; done in %.1f s", now_ms() - t0, (double)(now_ms() - g_t0) / 1000);
    }
    return check_done();
}
