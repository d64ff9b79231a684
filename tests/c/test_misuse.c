/*
 * test_misuse.c - the NULL-and-misuse matrix over all exported functions
 * (tests/headers/prototypes.txt): every pointer argument NULL (one at a time), calls out of
 * order, sends that cannot succeed (unknown topic, name servers that refuse or never answer, a
 * broker that never answers: local fake servers). For every failure the exact 2.2.0 return code
 * is checked, and that GetLatestErrorMessage() was set by THIS call to a non-empty, valid UTF-8
 * text. Nothing may crash (run.sh also runs this program under valgrind). Also where the name
 * server list comes from: NAMESRV_ADDR, "a;b" lists with failover, a domain (HTTP).
 *
 *   test_misuse NAMESRV [TOPIC]
 *
 * How "set by this call" is checked: before each failing call, prime() makes a failure whose
 * text is unique (a Pull with a distinct negative offset on a pull consumer that never touches
 * the network); after the call the text must differ from the primed one.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
#include "readback.h"

#define FIND_TIMEOUT_MS 15000
#define CALLBACK_TIMEOUT_MS 15000
/* A send to a name server that does not answer must fail within this. */
#define DEAD_SEND_LIMIT_MS 10000

static const char* g_namesrv;
static const char* g_topic;
static char g_run[64];

/* ------------------------------------------------------------------------------------------ */
/* Error text checks.                                                                          */

static CPullConsumer* g_prime;
static CMessageQueue g_prime_mq;
static int g_prime_seq;
static char g_primed[1024];

/* Makes the thread's error text a unique value. */
static void prime(void)
{
    CPullResult r = Pull(g_prime, &g_prime_mq, "*", -1000LL - (++g_prime_seq), 1);
    (void)r;
    snprintf(g_primed, sizeof g_primed, "%s", GetLatestErrorMessage());
}

static int utf8_valid(const char* s)
{
    const unsigned char* p = (const unsigned char*)s;
    while (*p) {
        int n;
        unsigned int cp;
        if (*p < 0x80) {
            p++;
            continue;
        } else if ((*p & 0xe0) == 0xc0) {
            n = 1;
            cp = *p & 0x1f;
        } else if ((*p & 0xf0) == 0xe0) {
            n = 2;
            cp = *p & 0x0f;
        } else if ((*p & 0xf8) == 0xf0) {
            n = 3;
            cp = *p & 0x07;
        } else {
            return 0;
        }
        p++;
        while (n-- > 0) {
            if ((*p & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (*p & 0x3f);
            p++;
        }
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
    }
    return 1;
}

static void check_error_text(const char* call, int line)
{
    const char* e = GetLatestErrorMessage();
    CHECK_AT(__FILE__, line, e != NULL && e[0] != '\0', "%s: GetLatestErrorMessage() is empty after the failure", call);
    if (e == NULL || e[0] == '\0') {
        return;
    }
    CHECK_AT(__FILE__, line, utf8_valid(e), "%s: error text is not valid UTF-8", call);
    CHECK_AT(__FILE__, line, strcmp(e, g_primed) != 0, "%s: the failure did not set an error text (still \"%s\")",
             call, e);
}

/* The call fails with `expected` and sets an error text. */
#define FAILS(expected, call)                                                                       \
    do {                                                                                            \
        long long rc_;                                                                              \
        prime();                                                                                    \
        rc_ = (long long)(call);                                                                    \
        CHECK_AT(__FILE__, __LINE__, rc_ == (long long)(expected), "%s: returned %lld, expected %lld", \
                 #call, rc_, (long long)(expected));                                                \
        check_error_text(#call, __LINE__);                                                          \
    } while (0)

/* As FAILS, and the error text contains `needle`. */
#define FAILS_WITH(expected, needle, call)                                                          \
    do {                                                                                            \
        const char* e_;                                                                             \
        FAILS(expected, call);                                                                      \
        e_ = GetLatestErrorMessage();                                                               \
        CHECK_AT(__FILE__, __LINE__, e_ != NULL && strstr(e_, (needle)) != NULL,                    \
                 "%s: error text \"%s\" does not contain \"%s\"", #call, e_ ? e_ : "(NULL)", (needle)); \
    } while (0)

/* A pointer-returning call fails: NULL and an error text. */
#define FAILS_NULL(call)                                                                            \
    do {                                                                                            \
        const void* p_;                                                                             \
        prime();                                                                                    \
        p_ = (const void*)(call);                                                                   \
        CHECK_AT(__FILE__, __LINE__, p_ == NULL, "%s: returned %p, expected NULL", #call, p_);      \
        check_error_text(#call, __LINE__);                                                          \
    } while (0)

/* The call returns 0. */
#define SUCCEEDS(call)                                                                              \
    do {                                                                                            \
        long long rc_ = (long long)(call);                                                          \
        CHECK_AT(__FILE__, __LINE__, rc_ == 0, "%s: returned %lld, expected 0 (%s)", #call, rc_,    \
                 GetLatestErrorMessage());                                                          \
    } while (0)

/* A Pull that fails: status 4, nothing else filled, an error text. */
#define PULL_FAILS(call)                                                                            \
    do {                                                                                            \
        CPullResult r_;                                                                             \
        prime();                                                                                    \
        r_ = (call);                                                                                \
        CHECK_AT(__FILE__, __LINE__,                                                                \
                 r_.pullStatus == E_BROKER_TIMEOUT && r_.size == 0 && r_.msgFoundList == NULL &&    \
                     r_.pData == NULL && r_.nextBeginOffset == 0 && r_.minOffset == 0 && r_.maxOffset == 0, \
                 "%s: status %d size %d list %p data %p next %lld min %lld max %lld", #call,        \
                 (int)r_.pullStatus, r_.size, (void*)r_.msgFoundList, r_.pData, r_.nextBeginOffset, \
                 r_.minOffset, r_.maxOffset);                                                       \
        check_error_text(#call, __LINE__);                                                          \
    } while (0)

/* ------------------------------------------------------------------------------------------ */
/* Callbacks.                                                                                  */

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int successes;
    int exceptions;
    int exception_error;
    char exception_msg[600];
    char exception_type[140];
    CSendResult result;
    void* user_data;
    CMessage* msg;
} callbacks;

static callbacks g_cb;
/* Callbacks of sends that must never report anything (they returned a failure code). */
static int g_unexpected_callbacks;

static void cb_reset(void)
{
    pthread_mutex_lock(&g_cb.lock);
    g_cb.successes = 0;
    g_cb.exceptions = 0;
    g_cb.exception_msg[0] = '\0';
    g_cb.exception_type[0] = '\0';
    g_cb.user_data = NULL;
    g_cb.msg = NULL;
    pthread_mutex_unlock(&g_cb.lock);
}

static void cb_record(const CSendResult* r, const CMQException* e, CMessage* msg, void* ud)
{
    pthread_mutex_lock(&g_cb.lock);
    if (r != NULL) {
        g_cb.successes++;
        g_cb.result = *r;
    } else {
        g_cb.exceptions++;
        g_cb.exception_error = e->error;
        snprintf(g_cb.exception_msg, sizeof g_cb.exception_msg, "%.*s", (int)sizeof e->msg, e->msg);
        snprintf(g_cb.exception_type, sizeof g_cb.exception_type, "%.*s", (int)sizeof e->type, e->type);
    }
    g_cb.msg = msg;
    g_cb.user_data = ud;
    pthread_cond_broadcast(&g_cb.cond);
    pthread_mutex_unlock(&g_cb.lock);
}

/* Waits until some callback ran; returns successes + exceptions. */
static int cb_wait(int timeout_ms)
{
    struct timespec until;
    int n;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&g_cb.lock);
    while (g_cb.successes + g_cb.exceptions == 0) {
        if (pthread_cond_timedwait(&g_cb.cond, &g_cb.lock, &until) == ETIMEDOUT) {
            break;
        }
    }
    n = g_cb.successes + g_cb.exceptions;
    pthread_mutex_unlock(&g_cb.lock);
    return n;
}

static void ok_cb(CSendResult r)
{
    cb_record(&r, NULL, NULL, NULL);
}
static void err_cb(CMQException e)
{
    cb_record(NULL, &e, NULL, NULL);
}
static void ok_ud_cb(CSendResult r, CMessage* msg, void* ud)
{
    cb_record(&r, NULL, msg, ud);
}
static void err_ud_cb(CMQException e, CMessage* msg, void* ud)
{
    cb_record(NULL, &e, msg, ud);
}
/* For sends that fail synchronously: any call is a failure of the test. */
static void never_ok_cb(CSendResult r)
{
    (void)r;
    __sync_fetch_and_add(&g_unexpected_callbacks, 1);
}
static void never_err_cb(CMQException e)
{
    (void)e;
    __sync_fetch_and_add(&g_unexpected_callbacks, 1);
}
static void never_ok_ud_cb(CSendResult r, CMessage* msg, void* ud)
{
    (void)r;
    (void)msg;
    (void)ud;
    __sync_fetch_and_add(&g_unexpected_callbacks, 1);
}
static void never_err_ud_cb(CMQException e, CMessage* msg, void* ud)
{
    (void)e;
    (void)msg;
    (void)ud;
    __sync_fetch_and_add(&g_unexpected_callbacks, 1);
}

static int g_selector_calls;
/* Picks arg's int as it is (even out of range), or queue 0 for a NULL arg. */
static int selector(int size, CMessage* msg, void* arg)
{
    (void)msg;
    __sync_fetch_and_add(&g_selector_calls, 1);
    if (arg == NULL) {
        return 0;
    }
    (void)size;
    return *(int*)arg;
}

static CTransactionStatus checker(CProducer* producer, CMessageExt* msg, void* data)
{
    (void)producer;
    (void)msg;
    (void)data;
    return E_COMMIT_TRANSACTION;
}

static int g_executor_calls;
static CTransactionStatus executor(CProducer* producer, CMessage* msg, void* data)
{
    (void)producer;
    (void)msg;
    (void)data;
    __sync_fetch_and_add(&g_executor_calls, 1);
    return E_ROLLBACK_TRANSACTION;
}

static int consume(CPushConsumer* consumer, CMessageExt* msg)
{
    (void)consumer;
    (void)msg;
    return E_CONSUME_SUCCESS;
}

/* For CancelScheduledMessage: an id of the right shape, and a delivery time still to come. */
#define SOME_MSG_ID "0A0000000000000000000000000000FF"
static long long in_ten_minutes(void)
{
    return (long long)time(NULL) * 1000 + 600000;
}

static void make_name(char* buf, size_t n, const char* what)
{
    snprintf(buf, n, "c-misuse-%s-%s", what, g_run);
}

static CMessage* new_message(const char* topic, const char* key)
{
    CMessage* m = CreateMessage(topic);
    CHECK(m != NULL, "CreateMessage returned NULL");
    if (m != NULL) {
        SUCCEEDS(SetMessageTags(m, "TagMisuse"));
        SUCCEEDS(SetMessageKeys(m, key));
        SUCCEEDS(SetMessageBody(m, "misuse body"));
    }
    return m;
}

static CProducer* new_producer(const char* what, const char* namesrv)
{
    char group[128];
    CProducer* p;
    make_name(group, sizeof group, what);
    p = CreateProducer(group);
    CHECK(p != NULL, "CreateProducer(%s) returned NULL: %s", group, GetLatestErrorMessage());
    if (p != NULL) {
        SUCCEEDS(SetProducerInstanceName(p, group));
        if (namesrv != NULL) {
            SUCCEEDS(SetProducerNameServerAddress(p, namesrv));
        }
    }
    return p;
}

/* ------------------------------------------------------------------------------------------ */

static void* fresh_thread(void* arg)
{
    const char* e = GetLatestErrorMessage();
    (void)arg;
    CHECK(e != NULL && e[0] == '\0', "GetLatestErrorMessage() on a fresh thread is \"%s\", expected \"\"",
          e ? e : "(NULL)");
    /* A failure on this thread sets this thread's text only. */
    CHECK_EQ_INT(DestroyMessage(NULL), NULL_POINTER, "DestroyMessage(NULL) on a fresh thread");
    e = GetLatestErrorMessage();
    CHECK(e != NULL && e[0] != '\0' && utf8_valid(e), "no error text on the fresh thread after a failure");
    return NULL;
}

static void test_error_message(void)
{
    pthread_t t;
    const char* before;
    char saved[1024];
    CMessage* m;

    prime();
    before = GetLatestErrorMessage();
    snprintf(saved, sizeof saved, "%s", before);
    CHECK(pthread_create(&t, NULL, fresh_thread, NULL) == 0, "pthread_create failed");
    pthread_join(t, NULL);
    CHECK_EQ_STR(GetLatestErrorMessage(), saved, "main thread's error text after another thread failed");

    /* Never cleared by a success. */
    m = CreateMessage("t");
    SUCCEEDS(SetMessageTags(m, "x"));
    SUCCEEDS(DestroyMessage(m));
    CHECK_EQ_STR(GetLatestErrorMessage(), saved, "error text after successful calls");

    /* The priming mechanism itself: two primes give two different non-empty texts. */
    prime();
    snprintf(saved, sizeof saved, "%s", g_primed);
    prime();
    CHECK(saved[0] != '\0' && strcmp(saved, g_primed) != 0, "prime() does not give unique texts: \"%s\" / \"%s\"",
          saved, g_primed);
}

static void test_messages(void)
{
    CMessage* m = CreateMessage("misuse_topic");
    CMessage* empty;
    CMessageExt* x = (CMessageExt*)m;

    CHECK(m != NULL, "CreateMessage returned NULL");
    if (m == NULL) {
        return;
    }
    /* CreateMessage(NULL) is a message with topic "" (2.2.0). */
    empty = CreateMessage(NULL);
    CHECK(empty != NULL, "CreateMessage(NULL) returned NULL");
    CHECK_EQ_STR(GetOriginMessageTopic(empty), "", "topic of CreateMessage(NULL)");
    SUCCEEDS(DestroyMessage(empty));

    FAILS(NULL_POINTER, DestroyMessage(NULL));
    FAILS(NULL_POINTER, SetMessageTopic(NULL, "t"));
    FAILS(NULL_POINTER, SetMessageTopic(m, NULL));
    FAILS(NULL_POINTER, SetMessageTags(NULL, "t"));
    FAILS(NULL_POINTER, SetMessageTags(m, NULL));
    FAILS(NULL_POINTER, SetMessageKeys(NULL, "k"));
    FAILS(NULL_POINTER, SetMessageKeys(m, NULL));
    FAILS(NULL_POINTER, SetMessageBody(NULL, "b"));
    FAILS(NULL_POINTER, SetMessageBody(m, NULL));
    FAILS(NULL_POINTER, SetByteMessageBody(NULL, "b", 1));
    FAILS(NULL_POINTER, SetByteMessageBody(m, NULL, 1));
    SUCCEEDS(SetByteMessageBody(m, NULL, 0)); /* an empty body: nothing to read */
    CHECK_EQ_INT(GetOriginMessageBodyLength(m), 0, "body length after SetByteMessageBody(m, NULL, 0)");
    FAILS(NULL_POINTER, SetMessageProperty(NULL, "k", "v"));
    FAILS(NULL_POINTER, SetMessageProperty(m, NULL, "v"));
    FAILS(NULL_POINTER, SetMessageProperty(m, "k", NULL));
    FAILS(NULL_POINTER, SetDelayTimeLevel(NULL, 1));
    FAILS(NULL_POINTER, SetMessageFlag(NULL, 1));
    SUCCEEDS(SetMessageFlag(m, 0));

    /* The failed setters left the message alone. */
    SUCCEEDS(SetMessageTags(m, "T"));
    FAILS(NULL_POINTER, SetMessageTags(m, NULL));
    CHECK_EQ_STR(GetOriginMessageTags(m), "T", "tags after a failed SetMessageTags");

    FAILS_NULL(GetOriginMessageTopic(NULL));
    FAILS_NULL(GetOriginMessageTags(NULL));
    FAILS_NULL(GetOriginMessageKeys(NULL));
    FAILS_NULL(GetOriginMessageBody(NULL));
    FAILS_NULL(GetOriginMessageProperty(NULL, "k"));
    FAILS_NULL(GetOriginMessageProperty(m, NULL));
    FAILS(-1, GetOriginDelayTimeLevel(NULL));
    FAILS(0, GetOriginMessageBodyLength(NULL)); /* 0 as upstream, with a text */

    /* CMessageExt.h getters: NULL handle. */
    FAILS_NULL(GetMessageTopic(NULL));
    FAILS_NULL(GetMessageTags(NULL));
    FAILS_NULL(GetMessageKeys(NULL));
    FAILS_NULL(GetMessageBody(NULL));
    FAILS_NULL(GetMessageProperty(NULL, "k"));
    FAILS_NULL(GetMessageProperty(x, NULL));
    FAILS_NULL(GetMessageId(NULL));
    FAILS(1, GetMessageDelayTimeLevel(NULL));
    FAILS(1, GetMessageQueueId(NULL));
    FAILS(1, GetMessageReconsumeTimes(NULL));
    FAILS(1, GetMessageStoreSize(NULL));
    FAILS(1, GetMessageBornTimestamp(NULL));
    FAILS(1, GetMessageStoreTimestamp(NULL));
    FAILS(1, GetMessageQueueOffset(NULL));
    FAILS(1, GetMessageCommitLogOffset(NULL));
    FAILS(1, GetMessagePreparedTransactionOffset(NULL));
    FAILS(0, GetMessageBodyLength(NULL));
    FAILS_NULL(GetMessageStoreHost(NULL));
    FAILS_NULL(GetMessageBornHost(NULL));

    /* CMessageExt getters on a CMessage*: sane values for what only a stored message has. */
    CHECK_EQ_STR(GetMessageTopic(x), "misuse_topic", "GetMessageTopic on a CMessage*");
    CHECK_EQ_STR(GetMessageId(x), "", "GetMessageId on an unsent CMessage*");
    CHECK_EQ_INT(GetMessageQueueId(x), 0, "GetMessageQueueId on a CMessage*");
    CHECK_EQ_INT(GetMessageQueueOffset(x), 0, "GetMessageQueueOffset on a CMessage*");
    CHECK_EQ_INT(GetMessageStoreTimestamp(x), 0, "GetMessageStoreTimestamp on a CMessage*");
    CHECK_EQ_STR(GetMessageStoreHost(x), "", "GetMessageStoreHost on a CMessage*");
    CHECK_EQ_STR(GetMessageBornHost(x), "", "GetMessageBornHost on a CMessage*");

    SUCCEEDS(DestroyMessage(m));
}

static void test_batch_handles(void)
{
    CBatchMessage* b = CreateBatchMessage();
    CMessage* m = CreateMessage("t");
    CHECK(b != NULL, "CreateBatchMessage returned NULL");
    FAILS(NULL_POINTER, AddMessage(NULL, m));
    FAILS(NULL_POINTER, AddMessage(b, NULL));
    FAILS(NULL_POINTER, DestroyBatchMessage(NULL));
    SUCCEEDS(AddMessage(b, m));
    SUCCEEDS(DestroyBatchMessage(b));
    SUCCEEDS(DestroyMessage(m));
}

/* Producer handles and setters with NULL arguments. */
static void test_producer_nulls(void)
{
    CProducer* p = new_producer("nulls", g_namesrv);
    const char* v;
    if (p == NULL) {
        return;
    }
    FAILS_NULL(CreateProducer(NULL));
    FAILS_NULL(CreateOrderlyProducer(NULL));
    FAILS_NULL(CreateTransactionProducer(NULL, checker, NULL));
    /* A NULL checker is allowed (2.2.0: every check-back then answers UNKNOWN). */
    {
        CProducer* nocheck = CreateTransactionProducer("c-misuse-nocheck", NULL, NULL);
        CHECK(nocheck != NULL, "CreateTransactionProducer with a NULL checker returned NULL: %s",
              GetLatestErrorMessage());
        if (nocheck != NULL) {
            SUCCEEDS(DestroyProducer(nocheck));
        }
    }
    FAILS(NULL_POINTER, DestroyProducer(NULL));
    FAILS(NULL_POINTER, StartProducer(NULL));
    FAILS(NULL_POINTER, ShutdownProducer(NULL));
    v = ShowProducerVersion(NULL);
    CHECK_EQ_STR(v, "DefaultVersion", "ShowProducerVersion(NULL)");

    FAILS(NULL_POINTER, SetProducerNameServerAddress(NULL, "127.0.0.1:9876"));
    FAILS(NULL_POINTER, SetProducerNameServerAddress(p, NULL));
    FAILS(NULL_POINTER, SetProducerNameServerDomain(NULL, "http://example.invalid"));
    FAILS(NULL_POINTER, SetProducerNameServerDomain(p, NULL));
    FAILS(NULL_POINTER, SetProducerGroupName(NULL, "g"));
    FAILS(NULL_POINTER, SetProducerGroupName(p, NULL));
    FAILS(NULL_POINTER, SetProducerInstanceName(NULL, "i"));
    FAILS(NULL_POINTER, SetProducerInstanceName(p, NULL));
    FAILS(NULL_POINTER, SetProducerSessionCredentials(NULL, "ak", "sk", "ch"));
    FAILS(NULL_POINTER, SetProducerSessionCredentials(p, NULL, "sk", "ch"));
    FAILS(NULL_POINTER, SetProducerSessionCredentials(p, "ak", NULL, "ch"));
    FAILS(NULL_POINTER, SetProducerSessionCredentials(p, "ak", "sk", NULL));
    FAILS(NULL_POINTER, SetProducerLogPath(NULL, "/tmp"));
    SUCCEEDS(SetProducerLogPath(p, NULL)); /* 2.2.0: OK; keeps the current path */
    FAILS(NULL_POINTER, SetProducerLogFileNumAndSize(NULL, 3, 10));
    FAILS(NULL_POINTER, SetProducerLogLevel(NULL, E_LOG_LEVEL_INFO));
    FAILS(NULL_POINTER, SetProducerSendMsgTimeout(NULL, 3000));
    FAILS(NULL_POINTER, SetProducerCompressLevel(NULL, 5));
    FAILS(NULL_POINTER, SetProducerMaxMessageSize(NULL, 1024));
    FAILS(NULL_POINTER, SetProducerMessageTrace(NULL, CLOSE));
    FAILS(NULL_POINTER, SetProducerMessageTraceTopic(NULL, "MyTrace"));
    FAILS(NULL_POINTER, SetProducerMessageTraceTopic(p, NULL));
    SUCCEEDS(SetProducerMessageTraceTopic(p, "MyTrace"));
    FAILS(NULL_POINTER, SetProducerCompressMsgBodyOverHowmuch(NULL, 4096));
    FAILS(NULL_POINTER, SetProducerSsl(NULL, 0));
    FAILS(NULL_POINTER, SetProducerSslPropertyFile(NULL, "/etc/rocketmq/tls.properties"));
    FAILS(NULL_POINTER, SetProducerSslPropertyFile(p, NULL));
    SUCCEEDS(DestroyProducer(p));
}

/* Every send function with each pointer argument NULL, on a started producer. */
static void test_send_nulls(CProducer* p, CProducer* tp, rb_reader* reader)
{
    char key[128];
    CMessage* m;
    CBatchMessage* b = CreateBatchMessage();
    CSendResult r;
    int arg = 2;

    make_name(key, sizeof key, "nulls");
    m = new_message(g_topic, key);
    if (m == NULL || b == NULL) {
        return;
    }
    SUCCEEDS(AddMessage(b, m));

    FAILS(NULL_POINTER, SendMessageSync(NULL, m, &r));
    FAILS(NULL_POINTER, SendMessageSync(p, NULL, &r));
    FAILS(NULL_POINTER, SendMessageSync(p, m, NULL));

    FAILS(NULL_POINTER, SendBatchMessage(NULL, b, &r));
    FAILS(NULL_POINTER, SendBatchMessage(p, NULL, &r));
    FAILS(NULL_POINTER, SendBatchMessage(p, b, NULL));

    FAILS(NULL_POINTER, SendMessageAsync(NULL, m, never_ok_cb, never_err_cb));
    FAILS(NULL_POINTER, SendMessageAsync(p, NULL, never_ok_cb, never_err_cb));
    FAILS(NULL_POINTER, SendMessageAsync(p, m, NULL, never_err_cb));
    FAILS(NULL_POINTER, SendMessageAsync(p, m, never_ok_cb, NULL));

    FAILS(NULL_POINTER, SendAsync(NULL, m, never_ok_ud_cb, never_err_ud_cb, &arg));
    FAILS(NULL_POINTER, SendAsync(p, NULL, never_ok_ud_cb, never_err_ud_cb, &arg));
    FAILS(NULL_POINTER, SendAsync(p, m, NULL, never_err_ud_cb, &arg));
    FAILS(NULL_POINTER, SendAsync(p, m, never_ok_ud_cb, NULL, &arg));

    FAILS(NULL_POINTER, SendMessageOneway(NULL, m));
    FAILS(NULL_POINTER, SendMessageOneway(p, NULL));

    FAILS(NULL_POINTER, SendMessageOnewayOrderly(NULL, m, selector, &arg));
    FAILS(NULL_POINTER, SendMessageOnewayOrderly(p, NULL, selector, &arg));
    FAILS(NULL_POINTER, SendMessageOnewayOrderly(p, m, NULL, &arg));

    FAILS(NULL_POINTER, SendMessageOrderly(NULL, m, selector, &arg, 0, &r));
    FAILS(NULL_POINTER, SendMessageOrderly(p, NULL, selector, &arg, 0, &r));
    FAILS(NULL_POINTER, SendMessageOrderly(p, m, NULL, &arg, 0, &r));
    FAILS(NULL_POINTER, SendMessageOrderly(p, m, selector, &arg, 0, NULL));

    FAILS(NULL_POINTER, SendMessageOrderlyAsync(NULL, m, selector, &arg, never_ok_cb, never_err_cb));
    FAILS(NULL_POINTER, SendMessageOrderlyAsync(p, NULL, selector, &arg, never_ok_cb, never_err_cb));
    FAILS(NULL_POINTER, SendMessageOrderlyAsync(p, m, NULL, &arg, never_ok_cb, never_err_cb));
    FAILS(NULL_POINTER, SendMessageOrderlyAsync(p, m, selector, &arg, NULL, never_err_cb));
    FAILS(NULL_POINTER, SendMessageOrderlyAsync(p, m, selector, &arg, never_ok_cb, NULL));

    FAILS(NULL_POINTER, SendMessageOrderlyByShardingKey(NULL, m, "k", &r));
    FAILS(NULL_POINTER, SendMessageOrderlyByShardingKey(p, NULL, "k", &r));
    FAILS(NULL_POINTER, SendMessageOrderlyByShardingKey(p, m, NULL, &r));
    FAILS(NULL_POINTER, SendMessageOrderlyByShardingKey(p, m, "k", NULL));

    FAILS(NULL_POINTER, SendMessageTransaction(NULL, m, executor, NULL, &r));
    FAILS(NULL_POINTER, SendMessageTransaction(tp, NULL, executor, NULL, &r));
    FAILS(NULL_POINTER, SendMessageTransaction(tp, m, NULL, NULL, &r));
    FAILS(NULL_POINTER, SendMessageTransaction(tp, m, executor, NULL, NULL));

    FAILS(NULL_POINTER, CancelScheduledMessage(NULL, g_topic, "id", 1));
    FAILS(NULL_POINTER, CancelScheduledMessage(p, NULL, "id", 1));
    FAILS(NULL_POINTER, CancelScheduledMessage(p, g_topic, NULL, 1));
    /* A delivery time in the past: too late to cancel. */
    FAILS(PRODUCER_SEND_SYNC_FAILED, CancelScheduledMessage(p, g_topic, "id", 1));

    /* The NULL checks came before anything was sent or selected. */
    CHECK_EQ_INT(g_selector_calls, 0, "selector calls during the NULL matrix");
    CHECK_EQ_INT(g_executor_calls, 0, "transaction executor calls during the NULL matrix");

    /* Arguments that may be NULL: a NULL selector arg (our deviation for SendMessageOrderly) and
     * a NULL userData. These sends succeed and are read back. */
    {
        const rb_msg* got;
        char k[128];
        CMessage* m2;

        make_name(k, sizeof k, "null-arg-orderly");
        m2 = new_message(g_topic, k);
        memset(&r, 0, sizeof r);
        SUCCEEDS(SendMessageOrderly(p, m2, selector, NULL, 0, &r));
        got = rb_find_by_id(reader, r.msgId, FIND_TIMEOUT_MS);
        CHECK(got != NULL, "SendMessageOrderly with NULL arg: %s not read back", r.msgId);
        if (got != NULL) {
            CHECK_EQ_STR(got->keys, k, "SendMessageOrderly(NULL arg) keys");
            CHECK_EQ_INT(got->queue_id, 0, "SendMessageOrderly(NULL arg) queue");
            CHECK_EQ_INT(got->queue_offset, r.offset, "SendMessageOrderly(NULL arg) offset");
        }
        DestroyMessage(m2);

        make_name(k, sizeof k, "null-arg-oneway-orderly");
        m2 = new_message(g_topic, k);
        SUCCEEDS(SendMessageOnewayOrderly(p, m2, selector, NULL));
        got = rb_find_by_key(reader, k, FIND_TIMEOUT_MS);
        CHECK(got != NULL, "SendMessageOnewayOrderly with NULL arg: %s not read back", k);
        if (got != NULL) {
            CHECK_EQ_INT(got->queue_id, 0, "SendMessageOnewayOrderly(NULL arg) queue");
        }
        DestroyMessage(m2);

        make_name(k, sizeof k, "null-userdata");
        m2 = new_message(g_topic, k);
        cb_reset();
        SUCCEEDS(SendAsync(p, m2, ok_ud_cb, err_ud_cb, NULL));
        CHECK(cb_wait(CALLBACK_TIMEOUT_MS) == 1 && g_cb.successes == 1, "SendAsync with NULL userData: %d successes, %d exceptions (%s)",
              g_cb.successes, g_cb.exceptions, g_cb.exception_msg);
        CHECK(g_cb.user_data == NULL && g_cb.msg == m2, "SendAsync with NULL userData: callback got %p / %p",
              g_cb.user_data, (void*)g_cb.msg);
        if (g_cb.successes == 1) {
            got = rb_find_by_id(reader, g_cb.result.msgId, FIND_TIMEOUT_MS);
            CHECK(got != NULL, "SendAsync with NULL userData: %s not read back", g_cb.result.msgId);
            if (got != NULL) {
                CHECK_EQ_STR(got->keys, k, "SendAsync(NULL userData) keys");
            }
        }
        DestroyMessage(m2);

        make_name(k, sizeof k, "null-arg-orderly-async");
        m2 = new_message(g_topic, k);
        cb_reset();
        SUCCEEDS(SendMessageOrderlyAsync(p, m2, selector, NULL, ok_cb, err_cb));
        CHECK(cb_wait(CALLBACK_TIMEOUT_MS) == 1 && g_cb.successes == 1,
              "SendMessageOrderlyAsync with NULL arg: %d successes, %d exceptions (%s)", g_cb.successes,
              g_cb.exceptions, g_cb.exception_msg);
        if (g_cb.successes == 1) {
            got = rb_find_by_id(reader, g_cb.result.msgId, FIND_TIMEOUT_MS);
            CHECK(got != NULL, "SendMessageOrderlyAsync with NULL arg: %s not read back", g_cb.result.msgId);
            if (got != NULL) {
                CHECK_EQ_INT(got->queue_id, 0, "SendMessageOrderlyAsync(NULL arg) queue");
            }
        }
        DestroyMessage(m2);
    }

    /* Selector answers out of range: the send's failure code, no crash. */
    {
        int bad = 8, negative = -1;
        CMessage* m3;
        char k[128];
        make_name(k, sizeof k, "bad-selector");
        m3 = new_message(g_topic, k);
        FAILS(PRODUCER_SEND_ORDERLY_FAILED, SendMessageOrderly(p, m3, selector, &bad, 0, &r));
        FAILS(PRODUCER_SEND_ONEWAY_FAILED, SendMessageOnewayOrderly(p, m3, selector, &bad));
        FAILS(PRODUCER_SEND_ORDERLYASYNC_FAILED, SendMessageOrderlyAsync(p, m3, selector, &bad, never_ok_cb, never_err_cb));
        FAILS(PRODUCER_SEND_ORDERLY_FAILED, SendMessageOrderly(p, m3, selector, &negative, 0, &r));
        DestroyMessage(m3);
    }

    /* Messages that fail validation (started producer). */
    {
        CMessage* bad = CreateMessage("");
        CBatchMessage* empty = CreateBatchMessage();
        CMessage* nobody = CreateMessage(g_topic);
        SUCCEEDS(SetMessageBody(bad, "x"));
        FAILS(PRODUCER_SEND_SYNC_FAILED, SendMessageSync(p, bad, &r));       /* empty topic */
        FAILS(PRODUCER_SEND_SYNC_FAILED, SendMessageSync(p, nobody, &r));    /* empty body */
        FAILS(PRODUCER_SEND_ONEWAY_FAILED, SendMessageOneway(p, nobody));
        FAILS(PRODUCER_SEND_ASYNC_FAILED, SendMessageAsync(p, nobody, never_ok_cb, never_err_cb));
        FAILS(PRODUCER_SEND_SYNC_FAILED, SendBatchMessage(p, empty, &r));    /* empty batch */
        SUCCEEDS(SetMessageTopic(bad, "TBW102"));
        FAILS(PRODUCER_SEND_SYNC_FAILED, SendMessageSync(p, bad, &r));       /* reserved topic */
        DestroyMessage(bad);
        DestroyMessage(nobody);
        DestroyBatchMessage(empty);
    }

    DestroyBatchMessage(b);
    DestroyMessage(m);
}

/* Every send with the given producer fails with its own code (not started / shut down / wrong
 * kind of producer); `needle` must be in each error text. */
static void all_sends_fail(CProducer* p, const char* needle)
{
    char key[128];
    CMessage* m;
    CBatchMessage* b = CreateBatchMessage();
    CSendResult r;
    int arg = 1;
    int selector_calls = g_selector_calls;

    make_name(key, sizeof key, "fails");
    m = new_message(g_topic, key);
    if (m == NULL || b == NULL) {
        return;
    }
    SUCCEEDS(AddMessage(b, m));
    FAILS_WITH(PRODUCER_SEND_SYNC_FAILED, needle, SendMessageSync(p, m, &r));
    FAILS_WITH(PRODUCER_SEND_SYNC_FAILED, needle, SendBatchMessage(p, b, &r));
    FAILS_WITH(PRODUCER_SEND_ASYNC_FAILED, needle, SendMessageAsync(p, m, never_ok_cb, never_err_cb));
    FAILS_WITH(PRODUCER_SEND_ASYNC_FAILED, needle, SendAsync(p, m, never_ok_ud_cb, never_err_ud_cb, &arg));
    FAILS_WITH(PRODUCER_SEND_ONEWAY_FAILED, needle, SendMessageOneway(p, m));
    FAILS_WITH(PRODUCER_SEND_ONEWAY_FAILED, needle, SendMessageOnewayOrderly(p, m, selector, &arg));
    FAILS_WITH(PRODUCER_SEND_ORDERLY_FAILED, needle, SendMessageOrderly(p, m, selector, &arg, 1, &r));
    FAILS_WITH(PRODUCER_SEND_ORDERLYASYNC_FAILED, needle,
               SendMessageOrderlyAsync(p, m, selector, &arg, never_ok_cb, never_err_cb));
    FAILS_WITH(PRODUCER_SEND_ORDERLY_FAILED, needle, SendMessageOrderlyByShardingKey(p, m, "k", &r));
    FAILS_WITH(PRODUCER_SEND_SYNC_FAILED, needle, CancelScheduledMessage(p, g_topic, SOME_MSG_ID, in_ten_minutes()));
    CHECK(g_selector_calls == selector_calls, "%d selector call(s) for sends that cannot happen",
          g_selector_calls - selector_calls);
    CHECK_EQ_STR(GetOriginMessageProperty(m, "UNIQ_KEY"), "", "UNIQ_KEY of a message never sent");
    DestroyBatchMessage(b);
    DestroyMessage(m);
}

/* Sends with producer p (started) and reads the message back. */
static void send_and_read_back(CProducer* p, rb_reader* reader, const char* what)
{
    char k[128];
    CMessage* m;
    CSendResult r;
    const rb_msg* got;
    make_name(k, sizeof k, what);
    m = new_message(g_topic, k);
    memset(&r, 0, sizeof r);
    SUCCEEDS(SendMessageSync(p, m, &r));
    got = rb_find_by_id(reader, r.msgId, FIND_TIMEOUT_MS);
    CHECK(got != NULL, "%s: %s not read back", what, r.msgId);
    if (got != NULL) {
        CHECK_EQ_STR(got->keys, k, what);
        CHECK_EQ_INT(got->queue_offset, r.offset, what);
    }
    DestroyMessage(m);
}

/* ------------------------------------------------------------------------------------------ */
/* The functions added for the Go binding: whole send results, a chosen queue.                */

static struct {
    pthread_mutex_t lock;
    int calls;
    int status;
    CSendResultEx result;
    char error[512];
    void* ud;
} g_ex = {PTHREAD_MUTEX_INITIALIZER, 0, 0, {0}, "", NULL};

static void ex_cb(int status, const CSendResultEx* result, const char* errorText, void* userData)
{
    pthread_mutex_lock(&g_ex.lock);
    g_ex.calls++;
    g_ex.status = status;
    g_ex.ud = userData;
    if (result != NULL) {
        g_ex.result = *result;
    }
    snprintf(g_ex.error, sizeof g_ex.error, "%s", errorText ? errorText : "");
    pthread_mutex_unlock(&g_ex.lock);
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits until the async callback ran `calls` times in all; returns its count. */
static int ex_wait(int calls)
{
    long long deadline = rb_now_ms() + CALLBACK_TIMEOUT_MS;
    int n;
    do {
        pthread_mutex_lock(&g_ex.lock);
        n = g_ex.calls;
        pthread_mutex_unlock(&g_ex.lock);
        if (n >= calls) {
            break;
        }
        nap_ms(20);
    } while (rb_now_ms() < deadline);
    nap_ms(200); /* a second call would show now */
    pthread_mutex_lock(&g_ex.lock);
    n = g_ex.calls;
    pthread_mutex_unlock(&g_ex.lock);
    return n;
}

static int batch_consume(CPushConsumer* consumer, const CMessageQueue* mq, CMessageExt** msgs, int count, void* ud)
{
    (void)consumer;
    (void)mq;
    (void)msgs;
    (void)count;
    (void)ud;
    return 0;
}

static void test_ex_sends(CProducer* p, CProducer* tp, rb_reader* reader)
{
    CMessageQueue* mqs = NULL;
    CMessageQueue q, nowhere;
    CSendResultEx r;
    CBatchMessage* b = CreateBatchMessage();
    CMessage* m;
    const rb_msg* got;
    const char* props;
    char k[128], want[300];
    int n = 0, marker = 7;

    make_name(k, sizeof k, "ex-sync");
    m = new_message(g_topic, k);
    if (m == NULL || b == NULL) {
        return;
    }
    FAILS(NULL_POINTER, FetchProducerMessageQueues(NULL, g_topic, &mqs, &n));
    FAILS(NULL_POINTER, FetchProducerMessageQueues(p, NULL, &mqs, &n));
    FAILS(NULL_POINTER, FetchProducerMessageQueues(p, g_topic, NULL, &n));
    FAILS(NULL_POINTER, FetchProducerMessageQueues(p, g_topic, &mqs, NULL));
    FAILS(NULL_POINTER, ReleaseProducerMessageQueues(NULL));
    FAILS(NULL_POINTER, SetProducerRetryTimes(NULL, 1));
    FAILS(NULL_POINTER, SetProducerConnectTimeout(NULL, 300));
    FAILS(NULL_POINTER, SetProducerRetryTimes4Async(NULL, 2));
    FAILS(NULL_POINTER, SendMessageSyncEx(NULL, m, NULL, 0, &r));
    FAILS(NULL_POINTER, SendMessageSyncEx(p, NULL, NULL, 0, &r));
    FAILS(NULL_POINTER, SendMessageSyncEx(p, m, NULL, 0, NULL));
    FAILS(NULL_POINTER, SendMessageAsyncEx(NULL, m, NULL, ex_cb, NULL));
    FAILS(NULL_POINTER, SendMessageAsyncEx(p, NULL, NULL, ex_cb, NULL));
    FAILS(NULL_POINTER, SendMessageAsyncEx(p, m, NULL, NULL, NULL));
    FAILS(NULL_POINTER, SendBatchMessageEx(NULL, b, &r));
    FAILS(NULL_POINTER, SendBatchMessageEx(p, NULL, &r));
    FAILS(NULL_POINTER, SendBatchMessageEx(p, b, NULL));
    FAILS(NULL_POINTER, SendMessageTransactionEx(NULL, m, executor, NULL, &r));
    FAILS(NULL_POINTER, SendMessageTransactionEx(tp, NULL, executor, NULL, &r));
    FAILS(NULL_POINTER, SendMessageTransactionEx(tp, m, NULL, NULL, &r));
    FAILS(NULL_POINTER, SendMessageTransactionEx(tp, m, executor, NULL, NULL));
    FAILS(NULL_POINTER, SendBatchMessageToQueue(NULL, b, NULL, &r));
    FAILS(NULL_POINTER, SendBatchMessageToQueue(p, NULL, NULL, &r));
    FAILS(NULL_POINTER, SendBatchMessageToQueue(p, b, NULL, NULL));
    FAILS(NULL_POINTER, AnswerTransactionCheck(NULL, "127.0.0.1:10911", 0, 0, "id", "id", E_COMMIT_TRANSACTION));
    FAILS(NULL_POINTER, AnswerTransactionCheck(tp, NULL, 0, 0, "id", "id", E_COMMIT_TRANSACTION));
    FAILS(NULL_POINTER, AnswerTransactionCheck(tp, "127.0.0.1:10911", 0, 0, NULL, "id", E_COMMIT_TRANSACTION));
    FAILS(NULL_POINTER, AnswerTransactionCheck(tp, "127.0.0.1:10911", 0, 0, "id", NULL, E_COMMIT_TRANSACTION));
    /* A producer that is not a transaction producer has no checks to answer. */
    FAILS(PRODUCER_SEND_TRANSACTION_FAILED, AnswerTransactionCheck(p, "127.0.0.1:10911", 0, 0, "id", "id", E_COMMIT_TRANSACTION));
    FAILS_NULL(GetMessageProperties(NULL));
    {
        CMessageExtFields f;
        FAILS(NULL_POINTER, GetMessageExtFields(NULL, &f));
        FAILS(NULL_POINTER, GetMessageExtFields((CMessageExt*)m, NULL));
        SUCCEEDS(GetMessageExtFields((CMessageExt*)m, &f));
        CHECK_EQ_STR(f.topic, g_topic, "GetMessageExtFields topic of a CMessage*");
        CHECK(f.bodyLength > 0 && f.body != NULL, "GetMessageExtFields body of a CMessage*");
        CHECK_EQ_STR(f.offsetMsgId, "", "GetMessageExtFields offsetMsgId of a CMessage*");
        CHECK_EQ_INT(f.queueOffset, 0, "GetMessageExtFields queueOffset of a CMessage*");
    }
    FAILS_NULL(GetMessageOffsetMsgId(NULL));
    CHECK_EQ_INT(g_ex.calls, 0, "SendMessageAsyncEx callbacks during the NULL matrix");
    SUCCEEDS(SetProducerRetryTimes(p, 2));
    /* Both from the next start; 0 (the default connect timeout) and out-of-range counts are fine. */
    SUCCEEDS(SetProducerConnectTimeout(p, 0));
    SUCCEEDS(SetProducerRetryTimes4Async(p, 0));
    SUCCEEDS(SetProducerRetryTimes4Async(p, 99));

    /* The topic's queues, then a send to the last one: every field of the result. */
    SUCCEEDS(FetchProducerMessageQueues(p, g_topic, &mqs, &n));
    CHECK(n > 1 && mqs != NULL, "FetchProducerMessageQueues: %d queues", n);
    if (n < 1 || mqs == NULL) {
        return;
    }
    CHECK_EQ_STR(mqs[0].topic, g_topic, "FetchProducerMessageQueues topic");
    q = mqs[n - 1];
    SUCCEEDS(ReleaseProducerMessageQueues(mqs));
    memset(&r, 0, sizeof r);
    SUCCEEDS(SendMessageSyncEx(p, m, &q, 10000, &r));
    CHECK_EQ_INT(r.sendStatus, E_SEND_OK, "SendMessageSyncEx status");
    CHECK_EQ_INT(r.queueId, q.queueId, "SendMessageSyncEx went to the chosen queue");
    CHECK_EQ_STR(r.brokerName, q.brokerName, "SendMessageSyncEx broker");
    CHECK_EQ_STR(r.topic, g_topic, "SendMessageSyncEx topic");
    CHECK(strlen(r.offsetMsgId) == 32, "SendMessageSyncEx offsetMsgId \"%s\"", r.offsetMsgId);
    got = rb_find_by_id(reader, r.msgId, FIND_TIMEOUT_MS);
    CHECK(got != NULL, "SendMessageSyncEx: %s not read back", r.msgId);
    {
        /* The same fields through GetMessageExtFields on a pulled message. */
        CMessageExt* ext = NULL;
        CPullResult pr;
        CMessageExtFields f;
        CPullConsumer* pc = CreatePullConsumer("c_misuse_fields");
        if (pc != NULL && SetPullConsumerNameServerAddress(pc, g_namesrv) == 0 && StartPullConsumer(pc) == 0) {
            pr = Pull(pc, &q, "*", r.offset, 1);
            if (pr.pullStatus == E_FOUND && pr.size == 1) {
                ext = pr.msgFoundList[0];
                SUCCEEDS(GetMessageExtFields(ext, &f));
                CHECK_EQ_STR(f.msgId, r.msgId, "GetMessageExtFields msgId");
                CHECK_EQ_STR(f.offsetMsgId, r.offsetMsgId, "GetMessageExtFields offsetMsgId");
                CHECK_EQ_STR(f.topic, g_topic, "GetMessageExtFields topic");
                CHECK_EQ_INT(f.queueId, q.queueId, "GetMessageExtFields queueId");
                CHECK_EQ_INT(f.queueOffset, r.offset, "GetMessageExtFields queueOffset");
                CHECK_EQ_INT(f.bodyLength, GetMessageBodyLength(ext), "GetMessageExtFields bodyLength");
                CHECK(memcmp(f.body, GetMessageBody(ext), f.bodyLength) == 0, "GetMessageExtFields body");
                CHECK_EQ_STR(f.storeHost, GetMessageStoreHost(ext), "GetMessageExtFields storeHost");
                CHECK_EQ_INT(f.storeTimestamp, GetMessageStoreTimestamp(ext), "GetMessageExtFields storeTimestamp");
                CHECK(strstr(f.properties, "KEYS\001") != NULL, "GetMessageExtFields properties \"%s\"", f.properties);
            } else {
                CHECK(0, "pull of the SendMessageSyncEx message: status %d, %d messages", pr.pullStatus, pr.size);
            }
            ReleasePullResult(pr);
            ShutdownPullConsumer(pc);
        } else {
            CHECK(0, "pull consumer for GetMessageExtFields: %s", GetLatestErrorMessage());
        }
        if (pc != NULL) {
            DestroyPullConsumer(pc);
        }
    }
    if (got != NULL) {
        CHECK_EQ_INT(got->queue_id, q.queueId, "SendMessageSyncEx: stored queue");
        CHECK_EQ_INT(got->queue_offset, r.offset, "SendMessageSyncEx: stored offset");
        CHECK_EQ_STR(got->keys, k, "SendMessageSyncEx: keys");
    }
    /* All properties of the caller's message, its UNIQ_KEY included (written back). */
    props = GetMessageProperties((CMessageExt*)m);
    snprintf(want, sizeof want, "UNIQ_KEY\001%s\002", r.msgId);
    CHECK(props != NULL && strstr(props, want) != NULL, "GetMessageProperties lacks the UNIQ_KEY: \"%s\"", props ? props : "");
    snprintf(want, sizeof want, "KEYS\001%s\002", k);
    CHECK(props != NULL && strstr(props, want) != NULL, "GetMessageProperties lacks the keys: \"%s\"", props ? props : "");
    CHECK_EQ_STR(GetMessageOffsetMsgId((CMessageExt*)m), "", "GetMessageOffsetMsgId on a CMessage*");
    DestroyMessage(m);

    /* Asynchronous, to the same queue: one callback with the whole result and the userData. */
    make_name(k, sizeof k, "ex-async");
    m = new_message(g_topic, k);
    SUCCEEDS(SendMessageAsyncEx(p, m, &q, ex_cb, &marker));
    CHECK_EQ_INT(ex_wait(1), 1, "SendMessageAsyncEx callbacks");
    CHECK_EQ_INT(g_ex.status, 0, "SendMessageAsyncEx status");
    CHECK(g_ex.ud == &marker, "SendMessageAsyncEx userData");
    CHECK_EQ_INT(g_ex.result.queueId, q.queueId, "SendMessageAsyncEx went to the chosen queue");
    got = rb_find_by_id(reader, g_ex.result.msgId, FIND_TIMEOUT_MS);
    CHECK(got != NULL && got->queue_id == q.queueId, "SendMessageAsyncEx: %s not read back from its queue", g_ex.result.msgId);
    /* A queue of no broker: returns 0, the callback says why, once. */
    nowhere = q;
    snprintf(nowhere.brokerName, sizeof nowhere.brokerName, "no-such-broker");
    SUCCEEDS(SendMessageAsyncEx(p, m, &nowhere, ex_cb, &marker));
    CHECK_EQ_INT(ex_wait(2), 2, "SendMessageAsyncEx callbacks after a failure");
    CHECK(g_ex.status != 0 && g_ex.error[0] != '\0', "SendMessageAsyncEx failure: status %d, text \"%s\"", g_ex.status, g_ex.error);
    /* A sync send to that queue fails with a text. */
    FAILS(PRODUCER_SEND_SYNC_FAILED, SendMessageSyncEx(p, m, &nowhere, 0, &r));
    DestroyMessage(m);

    /* A batch: the queue and every stored id. */
    make_name(k, sizeof k, "ex-batch");
    m = new_message(g_topic, k);
    SUCCEEDS(AddMessage(b, m));
    SUCCEEDS(AddMessage(b, m));
    memset(&r, 0, sizeof r);
    SUCCEEDS(SendBatchMessageEx(p, b, &r));
    CHECK(r.brokerName[0] != '\0' && strchr(r.offsetMsgId, ',') != NULL, "SendBatchMessageEx: broker \"%s\", ids \"%s\"",
          r.brokerName, r.offsetMsgId);
    /* The same batch to the chosen queue, and to a queue of no broker. */
    memset(&r, 0, sizeof r);
    SUCCEEDS(SendBatchMessageToQueue(p, b, &q, &r));
    CHECK_EQ_INT(r.queueId, q.queueId, "SendBatchMessageToQueue went to the chosen queue");
    CHECK_EQ_STR(r.brokerName, q.brokerName, "SendBatchMessageToQueue broker");
    snprintf(want, sizeof want, "%.*s", (int)strcspn(r.msgId, ","), r.msgId); /* the first message's id */
    got = rb_find_by_id(reader, want, FIND_TIMEOUT_MS);
    CHECK(got != NULL && got->queue_id == q.queueId, "SendBatchMessageToQueue: %s not read back from its queue", want);
    FAILS(PRODUCER_SEND_SYNC_FAILED, SendBatchMessageToQueue(p, b, &nowhere, &r));
    DestroyMessage(m);
    DestroyBatchMessage(b);
}

/* SendMessageSyncParts: a message from its parts in one call (bindings/python's send). */
static void test_send_parts(CProducer* p, rb_reader* reader)
{
    static const char body[] = {'p', 'a', 'r', 't', 0, 's', 0};
    CSendResult r;
    const rb_msg* got;
    char k[128], props[512];

    FAILS(NULL_POINTER, SendMessageSyncParts(NULL, g_topic, body, 1, NULL, &r));
    FAILS(NULL_POINTER, SendMessageSyncParts(p, NULL, body, 1, NULL, &r));
    FAILS(NULL_POINTER, SendMessageSyncParts(p, g_topic, NULL, 1, NULL, &r));
    FAILS(NULL_POINTER, SendMessageSyncParts(p, g_topic, body, -1, NULL, &r));
    FAILS(NULL_POINTER, SendMessageSyncParts(p, g_topic, body, 1, NULL, NULL));

    /* Binary body, tags, keys and a user property, read back from the broker. */
    CHECK_EQ_INT(rb_capture_property(reader, "colour"), 0, "rb_capture_property");
    make_name(k, sizeof k, "parts");
    snprintf(props, sizeof props, "TAGS\001parts-tag\002KEYS\001%s\002colour\001blue\002", k);
    memset(&r, 0, sizeof r);
    SUCCEEDS(SendMessageSyncParts(p, g_topic, body, (int)sizeof body, props, &r));
    CHECK_EQ_INT(r.sendStatus, E_SEND_OK, "SendMessageSyncParts status");
    CHECK(strlen(r.msgId) == 32, "SendMessageSyncParts msgId \"%s\"", r.msgId);
    got = rb_find_by_id(reader, r.msgId, FIND_TIMEOUT_MS);
    CHECK(got != NULL, "SendMessageSyncParts: %s not read back", r.msgId);
    if (got != NULL) {
        CHECK_EQ_INT(got->body_len, (int)sizeof body, "SendMessageSyncParts: body length (NUL bytes kept)");
        CHECK(got->body_len == (int)sizeof body && memcmp(got->body, body, sizeof body) == 0, "SendMessageSyncParts: body");
        CHECK_EQ_STR(got->tags, "parts-tag", "SendMessageSyncParts: tags");
        CHECK_EQ_STR(got->keys, k, "SendMessageSyncParts: keys");
        CHECK_EQ_STR(rb_prop(got, "colour"), "blue", "SendMessageSyncParts: user property");
        CHECK_EQ_STR(rb_prop(got, "UNIQ_KEY"), r.msgId, "SendMessageSyncParts: UNIQ_KEY is the result's msgId");
    }

    /* No properties: a message with no tags or keys. */
    SUCCEEDS(SendMessageSyncParts(p, g_topic, body, 4, NULL, &r));
    got = rb_find_by_id(reader, r.msgId, FIND_TIMEOUT_MS);
    CHECK(got != NULL, "SendMessageSyncParts with no properties: %s not read back", r.msgId);
    if (got != NULL) {
        CHECK(got->body_len == 4 && memcmp(got->body, "part", 4) == 0, "SendMessageSyncParts with no properties: body");
        CHECK_EQ_STR(got->tags, "", "SendMessageSyncParts with no properties: tags");
    }
    /* An empty body fails as it does for any send, with the reason. */
    FAILS(PRODUCER_SEND_SYNC_FAILED, SendMessageSyncParts(p, g_topic, NULL, 0, NULL, &r));
}

static void test_producer_lifecycle(rb_reader* reader)
{
    CProducer* p = new_producer("lifecycle", g_namesrv);
    CProducer* tp;
    CMessage* m;
    CSendResult r;
    char group[128], key[128];

    if (p == NULL) {
        return;
    }
    /* Before start. */
    all_sends_fail(p, "not started");
    SUCCEEDS(ShutdownProducer(p)); /* shutdown before start */
    m = new_message(g_topic, "tx");
    FAILS_WITH(PRODUCER_SEND_TRANSACTION_FAILED, "CreateTransactionProducer", SendMessageTransaction(p, m, executor, NULL, &r));
    DestroyMessage(m);

    /* Start twice. */
    SUCCEEDS(StartProducer(p));
    SUCCEEDS(StartProducer(p));

    /* A transaction producer for the NULL matrix and the kind checks. */
    make_name(group, sizeof group, "tx");
    tp = CreateTransactionProducer(group, checker, &group);
    CHECK(tp != NULL, "CreateTransactionProducer returned NULL: %s", GetLatestErrorMessage());
    if (tp == NULL) {
        DestroyProducer(p);
        return;
    }
    SUCCEEDS(SetProducerNameServerAddress(tp, g_namesrv));
    SUCCEEDS(SetProducerInstanceName(tp, group));
    m = new_message(g_topic, "tx-before-start");
    FAILS_WITH(PRODUCER_SEND_TRANSACTION_FAILED, "not started", SendMessageTransaction(tp, m, executor, NULL, &r));
    DestroyMessage(m);
    SUCCEEDS(StartProducer(tp));

    test_send_nulls(p, tp, reader);
    test_ex_sends(p, tp, reader);
    test_send_parts(p, reader);

    /* A normal send on the transaction producer, a transaction on the normal producer. */
    all_sends_fail(tp, "SendMessageTransaction");
    make_name(key, sizeof key, "tx");
    m = new_message(g_topic, key);
    FAILS_WITH(PRODUCER_SEND_TRANSACTION_FAILED, "CreateTransactionProducer", SendMessageTransaction(p, m, executor, NULL, &r));
    /* A good transaction on the transaction producer: the executor runs once (and rolls back). */
    SUCCEEDS(SendMessageTransaction(tp, m, executor, NULL, &r));
    CHECK_EQ_INT(g_executor_calls, 1, "executor calls: the failed transactions' none, the good one's");
    DestroyMessage(m);

    /* The producer still works: one good send, read back. */
    send_and_read_back(p, reader, "after-misuse");

    /* Shutdown twice, then every send fails. */
    SUCCEEDS(ShutdownProducer(p));
    SUCCEEDS(ShutdownProducer(p));
    all_sends_fail(p, "shut down");

    /* Started again after the shutdown, it sends again (2.2.0 stayed shut down). */
    SUCCEEDS(StartProducer(p));
    send_and_read_back(p, reader, "restarted");
    SUCCEEDS(ShutdownProducer(p));
    SUCCEEDS(DestroyProducer(p));

    SUCCEEDS(ShutdownProducer(tp));
    m = new_message(g_topic, "tx-after-shutdown");
    FAILS_WITH(PRODUCER_SEND_TRANSACTION_FAILED, "shut down", SendMessageTransaction(tp, m, executor, NULL, &r));
    DestroyMessage(m);
    all_sends_fail(tp, "SendMessageTransaction");
    SUCCEEDS(DestroyProducer(tp));
    CHECK_EQ_INT(g_executor_calls, 1, "executor calls after the failed transactions");
}

/* Start failures: no name server, TLS on. */
static void test_start_failures(void)
{
    CProducer* p;
    CPullConsumer* c;
    CMessage* m;
    CSendResult r;
    char* saved = getenv("NAMESRV_ADDR");
    char saved_copy[512];

    snprintf(saved_copy, sizeof saved_copy, "%s", saved ? saved : "");
    unsetenv("NAMESRV_ADDR");
    p = new_producer("no-namesrv", NULL);
    if (p != NULL) {
        FAILS(PRODUCER_START_FAILED, StartProducer(p));
        m = new_message(g_topic, "no-namesrv");
        FAILS(PRODUCER_SEND_SYNC_FAILED, SendMessageSync(p, m, &r));
        DestroyMessage(m);
        SUCCEEDS(DestroyProducer(p));
    }
    c = CreatePullConsumer("c_misuse_no_namesrv");
    CHECK(c != NULL, "CreatePullConsumer returned NULL");
    if (c != NULL) {
        FAILS(PULLCONSUMER_START_FAILED, StartPullConsumer(c));
        SUCCEEDS(DestroyPullConsumer(c));
    }
    if (saved != NULL) {
        setenv("NAMESRV_ADDR", saved_copy, 1);
    }

    p = new_producer("tls", g_namesrv);
    if (p != NULL) {
        SUCCEEDS(SetProducerSsl(p, 1));
        SUCCEEDS(SetProducerSslPropertyFile(p, "/nonexistent/tls.properties"));
        FAILS_WITH(PRODUCER_START_FAILED, "cannot read the TLS property file /nonexistent/tls.properties", StartProducer(p));
        SUCCEEDS(DestroyProducer(p));
    }
}

/* Sends that reach no broker: an unknown topic, name servers that refuse or never answer. */
static void check_async_failure(int rc, int code, const char* what)
{
    /* 2.2.0 reports these either as the failure code (with a text) or through the exception
     * callback (returning 0); exactly one success-or-exception report, and never a success. */
    if (rc == 0) {
        int n = cb_wait(CALLBACK_TIMEOUT_MS);
        CHECK(n == 1 && g_cb.exceptions == 1 && g_cb.successes == 0,
              "%s: returned 0, then %d success / %d exception callbacks", what, g_cb.successes, g_cb.exceptions);
        CHECK(g_cb.exception_msg[0] != '\0' && utf8_valid(g_cb.exception_msg), "%s: empty exception text", what);
        CHECK(g_cb.exception_type[0] != '\0', "%s: empty exception type", what);
        printf("%s: returned 0, exception callback (error %d, type %s): %s\n", what, g_cb.exception_error,
               g_cb.exception_type, g_cb.exception_msg);
    } else {
        printf("%s: returned %d: %s\n", what, rc, GetLatestErrorMessage());
        const char* e = GetLatestErrorMessage();
        CHECK(rc == code, "%s: returned %d, expected %d or 0 + exception callback", what, rc, code);
        CHECK(e[0] != '\0' && utf8_valid(e) && strcmp(e, g_primed) != 0, "%s: no error text set", what);
        CHECK(g_cb.successes == 0, "%s: success callback after a failure", what);
    }
}

static void sends_to_nowhere(CProducer* p, const char* topic, const char* needle, const char* what)
{
    CMessage* m;
    CBatchMessage* b = CreateBatchMessage();
    CSendResult r;
    int arg = 1, rc;
    char label[160];
    long long t0;

    m = new_message(topic, "nowhere");
    SUCCEEDS(AddMessage(b, m));

    t0 = rb_now_ms();
    FAILS_WITH(PRODUCER_SEND_SYNC_FAILED, needle, SendMessageSync(p, m, &r));
    CHECK(rb_now_ms() - t0 < DEAD_SEND_LIMIT_MS, "%s: SendMessageSync took %lld ms", what, rb_now_ms() - t0);
    FAILS_WITH(PRODUCER_SEND_SYNC_FAILED, needle, SendBatchMessage(p, b, &r));
    FAILS_WITH(PRODUCER_SEND_ONEWAY_FAILED, needle, SendMessageOneway(p, m));
    FAILS_WITH(PRODUCER_SEND_ONEWAY_FAILED, needle, SendMessageOnewayOrderly(p, m, selector, &arg));
    FAILS_WITH(PRODUCER_SEND_ORDERLY_FAILED, needle, SendMessageOrderly(p, m, selector, &arg, 2, &r));
    FAILS_WITH(PRODUCER_SEND_ORDERLY_FAILED, needle, SendMessageOrderlyByShardingKey(p, m, "k", &r));
    FAILS_WITH(PRODUCER_SEND_ORDERLYASYNC_FAILED, needle,
               SendMessageOrderlyAsync(p, m, selector, &arg, never_ok_cb, never_err_cb));

    cb_reset();
    prime();
    rc = SendMessageAsync(p, m, ok_cb, err_cb);
    snprintf(label, sizeof label, "SendMessageAsync (%s)", what);
    check_async_failure(rc, PRODUCER_SEND_ASYNC_FAILED, label);

    cb_reset();
    prime();
    rc = SendAsync(p, m, ok_ud_cb, err_ud_cb, &arg);
    snprintf(label, sizeof label, "SendAsync (%s)", what);
    check_async_failure(rc, PRODUCER_SEND_ASYNC_FAILED, label);
    if (rc == 0) {
        CHECK(g_cb.msg == m && g_cb.user_data == &arg, "%s: exception callback got msg %p userData %p", label,
              (void*)g_cb.msg, g_cb.user_data);
    }
    CHECK(rb_now_ms() - t0 < 3 * DEAD_SEND_LIMIT_MS, "%s: the failing sends took %lld ms", what, rb_now_ms() - t0);
    printf("sends (%s) failed in %lld ms\n", what, rb_now_ms() - t0);
    DestroyBatchMessage(b);
    DestroyMessage(m);
}

/* A listening socket that never accepts nor answers: connects succeed, requests time out. */
static int black_hole(char* addr, size_t n)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    if (bind(fd, (struct sockaddr*)&sa, sizeof sa) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr*)&sa, &len) != 0) {
        close(fd);
        return -1;
    }
    snprintf(addr, n, "127.0.0.1:%d", ntohs(sa.sin_port));
    return fd;
}

static void test_unreachable(void)
{
    char topic[128], addr[64];
    CProducer* p;
    int fd;

    /* An unknown topic on the real name server. */
    snprintf(topic, sizeof topic, "rmq_c_no_such_topic_%ld", (long)getpid());
    p = new_producer("unknown-topic", g_namesrv);
    if (p != NULL) {
        SUCCEEDS(StartProducer(p));
        sends_to_nowhere(p, topic, topic, "unknown topic");
        SUCCEEDS(ShutdownProducer(p));
        SUCCEEDS(DestroyProducer(p));
    }

    /* A name server that refuses connections, 1 ms send timeout. */
    p = new_producer("refused", "127.0.0.1:1");
    if (p != NULL) {
        SUCCEEDS(SetProducerSendMsgTimeout(p, 1));
        SUCCEEDS(StartProducer(p));
        sends_to_nowhere(p, g_topic, "", "name server 127.0.0.1:1 refuses");
        SUCCEEDS(ShutdownProducer(p));
        SUCCEEDS(DestroyProducer(p));
    }

    /* A name server that accepts but never answers, 1 ms send timeout: only the sync send (each
     * route look-up waits for the name server's timeout). */
    fd = black_hole(addr, sizeof addr);
    CHECK(fd >= 0, "cannot open a listening socket");
    p = fd >= 0 ? new_producer("silent", addr) : NULL;
    if (p != NULL) {
        CMessage* m = new_message(g_topic, "silent");
        CSendResult r;
        long long t0;
        SUCCEEDS(SetProducerSendMsgTimeout(p, 1));
        SUCCEEDS(StartProducer(p));
        t0 = rb_now_ms();
        FAILS(PRODUCER_SEND_SYNC_FAILED, SendMessageSync(p, m, &r));
        CHECK(rb_now_ms() - t0 < DEAD_SEND_LIMIT_MS, "send via a silent name server took %lld ms", rb_now_ms() - t0);
        printf("send via a silent name server (%s) failed in %lld ms\n", addr, rb_now_ms() - t0);
        DestroyMessage(m);
        t0 = rb_now_ms();
        SUCCEEDS(ShutdownProducer(p));
        CHECK(rb_now_ms() - t0 < DEAD_SEND_LIMIT_MS, "shutdown with a silent name server took %lld ms",
              rb_now_ms() - t0);
        SUCCEEDS(DestroyProducer(p));
    }
    if (fd >= 0) {
        close(fd);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Local fake servers: a name server whose route names a broker that never answers, and an    */
/* HTTP server publishing a name server list (Set*NameServerDomain).                          */

typedef struct {
    int fd;
    int http;          /* 1: HTTP, 0: RocketMQ remoting */
    char addr[64];     /* where it listens */
    char text[512];    /* the route's broker address, or the HTTP body */
    int stop;
    int requests;      /* route requests (remoting) or GETs (HTTP) answered */
    pthread_t thread;
} fake_server;

/* Reads exactly n bytes; -1 on EOF, error or stop. */
static int fake_read(fake_server* s, int fd, char* buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd pfd;
        ssize_t k;
        pfd.fd = fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 100) <= 0) {
            if (__sync_fetch_and_add(&s->stop, 0)) {
                return -1;
            }
            continue;
        }
        k = read(fd, buf + got, n - got);
        if (k <= 0) {
            return -1;
        }
        got += (size_t)k;
    }
    return 0;
}

static void fake_write(int fd, const char* buf, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, buf, n, MSG_NOSIGNAL);
        if (k <= 0) {
            return;
        }
        buf += k;
        n -= (size_t)k;
    }
}

/* The number after "name": in a JSON text, or -1. */
static long json_number(const char* json, const char* name)
{
    char pattern[64];
    const char* p;
    snprintf(pattern, sizeof pattern, "\"%s\":", name);
    p = strstr(json, pattern);
    return p ? strtol(p + strlen(pattern), NULL, 10) : -1;
}

/* Answers every remoting request with a route of one broker (4 queues) at s->text. */
static void fake_serve_remoting(fake_server* s, int fd)
{
    for (;;) {
        char len_buf[4], header[4096], body[1024], head[256], out[1400];
        unsigned int len, mark, header_len, total;
        char* frame;
        long code, opaque;
        int body_len, head_len;

        if (fake_read(s, fd, len_buf, 4) != 0) {
            return;
        }
        memcpy(&len, len_buf, 4);
        len = ntohl(len);
        if (len < 4 || len > (1u << 20) || (frame = malloc(len)) == NULL) {
            return;
        }
        if (fake_read(s, fd, frame, len) != 0) {
            free(frame);
            return;
        }
        memcpy(&mark, frame, 4);
        header_len = ntohl(mark) & 0xffffffu;
        if (header_len > len - 4 || header_len >= sizeof header) {
            free(frame);
            return;
        }
        memcpy(header, frame + 4, header_len);
        header[header_len] = '\0';
        free(frame);
        code = json_number(header, "code");
        opaque = json_number(header, "opaque");
        if (code == 105) {
            __sync_fetch_and_add(&s->requests, 1);
        }
        body_len = snprintf(body, sizeof body,
                            "{\"brokerDatas\":[{\"brokerAddrs\":{\"0\":\"%s\"},\"brokerName\":\"misuse-silent-broker\","
                            "\"cluster\":\"misuse\"}],\"queueDatas\":[{\"brokerName\":\"misuse-silent-broker\","
                            "\"perm\":6,\"readQueueNums\":4,\"topicSysFlag\":0,\"writeQueueNums\":4}]}",
                            s->text);
        head_len = snprintf(head, sizeof head,
                            "{\"code\":0,\"flag\":1,\"language\":\"JAVA\",\"opaque\":%ld,"
                            "\"serializeTypeCurrentRPC\":\"JSON\",\"version\":401}",
                            opaque);
        total = htonl((unsigned int)(4 + head_len + body_len));
        mark = htonl((unsigned int)head_len);
        memcpy(out, &total, 4);
        memcpy(out + 4, &mark, 4);
        memcpy(out + 8, head, (size_t)head_len);
        memcpy(out + 8 + head_len, body, (size_t)body_len);
        fake_write(fd, out, (size_t)(8 + head_len + body_len));
    }
}

/* Answers one GET with s->text, then closes. */
static void fake_serve_http(fake_server* s, int fd)
{
    char req[4096], resp[1024];
    size_t got = 0;
    int n;
    while (got < sizeof req - 1) {
        if (fake_read(s, fd, req + got, 1) != 0) {
            return;
        }
        got++;
        req[got] = '\0';
        if (got >= 4 && strcmp(req + got - 4, "\r\n\r\n") == 0) {
            break;
        }
    }
    __sync_fetch_and_add(&s->requests, 1);
    n = snprintf(resp, sizeof resp, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s",
                 (int)strlen(s->text), s->text);
    fake_write(fd, resp, (size_t)n);
}

static void* fake_thread(void* arg)
{
    fake_server* s = arg;
    while (!__sync_fetch_and_add(&s->stop, 0)) {
        struct pollfd pfd;
        int fd;
        pfd.fd = s->fd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 100) <= 0) {
            continue;
        }
        fd = accept(s->fd, NULL, NULL);
        if (fd < 0) {
            continue;
        }
        if (s->http) {
            fake_serve_http(s, fd);
        } else {
            fake_serve_remoting(s, fd);
        }
        close(fd);
    }
    return NULL;
}

/* Starts a fake server; 0, or -1 when it cannot listen. */
static int fake_start(fake_server* s, int http, const char* text)
{
    memset(s, 0, sizeof *s);
    s->http = http;
    snprintf(s->text, sizeof s->text, "%s", text);
    s->fd = black_hole(s->addr, sizeof s->addr);
    if (s->fd < 0) {
        return -1;
    }
    if (pthread_create(&s->thread, NULL, fake_thread, s) != 0) {
        close(s->fd);
        return -1;
    }
    return 0;
}

static void fake_stop(fake_server* s)
{
    __sync_fetch_and_add(&s->stop, 1);
    pthread_join(s->thread, NULL);
    close(s->fd);
}

/* A broker that never answers (its route comes from a fake name server; a fake, as the shared
 * real brokers cannot be made to stay silent without stalling the other tests): every send kind
 * ends within the send timeout with its failure code, the first one too (the heartbeat to a new
 * broker does not hold a send up); oneway
 * sends are only written, so they succeed, as in 2.2.0. The route is asked for once (cache). */
static void test_send_timeouts(void)
{
    fake_server ns;
    char broker[64], topic[128], k[128];
    int broker_fd, arg = 1, rc, routes;
    CProducer* p;
    CProducer* tp;
    CMessage* m;
    CBatchMessage* b;
    CSendResult r;
    long long t0, t_start, took;
    int executor_calls = g_executor_calls;

    broker_fd = black_hole(broker, sizeof broker);
    CHECK(broker_fd >= 0, "cannot open a listening socket");
    if (broker_fd < 0) {
        return;
    }
    if (fake_start(&ns, 0, broker) != 0) {
        CHECK(0, "cannot start the fake name server");
        close(broker_fd);
        return;
    }
    snprintf(topic, sizeof topic, "rmq_c_silent_broker_%ld", (long)getpid());
    p = new_producer("silent-broker", ns.addr);
    if (p != NULL) {
        SUCCEEDS(SetProducerSendMsgTimeout(p, 300));
        SUCCEEDS(StartProducer(p));
        t_start = rb_now_ms();
        make_name(k, sizeof k, "silent-broker");
        m = new_message(topic, k);
        b = CreateBatchMessage();
        SUCCEEDS(AddMessage(b, m));

        t0 = rb_now_ms();
        FAILS(PRODUCER_SEND_SYNC_FAILED, SendMessageSync(p, m, &r));
        took = rb_now_ms() - t0;
        printf("SendMessageSync to a silent broker (300 ms timeout, first send): %d in %lld ms: %s\n",
               PRODUCER_SEND_SYNC_FAILED, took, GetLatestErrorMessage());
        CHECK(took >= 250 && took < 2000, "SendMessageSync to a silent broker took %lld ms", took);
        CHECK_EQ_INT(__sync_fetch_and_add(&ns.requests, 0), 1, "route requests after the first send");

        t0 = rb_now_ms();
        FAILS(PRODUCER_SEND_SYNC_FAILED, SendMessageSync(p, m, &r));
        took = rb_now_ms() - t0;
        printf("SendMessageSync to a silent broker (300 ms timeout, second send): %lld ms: %s\n", took,
               GetLatestErrorMessage());
        CHECK(took >= 250 && took < 2000, "second SendMessageSync to a silent broker took %lld ms", took);

        t0 = rb_now_ms();
        FAILS(PRODUCER_SEND_SYNC_FAILED, SendBatchMessage(p, b, &r));
        FAILS(PRODUCER_SEND_ORDERLY_FAILED, SendMessageOrderly(p, m, selector, &arg, 1, &r));
        FAILS(PRODUCER_SEND_ORDERLY_FAILED, SendMessageOrderlyByShardingKey(p, m, "k", &r));
        FAILS(PRODUCER_SEND_SYNC_FAILED, CancelScheduledMessage(p, topic, SOME_MSG_ID, in_ten_minutes()));
        took = rb_now_ms() - t0;
        CHECK(took < 4 * 1000, "4 sends to a silent broker took %lld ms", took);
        printf("SendBatchMessage, SendMessageOrderly, SendMessageOrderlyByShardingKey, CancelScheduledMessage to a "
               "silent broker: %lld ms\n", took);

        /* Oneway: written, not answered, so 0. */
        SUCCEEDS(SendMessageOneway(p, m));
        SUCCEEDS(SendMessageOnewayOrderly(p, m, selector, &arg));

        cb_reset();
        prime();
        t0 = rb_now_ms();
        rc = SendMessageAsync(p, m, ok_cb, err_cb);
        check_async_failure(rc, PRODUCER_SEND_ASYNC_FAILED, "SendMessageAsync (silent broker)");
        if (rc == 0) {
            took = rb_now_ms() - t0;
            CHECK(took >= 250 && took < DEAD_SEND_LIMIT_MS, "SendMessageAsync: exception callback after %lld ms", took);
        }
        cb_reset();
        prime();
        rc = SendAsync(p, m, ok_ud_cb, err_ud_cb, &arg);
        check_async_failure(rc, PRODUCER_SEND_ASYNC_FAILED, "SendAsync (silent broker)");
        if (rc == 0) {
            CHECK(g_cb.msg == m && g_cb.user_data == &arg,
                  "SendAsync (silent broker): exception callback got msg %p userData %p", (void*)g_cb.msg,
                  g_cb.user_data);
        }
        cb_reset();
        prime();
        rc = SendMessageOrderlyAsync(p, m, selector, &arg, ok_cb, err_cb);
        check_async_failure(rc, PRODUCER_SEND_ORDERLYASYNC_FAILED, "SendMessageOrderlyAsync (silent broker)");

        /* Cached: still the one route request (unless the 30 s refresh came in between). */
        routes = __sync_fetch_and_add(&ns.requests, 0);
        if (rb_now_ms() - t_start < 25000) {
            CHECK_EQ_INT(routes, 1, "route requests for all the sends of one topic");
        }
        printf("route requests to the fake name server: %d\n", routes);

        /* Nothing left behind: a late answer has no one to go to, and shutdown is quick. */
        t0 = rb_now_ms();
        SUCCEEDS(ShutdownProducer(p));
        took = rb_now_ms() - t0;
        CHECK(took < DEAD_SEND_LIMIT_MS, "shutdown after sends to a silent broker took %lld ms", took);
        SUCCEEDS(DestroyProducer(p));
        DestroyBatchMessage(b);
        DestroyMessage(m);
    }

    /* A transaction whose half message times out: 16, and the executor never runs. */
    make_name(k, sizeof k, "silent-tx");
    tp = CreateTransactionProducer(k, checker, NULL);
    CHECK(tp != NULL, "CreateTransactionProducer returned NULL: %s", GetLatestErrorMessage());
    if (tp != NULL) {
        SUCCEEDS(SetProducerNameServerAddress(tp, ns.addr));
        SUCCEEDS(SetProducerInstanceName(tp, k));
        SUCCEEDS(SetProducerSendMsgTimeout(tp, 300));
        SUCCEEDS(StartProducer(tp));
        m = new_message(topic, k);
        t0 = rb_now_ms();
        FAILS(PRODUCER_SEND_TRANSACTION_FAILED, SendMessageTransaction(tp, m, executor, NULL, &r));
        CHECK(rb_now_ms() - t0 < DEAD_SEND_LIMIT_MS, "transaction to a silent broker took %lld ms", rb_now_ms() - t0);
        CHECK_EQ_INT(g_executor_calls, executor_calls, "executor calls for a half message that timed out");
        DestroyMessage(m);
        SUCCEEDS(ShutdownProducer(tp));
        SUCCEEDS(DestroyProducer(tp));
    }
    fake_stop(&ns);
    close(broker_fd);
}

/* Where the name server list comes from: NAMESRV_ADDR (read when the handle is created), a list
 * "a;b" whose first entry refuses (failover), a domain publishing the list over HTTP. */
/* Set{Pull,Push}ConsumerNameServerDomain: the consumer asks the domain (GET counted by the
 * fake server) and works with the list it publishes (no address is set): the pull consumer
 * finds the topic's queues, the push consumer starts. */
static void check_consumer_domains(fake_server* http, const char* url)
{
    CPullConsumer* pc = CreatePullConsumer("c_misuse_domain_pull");
    CPushConsumer* pu = CreatePushConsumer("c_misuse_domain_push");
    int before;
    CHECK(pc != NULL && pu != NULL, "CreatePullConsumer / CreatePushConsumer returned NULL");
    if (pc != NULL) {
        CMessageQueue* mqs = NULL;
        int n = 0;
        before = __sync_fetch_and_add(&http->requests, 0);
        SUCCEEDS(SetPullConsumerNameServerDomain(pc, url));
        SUCCEEDS(StartPullConsumer(pc));
        SUCCEEDS(FetchSubscriptionMessageQueues(pc, g_topic, &mqs, &n));
        CHECK(n == 8 && mqs != NULL, "pull consumer via the name server domain: %d queues of %s", n, g_topic);
        if (mqs != NULL) {
            SUCCEEDS(ReleaseSubscriptionMessageQueue(mqs));
        }
        CHECK(__sync_fetch_and_add(&http->requests, 0) > before, "the pull consumer never asked its name server domain");
        SUCCEEDS(ShutdownPullConsumer(pc));
        SUCCEEDS(DestroyPullConsumer(pc));
    }
    if (pu != NULL) {
        before = __sync_fetch_and_add(&http->requests, 0);
        SUCCEEDS(SetPushConsumerNameServerDomain(pu, url));
        SUCCEEDS(Subscribe(pu, g_topic, "*"));
        SUCCEEDS(RegisterMessageCallback(pu, consume));
        SUCCEEDS(StartPushConsumer(pu));
        CHECK(__sync_fetch_and_add(&http->requests, 0) > before, "the push consumer never asked its name server domain");
        SUCCEEDS(ShutdownPushConsumer(pu));
        SUCCEEDS(DestroyPushConsumer(pu));
    }
}

static void test_namesrv_sources(rb_reader* reader)
{
    char list[300];
    char* saved = getenv("NAMESRV_ADDR");
    char saved_copy[512];
    CProducer* p;
    CProducer* late;
    CPullConsumer* c;
    fake_server http;

    snprintf(saved_copy, sizeof saved_copy, "%s", saved ? saved : "");
    snprintf(list, sizeof list, "127.0.0.1:1;%s", g_namesrv);

    /* NAMESRV_ADDR: the default of handles created while it is set, not of older ones. */
    unsetenv("NAMESRV_ADDR");
    late = new_producer("env-late", NULL);
    setenv("NAMESRV_ADDR", list, 1);
    p = new_producer("env", NULL);
    if (p != NULL) {
        SUCCEEDS(StartProducer(p));
        send_and_read_back(p, reader, "namesrv-env");
        SUCCEEDS(ShutdownProducer(p));
        SUCCEEDS(DestroyProducer(p));
    }
    if (late != NULL) {
        FAILS(PRODUCER_START_FAILED, StartProducer(late));
        SUCCEEDS(DestroyProducer(late));
    }
    c = CreatePullConsumer("c_misuse_env_pull");
    CHECK(c != NULL, "CreatePullConsumer returned NULL");
    if (c != NULL) {
        CMessageQueue* mqs = NULL;
        int n = 0;
        SUCCEEDS(StartPullConsumer(c));
        SUCCEEDS(FetchSubscriptionMessageQueues(c, g_topic, &mqs, &n));
        CHECK(n == 8 && mqs != NULL, "pull consumer via NAMESRV_ADDR: %d queues", n);
        if (mqs != NULL) {
            SUCCEEDS(ReleaseSubscriptionMessageQueue(mqs));
        }
        SUCCEEDS(ShutdownPullConsumer(c));
        SUCCEEDS(DestroyPullConsumer(c));
    }
    if (saved != NULL) {
        setenv("NAMESRV_ADDR", saved_copy, 1);
    } else {
        unsetenv("NAMESRV_ADDR");
    }

    /* The same list through the setter. */
    p = new_producer("list", list);
    if (p != NULL) {
        SUCCEEDS(StartProducer(p));
        send_and_read_back(p, reader, "namesrv-list");
        SUCCEEDS(ShutdownProducer(p));
        SUCCEEDS(DestroyProducer(p));
    }

    /* A domain that publishes the list; one that cannot be reached fails the start. */
    if (fake_start(&http, 1, list) == 0) {
        char url[128];
        snprintf(url, sizeof url, "http://%s/rocketmq/nsaddr", http.addr);
        p = new_producer("domain", NULL);
        if (p != NULL) {
            SUCCEEDS(SetProducerNameServerDomain(p, url));
            SUCCEEDS(StartProducer(p));
            send_and_read_back(p, reader, "namesrv-domain");
            SUCCEEDS(ShutdownProducer(p));
            SUCCEEDS(DestroyProducer(p));
        }
        CHECK(__sync_fetch_and_add(&http.requests, 0) >= 1, "the name server domain was never asked");
        check_consumer_domains(&http, url);
        fake_stop(&http);
    } else {
        CHECK(0, "cannot start the fake HTTP server");
    }
    p = new_producer("domain-refused", NULL);
    if (p != NULL) {
        SUCCEEDS(SetProducerNameServerDomain(p, "http://127.0.0.1:1/rocketmq/nsaddr"));
        FAILS_WITH(PRODUCER_START_FAILED, "127.0.0.1:1", StartProducer(p));
        SUCCEEDS(DestroyProducer(p));
    }
}

static void test_push_consumer(void)
{
    char group[128];
    CPushConsumer* c;
    const char* v;

    make_name(group, sizeof group, "push");
    FAILS_NULL(CreatePushConsumer(NULL));
    c = CreatePushConsumer(group);
    CHECK(c != NULL, "CreatePushConsumer returned NULL");
    if (c == NULL) {
        return;
    }
    FAILS(NULL_POINTER, DestroyPushConsumer(NULL));
    FAILS(NULL_POINTER, StartPushConsumer(NULL));
    FAILS(NULL_POINTER, ShutdownPushConsumer(NULL));
    FAILS_NULL(ShowPushConsumerVersion(NULL));
    v = ShowPushConsumerVersion(c);
    CHECK(v != NULL && v[0] != '\0', "ShowPushConsumerVersion is empty");
    FAILS(NULL_POINTER, SetPushConsumerGroupID(NULL, "g"));
    FAILS(NULL_POINTER, SetPushConsumerGroupID(c, NULL));
    FAILS_NULL(GetPushConsumerGroupID(NULL));
    CHECK_EQ_STR(GetPushConsumerGroupID(c), group, "GetPushConsumerGroupID");
    FAILS(NULL_POINTER, SetPushConsumerNameServerAddress(NULL, g_namesrv));
    FAILS(NULL_POINTER, SetPushConsumerNameServerAddress(c, NULL));
    FAILS(NULL_POINTER, SetPushConsumerNameServerDomain(NULL, "http://example.invalid"));
    FAILS(NULL_POINTER, SetPushConsumerNameServerDomain(c, NULL));
    FAILS(NULL_POINTER, Subscribe(NULL, g_topic, "*"));
    FAILS(NULL_POINTER, Subscribe(c, NULL, "*"));
    FAILS(NULL_POINTER, Subscribe(c, g_topic, NULL));
    FAILS(NULL_POINTER, RegisterMessageCallbackOrderly(NULL, consume));
    FAILS(NULL_POINTER, RegisterMessageCallbackOrderly(c, NULL));
    FAILS(NULL_POINTER, RegisterMessageCallback(NULL, consume));
    FAILS(NULL_POINTER, RegisterMessageCallback(c, NULL));
    FAILS(NULL_POINTER, UnregisterMessageCallbackOrderly(NULL));
    FAILS(NULL_POINTER, UnregisterMessageCallback(NULL));
    FAILS(NULL_POINTER, SetPushConsumerThreadCount(NULL, 2));
    FAILS(NULL_POINTER, SetPushConsumerThreadCount(c, 0));
    FAILS(NULL_POINTER, SetPushConsumerMessageBatchMaxSize(NULL, 1));
    FAILS(NULL_POINTER, SetPushConsumerMessageBatchMaxSize(c, 0));
    /* 2.2.0: a negative count or size succeeds and is ignored */
    SUCCEEDS(SetPushConsumerThreadCount(c, -1));
    SUCCEEDS(SetPushConsumerMessageBatchMaxSize(c, -1));
    FAILS(NULL_POINTER, SetPushConsumerInstanceName(NULL, "i"));
    FAILS(NULL_POINTER, SetPushConsumerInstanceName(c, NULL));
    FAILS(NULL_POINTER, SetPushConsumerSessionCredentials(NULL, "ak", "sk", "ch"));
    FAILS(NULL_POINTER, SetPushConsumerSessionCredentials(c, NULL, "sk", "ch"));
    FAILS(NULL_POINTER, SetPushConsumerSessionCredentials(c, "ak", NULL, "ch"));
    FAILS(NULL_POINTER, SetPushConsumerSessionCredentials(c, "ak", "sk", NULL));
    FAILS(NULL_POINTER, SetPushConsumerLogPath(NULL, "/tmp"));
    SUCCEEDS(SetPushConsumerLogPath(c, NULL));
    FAILS(NULL_POINTER, SetPushConsumerLogFileNumAndSize(NULL, 3, 10));
    FAILS(NULL_POINTER, SetPushConsumerLogLevel(NULL, E_LOG_LEVEL_INFO));
    FAILS(NULL_POINTER, SetPushConsumerMessageModel(NULL, CLUSTERING));
    FAILS(NULL_POINTER, SetPushConsumerMaxCacheMessageSize(NULL, 100));
    FAILS(NULL_POINTER, SetPushConsumerMaxCacheMessageSize(c, 0));
    FAILS(NULL_POINTER, SetPushConsumerMaxCacheMessageSizeInMb(NULL, 100));
    FAILS(NULL_POINTER, SetPushConsumerMaxCacheMessageSizeInMb(c, 0));
    FAILS(NULL_POINTER, SetPushConsumerMessageTrace(NULL, CLOSE));
    FAILS(NULL_POINTER, SetPushConsumerMessageTraceTopic(NULL, "MyTrace"));
    FAILS(NULL_POINTER, SetPushConsumerMessageTraceTopic(c, NULL));
    FAILS(NULL_POINTER, SetPushConsumerSsl(NULL, 0));
    FAILS(NULL_POINTER, SetPushConsumerSslPropertyFile(NULL, "/etc/rocketmq/tls.properties"));
    FAILS(NULL_POINTER, SetPushConsumerSslPropertyFile(c, NULL));
    FAILS(NULL_POINTER, SetPushConsumerMaxConsumeTps(NULL, 10));
    FAILS(NULL_POINTER, SubscribeWithType(NULL, g_topic, "SQL92", "a > 1"));
    FAILS(NULL_POINTER, SubscribeWithType(c, NULL, "SQL92", "a > 1"));
    FAILS(NULL_POINTER, SubscribeWithType(c, g_topic, NULL, "a > 1"));
    FAILS(NULL_POINTER, SubscribeWithType(c, g_topic, "SQL92", NULL));
    FAILS(NULL_POINTER, SubscribeWithType(c, g_topic, "XPATH", "a > 1"));
    SUCCEEDS(SubscribeWithType(c, g_topic, "TAG", "*"));
    FAILS(NULL_POINTER, RegisterMessageBatchCallback(NULL, batch_consume, NULL, 0));
    FAILS(NULL_POINTER, RegisterMessageBatchCallback(c, NULL, NULL, 0));
    FAILS(NULL_POINTER, SetPushConsumerConsumeFromWhere(NULL, E_CONSUME_FROM_FIRST_OFFSET, 0));
    FAILS(NULL_POINTER, SetPushConsumerConsumeFromWhere(c, 7, 0));
    FAILS(NULL_POINTER, SetPushConsumerMaxReconsumeTimes(NULL, 3));
    FAILS(NULL_POINTER, SetPushConsumerConnectTimeout(NULL, 300));
    SUCCEEDS(SetPushConsumerConnectTimeout(c, 3000));
    SUCCEEDS(SetPushConsumerConsumeFromWhere(c, E_CONSUME_FROM_TIMESTAMP, 1700000000000LL));
    SUCCEEDS(SetPushConsumerMaxReconsumeTimes(c, 3));
    SUCCEEDS(RegisterMessageBatchCallback(c, batch_consume, NULL, 0));

    /* Valid settings are stored (return 0). */
    SUCCEEDS(SetPushConsumerNameServerAddress(c, g_namesrv));
    SUCCEEDS(Subscribe(c, g_topic, "*"));
    SUCCEEDS(RegisterMessageCallback(c, consume));
    SUCCEEDS(SetPushConsumerThreadCount(c, 2));
    SUCCEEDS(SetPushConsumerMessageBatchMaxSize(c, 1));
    SUCCEEDS(SetPushConsumerMessageModel(c, CLUSTERING));
    SUCCEEDS(SetPushConsumerMaxCacheMessageSize(c, 100));
    SUCCEEDS(SetPushConsumerMaxConsumeTps(c, 10));
    SUCCEEDS(SetPushConsumerMessageTrace(c, CLOSE));
    SUCCEEDS(SetPushConsumerMessageTraceTopic(c, ""));

    /* Out of order: shutdown before start. */
    SUCCEEDS(ShutdownPushConsumer(c));

    /* Start without a callback: 20 and a text. The orderly unregister leaves a concurrent
     * callback alone; the matching one removes it. */
    SUCCEEDS(UnregisterMessageCallbackOrderly(c));
    SUCCEEDS(UnregisterMessageCallback(c));
    FAILS(PUSHCONSUMER_START_FAILED, StartPushConsumer(c));
    printf("StartPushConsumer without a callback: %s\n", GetLatestErrorMessage());
    SUCCEEDS(RegisterMessageCallback(c, consume));

    /* A real start and stop (a tag nothing has, so no callback runs); start and shutdown twice. */
    {
        char tag[128];
        make_name(tag, sizeof tag, "no-such-tag");
        SUCCEEDS(Subscribe(c, g_topic, tag));
    }
    SUCCEEDS(StartPushConsumer(c));
    SUCCEEDS(StartPushConsumer(c));
    SUCCEEDS(ShutdownPushConsumer(c));
    SUCCEEDS(ShutdownPushConsumer(c));
    SUCCEEDS(UnregisterMessageCallback(c));
    SUCCEEDS(UnregisterMessageCallbackOrderly(c));
    SUCCEEDS(DestroyPushConsumer(c));

    /* No subscription: 20 and a text. */
    make_name(group, sizeof group, "push-nosub");
    c = CreatePushConsumer(group);
    CHECK(c != NULL, "CreatePushConsumer returned NULL");
    if (c != NULL) {
        SUCCEEDS(SetPushConsumerNameServerAddress(c, g_namesrv));
        SUCCEEDS(RegisterMessageCallback(c, consume));
        FAILS(PUSHCONSUMER_START_FAILED, StartPushConsumer(c));
        printf("StartPushConsumer without a subscription: %s\n", GetLatestErrorMessage());
        SUCCEEDS(ShutdownPushConsumer(c));
        SUCCEEDS(DestroyPushConsumer(c));
    }

    /* Message model 7 is stored, then refused by the start: 20 and a text. */
    make_name(group, sizeof group, "push-model7");
    c = CreatePushConsumer(group);
    CHECK(c != NULL, "CreatePushConsumer returned NULL");
    if (c != NULL) {
        SUCCEEDS(SetPushConsumerNameServerAddress(c, g_namesrv));
        SUCCEEDS(Subscribe(c, g_topic, "*"));
        SUCCEEDS(RegisterMessageCallbackOrderly(c, consume));
        SUCCEEDS(SetPushConsumerMessageModel(c, (CMessageModel)7));
        FAILS(PUSHCONSUMER_START_FAILED, StartPushConsumer(c));
        printf("StartPushConsumer with message model 7: %s\n", GetLatestErrorMessage());
        SUCCEEDS(DestroyPushConsumer(c));
    }

    /* The group "" is DEFAULT_CONSUMER, which cannot start. */
    c = CreatePushConsumer("");
    CHECK(c != NULL, "CreatePushConsumer(\"\") returned NULL");
    if (c != NULL) {
        CHECK_EQ_STR(GetPushConsumerGroupID(c), "DEFAULT_CONSUMER", "group of CreatePushConsumer(\"\")");
        SUCCEEDS(SetPushConsumerNameServerAddress(c, g_namesrv));
        SUCCEEDS(Subscribe(c, g_topic, "*"));
        SUCCEEDS(RegisterMessageCallback(c, consume));
        FAILS_WITH(PUSHCONSUMER_START_FAILED, "DEFAULT_CONSUMER", StartPushConsumer(c));
        SUCCEEDS(DestroyPushConsumer(c));
    }
}

static void test_pull_consumer(void)
{
    char group[128], topic[128];
    CPullConsumer* c;
    CPullConsumer* dflt;
    CMessageQueue* mqs = (CMessageQueue*)&mqs; /* must be reset by the failures */
    CMessageQueue mq;
    CPullResult zero;
    int size = -5;
    const char* v;

    make_name(group, sizeof group, "pull");
    FAILS_NULL(CreatePullConsumer(NULL));
    c = CreatePullConsumer(group);
    CHECK(c != NULL, "CreatePullConsumer returned NULL");
    if (c == NULL) {
        return;
    }
    memset(&mq, 0, sizeof mq);
    snprintf(mq.topic, sizeof mq.topic, "%s", g_topic);
    snprintf(mq.brokerName, sizeof mq.brokerName, "broker-a");

    FAILS(NULL_POINTER, DestroyPullConsumer(NULL));
    FAILS(NULL_POINTER, StartPullConsumer(NULL));
    FAILS(NULL_POINTER, ShutdownPullConsumer(NULL));
    FAILS_NULL(ShowPullConsumerVersion(NULL));
    v = ShowPullConsumerVersion(c);
    CHECK(v != NULL && v[0] != '\0', "ShowPullConsumerVersion is empty");
    FAILS(NULL_POINTER, SetPullConsumerGroupID(NULL, "g"));
    FAILS(NULL_POINTER, SetPullConsumerGroupID(c, NULL));
    FAILS_NULL(GetPullConsumerGroupID(NULL));
    CHECK_EQ_STR(GetPullConsumerGroupID(c), group, "GetPullConsumerGroupID");
    FAILS(NULL_POINTER, SetPullConsumerNameServerAddress(NULL, g_namesrv));
    FAILS(NULL_POINTER, SetPullConsumerNameServerAddress(c, NULL));
    FAILS(NULL_POINTER, SetPullConsumerNameServerDomain(NULL, "http://example.invalid"));
    FAILS(NULL_POINTER, SetPullConsumerNameServerDomain(c, NULL));
    FAILS(NULL_POINTER, SetPullConsumerSessionCredentials(NULL, "ak", "sk", "ch"));
    FAILS(NULL_POINTER, SetPullConsumerSessionCredentials(c, NULL, "sk", "ch"));
    FAILS(NULL_POINTER, SetPullConsumerSessionCredentials(c, "ak", NULL, "ch"));
    FAILS(NULL_POINTER, SetPullConsumerSessionCredentials(c, "ak", "sk", NULL));
    FAILS(NULL_POINTER, SetPullConsumerLogPath(NULL, "/tmp"));
    SUCCEEDS(SetPullConsumerLogPath(c, NULL));
    FAILS(NULL_POINTER, SetPullConsumerLogFileNumAndSize(NULL, 3, 10));
    FAILS(NULL_POINTER, SetPullConsumerLogLevel(NULL, E_LOG_LEVEL_INFO));
    FAILS(NULL_POINTER, SetPullConsumerSsl(NULL, 0));
    FAILS(NULL_POINTER, SetPullConsumerSslPropertyFile(NULL, "/etc/rocketmq/tls.properties"));
    FAILS(NULL_POINTER, SetPullConsumerSslPropertyFile(c, NULL));
    FAILS(NULL_POINTER, ReleaseSubscriptionMessageQueue(NULL));
    memset(&zero, 0, sizeof zero);
    FAILS(NULL_POINTER, ReleasePullResult(zero));

    SUCCEEDS(SetPullConsumerNameServerAddress(c, g_namesrv));

    /* Before start. */
    SUCCEEDS(ShutdownPullConsumer(c)); /* shutdown before start */
    FAILS(PULLCONSUMER_FETCH_MQ_FAILED, FetchSubscriptionMessageQueues(c, g_topic, &mqs, &size));
    CHECK(mqs == NULL && size == 0, "FetchSubscriptionMessageQueues failure left mqs %p size %d", (void*)mqs, size);
    PULL_FAILS(Pull(c, &mq, "*", 0, 1));
    PULL_FAILS(PullBlockIfNotFound(c, &mq, "*", 0, 1));
    {
        long long offset = 0;
        FAILS(PULLCONSUMER_FETCH_MESSAGE_FAILED, FetchPullConsumerOffset(c, &mq, &offset));
        FAILS(PULLCONSUMER_FETCH_MESSAGE_FAILED, UpdatePullConsumerOffset(c, &mq, 0));
        FAILS(NULL_POINTER, FetchPullConsumerOffset(NULL, &mq, &offset));
        FAILS(NULL_POINTER, FetchPullConsumerOffset(c, NULL, &offset));
        FAILS(NULL_POINTER, FetchPullConsumerOffset(c, &mq, NULL));
        FAILS(NULL_POINTER, UpdatePullConsumerOffset(NULL, &mq, 0));
        FAILS(NULL_POINTER, UpdatePullConsumerOffset(c, NULL, 0));
    }

    /* Start twice. */
    SUCCEEDS(StartPullConsumer(c));
    SUCCEEDS(StartPullConsumer(c));

    FAILS(NULL_POINTER, FetchSubscriptionMessageQueues(NULL, g_topic, &mqs, &size));
    FAILS(NULL_POINTER, FetchSubscriptionMessageQueues(c, NULL, &mqs, &size));
    FAILS(NULL_POINTER, FetchSubscriptionMessageQueues(c, g_topic, NULL, &size));
    FAILS(NULL_POINTER, FetchSubscriptionMessageQueues(c, g_topic, &mqs, NULL));
    snprintf(topic, sizeof topic, "rmq_c_no_such_topic_%ld", (long)getpid());
    mqs = (CMessageQueue*)&mqs;
    size = -5;
    FAILS(PULLCONSUMER_FETCH_MQ_FAILED, FetchSubscriptionMessageQueues(c, topic, &mqs, &size));
    CHECK(mqs == NULL && size == 0, "unknown topic: FetchSubscriptionMessageQueues left mqs %p size %d", (void*)mqs,
          size);

    PULL_FAILS(Pull(NULL, &mq, "*", 0, 1));
    PULL_FAILS(PullBlockIfNotFound(NULL, &mq, "*", 0, 1));
    PULL_FAILS(PullBlockIfNotFound(c, NULL, "*", 0, 1));
    PULL_FAILS(Pull(c, NULL, "*", 0, 1));
    PULL_FAILS(Pull(c, &mq, NULL, 0, 1));
    PULL_FAILS(Pull(c, &mq, "*", -1, 1));
    PULL_FAILS(Pull(c, &mq, "*", 0, 0));
    PULL_FAILS(Pull(c, &mq, "*", -1, 0));

    /* A real queue works, and its result is released (1 when it holds no messages). */
    {
        CMessageQueue* real = NULL;
        int n = 0;
        SUCCEEDS(FetchSubscriptionMessageQueues(c, g_topic, &real, &n));
        CHECK(n == 8 && real != NULL, "FetchSubscriptionMessageQueues(%s): %d queues", g_topic, n);
        if (real != NULL && n > 0) {
            CPullResult r = Pull(c, &real[0], "*", 0, 1);
            CHECK(r.pullStatus != E_BROKER_TIMEOUT, "Pull of a real queue failed: %s", GetLatestErrorMessage());
            if (r.pullStatus == E_FOUND) {
                CHECK(r.size == 1 && r.msgFoundList != NULL, "E_FOUND with %d messages", r.size);
                SUCCEEDS(ReleasePullResult(r));
            } else {
                FAILS(NULL_POINTER, ReleasePullResult(r));
            }
            /* Far beyond the end: not an error, no messages. */
            r = Pull(c, &real[0], "*", 1LL << 40, 1);
            CHECK(r.pullStatus != E_FOUND && r.pullStatus != E_BROKER_TIMEOUT && r.size == 0,
                  "Pull beyond the end: status %d size %d (%s)", (int)r.pullStatus, r.size, GetLatestErrorMessage());
            SUCCEEDS(ReleaseSubscriptionMessageQueue(real));
        }
    }

    /* Shutdown twice; then fetch and pull fail. */
    SUCCEEDS(ShutdownPullConsumer(c));
    SUCCEEDS(ShutdownPullConsumer(c));
    FAILS(PULLCONSUMER_FETCH_MQ_FAILED, FetchSubscriptionMessageQueues(c, g_topic, &mqs, &size));
    PULL_FAILS(Pull(c, &mq, "*", 0, 1));
    SUCCEEDS(DestroyPullConsumer(c));

    /* A name server that refuses (the primer's): 31, nothing allocated (2.2.0 logged route
     * failures and listed no queues; like the unknown topic, ours says why). */
    mqs = (CMessageQueue*)&mqs;
    size = -5;
    FAILS_WITH(PULLCONSUMER_FETCH_MQ_FAILED, "127.0.0.1:1",
               FetchSubscriptionMessageQueues(g_prime, g_topic, &mqs, &size));
    CHECK(mqs == NULL && size == 0, "unreachable name server: FetchSubscriptionMessageQueues left mqs %p size %d",
          (void*)mqs, size);

    /* The group "" is DEFAULT_CONSUMER, which cannot start. */
    dflt = CreatePullConsumer("");
    CHECK(dflt != NULL, "CreatePullConsumer(\"\") returned NULL");
    if (dflt != NULL) {
        CHECK_EQ_STR(GetPullConsumerGroupID(dflt), "DEFAULT_CONSUMER", "group of CreatePullConsumer(\"\")");
        SUCCEEDS(SetPullConsumerNameServerAddress(dflt, g_namesrv));
        FAILS_WITH(PULLCONSUMER_START_FAILED, "DEFAULT_CONSUMER", StartPullConsumer(dflt));
        SUCCEEDS(DestroyPullConsumer(dflt));
    }
}

int main(int argc, char** argv)
{
    rb_reader* reader;
    const char* e;
    long long t0 = rb_now_ms();

    if (argc < 2) {
        fprintf(stderr, "usage: %s NAMESRV [TOPIC]\n", argv[0]);
        return 2;
    }
    g_namesrv = argv[1];
    g_topic = argc > 2 ? argv[2] : "rmq_c_misc";
    snprintf(g_run, sizeof g_run, "%ld-%lld", (long)getpid(), (long long)time(NULL));
    pthread_mutex_init(&g_cb.lock, NULL);
    pthread_cond_init(&g_cb.cond, NULL);

    /* Before anything failed, the main thread's text is "" too. */
    e = GetLatestErrorMessage();
    CHECK(e != NULL && e[0] == '\0', "GetLatestErrorMessage() at start is \"%s\"", e ? e : "(NULL)");

    /* The primer: a started pull consumer that never reaches the network. */
    g_prime = CreatePullConsumer("c_misuse_primer");
    CHECK(g_prime != NULL, "CreatePullConsumer (primer) returned NULL");
    if (g_prime == NULL) {
        return check_done();
    }
    SUCCEEDS(SetPullConsumerNameServerAddress(g_prime, "127.0.0.1:1"));
    SUCCEEDS(StartPullConsumer(g_prime));
    memset(&g_prime_mq, 0, sizeof g_prime_mq);
    snprintf(g_prime_mq.topic, sizeof g_prime_mq.topic, "primer");
    snprintf(g_prime_mq.brokerName, sizeof g_prime_mq.brokerName, "primer");

    test_error_message();
    test_messages();
    test_batch_handles();
    test_producer_nulls();
    test_push_consumer();
    test_pull_consumer();
    test_start_failures();

    reader = rb_open(g_namesrv, g_topic);
    CHECK(reader != NULL, "cannot read topic %s from %s", g_topic, g_namesrv);
    if (reader != NULL) {
        test_producer_lifecycle(reader);
        test_namesrv_sources(reader);
        rb_close(reader);
    }
    test_unreachable();
    test_send_timeouts();

    CHECK_EQ_INT(g_unexpected_callbacks, 0, "callbacks of sends that returned a failure code");
    SUCCEEDS(ShutdownPullConsumer(g_prime));
    SUCCEEDS(DestroyPullConsumer(g_prime));
    printf("test_misuse: %lld ms\n", rb_now_ms() - t0);
    return check_done();
}
