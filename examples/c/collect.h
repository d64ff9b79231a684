/*
 * collect.h - a push consumer that records what it receives, for the examples that show WHETHER
 * and WHEN messages arrive (transaction, scheduled, cancel, ACL, TLS). Header-only; include
 * common.h first. Link with -pthread.
 *
 *   CPushConsumer* c = collector_create(namesrv, topic, tag);  <- created and subscribed, NOT
 *                                         started: set credentials / TLS first if needed, then
 *   CHECK(StartPushConsumer(c));          <- a started consumer owns its queues, and a new group
 *                                            starts at the queue ends: start it BEFORE sending
 *   ... send messages whose keys contain tag ...
 *   collector_wait(n, 30);                <- until n messages tagged `tag` arrived (0 on timeout)
 *   const Arrival* a = collector_find("tag-1");   <- the first arrival with exactly these keys
 *   collector_count("tag-1");             <- how often it arrived
 *   collector_close(c);
 *
 * Only messages whose keys contain the tag are recorded (and printed, with the time they
 * arrived); the callback acknowledges every other message (other runs' leftovers) untouched.
 */
#ifndef EXAMPLES_COLLECT_H
#define EXAMPLES_COLLECT_H

#include <pthread.h>
#include <sys/time.h>

#include <rocketmq/CPushConsumer.h>

#define COLLECT_MAX 64

typedef struct {
  char keys[128];
  char msg_id[MAX_MESSAGE_ID_LENGTH];
  char tags[64];
  long long at_ms; /* when the callback got it, epoch milliseconds */
} Arrival;

static pthread_mutex_t collect_lock = PTHREAD_MUTEX_INITIALIZER;
static Arrival collect_arrivals[COLLECT_MAX];
static int collect_n;
static char collect_tag[96];

static inline long long now_ms(void) {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* "12:34:56.789" for an epoch-milliseconds time (local time). */
static inline const char* clock_text(long long ms, char* buf, size_t size) {
  time_t s = (time_t)(ms / 1000);
  struct tm tm;
  localtime_r(&s, &tm);
  snprintf(buf, size, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
  return buf;
}

/* The consumer callback: runs on a consume thread of the library. */
static int collect_on_message(CPushConsumer* consumer, CMessageExt* msg) {
  (void)consumer;
  const char* keys = GetMessageKeys(msg);
  if (keys == NULL || strstr(keys, collect_tag) == NULL)
    return E_CONSUME_SUCCESS; /* not this run's */
  long long at = now_ms();
  char when[16];
  printf("consumed   at %s keys=%s tags=%s body=\"%s\" msgId=%s\n", clock_text(at, when, sizeof when), keys,
         GetMessageTags(msg), GetMessageBody(msg), GetMessageId(msg));
  fflush(stdout);
  pthread_mutex_lock(&collect_lock);
  if (collect_n < COLLECT_MAX) {
    Arrival* a = &collect_arrivals[collect_n];
    snprintf(a->keys, sizeof a->keys, "%s", keys);
    snprintf(a->msg_id, sizeof a->msg_id, "%s", GetMessageId(msg));
    snprintf(a->tags, sizeof a->tags, "%s", GetMessageTags(msg) ? GetMessageTags(msg) : "");
    a->at_ms = at;
  }
  collect_n++;
  pthread_mutex_unlock(&collect_lock);
  return E_CONSUME_SUCCESS;
}

/* A push consumer of a new group (named after the tag) subscribed to the whole topic; not started. */
static inline CPushConsumer* collector_create(const char* namesrv, const char* topic, const char* tag) {
  char group[128];
  snprintf(collect_tag, sizeof collect_tag, "%s", tag);
  snprintf(group, sizeof group, "example_consumer_%s", tag);
  CPushConsumer* consumer = CreatePushConsumer(group);
  if (consumer == NULL)
    fail("CreatePushConsumer");
  CHECK(SetPushConsumerNameServerAddress(consumer, namesrv));
  CHECK(Subscribe(consumer, topic, "*"));
  CHECK(RegisterMessageCallback(consumer, collect_on_message));
  return consumer;
}

static inline int collector_total(void) {
  pthread_mutex_lock(&collect_lock);
  int n = collect_n;
  pthread_mutex_unlock(&collect_lock);
  return n;
}

/* Waits until at least n messages of this run arrived; returns 1, or 0 after timeout_s. */
static inline int collector_wait(int n, int timeout_s) {
  long long deadline = now_ms() + timeout_s * 1000LL;
  while (collector_total() < n) {
    if (now_ms() >= deadline)
      return 0;
    usleep(50 * 1000);
  }
  return 1;
}

/* How many times a message with exactly these keys arrived. */
static inline int collector_count(const char* keys) {
  int count = 0;
  pthread_mutex_lock(&collect_lock);
  for (int i = 0; i < collect_n && i < COLLECT_MAX; i++)
    if (strcmp(collect_arrivals[i].keys, keys) == 0)
      count++;
  pthread_mutex_unlock(&collect_lock);
  return count;
}

/* The first arrival with exactly these keys, NULL if none (the records never move). */
static inline const Arrival* collector_find(const char* keys) {
  const Arrival* found = NULL;
  pthread_mutex_lock(&collect_lock);
  for (int i = 0; i < collect_n && i < COLLECT_MAX && found == NULL; i++)
    if (strcmp(collect_arrivals[i].keys, keys) == 0)
      found = &collect_arrivals[i];
  pthread_mutex_unlock(&collect_lock);
  return found;
}

/* Shuts the consumer down (waits for callbacks in flight, commits offsets) and destroys it. */
static inline void collector_close(CPushConsumer* consumer) {
  CHECK(ShutdownPushConsumer(consumer));
  DestroyPushConsumer(consumer);
}

#endif /* EXAMPLES_COLLECT_H */
