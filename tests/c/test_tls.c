/*
 * test_tls.c - TLS (Set*Ssl, Set*SslPropertyFile, ROCKETMQ_TLS*) against a name server and broker
 * that accept TLS only (tls.server.mode=enforcing), with certificates from a test CA.
 *
 *   test_tls NAMESRV TOPIC CA_PEM WRONG_CA_PEM
 *
 *   right CA      a producer sends (sync, async, oneway) over TLS; a push consumer and a pull
 *                 consumer, both over TLS, receive the sync send (compared by msgId and body)
 *   environment   ROCKETMQ_TLS=1 + ROCKETMQ_TLS_PROPERTY_FILE turn TLS on for a producer whose
 *                 setters were not called; SetProducerSsl(p, 0) still turns it off
 *   wrong CA      StartProducer or SendMessageSync fails with a text naming the certificate problem
 *   TLS off       a plain producer fails with a text that suggests TLS
 *   trust all     tls.client.authServer=false with the wrong CA: sends work (not verified)
 *   bad files     a property file that does not exist, or one without a trust file: Start* fail
 *                 with a text saying so (producer 10, push consumer 20, pull consumer 30)
 *
 * The property files are written into a temporary directory. Messages carry a per-run tag;
 * the push consumer subscribes to that tag only. Waits poll against deadlines.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CMessage.h>
#include <rocketmq/CMessageExt.h>
#include <rocketmq/CProducer.h>
#include <rocketmq/CPullConsumer.h>
#include <rocketmq/CPushConsumer.h>

#include "check.h"

#define DEADLINE_MS 30000
#define MAX_QUEUES 64

static const char* g_namesrv;
static const char* g_topic;
static char g_run[64];
static char g_tag[80];
static char g_dir[256];
static char g_ok_props[320];
static char g_wrong_props[320];
static char g_trust_all_props[320];
static char g_no_trust_props[320];

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void write_file(const char* path, const char* text)
{
    FILE* f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

static void make_property_files(const char* ca, const char* wrong_ca)
{
    char text[1024];
    snprintf(g_dir, sizeof g_dir, "/tmp/rmq-c-tls-XXXXXX");
    if (mkdtemp(g_dir) == NULL) {
        perror("mkdtemp");
        exit(2);
    }
    snprintf(g_ok_props, sizeof g_ok_props, "%s/ok.properties", g_dir);
    snprintf(text, sizeof text, "# the CA that signed the servers' certificates\ntls.client.trustCertPath=%s\n", ca);
    write_file(g_ok_props, text);
    snprintf(g_wrong_props, sizeof g_wrong_props, "%s/wrong-ca.properties", g_dir);
    snprintf(text, sizeof text, "tls.client.trustCertPath=%s\n", wrong_ca);
    write_file(g_wrong_props, text);
    snprintf(g_trust_all_props, sizeof g_trust_all_props, "%s/trust-all.properties", g_dir);
    snprintf(text, sizeof text, "tls.client.trustCertPath=%s\ntls.client.authServer=false\n", wrong_ca);
    write_file(g_trust_all_props, text);
    snprintf(g_no_trust_props, sizeof g_no_trust_props, "%s/no-trust.properties", g_dir);
    write_file(g_no_trust_props, "# nothing to trust\n");
}

static void remove_property_files(void)
{
    unlink(g_ok_props);
    unlink(g_wrong_props);
    unlink(g_trust_all_props);
    unlink(g_no_trust_props);
    rmdir(g_dir);
}

static int contains(const char* text, const char* part)
{
    return text != NULL && strstr(text, part) != NULL;
}

/* ssl: 1 on, 0 off, -1 setter not called. props: NULL = setter not called. */
static CProducer* new_producer(const char* what, int ssl, const char* props)
{
    char group[160];
    CProducer* p;
    snprintf(group, sizeof group, "c-tls-%s-%s", what, g_run);
    p = CreateProducer(group);
    CHECK(p != NULL, "%s: CreateProducer returned NULL", what);
    if (p == NULL) {
        return NULL;
    }
    CHECK_EQ_INT(SetProducerNameServerAddress(p, g_namesrv), 0, "SetProducerNameServerAddress");
    CHECK_EQ_INT(SetProducerSendMsgTimeout(p, 5000), 0, "SetProducerSendMsgTimeout");
    if (ssl >= 0) {
        CHECK_EQ_INT(SetProducerSsl(p, ssl), 0, "SetProducerSsl");
    }
    if (props != NULL) {
        CHECK_EQ_INT(SetProducerSslPropertyFile(p, props), 0, "SetProducerSslPropertyFile");
    }
    return p;
}

static CMessage* new_message(const char* body)
{
    CMessage* m = CreateMessage(g_topic);
    SetMessageTags(m, g_tag);
    SetMessageKeys(m, body);
    SetMessageBody(m, body);
    return m;
}

/* Sends one message; returns the SendMessageSync code, the error text in err. */
static int send_sync(CProducer* p, const char* body, CSendResult* r, char* err, size_t err_n)
{
    CMessage* m = new_message(body);
    int rc = SendMessageSync(p, m, r);
    snprintf(err, err_n, "%s", rc == 0 ? "" : GetLatestErrorMessage());
    DestroyMessage(m);
    return rc;
}

/* Start, then one sync send, must fail; returns the text of whichever failed (or ""). */
static void expect_failure(const char* what, CProducer* p, const char* expected_a, const char* expected_b)
{
    char err[1024] = "", body[128];
    CSendResult r;
    int rc = StartProducer(p), failed_at_start = rc != 0;
    long long t0;
    if (failed_at_start) {
        CHECK_EQ_INT(rc, 10, "StartProducer failure code");
        snprintf(err, sizeof err, "%s", GetLatestErrorMessage());
    } else {
        snprintf(body, sizeof body, "%s %s", what, g_run);
        t0 = now_ms();
        rc = send_sync(p, body, &r, err, sizeof err);
        CHECK(rc != 0, "%s: SendMessageSync succeeded (msgId %s)", what, r.msgId);
        CHECK(now_ms() - t0 < 15000, "%s: the failure took %lld ms", what, now_ms() - t0);
    }
    printf("%s: %s failed: %s\n", what, failed_at_start ? "StartProducer" : "SendMessageSync", err);
    CHECK(contains(err, expected_a) || (expected_b != NULL && contains(err, expected_b)),
          "%s: error text \"%s\" does not say \"%s\"%s%s", what, err, expected_a, expected_b ? " or " : "",
          expected_b ? expected_b : "");
    ShutdownProducer(p);
    DestroyProducer(p);
}

/* ------------------------------------------------------------------------------------------ */
/* Push consumer: records the bodies of this run's messages. */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_pushed[16][128];
static int g_pushed_n;

static int on_message(CPushConsumer* c, CMessageExt* m)
{
    const char* body = GetMessageBody(m);
    (void)c;
    pthread_mutex_lock(&g_lock);
    if (g_pushed_n < 16 && body != NULL) {
        snprintf(g_pushed[g_pushed_n++], sizeof g_pushed[0], "%s", body);
    }
    pthread_mutex_unlock(&g_lock);
    return E_CONSUME_SUCCESS;
}

static int pushed_has(const char* body)
{
    int i, found = 0;
    pthread_mutex_lock(&g_lock);
    for (i = 0; i < g_pushed_n; i++) {
        found |= strcmp(g_pushed[i], body) == 0;
    }
    pthread_mutex_unlock(&g_lock);
    return found;
}

static CPushConsumer* start_push_consumer(void)
{
    char group[160];
    CPushConsumer* c;
    snprintf(group, sizeof group, "c-tls-push-%s", g_run);
    c = CreatePushConsumer(group);
    CHECK(c != NULL, "CreatePushConsumer returned NULL");
    if (c == NULL) {
        return NULL;
    }
    CHECK_EQ_INT(SetPushConsumerNameServerAddress(c, g_namesrv), 0, "SetPushConsumerNameServerAddress");
    CHECK_EQ_INT(SetPushConsumerSsl(c, 1), 0, "SetPushConsumerSsl");
    CHECK_EQ_INT(SetPushConsumerSslPropertyFile(c, g_ok_props), 0, "SetPushConsumerSslPropertyFile");
    CHECK_EQ_INT(Subscribe(c, g_topic, g_tag), 0, "Subscribe");
    CHECK_EQ_INT(RegisterMessageCallback(c, on_message), 0, "RegisterMessageCallback");
    int rc = StartPushConsumer(c);
    CHECK(rc == 0, "StartPushConsumer over TLS = %d: %s", rc, GetLatestErrorMessage());
    if (rc != 0) {
        DestroyPushConsumer(c);
        return NULL;
    }
    return c;
}

/* ------------------------------------------------------------------------------------------ */
/* Pull consumer: the queues' ends before the sends, then a scan for a msgId. */

typedef struct {
    CPullConsumer* c;
    CMessageQueue* mqs;
    int n;
    long long next[MAX_QUEUES];
} puller;

static int start_puller(puller* pl)
{
    char group[160];
    int i, rc;
    memset(pl, 0, sizeof *pl);
    snprintf(group, sizeof group, "c-tls-pull-%s", g_run);
    pl->c = CreatePullConsumer(group);
    CHECK(pl->c != NULL, "CreatePullConsumer returned NULL");
    if (pl->c == NULL) {
        return -1;
    }
    CHECK_EQ_INT(SetPullConsumerNameServerAddress(pl->c, g_namesrv), 0, "SetPullConsumerNameServerAddress");
    CHECK_EQ_INT(SetPullConsumerSsl(pl->c, 1), 0, "SetPullConsumerSsl");
    CHECK_EQ_INT(SetPullConsumerSslPropertyFile(pl->c, g_ok_props), 0, "SetPullConsumerSslPropertyFile");
    rc = StartPullConsumer(pl->c);
    CHECK(rc == 0, "StartPullConsumer over TLS = %d: %s", rc, GetLatestErrorMessage());
    if (rc != 0) {
        return -1;
    }
    rc = FetchSubscriptionMessageQueues(pl->c, g_topic, &pl->mqs, &pl->n);
    CHECK(rc == 0 && pl->n > 0, "FetchSubscriptionMessageQueues over TLS = %d (%d queues): %s", rc, pl->n,
          GetLatestErrorMessage());
    if (rc != 0 || pl->n <= 0) {
        return -1;
    }
    if (pl->n > MAX_QUEUES) {
        pl->n = MAX_QUEUES;
    }
    for (i = 0; i < pl->n; i++) {
        CPullResult res = Pull(pl->c, &pl->mqs[i], "*", 0, 1);
        CHECK(res.pullStatus != E_BROKER_TIMEOUT, "Pull over TLS (queue %d) failed: %s", pl->mqs[i].queueId,
              GetLatestErrorMessage());
        pl->next[i] = res.maxOffset;
        if (res.pullStatus == E_FOUND) {
            ReleasePullResult(res);
        }
    }
    return 0;
}

/* Pulls from the recorded ends until msg_id shows up; 1 when found with that body. */
static int pull_find(puller* pl, const char* msg_id, const char* body)
{
    long long deadline = now_ms() + DEADLINE_MS;
    int i, k, found = 0;
    while (!found && now_ms() < deadline) {
        for (i = 0; i < pl->n && !found; i++) {
            CPullResult res = Pull(pl->c, &pl->mqs[i], "*", pl->next[i], 32);
            if (res.pullStatus == E_FOUND) {
                for (k = 0; k < res.size; k++) {
                    const char* id = GetMessageId(res.msgFoundList[k]);
                    const char* b = GetMessageBody(res.msgFoundList[k]);
                    if (id != NULL && strcmp(id, msg_id) == 0) {
                        CHECK(b != NULL && strcmp(b, body) == 0, "pulled body \"%s\", expected \"%s\"", b ? b : "(NULL)",
                              body);
                        found = 1;
                    }
                }
                ReleasePullResult(res);
            }
            if (res.nextBeginOffset > pl->next[i]) {
                pl->next[i] = res.nextBeginOffset;
            }
        }
        if (!found) {
            pause_ms(100);
        }
    }
    return found;
}

static void close_puller(puller* pl)
{
    if (pl->mqs != NULL) {
        ReleaseSubscriptionMessageQueue(pl->mqs);
    }
    if (pl->c != NULL) {
        CHECK_EQ_INT(ShutdownPullConsumer(pl->c), 0, "ShutdownPullConsumer");
        DestroyPullConsumer(pl->c);
    }
}

/* ------------------------------------------------------------------------------------------ */

static volatile int g_async_done, g_async_ok;
static char g_async_err[512];

static void on_async_success(CSendResult r, CMessage* m, void* data)
{
    (void)r, (void)m, (void)data;
    g_async_ok = 1;
    __sync_synchronize();
    g_async_done = 1;
}

static void on_async_exception(CMQException e, CMessage* m, void* data)
{
    (void)m, (void)data;
    snprintf(g_async_err, sizeof g_async_err, "%s", e.msg);
    __sync_synchronize();
    g_async_done = 1;
}

static void right_ca(void)
{
    CProducer* p = new_producer("ok", 1, g_ok_props);
    CPushConsumer* c = start_push_consumer();
    puller pl;
    char body[128], async_body[128], err[1024];
    CSendResult r, first;
    long long deadline;
    int rc, i, sends = 0, pushed = 0;
    CMessage* m;

    int pull_ready = start_puller(&pl) == 0;
    rc = StartProducer(p);
    CHECK(rc == 0, "StartProducer over TLS = %d: %s", rc, GetLatestErrorMessage());

    /* A new push consumer group starts at the queues' ends once they are assigned: send until it
     * gets one (each send is a new message), within the deadline. */
    memset(&first, 0, sizeof first);
    char first_body[128] = "";
    deadline = now_ms() + DEADLINE_MS;
    while (now_ms() < deadline && !pushed) {
        snprintf(body, sizeof body, "tls sync %d %s", sends, g_run);
        rc = send_sync(p, body, &r, err, sizeof err);
        CHECK(rc == 0, "SendMessageSync over TLS = %d: %s", rc, err);
        if (rc != 0) {
            break;
        }
        if (sends++ == 0) {
            first = r;
            snprintf(first_body, sizeof first_body, "%s", body);
            CHECK_EQ_INT(r.sendStatus, E_SEND_OK, "send status");
        }
        for (i = 0; i < 10 && !pushed; i++) {
            pause_ms(100);
            pushed = pushed_has(body);
        }
    }
    CHECK(pushed, "the push consumer received none of %d messages sent over TLS within %d ms", sends, DEADLINE_MS);
    printf("right CA: %d sync send(s), push consumer received one: %s\n", sends, pushed ? "yes" : "no");

    if (pull_ready && sends > 0) {
        CHECK(pull_find(&pl, first.msgId, first_body), "the pull consumer did not find %s over TLS within %d ms",
              first.msgId, DEADLINE_MS);
    }

    /* Async (through the connection's writer task) and oneway over TLS. */
    snprintf(async_body, sizeof async_body, "tls async %s", g_run);
    m = new_message(async_body);
    rc = SendAsync(p, m, on_async_success, on_async_exception, NULL);
    CHECK(rc == 0, "SendAsync over TLS = %d: %s", rc, GetLatestErrorMessage());
    deadline = now_ms() + DEADLINE_MS;
    while (rc == 0 && !g_async_done && now_ms() < deadline) {
        pause_ms(20);
    }
    __sync_synchronize();
    CHECK(g_async_done && g_async_ok, "SendAsync over TLS: %s", g_async_done ? g_async_err : "no callback in time");
    DestroyMessage(m);
    snprintf(body, sizeof body, "tls oneway %s", g_run);
    m = new_message(body);
    CHECK_EQ_INT(SendMessageOneway(p, m), 0, "SendMessageOneway over TLS");
    DestroyMessage(m);
    if (c != NULL) {
        deadline = now_ms() + DEADLINE_MS;
        while (!(pushed_has(body) && pushed_has(async_body)) && now_ms() < deadline) {
            pause_ms(50);
        }
        CHECK(pushed_has(body), "the push consumer did not receive the oneway message within %d ms", DEADLINE_MS);
        CHECK(pushed_has(async_body), "the push consumer did not receive the async message within %d ms", DEADLINE_MS);
    }

    if (pull_ready) {
        close_puller(&pl);
    }
    if (c != NULL) {
        CHECK_EQ_INT(ShutdownPushConsumer(c), 0, "ShutdownPushConsumer");
        DestroyPushConsumer(c);
    }
    CHECK_EQ_INT(ShutdownProducer(p), 0, "ShutdownProducer");
    DestroyProducer(p);
}

/* Hosts that cannot call the setters (the Python package) turn TLS on through the environment,
 * read when a handle is created. */
static void environment(void)
{
    char body[128], err[1024];
    CSendResult r;
    CProducer* p;
    int rc;
    setenv("ROCKETMQ_TLS", "1", 1);
    setenv("ROCKETMQ_TLS_PROPERTY_FILE", g_ok_props, 1);
    p = new_producer("env", -1, NULL);
    rc = StartProducer(p);
    CHECK(rc == 0, "StartProducer with ROCKETMQ_TLS=1 = %d: %s", rc, GetLatestErrorMessage());
    snprintf(body, sizeof body, "tls env %s", g_run);
    rc = send_sync(p, body, &r, err, sizeof err);
    CHECK(rc == 0, "SendMessageSync with ROCKETMQ_TLS=1 = %d: %s", rc, err);
    ShutdownProducer(p);
    DestroyProducer(p);

    /* The setter wins over the environment. */
    p = new_producer("env-off", 0, NULL);
    unsetenv("ROCKETMQ_TLS");
    unsetenv("ROCKETMQ_TLS_PROPERTY_FILE");
    expect_failure("ROCKETMQ_TLS=1 but SetProducerSsl(p, 0)", p, "does the server require TLS?", NULL);
}

static void bad_property_files(void)
{
    CPushConsumer* c;
    CPullConsumer* pc;
    const char* missing = "/nonexistent/rocketmq-tls.properties";
    int rc;
    CProducer* p = new_producer("missing-file", 1, missing);
    rc = StartProducer(p);
    CHECK(rc == 10 && contains(GetLatestErrorMessage(), "cannot read the TLS property file /nonexistent/"),
          "StartProducer with a missing property file = %d: %s", rc, GetLatestErrorMessage());
    printf("missing property file: %s\n", GetLatestErrorMessage());
    DestroyProducer(p);

    p = new_producer("no-trust", 1, g_no_trust_props);
    rc = StartProducer(p);
    CHECK(rc == 10 && contains(GetLatestErrorMessage(), "no tls.client.trustCertPath"),
          "StartProducer without tls.client.trustCertPath = %d: %s", rc, GetLatestErrorMessage());
    printf("no trust file: %s\n", GetLatestErrorMessage());
    DestroyProducer(p);

    c = CreatePushConsumer("c-tls-bad-push");
    SetPushConsumerNameServerAddress(c, g_namesrv);
    Subscribe(c, g_topic, "*");
    RegisterMessageCallback(c, on_message);
    SetPushConsumerSsl(c, 1);
    SetPushConsumerSslPropertyFile(c, missing);
    rc = StartPushConsumer(c);
    CHECK(rc == 20 && contains(GetLatestErrorMessage(), "cannot read the TLS property file"),
          "StartPushConsumer with a missing property file = %d: %s", rc, GetLatestErrorMessage());
    DestroyPushConsumer(c);

    pc = CreatePullConsumer("c-tls-bad-pull");
    SetPullConsumerNameServerAddress(pc, g_namesrv);
    SetPullConsumerSsl(pc, 1);
    SetPullConsumerSslPropertyFile(pc, missing);
    rc = StartPullConsumer(pc);
    CHECK(rc == 30 && contains(GetLatestErrorMessage(), "cannot read the TLS property file"),
          "StartPullConsumer with a missing property file = %d: %s", rc, GetLatestErrorMessage());
    DestroyPullConsumer(pc);
}

static void trust_all(void)
{
    char body[128], err[1024];
    CSendResult r;
    CProducer* p = new_producer("trust-all", 1, g_trust_all_props);
    int rc = StartProducer(p);
    CHECK(rc == 0, "StartProducer with tls.client.authServer=false = %d: %s", rc, GetLatestErrorMessage());
    snprintf(body, sizeof body, "tls trust-all %s", g_run);
    rc = send_sync(p, body, &r, err, sizeof err);
    CHECK(rc == 0, "SendMessageSync with tls.client.authServer=false = %d: %s", rc, err);
    ShutdownProducer(p);
    DestroyProducer(p);
}

int main(int argc, char** argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s NAMESRV TOPIC CA_PEM WRONG_CA_PEM\n", argv[0]);
        return 2;
    }
    g_namesrv = argv[1];
    g_topic = argv[2];
    snprintf(g_run, sizeof g_run, "%ld-%d", (long)time(NULL), (int)getpid());
    snprintf(g_tag, sizeof g_tag, "tls-%s", g_run);
    make_property_files(argv[3], argv[4]);
    unsetenv("ROCKETMQ_TLS");
    unsetenv("ROCKETMQ_TLS_PROPERTY_FILE");

    right_ca();
    environment();
    expect_failure("wrong CA", new_producer("wrong-ca", 1, g_wrong_props), "UnknownIssuer", "certificate");
    expect_failure("TLS off", new_producer("plain", 0, NULL), "does the server require TLS?", NULL);
    trust_all();
    bad_property_files();

    remove_property_files();
    return check_done();
}
