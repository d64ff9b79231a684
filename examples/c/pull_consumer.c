/*
 * pull_consumer.c - the pull consumer API: list a topic's queues, pull from each.
 *
 *   pull_consumer [NAMESRV [TOPIC [N]]]  (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo, 3)
 *
 * A pull consumer does not track offsets for you: you ask for the queues of a topic
 * (FetchSubscriptionMessageQueues), then Pull from an offset of your choice and continue at
 * nextBeginOffset. This program prints each queue's offset range and its last N messages.
 */
#include "common.h" /* example_args, CHECK, fail; the pull code below does not use the Reader */

static const char* pull_status_name(CPullStatus s) {
  switch (s) {
    case E_FOUND: return "FOUND";
    case E_NO_NEW_MSG: return "NO_NEW_MSG";
    case E_NO_MATCHED_MSG: return "NO_MATCHED_MSG";
    case E_OFFSET_ILLEGAL: return "OFFSET_ILLEGAL";
    case E_BROKER_TIMEOUT: return "BROKER_TIMEOUT";
  }
  return "UNKNOWN";
}

int main(int argc, char** argv) {
  const char *namesrv, *topic;
  example_args(argc, argv, &namesrv, &topic);
  int last_n = argc > 3 ? atoi(argv[3]) : 3;

  CPullConsumer* consumer = CreatePullConsumer("example_pull_consumer");
  if (consumer == NULL)
    fail("CreatePullConsumer");
  CHECK(SetPullConsumerNameServerAddress(consumer, namesrv));
  CHECK(StartPullConsumer(consumer));

  /* The queues of the topic: a malloc'ed array, freed with ReleaseSubscriptionMessageQueue. */
  CMessageQueue* mqs = NULL;
  int size = 0;
  CHECK(FetchSubscriptionMessageQueues(consumer, topic, &mqs, &size));
  printf("topic %s has %d queues\n", topic, size);

  int total = 0;
  for (int q = 0; q < size; q++) {
    /* A first pull tells us the queue's range [minOffset, maxOffset). */
    CPullResult probe = Pull(consumer, &mqs[q], "*", 0, 1);
    if (probe.pullStatus == E_BROKER_TIMEOUT)
      fail("Pull");
    long long min = probe.minOffset, max = probe.maxOffset;
    ReleasePullResult(probe);
    printf("queue %s/%d: offsets %lld..%lld\n", mqs[q].brokerName, mqs[q].queueId, min, max);

    /* Pull the last N messages, continuing at nextBeginOffset until the end of the queue. */
    long long offset = max - last_n > min ? max - last_n : min;
    while (offset < max) {
      CPullResult r = Pull(consumer, &mqs[q], "*", offset, 32); /* "*" = every tag */
      if (r.pullStatus != E_FOUND) {
        printf("  pull at %lld: %s\n", offset, pull_status_name(r.pullStatus));
        if (r.pullStatus == E_BROKER_TIMEOUT)
          fail("Pull");
        ReleasePullResult(r);
        break;
      }
      for (int i = 0; i < r.size; i++) {
        CMessageExt* m = r.msgFoundList[i];
        printf("  offset=%lld msgId=%s tags=%s keys=%s body=\"%s\"\n", GetMessageQueueOffset(m), GetMessageId(m),
               GetMessageTags(m), GetMessageKeys(m), GetMessageBody(m));
        total++;
      }
      offset = r.nextBeginOffset;
      ReleasePullResult(r); /* frees the messages: copy what you need before */
    }
  }
  printf("pull_consumer: %d messages printed\n", total);

  ReleaseSubscriptionMessageQueue(mqs);
  CHECK(ShutdownPullConsumer(consumer));
  CHECK(DestroyPullConsumer(consumer));
  return 0;
}
