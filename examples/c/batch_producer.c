/*
 * batch_producer.c - SendBatchMessage: several messages in one request.
 *
 *   batch_producer [NAMESRV [TOPIC]]     (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
 *
 * All messages of a batch must have the same topic and no delay level; they are stored in one
 * queue, one after the other. AddMessage copies the message, so it can be destroyed at once.
 * The one send result describes the whole batch: msgId lists every message's id (comma
 * separated), offset is the first message's offset.
 */
#include "common.h"

#define COUNT 4

int main(int argc, char** argv) {
  const char *namesrv, *topic;
  char tag[64], keys[128], body[128];
  example_args(argc, argv, &namesrv, &topic);
  make_run_tag(tag, sizeof tag, "batch");

  Reader reader;
  reader_open(&reader, namesrv, topic);

  CProducer* producer = CreateProducer("example_batch_producer");
  if (producer == NULL)
    fail("CreateProducer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(StartProducer(producer));

  CBatchMessage* batch = CreateBatchMessage();
  if (batch == NULL)
    fail("CreateBatchMessage");
  for (int i = 0; i < COUNT; i++) {
    CMessage* msg = CreateMessage(topic);
    snprintf(keys, sizeof keys, "%s-%d", tag, i);
    snprintf(body, sizeof body, "hello from batch_producer #%d", i);
    CHECK(SetMessageTags(msg, "TagBatch"));
    CHECK(SetMessageKeys(msg, keys));
    CHECK(SetMessageBody(msg, body));
    CHECK(AddMessage(batch, msg)); /* copies the message into the batch */
    DestroyMessage(msg);
  }

  CSendResult result;
  CHECK(SendBatchMessage(producer, batch, &result)); /* one request, one result */
  print_send_result("batch", &result);
  CHECK(DestroyBatchMessage(batch));

  CHECK(ShutdownProducer(producer));
  CHECK(DestroyProducer(producer));

  reader_wait(&reader, tag, COUNT, 15);
  /* result.msgId lists the ids of all messages of the batch, separated by commas. */
  for (char* id = strtok(result.msgId, ","); id != NULL; id = strtok(NULL, ","))
    reader_expect(&reader, id);
  for (int i = 1; i < reader.seen; i++) {
    if (reader.seen_queue[i] != reader.seen_queue[0]) {
      fprintf(stderr, "ERROR: the messages of one batch are in different queues\n");
      return 1;
    }
  }
  reader_close(&reader);
  printf("batch_producer: a batch of %d messages sent and read back (queue %d)\n", COUNT, reader.seen_queue[0]);
  return 0;
}
