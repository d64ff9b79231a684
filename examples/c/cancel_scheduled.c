/*
 * cancel_scheduled.c - cancel a message scheduled with __STARTDELIVERTIME before it is delivered:
 * CancelScheduledMessage (new in this library, declared in <rocketmq/CProducer.h>).
 *
 *   cancel_scheduled [NAMESRV [TOPIC]]       (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
 *
 * Two messages scheduled for the same time (now + 5 s): "cancelled" and "control". Then
 *   CancelScheduledMessage(producer, topic, <msgId of "cancelled">, <its __STARTDELIVERTIME>)
 * which is the same as SendMessageSync of a message to the topic with the properties
 * __CANCEL_SCHEDULED_MSG = that msgId and __STARTDELIVERTIME = the same time (what the Python
 * example does). The library turns it into the 5.x broker's timer delete markers, sent to every
 * broker of the topic; neither the cancelled message nor the cancellation is ever delivered.
 * No broker setting is needed.
 *
 * A push consumer must get "control" at its time and never "cancelled" (it waits 3 s more after
 * "control" arrived); otherwise the program exits 1. At the end it shows that a cancellation
 * whose time has passed fails ("too late").
 *
 * Apache RocketMQ 5.x only: 4.x has no timer messages (a scheduled message is delivered at once),
 * so CancelScheduledMessage fails there with PRODUCER_SEND_SYNC_FAILED and a text saying the
 * broker is 4.x, and sends nothing (this program then exits 1 with that text).
 */
#include "common.h"
#include "collect.h"

#define DELAY_MS 5000
#define QUIET_MS 3000

int main(int argc, char** argv) {
  const char *namesrv, *topic;
  char tag[64], cancel_keys[128], control_keys[128], cancel_id[MAX_MESSAGE_ID_LENGTH], when[16];
  example_args(argc, argv, &namesrv, &topic);
  make_run_tag(tag, sizeof tag, "cancel");
  snprintf(cancel_keys, sizeof cancel_keys, "%s-cancelled", tag);
  snprintf(control_keys, sizeof control_keys, "%s-control", tag);

  CPushConsumer* consumer = collector_create(namesrv, topic, tag);
  CHECK(StartPushConsumer(consumer));

  CProducer* producer = CreateProducer("example_cancel_producer");
  if (producer == NULL)
    fail("CreateProducer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(StartProducer(producer));

  long long deliver_at = now_ms() + DELAY_MS;
  char deliver_text[32];
  snprintf(deliver_text, sizeof deliver_text, "%lld", deliver_at);
  printf("both scheduled for %s (__STARTDELIVERTIME=%s)\n", clock_text(deliver_at, when, sizeof when), deliver_text);

  const char* keys[2] = {cancel_keys, control_keys};
  for (int i = 0; i < 2; i++) {
    CMessage* msg = CreateMessage(topic);
    CHECK(SetMessageTags(msg, "TagScheduled"));
    CHECK(SetMessageKeys(msg, keys[i]));
    CHECK(SetMessageBody(msg, i == 0 ? "cancelled before its time: never delivered" : "control: delivered"));
    CHECK(SetMessageProperty(msg, "__STARTDELIVERTIME", deliver_text));
    CSendResult r;
    CHECK(SendMessageSync(producer, msg, &r));
    print_send_result(i == 0 ? "cancelled" : "control", &r);
    if (i == 0)
      snprintf(cancel_id, sizeof cancel_id, "%s", r.msgId);
    DestroyMessage(msg);
  }

  /* Cancel the first one: its id and the very time it was scheduled for. */
  CHECK(CancelScheduledMessage(producer, topic, cancel_id, deliver_at));
  printf("cancelled  %s (CancelScheduledMessage returned 0)\n", cancel_id);

  printf("waiting for the control message (about 5 s)...\n");
  int ok = collector_wait(1, 30);
  long long quiet_until = now_ms() + QUIET_MS;
  while (now_ms() < quiet_until) /* the cancelled one was due at the same time: would it come? */
    usleep(100 * 1000);

  /* Too late: the time has passed, so this cancellation fails (nothing is sent). */
  int rc = CancelScheduledMessage(producer, topic, cancel_id, deliver_at);
  printf("cancelling again after its time: returned %d: %s\n", rc, GetLatestErrorMessage());

  CHECK(ShutdownProducer(producer));
  DestroyProducer(producer);
  collector_close(consumer);

  int failed = 0;
  const Arrival* control = collector_find(control_keys);
  if (!ok || control == NULL) {
    printf("ERROR: the control message did not arrive within 30 s\n");
    failed = 1;
  } else {
    printf("control   arrived %+lld ms relative to its time\n", control->at_ms - deliver_at);
  }
  int got = collector_count(cancel_keys);
  printf("cancelled consumed %d time(s), expected 0\n", got);
  if (got != 0)
    failed = 1;
  if (rc == 0) {
    printf("ERROR: a cancellation after the message's time succeeded\n");
    failed = 1;
  }
  if (failed) {
    fprintf(stderr, "ERROR: the cancellation did not work as described\n");
    return 1;
  }
  printf("cancel_scheduled: the cancelled message was not delivered, the control message was\n");
  return 0;
}
