/*
 * delay_producer.c - SetDelayTimeLevel: deliver a message later.
 *
 *   delay_producer [NAMESRV [TOPIC]]     (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
 *
 * A delay level picks one of the broker's fixed delays (messageDelayLevel, by default
 * "1s 5s 10s 30s 1m 2m ..."): level 2 = 5 seconds. The broker first stores the message in its
 * internal schedule topic (the send result's offset is an offset THERE) and moves it to the
 * real topic when the delay is over; only then can it be read back (common.h).
 */
#include "common.h"

int main(int argc, char** argv) {
  const char *namesrv, *topic;
  char tag[64], keys[128], msg_id[MAX_MESSAGE_ID_LENGTH];
  example_args(argc, argv, &namesrv, &topic);
  make_run_tag(tag, sizeof tag, "delay");

  Reader reader;
  reader_open(&reader, namesrv, topic);

  CProducer* producer = CreateProducer("example_delay_producer");
  if (producer == NULL)
    fail("CreateProducer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(StartProducer(producer));

  CMessage* msg = CreateMessage(topic);
  snprintf(keys, sizeof keys, "%s-0", tag);
  CHECK(SetMessageTags(msg, "TagDelay"));
  CHECK(SetMessageKeys(msg, keys));
  CHECK(SetMessageBody(msg, "hello from delay_producer (level 2 = 5 s)"));
  CHECK(SetDelayTimeLevel(msg, 2));

  CSendResult result;
  time_t sent_at = time(NULL);
  CHECK(SendMessageSync(producer, msg, &result));
  print_send_result(keys, &result);
  snprintf(msg_id, sizeof msg_id, "%s", result.msgId);
  DestroyMessage(msg);

  CHECK(ShutdownProducer(producer));
  CHECK(DestroyProducer(producer));

  printf("waiting for the delayed message (about 5 s)...\n");
  reader_wait(&reader, tag, 1, 30);
  reader_expect(&reader, msg_id);
  printf("delay_producer: read back %ld s after sending\n", (long)(time(NULL) - sent_at));
  reader_close(&reader);
  return 0;
}
