/*
 * orderly_producer.c - SendMessageOrderly: choose the queue yourself.
 *
 *   orderly_producer [NAMESRV [TOPIC]]   (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
 *
 * Messages of one queue are stored and consumed in order. To keep all steps of one order in
 * order, send them to the same queue: the QueueSelectorCallback gets the number of queues of
 * the topic, the message and the `arg` given to SendMessageOrderly (here: the order id), and
 * returns the index of the queue to use. Reading back (common.h) shows every step of an order
 * in the same queue, in sending order.
 */
#include "common.h"

#define ORDERS 3
#define STEPS 3

/* What we pass as `arg`: the order id, and room to note the queue the selector chose. */
typedef struct {
  int order_id;
  int chosen;
} Order;

/* Runs on the calling thread during SendMessageOrderly. size = number of queues. */
static int select_by_order_id(int size, CMessage* msg, void* arg) {
  Order* order = arg;
  (void)msg;
  order->chosen = order->order_id % size;
  return order->chosen;
}

int main(int argc, char** argv) {
  static const char* step_names[STEPS] = {"created", "paid", "shipped"};
  const char *namesrv, *topic;
  char tag[64], keys[128], body[128], ids[ORDERS * STEPS][MAX_MESSAGE_ID_LENGTH];
  int wanted_queue[ORDERS * STEPS], n = 0;
  example_args(argc, argv, &namesrv, &topic);
  make_run_tag(tag, sizeof tag, "orderly");

  Reader reader;
  reader_open(&reader, namesrv, topic);

  /* CreateOrderlyProducer: a producer meant for ordered sends (2.2.0 API). */
  CProducer* producer = CreateOrderlyProducer("example_orderly_producer");
  if (producer == NULL)
    fail("CreateOrderlyProducer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(StartProducer(producer));

  for (int step = 0; step < STEPS; step++) {
    for (int order_id = 100; order_id < 100 + ORDERS; order_id++) {
      CMessage* msg = CreateMessage(topic);
      snprintf(keys, sizeof keys, "%s-order%d", tag, order_id);
      snprintf(body, sizeof body, "order %d %s", order_id, step_names[step]);
      CHECK(SetMessageTags(msg, "TagOrder"));
      CHECK(SetMessageKeys(msg, keys));
      CHECK(SetMessageBody(msg, body));

      CSendResult result;
      /* autoRetryTimes: how often to retry the SAME queue on failure (order is kept). */
      Order order = {order_id, -1};
      CHECK(SendMessageOrderly(producer, msg, select_by_order_id, &order, 3, &result));
      print_send_result(keys, &result);
      snprintf(ids[n], sizeof ids[n], "%s", result.msgId);
      wanted_queue[n++] = order.chosen;
      DestroyMessage(msg);
    }
  }

  CHECK(ShutdownProducer(producer));
  CHECK(DestroyProducer(producer));

  reader_wait(&reader, tag, n, 15);
  for (int i = 0; i < n; i++) {
    /* With one broker, queue index i of the selector is queue id i. */
    int q = reader_expect(&reader, ids[i]);
    if (q != wanted_queue[i]) {
      fprintf(stderr, "ERROR: message %s is in queue %d, the selector chose %d\n", ids[i], q, wanted_queue[i]);
      return 1;
    }
  }
  reader_close(&reader);
  printf("orderly_producer: %d messages sent and read back, each order in its own queue\n", n);
  return 0;
}
