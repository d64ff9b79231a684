/*
 * oneway_producer.c - SendMessageOneway: fire and forget.
 *
 *   oneway_producer [NAMESRV [TOPIC]]    (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
 *
 * A oneway send writes the request and returns; the broker sends no answer, so there is no
 * send result (no msgId, no offset) - only "the request was written". Reading the messages
 * back (by their keys, common.h) is the only way to see that they arrived.
 */
#include "common.h"

#define COUNT 3

int main(int argc, char** argv) {
  const char *namesrv, *topic;
  char tag[64], keys[128], body[128];
  example_args(argc, argv, &namesrv, &topic);
  make_run_tag(tag, sizeof tag, "oneway");

  Reader reader;
  reader_open(&reader, namesrv, topic);

  CProducer* producer = CreateProducer("example_oneway_producer");
  if (producer == NULL)
    fail("CreateProducer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(StartProducer(producer));

  for (int i = 0; i < COUNT; i++) {
    CMessage* msg = CreateMessage(topic);
    snprintf(keys, sizeof keys, "%s-%d", tag, i);
    snprintf(body, sizeof body, "hello from oneway_producer #%d", i);
    CHECK(SetMessageTags(msg, "TagOneway"));
    CHECK(SetMessageKeys(msg, keys));
    CHECK(SetMessageBody(msg, body));
    CHECK(SendMessageOneway(producer, msg)); /* 0 = written to the socket, nothing more */
    printf("sent %-10s (oneway: no send result)\n", keys);
    DestroyMessage(msg);
  }

  CHECK(ShutdownProducer(producer));
  CHECK(DestroyProducer(producer));

  reader_wait(&reader, tag, COUNT, 15); /* matched by the keys: oneway gives no msgId */
  reader_close(&reader);
  printf("oneway_producer: %d messages sent and read back\n", COUNT);
  return 0;
}
