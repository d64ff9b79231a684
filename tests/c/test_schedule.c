/*
 * test_schedule.c - delivery at a chosen time (__STARTDELIVERTIME) and its cancellation, against a
 * real broker.
 *
 * Apache 5.x (timer messages):
 *   due        4 s ahead: arrives at its time (not before it, at most 1.5 s after)
 *   cancelled  5 s ahead, then CancelScheduledMessage(producer, topic, id, time): never arrives
 *   cancelled2 5 s ahead, then cancelled by SendMessageSync of a message with the properties
 *              __CANCEL_SCHEDULED_MSG = its id and __STARTDELIVERTIME = its time: never arrives
 *   control    5 s ahead, same time, not cancelled: arrives (so the slot did fire)
 *   the cancellation messages themselves (keys <tag>-marker) are never delivered
 * Apache 4.x (no timers): every scheduled message arrives at once and the library log says so
 * (WARN "has no timer messages"); CancelScheduledMessage and the SendMessageSync cancellation fail
 * (PRODUCER_SEND_SYNC_FAILED, a text naming 4.x) and send nothing.
 * Both: more than a year ahead is refused at send; a time in the past arrives at once; a
 * cancellation whose time has passed is refused ("too late"); a cancellation sent one-way is
 * refused (only SendMessageSync / CancelScheduledMessage reach every broker of the topic).
 *
 *   test_schedule NAMESRV TOPIC LOGDIR
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CProducer.h>
#include <rocketmq/CPushConsumer.h>

#include "check.h"

static char g_tag[64];
static atomic_llong g_due_at_ms, g_control_at_ms, g_cancel_seen, g_cancel2_seen, g_past_seen, g_marker_seen;

static long long now_ms(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int on_message(CPushConsumer* c, CMessageExt* m) {
    (void)c;
    const char* keys = GetMessageKeys(m);
    if (keys == NULL || strstr(keys, g_tag) == NULL)
        return E_CONSUME_SUCCESS;
    const char* what = keys + strlen(g_tag);
    long long t = now_ms();
    if (strcmp(what, "-due") == 0)
        atomic_store(&g_due_at_ms, t);
    else if (strcmp(what, "-control") == 0)
        atomic_store(&g_control_at_ms, t);
    else if (strcmp(what, "-cancelled") == 0)
        atomic_fetch_add(&g_cancel_seen, 1);
    else if (strcmp(what, "-cancelled2") == 0)
        atomic_fetch_add(&g_cancel2_seen, 1);
    else if (strcmp(what, "-past") == 0)
        atomic_fetch_add(&g_past_seen, 1);
    else if (strcmp(what, "-marker") == 0)
        atomic_fetch_add(&g_marker_seen, 1);
    return E_CONSUME_SUCCESS;
}

static CMessage* scheduled(const char* topic, const char* what, long long at) {
    char keys[128], t[32];
    snprintf(keys, sizeof keys, "%s-%s", g_tag, what);
    snprintf(t, sizeof t, "%lld", at);
    CMessage* m = CreateMessage(topic);
    SetMessageKeys(m, keys);
    SetMessageBody(m, what);
    SetMessageProperty(m, "__STARTDELIVERTIME", t);
    return m;
}

/* Sends a scheduled message; its id (the send result's msgId) goes to `id`. */
static void send_scheduled(CProducer* p, const char* topic, const char* what, long long at, char* id) {
    CSendResult r;
    CMessage* m = scheduled(topic, what, at);
    memset(&r, 0, sizeof r);
    int rc = SendMessageSync(p, m, &r);
    CHECK(rc == 0, "send %s (%+lld ms): rc %d %s", what, at - now_ms(), rc, GetLatestErrorMessage());
    if (id != NULL)
        snprintf(id, MAX_MESSAGE_ID_LENGTH, "%s", r.msgId);
    DestroyMessage(m);
}

/* A cancellation as a message: __CANCEL_SCHEDULED_MSG + the same __STARTDELIVERTIME. */
static CMessage* cancellation(const char* topic, const char* id, long long at) {
    CMessage* m = scheduled(topic, "marker", at);
    SetMessageProperty(m, "__CANCEL_SCHEDULED_MSG", id);
    return m;
}

static int log_has(const char* logdir, const char* text) {
    char path[512], line[2048];
    snprintf(path, sizeof path, "%s/rocketmq_client.log", logdir);
    FILE* f = fopen(path, "r");
    int found = 0;
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, text))
            found = 1;
    if (f)
        fclose(f);
    return found;
}

int main(int argc, char** argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s NAMESRV TOPIC LOGDIR\n", argv[0]);
        return 2;
    }
    const char *ns = argv[1], *topic = argv[2], *logdir = argv[3];
    snprintf(g_tag, sizeof g_tag, "sched-%d-%lld", (int)getpid(), now_ms());
    int is5 = strstr(ns, ":19876") != NULL; /* scripts/brokers.sh: 5.x answers on 19876 */
    printf("broker %s (%s), topic %s, tag %s\n", ns, is5 ? "5.x" : "4.x", topic, g_tag);

    char group[96];
    snprintf(group, sizeof group, "c_sched_%s", g_tag);
    CPushConsumer* c = CreatePushConsumer(group);
    SetPushConsumerNameServerAddress(c, ns);
    Subscribe(c, topic, "*");
    RegisterMessageCallback(c, on_message);
    CHECK_EQ_INT(StartPushConsumer(c), 0, "StartPushConsumer");

    CProducer* p = CreateProducer("c_sched_producer");
    SetProducerNameServerAddress(p, ns);
    SetProducerLogPath(p, logdir);
    CHECK_EQ_INT(StartProducer(p), 0, "StartProducer");

    CSendResult r;
    long long due = now_ms() + 4000;
    send_scheduled(p, topic, "due", due, NULL);

    /* More than a year ahead: refused at send. */
    CMessage* m = scheduled(topic, "far", now_ms() + 366LL * 24 * 3600 * 1000);
    CHECK_EQ_INT(SendMessageSync(p, m, &r), PRODUCER_SEND_SYNC_FAILED, "send one year and a day ahead");
    CHECK(strstr(GetLatestErrorMessage(), "one year") != NULL, "error text names the limit: %s", GetLatestErrorMessage());
    DestroyMessage(m);

    /* In the past: delivered at once. */
    send_scheduled(p, topic, "past", now_ms() - 60000, NULL);

    /* Scheduled for the same time: two to cancel (two ways), one control. */
    long long at = now_ms() + 5000;
    char id1[MAX_MESSAGE_ID_LENGTH] = "", id2[MAX_MESSAGE_ID_LENGTH] = "";
    send_scheduled(p, topic, "cancelled", at, id1);
    send_scheduled(p, topic, "control", at, NULL);
    send_scheduled(p, topic, "cancelled2", at, id2);

    long long t0 = now_ms();
    int rc = CancelScheduledMessage(p, topic, id1, at);
    const char* e = GetLatestErrorMessage();
    printf("CancelScheduledMessage(%s) -> %d in %lld ms \"%s\"\n", id1, rc, now_ms() - t0, rc ? e : "");
    if (is5) {
        CHECK(rc == 0, "5.x: CancelScheduledMessage -> %d: %s", rc, e);
    } else {
        CHECK(rc == PRODUCER_SEND_SYNC_FAILED, "4.x: CancelScheduledMessage -> %d, expected %d", rc,
              PRODUCER_SEND_SYNC_FAILED);
        CHECK(strstr(e, "4.x") != NULL && strstr(e, "no timer messages") != NULL,
              "4.x: the error text says the broker has no timer messages: %s", e);
    }

    m = cancellation(topic, id2, at);
    memset(&r, 0, sizeof r);
    rc = SendMessageSync(p, m, &r);
    e = GetLatestErrorMessage();
    printf("SendMessageSync(__CANCEL_SCHEDULED_MSG=%s) -> %d msgId %s \"%s\"\n", id2, rc, r.msgId, rc ? e : "");
    if (is5) {
        CHECK(rc == 0 && r.msgId[0] != '\0', "5.x: SendMessageSync of the cancellation -> %d: %s", rc, e);
    } else {
        CHECK(rc == PRODUCER_SEND_SYNC_FAILED && strstr(e, "no timer messages") != NULL,
              "4.x: SendMessageSync of the cancellation -> %d: %s", rc, e);
    }
    DestroyMessage(m);

    /* Only a synchronous send reaches every broker of the topic: one-way is refused. */
    m = cancellation(topic, id2, at);
    rc = SendMessageOneway(p, m);
    e = GetLatestErrorMessage();
    CHECK(rc == PRODUCER_SEND_ONEWAY_FAILED && strstr(e, "SendMessageSync") != NULL,
          "a one-way cancellation is refused: %d %s", rc, e);
    DestroyMessage(m);

    /* Too late. */
    rc = CancelScheduledMessage(p, topic, id1, now_ms() - 1000);
    e = GetLatestErrorMessage();
    CHECK(rc == PRODUCER_SEND_SYNC_FAILED && strstr(e, "too late") != NULL, "cancelling a past time: %d %s", rc, e);

    /* Wait for the due message, the past one and the control (with deadlines), then past the
     * cancelled ones' time plus a margin (the broker fires the slot after the whole second). */
    long long deadline = at + 15000;
    while (now_ms() < deadline &&
           (atomic_load(&g_due_at_ms) == 0 || atomic_load(&g_past_seen) == 0 || atomic_load(&g_control_at_ms) == 0))
        usleep(20 * 1000);
    while (now_ms() < at + 3000)
        usleep(50 * 1000);
    usleep(500 * 1000); /* a late cancelled delivery would have shown up by now */

    CHECK(atomic_load(&g_past_seen) == 1, "the past-time message arrived once (%lld)", (long long)atomic_load(&g_past_seen));
    long long got = atomic_load(&g_due_at_ms), ctl = atomic_load(&g_control_at_ms);
    CHECK(got != 0, "the scheduled message arrived");
    CHECK(ctl != 0, "the control message arrived");
    if (is5) {
        CHECK(got >= due - 100 && got <= due + 1500, "5.x: delivered within 1.5 s of its time, not before (%+lld ms)",
              got - due);
        CHECK(ctl >= at - 100 && ctl <= at + 1500, "5.x: control delivered within 1.5 s of its time (%+lld ms)", ctl - at);
        CHECK(atomic_load(&g_cancel_seen) == 0, "5.x: the message cancelled with CancelScheduledMessage was never delivered");
        CHECK(atomic_load(&g_cancel2_seen) == 0, "5.x: the message cancelled with SendMessageSync was never delivered");
        CHECK(atomic_load(&g_marker_seen) == 0, "5.x: the cancellation markers themselves were never delivered (%lld)",
              (long long)atomic_load(&g_marker_seen));
    } else {
        CHECK(got < due - 2000, "4.x: delivered at once (%+lld ms), no timer messages", got - due);
        CHECK(ctl < at - 2000, "4.x: control delivered at once (%+lld ms)", ctl - at);
        CHECK(atomic_load(&g_cancel_seen) == 1 && atomic_load(&g_cancel2_seen) == 1,
              "4.x: the messages to cancel were delivered at once (%lld, %lld): nothing to cancel",
              (long long)atomic_load(&g_cancel_seen), (long long)atomic_load(&g_cancel2_seen));
        CHECK(atomic_load(&g_marker_seen) == 0, "4.x: no cancellation was sent (%lld delivered)",
              (long long)atomic_load(&g_marker_seen));
        CHECK(log_has(logdir, "has no timer messages"), "4.x: the log says the message is delivered at once (%s)", logdir);
    }
    ShutdownProducer(p);
    DestroyProducer(p);
    ShutdownPushConsumer(c);
    DestroyPushConsumer(c);
    return check_done();
}
