/*
 * test_producer.c - every producer function of CProducer.h against a real broker; every send is
 * read back with the pull consumer (readback.c) and compared field by field.
 *
 *   test_producer NAMESRV [TOPIC]      (TOPIC: 8 queues, default rmq_c_test)
 *
 * The delay-level message is sent first and checked last, so its ~5 s delay overlaps the rest.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CMessage.h>
#include <rocketmq/CMessageExt.h>
#include <rocketmq/CProducer.h>

#include "check.h"
#include "readback.h"

#define FIND_TIMEOUT_MS 15000
#define CALLBACK_TIMEOUT_MS 15000
#define DELAY_LEVEL2_MS 5000
/* The delayed message must not be visible before this much of its delay has passed. */
#define DELAY_MIN_MS (DELAY_LEVEL2_MS * 8 / 10)
#define DELAY_DEADLINE_MS 30000

/* Non-ASCII UTF-8 text ("grün — 日本"), written as separate literals so no hex escape overruns. */
#define UTF8_TEXT "gr\xc3\xbc" "n \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac"

static const char* g_namesrv;
static const char* g_topic;
static char g_run[64];
static rb_reader* g_reader;

/* ------------------------------------------------------------------------------------------ */

static void make_name(char* buf, size_t n, const char* what)
{
    snprintf(buf, n, "c-%s-%s", what, g_run);
}

static int is_upper_hex(const char* s, size_t len)
{
    size_t i;
    if (s == NULL || strlen(s) != len) {
        return 0;
    }
    for (i = 0; i < len; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

/* Checks that the caller's message got UNIQ_KEY == the returned msgId. */
static void check_uniq_key(CMessage* msg, const char* msg_id, const char* what)
{
    const char* uniq = GetOriginMessageProperty(msg, "UNIQ_KEY");
    CHECK(uniq != NULL && msg_id != NULL && strcmp(uniq, msg_id) == 0,
          "%s: caller's UNIQ_KEY \"%s\" != msgId \"%s\"", what, uniq ? uniq : "(NULL)", msg_id ? msg_id : "(NULL)");
}

/* Field-by-field comparison of a read-back message with what was sent. */
static void check_fields(const rb_msg* m, const char* what, const char* tags, const char* keys, const char* body,
                         int body_len)
{
    char label[160];
    snprintf(label, sizeof label, "%s: topic", what);
    CHECK_EQ_STR(m->topic, g_topic, label);
    if (tags != NULL) {
        snprintf(label, sizeof label, "%s: tags", what);
        CHECK_EQ_STR(m->tags, tags, label);
    }
    if (keys != NULL) {
        snprintf(label, sizeof label, "%s: keys", what);
        CHECK_EQ_STR(m->keys, keys, label);
    }
    if (body != NULL) {
        CHECK(m->body_len == body_len, "%s: body length %d, expected %d", what, m->body_len, body_len);
        CHECK(m->body_len == body_len && memcmp(m->body, body, (size_t)body_len) == 0, "%s: body differs", what);
    }
    CHECK(m->queue_id == m->pulled_queue_id, "%s: GetMessageQueueId %d but pulled from queue %d", what, m->queue_id,
          m->pulled_queue_id);
    CHECK(m->queue_offset >= rb_start_offset(g_reader, m->pulled_queue_id),
          "%s: queue offset %lld before the start offset %lld", what, m->queue_offset,
          rb_start_offset(g_reader, m->pulled_queue_id));
    CHECK(m->reconsume_times == 0, "%s: reconsume times %d", what, m->reconsume_times);
    CHECK(m->store_size > 0, "%s: store size %d", what, m->store_size);
    CHECK(m->born_timestamp > 1500000000000LL && m->store_timestamp >= m->born_timestamp - 60000,
          "%s: born %lld / store %lld timestamps", what, m->born_timestamp, m->store_timestamp);
    CHECK(m->store_host != NULL && strchr(m->store_host, ':') != NULL, "%s: store host \"%s\"", what,
          m->store_host ? m->store_host : "(NULL)");
    CHECK(m->born_host != NULL && strchr(m->born_host, ':') != NULL, "%s: born host \"%s\"", what,
          m->born_host ? m->born_host : "(NULL)");
    CHECK(m->commit_log_offset >= 0, "%s: commit log offset %lld", what, m->commit_log_offset);
}

/* Reads back by msgId and checks the id and the queue offset of the send result. */
static const rb_msg* read_back(const CSendResult* r, const char* what)
{
    const rb_msg* m = rb_find_by_id(g_reader, r->msgId, FIND_TIMEOUT_MS);
    CHECK(m != NULL, "%s: message %s not read back within %d ms (%s)", what, r->msgId, FIND_TIMEOUT_MS,
          rb_last_error(g_reader));
    if (m == NULL) {
        return NULL;
    }
    CHECK_EQ_STR(m->msg_id, r->msgId, what);
    CHECK(m->queue_offset == r->offset, "%s: CSendResult.offset %lld != GetMessageQueueOffset %lld", what, r->offset,
          m->queue_offset);
    return m;
}

static CMessage* new_message(const char* tags, const char* keys, const char* body)
{
    CMessage* msg = CreateMessage(g_topic);
    CHECK(msg != NULL, "CreateMessage returned NULL");
    if (msg == NULL) {
        return NULL;
    }
    if (tags != NULL) {
        CHECK_EQ_INT(SetMessageTags(msg, tags), 0, "SetMessageTags");
    }
    if (keys != NULL) {
        CHECK_EQ_INT(SetMessageKeys(msg, keys), 0, "SetMessageKeys");
    }
    if (body != NULL) {
        CHECK_EQ_INT(SetMessageBody(msg, body), 0, "SetMessageBody");
    }
    return msg;
}

/* ------------------------------------------------------------------------------------------ */
/* Completion of asynchronous sends: a mutex + condition variable, waited on with a deadline.  */

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
    int ok;
    CSendResult result;
    char error[600];
    CMessage* msg;
    void* user_data;
    pthread_t thread;
} completion;

static completion g_async;

static void completion_reset(completion* c)
{
    pthread_mutex_lock(&c->lock);
    c->done = 0;
    c->ok = 0;
    memset(&c->result, 0, sizeof c->result);
    c->error[0] = '\0';
    c->msg = NULL;
    c->user_data = NULL;
    pthread_mutex_unlock(&c->lock);
}

static void completion_finish(completion* c, int ok, const CSendResult* r, const CMQException* e, CMessage* msg,
                              void* user_data)
{
    pthread_mutex_lock(&c->lock);
    c->done++;
    c->ok = ok;
    if (r != NULL) {
        c->result = *r;
    }
    if (e != NULL) {
        snprintf(c->error, sizeof c->error, "error %d: %.*s", e->error, (int)sizeof e->msg, e->msg);
    }
    c->msg = msg;
    c->user_data = user_data;
    c->thread = pthread_self();
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

/* Waits until a callback ran; 1 when it did, 0 on timeout. */
static int completion_wait(completion* c, int timeout_ms)
{
    struct timespec until;
    int done;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&c->lock);
    while (!c->done) {
        if (pthread_cond_timedwait(&c->cond, &c->lock, &until) == ETIMEDOUT) {
            break;
        }
    }
    done = c->done;
    pthread_mutex_unlock(&c->lock);
    return done;
}

static void on_success(CSendResult r)
{
    completion_finish(&g_async, 1, &r, NULL, NULL, NULL);
}

static void on_exception(CMQException e)
{
    completion_finish(&g_async, 0, NULL, &e, NULL, NULL);
}

static void on_success_ud(CSendResult r, CMessage* msg, void* user_data)
{
    completion_finish(&g_async, 1, &r, NULL, msg, user_data);
}

static void on_exception_ud(CMQException e, CMessage* msg, void* user_data)
{
    completion_finish(&g_async, 0, NULL, &e, msg, user_data);
}

/* ------------------------------------------------------------------------------------------ */
/* Queue selectors.                                                                            */

typedef struct {
    int pick;
    int calls;
    int size;
    CMessage* msg;
    void* arg;
    pthread_t thread;
} selector_arg;

static int select_queue(int size, CMessage* msg, void* arg)
{
    selector_arg* s = arg;
    s->calls++;
    s->size = size;
    s->msg = msg;
    s->arg = arg;
    s->thread = pthread_self();
    return s->pick;
}

static void check_selector(const selector_arg* s, CMessage* msg, const char* what)
{
    CHECK(s->calls == 1, "%s: selector called %d times", what, s->calls);
    CHECK(s->size == 8, "%s: selector got size %d, expected 8", what, s->size);
    CHECK(s->msg == msg, "%s: selector got msg %p, expected the caller's %p", what, (void*)s->msg, (void*)msg);
    CHECK(s->arg == (const void*)s, "%s: selector got arg %p, expected %p", what, s->arg, (const void*)s);
    CHECK(s->calls == 0 || pthread_equal(s->thread, pthread_self()), "%s: selector ran on another thread", what);
}

/* ------------------------------------------------------------------------------------------ */

typedef struct {
    char key[128];
    long long sent_ms;
    CSendResult result;
    int sent;
} delayed_send;

static void send_delayed(CProducer* p, delayed_send* d)
{
    char body[160];
    CMessage* msg;
    int rc;
    make_name(d->key, sizeof d->key, "delay");
    snprintf(body, sizeof body, "delayed body %s " UTF8_TEXT, g_run);
    msg = new_message("TagDelay", d->key, body);
    if (msg == NULL) {
        return;
    }
    CHECK_EQ_INT(GetOriginDelayTimeLevel(msg), 0, "GetOriginDelayTimeLevel before SetDelayTimeLevel");
    CHECK_EQ_INT(SetDelayTimeLevel(msg, 2), 0, "SetDelayTimeLevel(2)");
    CHECK_EQ_INT(GetOriginDelayTimeLevel(msg), 2, "GetOriginDelayTimeLevel");
    CHECK_EQ_STR(GetOriginMessageProperty(msg, "DELAY"), "2", "DELAY property of the caller's message");
    d->sent_ms = rb_now_ms();
    rc = SendMessageSync(p, msg, &d->result);
    CHECK(rc == 0, "SendMessageSync (delay level 2) = %d: %s", rc, GetLatestErrorMessage());
    d->sent = rc == 0;
    if (d->sent) {
        check_uniq_key(msg, d->result.msgId, "delayed send");
        /* One immediate look: it must not be in the topic yet. */
        rb_poll(g_reader);
        CHECK(rb_lookup_by_key(g_reader, d->key) == NULL, "delayed message visible right after the send");
    }
    DestroyMessage(msg);
}

static void check_delayed(const delayed_send* d)
{
    const rb_msg* m;
    char body[160];
    if (!d->sent) {
        return;
    }
    /* Until most of the delay has passed, the message must stay invisible. */
    while (rb_now_ms() < d->sent_ms + DELAY_MIN_MS) {
        struct timespec ts = {0, 100 * 1000000L};
        rb_poll(g_reader);
        if (rb_lookup_by_key(g_reader, d->key) != NULL) {
            break;
        }
        nanosleep(&ts, NULL);
    }
    m = rb_find_by_key(g_reader, d->key, (int)(d->sent_ms + DELAY_DEADLINE_MS - rb_now_ms()));
    CHECK(m != NULL, "delayed message %s not delivered within %d ms", d->key, DELAY_DEADLINE_MS);
    if (m == NULL) {
        return;
    }
    CHECK(m->seen_ms - d->sent_ms >= DELAY_MIN_MS, "delayed message visible after %lld ms, expected >= %d ms",
          m->seen_ms - d->sent_ms, DELAY_MIN_MS);
    CHECK(m->store_timestamp - m->born_timestamp >= DELAY_MIN_MS,
          "delayed message stored %lld ms after it was born, expected >= %d ms",
          m->store_timestamp - m->born_timestamp, DELAY_MIN_MS);
    CHECK_EQ_INT(m->delay_level, 2, "GetMessageDelayTimeLevel of the delivered message");
    CHECK_EQ_STR(m->msg_id, d->result.msgId, "delayed message: GetMessageId == msgId returned by the send");
    snprintf(body, sizeof body, "delayed body %s " UTF8_TEXT, g_run);
    check_fields(m, "delayed message", "TagDelay", d->key, body, (int)strlen(body));
    printf("delay level 2: visible after %lld ms (stored %lld ms after birth)\n", m->seen_ms - d->sent_ms,
           m->store_timestamp - m->born_timestamp);
}

/* ------------------------------------------------------------------------------------------ */

static void test_sync_and_getters(CProducer* p)
{
    char key[128], keys[300], body[200];
    CSendResult r;
    CMessage* msg;
    const rb_msg* m;
    int rc;

    make_name(key, sizeof key, "sync");
    snprintf(keys, sizeof keys, "%s %s-second", key, key);
    snprintf(body, sizeof body, "sync body %s " UTF8_TEXT, g_run);
    msg = new_message("TagSync", keys, body);
    if (msg == NULL) {
        return;
    }
    CHECK_EQ_INT(SetMessageProperty(msg, "prop_utf8", "v=" UTF8_TEXT), 0, "SetMessageProperty(prop_utf8)");
    CHECK_EQ_INT(SetMessageProperty(msg, "prop_ascii", "plain value"), 0, "SetMessageProperty(prop_ascii)");

    /* CMessage.h getters on the outgoing message. */
    CHECK_EQ_STR(GetOriginMessageTopic(msg), g_topic, "GetOriginMessageTopic");
    CHECK_EQ_STR(GetOriginMessageTags(msg), "TagSync", "GetOriginMessageTags");
    CHECK_EQ_STR(GetOriginMessageKeys(msg), keys, "GetOriginMessageKeys");
    CHECK_EQ_STR(GetOriginMessageBody(msg), body, "GetOriginMessageBody");
    CHECK_EQ_INT(GetOriginMessageBodyLength(msg), strlen(body), "GetOriginMessageBodyLength");
    CHECK_EQ_STR(GetOriginMessageProperty(msg, "prop_utf8"), "v=" UTF8_TEXT, "GetOriginMessageProperty(prop_utf8)");
    CHECK_EQ_STR(GetOriginMessageProperty(msg, "absent_prop"), "", "GetOriginMessageProperty(absent)");
    CHECK_EQ_STR(GetOriginMessageProperty(msg, "UNIQ_KEY"), "", "UNIQ_KEY before the send");
    CHECK_EQ_INT(GetOriginDelayTimeLevel(msg), 0, "GetOriginDelayTimeLevel (none)");
    /* The CMessageExt getters accept a CMessage* (deviation of ours, used by the Python package). */
    CHECK_EQ_STR(GetMessageTopic((CMessageExt*)msg), g_topic, "GetMessageTopic on a CMessage*");
    CHECK_EQ_STR(GetMessageKeys((CMessageExt*)msg), keys, "GetMessageKeys on a CMessage*");

    memset(&r, 0x5a, sizeof r);
    rc = SendMessageSync(p, msg, &r);
    CHECK(rc == 0, "SendMessageSync = %d: %s", rc, GetLatestErrorMessage());
    if (rc != 0) {
        DestroyMessage(msg);
        return;
    }
    CHECK_EQ_INT(r.sendStatus, E_SEND_OK, "SendMessageSync sendStatus");
    CHECK(is_upper_hex(r.msgId, 32), "SendMessageSync msgId \"%.*s\" is not 32 upper-case hex digits", 255, r.msgId);
    CHECK(r.offset >= 0, "SendMessageSync offset %lld", r.offset);
    check_uniq_key(msg, r.msgId, "SendMessageSync");
    CHECK_EQ_STR(GetMessageId((CMessageExt*)msg), r.msgId, "GetMessageId on the sent CMessage*");
    /* The caller's message is otherwise unchanged. */
    CHECK_EQ_STR(GetOriginMessageBody(msg), body, "caller's body after the send");
    CHECK_EQ_STR(GetOriginMessageTopic(msg), g_topic, "caller's topic after the send");

    m = read_back(&r, "SendMessageSync");
    if (m != NULL) {
        check_fields(m, "SendMessageSync", "TagSync", keys, body, (int)strlen(body));
        CHECK_EQ_STR(rb_prop(m, "prop_utf8"), "v=" UTF8_TEXT, "read-back prop_utf8");
        CHECK_EQ_STR(rb_prop(m, "prop_ascii"), "plain value", "read-back prop_ascii");
        CHECK_EQ_STR(rb_prop(m, "UNIQ_KEY"), r.msgId, "read-back UNIQ_KEY");
        CHECK_EQ_INT(m->delay_level, 0, "read-back delay level");
        CHECK_EQ_STR(rb_prop(m, "DELAY"), "", "read-back DELAY property");
        /* Found by either of its keys. */
        {
            char second[160];
            snprintf(second, sizeof second, "%s-second", key);
            CHECK(rb_find_by_key(g_reader, second, FIND_TIMEOUT_MS) == m, "second key does not find the message");
        }
    }
    DestroyMessage(msg);
}

static void fill_binary(char* buf, int len)
{
    int i;
    for (i = 0; i < len; i++) {
        buf[i] = (char)(unsigned char)((i * 7 + i / 256) & 0xff);
    }
}

static void test_binary_bodies(CProducer* p)
{
    static char small[256];
    static char big[10 * 1024];
    char key[128];
    int i, rc;
    CSendResult r;
    CMessage* msg;
    const rb_msg* m;

    /* 256 bytes, every byte value once (NUL included). */
    for (i = 0; i < 256; i++) {
        small[i] = (char)(unsigned char)i;
    }
    make_name(key, sizeof key, "binary");
    msg = new_message("TagBinary", key, NULL);
    if (msg == NULL) {
        return;
    }
    CHECK_EQ_INT(SetByteMessageBody(msg, small, (int)sizeof small), 0, "SetByteMessageBody(256)");
    CHECK_EQ_INT(GetOriginMessageBodyLength(msg), 256, "GetOriginMessageBodyLength (binary)");
    CHECK(memcmp(GetOriginMessageBody(msg), small, sizeof small) == 0, "GetOriginMessageBody (binary) differs");
    rc = SendMessageSync(p, msg, &r);
    CHECK(rc == 0, "SendMessageSync (binary) = %d: %s", rc, GetLatestErrorMessage());
    if (rc == 0) {
        check_uniq_key(msg, r.msgId, "binary send");
        m = read_back(&r, "binary body");
        if (m != NULL) {
            check_fields(m, "binary body", "TagBinary", key, small, (int)sizeof small);
        }
    }
    DestroyMessage(msg);

    /* 10 KiB with NULs, above the 4096-byte threshold: compressed on the wire and in the store. */
    fill_binary(big, (int)sizeof big);
    make_name(key, sizeof key, "compressed");
    msg = new_message("TagCompressed", key, NULL);
    if (msg == NULL) {
        return;
    }
    CHECK_EQ_INT(SetByteMessageBody(msg, big, (int)sizeof big), 0, "SetByteMessageBody(10 KiB)");
    CHECK_EQ_INT(GetOriginMessageBodyLength(msg), (int)sizeof big, "GetOriginMessageBodyLength (10 KiB)");
    rc = SendMessageSync(p, msg, &r);
    CHECK(rc == 0, "SendMessageSync (10 KiB) = %d: %s", rc, GetLatestErrorMessage());
    if (rc == 0) {
        check_uniq_key(msg, r.msgId, "10 KiB send");
        m = read_back(&r, "10 KiB body");
        if (m != NULL) {
            check_fields(m, "10 KiB body", "TagCompressed", key, big, (int)sizeof big);
            CHECK(m->store_size < (int)sizeof big, "10 KiB body: store size %d, so the body was not compressed",
                  m->store_size);
        }
    }
    DestroyMessage(msg);
}

static void test_batch(CProducer* p)
{
    char keys[3][128], bodies[3][128], tags[3][32], props[3][32];
    CBatchMessage* batch = CreateBatchMessage();
    const rb_msg* got[3] = {NULL, NULL, NULL};
    CSendResult r;
    int i, rc;

    CHECK(batch != NULL, "CreateBatchMessage returned NULL");
    if (batch == NULL) {
        return;
    }
    for (i = 0; i < 3; i++) {
        char what[16];
        CMessage* msg;
        snprintf(what, sizeof what, "batch%d", i);
        make_name(keys[i], sizeof keys[i], what);
        snprintf(bodies[i], sizeof bodies[i], "batch body %d %s " UTF8_TEXT, i, g_run);
        snprintf(tags[i], sizeof tags[i], "TagBatch%d", i);
        snprintf(props[i], sizeof props[i], "batch value %d", i);
        msg = new_message(tags[i], keys[i], bodies[i]);
        if (msg == NULL) {
            continue;
        }
        CHECK_EQ_INT(SetMessageProperty(msg, "prop_utf8", UTF8_TEXT), 0, "SetMessageProperty (batch)");
        CHECK_EQ_INT(SetMessageProperty(msg, "prop_ascii", props[i]), 0, "SetMessageProperty (batch)");
        CHECK_EQ_INT(AddMessage(batch, msg), 0, "AddMessage");
        /* AddMessage copies: a later change must not reach the batch. */
        CHECK_EQ_INT(SetMessageBody(msg, "changed after AddMessage"), 0, "SetMessageBody after AddMessage");
        DestroyMessage(msg);
    }
    rc = SendBatchMessage(p, batch, &r);
    CHECK(rc == 0, "SendBatchMessage = %d: %s", rc, GetLatestErrorMessage());
    DestroyBatchMessage(batch);
    if (rc != 0) {
        return;
    }
    CHECK_EQ_INT(r.sendStatus, E_SEND_OK, "SendBatchMessage sendStatus");
    /* Our msgId is the ids of the batch joined by commas, in batch order (2.2.0 returned ""):
     * each one must be on the broker, as the message added at that place. */
    {
        char ids[sizeof r.msgId];
        char* id[3] = {NULL, NULL, NULL};
        char* save = NULL;
        int n = 0;
        char* tok;
        memcpy(ids, r.msgId, sizeof ids);
        ids[sizeof ids - 1] = '\0';
        for (tok = strtok_r(ids, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
            if (n < 3) {
                id[n] = tok;
            }
            n++;
        }
        CHECK(n == 3, "SendBatchMessage msgId \"%s\" is not 3 ids joined by commas", r.msgId);
        for (i = 0; i < 3 && i < n; i++) {
            char what[32];
            snprintf(what, sizeof what, "batch message %d", i);
            CHECK(is_upper_hex(id[i], 32), "%s: id %d of SendBatchMessage's msgId is \"%s\"", what, i, id[i]);
            got[i] = rb_find_by_id(g_reader, id[i], FIND_TIMEOUT_MS);
            CHECK(got[i] != NULL, "%s (id %s) not read back", what, id[i]);
            if (got[i] != NULL) {
                check_fields(got[i], what, tags[i], keys[i], bodies[i], (int)strlen(bodies[i]));
                CHECK_EQ_STR(rb_prop(got[i], "prop_utf8"), UTF8_TEXT, what);
                CHECK_EQ_STR(rb_prop(got[i], "prop_ascii"), props[i], what);
                CHECK_EQ_STR(got[i]->msg_id, id[i], what);
            }
        }
    }
    if (got[0] && got[1] && got[2]) {
        /* One request: one queue, consecutive offsets, the first one in the result. */
        CHECK(got[0]->queue_id == got[1]->queue_id && got[1]->queue_id == got[2]->queue_id,
              "batch spread over queues %d %d %d", got[0]->queue_id, got[1]->queue_id, got[2]->queue_id);
        CHECK(got[1]->queue_offset == got[0]->queue_offset + 1 && got[2]->queue_offset == got[0]->queue_offset + 2,
              "batch offsets %lld %lld %lld not consecutive", got[0]->queue_offset, got[1]->queue_offset,
              got[2]->queue_offset);
        CHECK(r.offset == got[0]->queue_offset, "SendBatchMessage offset %lld != first message's offset %lld",
              r.offset, got[0]->queue_offset);
    }
}

static void test_send_message_async(CProducer* p)
{
    char key[128], body[160];
    CMessage* msg;
    int rc;

    make_name(key, sizeof key, "async");
    snprintf(body, sizeof body, "async body %s " UTF8_TEXT, g_run);
    msg = new_message("TagAsync", key, body);
    if (msg == NULL) {
        return;
    }
    completion_reset(&g_async);
    rc = SendMessageAsync(p, msg, on_success, on_exception);
    CHECK(rc == 0, "SendMessageAsync = %d: %s", rc, GetLatestErrorMessage());
    if (rc == 0) {
        int done = completion_wait(&g_async, CALLBACK_TIMEOUT_MS);
        CHECK(done == 1, "SendMessageAsync: %d callbacks within %d ms", done, CALLBACK_TIMEOUT_MS);
        CHECK(g_async.ok, "SendMessageAsync: exception callback: %s", g_async.error);
        if (done && g_async.ok) {
            const rb_msg* m;
            CSendResult r = g_async.result;
            CHECK_EQ_INT(r.sendStatus, E_SEND_OK, "SendMessageAsync sendStatus");
            CHECK(!pthread_equal(g_async.thread, pthread_self()), "SendMessageAsync: callback ran on the caller's thread");
            check_uniq_key(msg, r.msgId, "SendMessageAsync");
            m = read_back(&r, "SendMessageAsync");
            if (m != NULL) {
                check_fields(m, "SendMessageAsync", "TagAsync", key, body, (int)strlen(body));
            }
        }
    }
    DestroyMessage(msg);
}

static void test_send_async(CProducer* p)
{
    char key[128], body[160];
    int user_data = 42;
    CMessage* msg;
    int rc;

    make_name(key, sizeof key, "sendasync");
    snprintf(body, sizeof body, "SendAsync body %s", g_run);
    msg = new_message("TagSendAsync", key, body);
    if (msg == NULL) {
        return;
    }
    completion_reset(&g_async);
    rc = SendAsync(p, msg, on_success_ud, on_exception_ud, &user_data);
    CHECK(rc == 0, "SendAsync = %d: %s", rc, GetLatestErrorMessage());
    if (rc == 0) {
        int done = completion_wait(&g_async, CALLBACK_TIMEOUT_MS);
        CHECK(done == 1, "SendAsync: %d callbacks within %d ms", done, CALLBACK_TIMEOUT_MS);
        CHECK(g_async.ok, "SendAsync: exception callback: %s", g_async.error);
        CHECK(g_async.msg == msg, "SendAsync: callback got msg %p, expected the caller's %p", (void*)g_async.msg,
              (void*)msg);
        CHECK(g_async.user_data == &user_data, "SendAsync: callback got userData %p, expected %p", g_async.user_data,
              (void*)&user_data);
        if (done && g_async.ok) {
            CSendResult r = g_async.result;
            const rb_msg* m;
            check_uniq_key(msg, r.msgId, "SendAsync");
            m = read_back(&r, "SendAsync");
            if (m != NULL) {
                check_fields(m, "SendAsync", "TagSendAsync", key, body, (int)strlen(body));
            }
        }
    }
    DestroyMessage(msg);
}

static void test_oneway(CProducer* p)
{
    char key[128], body[160];
    CMessage* msg;
    selector_arg sel;
    const rb_msg* m;
    int rc;

    /* SendMessageOneway: found by key. */
    make_name(key, sizeof key, "oneway");
    snprintf(body, sizeof body, "oneway body %s " UTF8_TEXT, g_run);
    msg = new_message("TagOneway", key, body);
    if (msg == NULL) {
        return;
    }
    rc = SendMessageOneway(p, msg);
    CHECK(rc == 0, "SendMessageOneway = %d: %s", rc, GetLatestErrorMessage());
    if (rc == 0) {
        m = rb_find_by_key(g_reader, key, FIND_TIMEOUT_MS);
        CHECK(m != NULL, "SendMessageOneway: %s not read back", key);
        if (m != NULL) {
            check_fields(m, "SendMessageOneway", "TagOneway", key, body, (int)strlen(body));
            check_uniq_key(msg, m->msg_id, "SendMessageOneway (caller's UNIQ_KEY vs read-back id)");
        }
    }
    DestroyMessage(msg);

    /* SendMessageOnewayOrderly: the selector picks queue 5. */
    make_name(key, sizeof key, "oneway-orderly");
    snprintf(body, sizeof body, "oneway orderly body %s", g_run);
    msg = new_message("TagOnewayOrderly", key, body);
    if (msg == NULL) {
        return;
    }
    memset(&sel, 0, sizeof sel);
    sel.pick = 5;
    rc = SendMessageOnewayOrderly(p, msg, select_queue, &sel);
    CHECK(rc == 0, "SendMessageOnewayOrderly = %d: %s", rc, GetLatestErrorMessage());
    check_selector(&sel, msg, "SendMessageOnewayOrderly");
    if (rc == 0) {
        m = rb_find_by_key(g_reader, key, FIND_TIMEOUT_MS);
        CHECK(m != NULL, "SendMessageOnewayOrderly: %s not read back", key);
        if (m != NULL) {
            check_fields(m, "SendMessageOnewayOrderly", "TagOnewayOrderly", key, body, (int)strlen(body));
            CHECK_EQ_INT(m->queue_id, 5, "SendMessageOnewayOrderly queue");
            check_uniq_key(msg, m->msg_id, "SendMessageOnewayOrderly (caller's UNIQ_KEY vs read-back id)");
        }
    }
    DestroyMessage(msg);
}

static void test_orderly(CProducer* p)
{
    char key[128], body[160];
    CMessage* msg;
    selector_arg sel;
    CSendResult r;
    const rb_msg* m;
    int rc;

    /* SendMessageOrderly: the selector gets 8 and the caller's pointers, picks queue 3. */
    make_name(key, sizeof key, "orderly");
    snprintf(body, sizeof body, "orderly body %s " UTF8_TEXT, g_run);
    msg = new_message("TagOrderly", key, body);
    if (msg == NULL) {
        return;
    }
    memset(&sel, 0, sizeof sel);
    sel.pick = 3;
    rc = SendMessageOrderly(p, msg, select_queue, &sel, 1, &r);
    CHECK(rc == 0, "SendMessageOrderly = %d: %s", rc, GetLatestErrorMessage());
    check_selector(&sel, msg, "SendMessageOrderly");
    if (rc == 0) {
        CHECK_EQ_INT(r.sendStatus, E_SEND_OK, "SendMessageOrderly sendStatus");
        check_uniq_key(msg, r.msgId, "SendMessageOrderly");
        m = read_back(&r, "SendMessageOrderly");
        if (m != NULL) {
            check_fields(m, "SendMessageOrderly", "TagOrderly", key, body, (int)strlen(body));
            CHECK_EQ_INT(m->queue_id, 3, "SendMessageOrderly queue");
        }
    }
    DestroyMessage(msg);

    /* SendMessageOrderlyAsync: the selector picks queue 6; the success callback's result is read back. */
    make_name(key, sizeof key, "orderly-async");
    snprintf(body, sizeof body, "orderly async body %s", g_run);
    msg = new_message("TagOrderlyAsync", key, body);
    if (msg == NULL) {
        return;
    }
    memset(&sel, 0, sizeof sel);
    sel.pick = 6;
    completion_reset(&g_async);
    rc = SendMessageOrderlyAsync(p, msg, select_queue, &sel, on_success, on_exception);
    CHECK(rc == 0, "SendMessageOrderlyAsync = %d: %s", rc, GetLatestErrorMessage());
    check_selector(&sel, msg, "SendMessageOrderlyAsync");
    if (rc == 0) {
        int done = completion_wait(&g_async, CALLBACK_TIMEOUT_MS);
        CHECK(done == 1, "SendMessageOrderlyAsync: %d callbacks within %d ms", done, CALLBACK_TIMEOUT_MS);
        CHECK(g_async.ok, "SendMessageOrderlyAsync: exception callback: %s", g_async.error);
        if (done && g_async.ok) {
            r = g_async.result;
            check_uniq_key(msg, r.msgId, "SendMessageOrderlyAsync");
            m = read_back(&r, "SendMessageOrderlyAsync");
            if (m != NULL) {
                check_fields(m, "SendMessageOrderlyAsync", "TagOrderlyAsync", key, body, (int)strlen(body));
                CHECK_EQ_INT(m->queue_id, 6, "SendMessageOrderlyAsync queue");
            }
        }
    }
    DestroyMessage(msg);
}

static void test_sharding_keys(CProducer* p)
{
    static const struct {
        const char* key;
        int queue;
    } vectors[] = {
        {"order0", 4}, {"order1", 6}, {"order2", 1}, {"order3", 1}, {"order4", 3}, {"order5", 2},  {"order6", 2},
        {"order7", 3}, {"order8", 3}, {"order9", 3}, {"a", 3},      {"orderId", 4}, {"order-123", 7}, {"", 6},
    };
    size_t i;
    CSendResult results[sizeof vectors / sizeof vectors[0]];
    int sent[sizeof vectors / sizeof vectors[0]];

    /* Send all, then read all back (one polling pass serves every look-up). */
    for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        char what[64], key[128], body[160];
        CMessage* msg;
        int rc;
        snprintf(what, sizeof what, "shard%u", (unsigned)i);
        make_name(key, sizeof key, what);
        snprintf(body, sizeof body, "sharding key \"%s\" %s", vectors[i].key, g_run);
        sent[i] = 0;
        msg = new_message("TagShard", key, body);
        if (msg == NULL) {
            continue;
        }
        rc = SendMessageOrderlyByShardingKey(p, msg, vectors[i].key, &results[i]);
        CHECK(rc == 0, "SendMessageOrderlyByShardingKey(\"%s\") = %d: %s", vectors[i].key, rc, GetLatestErrorMessage());
        if (rc == 0) {
            sent[i] = 1;
            CHECK_EQ_STR(GetOriginMessageProperty(msg, "__SHARDINGKEY"), vectors[i].key,
                         "caller's __SHARDINGKEY after SendMessageOrderlyByShardingKey");
            check_uniq_key(msg, results[i].msgId, "SendMessageOrderlyByShardingKey");
        }
        DestroyMessage(msg);
    }
    for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        char what[96];
        const rb_msg* m;
        if (!sent[i]) {
            continue;
        }
        snprintf(what, sizeof what, "sharding key \"%s\"", vectors[i].key);
        m = read_back(&results[i], what);
        if (m == NULL) {
            continue;
        }
        CHECK(m->queue_id == vectors[i].queue, "%s: queue %d, expected std::hash %% 8 = %d", what, m->queue_id,
              vectors[i].queue);
        CHECK_EQ_STR(rb_prop(m, "__SHARDINGKEY"), vectors[i].key, what);
    }
}

/* A producer with default settings takes bodies up to 128 KiB (2.2.0's default) and refuses a
 * larger one, before anything is sent, with a text that gives both sizes. */
static void test_default_max_size(void)
{
    static char body[128 * 1024 + 1];
    char group[128], key[128];
    CProducer* p;
    CMessage* msg;
    CSendResult r;
    const char* err;
    const rb_msg* m;
    int rc;

    make_name(group, sizeof group, "default-max-size");
    p = CreateProducer(group);
    CHECK(p != NULL, "CreateProducer returned NULL: %s", GetLatestErrorMessage());
    if (p == NULL) {
        return;
    }
    CHECK_EQ_INT(SetProducerNameServerAddress(p, g_namesrv), 0, "SetProducerNameServerAddress (default max size)");
    CHECK_EQ_INT(SetProducerInstanceName(p, group), 0, "SetProducerInstanceName (default max size)");
    CHECK_EQ_INT(StartProducer(p), 0, "StartProducer (default max size)");
    fill_binary(body, (int)sizeof body);
    make_name(key, sizeof key, "default-max");
    msg = new_message("TagDefaultMax", key, NULL);
    if (msg != NULL) {
        CHECK_EQ_INT(SetByteMessageBody(msg, body, (int)sizeof body), 0, "SetByteMessageBody(128 KiB + 1)");
        rc = SendMessageSync(p, msg, &r);
        err = GetLatestErrorMessage();
        CHECK(rc == PRODUCER_SEND_SYNC_FAILED, "send of 128 KiB + 1 with the default limit: rc %d, expected 11", rc);
        CHECK(err != NULL && strstr(err, "131073") != NULL && strstr(err, "131072") != NULL,
              "error text of the too-big send does not give both sizes: \"%s\"", err ? err : "(NULL)");
        CHECK_EQ_INT(SetByteMessageBody(msg, body, 128 * 1024), 0, "SetByteMessageBody(128 KiB)");
        rc = SendMessageSync(p, msg, &r);
        CHECK(rc == 0, "send of exactly 128 KiB with the default limit = %d: %s", rc, GetLatestErrorMessage());
        if (rc == 0) {
            m = read_back(&r, "128 KiB body");
            if (m != NULL) {
                check_fields(m, "128 KiB body", "TagDefaultMax", key, body, 128 * 1024);
            }
        }
        DestroyMessage(msg);
    }
    CHECK_EQ_INT(ShutdownProducer(p), 0, "ShutdownProducer (default max size)");
    CHECK_EQ_INT(DestroyProducer(p), 0, "DestroyProducer (default max size)");
}

/* A second producer made with CreateOrderlyProducer and a small maximum message size. */
static void test_orderly_producer_and_max_size(void)
{
    char group[128], inst[128], key[128];
    static char body[2000];
    CProducer* p;
    CMessage* msg;
    CSendResult r;
    const char* err;
    int rc;

    make_name(group, sizeof group, "orderly-producer");
    make_name(inst, sizeof inst, "inst2");
    p = CreateOrderlyProducer(group);
    CHECK(p != NULL, "CreateOrderlyProducer returned NULL: %s", GetLatestErrorMessage());
    if (p == NULL) {
        return;
    }
    CHECK_EQ_INT(SetProducerNameServerAddress(p, g_namesrv), 0, "SetProducerNameServerAddress (orderly)");
    CHECK_EQ_INT(SetProducerInstanceName(p, inst), 0, "SetProducerInstanceName (orderly)");
    CHECK_EQ_INT(SetProducerMaxMessageSize(p, 1000), 0, "SetProducerMaxMessageSize(1000)");
    CHECK_EQ_INT(StartProducer(p), 0, "StartProducer (orderly)");

    memset(body, 'x', sizeof body);
    make_name(key, sizeof key, "too-big");
    msg = new_message("TagTooBig", key, NULL);
    if (msg != NULL) {
        CHECK_EQ_INT(SetByteMessageBody(msg, body, 2000), 0, "SetByteMessageBody(2000)");
        rc = SendMessageSync(p, msg, &r);
        err = GetLatestErrorMessage();
        CHECK(rc == PRODUCER_SEND_SYNC_FAILED, "send of 2000 bytes with max 1000: rc %d, expected 11", rc);
        CHECK(err != NULL && strstr(err, "2000") != NULL && strstr(err, "1000") != NULL,
              "error text of the too-big send does not mention the sizes: \"%s\"", err ? err : "(NULL)");
        /* Exactly the maximum is fine. */
        CHECK_EQ_INT(SetByteMessageBody(msg, body, 1000), 0, "SetByteMessageBody(1000)");
        rc = SendMessageSync(p, msg, &r);
        CHECK(rc == 0, "send of 1000 bytes with max 1000 = %d: %s", rc, GetLatestErrorMessage());
        if (rc == 0) {
            const rb_msg* m = read_back(&r, "max-size body");
            if (m != NULL) {
                check_fields(m, "max-size body", "TagTooBig", key, body, 1000);
            }
        }
        DestroyMessage(msg);
    }
    CHECK_EQ_INT(ShutdownProducer(p), 0, "ShutdownProducer (orderly)");
    CHECK_EQ_INT(DestroyProducer(p), 0, "DestroyProducer (orderly)");
}

static void check_log_file(const char* dir)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/rocketmq_client.log", dir);
    CHECK(stat(path, &st) == 0, "log file %s missing after start+send", path);
    CHECK(stat(path, &st) == 0 && st.st_size > 0, "log file %s is empty", path);
}

static void remove_log_dir(const char* dir)
{
    char path[512];
    int i;
    snprintf(path, sizeof path, "%s/rocketmq_client.log", dir);
    unlink(path);
    for (i = 1; i < 10; i++) {
        snprintf(path, sizeof path, "%s/rocketmq_client.log.%d", dir, i);
        unlink(path);
    }
    rmdir(dir);
}

/* ---------------------------------------------------------------- setters, by their effect */

/* The group set with SetProducerGroupName (not the one CreateProducer got) is the group the broker
 * lists our client under: mqadmin producerConnection, polled while the heartbeat is on its way. */
static void check_producer_group(const char* created, const char* set, const char* instance)
{
    char args[512], out[8192];
    long long deadline = rb_now_ms() + 20000;
    int rc;
    snprintf(args, sizeof args, "producerConnection -g '%s' -t '%s'", set, g_topic);
    for (;;) {
        rc = rb_admin(g_namesrv, args, out, sizeof out);
        if ((rc == 0 && strstr(out, instance) != NULL) || rb_now_ms() >= deadline) {
            break;
        }
        {
            struct timespec ts = {0, 500 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    CHECK(rc == 0 && strstr(out, instance) != NULL,
          "mqadmin producerConnection -g %s (SetProducerGroupName) does not list instance %s (exit %d): %.600s", set,
          instance, rc, out);
    snprintf(args, sizeof args, "producerConnection -g '%s' -t '%s'", created, g_topic);
    rc = rb_admin(g_namesrv, args, out, sizeof out);
    CHECK(strstr(out, instance) == NULL, "mqadmin producerConnection -g %s (CreateProducer's group) lists instance %s",
          created, instance);
}

/* len bytes of words from a small vocabulary (compressible, but not trivially). */
static void words_body(char* out, int len)
{
    static const char* const words[] = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
                                        "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho",
                                        "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"};
    unsigned x = 1;
    int n = 0;
    while (n < len) {
        const char* w;
        x = (x * 1103515245u + 12345u) & 0x7fffffffu;
        w = words[(x >> 16) % (sizeof words / sizeof words[0])];
        while (*w != '\0' && n < len) {
            out[n++] = *w++;
        }
        if (n < len) {
            out[n++] = ' ';
        }
    }
    out[len] = '\0';
}

/* Sends body with p (tag TagCompress) and reads it back by id; NULL when that failed. */
static const rb_msg* send_compress_case(CProducer* p, const char* what, const char* body)
{
    char key[128];
    CMessage* msg;
    CSendResult r;
    const rb_msg* m = NULL;
    int rc;
    make_name(key, sizeof key, what);
    msg = new_message("TagCompress", key, body);
    if (msg == NULL) {
        return NULL;
    }
    rc = SendMessageSync(p, msg, &r);
    CHECK(rc == 0 && r.sendStatus == E_SEND_OK, "%s: SendMessageSync = %d: %s", what, rc, GetLatestErrorMessage());
    DestroyMessage(msg);
    if (rc == 0) {
        m = rb_find_by_id(g_reader, r.msgId, FIND_TIMEOUT_MS);
        CHECK(m != NULL, "%s (id %s) not read back", what, r.msgId);
    }
    if (m != NULL) {
        check_fields(m, what, "TagCompress", key, body, (int)strlen(body));
    }
    return m;
}

static CProducer* compress_producer(const char* what, int level, int threshold)
{
    char group[128];
    CProducer* p;
    make_name(group, sizeof group, what);
    p = CreateProducer(group);
    CHECK(p != NULL, "CreateProducer(%s): %s", group, GetLatestErrorMessage());
    if (p == NULL) {
        return NULL;
    }
    CHECK_EQ_INT(SetProducerNameServerAddress(p, g_namesrv), 0, "SetProducerNameServerAddress");
    CHECK_EQ_INT(SetProducerCompressLevel(p, level), 0, "SetProducerCompressLevel");
    CHECK_EQ_INT(SetProducerCompressMsgBodyOverHowmuch(p, threshold), 0, "SetProducerCompressMsgBodyOverHowmuch");
    if (StartProducer(p) != 0) {
        CHECK(0, "StartProducer (%s): %s", what, GetLatestErrorMessage());
        DestroyProducer(p);
        return NULL;
    }
    return p;
}

/* SetProducerCompressMsgBodyOverHowmuch and SetProducerCompressLevel, seen in what the broker
 * stored: the store size of a message holds its body as sent, zlib-compressed or not (the pull
 * gives the body back inflated, checked by check_fields). The same 3000-byte body: stored
 * compressed by a producer with threshold 1000, not by the default producer p (threshold 4096);
 * smaller at level 9 than at level 1 (zlib: 794 vs 879 bytes); a 900-byte body stays as is. */
static void test_compression(CProducer* p)
{
    static char big[3001], small[901];
    CProducer* fast = compress_producer("compress-l1", 1, 1000);
    CProducer* best = compress_producer("compress-l9", 9, 1000);
    const rb_msg *l1 = NULL, *l9 = NULL, *below = NULL, *plain = NULL;
    words_body(big, 3000);
    words_body(small, 900);
    if (fast != NULL) {
        l1 = send_compress_case(fast, "cmp-l1", big);
        below = send_compress_case(fast, "cmp-sm", small);
    }
    if (best != NULL) {
        l9 = send_compress_case(best, "cmp-l9", big);
    }
    plain = send_compress_case(p, "cmp-df", big);
    if (l1 != NULL) {
        CHECK(l1->store_size < 2000, "3000 bytes over a threshold of 1000 stored in %d bytes: not compressed",
              l1->store_size);
    }
    if (below != NULL) {
        CHECK(below->store_size > 900, "900 bytes under a threshold of 1000 stored in %d bytes: compressed",
              below->store_size);
    }
    if (plain != NULL) {
        CHECK(plain->store_size > 3000, "3000 bytes under a threshold of 4096 stored in %d bytes: compressed",
              plain->store_size);
    }
    if (l1 != NULL && l9 != NULL) {
        CHECK(l9->store_size < l1->store_size, "level 9 stored %d bytes, level 1 %d: SetProducerCompressLevel unused",
              l9->store_size, l1->store_size);
    }
    printf("compression: 3000 bytes stored in %d (level 1), %d (level 9), %d (threshold 4096); 900 bytes in %d\n",
           l1 ? l1->store_size : -1, l9 ? l9->store_size : -1, plain ? plain->store_size : -1,
           below ? below->store_size : -1);
    if (fast != NULL) {
        ShutdownProducer(fast);
        DestroyProducer(fast);
    }
    if (best != NULL) {
        ShutdownProducer(best);
        DestroyProducer(best);
    }
}

/* Lines of the file containing needle (-1 when it cannot be read). */
static int count_lines_with(const char* path, const char* needle)
{
    char line[1024];
    int n = 0;
    FILE* f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        n += strstr(line, needle) != NULL;
    }
    fclose(f);
    return n;
}

static long long file_size(const char* path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* SetProducerLogLevel and SetProducerLogFileNumAndSize, seen in the log files. A failed call
 * logs its reason at DEBUG ("SetProducerGroupName: ..."): not written at WARN, written at
 * DEBUG; with (2 files, 1 MiB) the log turns over at 1 MiB and keeps one older file. */
static void test_log_settings(void)
{
    char dir[64], log[128], old1[160], old2[160], group[128];
    CProducer* q;
    int i, n;
    make_name(group, sizeof group, "log-settings");
    q = CreateProducer(group);
    CHECK(q != NULL, "CreateProducer (log settings)");
    snprintf(dir, sizeof dir, "/tmp/rmq_c_log_XXXXXX");
    if (q == NULL || mkdtemp(dir) == NULL) {
        CHECK(0, "log settings: no producer or no directory");
        return;
    }
    snprintf(log, sizeof log, "%s/rocketmq_client.log", dir);
    snprintf(old1, sizeof old1, "%s.1", log);
    snprintf(old2, sizeof old2, "%s.2", log);
    CHECK_EQ_INT(SetProducerLogPath(q, dir), 0, "SetProducerLogPath");

    CHECK_EQ_INT(SetProducerLogLevel(q, E_LOG_LEVEL_WARN), 0, "SetProducerLogLevel(WARN)");
    for (i = 0; i < 100; i++) {
        SetProducerGroupName(NULL, "g");
    }
    n = count_lines_with(log, "SetProducerGroupName");
    CHECK(n <= 0, "level WARN: %d DEBUG lines of failed calls in %s", n, log);

    CHECK_EQ_INT(SetProducerLogLevel(q, E_LOG_LEVEL_DEBUG), 0, "SetProducerLogLevel(DEBUG)");
    for (i = 0; i < 100; i++) {
        SetProducerGroupName(NULL, "g");
    }
    n = count_lines_with(log, "SetProducerGroupName");
    CHECK(n == 100, "level DEBUG: %d of 100 failed calls logged in %s", n, log);

    /* ~2.5 MiB of lines (about 100 bytes each) through 1 MiB files, 2 of them */
    CHECK_EQ_INT(SetProducerLogFileNumAndSize(q, 2, 1), 0, "SetProducerLogFileNumAndSize(2, 1)");
    for (i = 0; i < 25000; i++) {
        SetProducerGroupName(NULL, "g");
    }
    CHECK(file_size(old1) > (1 << 20) - 1024 && file_size(old1) <= (1 << 20),
          "after 2.5 MiB with 1 MiB files, %s has %lld bytes", old1, file_size(old1));
    CHECK(file_size(log) > 0 && file_size(log) <= (1 << 20), "%s has %lld bytes, the limit is 1 MiB", log,
          file_size(log));
    CHECK(file_size(old2) < 0, "%s exists: more than the 2 files asked for", old2);

    SetProducerLogLevel(q, E_LOG_LEVEL_INFO);
    DestroyProducer(q);
    unlink(log);
    unlink(old1);
    unlink(old2);
    rmdir(dir);
}

int main(int argc, char** argv)
{
    char group[128], group2[128], inst[128], log_dir[64];
    CProducer* p;
    const char* version;
    delayed_send delayed;
    long long t0 = rb_now_ms();

    if (argc < 2) {
        fprintf(stderr, "usage: %s NAMESRV [TOPIC]\n", argv[0]);
        return 2;
    }
    g_namesrv = argv[1];
    g_topic = argc > 2 ? argv[2] : "rmq_c_test";
    snprintf(g_run, sizeof g_run, "%ld-%lld", (long)getpid(), (long long)time(NULL));
    pthread_mutex_init(&g_async.lock, NULL);
    pthread_cond_init(&g_async.cond, NULL);
    memset(&delayed, 0, sizeof delayed);

    g_reader = rb_open(g_namesrv, g_topic);
    CHECK(g_reader != NULL, "cannot read topic %s from %s", g_topic, g_namesrv);
    if (g_reader == NULL) {
        return check_done();
    }
    rb_capture_property(g_reader, "prop_utf8");
    rb_capture_property(g_reader, "prop_ascii");
    CHECK(rb_queue_count(g_reader) == 8, "topic %s has %d queues, the tests expect 8", g_topic, rb_queue_count(g_reader));

    /* The producer and its setters. */
    make_name(group, sizeof group, "producer-created");
    make_name(group2, sizeof group2, "producer");
    make_name(inst, sizeof inst, "inst");
    p = CreateProducer(group);
    CHECK(p != NULL, "CreateProducer returned NULL: %s", GetLatestErrorMessage());
    if (p == NULL) {
        rb_close(g_reader);
        return check_done();
    }
    snprintf(log_dir, sizeof log_dir, "/tmp/rmq_c_log_XXXXXX");
    CHECK(mkdtemp(log_dir) != NULL, "mkdtemp failed");
    CHECK_EQ_INT(SetProducerNameServerAddress(p, g_namesrv), 0, "SetProducerNameServerAddress");
    CHECK_EQ_INT(SetProducerGroupName(p, group2), 0, "SetProducerGroupName");
    CHECK_EQ_INT(SetProducerInstanceName(p, inst), 0, "SetProducerInstanceName");
    CHECK_EQ_INT(SetProducerSessionCredentials(p, "", "", ""), 0, "SetProducerSessionCredentials");
    CHECK_EQ_INT(SetProducerLogPath(p, log_dir), 0, "SetProducerLogPath");
    CHECK_EQ_INT(SetProducerLogFileNumAndSize(p, 3, 10), 0, "SetProducerLogFileNumAndSize");
    CHECK_EQ_INT(SetProducerLogLevel(p, E_LOG_LEVEL_INFO), 0, "SetProducerLogLevel");
    CHECK_EQ_INT(SetProducerSendMsgTimeout(p, 5000), 0, "SetProducerSendMsgTimeout");
    CHECK_EQ_INT(SetProducerCompressLevel(p, 6), 0, "SetProducerCompressLevel");
    CHECK_EQ_INT(SetProducerCompressMsgBodyOverHowmuch(p, 4096), 0, "SetProducerCompressMsgBodyOverHowmuch");
    CHECK_EQ_INT(SetProducerMaxMessageSize(p, 4 * 1024 * 1024), 0, "SetProducerMaxMessageSize");
    CHECK_EQ_INT(SetProducerMessageTrace(p, OPEN), 0, "SetProducerMessageTrace(OPEN)");
    CHECK_EQ_INT(SetProducerMessageTrace(p, CLOSE), 0, "SetProducerMessageTrace(CLOSE)");
    version = ShowProducerVersion(p);
    CHECK(version != NULL && version[0] != '\0', "ShowProducerVersion is empty");
    CHECK(version != NULL && strstr(version, "2.2.0") != NULL, "ShowProducerVersion \"%s\"", version ? version : "(NULL)");
    CHECK_EQ_INT(StartProducer(p), 0, "StartProducer");

    /* Sent first, checked last: its ~5 s delay runs while the other tests do. */
    send_delayed(p, &delayed);

    test_sync_and_getters(p);
    check_log_file(log_dir);
    check_producer_group(group, group2, inst);
    test_compression(p);
    test_binary_bodies(p);
    test_batch(p);
    test_send_message_async(p);
    test_send_async(p);
    test_oneway(p);
    test_orderly(p);
    test_sharding_keys(p);
    test_orderly_producer_and_max_size();
    test_default_max_size();

    check_delayed(&delayed);

    CHECK_EQ_INT(ShutdownProducer(p), 0, "ShutdownProducer");
    CHECK_EQ_INT(DestroyProducer(p), 0, "DestroyProducer");
    check_log_file(log_dir);
    printf("test_producer: %d messages pulled from %s, %lld ms\n", rb_count(g_reader), g_topic, rb_now_ms() - t0);
    rb_close(g_reader);
    remove_log_dir(log_dir);
    test_log_settings();
    return check_done();
}
