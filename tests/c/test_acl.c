/*
 * test_acl.c - every client kind against a broker with ACL on (scripts/brokers.sh, RMQ_PROFILE=acl:
 * 4.x ACL 1.0 / 5.x ACL 2.0 authentication; no address whitelisted, so every request's signature
 * is checked).
 *
 *   test_acl NAMESRV TOPIC TX_TOPIC      (both topics exist; 8 queues each in the profile)
 *
 * Env: RMQ_ACL_ACCESS_KEY, RMQ_ACL_SECRET_KEY   the client account (required)
 *      RMQ_ACL_DENIED_TOPIC                      optional: a topic this account may not use
 *                                                (the 4.x profile has one; 5.x runs without
 *                                                authorization, so run.sh passes it for 4.x only)
 *
 * With the right keys (Set*SessionCredentials):
 *   sync, async (SendMessageAsync and SendAsync), oneway, orderly, oneway orderly, batch sends
 *     -> 0 / success callbacks; every message read back by a pull consumer with the same keys
 *     (oneway: a refused oneway request has no answer, only the read-back can tell)
 *   pull consumer: FetchSubscriptionMessageQueues + Pull (the read-back above)
 *   push consumer: starts, gets a probe message (its heartbeats and the group's consumer list are
 *     accepted, else the broker gives it no queue), then a message sent after that
 *   transaction producer: executor COMMIT -> stored; executor UNKNOWN -> the broker's check-back
 *     calls the checker, which commits -> stored (the check reply, a oneway END_TRANSACTION, must
 *     be signed too, or the message never shows)
 * With a wrong secret, with an unknown access key and with no credentials at all:
 *   StartProducer / StartPullConsumer / FetchSubscriptionMessageQueues succeed (the name server
 *   has no ACL), but every send (sync, async callback, orderly, batch, transaction) and Pull fails
 *   with the operation's code and a GetLatestErrorMessage (resp. CMQException.msg) text that says
 *   "access denied", within a bound derived from the send timeout; the transaction executor is
 *   never called. StartPushConsumer fails the same way (its first rebalance asks the broker for
 *   the group's consumers, which is refused) and the consumer still shuts down within a bound.
 * The texts seen are printed ("note:") for the record.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rocketmq/CBatchMessage.h>
#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CMessage.h>
#include <rocketmq/CMessageExt.h>
#include <rocketmq/CProducer.h>
#include <rocketmq/CPullConsumer.h>
#include <rocketmq/CPushConsumer.h>

#include "check.h"

#define SEND_TIMEOUT_MS 3000
/* A refused operation must end within this (retries included). */
#define FAIL_BOUND_MS (SEND_TIMEOUT_MS + 3000)
#define FIND_TIMEOUT_MS 20000
#define CHECK_TIMEOUT_MS 40000
#define PUSH_READY_MS 40000
#define SHUTDOWN_BOUND_MS 20000
#define MAX_KEYS 256
#define MAX_QUEUES 64

static const char* g_namesrv;
static const char* g_topic;
static const char* g_tx_topic;
static const char* g_ak;
static const char* g_sk;
static char g_run[64];

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void note(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char* fmt, ...)
{
    va_list ap;
    flockfile(stdout);
    fputs("note: ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
    funlockfile(stdout);
}

/* Case-insensitive "access denied" in text. */
static int says_access_denied(const char* text)
{
    const char* want = "access denied";
    size_t n = strlen(want), i, j;
    if (text == NULL) {
        return 0;
    }
    for (i = 0; text[i] != '\0'; i++) {
        for (j = 0; j < n && text[i + j] != '\0' && tolower((unsigned char)text[i + j]) == want[j]; j++) {
        }
        if (j == n) {
            return 1;
        }
    }
    return 0;
}

/* Credentials of one scenario: the right ones, a wrong secret, an unknown key, none. */
typedef struct {
    const char* name;
    const char* ak; /* NULL: Set*SessionCredentials is not called */
    const char* sk;
} creds;

static void set_producer_creds(CProducer* p, const creds* c)
{
    if (c->ak != NULL) {
        CHECK_EQ_INT(SetProducerSessionCredentials(p, c->ak, c->sk, ""), 0, "SetProducerSessionCredentials");
    }
}

static CMessage* new_message(const char* topic, const char* key)
{
    CMessage* m = CreateMessage(topic);
    SetMessageTags(m, "acl");
    SetMessageKeys(m, key);
    SetMessageBody(m, key);
    return m;
}

static void make_key(char* buf, size_t n, const char* what)
{
    snprintf(buf, n, "acl-%s-%s", g_run, what);
}

static int select_first(int size, CMessage* msg, void* arg)
{
    (void)size;
    (void)msg;
    (void)arg;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Read-back: a pull consumer with the client keys, from the queues' ends at open time.        */

typedef struct {
    CPullConsumer* consumer;
    const char* topic;
    CMessageQueue* mqs;
    int nmqs;
    long long next[MAX_QUEUES];
    char* keys[MAX_KEYS];
    char* ids[MAX_KEYS]; /* the message id of keys[i] */
    int nkeys;
    char last_error[600];
} reader;

/* Pulls every queue once from its current offset; records keys and ids; -1 on a failed pull. */
static int reader_poll(reader* r, int record_start)
{
    int i, j, rc = 0;
    for (i = 0; i < r->nmqs && i < MAX_QUEUES; i++) {
        CPullResult res = Pull(r->consumer, &r->mqs[i], "*", record_start ? 0 : r->next[i], 32);
        switch (res.pullStatus) {
        case E_FOUND:
            if (record_start) {
                r->next[i] = res.maxOffset;
                break;
            }
            for (j = 0; j < res.size; j++) {
                const char* k = GetMessageKeys(res.msgFoundList[j]);
                if (k != NULL && r->nkeys < MAX_KEYS) {
                    const char* id = GetMessageId(res.msgFoundList[j]);
                    r->ids[r->nkeys] = strdup(id != NULL ? id : "");
                    r->keys[r->nkeys++] = strdup(k);
                }
            }
            r->next[i] = res.nextBeginOffset;
            break;
        case E_NO_NEW_MSG:
        case E_NO_MATCHED_MSG:
            r->next[i] = record_start ? res.maxOffset : res.nextBeginOffset;
            break;
        case E_OFFSET_ILLEGAL:
            r->next[i] = res.nextBeginOffset;
            break;
        default:
            snprintf(r->last_error, sizeof r->last_error, "Pull status %d: %s", (int)res.pullStatus,
                     GetLatestErrorMessage());
            rc = -1;
            break;
        }
        if (res.size > 0) {
            ReleasePullResult(res);
        }
    }
    return rc;
}

static int reader_open(reader* r, const char* topic)
{
    char group[128];
    int rc;
    memset(r, 0, sizeof *r);
    r->topic = topic;
    snprintf(group, sizeof group, "acl-reader-%s-%s", topic, g_run);
    r->consumer = CreatePullConsumer(group);
    CHECK(r->consumer != NULL, "CreatePullConsumer: %s", GetLatestErrorMessage());
    if (r->consumer == NULL) {
        return -1;
    }
    SetPullConsumerNameServerAddress(r->consumer, g_namesrv);
    CHECK_EQ_INT(SetPullConsumerSessionCredentials(r->consumer, g_ak, g_sk, ""), 0, "SetPullConsumerSessionCredentials");
    rc = StartPullConsumer(r->consumer);
    CHECK(rc == 0, "pull consumer (right keys): StartPullConsumer = %d: %s", rc, GetLatestErrorMessage());
    if (rc != 0) {
        return -1;
    }
    rc = FetchSubscriptionMessageQueues(r->consumer, topic, &r->mqs, &r->nmqs);
    CHECK(rc == 0 && r->nmqs > 0, "pull consumer (right keys): FetchSubscriptionMessageQueues(%s) = %d, %d queues: %s",
          topic, rc, r->nmqs, GetLatestErrorMessage());
    if (rc != 0 || r->nmqs == 0) {
        return -1;
    }
    rc = reader_poll(r, 1);
    CHECK(rc == 0, "pull consumer (right keys): Pull on %s failed: %s", topic, r->last_error);
    return rc;
}

/* The id of the message pulled with this key, NULL when none was. */
static const char* reader_id_of(const reader* r, const char* key)
{
    int i;
    for (i = 0; i < r->nkeys; i++) {
        if (strcmp(r->keys[i], key) == 0) {
            return r->ids[i];
        }
    }
    return NULL;
}

static int reader_has(const reader* r, const char* key)
{
    return reader_id_of(r, key) != NULL;
}

/* Polls until key was pulled or timeout_ms passed. */
static int reader_find(reader* r, const char* key, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        if (reader_has(r, key)) {
            return 1;
        }
        if (now_ms() >= deadline) {
            return 0;
        }
        reader_poll(r, 0);
        if (!reader_has(r, key)) {
            sleep_ms(200);
        }
    }
}

/* Whether a pulled message's keys contain word (a trace message's keys are the traced ids). */
static int reader_has_word(const reader* r, const char* word)
{
    int i;
    for (i = 0; i < r->nkeys; i++) {
        if (strstr(r->keys[i], word) != NULL) {
            return 1;
        }
    }
    return 0;
}

static void reader_close(reader* r)
{
    int i;
    for (i = 0; i < r->nkeys; i++) {
        free(r->keys[i]);
        free(r->ids[i]);
    }
    if (r->mqs != NULL) {
        ReleaseSubscriptionMessageQueue(r->mqs);
    }
    if (r->consumer != NULL) {
        ShutdownPullConsumer(r->consumer);
        DestroyPullConsumer(r->consumer);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Asynchronous send completions.                                                             */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static int g_async_done;
static int g_async_ok;
static char g_async_error[MAX_EXEPTION_MSG_LENGTH + 32];

static void async_reset(void)
{
    pthread_mutex_lock(&g_lock);
    g_async_done = 0;
    g_async_ok = 0;
    g_async_error[0] = '\0';
    pthread_mutex_unlock(&g_lock);
}

static void async_finish(int ok, const CMQException* e)
{
    pthread_mutex_lock(&g_lock);
    g_async_done++;
    g_async_ok = ok;
    if (e != NULL) {
        snprintf(g_async_error, sizeof g_async_error, "error %d: %.*s", e->error, (int)sizeof e->msg, e->msg);
    }
    pthread_cond_broadcast(&g_cond);
    pthread_mutex_unlock(&g_lock);
}

static void on_async_ok(CSendResult r)
{
    (void)r;
    async_finish(1, NULL);
}

static void on_async_error(CMQException e)
{
    async_finish(0, &e);
}

static void on_send_ok(CSendResult r, CMessage* m, void* ud)
{
    (void)r;
    (void)m;
    (void)ud;
    async_finish(1, NULL);
}

static void on_send_error(CMQException e, CMessage* m, void* ud)
{
    (void)m;
    (void)ud;
    async_finish(0, &e);
}

/* 1 when a callback ran within timeout_ms. */
static int async_wait(int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    int done;
    pthread_mutex_lock(&g_lock);
    while (g_async_done == 0 && now_ms() < deadline) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100 * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g_cond, &g_lock, &until);
    }
    done = g_async_done;
    pthread_mutex_unlock(&g_lock);
    return done;
}

/* ------------------------------------------------------------------------------------------ */
/* Transactions: the application's own record of each transaction, read by the checker.       */

#define MAX_TX 16
static struct {
    char key[128];
    CTransactionStatus decision; /* what the application decided (the checker's answer) */
} g_tx[MAX_TX];
static int g_ntx;
static int g_exec_calls;
static int g_check_calls;
static int g_checked_unknown; /* check-backs of the "unknown" transaction */

static void tx_record(const char* key, CTransactionStatus decision)
{
    int i;
    pthread_mutex_lock(&g_lock);
    for (i = 0; i < g_ntx; i++) {
        if (strcmp(g_tx[i].key, key) == 0) {
            g_tx[i].decision = decision;
            pthread_mutex_unlock(&g_lock);
            return;
        }
    }
    if (g_ntx < MAX_TX) {
        snprintf(g_tx[g_ntx].key, sizeof g_tx[g_ntx].key, "%s", key);
        g_tx[g_ntx].decision = decision;
        g_ntx++;
    }
    pthread_mutex_unlock(&g_lock);
}

/* executor: data = the status to answer; the application commits an "unknown" one later */
static CTransactionStatus tx_execute(CProducer* p, CMessage* m, void* data)
{
    CTransactionStatus answer = *(CTransactionStatus*)data;
    const char* key = GetOriginMessageKeys(m);
    (void)p;
    __sync_fetch_and_add(&g_exec_calls, 1);
    /* the application's decision: commit (also for the one it answers "unknown" to now) */
    tx_record(key != NULL ? key : "", E_COMMIT_TRANSACTION);
    return answer;
}

static CTransactionStatus tx_check(CProducer* p, CMessageExt* m, void* data)
{
    const char* key = GetMessageKeys(m);
    CTransactionStatus answer = E_ROLLBACK_TRANSACTION;
    int i;
    (void)p;
    (void)data;
    __sync_fetch_and_add(&g_check_calls, 1);
    pthread_mutex_lock(&g_lock);
    for (i = 0; key != NULL && i < g_ntx; i++) {
        if (strcmp(g_tx[i].key, key) == 0) {
            answer = g_tx[i].decision;
        }
    }
    if (key != NULL && strstr(key, "-tx-unknown") != NULL) {
        g_checked_unknown++;
    }
    pthread_mutex_unlock(&g_lock);
    return answer;
}

/* ------------------------------------------------------------------------------------------ */
/* Push consumer.                                                                             */

static char* g_pushed[MAX_KEYS];
static int g_npushed;

static int on_push(CPushConsumer* c, CMessageExt* m)
{
    const char* k = GetMessageKeys(m);
    (void)c;
    pthread_mutex_lock(&g_lock);
    if (k != NULL && g_npushed < MAX_KEYS) {
        g_pushed[g_npushed++] = strdup(k);
    }
    pthread_mutex_unlock(&g_lock);
    return E_CONSUME_SUCCESS;
}

static int pushed(const char* key)
{
    int i, found = 0;
    pthread_mutex_lock(&g_lock);
    for (i = 0; i < g_npushed && !found; i++) {
        found = strcmp(g_pushed[i], key) == 0;
    }
    pthread_mutex_unlock(&g_lock);
    return found;
}

static CPushConsumer* start_push(const creds* c, const char* what, int* rc_out)
{
    char group[128];
    CPushConsumer* pc;
    snprintf(group, sizeof group, "acl-push-%s-%s", what, g_run);
    pc = CreatePushConsumer(group);
    CHECK(pc != NULL, "CreatePushConsumer: %s", GetLatestErrorMessage());
    if (pc == NULL) {
        return NULL;
    }
    SetPushConsumerNameServerAddress(pc, g_namesrv);
    SetPushConsumerInstanceName(pc, group);
    if (c->ak != NULL) {
        CHECK_EQ_INT(SetPushConsumerSessionCredentials(pc, c->ak, c->sk, ""), 0, "SetPushConsumerSessionCredentials");
    }
    Subscribe(pc, g_topic, "*");
    RegisterMessageCallback(pc, on_push);
    *rc_out = StartPushConsumer(pc);
    return pc;
}

static void stop_push(CPushConsumer* pc, const char* what)
{
    long long t0 = now_ms();
    int rc = ShutdownPushConsumer(pc);
    long long took = now_ms() - t0;
    CHECK(rc == 0, "%s: ShutdownPushConsumer = %d: %s", what, rc, GetLatestErrorMessage());
    CHECK(took < SHUTDOWN_BOUND_MS, "%s: ShutdownPushConsumer took %lld ms", what, took);
    DestroyPushConsumer(pc);
}

/* ------------------------------------------------------------------------------------------ */

static CProducer* start_producer(const creds* c, const char* what, int kind)
{
    char group[128];
    CProducer* p;
    int rc;
    snprintf(group, sizeof group, "acl-prod-%s-%s", what, g_run);
    p = kind == 2 ? CreateTransactionProducer(group, tx_check, NULL)
                  : kind == 1 ? CreateOrderlyProducer(group) : CreateProducer(group);
    CHECK(p != NULL, "Create*Producer: %s", GetLatestErrorMessage());
    if (p == NULL) {
        return NULL;
    }
    SetProducerNameServerAddress(p, g_namesrv);
    SetProducerInstanceName(p, group);
    SetProducerSendMsgTimeout(p, SEND_TIMEOUT_MS);
    set_producer_creds(p, c);
    rc = StartProducer(p);
    CHECK(rc == 0, "%s: StartProducer = %d: %s", what, rc, GetLatestErrorMessage());
    if (rc != 0) {
        DestroyProducer(p);
        return NULL;
    }
    return p;
}

static void stop_producer(CProducer* p)
{
    if (p != NULL) {
        ShutdownProducer(p);
        DestroyProducer(p);
    }
}

/* ---------------------------------------------------------------- right keys */

static void test_right_keys(reader* rd, reader* txr)
{
    const creds ok = {"right keys", g_ak, g_sk};
    CProducer* p = start_producer(&ok, "ok", 0);
    CProducer* op = start_producer(&ok, "okord", 1);
    char key[128], key2[128], batch_ids[sizeof ((CSendResult*)0)->msgId];
    CSendResult r;
    CMessage* m;
    int rc;
    const char* sent[8];
    char sent_buf[8][128];
    int nsent = 0, i;
    if (p == NULL || op == NULL) {
        stop_producer(p);
        stop_producer(op);
        return;
    }

    /* sync */
    make_key(sent_buf[nsent], sizeof sent_buf[0], "sync");
    m = new_message(g_topic, sent_buf[nsent]);
    rc = SendMessageSync(p, m, &r);
    CHECK(rc == 0 && r.sendStatus == E_SEND_OK, "right keys: SendMessageSync = %d (status %d): %s", rc,
          (int)r.sendStatus, GetLatestErrorMessage());
    DestroyMessage(m);
    sent[nsent] = sent_buf[nsent];
    nsent++;

    /* async, both flavours */
    make_key(sent_buf[nsent], sizeof sent_buf[0], "async");
    m = new_message(g_topic, sent_buf[nsent]);
    async_reset();
    rc = SendMessageAsync(p, m, on_async_ok, on_async_error);
    CHECK(rc == 0, "right keys: SendMessageAsync = %d: %s", rc, GetLatestErrorMessage());
    CHECK(rc != 0 || (async_wait(15000) && g_async_ok), "right keys: SendMessageAsync callback: done %d, %s",
          g_async_done, g_async_error);
    DestroyMessage(m);
    sent[nsent] = sent_buf[nsent];
    nsent++;
    make_key(sent_buf[nsent], sizeof sent_buf[0], "sendasync");
    m = new_message(g_topic, sent_buf[nsent]);
    async_reset();
    rc = SendAsync(p, m, on_send_ok, on_send_error, NULL);
    CHECK(rc == 0, "right keys: SendAsync = %d: %s", rc, GetLatestErrorMessage());
    CHECK(rc != 0 || (async_wait(15000) && g_async_ok), "right keys: SendAsync callback: done %d, %s", g_async_done,
          g_async_error);
    DestroyMessage(m);
    sent[nsent] = sent_buf[nsent];
    nsent++;

    /* oneway */
    make_key(sent_buf[nsent], sizeof sent_buf[0], "oneway");
    m = new_message(g_topic, sent_buf[nsent]);
    rc = SendMessageOneway(p, m);
    CHECK(rc == 0, "right keys: SendMessageOneway = %d: %s", rc, GetLatestErrorMessage());
    DestroyMessage(m);
    sent[nsent] = sent_buf[nsent];
    nsent++;

    /* orderly (orderly producer), oneway orderly */
    make_key(sent_buf[nsent], sizeof sent_buf[0], "orderly");
    m = new_message(g_topic, sent_buf[nsent]);
    rc = SendMessageOrderly(op, m, select_first, NULL, 1, &r);
    CHECK(rc == 0, "right keys: SendMessageOrderly = %d: %s", rc, GetLatestErrorMessage());
    DestroyMessage(m);
    sent[nsent] = sent_buf[nsent];
    nsent++;
    make_key(sent_buf[nsent], sizeof sent_buf[0], "onewayorderly");
    m = new_message(g_topic, sent_buf[nsent]);
    rc = SendMessageOnewayOrderly(op, m, select_first, NULL);
    CHECK(rc == 0, "right keys: SendMessageOnewayOrderly = %d: %s", rc, GetLatestErrorMessage());
    DestroyMessage(m);
    sent[nsent] = sent_buf[nsent];
    nsent++;

    /* batch of two */
    {
        CBatchMessage* b = CreateBatchMessage();
        CMessage* m1;
        CMessage* m2;
        make_key(key, sizeof key, "batch1");
        make_key(key2, sizeof key2, "batch2");
        m1 = new_message(g_topic, key);
        m2 = new_message(g_topic, key2);
        AddMessage(b, m1);
        AddMessage(b, m2);
        rc = SendBatchMessage(p, b, &r);
        CHECK(rc == 0, "right keys: SendBatchMessage = %d: %s", rc, GetLatestErrorMessage());
        snprintf(batch_ids, sizeof batch_ids, "%s", rc == 0 ? r.msgId : "");
        DestroyBatchMessage(b);
        DestroyMessage(m1);
        DestroyMessage(m2);
        snprintf(sent_buf[nsent], sizeof sent_buf[0], "%s", key);
        sent[nsent] = sent_buf[nsent];
        nsent++;
        snprintf(sent_buf[nsent], sizeof sent_buf[0], "%s", key2);
        sent[nsent] = sent_buf[nsent];
        nsent++;
    }

    /* read back with the pull consumer (FetchSubscriptionMessageQueues + Pull, right keys) */
    for (i = 0; i < nsent; i++) {
        CHECK(reader_find(rd, sent[i], FIND_TIMEOUT_MS), "right keys: %s not read back within %d ms (%s)", sent[i],
              FIND_TIMEOUT_MS, rd->last_error);
    }
    /* the batch's msgId: the two messages' ids, in order, as the broker stored them */
    {
        char want[sizeof batch_ids];
        const char *id1 = reader_id_of(rd, key), *id2 = reader_id_of(rd, key2);
        snprintf(want, sizeof want, "%s,%s", id1 != NULL ? id1 : "?", id2 != NULL ? id2 : "?");
        CHECK(strcmp(batch_ids, want) == 0 && strlen(want) == 65, "right keys: SendBatchMessage msgId \"%s\", read back \"%s\"",
              batch_ids, want);
    }

    /* transactions: commit, and unknown -> check-back -> commit */
    {
        CProducer* tp = start_producer(&ok, "oktx", 2);
        CTransactionStatus commit = E_COMMIT_TRANSACTION, unknown = E_UNKNOWN_TRANSACTION;
        char kc[128], ku[128];
        long long t0;
        if (tp != NULL) {
            make_key(kc, sizeof kc, "tx-commit");
            m = new_message(g_tx_topic, kc);
            rc = SendMessageTransaction(tp, m, tx_execute, &commit, &r);
            CHECK(rc == 0, "right keys: SendMessageTransaction (commit) = %d: %s", rc, GetLatestErrorMessage());
            DestroyMessage(m);
            make_key(ku, sizeof ku, "tx-unknown");
            m = new_message(g_tx_topic, ku);
            rc = SendMessageTransaction(tp, m, tx_execute, &unknown, &r);
            CHECK(rc == 0, "right keys: SendMessageTransaction (unknown) = %d: %s", rc, GetLatestErrorMessage());
            DestroyMessage(m);
            CHECK(g_exec_calls == 2, "right keys: the executor ran %d times, expected 2", g_exec_calls);
            CHECK(reader_find(txr, kc, FIND_TIMEOUT_MS), "right keys: committed transaction %s not read back (%s)", kc,
                  txr->last_error);
            t0 = now_ms();
            CHECK(reader_find(txr, ku, CHECK_TIMEOUT_MS),
                  "right keys: transaction %s (unknown, checker commits) not read back within %d ms; check-backs: %d "
                  "(%d of it) (%s)",
                  ku, CHECK_TIMEOUT_MS, g_check_calls, g_checked_unknown, txr->last_error);
            CHECK(g_checked_unknown > 0, "right keys: the checker was never asked about %s", ku);
            note("unknown transaction committed by the checker %lld ms after the send (%d check-backs)", now_ms() - t0,
                 g_check_calls);
            stop_producer(tp);
        }
    }

    /* push consumer: probes until it gets one, then one more message */
    {
        int prc = -1, round = 0, got = 0;
        long long t0 = now_ms(), deadline = t0 + PUSH_READY_MS;
        CPushConsumer* pc = start_push(&ok, "ok", &prc);
        CHECK(prc == 0, "right keys: StartPushConsumer = %d: %s", prc, GetLatestErrorMessage());
        if (pc != NULL && prc == 0) {
            char probes[64][128];
            int nprobes = 0;
            while (!got && now_ms() < deadline) {
                /* one probe per queue and round, so every assigned queue sees one */
                int q;
                for (q = 0; q < 8 && nprobes < 64; q++) {
                    snprintf(key, sizeof key, "acl-%s-probe-%d-%d", g_run, round, q);
                    snprintf(probes[nprobes++], sizeof probes[0], "%s", key);
                    m = new_message(g_topic, key);
                    SendMessageSync(p, m, &r);
                    DestroyMessage(m);
                }
                round++;
                {
                    long long until = now_ms() + 2000;
                    while (!got && now_ms() < until) {
                        int j;
                        for (j = 0; j < nprobes && !got; j++) {
                            got = pushed(probes[j]);
                        }
                        if (!got) {
                            sleep_ms(100);
                        }
                    }
                }
            }
            CHECK(got, "right keys: the push consumer got none of %d probe messages within %d ms", nprobes,
                  PUSH_READY_MS);
            if (got) {
                note("push consumer (right keys) got its first probe %lld ms after StartPushConsumer", now_ms() - t0);
                make_key(key, sizeof key, "push");
                m = new_message(g_topic, key);
                rc = SendMessageSync(p, m, &r);
                CHECK(rc == 0, "right keys: SendMessageSync for the push consumer = %d: %s", rc, GetLatestErrorMessage());
                DestroyMessage(m);
                t0 = now_ms();
                while (!pushed(key) && now_ms() - t0 < FIND_TIMEOUT_MS) {
                    sleep_ms(100);
                }
                CHECK(pushed(key), "right keys: the push consumer did not get %s within %d ms", key, FIND_TIMEOUT_MS);
            }
        }
        if (pc != NULL) {
            stop_push(pc, "right keys");
        }
    }

    stop_producer(p);
    stop_producer(op);
}

/* ---------------------------------------------------------------- refused */

/* Checks a refused synchronous operation: code, text, duration. */
static void check_refused(const creds* c, const char* op, int rc, int want, long long took, const char* text)
{
    CHECK(rc == want, "%s: %s = %d, expected %d: %s", c->name, op, rc, want, text);
    CHECK(says_access_denied(text), "%s: %s: the error text does not say \"access denied\": %s", c->name, op, text);
    CHECK(took <= FAIL_BOUND_MS, "%s: %s took %lld ms (bound %d ms)", c->name, op, took, FAIL_BOUND_MS);
    note("%s: %s -> %d in %lld ms: %s", c->name, op, rc, took, text);
}

static void test_refused(const creds* c, const char* tag, reader* rd)
{
    CProducer* p = start_producer(c, tag, 0);
    CProducer* op = start_producer(c, "ord", 1);
    CProducer* tp;
    CMessage* m;
    CSendResult r;
    char key[128];
    long long t0;
    int rc;
    CTransactionStatus commit = E_COMMIT_TRANSACTION;

    if (p != NULL) {
        make_key(key, sizeof key, tag);
        m = new_message(g_topic, key);
        t0 = now_ms();
        rc = SendMessageSync(p, m, &r);
        check_refused(c, "SendMessageSync", rc, PRODUCER_SEND_SYNC_FAILED, now_ms() - t0, GetLatestErrorMessage());

        async_reset();
        t0 = now_ms();
        rc = SendMessageAsync(p, m, on_async_ok, on_async_error);
        if (rc == 0) {
            int done = async_wait(FAIL_BOUND_MS + 2000);
            CHECK(done && !g_async_ok, "%s: SendMessageAsync: callback done %d ok %d", c->name, done, g_async_ok);
            if (done && !g_async_ok) {
                check_refused(c, "SendMessageAsync (exception callback)", 0, 0, now_ms() - t0, g_async_error);
            }
        } else {
            /* also acceptable: refused at once */
            check_refused(c, "SendMessageAsync", rc, PRODUCER_SEND_ASYNC_FAILED, now_ms() - t0, GetLatestErrorMessage());
        }

        {
            CBatchMessage* b = CreateBatchMessage();
            CMessage* m2 = new_message(g_topic, key);
            AddMessage(b, m);
            AddMessage(b, m2);
            t0 = now_ms();
            rc = SendBatchMessage(p, b, &r);
            check_refused(c, "SendBatchMessage", rc, PRODUCER_SEND_SYNC_FAILED, now_ms() - t0, GetLatestErrorMessage());
            DestroyBatchMessage(b);
            DestroyMessage(m2);
        }
        DestroyMessage(m);
    }
    if (op != NULL) {
        make_key(key, sizeof key, tag);
        m = new_message(g_topic, key);
        t0 = now_ms();
        rc = SendMessageOrderly(op, m, select_first, NULL, 1, &r);
        check_refused(c, "SendMessageOrderly", rc, PRODUCER_SEND_ORDERLY_FAILED, now_ms() - t0,
                      GetLatestErrorMessage());
        DestroyMessage(m);
    }
    tp = start_producer(c, "tx", 2);
    if (tp != NULL) {
        int before = g_exec_calls;
        make_key(key, sizeof key, "tx-refused");
        m = new_message(g_tx_topic, key);
        t0 = now_ms();
        rc = SendMessageTransaction(tp, m, tx_execute, &commit, &r);
        check_refused(c, "SendMessageTransaction", rc, PRODUCER_SEND_TRANSACTION_FAILED, now_ms() - t0,
                      GetLatestErrorMessage());
        CHECK(g_exec_calls == before, "%s: the executor ran although the half message was refused", c->name);
        DestroyMessage(m);
    }
    stop_producer(p);
    stop_producer(op);
    stop_producer(tp);

    /* pull consumer: start and queues come from the name server; the pull is refused */
    {
        char group[128];
        CPullConsumer* pc;
        CMessageQueue* mqs = NULL;
        int n = 0;
        snprintf(group, sizeof group, "acl-pull-%s-%s", tag, g_run);
        pc = CreatePullConsumer(group);
        SetPullConsumerNameServerAddress(pc, g_namesrv);
        if (c->ak != NULL) {
            CHECK_EQ_INT(SetPullConsumerSessionCredentials(pc, c->ak, c->sk, ""), 0, "SetPullConsumerSessionCredentials");
        }
        rc = StartPullConsumer(pc);
        CHECK(rc == 0, "%s: StartPullConsumer = %d: %s", c->name, rc, GetLatestErrorMessage());
        rc = rc == 0 ? FetchSubscriptionMessageQueues(pc, g_topic, &mqs, &n) : -1;
        CHECK(rc == 0 && n > 0, "%s: FetchSubscriptionMessageQueues = %d (%d queues): %s", c->name, rc, n,
              GetLatestErrorMessage());
        if (rc == 0 && n > 0) {
            CPullResult res;
            t0 = now_ms();
            res = Pull(pc, &mqs[0], "*", 0, 8);
            /* Pull reports failure as E_BROKER_TIMEOUT (2.2.0's only failure status) */
            check_refused(c, "Pull (pullStatus)", (int)res.pullStatus, E_BROKER_TIMEOUT, now_ms() - t0,
                          GetLatestErrorMessage());
            if (res.size > 0) {
                ReleasePullResult(res);
            }
        }
        if (mqs != NULL) {
            ReleaseSubscriptionMessageQueue(mqs);
        }
        ShutdownPullConsumer(pc);
        DestroyPullConsumer(pc);
    }

    /* push consumer: StartPushConsumer itself fails (its first rebalance is refused) */
    {
        int prc = -1;
        long long t0 = now_ms();
        CPushConsumer* pc = start_push(c, tag, &prc);
        check_refused(c, "StartPushConsumer", prc, PUSHCONSUMER_START_FAILED, now_ms() - t0, GetLatestErrorMessage());
        if (pc != NULL) {
            stop_push(pc, c->name);
        }
    }
    (void)rd;
}

/* ---------------------------------------------------------------- denied topic (4.x) */

static void test_denied_topic(const char* topic)
{
    const creds ok = {"right keys, denied topic", g_ak, g_sk};
    CProducer* p = start_producer(&ok, "denied", 0);
    CMessage* m;
    CSendResult r;
    char key[128];
    long long t0;
    int rc;
    if (p == NULL) {
        return;
    }
    make_key(key, sizeof key, "denied");
    m = new_message(topic, key);
    t0 = now_ms();
    rc = SendMessageSync(p, m, &r);
    check_refused(&ok, "SendMessageSync", rc, PRODUCER_SEND_SYNC_FAILED, now_ms() - t0, GetLatestErrorMessage());
    DestroyMessage(m);
    stop_producer(p);
}

/* Message trace on an ACL broker: the trace producer signs with the client's keys, so the Pub
 * record of a traced send lands in RMQ_SYS_TRACE_TOPIC (read back with the client's keys). */
static void test_trace_signed(void)
{
    reader trace;
    char key[128];
    CSendResult r;
    if (reader_open(&trace, "RMQ_SYS_TRACE_TOPIC") != 0) {
        reader_close(&trace);
        return;
    }
    CProducer* p = CreateProducer("acl-trace-producer");
    SetProducerNameServerAddress(p, g_namesrv);
    CHECK_EQ_INT(SetProducerSessionCredentials(p, g_ak, g_sk, ""), 0, "trace: SetProducerSessionCredentials");
    CHECK_EQ_INT(SetProducerMessageTrace(p, OPEN), 0, "trace: SetProducerMessageTrace(OPEN)");
    CHECK_EQ_INT(StartProducer(p), 0, "trace: StartProducer");
    make_key(key, sizeof key, "trace");
    CMessage* m = new_message(g_topic, key);
    int rc = SendMessageSync(p, m, &r);
    CHECK(rc == 0, "trace: SendMessageSync = %d: %s", rc, GetLatestErrorMessage());
    DestroyMessage(m);
    /* shutdown sends the queued records */
    CHECK_EQ_INT(ShutdownProducer(p), 0, "trace: ShutdownProducer");
    DestroyProducer(p);
    if (rc == 0) {
        long long deadline = now_ms() + 20000;
        while (!reader_has_word(&trace, r.msgId) && now_ms() < deadline) {
            reader_poll(&trace, 0);
            sleep_ms(200);
        }
        CHECK(reader_has_word(&trace, r.msgId), "trace: no trace message keyed %s in RMQ_SYS_TRACE_TOPIC within 20 s",
              r.msgId);
    }
    reader_close(&trace);
}

int main(int argc, char** argv)
{
    reader rd, txr;
    const char* denied = getenv("RMQ_ACL_DENIED_TOPIC");
    char wrong_sk[128];
    memset(&rd, 0, sizeof rd);
    memset(&txr, 0, sizeof txr);
    if (argc < 4) {
        fprintf(stderr, "usage: %s NAMESRV TOPIC TX_TOPIC (env RMQ_ACL_ACCESS_KEY, RMQ_ACL_SECRET_KEY)\n", argv[0]);
        return 2;
    }
    g_namesrv = argv[1];
    g_topic = argv[2];
    g_tx_topic = argv[3];
    g_ak = getenv("RMQ_ACL_ACCESS_KEY");
    g_sk = getenv("RMQ_ACL_SECRET_KEY");
    if (g_ak == NULL || g_sk == NULL || !*g_ak || !*g_sk) {
        fprintf(stderr, "test_acl: RMQ_ACL_ACCESS_KEY and RMQ_ACL_SECRET_KEY must be set\n");
        return 2;
    }
    snprintf(g_run, sizeof g_run, "%ld-%d", (long)time(NULL), (int)getpid());
    snprintf(wrong_sk, sizeof wrong_sk, "%s-wrong", g_sk);

    if (reader_open(&rd, g_topic) == 0 && reader_open(&txr, g_tx_topic) == 0) {
        const creds wrong = {"wrong secret", g_ak, wrong_sk};
        const creds unknown = {"unknown access key", "rmq_nobody_at_all", "rmq_nobody_secret"};
        const creds none = {"no credentials", NULL, NULL};
        test_right_keys(&rd, &txr);
        test_refused(&wrong, "wrong", &rd);
        test_refused(&unknown, "unknown", &rd);
        test_refused(&none, "none", &rd);
        if (denied != NULL && *denied) {
            test_denied_topic(denied);
        }
        test_trace_signed();
    }
    reader_close(&rd);
    reader_close(&txr);
    return check_done();
}
