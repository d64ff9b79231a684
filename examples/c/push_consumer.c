/*
 * push_consumer.c - a push consumer (concurrent, clustering): the library pulls, and calls
 * on_message on its own consume threads for every message of the subscription.
 *
 *   push_consumer [NAMESRV [TOPIC]]
 *
 * It sends a few messages first (so there is something to consume), then consumes until it has
 * seen them all, and shuts down.
 */
#include <pthread.h>
#include <stdatomic.h>

#include <rocketmq/CPushConsumer.h>

#include "common.h"

#define COUNT 5

static char run_tag[64];
static atomic_int seen;

/* Runs on a consume thread of the library. Return E_CONSUME_SUCCESS, or E_RECONSUME_LATER to
 * have this message delivered again later. */
static int on_message(CPushConsumer* consumer, CMessageExt* msg) {
  (void)consumer;
  if (strstr(GetMessageKeys(msg), run_tag) == NULL)
    return E_CONSUME_SUCCESS; /* a message of another run */
  printf("consumed   topic=%s tags=%s keys=%s body=\"%s\" queueId=%d offset=%lld msgId=%s\n", GetMessageTopic(msg),
         GetMessageTags(msg), GetMessageKeys(msg), GetMessageBody(msg), GetMessageQueueId(msg),
         GetMessageQueueOffset(msg), GetMessageId(msg));
  atomic_fetch_add(&seen, 1);
  return E_CONSUME_SUCCESS;
}

int main(int argc, char** argv) {
  const char* namesrv;
  const char* topic;
  example_args(argc, argv, &namesrv, &topic);
  make_run_tag(run_tag, sizeof run_tag, "push");

  char group[96];
  snprintf(group, sizeof group, "example_push_%s", run_tag); /* a new group: starts at the queue ends */
  CPushConsumer* consumer = CreatePushConsumer(group);
  CHECK(SetPushConsumerNameServerAddress(consumer, namesrv));
  CHECK(Subscribe(consumer, topic, "*"));
  CHECK(RegisterMessageCallback(consumer, on_message));
  CHECK(StartPushConsumer(consumer));

  CProducer* producer = CreateProducer("example_push_consumer_producer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(StartProducer(producer));
  for (int i = 0; i < COUNT; i++) {
    char keys[96], body[64];
    snprintf(keys, sizeof keys, "%s-%d", run_tag, i);
    snprintf(body, sizeof body, "hello push consumer #%d", i);
    CMessage* msg = CreateMessage(topic);
    SetMessageTags(msg, "TagA");
    SetMessageKeys(msg, keys);
    SetMessageBody(msg, body);
    CSendResult r;
    CHECK(SendMessageSync(producer, msg, &r));
    print_send_result(keys, &r);
    DestroyMessage(msg);
  }
  CHECK(ShutdownProducer(producer));
  DestroyProducer(producer);

  for (int waited = 0; atomic_load(&seen) < COUNT && waited < 300; waited++)
    usleep(100 * 1000);
  CHECK(ShutdownPushConsumer(consumer)); /* waits for callbacks in flight, commits offsets */
  DestroyPushConsumer(consumer);
  if (atomic_load(&seen) != COUNT) {
    fprintf(stderr, "ERROR: consumed %d of %d messages\n", atomic_load(&seen), COUNT);
    return 1;
  }
  printf("push_consumer: %d messages sent and consumed\n", COUNT);
  return 0;
}
