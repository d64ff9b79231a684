/*
 * scheduled_producer.c - delivery at a chosen time (the property __STARTDELIVERTIME) and after a
 * fixed delay (SetDelayTimeLevel), consumed by a push consumer that prints how late each came.
 *
 *   scheduled_producer [NAMESRV [TOPIC [4|5]]]  (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
 *
 * Two messages, sent at the same moment:
 *   "timer"  __STARTDELIVERTIME = now + 4 s, as epoch milliseconds in a decimal string. The
 *            library also sets the 5.x broker's TIMER_DELIVER_MS from it.
 *            Apache RocketMQ 5.x: stored in the broker's timer wheel and delivered at that time
 *              (at the first whole second at or after it: the timer works in 1 s slots). A
 *              time in the past is delivered at once; more than a year ahead fails at send.
 *            Apache RocketMQ 4.x has NO timer messages: the broker stores the message like any
 *              other and it is delivered AT ONCE. The library logs a WARN ("broker ... has no
 *              timer messages: <msgId> with __STARTDELIVERTIME is delivered at once") in its log
 *              ($HOME/logs/rocketmq-rust/rocketmq_client.log unless Set*LogPath says otherwise).
 *   "level"  SetDelayTimeLevel(msg, 2): one of the broker's fixed delays (messageDelayLevel,
 *            "1s 5s 10s 30s 1m ..." by default; level 2 = 5 s). Works on 4.x and 5.x alike.
 *
 * The optional third argument says which broker this is and makes the program check it:
 *   5  the timer message must arrive at its time (not before, at most 5 s after: the
 *      broker fires its 1 s slot once the clock is past it, later on a busy machine)
 *   4  the timer message must arrive at once (well before its time)
 * Without it the program only reports what it saw. Either way the delay-level message must
 * arrive 5 s (up to 10 s) after sending, and both must arrive within 30 s; otherwise exit 1.
 */
#include "common.h"
#include "collect.h"

#define TIMER_DELAY_MS 4000
#define LEVEL 2
#define LEVEL_DELAY_MS 5000

/* Prints the library log's line that mentions this message id, if the default log has one. */
static void show_log_line(const char* msg_id) {
  char path[512], line[1024];
  const char* home = getenv("HOME");
  snprintf(path, sizeof path, "%s/logs/rocketmq-rust/rocketmq_client.log", home ? home : "");
  FILE* f = fopen(path, "r");
  if (f == NULL)
    return;
  while (fgets(line, sizeof line, f) != NULL)
    if (strstr(line, msg_id) != NULL && strstr(line, "WARN") != NULL)
      printf("          %s: %s", path, line);
  fclose(f);
}

int main(int argc, char** argv) {
  const char *namesrv, *topic;
  char tag[64], timer_keys[128], level_keys[128], when[16];
  example_args(argc, argv, &namesrv, &topic);
  int version = argc > 3 ? atoi(argv[3]) : 0;
  make_run_tag(tag, sizeof tag, "sched");
  snprintf(timer_keys, sizeof timer_keys, "%s-timer", tag);
  snprintf(level_keys, sizeof level_keys, "%s-level", tag);

  CPushConsumer* consumer = collector_create(namesrv, topic, tag);
  CHECK(StartPushConsumer(consumer));

  CProducer* producer = CreateProducer("example_scheduled_producer");
  if (producer == NULL)
    fail("CreateProducer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(StartProducer(producer));

  long long sent_at = now_ms();
  long long deliver_at = sent_at + TIMER_DELAY_MS;
  char deliver_text[32];
  snprintf(deliver_text, sizeof deliver_text, "%lld", deliver_at);

  CSendResult r;
  CMessage* timer = CreateMessage(topic);
  CHECK(SetMessageTags(timer, "TagTimer"));
  CHECK(SetMessageKeys(timer, timer_keys));
  CHECK(SetMessageBody(timer, "deliver me at __STARTDELIVERTIME"));
  CHECK(SetMessageProperty(timer, "__STARTDELIVERTIME", deliver_text));
  CHECK(SendMessageSync(producer, timer, &r));
  print_send_result("timer", &r);
  printf("           __STARTDELIVERTIME=%s (%s)\n", deliver_text, clock_text(deliver_at, when, sizeof when));
  DestroyMessage(timer);

  CMessage* level = CreateMessage(topic);
  CHECK(SetMessageTags(level, "TagDelayLevel"));
  CHECK(SetMessageKeys(level, level_keys));
  CHECK(SetMessageBody(level, "deliver me after delay level 2 (5 s)"));
  CHECK(SetDelayTimeLevel(level, LEVEL));
  CHECK(SendMessageSync(producer, level, &r));
  print_send_result("level", &r);
  DestroyMessage(level);
  CHECK(ShutdownProducer(producer));
  DestroyProducer(producer);

  printf("waiting for both (about 5 s)...\n");
  int ok = collector_wait(2, 30);
  collector_close(consumer);

  int failed = !ok;
  const Arrival* t = collector_find(timer_keys);
  const Arrival* l = collector_find(level_keys);
  if (t == NULL) {
    printf("ERROR: the timer message did not arrive within 30 s\n");
  } else {
    long long late = t->at_ms - deliver_at;
    printf("timer  message: arrived %+lld ms relative to __STARTDELIVERTIME (%lld ms after sending)\n", late,
           t->at_ms - sent_at);
    int at_once = late < -(TIMER_DELAY_MS / 2);
    if (at_once) {
      printf("       -> delivered at once: this broker has no timer messages (Apache RocketMQ 4.x);\n"
             "          the library logs a WARN \"has no timer messages\" for %s\n", t->msg_id);
      show_log_line(t->msg_id);
    } else {
      printf("       -> delivered at its time by the broker's timer (Apache RocketMQ 5.x)\n");
    }
    if (version == 5 && (late < -200 || late > 5000)) {
      printf("ERROR: on 5.x the timer message must arrive at its time (0 to 5000 ms late), not %+lld ms\n", late);
      failed = 1;
    }
    if (version == 4 && !at_once) {
      printf("ERROR: on 4.x the timer message must arrive at once\n");
      failed = 1;
    }
  }
  if (l == NULL) {
    printf("ERROR: the delay-level message did not arrive within 30 s\n");
  } else {
    long long after = l->at_ms - sent_at;
    printf("level  message: arrived %lld ms after sending (level %d = %d ms, %+lld ms)\n", after, LEVEL, LEVEL_DELAY_MS,
           after - LEVEL_DELAY_MS);
    if (after < LEVEL_DELAY_MS - 500 || after > 2 * LEVEL_DELAY_MS) {
      printf("ERROR: delay level %d must deliver after about %d ms\n", LEVEL, LEVEL_DELAY_MS);
      failed = 1;
    }
  }
  if (failed) {
    fprintf(stderr, "ERROR: scheduled delivery did not behave as described\n");
    return 1;
  }
  printf("scheduled_producer: both messages arrived when expected\n");
  return 0;
}
