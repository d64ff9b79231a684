/*
 * sharding_key_producer.c - SendMessageOrderlyByShardingKey: ordered sends by key.
 *
 *   sharding_key_producer [NAMESRV [TOPIC]]  (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
 *
 * Like SendMessageOrderly with a built-in selector: the library hashes the sharding key to pick
 * the queue, so all messages with the same key go to the same queue, in order. Reading back
 * (common.h) checks that each key's messages share one queue.
 */
#include "common.h"

#define KEYS 2
#define PER_KEY 3

int main(int argc, char** argv) {
  static const char* sharding_keys[KEYS] = {"customer-alice", "customer-bob"};
  const char *namesrv, *topic;
  char tag[64], keys[128], body[128], ids[KEYS][PER_KEY][MAX_MESSAGE_ID_LENGTH];
  example_args(argc, argv, &namesrv, &topic);
  make_run_tag(tag, sizeof tag, "sharding");

  Reader reader;
  reader_open(&reader, namesrv, topic);

  CProducer* producer = CreateOrderlyProducer("example_sharding_key_producer");
  if (producer == NULL)
    fail("CreateOrderlyProducer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(StartProducer(producer));

  for (int i = 0; i < PER_KEY; i++) {
    for (int k = 0; k < KEYS; k++) {
      CMessage* msg = CreateMessage(topic);
      snprintf(keys, sizeof keys, "%s-%s-%d", tag, sharding_keys[k], i);
      snprintf(body, sizeof body, "event %d of %s", i, sharding_keys[k]);
      CHECK(SetMessageTags(msg, "TagSharding"));
      CHECK(SetMessageKeys(msg, keys));
      CHECK(SetMessageBody(msg, body));

      CSendResult result;
      CHECK(SendMessageOrderlyByShardingKey(producer, msg, sharding_keys[k], &result));
      print_send_result(keys, &result);
      snprintf(ids[k][i], sizeof ids[k][i], "%s", result.msgId);
      DestroyMessage(msg);
    }
  }

  CHECK(ShutdownProducer(producer));
  CHECK(DestroyProducer(producer));

  reader_wait(&reader, tag, KEYS * PER_KEY, 15);
  for (int k = 0; k < KEYS; k++) {
    int q = reader_expect(&reader, ids[k][0]);
    for (int i = 1; i < PER_KEY; i++) {
      if (reader_expect(&reader, ids[k][i]) != q) {
        fprintf(stderr, "ERROR: messages of sharding key %s are in different queues\n", sharding_keys[k]);
        return 1;
      }
    }
    printf("sharding key %s -> queue %d\n", sharding_keys[k], q);
  }
  reader_close(&reader);
  printf("sharding_key_producer: %d messages sent and read back\n", KEYS * PER_KEY);
  return 0;
}
