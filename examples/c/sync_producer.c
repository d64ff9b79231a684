/*
 * sync_producer.c - SendMessageSync: send, wait for the broker's answer, print it.
 *
 *   sync_producer [NAMESRV [TOPIC]]      (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
 *
 * Sends 3 messages with tags, keys and a user property, prints each send result, then reads
 * the messages back with the pull consumer API (common.h) and checks every one arrived.
 */
#include "common.h"

#define COUNT 3

int main(int argc, char** argv) {
  const char *namesrv, *topic;
  char tag[64], keys[128], body[128], ids[COUNT][MAX_MESSAGE_ID_LENGTH];
  example_args(argc, argv, &namesrv, &topic);
  make_run_tag(tag, sizeof tag, "sync");

  Reader reader;
  reader_open(&reader, namesrv, topic); /* before sending: remember where each queue ends */
  reader.property = "order_source";     /* print this user property when reading back */

  /* A producer: group name, name server, start. */
  CProducer* producer = CreateProducer("example_sync_producer");
  if (producer == NULL)
    fail("CreateProducer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(SetProducerSendMsgTimeout(producer, 3000)); /* ms */
  CHECK(StartProducer(producer));

  for (int i = 0; i < COUNT; i++) {
    CMessage* msg = CreateMessage(topic);
    snprintf(keys, sizeof keys, "%s-%d", tag, i); /* keys: what you look messages up by */
    snprintf(body, sizeof body, "hello from sync_producer #%d", i);
    CHECK(SetMessageTags(msg, "TagA"));
    CHECK(SetMessageKeys(msg, keys));
    CHECK(SetMessageBody(msg, body));
    CHECK(SetMessageProperty(msg, "order_source", "example")); /* any user property */

    CSendResult result;
    CHECK(SendMessageSync(producer, msg, &result)); /* blocks until the broker answered */
    print_send_result(keys, &result);
    snprintf(ids[i], sizeof ids[i], "%s", result.msgId);
    DestroyMessage(msg); /* the message is ours: destroy it after the send */
  }

  CHECK(ShutdownProducer(producer));
  CHECK(DestroyProducer(producer));

  reader_wait(&reader, tag, COUNT, 15);
  for (int i = 0; i < COUNT; i++)
    reader_expect(&reader, ids[i]); /* the msgId of the send result is the id read back */
  reader_close(&reader);
  printf("sync_producer: %d messages sent and read back\n", COUNT);
  return 0;
}
