/*
 * Message trace, client side (tests/trace/run.sh checks what the brokers then hold).
 *
 *   trace_clients NAMESRV TOPIC PREFIX CUSTOM_TRACE_TOPIC
 *
 * With trace on (Set*MessageTrace(OPEN)): a producer sends one message of each kind (sync,
 * async, oneway, batch of 2, orderly), a transaction producer commits one and rolls one back,
 * and a push consumer consumes them all, failing the message keyed "FAILONCE" on its first
 * delivery. With trace off: another producer sends one message and another group consumes the
 * topic. Everything is shut down at the end (shutdown flushes the trace records).
 *
 * Then the trace topic a producer names (Set*MessageTraceTopic): one send traced to
 * CUSTOM_TRACE_TOPIC (an existing topic; printed as "custom-trace-topic TOPIC ID" for run.sh),
 * and one traced to a topic the cluster does not have: the send succeeds and the library's log
 * (HOME/logs/rocketmq-rust/rocketmq_client.log) says why its trace was not sent.
 *
 * Prints one line per message: "KIND ID" (batch: "batch JOINED_ID", then "batch-member ID" per
 * message); then "consumed N", "failed-once ID", and "N passed, M failed" last.
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "CBatchMessage.h"
#include "CCommon.h"
#include "CMessage.h"
#include "CMessageExt.h"
#include "CProducer.h"
#include "CPushConsumer.h"
#include "CSendResult.h"
#include "../c/check.h"


static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char async_id[256];
static int async_done;
static int consumed_traced, consumed_untraced, failonce_seen;
static char failonce_id[256]; /* the id the FAILONCE send got (the consumer compares with it) */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_async_ok(CSendResult r) {
    pthread_mutex_lock(&lock);
    snprintf(async_id, sizeof async_id, "%s", r.msgId);
    async_done = 1;
    pthread_mutex_unlock(&lock);
}

static void on_async_error(CMQException e) {
    pthread_mutex_lock(&lock);
    printf("async send failed: %s\n", e.msg);
    async_done = -1;
    pthread_mutex_unlock(&lock);
}

static int on_traced(CPushConsumer* c, CMessageExt* m) {
    (void)c;
    const char* keys = GetMessageKeys(m);
    int retry = GetMessageReconsumeTimes(m);
    pthread_mutex_lock(&lock);
    int fail = keys && strcmp(keys, "FAILONCE") == 0 && retry == 0;
    if (strcmp(GetMessageId(m), failonce_id) == 0) failonce_seen++;
    if (!fail) consumed_traced++;
    pthread_mutex_unlock(&lock);
    return fail ? E_RECONSUME_LATER : E_CONSUME_SUCCESS;
}

static int on_untraced(CPushConsumer* c, CMessageExt* m) {
    (void)c;
    (void)m;
    pthread_mutex_lock(&lock);
    consumed_untraced++;
    pthread_mutex_unlock(&lock);
    return E_CONSUME_SUCCESS;
}

static int select_first(int size, CMessage* msg, void* arg) {
    (void)size;
    (void)msg;
    (void)arg;
    return 0;
}

static CTransactionStatus commit_it(CProducer* p, CMessage* m, void* d) {
    (void)p;
    (void)m;
    (void)d;
    return E_COMMIT_TRANSACTION;
}

static CTransactionStatus roll_it_back(CProducer* p, CMessage* m, void* d) {
    (void)p;
    (void)m;
    (void)d;
    return E_ROLLBACK_TRANSACTION;
}

static CTransactionStatus check_back(CProducer* p, CMessageExt* m, void* d) {
    (void)p;
    (void)m;
    (void)d;
    return E_ROLLBACK_TRANSACTION;
}

static CMessage* message(const char* topic, const char* tags, const char* keys, const char* body) {
    CMessage* m = CreateMessage(topic);
    if (tags) SetMessageTags(m, tags);
    if (keys) SetMessageKeys(m, keys);
    SetMessageBody(m, body);
    return m;
}

static CPushConsumer* consumer(const char* ns, const char* topic, const char* group, int trace, MessageCallBack cb) {
    CPushConsumer* c = CreatePushConsumer(group);
    SetPushConsumerNameServerAddress(c, ns);
    SetPushConsumerConsumeFromWhere(c, 1 /* first offset */, 0);
    SetPushConsumerMessageTrace(c, trace ? OPEN : CLOSE);
    Subscribe(c, topic, "*");
    RegisterMessageCallback(c, cb);
    CHECK(StartPushConsumer(c) == 0, "consumer starts");
    return c;
}

/* A traced producer whose records go to trace_topic; sends one message and prints its id. */
static int send_traced_to(const char* ns, const char* topic, const char* group, const char* trace_topic, char* id, size_t size) {
    CProducer* p = CreateProducer(group);
    SetProducerNameServerAddress(p, ns);
    SetProducerMessageTrace(p, OPEN);
    CHECK(SetProducerMessageTraceTopic(p, trace_topic) == 0, "SetProducerMessageTraceTopic");
    CHECK(StartProducer(p) == 0, "producer with its own trace topic starts");
    CMessage* m = message(topic, NULL, "KT", trace_topic);
    CSendResult r;
    int ok = SendMessageSync(p, m, &r) == 0 && r.sendStatus == E_SEND_OK;
    snprintf(id, size, "%s", ok ? r.msgId : "");
    DestroyMessage(m);
    CHECK(ShutdownProducer(p) == 0, "producer with its own trace topic shuts down");
    DestroyProducer(p);
    return ok;
}

/* Whether the library's log (in HOME, where run.sh points it) has a line containing text. */
static int log_mentions(const char* text) {
    char path[1024];
    const char* home = getenv("HOME");
    snprintf(path, sizeof path, "%s/logs/rocketmq-rust/rocketmq_client.log", home ? home : ".");
    FILE* f = fopen(path, "r");
    char line[4096];
    int found = 0;
    while (f != NULL && !found && fgets(line, sizeof line, f) != NULL) {
        found = strstr(line, text) != NULL;
    }
    if (f != NULL) fclose(f);
    return found;
}

static void trace_topic_named(const char* ns, const char* topic, const char* prefix, const char* custom) {
    char group[256], id[256], missing[256], warning[512];
    snprintf(group, sizeof group, "%s_pg_custom", prefix);
    CHECK(send_traced_to(ns, topic, group, custom, id, sizeof id), "send traced to a custom trace topic");
    printf("custom-trace-topic %s %s\n", custom, id);

    /* Shutdown sends what is queued: the failed trace send is logged by the time it returns. */
    snprintf(group, sizeof group, "%s_pg_missing", prefix);
    snprintf(missing, sizeof missing, "%s_no_such_trace_topic", prefix);
    CHECK(send_traced_to(ns, topic, group, missing, id, sizeof id), "send traced to a missing trace topic succeeds");
    snprintf(warning, sizeof warning, "message trace: a trace message to %s was not sent", missing);
    CHECK(log_mentions(warning), "the log says the trace to a missing trace topic was not sent");
}

int main(int argc, char** argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s NAMESRV TOPIC PREFIX CUSTOM_TRACE_TOPIC\n", argv[0]);
        return 2;
    }
    const char *ns = argv[1], *topic = argv[2], *prefix = argv[3];
    char group[256];
    CSendResult r;
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* ---- traced producer: every send kind */
    snprintf(group, sizeof group, "%s_pg", prefix);
    CProducer* p = CreateProducer(group);
    SetProducerNameServerAddress(p, ns);
    CHECK(SetProducerMessageTrace(p, OPEN) == 0, "SetProducerMessageTrace(OPEN)");
    CHECK(SetProducerMessageTrace(NULL, OPEN) == 1, "SetProducerMessageTrace(NULL) is NULL_POINTER");
    CHECK(StartProducer(p) == 0, "producer starts");

    CMessage* m = message(topic, "TagA", "K1 K2", "sync");
    CHECK(SendMessageSync(p, m, &r) == 0, "sync send");
    printf("sync %s\n", r.msgId);
    DestroyMessage(m);

    m = message(topic, "TagB", NULL, "async");
    CHECK(SendMessageAsync(p, m, on_async_ok, on_async_error) == 0, "async send");
    for (double end = now_s() + 10; now_s() < end;) {
        pthread_mutex_lock(&lock);
        int done = async_done;
        pthread_mutex_unlock(&lock);
        if (done) break;
        usleep(5000);
    }
    CHECK(async_done == 1, "async send completes");
    printf("async %s\n", async_id);
    DestroyMessage(m);

    m = message(topic, NULL, "KO", "oneway");
    CHECK(SendMessageOneway(p, m) == 0, "oneway send");
    printf("oneway %s\n", GetOriginMessageProperty(m, "UNIQ_KEY"));
    DestroyMessage(m);

    CBatchMessage* b = CreateBatchMessage();
    CMessage* b1 = message(topic, "TagC", "KB1", "batch one");
    CMessage* b2 = message(topic, "TagC", "KB2", "batch two");
    AddMessage(b, b1);
    AddMessage(b, b2);
    CHECK(SendBatchMessage(p, b, &r) == 0, "batch send");
    printf("batch %s\n", r.msgId);
    {
        char ids[256];
        snprintf(ids, sizeof ids, "%s", r.msgId);
        for (char* id = strtok(ids, ","); id; id = strtok(NULL, ",")) printf("batch-member %s\n", id);
    }
    DestroyMessage(b1);
    DestroyMessage(b2);
    DestroyBatchMessage(b);

    m = message(topic, "TagD", "KD", "orderly");
    CHECK(SendMessageOrderly(p, m, select_first, NULL, 1, &r) == 0, "orderly send");
    printf("orderly %s\n", r.msgId);
    DestroyMessage(m);

    m = message(topic, "TagF", "FAILONCE", "fails once");
    CHECK(SendMessageSync(p, m, &r) == 0, "sync send (fails once)");
    printf("failonce %s\n", r.msgId);
    pthread_mutex_lock(&lock);
    snprintf(failonce_id, sizeof failonce_id, "%s", r.msgId);
    pthread_mutex_unlock(&lock);
    DestroyMessage(m);

    /* ---- traced transaction producer: commit and rollback */
    snprintf(group, sizeof group, "%s_txg", prefix);
    CProducer* tx = CreateTransactionProducer(group, check_back, NULL);
    SetProducerNameServerAddress(tx, ns);
    SetProducerMessageTrace(tx, OPEN);
    CHECK(StartProducer(tx) == 0, "transaction producer starts");
    m = message(topic, "TagT", "KT", "commit");
    CHECK(SendMessageTransaction(tx, m, commit_it, NULL, &r) == 0, "transaction (commit)");
    printf("tx-commit %s\n", r.msgId);
    DestroyMessage(m);
    m = message(topic, "TagT", "KR", "rollback");
    CHECK(SendMessageTransaction(tx, m, roll_it_back, NULL, &r) == 0, "transaction (rollback)");
    printf("tx-rollback %s\n", r.msgId);
    DestroyMessage(m);

    /* ---- trace off: a producer and a consumer group that must leave no record */
    snprintf(group, sizeof group, "%s_pg_off", prefix);
    CProducer* off = CreateProducer(group);
    SetProducerNameServerAddress(off, ns);
    SetProducerMessageTrace(off, CLOSE);
    CHECK(StartProducer(off) == 0, "untraced producer starts");
    m = message(topic, "TagO", "KOFF", "untraced");
    CHECK(SendMessageSync(off, m, &r) == 0, "untraced send");
    printf("off %s\n", r.msgId);
    DestroyMessage(m);

    /* ---- consumers: each group gets the 9 stored messages (the traced one FAILONCE twice) */
    const int expected = 9;
    snprintf(group, sizeof group, "%s_cg", prefix);
    CPushConsumer* c = consumer(ns, topic, group, 1, on_traced);
    snprintf(group, sizeof group, "%s_cg_off", prefix);
    CPushConsumer* c_off = consumer(ns, topic, group, 0, on_untraced);
    for (double end = now_s() + 60; now_s() < end;) {
        pthread_mutex_lock(&lock);
        int done = consumed_traced >= expected && consumed_untraced >= expected && failonce_seen >= 2;
        pthread_mutex_unlock(&lock);
        if (done) break;
        usleep(20000);
    }
    printf("consumed %d traced, %d untraced\n", consumed_traced, consumed_untraced);
    CHECK(consumed_traced >= expected, "traced consumer got every message");
    CHECK(failonce_seen >= 2, "FAILONCE was delivered again");
    CHECK(consumed_untraced >= expected, "untraced consumer got every message");

    CHECK(ShutdownPushConsumer(c) == 0, "consumer shutdown");
    CHECK(ShutdownPushConsumer(c_off) == 0, "untraced consumer shutdown");
    DestroyPushConsumer(c);
    DestroyPushConsumer(c_off);
    CHECK(ShutdownProducer(p) == 0, "producer shutdown");
    CHECK(ShutdownProducer(tx) == 0, "transaction producer shutdown");
    CHECK(ShutdownProducer(off) == 0, "untraced producer shutdown");
    DestroyProducer(p);
    DestroyProducer(tx);
    DestroyProducer(off);

    trace_topic_named(ns, topic, prefix, argv[4]);
    return check_done();
}
