/*
 * readback.c - see readback.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "readback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CMessageExt.h>

/* Pause between two polling rounds that found nothing new. */
#define RB_POLL_PAUSE_MS 50
/* Messages asked for per pull. */
#define RB_PULL_BATCH 32
/* How long rb_open keeps trying to reach the broker. */
#define RB_OPEN_TIMEOUT_MS 15000

static const char* const rb_default_props[] = {"UNIQ_KEY", "__SHARDINGKEY", "KEYS", "TAGS", "DELAY", "WAIT"};

struct rb_reader {
    CPullConsumer* consumer;
    char topic[256];
    CMessageQueue queues[RB_MAX_QUEUES];
    long long start[RB_MAX_QUEUES];
    long long next[RB_MAX_QUEUES];
    int nqueues;
    rb_msg** msgs;
    int nmsgs;
    int cap;
    char* props[RB_MAX_PROPS];
    int nprops;
    char error[512];
};

long long rb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void rb_sleep_ms(int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

static char* rb_strdup(const char* s)
{
    size_t n;
    char* out;
    if (s == NULL) {
        return NULL;
    }
    n = strlen(s);
    out = malloc(n + 1);
    if (out != NULL) {
        memcpy(out, s, n + 1);
    }
    return out;
}

static void rb_set_error(rb_reader* r, const char* what)
{
    const char* lib = GetLatestErrorMessage();
    snprintf(r->error, sizeof r->error, "%s (GetLatestErrorMessage: %s)", what, lib ? lib : "(NULL)");
}

int rb_capture_property(rb_reader* r, const char* name)
{
    int i;
    for (i = 0; i < r->nprops; i++) {
        if (strcmp(r->props[i], name) == 0) {
            return 0;
        }
    }
    if (r->nprops >= RB_MAX_PROPS) {
        return -1;
    }
    r->props[r->nprops++] = rb_strdup(name);
    return 0;
}

/* The max offset of a queue: one pull from offset 0 (any status but "broker timeout" carries
 * the queue's offsets). -1 on failure. */
static long long rb_max_offset(rb_reader* r, const CMessageQueue* mq)
{
    CPullResult res = Pull(r->consumer, mq, "*", 0, 1);
    long long max = -1;
    if (res.pullStatus != E_BROKER_TIMEOUT) {
        max = res.maxOffset;
    } else {
        rb_set_error(r, "Pull for the max offset failed");
    }
    if (res.size > 0) {
        ReleasePullResult(res);
    }
    return max;
}

rb_reader* rb_open(const char* namesrv, const char* topic)
{
    static int counter;
    char group[128];
    rb_reader* r = calloc(1, sizeof *r);
    long long deadline = rb_now_ms() + RB_OPEN_TIMEOUT_MS;
    size_t i;
    int q;

    if (r == NULL) {
        return NULL;
    }
    snprintf(r->topic, sizeof r->topic, "%s", topic);
    for (i = 0; i < sizeof rb_default_props / sizeof rb_default_props[0]; i++) {
        rb_capture_property(r, rb_default_props[i]);
    }
    snprintf(group, sizeof group, "rb_c_reader_%ld_%d_%lld", (long)getpid(), ++counter, rb_now_ms());
    r->consumer = CreatePullConsumer(group);
    if (r->consumer == NULL) {
        fprintf(stderr, "readback: CreatePullConsumer failed: %s\n", GetLatestErrorMessage());
        rb_close(r);
        return NULL;
    }
    if (SetPullConsumerNameServerAddress(r->consumer, namesrv) != 0 || StartPullConsumer(r->consumer) != 0) {
        fprintf(stderr, "readback: starting the pull consumer failed: %s\n", GetLatestErrorMessage());
        rb_close(r);
        return NULL;
    }
    for (;;) {
        CMessageQueue* mqs = NULL;
        int size = 0;
        int rc = FetchSubscriptionMessageQueues(r->consumer, topic, &mqs, &size);
        if (rc == 0 && size > 0) {
            r->nqueues = size < RB_MAX_QUEUES ? size : RB_MAX_QUEUES;
            memcpy(r->queues, mqs, (size_t)r->nqueues * sizeof(CMessageQueue));
            ReleaseSubscriptionMessageQueue(mqs);
            break;
        }
        if (mqs != NULL) {
            ReleaseSubscriptionMessageQueue(mqs);
        }
        if (rb_now_ms() > deadline) {
            fprintf(stderr, "readback: FetchSubscriptionMessageQueues(%s) = %d, size %d: %s\n", topic, rc, size,
                    GetLatestErrorMessage());
            rb_close(r);
            return NULL;
        }
        rb_sleep_ms(200);
    }
    for (q = 0; q < r->nqueues; q++) {
        long long max;
        while ((max = rb_max_offset(r, &r->queues[q])) < 0) {
            if (rb_now_ms() > deadline) {
                fprintf(stderr, "readback: queue %d of %s: %s\n", r->queues[q].queueId, topic, r->error);
                rb_close(r);
                return NULL;
            }
            rb_sleep_ms(200);
        }
        r->start[q] = max;
        r->next[q] = max;
    }
    return r;
}

static void rb_msg_free(rb_msg* m)
{
    int i;
    if (m == NULL) {
        return;
    }
    free(m->topic);
    free(m->tags);
    free(m->keys);
    free(m->body);
    free(m->msg_id);
    free(m->store_host);
    free(m->born_host);
    free(m->broker_name);
    for (i = 0; i < m->nprops; i++) {
        free(m->prop_names[i]);
        free(m->prop_values[i]);
    }
    free(m);
}

void rb_close(rb_reader* r)
{
    int i;
    if (r == NULL) {
        return;
    }
    if (r->consumer != NULL) {
        ShutdownPullConsumer(r->consumer);
        DestroyPullConsumer(r->consumer);
    }
    for (i = 0; i < r->nmsgs; i++) {
        rb_msg_free(r->msgs[i]);
    }
    free(r->msgs);
    for (i = 0; i < r->nprops; i++) {
        free(r->props[i]);
    }
    free(r);
}

int rb_queue_count(const rb_reader* r)
{
    return r->nqueues;
}

int rb_queue_id(const rb_reader* r, int i)
{
    return (i >= 0 && i < r->nqueues) ? r->queues[i].queueId : -1;
}

long long rb_start_offset(const rb_reader* r, int queue_id)
{
    int q;
    for (q = 0; q < r->nqueues; q++) {
        if (r->queues[q].queueId == queue_id) {
            return r->start[q];
        }
    }
    return -1;
}

const char* rb_last_error(const rb_reader* r)
{
    return r->error;
}

int rb_count(const rb_reader* r)
{
    return r->nmsgs;
}

/* Copies everything the getters tell about one pulled message. */
static rb_msg* rb_copy(rb_reader* r, const CMessageQueue* mq, CMessageExt* ext, long long now)
{
    rb_msg* m = calloc(1, sizeof *m);
    const char* body;
    int i;
    if (m == NULL) {
        return NULL;
    }
    m->topic = rb_strdup(GetMessageTopic(ext));
    m->tags = rb_strdup(GetMessageTags(ext));
    m->keys = rb_strdup(GetMessageKeys(ext));
    m->msg_id = rb_strdup(GetMessageId(ext));
    m->store_host = rb_strdup(GetMessageStoreHost(ext));
    m->born_host = rb_strdup(GetMessageBornHost(ext));
    m->broker_name = rb_strdup(mq->brokerName);
    body = GetMessageBody(ext);
    m->body_len = GetMessageBodyLength(ext);
    if (m->body_len < 0) {
        m->body_len = 0;
    }
    m->body = malloc((size_t)m->body_len + 1);
    if (m->body != NULL) {
        if (body != NULL) {
            memcpy(m->body, body, (size_t)m->body_len);
        }
        m->body[m->body_len] = '\0';
    }
    m->queue_id = GetMessageQueueId(ext);
    m->pulled_queue_id = mq->queueId;
    m->queue_offset = GetMessageQueueOffset(ext);
    m->commit_log_offset = GetMessageCommitLogOffset(ext);
    m->born_timestamp = GetMessageBornTimestamp(ext);
    m->store_timestamp = GetMessageStoreTimestamp(ext);
    m->prepared_transaction_offset = GetMessagePreparedTransactionOffset(ext);
    m->delay_level = GetMessageDelayTimeLevel(ext);
    m->reconsume_times = GetMessageReconsumeTimes(ext);
    m->store_size = GetMessageStoreSize(ext);
    m->seen_ms = now;
    for (i = 0; i < r->nprops; i++) {
        const char* v = GetMessageProperty(ext, r->props[i]);
        m->prop_names[i] = rb_strdup(r->props[i]);
        m->prop_values[i] = rb_strdup(v ? v : "");
    }
    m->nprops = r->nprops;
    return m;
}

static int rb_store(rb_reader* r, rb_msg* m)
{
    if (r->nmsgs == r->cap) {
        int cap = r->cap ? r->cap * 2 : 64;
        rb_msg** grown = realloc(r->msgs, (size_t)cap * sizeof *grown);
        if (grown == NULL) {
            return -1;
        }
        r->msgs = grown;
        r->cap = cap;
    }
    r->msgs[r->nmsgs++] = m;
    return 0;
}

int rb_poll(rb_reader* r)
{
    int q;
    int found = 0;
    int failed = 0;
    for (q = 0; q < r->nqueues; q++) {
        /* Drain the queue; a bounded number of rounds so a busy topic cannot keep us here. */
        int round;
        for (round = 0; round < 64; round++) {
            CPullResult res = Pull(r->consumer, &r->queues[q], "*", r->next[q], RB_PULL_BATCH);
            long long now = rb_now_ms();
            int i;
            if (res.pullStatus == E_BROKER_TIMEOUT) {
                rb_set_error(r, "Pull failed");
                failed = 1;
                break;
            }
            if (res.pullStatus == E_FOUND) {
                for (i = 0; i < res.size; i++) {
                    rb_msg* m = rb_copy(r, &r->queues[q], res.msgFoundList[i], now);
                    if (m != NULL && rb_store(r, m) == 0) {
                        found++;
                        if (getenv("RB_DEBUG") != NULL) {
                            fprintf(stderr, "readback: q%d@%lld id=%s keys=\"%s\" tags=\"%s\" len=%d uniq=%s\n",
                                    m->queue_id, m->queue_offset, m->msg_id, m->keys, m->tags, m->body_len,
                                    rb_prop(m, "UNIQ_KEY"));
                        }
                    } else {
                        rb_msg_free(m);
                    }
                }
                if (res.size > 0) {
                    ReleasePullResult(res);
                }
            }
            if (res.nextBeginOffset > r->next[q]) {
                r->next[q] = res.nextBeginOffset;
            } else if (res.pullStatus == E_OFFSET_ILLEGAL) {
                snprintf(r->error, sizeof r->error, "queue %d: offset %lld illegal (min %lld, max %lld)",
                         r->queues[q].queueId, r->next[q], res.minOffset, res.maxOffset);
                failed = 1;
                break;
            }
            if (res.pullStatus != E_FOUND || r->next[q] >= res.maxOffset) {
                break;
            }
        }
    }
    return failed && found == 0 ? -1 : found;
}

static int rb_has_key(const char* keys, const char* key)
{
    size_t n = strlen(key);
    const char* p = keys;
    if (keys == NULL || n == 0) {
        return 0;
    }
    while ((p = strstr(p, key)) != NULL) {
        int starts = (p == keys) || p[-1] == ' ';
        int ends = p[n] == '\0' || p[n] == ' ';
        if (starts && ends) {
            return 1;
        }
        p++;
    }
    return 0;
}

const char* rb_prop(const rb_msg* m, const char* name)
{
    int i;
    for (i = 0; i < m->nprops; i++) {
        if (strcmp(m->prop_names[i], name) == 0) {
            return m->prop_values[i];
        }
    }
    return NULL;
}

const rb_msg* rb_lookup_by_id(const rb_reader* r, const char* msg_id)
{
    int i;
    if (msg_id == NULL || msg_id[0] == '\0') {
        return NULL;
    }
    for (i = 0; i < r->nmsgs; i++) {
        const rb_msg* m = r->msgs[i];
        const char* uniq = rb_prop(m, "UNIQ_KEY");
        if ((m->msg_id && strcmp(m->msg_id, msg_id) == 0) || (uniq && strcmp(uniq, msg_id) == 0)) {
            return m;
        }
    }
    return NULL;
}

const rb_msg* rb_lookup_by_key(const rb_reader* r, const char* key)
{
    int i;
    for (i = 0; i < r->nmsgs; i++) {
        if (rb_has_key(r->msgs[i]->keys, key)) {
            return r->msgs[i];
        }
    }
    return NULL;
}

static const rb_msg* rb_find(rb_reader* r, const char* what, int by_id, int timeout_ms)
{
    long long deadline = rb_now_ms() + timeout_ms;
    for (;;) {
        const rb_msg* m = by_id ? rb_lookup_by_id(r, what) : rb_lookup_by_key(r, what);
        int n;
        if (m != NULL) {
            return m;
        }
        n = rb_poll(r);
        if (rb_now_ms() >= deadline) {
            return by_id ? rb_lookup_by_id(r, what) : rb_lookup_by_key(r, what);
        }
        if (n > 0) {
            continue; /* look again before pausing */
        }
        rb_sleep_ms(RB_POLL_PAUSE_MS);
    }
}

const rb_msg* rb_find_by_id(rb_reader* r, const char* msg_id, int timeout_ms)
{
    return rb_find(r, msg_id, 1, timeout_ms);
}

const rb_msg* rb_find_by_key(rb_reader* r, const char* key, int timeout_ms)
{
    return rb_find(r, key, 0, timeout_ms);
}

int rb_admin(const char* namesrv, const char* args, char* out, size_t out_n)
{
    const char* script = getenv("RMQ_BROKERS_SH");
    char cmd[2048];
    size_t len = 0, got;
    FILE* f;
    int status;
    if (script == NULL || script[0] == '\0') {
        script = "scripts/brokers.sh";
    }
    snprintf(cmd, sizeof cmd, "'%s' admin '%s' %s 2>&1", script, namesrv, args);
    out[0] = '\0';
    f = popen(cmd, "r");
    if (f == NULL) {
        return -1;
    }
    while (len + 1 < out_n && (got = fread(out + len, 1, out_n - 1 - len, f)) > 0) {
        len += got;
    }
    out[len] = '\0';
    while (fgetc(f) != EOF) {
        /* the rest is not kept */
    }
    status = pclose(f);
    return status == -1 ? -1 : (status >> 8) & 0xff;
}
