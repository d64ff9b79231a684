/*
 * common.h - small helpers shared by the examples (header-only).
 *
 *   example_args()        name server (argv[1], else $NAMESRV_ADDR, else 127.0.0.1:9876)
 *                         and topic (argv[2], else rmq_demo); makes stdout line-buffered
 *   CHECK(call)           a C API call that returns 0 on success; on failure prints
 *                         GetLatestErrorMessage() and exits with status 1
 *   print_send_result()   one line per CSendResult: status, msgId, offset
 *
 * Reading messages back (pull consumer API):
 *
 *   Reader r;
 *   reader_open(&r, namesrv, topic);   <- BEFORE sending: remembers where every queue ends
 *   ... send messages whose keys contain a tag unique to this run ...
 *   reader_wait(&r, tag, n, 15);       <- pulls what arrived since reader_open, prints every
 *                                         message whose keys contain `tag`, until n were seen
 *   reader_expect(&r, msgId);          <- exits 1 unless that message was read back; returns
 *                                         its queue id (reader_queue_of: -1 instead of exiting)
 *   reader_close(&r);
 *
 * Only the new part of each queue is read, so the examples stay fast however many
 * messages the topic already holds, and messages of other runs are ignored.
 */
#ifndef EXAMPLES_COMMON_H
#define EXAMPLES_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CProducer.h>
#include <rocketmq/CPullConsumer.h>

/* ---------------------------------------------------------------- arguments, errors */

static inline void example_args(int argc, char** argv, const char** namesrv, const char** topic) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* line by line, also into a pipe: in order with stderr */
  const char* env = getenv("NAMESRV_ADDR");
  *namesrv = argc > 1 ? argv[1] : (env && *env ? env : "127.0.0.1:9876");
  *topic = argc > 2 ? argv[2] : "rmq_demo";
}

static inline void fail(const char* what) {
  const char* err = GetLatestErrorMessage();
  fprintf(stderr, "ERROR: %s failed: %s\n", what, err && *err ? err : "(no error message)");
  exit(1);
}

/* Every C API function used here returns 0 (OK) on success. */
#define CHECK(call)     \
  do {                  \
    if ((call) != 0)    \
      fail(#call);      \
  } while (0)

/* A tag unique to this run ("sync-1234-1700000000"), put into every message's keys. */
static inline void make_run_tag(char* buf, size_t size, const char* example) {
  snprintf(buf, size, "%s-%d-%ld", example, (int)getpid(), (long)time(NULL));
}

static inline const char* send_status_name(CSendStatus s) {
  switch (s) {
    case E_SEND_OK: return "SEND_OK";
    case E_SEND_FLUSH_DISK_TIMEOUT: return "FLUSH_DISK_TIMEOUT";
    case E_SEND_FLUSH_SLAVE_TIMEOUT: return "FLUSH_SLAVE_TIMEOUT";
    case E_SEND_SLAVE_NOT_AVAILABLE: return "SLAVE_NOT_AVAILABLE";
  }
  return "UNKNOWN";
}

static inline void print_send_result(const char* label, const CSendResult* r) {
  printf("sent %-10s status=%s msgId=%s offset=%lld\n", label, send_status_name(r->sendStatus), r->msgId,
         r->offset);
}

/* ---------------------------------------------------------------- reading back */

#define READER_MAX_QUEUES 64
#define READER_MAX_SEEN 64

typedef struct {
  CPullConsumer* consumer;
  CMessageQueue* queues; /* from FetchSubscriptionMessageQueues */
  int nqueues;
  long long next[READER_MAX_QUEUES]; /* next offset to pull, per queue */
  const char* property;              /* optional: a user property to print as well */
  int seen;                          /* messages read back so far */
  char seen_id[READER_MAX_SEEN][MAX_MESSAGE_ID_LENGTH];
  int seen_queue[READER_MAX_SEEN];
} Reader;

/* One pull; BROKER_TIMEOUT (status 4) is how the C API reports any pull failure. */
static inline CPullResult reader_pull(Reader* r, int q, long long offset, int max) {
  CPullResult res = Pull(r->consumer, &r->queues[q], "*", offset, max);
  if (res.pullStatus == E_BROKER_TIMEOUT)
    fail("Pull");
  return res;
}

static inline void reader_open(Reader* r, const char* namesrv, const char* topic) {
  memset(r, 0, sizeof *r);
  /* Pull consumers of one group do not share queues or offsets: one group name is enough. */
  r->consumer = CreatePullConsumer("example_reader");
  if (r->consumer == NULL)
    fail("CreatePullConsumer");
  CHECK(SetPullConsumerNameServerAddress(r->consumer, namesrv));
  CHECK(StartPullConsumer(r->consumer));
  CHECK(FetchSubscriptionMessageQueues(r->consumer, topic, &r->queues, &r->nqueues));
  if (r->nqueues > READER_MAX_QUEUES)
    r->nqueues = READER_MAX_QUEUES;
  /* Where does each queue end right now? Every pull answer carries the queue's maxOffset. */
  for (int q = 0; q < r->nqueues; q++) {
    CPullResult res = reader_pull(r, q, 0, 1);
    r->next[q] = res.maxOffset;
    ReleasePullResult(res); /* returns 1 when the result held no message: nothing to free */
  }
}

static inline void reader_print(Reader* r, CMessageExt* m) {
  printf("read back  topic=%s tags=%s keys=%s body=\"%s\" queueId=%d offset=%lld msgId=%s", GetMessageTopic(m),
         GetMessageTags(m), GetMessageKeys(m), GetMessageBody(m), GetMessageQueueId(m), GetMessageQueueOffset(m),
         GetMessageId(m));
  if (r->property)
    printf(" %s=%s", r->property, GetMessageProperty(m, r->property));
  printf("\n");
}

/* Pulls everything new in every queue once; handles the messages whose keys contain tag. */
static inline void reader_poll(Reader* r, const char* tag) {
  for (int q = 0; q < r->nqueues; q++) {
    for (;;) {
      CPullResult res = reader_pull(r, q, r->next[q], 32);
      for (int i = 0; i < res.size; i++) {
        CMessageExt* m = res.msgFoundList[i];
        const char* keys = GetMessageKeys(m);
        if (keys == NULL || strstr(keys, tag) == NULL)
          continue; /* somebody else's message */
        reader_print(r, m);
        if (r->seen < READER_MAX_SEEN) {
          snprintf(r->seen_id[r->seen], MAX_MESSAGE_ID_LENGTH, "%s", GetMessageId(m));
          r->seen_queue[r->seen] = GetMessageQueueId(m);
        }
        r->seen++;
      }
      int more = res.pullStatus == E_FOUND && res.nextBeginOffset < res.maxOffset;
      if (res.pullStatus != E_NO_NEW_MSG)
        r->next[q] = res.nextBeginOffset;
      ReleasePullResult(res);
      if (!more)
        break;
    }
  }
}

/* Polls until `expected` messages tagged `tag` were read back; exits 1 after timeout_s. */
static inline void reader_wait(Reader* r, const char* tag, int expected, int timeout_s) {
  time_t deadline = time(NULL) + timeout_s;
  for (;;) {
    reader_poll(r, tag);
    if (r->seen >= expected)
      return;
    if (time(NULL) >= deadline) {
      fprintf(stderr, "ERROR: read back %d of %d messages tagged %s within %d s\n", r->seen, expected, tag,
              timeout_s);
      exit(1);
    }
    usleep(200 * 1000);
  }
}

/* The queue id of a read-back message, -1 if it was not read back. */
static inline int reader_queue_of(const Reader* r, const char* msg_id) {
  for (int i = 0; i < r->seen && i < READER_MAX_SEEN; i++)
    if (strcmp(r->seen_id[i], msg_id) == 0)
      return r->seen_queue[i];
  return -1;
}

/* Exits 1 unless the message with this id was read back. */
static inline int reader_expect(const Reader* r, const char* msg_id) {
  int q = reader_queue_of(r, msg_id);
  if (q < 0) {
    fprintf(stderr, "ERROR: message %s was sent but not read back\n", msg_id);
    exit(1);
  }
  return q;
}

static inline void reader_close(Reader* r) {
  ReleaseSubscriptionMessageQueue(r->queues);
  ShutdownPullConsumer(r->consumer);
  DestroyPullConsumer(r->consumer);
}

#endif /* EXAMPLES_COMMON_H */
