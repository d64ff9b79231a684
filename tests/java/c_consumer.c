/*
 * c_consumer.c - our librocketmq.so as the consumer of the Java compatibility test.
 *
 *   c_consumer push|push-orderly|pull NAMESRV TOPIC GROUP EXPECTED DEADLINE_S EXPRESSION LINGER_MS [PROPKEY...]
 *
 * push: CreatePushConsumer(GROUP) / Subscribe(TOPIC, EXPRESSION) / RegisterMessageCallback /
 *       StartPushConsumer; every message is acknowledged (E_CONSUME_SUCCESS).
 * push-orderly: the same with RegisterMessageCallbackOrderly.
 * pull: CreatePullConsumer / FetchSubscriptionMessageQueues(TOPIC) / Pull(EXPRESSION) on every
 *       queue from offset 0 (the topic is fresh) until nothing new.
 * Prints one JSON line per received message with every field the C API gives (body as base64 of
 * GetMessageBodyLength bytes; props = GetMessageProperty of each PROPKEY, sys = some system
 * properties). Stops once EXPECTED distinct message ids were received and LINGER_MS more passed
 * (to catch extra or duplicate deliveries), or at the deadline. Exit 0 if EXPECTED were received.
 * $COMPAT_LOG_DIR: the library's log path.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CPullConsumer.h>
#include <rocketmq/CPushConsumer.h>

#include "cjson.h"

static const char* receiver = "";
static char** prop_keys;
static int n_prop_keys;

static pthread_mutex_t seen_mutex = PTHREAD_MUTEX_INITIALIZER;
static char** seen;
static int n_seen, cap_seen;
static int n_received;

static const char* sys_keys[] = {"UNIQ_KEY", "KEYS", "TAGS", "WAIT", "MIN_OFFSET", "MAX_OFFSET", "DELAY", "TRACE_ON", "CLUSTER"};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int distinct(void) {
  pthread_mutex_lock(&seen_mutex);
  int n = n_seen;
  pthread_mutex_unlock(&seen_mutex);
  return n;
}

static void record(CMessageExt* m) {
  const char* id = GetMessageId(m);
  const char* body = GetMessageBody(m);
  int len = GetMessageBodyLength(m);
  Jo j;
  jo_begin(&j);
  jo_str(&j, "receiver", receiver);
  jo_str(&j, "topic", GetMessageTopic(m));
  jo_str(&j, "tags", GetMessageTags(m));
  jo_str(&j, "keys", GetMessageKeys(m));
  jo_b64(&j, "body_b64", (const unsigned char*)body, body ? len : -1);
  jo_int(&j, "body_len", len);
  jo_int(&j, "body_cstr_len", body ? (long long)strlen(body) : -1);
  jo_str(&j, "msg_id", id);
  jo_int(&j, "queue_id", GetMessageQueueId(m));
  jo_int(&j, "queue_offset", GetMessageQueueOffset(m));
  jo_int(&j, "reconsume_times", GetMessageReconsumeTimes(m));
  jo_int(&j, "delay_level", GetMessageDelayTimeLevel(m));
  jo_int(&j, "store_size", GetMessageStoreSize(m));
  jo_int(&j, "born_ts", GetMessageBornTimestamp(m));
  jo_int(&j, "store_ts", GetMessageStoreTimestamp(m));
  jo_int(&j, "commitlog_offset", GetMessageCommitLogOffset(m));
  jo_int(&j, "prepared_tx_offset", GetMessagePreparedTransactionOffset(m));
  jo_str(&j, "born_host", GetMessageBornHost(m));
  jo_str(&j, "store_host", GetMessageStoreHost(m));
  jo_obj_begin(&j, "props");
  for (int i = 0; i < n_prop_keys; i++)
    jo_str(&j, prop_keys[i], GetMessageProperty(m, prop_keys[i]));
  jo_obj_end(&j);
  jo_obj_begin(&j, "sys");
  for (size_t i = 0; i < sizeof sys_keys / sizeof *sys_keys; i++)
    jo_str(&j, sys_keys[i], GetMessageProperty(m, sys_keys[i]));
  jo_obj_end(&j);
  jo_end(&j);

  pthread_mutex_lock(&seen_mutex);
  n_received++;
  int found = 0;
  for (int i = 0; id && i < n_seen; i++)
    if (strcmp(seen[i], id) == 0)
      found = 1;
  if (!found) {
    if (n_seen == cap_seen) {
      cap_seen = cap_seen ? cap_seen * 2 : 64;
      seen = (char**)realloc(seen, (size_t)cap_seen * sizeof *seen);
    }
    seen[n_seen++] = strdup(id ? id : "(null)");
  }
  pthread_mutex_unlock(&seen_mutex);
}

static int on_message(CPushConsumer* consumer, CMessageExt* msg) {
  (void)consumer;
  record(msg);
  return E_CONSUME_SUCCESS;
}

/* Wait until EXPECTED distinct ids (then LINGER_MS more) or the deadline; 1 if reached. */
static int wait_for(int expected, double deadline, int linger_ms, void (*poll)(void*), void* arg) {
  double reached = 0;
  for (;;) {
    if (poll)
      poll(arg);
    double t = now_s();
    if (!reached && distinct() >= expected)
      reached = t;
    if (reached && t - reached >= linger_ms / 1000.0)
      return 1;
    if (t >= deadline)
      return reached != 0;
    struct timespec ts = {0, poll ? 100000000L : 20000000L};
    nanosleep(&ts, NULL);
  }
}

typedef struct {
  CPullConsumer* consumer;
  CMessageQueue* mqs;
  int size;
  long long* next;
  const char* expression;
  int errors;
} PullState;

static void pull_all(void* arg) {
  PullState* s = (PullState*)arg;
  for (int q = 0; q < s->size; q++) {
    for (;;) {
      CPullResult r = Pull(s->consumer, &s->mqs[q], s->expression, s->next[q], 32);
      if (r.pullStatus == E_FOUND) {
        for (int i = 0; i < r.size; i++)
          record(r.msgFoundList[i]);
      } else if (r.pullStatus == E_BROKER_TIMEOUT || r.pullStatus == E_OFFSET_ILLEGAL) {
        if (s->errors++ < 5)
          fprintf(stderr, "c_consumer: pull %s/%d at %lld: status %d (%s)\n", s->mqs[q].brokerName,
                  s->mqs[q].queueId, s->next[q], r.pullStatus, GetLatestErrorMessage());
      }
      int more = r.pullStatus == E_FOUND || r.pullStatus == E_NO_MATCHED_MSG;
      if (r.pullStatus != E_BROKER_TIMEOUT && r.nextBeginOffset > s->next[q])
        s->next[q] = r.nextBeginOffset;
      else
        more = 0;
      ReleasePullResult(r);
      if (!more)
        break;
    }
  }
}

int main(int argc, char** argv) {
  if (argc < 9) {
    fprintf(stderr, "usage: %s push|push-orderly|pull NAMESRV TOPIC GROUP EXPECTED DEADLINE_S EXPRESSION LINGER_MS [PROPKEY...]\n",
            argv[0]);
    return 2;
  }
  const char *mode = argv[1], *namesrv = argv[2], *topic = argv[3], *group = argv[4];
  int expected = atoi(argv[5]);
  double deadline = now_s() + atof(argv[6]);
  const char* expression = argv[7];
  int linger_ms = atoi(argv[8]);
  prop_keys = argv + 9;
  n_prop_keys = argc - 9;
  const char* logdir = getenv("COMPAT_LOG_DIR");
  int ok;

  if (strcmp(mode, "push") == 0 || strcmp(mode, "push-orderly") == 0) {
    int orderly = strcmp(mode, "push-orderly") == 0;
    receiver = orderly ? "ours-push-orderly" : "ours-push";
    CPushConsumer* c = CreatePushConsumer(group);
    if (c == NULL) {
      fprintf(stderr, "CreatePushConsumer failed: %s\n", GetLatestErrorMessage());
      return 1;
    }
    SetPushConsumerNameServerAddress(c, namesrv);
    SetPushConsumerInstanceName(c, group);
    if (logdir)
      SetPushConsumerLogPath(c, logdir);
    if (Subscribe(c, topic, expression) != 0 ||
        (orderly ? RegisterMessageCallbackOrderly(c, on_message) : RegisterMessageCallback(c, on_message)) != 0 ||
        StartPushConsumer(c) != 0) {
      fprintf(stderr, "push consumer setup failed: %s\n", GetLatestErrorMessage());
      return 1;
    }
    ok = wait_for(expected, deadline, linger_ms, NULL, NULL);
    ShutdownPushConsumer(c);
    DestroyPushConsumer(c);
  } else if (strcmp(mode, "pull") == 0) {
    receiver = "ours-pull";
    CPullConsumer* c = CreatePullConsumer(group);
    if (c == NULL) {
      fprintf(stderr, "CreatePullConsumer failed: %s\n", GetLatestErrorMessage());
      return 1;
    }
    SetPullConsumerNameServerAddress(c, namesrv);
    if (logdir)
      SetPullConsumerLogPath(c, logdir);
    if (StartPullConsumer(c) != 0) {
      fprintf(stderr, "StartPullConsumer failed: %s\n", GetLatestErrorMessage());
      return 1;
    }
    PullState s;
    memset(&s, 0, sizeof s);
    s.consumer = c;
    s.expression = expression;
    if (FetchSubscriptionMessageQueues(c, topic, &s.mqs, &s.size) != 0) {
      fprintf(stderr, "FetchSubscriptionMessageQueues failed: %s\n", GetLatestErrorMessage());
      return 1;
    }
    s.next = (long long*)calloc((size_t)s.size, sizeof *s.next);
    ok = wait_for(expected, deadline, linger_ms, pull_all, &s);
    ReleaseSubscriptionMessageQueue(s.mqs);
    free(s.next);
    ShutdownPullConsumer(c);
    DestroyPullConsumer(c);
  } else {
    fprintf(stderr, "mode must be push, push-orderly or pull\n");
    return 2;
  }
  fprintf(stderr, "c_consumer %s: %d received, %d distinct, %d expected\n", mode, n_received, distinct(), expected);
  return ok ? 0 : 1;
}
