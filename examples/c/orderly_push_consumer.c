/*
 * orderly_push_consumer.c - an orderly push consumer: messages of one queue reach the callback
 * one at a time, in queue order; E_RECONSUME_LATER redelivers the same message after a pause.
 *
 *   orderly_push_consumer [NAMESRV [TOPIC]]
 *
 * Orders are sent with a sharding key (the order id), so all steps of an order share a queue,
 * and the consumer sees each order's steps in the order they were sent.
 */
#include <stdatomic.h>

#include <rocketmq/CPushConsumer.h>

#include "common.h"

#define ORDERS 3
#define STEPS 4

static char run_tag[64];
static atomic_int seen;
static atomic_int next_step[ORDERS];
static atomic_int out_of_order;
static atomic_int refused_once;

static int on_message(CPushConsumer* consumer, CMessageExt* msg) {
  (void)consumer;
  int order, step;
  if (strstr(GetMessageKeys(msg), run_tag) == NULL || sscanf(GetMessageBody(msg), "order %d step %d", &order, &step) != 2)
    return E_CONSUME_SUCCESS;
  if (order == 1 && step == 2 && !atomic_exchange(&refused_once, 1)) {
    printf("consumed   order %d step %d -> RECONSUME_LATER (comes again, before step 3)\n", order, step);
    return E_RECONSUME_LATER;
  }
  if (atomic_load(&next_step[order]) != step)
    atomic_fetch_add(&out_of_order, 1);
  atomic_store(&next_step[order], step + 1);
  printf("consumed   order %d step %d queueId=%d reconsumeTimes=%d\n", order, step, GetMessageQueueId(msg),
         GetMessageReconsumeTimes(msg));
  atomic_fetch_add(&seen, 1);
  return E_CONSUME_SUCCESS;
}

int main(int argc, char** argv) {
  const char* namesrv;
  const char* topic;
  example_args(argc, argv, &namesrv, &topic);
  make_run_tag(run_tag, sizeof run_tag, "orderly");

  char group[96];
  snprintf(group, sizeof group, "example_orderly_%s", run_tag);
  CPushConsumer* consumer = CreatePushConsumer(group);
  CHECK(SetPushConsumerNameServerAddress(consumer, namesrv));
  CHECK(Subscribe(consumer, topic, "*"));
  CHECK(RegisterMessageCallbackOrderly(consumer, on_message));
  CHECK(StartPushConsumer(consumer));

  CProducer* producer = CreateOrderlyProducer("example_orderly_consumer_producer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(StartProducer(producer));
  for (int step = 0; step < STEPS; step++) {
    for (int order = 0; order < ORDERS; order++) {
      char keys[96], body[64], order_id[32];
      snprintf(keys, sizeof keys, "%s-%d-%d", run_tag, order, step);
      snprintf(body, sizeof body, "order %d step %d", order, step);
      snprintf(order_id, sizeof order_id, "order-%d", order);
      CMessage* msg = CreateMessage(topic);
      SetMessageKeys(msg, keys);
      SetMessageBody(msg, body);
      CSendResult r;
      CHECK(SendMessageOrderlyByShardingKey(producer, msg, order_id, &r));
      DestroyMessage(msg);
    }
  }
  CHECK(ShutdownProducer(producer));
  DestroyProducer(producer);

  for (int waited = 0; atomic_load(&seen) < ORDERS * STEPS && waited < 300; waited++)
    usleep(100 * 1000);
  CHECK(ShutdownPushConsumer(consumer));
  DestroyPushConsumer(consumer);
  if (atomic_load(&seen) != ORDERS * STEPS || atomic_load(&out_of_order) != 0) {
    fprintf(stderr, "ERROR: consumed %d of %d, %d out of order\n", atomic_load(&seen), ORDERS * STEPS,
            atomic_load(&out_of_order));
    return 1;
  }
  printf("orderly_push_consumer: %d orders x %d steps consumed in order\n", ORDERS, STEPS);
  return 0;
}
